"""The hands-on exercise's hints, chosen by what the learner's file and last check already show.

A hint the learner has already followed (the mock lines are gone from the file, the last
check caught that bug) is not offered again: `needed` keeps only the ones that still apply.
"""

from dataclasses import dataclass
from typing import Callable

from lab.course.catalog import CASE_SENSITIVE, NO_UNIQUE
from lab.course.checker import Verdict, missed


@dataclass(frozen=True)
class Hint:
    """One hint and the test, on the file's text and the last verdict, of whether it still applies."""

    text: str
    applies: Callable[[str, Verdict | None], bool]


def _still_mocked(source: str, _verdict: Verdict | None) -> bool:
    return "MagicMock" in source or "side_effect" in source


def _misses(variant) -> Callable[[str, Verdict | None], bool]:
    """Applies until a check shows a test that catches `variant` (before any check, it may still apply)."""

    def applies(_source: str, verdict: Verdict | None) -> bool:
        return verdict is None or not verdict.results or variant in missed(verdict.results)

    return applies


HINTS = [
    Hint("Delete the two mock lines (MagicMock and side_effect): the `catalog` fixture is already a real "
         "catalog on a real PostgreSQL.", _still_mocked),
    Hint("Add the same SKU twice; assert the second result's outcome is Outcome.DUPLICATE and its sqlstate is "
         "UNIQUE_VIOLATION (\"23505\"), and that catalog.count() is still 1.",
         _misses(NO_UNIQUE)),
    Hint("A SKU is the same whatever its capitals or the spaces around it: after 'ABC-123', try 'abc-123' and "
         "' ABC-123 ' and assert they are refused too.", _misses(CASE_SENSITIVE)),
]
NOTHING_LEFT = "Your file already does what every hint says: press [bold]c[/] to check it."


def needed(source: str, verdict: Verdict | None) -> list[int]:
    """The positions in HINTS of the hints that still apply, in order."""
    if verdict is not None and verdict.passed:
        return []
    return [position for position, hint in enumerate(HINTS) if hint.applies(source, verdict)]


def next_hint(source: str, verdict: Verdict | None, shown: set[int]) -> str:
    """The first applicable hint not shown yet (or the last applicable one again), numbered as in HINTS."""
    positions = needed(source, verdict)
    if not positions:
        return NOTHING_LEFT
    position = next((p for p in positions if p not in shown), positions[-1])
    shown.add(position)
    return f"[yellow]Hint {position + 1} of {len(HINTS)}:[/] {HINTS[position].text}"
