"""Floods don't reach the database: snapshots come from the last computed state, a few per connection,
and only a failed health probe puts "PostgreSQL is down" on the projector, never a busy pool."""

import pytest

from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from lab.web import runtime_of
from lab.web.transport.packet_gate import SNAPSHOT_BURST
from tests.web.helpers import Dashboard, audience_member


def test_a_flood_of_snapshot_requests_runs_no_query_and_gets_a_few_answers(offline_app, monkeypatch):
    runtime = runtime_of(offline_app)
    screen = Dashboard(runtime.socketio.test_client(offline_app))
    tallies = []
    real_tally = runtime.show.ballot.real.tally
    monkeypatch.setattr(runtime.show.ballot.real, "tally", lambda: tallies.append(1) or real_tally())

    for _ in range(100):
        screen.connection.emit("snapshot")

    assert tallies == []
    assert len(screen.payloads("snapshot")) == 1 + SNAPSHOT_BURST  # the one on connect, then the burst


def test_a_snapshot_carries_the_results_last_broadcast(offline_app):
    runtime = runtime_of(offline_app)
    screen = Dashboard(runtime.socketio.test_client(offline_app))
    audience_member(offline_app).post("/api/vote", json={"option": "prayer"})
    screen.wait_for("results", lambda results: results["totals"]["fantasy"] == 1)

    screen.connection.emit("snapshot")

    assert screen.payloads("snapshot")[-1]["results"]["totals"]["fantasy"] == 1


@pytest.mark.realdb
def test_a_busy_pool_is_not_a_dead_server_but_a_failed_probe_is(show_config, postgres_settings, build_app):
    show_config.real_store = store = PostgresVoteStore(postgres_settings, pool_size=1, wait_timeout=0.05)
    app = build_app(show_config)
    services = runtime_of(app).services
    answers, real_ping = [], store.ping

    def probe() -> bool:  # the real probe first; then whatever the test last put in `answers`
        answers.append(answers[-1] if answers else real_ping())
        return answers[-1]

    store.ping = probe

    with store.pool.connection():  # the only connection is busy: votes can't get one
        busy = audience_member(app).post("/api/vote", json={"option": "mocks"})
        wait_for(lambda: answers, "the health probe")
        while_busy = services.status()["postgres"]
        answers.append(False)  # from now on the probe fails, as it would against a dead server
        audience_member(app).post("/api/vote", json={"option": "prayer"})
        wait_for(lambda: services.status()["postgres"] == "down", "the failed probe to declare PostgreSQL down")

    assert busy.status_code == 503
    assert answers[0] is True and while_busy == "up"
    assert any(line["text"].startswith("PostgreSQL is down") for line in runtime_of(app).feed.lines())
