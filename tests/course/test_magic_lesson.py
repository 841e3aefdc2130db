"""Lesson 2's database: a server that vanished during the lesson is called that, not a schema problem."""

from dataclasses import dataclass

import pytest

from lab.course.lessons.magic import open_store
from lab.errors import WorkshopError
from lab.servers.containers import free_port
from lab.settings import PostgresSettings


@dataclass
class VanishedServer:
    """A PostgreSQL service whose server is gone: nothing listens on its port any more."""

    engine: str
    state: str
    settings: PostgresSettings

    def status(self) -> str:
        return self.state


@pytest.mark.parametrize("engine, state, kind", [("docker", "removed", "container"),
                                                  ("embedded", "exited", "embedded process")])
def test_a_server_that_vanished_during_the_lesson_is_called_that(engine, state, kind):
    service = VanishedServer(engine, state, PostgresSettings("127.0.0.1", free_port(), "workshop", "secret", "workshop"))

    with pytest.raises(WorkshopError) as said:
        open_store(service)

    assert str(said.value).startswith(f"The lesson's PostgreSQL {kind} vanished (status: {state}; ")
    assert "schema" not in str(said.value)


def test_a_server_that_still_runs_keeps_the_databases_own_sentence():
    service = VanishedServer("docker", "running", PostgresSettings("127.0.0.1", free_port(), "workshop", "s", "workshop"))

    with pytest.raises(WorkshopError, match="did not accept the schema"):
        open_store(service)
