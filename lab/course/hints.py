"""The hands-on exercise's hints, chosen by what the learner's file does and the last check showed.

A hint the learner has already followed (the mock is gone from the tests, the last check
caught that bug) is not offered again: `needed` keeps only the ones that still apply. The
file is parsed, not searched for words: an import of MagicMock that nothing uses mocks nothing.
"""

import ast
from collections.abc import Callable
from dataclasses import dataclass

from lab.course.catalog import CASE_SENSITIVE, LOWER_ONLY, NO_UNIQUE, TRIM_ONLY, Variant
from lab.course.checker import Verdict, missed, wrong_tests

MOCK_MAKERS = {"MagicMock", "Mock", "NonCallableMock", "create_autospec", "patch"}
SCRIPTED = {"side_effect", "return_value"}


@dataclass(frozen=True)
class Hint:
    """One hint and the test, on the file's text and the last verdict, of whether it still applies."""

    text: str
    applies: Callable[[str, Verdict | None], bool]


def _called_name(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def mocks_the_catalog(source: str) -> bool:
    """True when a test builds a mock, scripts one, or puts something else in `catalog`'s place."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False  # the checker shows Python's complaint; a hint about mocks would not help
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in MOCK_MAKERS:
            return True
        if isinstance(node, ast.Attribute) and node.attr in SCRIPTED:
            return True
        if isinstance(node, ast.Name) and node.id == "catalog" and isinstance(node.ctx, ast.Store):
            return True
    return False


def _still_mocked(source: str, _verdict: Verdict | None) -> bool:
    return mocks_the_catalog(source)


def _fails_on_the_correct_table(_source: str, verdict: Verdict | None) -> bool:
    return verdict is not None and bool(wrong_tests(verdict.results))


def _misses(*variants: Variant) -> Callable[[str, Verdict | None], bool]:
    """Applies until a check shows tests that catch every one of `variants` (before any check, it may apply)."""

    def applies(_source: str, verdict: Verdict | None) -> bool:
        if verdict is None or not verdict.results:
            return True
        left = missed(verdict.results)
        return any(variant in left for variant in variants)

    return applies


HINTS = [
    Hint("Delete the two mock lines (MagicMock and side_effect): the `catalog` fixture is already a real "
         "catalog on a real PostgreSQL.", _still_mocked),
    Hint("Your test fails on the correct table, where the rule holds, so its red on a buggy table proves "
         "nothing. Read the reason under the table: a different SKU must be accepted, and only the same SKU "
         "(in other capitals, or with spaces around it) refused.", _fails_on_the_correct_table),
    Hint("Add the same SKU twice; assert the second result's outcome is Outcome.DUPLICATE and its sqlstate is "
         "UNIQUE_VIOLATION (\"23505\"), and that catalog.count() is still 1.",
         _misses(NO_UNIQUE)),
    Hint("A SKU is the same whatever its capitals: after 'ABC-123', add 'abc-123' and assert it is refused too.",
         _misses(CASE_SENSITIVE, TRIM_ONLY)),
    Hint("A SKU is the same whatever the spaces around it: after 'ABC-123', add ' ABC-123 ' and assert it is "
         "refused too. (Capitals alone are half the rule: a table that ignores capitals but keeps the spaces "
         "is a bug too.)", _misses(CASE_SENSITIVE, LOWER_ONLY)),
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
