"""A test file run in a subprocess, its outcomes streamed (lab/testruns/pytest_run.py)."""

import pytest

from lab.testruns.pytest_run import TestRunBroken, parse_line, run_test_file


def test_result_lines_are_read_and_other_output_ignored():
    line = 'TCMAGIC-RESULT {"name": "test_a", "outcome": "failed", "seconds": 0.5}'

    assert parse_line(line).outcome == "failed"
    assert parse_line("..." + line).name == "test_a"
    assert parse_line("....   [100%]") is None


def test_a_test_file_streams_one_outcome_per_test_in_order():
    seen = []

    outcomes = run_test_file("tests/test_fantasy.py", on_result=seen.append)

    assert seen == outcomes
    assert len(outcomes) == 8
    assert {o.outcome for o in outcomes} == {"passed"}
    assert outcomes[0].name == "test_a_second_vote_from_the_same_phone_is_refused"


def test_a_file_that_does_not_collect_is_one_line_with_the_exit_code_and_pytests_reason():
    seen = []

    with pytest.raises(TestRunBroken) as broken:
        run_test_file("tests/testruns/uncollectable_sample.py", on_result=seen.append)

    assert seen == []
    assert str(broken.value).startswith("pytest could not run tests/testruns/uncollectable_sample.py "
                                        "(exit code 2, interrupted, an error while collecting): ")
    assert "RuntimeError: this file fails to collect on purpose" in str(broken.value)
    assert "\n" not in str(broken.value)


def test_a_crashed_run_keeps_what_ran_and_says_how_it_ended():
    seen = []

    with pytest.raises(TestRunBroken, match=r"\(killed by signal 9\)"):
        run_test_file("tests/testruns/crashing_sample.py", on_result=seen.append)

    assert [(outcome.name, outcome.outcome) for outcome in seen] == [("test_before_the_crash", "passed")]
