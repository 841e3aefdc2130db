"""Helpers the tests share (conftest files hold fixtures only, and import these)."""

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

from lab.servers.engines import remove_together, start_together

Removable = TypeVar("Removable")


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


@contextmanager
def serving_together(engine, roles: Iterable[str]) -> Iterator[dict]:
    """`serving` for several servers started at the same time: {role: service}, all removed together."""
    services = start_together(engine, roles)
    try:
        yield services
    finally:
        remove_together(services.values())
