"""The hands-on checker: its judgement alone, then the starter and the solution on a real PostgreSQL."""

import io
import shutil

import pytest
from rich.console import Console

from lab.course import checker
from lab.course.catalog import CASE_SENSITIVE, LOWER_ONLY, NO_UNIQUE, TRIM_ONLY
from lab.course.checker import CaseResult, TestOutcome, judge, parse_cases
from lab.course.lessons.handson import show_verdict

ON_ALL = ("correct", "no_unique", "case_sensitive", "lower_only", "trim_only")


def cases(test: str, *outcomes: TestOutcome) -> list[CaseResult]:
    return [CaseResult(test, variant, outcome) for variant, outcome in zip(ON_ALL, outcomes, strict=True)]


def test_a_test_that_passes_on_every_table_proves_nothing():
    verdict = judge(cases("test_mocked", "passed", "passed", "passed", "passed", "passed"))

    assert not verdict.passed
    assert [NO_UNIQUE.flaw in reason for reason in verdict.reasons] == [True, False, False, False]
    assert CASE_SENSITIVE.flaw in verdict.reasons[1]


def test_a_test_that_fails_on_the_correct_table_is_wrong_and_catches_no_bug():
    results = cases("test_strict", "failed", "failed", "failed", "failed", "failed")

    verdict = judge(results)

    assert not verdict.passed
    assert "fail against a correct table" in verdict.headline
    assert checker.missed(results) == checker.MUTANTS


def test_catching_one_bug_is_not_enough():
    verdict = judge(cases("test_twice", "passed", "failed", "passed", "passed", "passed"))

    assert not verdict.passed
    assert len(verdict.reasons) == 3 and CASE_SENSITIVE.catch_it in verdict.reasons[0]


def test_half_the_rule_is_not_enough():
    capitals_only = judge(cases("test_capitals", "passed", "failed", "failed", "passed", "failed"))
    spaces_only = judge(cases("test_spaces", "passed", "failed", "failed", "failed", "passed"))

    assert not capitals_only.passed and capitals_only.reasons == [
        checker.missed_reason(LOWER_ONLY)]
    assert not spaces_only.passed and spaces_only.reasons == [
        checker.missed_reason(TRIM_ONLY)]


def test_green_on_the_correct_table_and_red_on_every_buggy_one_passes():
    verdict = judge(cases("test_twice", "passed", "failed", "passed", "passed", "passed")
                    + cases("test_capitals", "passed", "failed", "failed", "passed", "failed")
                    + cases("test_spaces", "passed", "failed", "failed", "failed", "passed"))

    assert verdict.passed and verdict.reasons == []


def test_no_test_at_all_says_how_to_write_one():
    assert "no test found" in judge([], "no tests ran in 0.01s").headline


def test_variants_are_read_from_test_ids_even_with_the_learners_own_parameters():
    xml = """<testsuites><testsuite>
      <testcase classname="exercises.test_x" name="test_a[lower-no_unique]" time="0.1"><failure message="AssertionError: boom">x</failure></testcase>
      <testcase classname="exercises.test_x" name="test_a[lower-correct]" time="0.1"/>
      <testcase classname="" name="exercises.test_y" time="0"><error message="collection failure"/></testcase>
    </testsuite></testsuites>"""

    parsed = parse_cases(xml)

    assert parsed[0] == CaseResult("test_a[lower]", "no_unique", "failed", "AssertionError: boom")
    assert parsed[1] == CaseResult("test_a[lower]", "correct", "passed", "")
    assert parsed[2].test == "(collecting exercises.test_y)"


@pytest.mark.slow
@pytest.mark.realdb
def test_the_starter_file_fails_verification(postgres_settings):
    verdict = checker.check(checker.EXERCISE, postgres_settings)

    assert not verdict.passed
    assert {case.variant for case in verdict.results} == set(ON_ALL)
    assert all(case.outcome == "passed" for case in verdict.results)
    assert len(verdict.reasons) == 4


@pytest.mark.slow
@pytest.mark.realdb
def test_the_reference_solution_passes_verification(postgres_settings):
    verdict = checker.check(checker.SOLUTION, postgres_settings)

    assert verdict.passed, verdict.reasons
    assert {case.variant for case in verdict.results if case.outcome == "failed"} == set(ON_ALL[1:])


@pytest.mark.slow
@pytest.mark.realdb
def test_a_test_that_ignores_capitals_is_told_what_it_misses(postgres_settings, tmp_path):
    learner = tmp_path / "test_mine.py"
    learner.write_text(
        "from lab.votes import Outcome\n\n"
        "def test_twice(catalog):\n"
        "    assert catalog.add('SKU-1').accepted\n"
        "    assert catalog.add('SKU-1').outcome is Outcome.DUPLICATE\n"
    )

    verdict = checker.check(learner, postgres_settings)

    assert not verdict.passed
    assert verdict.reasons == [checker.missed_reason(mutant)
                               for mutant in (CASE_SENSITIVE, LOWER_ONLY, TRIM_ONLY)]


LEARNER = """from lab.votes import Outcome


def test_{name}(catalog):
    assert catalog.add("ABC-123").accepted
    assert catalog.add({other!r}).outcome is Outcome.DUPLICATE
"""


@pytest.mark.realdb
@pytest.mark.parametrize("name, other, missed_table", [("capitals_only", "abc-123", LOWER_ONLY),
                                                        ("spaces_only", " ABC-123 ", TRIM_ONLY)])
@pytest.mark.slow
def test_a_test_of_half_the_rule_is_caught_on_real_tables(postgres_settings, tmp_path, name, other, missed_table):
    learner = tmp_path / "test_mine.py"
    learner.write_text(LEARNER.format(name=name, other=other))

    verdict = checker.check(learner, postgres_settings)

    assert not verdict.passed
    assert verdict.reasons == [checker.missed_reason(missed_table)]


@pytest.mark.slow
@pytest.mark.realdb
def test_a_test_that_fails_on_the_correct_table_is_reported_wrong_not_caught(postgres_settings, tmp_path):
    learner = tmp_path / "test_mine.py"
    learner.write_text(LEARNER.format(name="different_skus_are_refused", other="XYZ-999"))

    verdict = checker.check(learner, postgres_settings)
    screen = Console(file=io.StringIO(), width=80, color_system=None)
    show_verdict(screen, verdict)

    assert not verdict.passed and "fail against a correct table" in verdict.headline
    row = next(line for line in screen.file.getvalue().splitlines() if "test_different" in line)
    assert "✓ caught" not in screen.file.getvalue() and row.count("✗ wrong") == 4


@pytest.mark.slow
@pytest.mark.realdb
def test_a_file_that_does_not_load_shows_pythons_complaint(postgres_settings, tmp_path):
    learner = tmp_path / "test_broken.py"
    learner.write_text("def test_x(catalog:\n    pass\n")

    verdict = checker.check(learner, postgres_settings)

    assert not verdict.passed
    assert "could not load your file" in verdict.headline
    assert any("SyntaxError" in reason for reason in verdict.reasons)


@pytest.mark.slow
@pytest.mark.realdb
def test_watch_mode_rechecks_when_the_file_is_saved(postgres_settings, tmp_path):
    learner = tmp_path / "test_sku_uniqueness.py"
    shutil.copy(checker.EXERCISE, learner)
    seen = []

    def learner_saves_the_solution(_interval):
        if len(seen) == 1:
            shutil.copy(checker.SOLUTION, learner)

    final = checker.watch(learner, lambda: checker.check(learner, postgres_settings), seen.append,
                          interval=0, sleep=learner_saves_the_solution)

    assert [verdict.passed for verdict in seen] == [False, True]
    assert final.passed
