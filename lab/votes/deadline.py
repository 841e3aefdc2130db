"""A deadline on every wait for PostgreSQL, so a frozen server costs a vote at most a second or so.

A `docker pause`d (or SIGSTOPped) PostgreSQL still completes TCP handshakes and its kernel
acknowledges every byte, so neither connect_timeout (2 s at least in libpq), TCP keepalives
nor tcp_user_timeout notice it, and statement_timeout runs on the frozen server itself.
Only the client can give up. psycopg2 lets one function do every wait (a "wait callback",
process-wide); `wait_with_deadline` waits for the socket and gives up after the
connection's own `io_timeout`. Connections opened without one wait as long as it takes,
as before. Once gevent has patched the process it waits as psycogreen does, with one
watcher on the socket (a patched select() would build and tear down a set of them on
every wait, a cost every vote paid several times); otherwise with select().

Giving up does not take back what was sent: a frozen server runs a statement waiting in
its socket once it thaws. So a write says by when it must be stored (`store_by`, on the
server's clock) and the server itself refuses it later than that, early enough for its
answer to be back before the client gives up. The server's clock is paired with this
process's monotonic clock on every answer that reads it, so no wall clock of ours is
compared with the server's: skew between two hosts (a remote DOCKER_HOST) cancels out,
and a step of the server's clock (a laptop waking up) lasts until the next answer on that
connection, refusing at most one vote there. The pairing errs early by at most one round
trip, which can refuse a vote sent in time, never store one too late. What no client can
rule out is a freeze in the microseconds between the server's check and its answer leaving.

Every wait lets the event loop run: nothing here holds it while PostgreSQL answers. (The
results no longer need a fresh count on every broadcast: the ballot keeps a running count
and reconciles it with PostgreSQL's about once a second, lab.show.ballot.)
"""

import select
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg2
import psycopg2.extensions
from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE

LIVENESS: dict[str, Any] = {  # for a server that vanished (host down, cable out); frozen servers are the deadline's job
    "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 5000,
}


STORE_WITHIN = 0.75  # of io_timeout: the rest is for the commit and the answer's way back


class DeadlineExceeded(psycopg2.OperationalError):
    """PostgreSQL did not answer within the connection's io_timeout (it is frozen, or far too slow)."""


class DeadlineConnection(psycopg2.extensions.connection):
    """A connection whose every wait for the server (the connect included) ends after `io_timeout` seconds."""

    def __init__(self, dsn: str, async_: int = 0, *, io_timeout: float | None = None) -> None:
        self.io_timeout = io_timeout  # set first: connecting already waits through the callback
        self._server_clock: tuple[datetime, float] | None = None  # (server time, monotonic time) paired
        super().__init__(dsn, async_=async_)

    def read_server_clock(self) -> None:
        """Pair the server's clock with ours (one round trip; the pool does it when it opens a connection)."""
        with self.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            row = cursor.fetchone()
            assert row is not None  # SELECT clock_timestamp() returns one row
            self.pair_clocks(row[0])

    def pair_clocks(self, server_time: datetime) -> None:
        """Note a server time read by the statement whose answer just arrived."""
        # it was read at some moment before now: pairing it with now puts the server's clock at its earliest
        self._server_clock = (server_time, time.monotonic())

    def store_by(self) -> datetime:
        """The server-clock time after which a statement sent now must not be stored: we have given up by then."""
        if self._server_clock is None:
            self.read_server_clock()
        assert self._server_clock is not None and self.io_timeout is not None  # paired just now; a deadline connection
        server_time, paired_at = self._server_clock
        return server_time + timedelta(seconds=time.monotonic() - paired_at + STORE_WITHIN * self.io_timeout)


def with_deadline(io_timeout: float) -> Callable[[str, int], DeadlineConnection]:
    """A psycopg2 `connection_factory` for connections that give up after `io_timeout` seconds."""
    install()

    def factory(dsn: str, async_: int = 0) -> DeadlineConnection:
        return DeadlineConnection(dsn, async_, io_timeout=io_timeout)

    return factory


def store_by(connection) -> datetime | None:
    """When a write sent now on `connection` must be stored by, on the server's clock; None if it waits forever."""
    if isinstance(connection, DeadlineConnection) and connection.io_timeout is not None:
        return connection.store_by()
    return None


def install() -> None:
    """Make `wait_with_deadline` psycopg2's wait callback (for every connection of this process)."""
    if psycopg2.extensions.get_wait_callback() is not wait_with_deadline:
        psycopg2.extensions.set_wait_callback(wait_with_deadline)


def wait_with_deadline(connection) -> None:
    """Wait until `connection` has its answer; DeadlineExceeded once its io_timeout is spent (psycopg2 then closes it)."""
    timeout = getattr(connection, "io_timeout", None)
    deadline = None if timeout is None else time.monotonic() + timeout
    ready_to = _socket_waits()
    while True:
        state = connection.poll()
        if state == POLL_OK:
            return
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if state not in (POLL_READ, POLL_WRITE):
            raise psycopg2.OperationalError(f"unexpected poll state {state} from psycopg2")
        if not ready_to(connection.fileno(), state == POLL_WRITE, remaining) and remaining is not None:
            raise DeadlineExceeded(f"PostgreSQL did not answer within {timeout:g} s")


def _socket_waits():
    """How to wait for a socket to be readable (or writable) within a timeout: gevent's way once it has patched select."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return _wait_with_select
    return _wait_in_gevent


def _wait_with_select(fd: int, write: bool, timeout: float | None) -> bool:
    readable, writable, _ = select.select([] if write else [fd], [fd] if write else [], [], timeout)
    return bool(writable if write else readable)


class _TimedOut(Exception):
    pass


def _wait_in_gevent(fd: int, write: bool, timeout: float | None) -> bool:
    from gevent.socket import wait_read, wait_write

    try:
        (wait_write if write else wait_read)(fd, timeout=timeout, timeout_exc=_TimedOut)
    except _TimedOut:
        return False
    return True
