"""The two apps a test run can be pointed at: the real one, and the naive (buggy) one.

`--target real|naive` (pytest), the show's test stage and the course all choose here.
"""

from lab.errors import WorkshopError

TARGETS = ("real", "naive")


def check_target(target: str) -> str:
    """`target` itself when it is one of TARGETS; otherwise a WorkshopError saying which there are."""
    if target not in TARGETS:
        raise WorkshopError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
    return target
