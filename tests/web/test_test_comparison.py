"""The test-comparison stage over the API and the dashboard socket, with a scripted test runner."""

import pytest

from lab.testruns.paired import TestComparison
from tests.web.helpers import Presenter, ScriptedRun

pytestmark = pytest.mark.realdb


@pytest.fixture
def scripted():
    run = ScriptedRun({"fantasy": [("test_one_vote", "passed"), ("test_limit", "passed")],
                       "reality": [("test_one_vote", "failed"), ("test_limit", "passed")]})
    yield run
    run.release.set()


@pytest.fixture
def comparison_app(show_config, scripted, build_app):
    show_config.comparison = TestComparison(run_file=scripted)
    return build_app(show_config)


def test_results_stream_to_the_dashboard_side_by_side_then_the_verdicts(comparison_app, connect_dashboard, scripted):
    presenter, screen = Presenter(comparison_app.test_client()), connect_dashboard(comparison_app)

    started = presenter.act("tests", {"target": "naive"})
    screen.wait_for("tests_started")
    scripted.release.set()
    finished = screen.wait_for("tests_finished")

    assert started.json == {"status": "ok", "started": True, "target": "naive"}
    results = {(r["side"], r["name"]): r["outcome"] for r in screen.payloads("test_result")}
    assert results == {("fantasy", "test_one_vote"): "passed", ("fantasy", "test_limit"): "passed",
                       ("reality", "test_one_vote"): "failed", ("reality", "test_limit"): "passed"}
    assert finished["fantasy"]["verdict"] == "all green, all wrong"
    assert finished["reality"]["verdict"] == "1 bug caught" and finished["reality"]["failed"] == 1


def test_a_second_run_while_one_is_going_is_refused_with_a_409(comparison_app, scripted):
    presenter = Presenter(comparison_app.test_client())

    first = presenter.act("tests", {"target": "naive"})
    second = presenter.act("tests", {"target": "real"})

    assert first.status_code == 200
    assert second.status_code == 409 and "already running" in second.json["message"]


def test_a_dashboard_that_connects_mid_run_redraws_the_results_so_far(comparison_app, connect_dashboard, scripted):
    presenter = Presenter(comparison_app.test_client())
    early = connect_dashboard(comparison_app)
    presenter.act("tests", {"target": "naive"})
    scripted.release.set()
    early.wait_for("tests_finished")

    late = connect_dashboard(comparison_app).wait_for("snapshot")

    assert late["tests"]["target"] == "naive" and late["tests"]["running"] is False
    assert len(late["tests"]["results"]) == 4
    assert late["tests"]["finished"]["reality"]["verdict"] == "1 bug caught"


def test_the_stage_headline_follows_the_run_to_its_verdict(comparison_app, connect_dashboard, scripted):
    presenter, screen = Presenter(comparison_app.test_client()), connect_dashboard(comparison_app)

    presenter.act("tests", {"target": "naive"})
    running = screen.wait_for("stage", lambda stage: stage["key"] == "test-comparison" and "running" in stage["headline"])
    scripted.release.set()
    finished = screen.wait_for("stage", lambda stage: "says" in stage["headline"])

    assert "green" not in running["headline"] and "red" not in running["headline"]
    assert finished["headline"].startswith("Against the naive app: the mock says green, the real server says red.")
