"""`workshop.py --watch`: check the current exercise, re-check it on every save, move on when it passes.

Saves are noticed by polling the file's modification time and size (any filesystem works).
The sleep and the stop condition are injected, so tests drive the loop without a terminal
or a real wait; Ctrl-C is the caller's to report (lab.errors.run_reporting).
"""

import time
from collections.abc import Callable
from pathlib import Path

from lab.course.checker import file_stamp
from lab.course.track.checking import Verdict
from lab.course.track.model import Exercise
from lab.course.track.state import TrackProgress

POLL_SECONDS = 0.5


def watch(exercises: list[Exercise], progress: TrackProgress, *, start: int, file_of: Callable[[Exercise], Path],
          check: Callable[[Exercise], Verdict], introduce: Callable[[Exercise], None],
          report: Callable[[Exercise, Verdict], None], sleep: Callable[[float], None] = time.sleep,
          stop: Callable[[], bool] = lambda: False, interval: float = POLL_SECONDS) -> list[Exercise]:
    """Work through the exercises from `start`; return those skipped because they need Docker.

    Returns when every exercise from `start` has passed or been skipped, or when `stop()` is true.
    """
    skipped: list[Exercise] = []
    while (item := next((each for each in exercises if each.number >= start and each.number not in progress.passed
                         and each not in skipped), None)) is not None:
        introduce(item)
        last = file_stamp(file_of(item))
        verdict = check(item)
        report(item, verdict)
        while verdict.status == "failed":
            if stop():
                return skipped
            sleep(interval)
            stamp = file_stamp(file_of(item))
            if stamp != last:
                last = stamp
                verdict = check(item)
                report(item, verdict)
        if verdict.passed:
            progress.pass_exercise(item.number)
        else:
            skipped.append(item)
    return skipped
