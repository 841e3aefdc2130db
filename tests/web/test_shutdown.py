"""Shutdown and recovery never crash: servers go before anything is printed, and a removed server is a sentence, not a 500."""

import logging

import pytest
from rich.console import Console

from lab.votes.fantasy import FantasyVoteStore
from lab.votes.postgres import PostgresVoteStore
from lab.web import runtime_of
from lab.web.server import _shut_down
from tests.helpers import serving
from tests.web.helpers import Presenter, audience_member


class BrokenPipe:
    """A terminal nobody reads any more: `python reality_engine.py | tee log`, and tee died with Ctrl+C."""

    def __init__(self, journal):
        self.journal = journal

    def write(self, text):
        self.journal.append("print")
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass


class PipedConsole(Console):
    """Rich's console as it meets a broken pipe, minus pointing the test run's own stdout to /dev/null."""

    def on_broken_pipe(self) -> None:
        raise SystemExit(1)


class Server:
    """A server stand-in that notes when it was removed."""

    def __init__(self, journal, role):
        self.journal, self.role, self.engine = journal, role, "docker"

    def remove(self):
        self.journal.append(f"remove {self.role}")


def test_both_servers_are_removed_before_anything_is_printed_and_a_broken_pipe_stops_nothing():
    journal = []
    console = PipedConsole(file=BrokenPipe(journal), color_system=None)

    _shut_down(None, Server(journal, "postgres"), FantasyVoteStore(), console)

    assert journal[0] == "remove postgres" and journal[1:] == ["print"]


def test_with_an_app_redis_goes_too_even_if_the_first_removal_fails(offline_app, monkeypatch):
    journal = []
    services = runtime_of(offline_app).services
    monkeypatch.setattr(services, "redis", Server(journal, "redis"))

    class Stubborn(Server):
        def remove(self):
            journal.append("remove postgres")
            raise RuntimeError("Docker said no")

    with pytest.raises(RuntimeError):
        _shut_down(offline_app, Stubborn(journal, "postgres"), None, PipedConsole(file=BrokenPipe(journal)))

    assert journal == ["remove postgres", "remove redis"]


@pytest.fixture
def removable_app(show_config, docker_engine, build_app):
    """A show whose durable PostgreSQL and Redis (started by its own engine) can be removed behind its back."""
    with serving(lambda: docker_engine.start_postgres(durable=True)) as postgres:  # its data goes with it, and any
        # container still on it (the replacement)
        show_config.real_store = PostgresVoteStore(postgres.settings, pool_size=2, wait_timeout=1)
        show_config.postgres_service, show_config.engine = postgres, docker_engine
        app = build_app(show_config)
        yield app, postgres
        redis = runtime_of(app).services.redis
        if redis is not None:
            redis.remove()


@pytest.mark.slow
@pytest.mark.docker
def test_recover_after_an_outside_removal_starts_new_servers_and_the_votes_are_still_there(removable_app, caplog):
    app, postgres = removable_app
    presenter, phone = Presenter(app.test_client()), audience_member(app)
    assert presenter.act("rate-limit", {"enabled": True}).status_code == 200
    assert phone.post("/api/vote", json={"option": "mocks"}).status_code == 201
    services = runtime_of(app).services
    for service in (services.redis, postgres):
        service.container.get_wrapped_container().remove(force=True)  # `docker rm -f`, by someone else

    recovered = presenter.act("chaos", {"action": "recover"})

    assert recovered.status_code == 200 and set(recovered.json["recovered"]) == {"redis", "postgres"}
    assert services.redis.status() == "running" and services.postgres.status() == "running"
    assert phone.post("/api/vote", json={"option": "prayer"}).status_code == 409  # the vote before is still there
    assert audience_member(app).post("/api/vote", json={"option": "prayer"}).status_code == 201
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_removed_postgres_without_saved_data_is_one_sentence_not_a_500(offline_app, monkeypatch):

    class Removed:
        durable, role = None, "postgres"

        def status(self):
            return "removed"

    monkeypatch.setattr(runtime_of(offline_app).services, "postgres", Removed())
    answer = Presenter(offline_app.test_client()).act("chaos", {"action": "recover"})

    assert answer.status_code == 409
    assert answer.json["message"].count(": ") == 1 and answer.json["message"].endswith("start a new one.")
