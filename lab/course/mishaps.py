"""What each isolation strategy leaves behind when a test fails before its cleanup, measured on a real PostgreSQL.

Lesson 6 runs one test that adds votes and fails midway, under each strategy as a pytest
fixture would apply it (one connection for the session, setup before the test, cleanup
after), twice: with the cleanup in the fixture's teardown, which pytest runs even when the
test fails, and with the cleanup skipped (written at the end of the test, or forgotten).
Then it counts, with real queries, the committed rows the failed test left on the server
and the rows the next test finds.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection
from rich.table import Table

HALF = [(f"phone-{n}", "containers") for n in range(10)]  # the votes added before the test fails
DDL = "CREATE TABLE {table} (voter_id text UNIQUE, option_id text)"


@dataclass(frozen=True)
class Strategy:
    """One way to isolate tests: what a test's setup hands it, whether its code commits, and the cleanup."""

    name: str
    setup: Callable[[Connection, str], str]  # (session connection, run prefix) -> the table the test uses
    commits: bool
    cleanup: Callable[[Connection, str], None]


@dataclass(frozen=True)
class Aftermath:
    """What a failed test left: committed rows (and schemas holding them) on the server, and what the next test found."""

    rows_left: int
    schemas_left: int
    next_test_finds: int


def _execute(connection: Connection, *statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _count(connection: Connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        (rows,) = cursor.fetchone() or (0,)
    return rows


def _new_schema(connection: Connection, prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _execute(connection, f"CREATE SCHEMA {schema}", DDL.format(table=f"{schema}.votes"))
    connection.commit()
    return f"{schema}.votes"


def _drop_schema(connection: Connection, table: str) -> None:
    connection.rollback()
    _execute(connection, f"DROP SCHEMA {table.split('.')[0]} CASCADE")
    connection.commit()


def _truncate(connection: Connection, table: str) -> None:
    connection.rollback()
    _execute(connection, f"TRUNCATE {table}")
    connection.commit()


STRATEGIES = [
    Strategy("ROLLBACK", lambda connection, prefix: f"{prefix}_shared", False, lambda connection, _table: connection.rollback()),
    Strategy("TRUNCATE", lambda connection, prefix: f"{prefix}_shared", True, _truncate),
    Strategy("schema per test", _new_schema, True, _drop_schema),
]


def fail_midway(connection: Connection, strategy: Strategy, table: str) -> None:
    """The test: add half its votes (committing, if its strategy lets code commit), then an assertion fails."""
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (voter_id, option_id) VALUES (%s, %s)", HALF)
    if strategy.commits:
        connection.commit()
    raise AssertionError("the test fails midway")


def aftermath(connect: Callable[[], Connection], strategy: Strategy, cleanup_runs: bool) -> Aftermath:
    """Run the failing test under `strategy`, then the next test on the same session connection; count what is left."""
    prefix = f"mishap_{uuid.uuid4().hex[:8]}"
    session, observer = connect(), connect()
    try:
        _execute(session, DDL.format(table=f"{prefix}_shared"))
        session.commit()
        table = strategy.setup(session, prefix)
        try:
            fail_midway(session, strategy, table)
        except AssertionError:
            pass
        finally:
            if cleanup_runs:  # a fixture's teardown: pytest runs it whether the test passed or failed
                strategy.cleanup(session, table)
        rows_left, schemas_left = committed_leftovers(observer, prefix)
        next_table = strategy.setup(session, prefix)
        found = _count(session, next_table)  # inside the next test: no rollback before it looks
        strategy.cleanup(session, next_table)
        return Aftermath(rows_left, schemas_left, found)
    finally:
        session.close()  # ends whatever transaction is still open
        _remove_everything(observer, prefix)
        observer.close()


def committed_leftovers(observer: Connection, prefix: str) -> tuple[int, int]:
    """Committed rows of this run (shared table and test schemas), as another connection sees them; and the schemas."""
    with observer.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                       (f"{prefix}\\_%",))
        schemas = [name for (name,) in cursor.fetchall()]
    rows = _count(observer, f"{prefix}_shared") + sum(_count(observer, f"{schema}.votes") for schema in schemas)
    observer.rollback()
    return rows, len(schemas)


def _remove_everything(observer: Connection, prefix: str) -> None:
    observer.rollback()
    with observer.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                       (f"{prefix}\\_%",))
        for (schema,) in cursor.fetchall():
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
        cursor.execute(f"DROP TABLE IF EXISTS {prefix}_shared")
    observer.commit()


def measure(settings) -> dict[str, tuple[Aftermath, Aftermath]]:
    """For each strategy: (cleanup in the fixture, cleanup skipped), measured on the PostgreSQL at `settings`."""
    def connect() -> Connection:
        return psycopg2.connect(**settings.connect_kwargs())

    return {strategy.name: (aftermath(connect, strategy, True), aftermath(connect, strategy, False))
            for strategy in STRATEGIES}


def left_on_server(after: Aftermath) -> str:
    """The committed rows a failed test left, and the schemas holding them."""
    held = f" in {after.schemas_left} schema{'s' if after.schemas_left != 1 else ''}" if after.schemas_left else ""
    return f"{after.rows_left}{held}"


def mishaps_table(results: dict[str, tuple[Aftermath, Aftermath]]) -> Table:
    """Per strategy: what a test that failed midway left, with its cleanup in a fixture and with it skipped."""
    table = Table(title=f"A test adds {len(HALF)} votes, then fails. Rows it left committed on the server, and rows "
                        "the next test finds:", title_justify="left")
    table.add_column("strategy")
    for when in ("cleanup in the fixture", "cleanup skipped"):
        table.add_column(f"{when}:\nleft", justify="right")
        table.add_column("next test\nfinds", justify="right")
    for name, (in_fixture, skipped) in results.items():
        table.add_row(name, *(cell for after in (in_fixture, skipped)
                              for cell in (left_on_server(after), str(after.next_test_finds))))
    return table
