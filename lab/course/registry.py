"""The lessons in course order, numbered from 1."""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from lab.course.lessons import flaky, handson, isolation, magic, problem, resilience, scopes, side_by_side, slow
from lab.errors import WorkshopError

MODULES: list[ModuleType] = [problem, magic, side_by_side, handson, scopes, isolation, flaky, resilience, slow]


@dataclass(frozen=True)
class Lesson:
    """One lesson: its number, title, rough length, the function that runs it, and whether it is the exercise."""

    number: int
    title: str
    minutes: int
    run: Callable
    exercise: bool = False


LESSONS = [Lesson(number, module.TITLE, module.MINUTES, module.run, getattr(module, "IS_EXERCISE", False))
           for number, module in enumerate(MODULES, start=1)]
COURSE_MINUTES = sum(item.minutes for item in LESSONS)


def lesson(number: int) -> Lesson:
    """The lesson with this number, or a WorkshopError naming the ones there are."""
    if not 1 <= number <= len(LESSONS):
        raise WorkshopError(f"There is no lesson {number}: pick one from 1 to {len(LESSONS)} (see `python3 workshop.py --list`).")
    return LESSONS[number - 1]
