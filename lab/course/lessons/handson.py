"""Lesson 4, Hands-on: write a SKU uniqueness test; it is run and judged on a real PostgreSQL."""

from pathlib import Path
from typing import Any

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from lab.course import checker, hints
from lab.course.catalog import CORRECT, VARIANTS
from lab.paths import ROOT

TITLE = "Hands-on: SKU uniqueness"
MINUTES = 4
IS_EXERCISE = True
MENU = r"[bold]\[c][/]heck  [bold]\[w][/]atch (re-check on save)  [bold]\[h][/]int  [bold]\[s][/]olution  [bold]\[q][/]uit lesson"
ON_CORRECT = {"passed": "[green]✓ passed[/]", "failed": "[bold red]✗ failed[/]", "error": "[bold red]✗ error[/]"}
ON_BUGGY = {"passed": "[dim]· missed[/]", "failed": "[green]✓ caught[/]", "error": "[green]✓ caught[/]"}
TOGETHER = {"passed": "[bold red]✗ missed[/]", "failed": "[bold green]✓ caught[/]"}
WRONG = "[bold red]✗ wrong[/]"  # a test that fails on the correct table catches no bug, whatever it does here
HEADERS = {"correct": "correct\ntable", "no_unique": "no\nUNIQUE", "case_sensitive": "exact\nmatch",
           "lower_only": "ignores\ncapitals", "trim_only": "ignores\nspaces"}


def mark(variant: str, outcome: str, wrong: bool = False) -> str:
    """One test's cell, coloured by meaning: green is right (passed on correct, caught a bug), red is wrong.

    A single test that lets a bug through is not wrong (another may catch it), so it is dim, not red.
    A test that fails on the correct table is wrong on every buggy one too: its red there proves nothing.
    """
    if variant == CORRECT.name:
        return ON_CORRECT.get(outcome, "[yellow]skipped[/]" if outcome == "skipped" else "-")
    if wrong:
        return WRONG
    return ON_BUGGY.get(outcome, "[yellow]skipped[/]" if outcome == "skipped" else "-")


def together(verdict: checker.Verdict, variant: str) -> str:
    """The bottom row: all the learner's tests on one table, which is what the verdict judges."""
    if variant == CORRECT.name:
        outcomes = [case.outcome for case in verdict.results if case.variant in (variant, "")]
        return ON_CORRECT["passed"] if outcomes and all(o == "passed" for o in outcomes) else ON_CORRECT["failed"]
    return TOGETHER["passed"] if variant in {m.name for m in checker.missed(verdict.results)} else TOGETHER["failed"]


def verdict_table(verdict: checker.Verdict) -> Table:
    """Each test on each table variant, then all of them together: all pass on correct, every bug caught."""
    table = Table(title="Your tests on each version of the products table: green is what you want",
                  title_justify="left")
    table.add_column("test", overflow="fold", ratio=1)  # an identifier: folded whole, never cut
    for name in VARIANTS:
        table.add_column(HEADERS.get(name, name), no_wrap=True)
    wrong = checker.wrong_tests(verdict.results)
    for test in dict.fromkeys(case.test for case in verdict.results):
        by_variant = {case.variant: case.outcome for case in verdict.results if case.test == test}
        if "" in by_variant:
            by_variant = dict.fromkeys(VARIANTS, by_variant[""])
        table.add_row(test, *(mark(name, by_variant.get(name, ""), test in wrong) for name in VARIANTS))
    table.add_section()
    table.add_row("[bold]your tests together[/]", *(together(verdict, name) for name in VARIANTS))
    return table


def show_verdict(console, verdict: checker.Verdict) -> None:
    """The table, the headline, and every reason."""
    if verdict.results:
        console.print(verdict_table(verdict))
    style = "bold green" if verdict.passed else "bold red"
    console.print(f"[{style}]{verdict.headline}[/] [dim]({verdict.seconds:.1f} s)[/]", highlight=False)
    if verdict.reasons:
        reasons = Table.grid(padding=(0, 1))
        for reason in verdict.reasons:
            reasons.add_row(" -", Text(reason))
        console.print(reasons)


def relative(path: Path) -> str:
    """The path as the learner would type it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def run(ctx) -> None:
    """Explain the task, then check, watch, hint or show the solution as the learner asks."""
    say = ctx.console.print
    exercise = ctx.exercise or checker.EXERCISE
    say(f"Your turn. Open [bold cyan]{relative(exercise)}[/] in your editor: the rule and the `catalog` fixture "
        "are described at its top. It tests a mock right now.")
    say("Your tests will run against a real PostgreSQL: on the correct products table they must pass, and on "
        "each buggy table (no UNIQUE constraint; one that compares SKUs exactly; one that ignores only capitals; "
        "one that ignores only spaces) at least one must fail. The lesson is done when they do.")
    settings = ctx.lab.postgres().settings
    state: dict[str, Any] = {"passed": False, "verdict": None, "hints shown": set()}  # this run's checks only, not saved progress

    def check_now() -> checker.Verdict:
        with ctx.busy(f"Running {relative(exercise)} against a real PostgreSQL..."):
            verdict = checker.check(exercise, settings)
        state["verdict"] = verdict
        if verdict.passed and not state["passed"]:
            state["passed"] = True
            ctx.progress.pass_exercise()
        return verdict

    if ctx.auto:
        show_verdict(ctx.console, check_now())
        return
    while True:
        choice = ctx.prompt.ask(f"{MENU} >", default="c")[:1]
        if choice == "q":
            return
        if choice == "c":
            show_verdict(ctx.console, check_now())
        elif choice == "w":
            watch(ctx, exercise, check_now)
        elif choice == "h":
            source = exercise.read_text() if exercise.exists() else ""
            say(hints.next_hint(source, state["verdict"], state["hints shown"]), highlight=False)
        elif choice == "s" and not (state["passed"] or ctx.progress.exercise_passed):
            say("The solution opens once your own tests pass. Ask for a hint instead ([bold]h[/]).")
        elif choice == "s":
            say(f"[bold]Reference solution[/] ({relative(checker.SOLUTION)}):")
            say(Syntax(checker.SOLUTION.read_text(), "python", line_numbers=False, word_wrap=True))
        if choice in "cw" and state["verdict"] is not None and state["verdict"].passed:
            say("[green]Done.[/] Press [bold]s[/] to compare with the reference solution, or [bold]q[/] to go on.")
        if ctx.auto:  # input ended while the menu was open: nobody is left to answer it
            return


def watch(ctx, exercise: Path, check_now) -> None:
    """Re-check on every save until a check passes or the learner presses Ctrl-C."""
    ctx.console.print(f"Watching {relative(exercise)}: save it to re-check. Ctrl-C stops watching.")
    try:
        checker.watch(exercise, check_now, lambda verdict: show_verdict(ctx.console, verdict),
                      interval=ctx.watch_interval, sleep=ctx.sleep)
    except KeyboardInterrupt:
        ctx.console.print("Stopped watching.")
