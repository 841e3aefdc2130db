"""The show on the embedded engine: real PostgreSQL and Redis processes, no Docker anywhere.

No marker: the embedded engine needs only the pip packages, so these run in every pass.
The show's servers are this module's own (they get killed); the rate limit starts its
Redis through a real EmbeddedEngine, as `reality_engine.py --engine embedded` does.
There are no Docker events here, so the feed lines about deaths are the show's own.
"""

import io

import pytest
from rich.console import Console

from lab.classroom.doctor import preflight, run_checks
from lab.servers.containers import free_port
from lab.votes.fantasy import FantasyVoteStore
from lab.votes.postgres import PostgresVoteStore
from lab.web import runtime_of
from lab.web.config import ShowConfig, parse_options
from lab.web.server import ShowOptions, banner, gone, run_show
from tests.helpers import own_server
from tests.web.helpers import TOKEN, Presenter, audience_member

show_postgres = own_server("embedded_engine", "postgres", "A durable embedded PostgreSQL of this module's own: it gets "
                           "killed, its votes must survive.", durable=True)


@pytest.fixture
def embedded_app(show_postgres, embedded_engine, build_app):
    """A show on embedded processes; the Redis the rate limit starts is removed afterwards."""
    app = build_app(ShowConfig(
        real_store=PostgresVoteStore(show_postgres.settings, pool_size=4, wait_timeout=2),
        fantasy_store=FantasyVoteStore(),
        options=parse_options("Mocks,Real containers,Prayer"),
        presenter_token=TOKEN,
        engine=embedded_engine,
        postgres_service=show_postgres,
        run_id=embedded_engine.run_id,
        startup={"PostgreSQL": show_postgres.startup_seconds},
    ))
    yield app
    redis = runtime_of(app).show.services.redis
    if redis is not None:
        redis.remove()
    if show_postgres.status() != "running":
        show_postgres.recover()


def feed(app) -> list[str]:
    return [line["text"] for line in runtime_of(app).show.feed.lines()]


@pytest.mark.slow
def test_votes_rate_limit_and_chaos_work_on_processes_and_the_feed_says_what_happened(embedded_app):
    presenter, phone = Presenter(embedded_app.test_client()), audience_member(embedded_app)
    show = runtime_of(embedded_app).show

    first, again = (phone.post("/api/vote", json={"option": "mocks"}) for _ in range(2))
    limit_on = presenter.act("rate-limit", {"enabled": True})
    killed_redis = presenter.act("chaos", {"action": "kill-redis"})
    while_redis_dead = audience_member(embedded_app).post("/api/vote", json={"option": "prayer"})
    redis_back = presenter.act("chaos", {"action": "recover"})
    killed_postgres = presenter.act("chaos", {"action": "kill-postgres"})
    while_postgres_dead = audience_member(embedded_app).post("/api/vote", json={"option": "prayer"})
    postgres_back = presenter.act("chaos", {"action": "recover"})
    after = audience_member(embedded_app).post("/api/vote", json={"option": "real-containers"})

    assert (first.status_code, again.status_code) == (201, 409) and "SQLSTATE 23505" in again.json["message"]
    assert limit_on.status_code == 200 and show.services.redis.engine == "embedded"
    assert killed_redis.json["state"] == "exited" and while_redis_dead.status_code == 201  # fail open
    assert redis_back.json["recovered"].keys() == {"redis"}
    assert killed_postgres.json["state"] == "exited" and while_postgres_dead.status_code == 503
    assert postgres_back.json["recovered"].keys() == {"postgres"}
    assert after.status_code == 201
    assert show.ballot.real.count() == 3  # mocks, prayer, real-containers: nothing lost in the kill
    texts = feed(embedded_app)
    assert texts[0].startswith("PostgreSQL ready in") and texts[0].endswith("s (embedded process)")
    assert any(text.startswith("Redis ready in") and text.endswith("(embedded process)") for text in texts)
    assert "Chaos: Redis process killed (SIGKILL: connections refused)" in texts
    assert "Chaos: PostgreSQL process killed (SIGKILL: connections refused)" in texts
    assert not any("Docker" in text or "docker" in text or "(container)" in text for text in texts)


@pytest.mark.slow
def test_a_paused_redis_process_is_said_so_in_the_feed_and_recovered(embedded_app):
    presenter = Presenter(embedded_app.test_client())
    presenter.act("rate-limit", {"enabled": True})

    paused = presenter.act("chaos", {"action": "pause-redis"})
    vote = audience_member(embedded_app).post("/api/vote", json={"option": "mocks"})
    back = presenter.act("chaos", {"action": "recover"})

    assert paused.json["state"] == "paused" and vote.status_code == 201
    assert back.json["recovered"].keys() == {"redis"}
    assert "Chaos: Redis process paused (SIGSTOP: frozen, requests hang)" in feed(embedded_app)


def test_the_terminal_speaks_of_processes_not_containers(show_postgres):
    console = Console(file=io.StringIO(), width=100, color_system=None)

    console.print(banner("http://x/qr", "http://localhost:1/#token=t", {"PostgreSQL": 0.61}, 1.0, None, "embedded process"))
    text = console.file.getvalue()

    assert "PostgreSQL ready in 0.61 s (embedded process)" in text
    assert "Ctrl+C ends it and removes its servers." in text and "container" not in text
    assert gone(show_postgres) == "process is stopped and its data deleted"


def test_preflight_for_the_embedded_engine_leaves_docker_out(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    console = Console(file=io.StringIO(), width=100, color_system=None)

    results = run_checks(port=free_port(), docker=False)
    preflight(free_port(), console, docker=False)  # Docker is unreachable, and that blocks nothing

    assert [result.name for result in results] == ["python", "requirements", "engine", "port"]
    assert all(result.ok for result in results)


def test_the_show_check_with_embedded_chosen_reports_no_docker_line(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    console = Console(file=io.StringIO(), width=120, color_system=None)

    code = run_show(ShowOptions(port=free_port(), check=True, engine="embedded"), console, environ={})
    text = console.file.getvalue()

    assert code == 0
    assert "embedded processes: Docker, images and Ryuk not needed" in text and "FAIL" not in text


def test_docker_chosen_without_docker_stops_the_show_before_anything_starts(monkeypatch):
    from lab.errors import DockerUnavailable

    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    console = Console(file=io.StringIO(), width=120, color_system=None)

    with pytest.raises(DockerUnavailable, match="start Docker"):
        run_show(ShowOptions(port=free_port(), engine="docker"), console, environ={})
    assert "Pre-flight" not in console.file.getvalue()
