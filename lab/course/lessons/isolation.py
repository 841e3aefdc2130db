"""Lesson 6, Isolation strategies, timed live: new container, schema per test, TRUNCATE, ROLLBACK."""

import time
import uuid

import psycopg2
from rich.console import JustifyMethod
from rich.table import Table

from lab.course import mishaps
from lab.course.lessons.common import per_test_ms, stand_in_note

TITLE = "Isolation strategies, timed"
MINUTES = 2
ROUNDS = 30
ROWS = [(f"phone-{n}", "containers") for n in range(20)]
DDL = "CREATE TABLE {table} (voter_id text UNIQUE, option_id text)"
PROMISES = {  # strategy: (what it guarantees, what a test under it can't test)
    "new container": ("a pristine server", "a fast suite: a start-up per test"),
    "schema per test": ("own tables, real commits, parallel tests", "server-wide state: roles, settings"),
    "TRUNCATE": ("empty tables, real commits", "parallel tests on one table"),
    "ROLLBACK": ("nothing committed", "commits; a second connection"),
}


def strategies_table(figures: dict[str, float], rounds: int = ROUNDS) -> Table:
    """Milliseconds per test for each strategy, slowest first, with what each one guarantees and can't test."""
    table = Table(title=f"Per test: start clean, insert 20 votes, make them go ({rounds} rounds each, "
                        "one new container)", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("strategy", "left"), ("ms/test", "right"), ("guarantees", "left"), ("can't test", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for name, ms in sorted(figures.items(), key=lambda item: -item[1]):
        table.add_row(name, f"{ms:,.1f}", *PROMISES[name])
    return table


def _insert(cursor, table: str) -> None:
    cursor.executemany(f"INSERT INTO {table} (voter_id, option_id) VALUES (%s, %s)", ROWS)


def shared_database_strategies(connection, table: str) -> dict:
    """The three ways to share one database, each a function that runs one test's worth of work."""

    def rollback() -> None:
        with connection.cursor() as cursor:
            _insert(cursor, table)
        connection.rollback()

    def truncate() -> None:
        with connection.cursor() as cursor:
            _insert(cursor, table)
            connection.commit()
            cursor.execute(f"TRUNCATE {table}")
        connection.commit()

    def schema_per_test() -> None:
        schema = f"test_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {schema}; " + DDL.format(table=f"{schema}.votes"))
            _insert(cursor, f"{schema}.votes")
            connection.commit()
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
        connection.commit()

    return {"ROLLBACK": rollback, "TRUNCATE": truncate, "schema per test": schema_per_test}


def run(ctx) -> None:
    """Time each strategy on the course's PostgreSQL (and one fresh container), and count what is left."""
    say = ctx.console.print
    say("Tests that share a database must not see each other's rows. Four ways to get there, timed now on a "
        "real PostgreSQL.")
    ctx.prompt.pause("time them")
    service = ctx.lab.postgres()
    table = f"isolation_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(**service.settings.connect_kwargs())
    figures = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute(DDL.format(table=table))
        connection.commit()
        for name, strategy in shared_database_strategies(connection, table).items():
            with ctx.busy(f"{name}: {ROUNDS} rounds..."):
                figures[name] = per_test_ms(strategy, ROUNDS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
        connection.commit()
    finally:
        connection.close()
    figures["new container"] = fresh_container_ms(ctx)
    stand_in_note(ctx)
    say(strategies_table(figures))
    say(f"A container per test was {figures['new container'] / max(figures['TRUNCATE'], 0.001):,.0f} times slower "
        "than TRUNCATE.")
    ctx.prompt.pause("see what each one leaves behind when a test fails")
    with ctx.busy("A test that fails midway, under each strategy..."):
        results = mishaps.measure(service.settings)
    ctx.measurements["mishaps"] = results
    say(mishaps.mishaps_table(results))
    say("With the cleanup in the fixture's teardown, pytest runs it even when the test fails. Skipped, each strategy "
        "fails in its own way: ROLLBACK commits nothing, but the next test on the same connection runs inside the "
        "failed test's open transaction and finds its rows; TRUNCATE leaves committed rows for the next test to "
        "find; a schema per test hides them from the next test but leaves a schema behind on the server. A "
        "container per test leaves nothing: Ryuk removes it even when the run is killed.")
    say("This project's tests use TRUNCATE-style resets (store.reset() in the fixture's teardown): they test real "
        "commits and cost milliseconds. The hands-on exercise (lesson 4) gives each test a schema of its own.")


def fresh_container_ms(ctx) -> float:
    """Milliseconds for one test's worth of a new container: start, insert, remove."""
    started = time.perf_counter()
    service = ctx.lab.start("postgres", keep=False)
    try:
        with psycopg2.connect(**service.settings.connect_kwargs()) as connection, connection.cursor() as cursor:
            cursor.execute(DDL.format(table="votes"))
            _insert(cursor, "votes")
        connection.close()
    finally:
        with ctx.busy("Removing it..."):
            ctx.lab.release(service)
    return (time.perf_counter() - started) * 1000
