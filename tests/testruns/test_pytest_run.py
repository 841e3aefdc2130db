"""A test file run in a subprocess, its outcomes streamed (lab/testruns/pytest_run.py)."""

from lab.testruns.pytest_run import parse_line, run_test_file


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
