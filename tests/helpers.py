"""Helpers the tests share (conftest files hold fixtures only, and import these)."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

import pytest

from lab.servers.engines import remove_together, start_together
from lab.votes import Outcome
from lab.votes.postgres import PostgresVoteStore


class _Removes(Protocol):
    def remove(self) -> None: ...


Removable = TypeVar("Removable", bound=_Removes)


@contextmanager
def serving(start: Callable[[], Removable]) -> Iterator[Removable]:
    """Start a server (anything with .remove()), hand it to the `with` block, and remove it afterwards.

    In a fixture: `with serving(engine.start_redis) as service: yield service`.
    """
    service = start()
    try:
        yield service
    finally:
        service.remove()


def own_server(engine: str, role: str, doc: str, **options):
    """A module-scoped fixture: a `role` server of the module's own from the `engine` fixture, removed afterwards.

    For a module that breaks its servers: `doomed_redis = own_server("docker_engine", "redis", "...")`;
    `options` go to the engine's start_<role> (e.g. durable=True), `doc` is the fixture's docstring.
    """
    def server(request):
        start = getattr(request.getfixturevalue(engine), f"start_{role}")
        with serving(lambda: start(**options)) as service:
            yield service

    server.__doc__ = doc
    return pytest.fixture(scope="module")(server)


@contextmanager
def serving_together(engine, roles: Iterable[str]) -> Iterator[dict]:
    """`serving` for several servers started at the same time: {role: service}, all removed together."""
    services = start_together(engine, roles)
    try:
        yield services
    finally:
        remove_together(services.values())


def vote_before_a_crash(settings, voter: str = "before-the-crash") -> bool:
    """Record one vote for "containers" on the PostgreSQL at `settings`; True when it was accepted."""
    store = PostgresVoteStore(settings, wait_timeout=5.0)
    try:
        store.add_option("containers", "Testcontainers")
        return store.vote(voter, "containers").accepted
    finally:
        store.close()


def after_the_crash(settings, voter: str = "before-the-crash") -> tuple[dict, Outcome]:
    """The tally on a resumed PostgreSQL, and what the same voter's second vote gets."""
    store = PostgresVoteStore(settings, wait_timeout=5.0)
    try:
        return store.tally(), store.vote(voter, "containers").outcome
    finally:
        store.close()
