"""Small pieces several lessons show: test outcomes as a table, timed suite runs, bursts."""

import contextlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.live import Live
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from lab.course.keyboard import keys_held
from lab.testruns.pytest_run import TestOutcome

OUTCOME_STYLE = {"passed": "green", "failed": "bold red", "error": "bold red", "skipped": "yellow"}


@dataclass(frozen=True)
class SuiteRun:
    """One test file run against one target: every outcome and the wall-clock seconds."""

    path: str
    target: str
    outcomes: list[TestOutcome]
    seconds: float

    def count(self, outcome: str) -> int:
        """How many tests ended with `outcome`."""
        return sum(1 for test in self.outcomes if test.outcome == outcome)


def run_suite(ctx, path: str, target: str) -> SuiteRun:
    """Run a test file in a subprocess with a spinner; remember the run for the comparison."""
    key = (path, target)
    if key not in ctx.measurements:
        with ctx.busy(f"Running [bold]{path}[/] against the {describe_target(target)}..."):
            started = time.perf_counter()
            outcomes = ctx.run_tests(path, target=target, extra_env=ctx.lab.test_env())
            ctx.measurements[key] = SuiteRun(path, target, outcomes, time.perf_counter() - started)
    return ctx.measurements[key]


def stand_in_note(ctx) -> None:
    """Without Docker, say that the "container" of a lesson's figures is a local process here."""
    if not ctx.lab.has_docker():
        ctx.console.print("[dim]Docker is not running here, so the figures below come from an embedded PostgreSQL "
                          "process, which starts faster than a container; the reasoning is the same.[/]")


def describe_target(target: str) -> str:
    """The target in words."""
    return {"naive": "buggy app (--target naive)", "real": "real app"}.get(target, target)


def outcomes_table(run: SuiteRun) -> Table:
    """Each test of a run, how it ended and how long it took."""
    table = Table(title=f"{run.path} against the {describe_target(run.target)}", title_justify="left")
    table.add_column("test")
    table.add_column("outcome")
    table.add_column("seconds", justify="right")
    for test in run.outcomes:
        table.add_row(test.name, f"[{OUTCOME_STYLE.get(test.outcome, '')}]{test.outcome}[/]", f"{test.seconds:.3f}")
    return table


def per_test_ms(action: Callable[[], None], rounds: int) -> float:
    """Average milliseconds of `action` over `rounds` runs."""
    started = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - started) * 1000 / rounds


@contextlib.contextmanager
def live_view(ctx, render: Callable):
    """Redraw `render()` several times a second while inside (keys typed meanwhile are held back)."""
    with keys_held(ctx.prompt.stream), Live(render(), console=ctx.console, get_renderable=render,
                                            refresh_per_second=8, transient=False):
        yield
    if not ctx.console.is_terminal:  # Live ends a terminal's last line itself, not a file's
        ctx.console.line()


def runs_strip(name: str, results: list[bool], total: int) -> Text:
    """One line per repeated test: a mark per run so far (✓ passed, ✗ failed, · not yet) and the count."""
    strip = Text(f"{name} ")
    for passed in results:
        strip.append("✓" if passed else "✗", style="green" if passed else "bold red")
    strip.append("·" * (total - len(results)), style="dim")
    strip.append(f"  {sum(results)} of {len(results)} passed" + ("" if len(results) == total else " so far"))
    return strip


def source_of(function: Callable) -> Syntax:
    """A function of this project, shown as the code it is."""
    return Syntax(inspect.getsource(function).rstrip(), "python", word_wrap=True)
