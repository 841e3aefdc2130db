"""Lesson 6, Isolation strategies, timed live: new container vs TRUNCATE vs ROLLBACK."""

import time
import uuid

import psycopg2
from rich.table import Table

from lab.course.lessons.common import per_test_ms, stand_in_note

TITLE = "Isolation strategies, timed"
MINUTES = 2
ROUNDS = 30
ROWS = [(f"phone-{n}", "containers") for n in range(20)]


def strategies_table(figures: dict[str, float], rounds: dict[str, int]) -> Table:
    """Milliseconds per test for each strategy, slowest first, with what each one guarantees."""
    promises = {
        "new container": "a pristine server; pays a start-up per test",
        "TRUNCATE": "empty tables; sees committed data, so it tests real commits",
        "ROLLBACK": "nothing ever committed; can't test code that commits or uses two connections",
    }
    table = Table(title="Per test: start clean, insert 20 votes, make it disappear", title_justify="left")
    for column, justify in (("strategy", "left"), ("ms per test", "right"), ("rounds", "right"), ("guarantees", "left")):
        table.add_column(column, justify=justify)
    for name, ms in sorted(figures.items(), key=lambda item: -item[1]):
        table.add_row(name, f"{ms:,.1f}", str(rounds[name]), promises[name])
    return table


def _insert(cursor, table: str) -> None:
    cursor.executemany(f"INSERT INTO {table} (voter_id, option_id) VALUES (%s, %s)", ROWS)


def run(ctx) -> None:
    """Time each strategy on the course's PostgreSQL (and one fresh container)."""
    say = ctx.console.print
    say("Tests that share a database must not see each other's rows. Three ways to get there, timed now:")
    service = ctx.lab.postgres()
    table = f"isolation_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(**service.settings.connect_kwargs())
    figures, leftovers = {}, {}
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {table} (voter_id text UNIQUE, option_id text)")
        connection.commit()

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

        for name, strategy in (("ROLLBACK", rollback), ("TRUNCATE", truncate)):
            with ctx.console.status(f"{name}: {ROUNDS} rounds..."):
                figures[name] = per_test_ms(strategy, ROUNDS)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table}")
                leftovers[name] = cursor.fetchone()[0]
            connection.rollback()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
        connection.commit()
    finally:
        connection.close()
    figures["new container"] = fresh_container_ms(ctx)
    stand_in_note(ctx)
    say(strategies_table(figures, {"ROLLBACK": ROUNDS, "TRUNCATE": ROUNDS, "new container": 1}))
    say(f"Rows left behind: ROLLBACK {leftovers['ROLLBACK']}, TRUNCATE {leftovers['TRUNCATE']}. "
        f"A container per test was {figures['new container'] / max(figures['TRUNCATE'], 0.001):,.0f} times slower than TRUNCATE.")
    say("This project's tests use TRUNCATE-style resets (store.reset() in the fixture's teardown): "
        "they test real commits and cost milliseconds.")


def fresh_container_ms(ctx) -> float:
    """Milliseconds for one test's worth of a new container: start, insert, remove."""
    started = time.perf_counter()
    service = ctx.lab.start("postgres", keep=False)
    try:
        with psycopg2.connect(**service.settings.connect_kwargs()) as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE votes (voter_id text UNIQUE, option_id text)")
            _insert(cursor, "votes")
        connection.close()
    finally:
        with ctx.console.status("Removing it..."):
            ctx.lab.release(service)
    return (time.perf_counter() - started) * 1000
