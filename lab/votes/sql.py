"""What the real and the naive store share: a pool, the reads, and error mapping.

Parametrised SQL only. Table names come from class attributes, never from input.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2

from lab.settings import PostgresSettings
from lab.votes import StoreUnavailable
from lab.votes.outcomes import VoteResult, from_sqlstate, unavailable
from lab.votes.pool import ConnectionPool

SCHEMA_LOCK = 7_400_215  # pg_advisory_xact_lock key: two processes creating the schema at once


@contextmanager
def transaction(cursor) -> Iterator[None]:
    """BEGIN ... COMMIT on an autocommit connection; ROLLBACK if anything goes wrong inside."""
    cursor.execute("BEGIN")
    try:
        yield
    except BaseException:
        if not cursor.connection.closed:
            try:
                cursor.execute("ROLLBACK")
            except psycopg2.Error:
                pass  # the connection is broken: the pool discards it
        raise
    cursor.execute("COMMIT")


class SqlVoteStore:
    """A vote store in PostgreSQL tables named by `options_table` and `votes_table`."""

    options_table = "options"
    votes_table = "votes"
    schema: str = ""

    def __init__(self, settings: PostgresSettings, pool_size: int = 10, wait_timeout: float = 5.0,
                 pool: ConnectionPool | None = None, io_timeout: float | None = None) -> None:
        self.settings = settings
        self._owns_pool = pool is None  # a pool handed in (say, one per test session) outlives the store
        self.pool = pool or ConnectionPool(settings, size=pool_size, wait_timeout=wait_timeout, io_timeout=io_timeout)
        self.create_schema()

    def create_schema(self) -> None:
        """Create the tables if they are missing; safe to run any number of times."""
        try:
            with self.pool.connection() as connection, connection.cursor() as cursor, transaction(cursor):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                cursor.execute(self.schema)
        except psycopg2.Error as error:
            raise StoreUnavailable(
                f"PostgreSQL at {self.settings.host}:{self.settings.port} did not accept the schema "
                f"({error.__class__.__name__}): check that it is running, then try again."
            ) from error

    def _write(self, work: Callable) -> VoteResult:
        """Run `work(cursor)` (one statement: atomic by itself); a refusal becomes an outcome, never an exception."""
        try:
            with self.pool.connection() as connection, connection.cursor() as cursor:
                return work(cursor)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            return unavailable(error.pgcode)
        except psycopg2.Error as error:
            return from_sqlstate(error.pgcode, getattr(error.diag, "constraint_name", None))

    @contextmanager
    def _reading(self) -> Iterator:
        try:
            with self.pool.connection() as connection, connection.cursor() as cursor:
                yield cursor
        except psycopg2.Error as error:
            raise StoreUnavailable("The database is unavailable.") from error  # the cause stays chained

    def options(self) -> dict[str, str]:
        """Option id -> label, in the order they were added."""
        with self._reading() as cursor:
            cursor.execute(f"SELECT id, label FROM {self.options_table} ORDER BY position")
            return dict(cursor.fetchall())

    def tally(self) -> dict[str, int]:
        """Option id -> votes, options without votes included (PostgreSQL's count: the ballot reconciles with it)."""
        with self._reading() as cursor:
            cursor.execute(
                f"SELECT o.id, count(v.voter_id) FROM {self.options_table} o "
                f"LEFT JOIN {self.votes_table} v ON v.option_id = o.id GROUP BY o.id, o.position ORDER BY o.position"
            )
            return dict(cursor.fetchall())

    def votes_of(self, voter_id: str) -> int:
        """Rows stored for one voter."""
        with self._reading() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.votes_table} WHERE voter_id = %s", (voter_id,))
            return cursor.fetchone()[0]

    def count(self) -> int:
        """Rows stored in all."""
        with self._reading() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.votes_table}")
            return cursor.fetchone()[0]

    def reset(self, options: bool = False) -> None:
        """Delete every vote (and every option, if asked)."""
        with self._reading() as cursor, transaction(cursor):
            cursor.execute(f"DELETE FROM {self.votes_table}")
            if options:
                cursor.execute(f"DELETE FROM {self.options_table}")

    def ping(self) -> bool:
        """Whether PostgreSQL answers a query now, whatever the pool is busy with."""
        return self.pool.ping()

    def warm(self) -> None:
        """Open the pool's connections ahead of a burst, so the first votes don't queue behind connects."""
        self.pool.warm()

    def server_moved(self, settings: PostgresSettings) -> None:
        """The server was replaced by one at `settings` (on the same data): every new connection goes there."""
        self.settings = settings
        self.pool.move_to(settings)

    def server_restarted(self) -> None:
        """Retire every pooled connection: the server restarted, so they are all dead."""
        self.pool.refresh()

    def close(self) -> None:
        """Close the pool's connections, unless the pool was handed in."""
        if self._owns_pool:
            self.pool.close()
