"""Reference solutions, shown by the course only after the learner's own test passes."""
