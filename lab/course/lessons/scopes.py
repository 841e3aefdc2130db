"""Lesson 5, Fixture scopes: one container per session, fresh settings and client per test."""

import ast

import psycopg2
from rich.syntax import Syntax
from rich.table import Table

from lab.course.lessons.common import per_test_ms, stand_in_note
from lab.paths import ROOT

TITLE = "Fixture scopes: one container per session"
MINUTES = 1
CHAIN = [("tests/conftest.py", "postgres_service"), ("tests/conftest.py", "postgres_settings"), ("tests/test_reality.py", "store")]
TESTS_IN_A_SUITE = 100


def fixture_source(path: str, name: str) -> str:
    """The source of one fixture function in this project, decorator included."""
    text = (ROOT / path).read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            return "\n".join(text.splitlines()[first - 1:node.end_lineno])
    return ""


def scope_table(start_seconds: float, connect_ms: float, tests: int = TESTS_IN_A_SUITE) -> Table:
    """What `tests` tests cost with a container each and with one container for the session."""
    table = Table(title=f"{tests} tests, with figures measured just now", title_justify="left")
    table.add_column("fixture scope")
    table.add_column("set-up per test", justify="right")
    table.add_column(f"{tests} tests", justify="right")
    table.add_row("container per test (scope=\"function\")", f"{start_seconds:.2f} s", f"[bold red]{tests * start_seconds:.0f} s[/]")
    session_total = start_seconds + tests * connect_ms / 1000
    table.add_row("container per session, client per test", f"{connect_ms:.1f} ms", f"[bold green]{session_total:.1f} s[/]")
    return table


def run(ctx) -> None:
    """Show this project's own fixture chain, then price both scopes with measured figures."""
    say = ctx.console.print
    say("Starting a container takes seconds; a test should take milliseconds. So this project's fixtures "
        "chain three scopes: container (session) -> connection settings (test) -> client with cleanup (test).")
    for position, (path, name) in enumerate(CHAIN):
        source = fixture_source(path, name)
        if position == len(CHAIN) - 1:
            ctx.prompt.pause("see the client fixture, where each test cleans up")
        if source:
            say(f"[dim]{path}[/]")
            say(Syntax(source, "python", line_numbers=False, word_wrap=True))
    ctx.prompt.pause("price both scopes with figures measured now")
    service = ctx.lab.postgres()

    def connect_and_query() -> None:
        with psycopg2.connect(**service.settings.connect_kwargs()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.close()

    connect_ms = per_test_ms(connect_and_query, rounds=20)
    stand_in_note(ctx)
    say(scope_table(ctx.measurements.get("postgres_start") or service.startup_seconds, connect_ms))  # as lesson 2 showed it
    say("The session fixture pays the start-up once; each test pays only for a connection and its own cleanup "
        "(lesson 6 times the cleanup strategies). Per-test containers are for tests that break the server itself.")
