"""The hands-on hints follow what the learner's file and last check already show."""

from lab.course import checker, hints
from lab.course.checker import CaseResult, Verdict

STARTER = checker.EXERCISE.read_text()
UNMOCKED = "def test_twice(catalog):\n    assert catalog.add('A-1').accepted\n"


def verdict_catching(*variants: str) -> Verdict:
    cases = [CaseResult("test_x", "correct", "passed")]
    cases += [CaseResult("test_x", name, "failed" if name in variants else "passed") for name in ("no_unique", "case_sensitive")]
    return Verdict(False, "FAIL", [], cases)


def test_the_starter_file_gets_the_mock_hint_first():
    assert hints.next_hint(STARTER, None, set()).startswith("[yellow]Hint 1 of 3:[/] Delete the two mock lines")


def test_once_the_mock_lines_are_gone_their_hint_is_never_given_again():
    shown = set()

    given = [hints.next_hint(UNMOCKED, None, shown) for _ in range(3)]

    assert not any("Delete the two mock lines" in hint for hint in given)
    assert "Hint 2 of 3" in given[0] and "Hint 3 of 3" in given[1]


def test_a_check_that_caught_the_duplicate_leaves_only_the_capitals_hint():
    assert hints.needed(UNMOCKED, verdict_catching("no_unique")) == [2]
    assert hints.needed(UNMOCKED, verdict_catching("no_unique", "case_sensitive")) == []
    assert hints.next_hint(UNMOCKED, verdict_catching("no_unique", "case_sensitive"), set()) == hints.NOTHING_LEFT


def test_a_passing_verdict_needs_no_hint():
    assert hints.needed(STARTER, Verdict(True, "PASS")) == []


def test_missed_names_the_buggy_tables_no_test_went_red_on():
    assert [mutant.name for mutant in checker.missed(verdict_catching("case_sensitive").results)] == ["no_unique"]
