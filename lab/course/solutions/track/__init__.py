"""Reference solutions of the exercise track (exercises/test_1_*.py to test_6_*.py)."""
