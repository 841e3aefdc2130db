"""Rehearse all six stages, then Reset Everything: the show can't be told from a fresh start.

The servers are this module's own (they get paused and killed), started by the run's
engine (Docker or embedded processes), so this runs on both. The reset itself must bring
them back: nothing here recovers them first.
"""

import pytest

from lab.ratelimit.limiters import KEY_PREFIX, redis_client
from lab.show.live import reset_line
from lab.testruns.paired import TestComparison
from lab.votes.postgres import PostgresVoteStore
from lab.web import runtime_of
from tests.helpers import own_server
from tests.web.helpers import Presenter, ScriptedRun, audience_member

pytestmark = [pytest.mark.realdb, pytest.mark.slow]

OUTCOMES = {"fantasy": [("test_one_vote", "passed")], "reality": [("test_one_vote", "failed")]}


rehearsal_postgres = own_server("server_engine", "postgres", "A durable PostgreSQL of this module's own: the rehearsal kills it.",
                                durable=True)


@pytest.fixture
def rehearsal_config(show_config, rehearsal_postgres, server_engine):
    """A show on this module's PostgreSQL; its engine starts a Redis of its own for the rate limit."""
    show_config.real_store = PostgresVoteStore(rehearsal_postgres.settings, pool_size=4, wait_timeout=2)
    show_config.engine = server_engine
    show_config.postgres_service = rehearsal_postgres
    return show_config


@pytest.fixture
def rehearsed(rehearsal_config, build_app):
    """A show app for the rehearsal; the Redis it starts is removed afterwards."""
    run = ScriptedRun(OUTCOMES)
    rehearsal_config.comparison = TestComparison(run_file=run)
    app = build_app(rehearsal_config)
    yield app, run
    run.release.set()
    redis = runtime_of(app).services.redis
    if redis is not None:
        redis.remove()


def fresh_snapshot(config, build_app) -> dict:
    """What a dashboard sees right after the show starts on these servers."""
    return runtime_of(build_app(config)).show.snapshot()


def without_moments(snapshot: dict) -> dict:
    """The snapshot minus what only says when (the feed's timestamps), the feed itself and the round's name."""
    rest = {key: value for key, value in snapshot.items() if key != "feed"}
    # Redis is kept running on a reset (the same servers): "up" where a fresh start says "absent".
    # Nothing on the projector draws it; the rate limit itself is off in both.
    rest["status"] = {key: value for key, value in snapshot["status"].items() if key != "redis"}
    # a reset starts a new round of votes: its name is new, by design (the phones forget the old one's)
    rest["results"] = {key: value for key, value in snapshot["results"].items() if key != "round"}
    return rest


def rehearse(app, run, connect_dashboard) -> None:
    """Drive all six stages as a presenter would, leaving Redis paused and PostgreSQL killed."""
    presenter = Presenter(app.test_client())
    screen = connect_dashboard(app)
    phone, other = audience_member(app), audience_member(app)
    assert presenter.act("clock", {"running": True}).status_code == 200
    for stage in range(1, 6):
        assert presenter.act("stage", {"stage": stage}).status_code == 200
        if stage == 1:
            assert [phone.post("/api/vote", json={"option": "mocks"}).status_code for _ in range(2)] == [201, 409]
            assert other.post("/api/vote", json={"option": "prayer"}).status_code == 201
        if stage == 3:
            assert presenter.act("tests", {"target": "naive"}).status_code == 200
            run.release.set()
            screen.wait_for("tests_finished")
        if stage == 4:
            assert presenter.act("rate-limit", {"enabled": True}).status_code == 200
            assert presenter.act("bot").json["refused_by_limiter"] > 0
            assert presenter.act("chaos", {"action": "pause-redis"}).status_code == 200
            assert presenter.act("chaos", {"action": "kill-postgres"}).status_code == 200
            assert other.post("/api/vote", json={"option": "mocks"}).status_code == 503
    assert presenter.act("clock", {"running": False}).status_code == 200


def test_after_a_rehearsal_reset_everything_leaves_what_a_fresh_start_shows(rehearsal_config, rehearsed, build_app,
                                                                             connect_dashboard, rehearsal_postgres):
    fresh = fresh_snapshot(rehearsal_config, build_app)
    app, run = rehearsed
    rehearse(app, run, connect_dashboard)
    runtime = runtime_of(app)
    rehearsed_snapshot = runtime.show.snapshot()
    assert rehearsed_snapshot["results"]["not_recorded"] == 1 and rehearsed_snapshot["tests"]["finished"]

    answer = Presenter(app.test_client()).act("reset")

    assert answer.status_code == 200, answer.json
    after = runtime.show.snapshot()
    assert without_moments(after) == without_moments(fresh)
    assert [line["text"] for line in after["feed"]] == [answer.json["message"]]
    assert answer.json["message"].startswith(reset_line({}))
    assert "Redis recovered" in answer.json["message"] and "PostgreSQL recovered" in answer.json["message"]
    assert after["stage"]["clock"] == "waiting" and after["stage"]["show_elapsed"] == 0
    assert rehearsal_postgres.status() == runtime.services.redis.status() == "running"
    with redis_client(runtime.services.redis.settings, timeout=2.0) as counters:
        assert list(counters.scan_iter(match=KEY_PREFIX + "*")) == []


def test_the_next_demo_votes_and_is_not_rate_limited_after_a_reset(rehearsed, connect_dashboard):
    app, run = rehearsed
    rehearse(app, run, connect_dashboard)
    Presenter(app.test_client()).act("reset")
    phone = audience_member(app)

    codes = [phone.post("/api/vote", json={"option": "prayer"}).status_code for _ in range(5)]

    assert codes == [201, 409, 409, 409, 409]


def test_a_reset_while_a_test_comparison_runs_says_to_wait(rehearsed):
    app, _run = rehearsed
    presenter = Presenter(app.test_client())
    presenter.act("tests", {"target": "naive"})

    answer = presenter.act("reset")

    assert answer.status_code == 409 and "wait for its totals" in answer.json["message"]


def test_refused_counts_only_what_a_constraint_refused_and_the_phone_hears_no_jargon(rehearsed, client):
    app, _ = rehearsed
    presenter, phone = Presenter(app.test_client()), audience_member(app)
    assert [phone.post("/api/vote", json={"option": "mocks"}).status_code for _ in range(2)] == [201, 409]
    presenter.act("chaos", {"action": "kill-postgres"})

    lost = audience_member(app).post("/api/vote", json={"option": "prayer"})
    results = app.test_client().get("/api/results").json

    assert lost.status_code == 503 and lost.json["message"] == "The database is unavailable: nothing was recorded."
    assert (results["totals"]["fantasy"], results["refused"], results["not_recorded"]) == (3, 1, 1)
    presenter.act("reset")
