"""Lesson 1, The Problem: the mock tests pass against the buggy app while duplicates get in."""

from rich.table import Table

from lab.concurrency import at_once
from lab.course.lessons.common import outcomes_table, run_suite
from lab.votes.fantasy import FantasyVoteStore

TITLE = "The Problem"
MINUTES = 2


def duplicates_table(store: FantasyVoteStore) -> Table:
    """Every voter the fake stored more than once, beside what a UNIQUE constraint allows."""
    table = Table(title="What the mock's store holds", title_justify="left")
    table.add_column("voter")
    table.add_column("rows stored", justify="right")
    table.add_column("a UNIQUE constraint allows", justify="right")
    for voter, rows in store.duplicates():
        table.add_row(str(voter), f"[bold red]{rows}[/]", "1")
    return table


def run(ctx) -> None:
    """Run the fantasy tests against the buggy app, then open the fake and count the duplicates."""
    say = ctx.console.print
    say("A voting app allows one vote per phone. Its tests mock the database, the way most tests do.")
    say("We point those tests at the [bold]buggy[/] version of the app (no UNIQUE constraint, check-then-insert).")
    ctx.prompt.pause("run them")
    fantasy = run_suite(ctx, "tests/test_fantasy.py", "naive")
    say(outcomes_table(fantasy))
    say(f"[green]{fantasy.count('passed')} passed[/], {fantasy.count('failed')} failed, "
        f"in {fantasy.seconds:.1f} s. All green, against an app that lets anyone vote twice.")
    ctx.prompt.pause("look inside the mock")

    store = FantasyVoteStore()
    store.add_option("containers", "Testcontainers")
    store.add_option("mocks", "Mocks")
    store.vote("phone-1", "containers")
    store.vote("phone-1", "mocks")
    at_once(20, lambda: store.vote("phone-2", "containers"))
    say("We replay two of those scenarios on the in-memory store behind the mock:")
    say("phone-1 votes twice; phone-2 taps the button 20 times at the same instant.")
    say(duplicates_table(store))
    rows = "\n".join(f"  {voter} -> {option}" for voter, option in store.rows if voter == "phone-1")
    say(f"phone-1's rows:\n{rows}")
    say("[bold]The tests passed and the duplicates got in.[/] A mock answers whatever the test told it to; "
        "nothing in it can refuse a vote. Only the real database can.")
