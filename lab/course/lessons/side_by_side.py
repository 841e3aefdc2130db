"""Lesson 3, Comparison: mocks vs testcontainers, side by side, with figures from this run."""

from rich.table import Table

from lab.course.lessons.common import SuiteRun, run_suite

TITLE = "Comparison"
MINUTES = 2
FANTASY, REALITY = "tests/test_fantasy.py", "tests/test_reality.py"


def _slowest(run: SuiteRun) -> str:
    return f"{max(test.seconds for test in run.outcomes):.2f} s" if run.outcomes else "-"


def comparison_table(runs: dict, postgres_start: float, kind: str = "container") -> Table:
    """The side-by-side table: `runs` maps (path, target) to the SuiteRun measured this run."""
    fantasy_real, fantasy_naive = runs[(FANTASY, "real")], runs[(FANTASY, "naive")]
    reality_real, reality_naive = runs[(REALITY, "real")], runs[(REALITY, "naive")]
    table = Table(title="Mocks vs testcontainers, measured in this run", title_justify="left")
    table.add_column("")
    table.add_column("mocks\n(test_fantasy.py)", justify="right")
    table.add_column("testcontainers\n(test_reality.py)", justify="right")
    table.add_row("scenarios", str(len(fantasy_real.outcomes)), str(len(reality_real.outcomes)))
    table.add_row("green against the real app",
                  f"{fantasy_real.count('passed')} of {len(fantasy_real.outcomes)}",
                  f"{reality_real.count('passed')} of {len(reality_real.outcomes)}")
    table.add_row("bugs caught in the buggy app",
                  f"[bold red]{fantasy_naive.count('failed')} of {len(fantasy_naive.outcomes)}[/]",
                  f"[bold green]{reality_naive.count('failed')} of {len(reality_naive.outcomes)}[/]")
    table.add_row("suite wall time, real app", f"{fantasy_real.seconds:.1f} s", f"{reality_real.seconds:.1f} s")
    table.add_row("slowest test (start-up included)", _slowest(fantasy_real), _slowest(reality_real))
    table.add_row(f"PostgreSQL start-up ({kind})", "none", f"{postgres_start:.2f} s")
    return table


def verdict(runs: dict, kind: str = "container") -> str:
    """One sentence from the figures: what the extra seconds bought."""
    extra = runs[(REALITY, "real")].seconds - runs[(FANTASY, "real")].seconds
    caught = runs[(REALITY, "naive")].count("failed") - runs[(FANTASY, "naive")].count("failed")
    servers = "Real containers" if kind == "container" else "Real servers"
    return f"{servers} cost {extra:+.1f} s for the whole suite and caught {caught} more bugs than the mocks."


def run(ctx) -> None:
    """Run both test files against the real and the buggy app, then compare."""
    say = ctx.console.print
    say("Both test files hold the same scenarios. We run each against the real app and against the buggy one.")
    say("test_reality.py starts its own PostgreSQL and Redis, so it takes a few seconds more.")
    runs = {(path, target): run_suite(ctx, path, target) for path in (FANTASY, REALITY) for target in ("real", "naive")}
    postgres_start = ctx.measurements.get("postgres_start") or ctx.lab.postgres().startup_seconds
    say(comparison_table(runs, postgres_start, ctx.lab.kind()))
    say(f"[bold]{verdict(runs, ctx.lab.kind())}[/]")
    missed = [test.name for test in runs[(REALITY, "naive")].outcomes if test.outcome != "failed"]
    if missed:
        say(f"Not caught this time: {', '.join(missed)}. A race needs the timing to line up; "
            "on a busy machine it sometimes doesn't, which is why these tests fire many requests at once.")
    say("A test is worth what it can catch. The mock tests cannot fail, so they cannot catch anything.")
