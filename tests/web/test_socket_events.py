"""The projector's Socket.IO side: a snapshot on connect, then live stage, feed and results."""

import pytest

from lab.servers.containers import RUN_ID
from lab.show.live import reset_line
from lab.web import create_app, shutdown

pytestmark = pytest.mark.realdb


def test_a_dashboard_that_connects_gets_the_whole_picture(dashboard):
    snapshot = dashboard.wait_for("snapshot")

    assert snapshot["question"] == "Which is real?"
    assert snapshot["stage"]["title"] == "Cold open"
    assert [row["label"] for row in snapshot["results"]["options"]] == ["Mocks", "Real containers", "Prayer"]
    assert snapshot["results"]["visible"] is False


@pytest.mark.parametrize(
    "origin, status", [("http://show.test:5001", 200), ("http://localhost:5001", 200), ("http://evil.example", 400)]
)
def test_only_the_audience_url_and_the_presenters_machine_may_open_a_socket(client, origin, status):
    answer = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})

    assert answer.status_code == status


def test_votes_reach_the_dashboard_as_feed_lines_and_results(dashboard, client, presenter):
    presenter.act("results", {"visible": True})
    client.post("/api/vote", json={"option": "mocks"})
    client.post("/api/vote", json={"option": "mocks"})

    results = dashboard.wait_for("results", lambda r: r["totals"]["fantasy"] == 2)
    dashboard.wait_for("feed", lambda lines: any("SQLSTATE 23505" in line["text"] for line in lines))

    assert results["totals"] == {"real": 1, "fantasy": 2}
    assert results["refused"] == 1
    assert any(text.startswith("Vote accepted: Mocks") for text in dashboard.feed_texts())


def test_a_stage_move_is_broadcast_to_every_dashboard(app, dashboard, connect_dashboard, presenter):
    second = connect_dashboard(app)

    presenter.act("stage", {"stage": 4})

    for screen in (dashboard, second):
        assert screen.wait_for("stage")["title"] == "Chaos"


def test_a_reset_redraws_every_dashboard_from_a_fresh_snapshot(dashboard, client, presenter):
    client.post("/api/vote", json={"option": "prayer"})
    dashboard.wait_for("results", lambda r: r["totals"]["real"] == 1)

    presenter.act("reset")

    fresh = dashboard.wait_for("snapshot", lambda s: any(line["kind"] == "reset" for line in s["feed"]))
    assert [line["text"] for line in fresh["feed"]] == [reset_line({})]
    assert fresh["results"]["totals"] == {"real": 0, "fantasy": 0}


@pytest.mark.docker
def test_docker_events_of_our_containers_appear_in_the_feed(show_config, connect_dashboard, postgres_service, docker_engine):
    show_config.docker_client = docker_engine.client
    show_config.run_id = RUN_ID
    app = create_app(show_config)
    screen = connect_dashboard(app)
    try:
        postgres_service.pause()
        postgres_service.unpause()
        screen.wait_for("feed", lambda lines: any(line["text"].endswith(" unpaused") for line in lines), timeout=10)
    finally:
        if postgres_service.status() == "paused":
            postgres_service.unpause()
        shutdown(app)

    texts = screen.feed_texts()
    assert any(text.startswith("Docker: postgres container") and text.endswith("paused (frozen)") for text in texts)
