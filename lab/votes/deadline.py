"""A deadline on every wait for PostgreSQL, so a frozen server costs a vote at most a second or so.

A `docker pause`d (or SIGSTOPped) PostgreSQL still completes TCP handshakes and its kernel
acknowledges every byte, so neither connect_timeout (2 s at least in libpq), TCP keepalives
nor tcp_user_timeout notice it, and statement_timeout runs on the frozen server itself.
Only the client can give up. psycopg2 lets one function do every wait (a "wait callback",
process-wide); `wait_with_deadline` waits with select() (cooperative once gevent has
patched it, so it also replaces psycogreen's) and gives up after the connection's own
`io_timeout`. Connections opened without one wait as long as it takes, as before.
"""

import select
import time

import psycopg2
import psycopg2.extensions
from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE

LIVENESS = {  # for a server that vanished (host down, cable out); frozen servers are the deadline's job
    "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 5000,
}


class DeadlineExceeded(psycopg2.OperationalError):
    """PostgreSQL did not answer within the connection's io_timeout (it is frozen, or far too slow)."""


class DeadlineConnection(psycopg2.extensions.connection):
    """A connection whose every wait for the server (the connect included) ends after `io_timeout` seconds."""

    def __init__(self, dsn: str, async_: int = 0, *, io_timeout: float | None = None) -> None:
        self.io_timeout = io_timeout  # set first: connecting already waits through the callback
        super().__init__(dsn, async_)


def with_deadline(io_timeout: float):
    """A psycopg2 `connection_factory` for connections that give up after `io_timeout` seconds."""
    install()

    def factory(dsn: str, async_: int = 0) -> DeadlineConnection:
        return DeadlineConnection(dsn, async_, io_timeout=io_timeout)

    return factory


def install() -> None:
    """Make `wait_with_deadline` psycopg2's wait callback (for every connection of this process)."""
    if psycopg2.extensions.get_wait_callback() is not wait_with_deadline:
        psycopg2.extensions.set_wait_callback(wait_with_deadline)


def wait_with_deadline(connection) -> None:
    """Wait until `connection` has its answer; DeadlineExceeded once its io_timeout is spent (psycopg2 then closes it)."""
    timeout = getattr(connection, "io_timeout", None)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        state = connection.poll()
        if state == POLL_OK:
            return
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if state == POLL_READ:
            ready = select.select([connection.fileno()], [], [], remaining)[0]
        elif state == POLL_WRITE:
            ready = select.select([], [connection.fileno()], [], remaining)[1]
        else:
            raise psycopg2.OperationalError(f"unexpected poll state {state} from psycopg2")
        if not ready and remaining is not None:
            raise DeadlineExceeded(f"PostgreSQL did not answer within {timeout:g} s")
