"""The test-comparison stage's runner: side by side, streamed, one run at a time."""

import threading

import pytest

from lab.errors import WorkshopError
from lab.testruns.paired import TestComparison, Totals, verdict
from lab.testruns.pytest_run import TestOutcome, TestRunBroken
from lab.waiting import wait_for


def totals(side, target, *outcomes):
    result = Totals(side, target)
    for name, outcome in outcomes:
        result.add(TestOutcome(name, outcome, 0.01))
    return result


@pytest.mark.parametrize(
    "side, target, outcomes, expected",
    [
        ("fantasy", "naive", [("a", "passed"), ("b", "passed")], "all green, all wrong"),
        ("fantasy", "real", [("a", "passed"), ("b", "passed")], "green but blind: it never touched the app"),
        ("reality", "real", [("a", "passed"), ("b", "passed")], "green means proof"),
        ("reality", "naive", [("a", "failed"), ("b", "failed")], "2 bugs caught"),
        ("reality", "naive", [("a", "failed"), ("b", "passed")], "1 bug caught"),
        ("reality", "real", [("a", "passed"), ("b", "error")], "1 failed"),
        ("reality", "real", [], "no test ran"),
    ],
)
def test_each_side_gets_the_verdict_the_audience_reads(side, target, outcomes, expected):
    assert verdict(totals(side, target, *outcomes)) == expected


def test_results_stream_per_side_and_a_second_run_is_refused():
    release = threading.Event()
    events = []

    def fake_run_file(path, target, extra_env, on_result):
        release.wait(5)
        on_result(TestOutcome(f"test_in_{path.split('/')[-1]}", "passed", 0.01))

    comparison = TestComparison(run_file=fake_run_file)

    assert comparison.start("naive", lambda name, data: events.append((name, data)))
    assert not comparison.start("real", lambda *_: None)
    release.set()
    wait_for(lambda: any(name == "tests_finished" for name, _ in events), "the run to finish")

    assert events[0] == ("tests_started", {"target": "naive", "sides": ["fantasy", "reality"]})
    results = sorted(data["side"] for name, data in events if name == "test_result")
    assert results == ["fantasy", "reality"]
    finished = events[-1][1]
    assert finished["fantasy"]["verdict"] == "all green, all wrong"
    assert finished["reality"]["verdict"] == "the naive app got through"
    assert comparison.start("real", lambda *_: None)


def test_an_unknown_target_is_refused():
    with pytest.raises(WorkshopError, match="Unknown target .production.: use one of real, naive"):
        TestComparison().start("production", lambda *_: None)


def test_a_side_whose_run_broke_shows_pytests_one_line_in_red():
    events = []
    line = "pytest could not run tests/test_reality.py (exit code 2, interrupted, an error while collecting): ERROR x"

    def fake_run_file(path, target, extra_env, on_result):
        if "reality" in path:
            raise TestRunBroken(line)
        on_result(TestOutcome("test_a", "passed", 0.01))

    assert TestComparison(run_file=fake_run_file).start("real", lambda name, data: events.append((name, data)))
    wait_for(lambda: any(name == "tests_finished" for name, _ in events), "the run to finish")

    finished = events[-1][1]
    assert finished["reality"]["verdict"] == line
    assert finished["reality"]["other"] == 1  # red on the projector, not an empty green
    assert finished["fantasy"]["verdict"] == "green but blind: it never touched the app"
