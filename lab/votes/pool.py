"""A small PostgreSQL connection pool that waits for a free connection instead of failing.

psycopg2's own pools raise "connection pool exhausted" when every connection is busy,
which under a burst of phones loses votes. This one blocks up to `wait_timeout` seconds,
and throws away connections that broke (a killed or restarted server). With `io_timeout`,
every wait for the server gives up after that long (lab.votes.deadline), so a frozen
server can't hold the pool's connections: they fail, are thrown away, and new ones open
once it answers again.
"""

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extensions

from lab.settings import PostgresSettings
from lab.votes.deadline import LIVENESS, DeadlineConnection, with_deadline

PING_TIMEOUT = 2.0


class PoolTimeout(psycopg2.OperationalError):
    """No connection became free in time (counts as the database being unavailable)."""


class ConnectionPool:
    """Up to `size` connections to one PostgreSQL server, opened on demand."""

    def __init__(self, settings: PostgresSettings, size: int = 10, wait_timeout: float = 5.0,
                 io_timeout: float | None = None) -> None:
        self.settings = settings
        self.size = size
        self.wait_timeout = wait_timeout
        self._connect_options: dict[str, Any] = {} if io_timeout is None else {**LIVENESS, "connection_factory": with_deadline(io_timeout)}
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._closed = False
        self._generation = 0
        self._born: dict[int, int] = {}  # id(connection) -> the generation it was opened in

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """Borrow a connection; it goes back on success and is discarded if it broke."""
        if not self._slots.acquire(timeout=self.wait_timeout):
            raise PoolTimeout(f"no database connection free within {self.wait_timeout:g} s")
        connection = None
        try:
            connection = self._take()
            yield connection
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            self._discard(connection)
            connection = None
            raise
        finally:
            if connection is not None and self._reusable(connection):
                self._idle.put(connection)
            else:
                self._discard(connection)
            self._slots.release()

    def ping(self, timeout: float = PING_TIMEOUT) -> bool:
        """Whether the server answers a query within `timeout`, on a connection of its own (a busy pool is not a dead server)."""
        try:
            connection = psycopg2.connect(**self.settings.connect_kwargs(), **LIVENESS,
                                          connection_factory=with_deadline(timeout))
        except psycopg2.Error:
            return False
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except psycopg2.Error:
            return False
        finally:
            connection.close()

    def warm(self, count: int | None = None) -> None:
        """Open connections ahead of a burst, so the first requests don't queue behind connects."""
        wanted = min(count or self.size, self.size)
        opened = [self._slots.acquire(timeout=self.wait_timeout) and self._take() for _ in range(wanted)]
        for connection in opened:
            self._idle.put(connection)
            self._slots.release()

    def _take(self) -> psycopg2.extensions.connection:
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                connection = psycopg2.connect(**self.settings.connect_kwargs(), **self._connect_options)
                # one statement, one round trip: no implicit BEGIN and COMMIT around every write;
                # stores open a transaction themselves where several statements must hold together
                connection.autocommit = True
                if isinstance(connection, DeadlineConnection):
                    connection.read_server_clock()  # while connecting, not on a vote's time
                self._born[id(connection)] = self._generation
                return connection
            if not connection.closed and self._current(connection):
                return connection
            self._discard(connection)

    def _reusable(self, connection) -> bool:
        """Open, of this generation, and not left inside a transaction by its borrower."""
        return (not connection.closed and not self._closed and self._current(connection)
                and connection.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_IDLE)

    def _current(self, connection) -> bool:
        return self._born.get(id(connection)) == self._generation

    def _discard(self, connection) -> None:
        if connection is None:
            return
        self._born.pop(id(connection), None)
        if not connection.closed:
            connection.close()

    def move_to(self, settings: PostgresSettings) -> None:
        """Open connections to `settings` from now on; the ones to the old server are retired."""
        self.settings = settings
        self.refresh()

    def refresh(self) -> None:
        """Retire every connection opened so far (the server restarted: they are all dead).

        Idle ones close now; borrowed ones close when they come back. New ones open on demand.
        """
        self._generation += 1
        while True:
            try:
                self._discard(self._idle.get_nowait())
            except queue.Empty:
                return

    def close(self) -> None:
        """Close every idle connection; borrowed ones close when they come back."""
        self._closed = True
        self.refresh()
