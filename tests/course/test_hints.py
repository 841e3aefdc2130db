"""The hands-on hints follow what the learner's file does and what the last check showed."""

from lab.course import checker, hints
from lab.course.checker import CaseResult, TestOutcome, Verdict

STARTER = checker.EXERCISE.read_text()
UNMOCKED = "def test_twice(catalog):\n    assert catalog.add('A-1').accepted\n"
TABLES = ("correct", "no_unique", "case_sensitive", "lower_only", "trim_only")


def verdict_catching(*variants: str, on_correct: TestOutcome = "passed") -> Verdict:
    cases = [CaseResult("test_x", "correct", on_correct)]
    cases += [CaseResult("test_x", name, "failed" if name in variants else "passed") for name in TABLES[1:]]
    return Verdict(False, "FAIL", [], cases)


def number_of(hint: str) -> int:
    return int(hint.split("Hint ")[1].split(" of")[0])


def test_the_starter_file_gets_the_mock_hint_first():
    assert hints.next_hint(STARTER, None, set()).startswith(f"[yellow]Hint 1 of {len(hints.HINTS)}:[/] Delete the two mock lines")


def test_once_the_mock_lines_are_gone_their_hint_is_never_given_again():
    shown = set()

    given = [hints.next_hint(UNMOCKED, None, shown) for _ in range(3)]

    assert not any("Delete the two mock lines" in hint for hint in given)
    assert [number_of(hint) for hint in given] == [3, 4, 5]


def test_an_import_of_magicmock_that_nothing_uses_is_not_a_mock():
    """The learner deleted the two mock lines and kept the starter's imports."""
    kept_imports = STARTER.split("def test_")[0] + UNMOCKED

    assert "from unittest.mock import MagicMock" in kept_imports
    assert 0 not in hints.needed(kept_imports, None)
    assert 0 in hints.needed(kept_imports + "\ndef test_y(catalog):\n    catalog = None\n", None)
    assert 0 in hints.needed("from unittest import mock\ndef test_y(catalog):\n    fake = mock.MagicMock()\n", None)


def test_a_test_that_fails_on_the_correct_table_gets_its_own_hint():
    failing = verdict_catching(*TABLES[1:], on_correct="failed")

    hint = hints.next_hint(UNMOCKED, failing, set())

    assert number_of(hint) == 2 and "Your test fails on the correct table" in hint
    assert 1 not in hints.needed(UNMOCKED, verdict_catching("no_unique"))


def test_a_check_that_caught_the_duplicate_leaves_the_capitals_and_spaces_hints():
    assert hints.needed(UNMOCKED, verdict_catching("no_unique")) == [3, 4]
    assert hints.needed(UNMOCKED, verdict_catching(*TABLES[1:])) == []
    assert hints.next_hint(UNMOCKED, verdict_catching(*TABLES[1:]), set()) == hints.NOTHING_LEFT


def test_a_test_of_capitals_only_is_told_about_the_spaces():
    capitals_only = verdict_catching("no_unique", "case_sensitive", "trim_only")

    assert hints.needed(UNMOCKED, capitals_only) == [4]
    assert "spaces around it" in hints.next_hint(UNMOCKED, capitals_only, set())


def test_a_passing_verdict_needs_no_hint():
    assert hints.needed(STARTER, Verdict(True, "PASS")) == []


def test_missed_names_the_buggy_tables_no_test_went_red_on():
    assert [mutant.name for mutant in checker.missed(verdict_catching("case_sensitive").results)] == [
        "no_unique", "lower_only", "trim_only"]
