"""Where the learner stands: in the course's lessons and in the exercise track, one sentence each.

The course's screens point to the track and the track's list says where the course is, so
whichever a learner opens, the other is one command away. Pure functions of the two progress
files; the runner and the track's commands print them.
"""

from lab.course.progress import Progress
from lab.course.registry import LESSONS, Lesson
from lab.course.track.exercises import EXERCISES
from lab.course.track.state import TrackProgress


def done(item: Lesson, progress: Progress) -> bool:
    """A lesson is done once it ran to its end; the hands-on only once the learner's tests passed its check."""
    return item.number in progress.completed and (progress.exercise_passed or not item.exercise)


def course_standing(progress: Progress) -> str:
    """For the track's list: how many lessons are done and the command that carries on with the course."""
    finished = [item for item in LESSONS if done(item, progress)]
    left = next((item for item in LESSONS if not done(item, progress)), None)
    if left is None:
        return f"The course: all {len(LESSONS)} lessons done (`python3 workshop.py --list` shows them)."
    carry_on = "starts at" if not finished else "carries on with"
    return (f"The course: {len(finished)} of {len(LESSONS)} lessons done; `python3 workshop.py` {carry_on} "
            f"lesson {left.number}. Each exercise is easier after the lesson in its \"lesson\" column.")


def track_standing(track: TrackProgress) -> str:
    """For the course's list and its last screen: what the track is, how far it got, and how to go on."""
    passed = len([item for item in EXERCISES if item.number in track.passed])
    current = track.current(EXERCISES)
    if current is None:
        return (f"The exercise track: all {len(EXERCISES)} exercises passed "
                "(`python3 workshop.py --exercises` lists them).")
    go_on = "starts at" if not passed else "carries on with"
    return (f"The exercise track, where you write the container code: {passed} of {len(EXERCISES)} passed. "
            f"`python3 workshop.py --exercises` lists them; `python3 workshop.py --watch` {go_on} "
            f"exercise {current.number}.")


def reset_sentence() -> str:
    """What `--reset` clears (both records) and what it keeps (the learner's files)."""
    return ("Progress cleared, the lessons' and the exercise track's: `python3 workshop.py` starts again at "
            "lesson 1. Your files in exercises/ are kept as they are; `python3 workshop.py --reset-exercise N` "
            "puts one exercise's starter back.")
