"""What the track shows: the list of exercises, an exercise's introduction, a verdict and its hint.

Pure functions build Rich renderables from the catalog, the progress and a verdict; the
commands (lab.course.track.commands) print them.
"""

from pathlib import Path

from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from lab.course.track.checking import Case, Verdict
from lab.course.track.model import EXERCISES_DIR, Exercise
from lab.course.track.state import TrackProgress, state_of
from lab.course.track.static import FileFacts
from lab.paths import ROOT

STATE_STYLE = {"passed": "green", "in progress": "yellow", "file missing": "bold red"}
ON_RIGHT = {"passed": "[green]✓ passed[/]", "failed": "[bold red]✗ failed[/]", "error": "[bold red]✗ error[/]"}
ON_BUGGY = {"passed": "[dim]· missed[/]", "failed": "[green]✓ caught[/]", "error": "[green]✓ caught[/]"}


def relative(path: Path) -> str:
    """The path as the learner would type it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def exercises_table(exercises: list[Exercise], progress: TrackProgress, folder: Path = EXERCISES_DIR) -> Table:
    """Every exercise: number, title, the lesson it follows, whether it needs Docker, and its state."""
    table = Table(title="The exercise track: you write the container code", title_justify="left")
    for column in ("#", "exercise", "lesson", "needs", "state"):
        table.add_column(column, justify="right" if column in ("#", "lesson") else "left")
    for item in exercises:
        state = state_of(item, progress, folder)
        table.add_row(str(item.number), item.title, str(item.lesson), "Docker" if item.needs_docker else "",
                      f"[{STATE_STYLE.get(state, 'dim')}]{state}[/]")
    return table


def introduction(item: Exercise, total: int, folder: Path = EXERCISES_DIR) -> list:
    """A rule with the title, the why, and the file to open."""
    return [Rule(f"[bold]Exercise {item.number} of {total}: {item.title}[/]"),
            Text(f"Why (lesson {item.lesson}): {item.why}"),
            Text.assemble("Open ", (relative(item.file_in(folder)), "bold cyan"),
                          ": the task and the given fixtures are described at its top.")]


def _columns(item: Exercise, cases: list[Case]) -> list[tuple[str, str]]:
    """(variant, run) pairs in a stable order: the right code (each order), then each buggy version."""
    seen = list(dict.fromkeys((case.variant, case.run) for case in cases))
    return sorted(seen, key=lambda key: (item.variants.index(key[0]) if key[0] in item.variants else 99, key[1]))


def _header(item: Exercise, variant: str, run: str) -> str:
    """A column's heading: the right code (in which order, when there are two), or a buggy version."""
    if variant == "right" and item.two_orders:
        return "right\norder 2" if run.endswith("r") else "right\norder 1"
    if variant == "right":
        return "right\ncode"
    return f"{variant.replace('_', ' ')}\n(buggy)"


def verdict_table(item: Exercise, verdict: Verdict) -> Table:
    """Each test on each version of the code: green is what you want (passes on right, catches a bug)."""
    table = Table(title="Your tests on each version of the code", title_justify="left")
    table.add_column("test", overflow="fold", ratio=1)
    columns = _columns(item, verdict.cases)
    for variant, run in columns:
        table.add_column(_header(item, variant, run), no_wrap=True)
    in_file_order = [case for case in verdict.cases if not case.run] or verdict.cases  # shuffled runs have a run
    for test in dict.fromkeys(case.test for case in in_file_order + verdict.cases):
        ended = {(case.variant, case.run): case.outcome for case in verdict.cases if case.test == test}
        right = all(outcome == "passed" for (variant, _), outcome in ended.items() if variant == "right")
        table.add_row(test, *(_mark(variant, ended.get((variant, run), ""), right) for variant, run in columns))
    return table


def _mark(variant: str, outcome: str, passes_on_right: bool) -> str:
    """A cell: a test red on the right code catches nothing, so its buggy cells are not judged."""
    if variant == "right":
        return ON_RIGHT.get(outcome, "-")
    return ON_BUGGY.get(outcome, "-") if passes_on_right else "[dim]- n/a[/]"


def next_hint(item: Exercise, facts: FileFacts, verdict: Verdict | None, shown: set[int]) -> Text | None:
    """The first hint that still applies and was not shown yet (else the last that applies), numbered."""
    if verdict is not None and verdict.status != "failed":
        return None
    missed = verdict.missed if verdict is not None else None
    applying = [number for number, hint in enumerate(item.hints, start=1) if hint.applies(facts, missed)]
    if not applying:
        return Text("Your file already does what every hint says: read the reasons above.")
    number = next((n for n in applying if n not in shown), applying[-1])
    shown.add(number)
    return Text.assemble((f"Hint {number} of {len(item.hints)}: ", "yellow"), item.hints[number - 1].text)


def verdict_lines(item: Exercise, verdict: Verdict) -> list:
    """The table (when tests ran), the headline and every reason."""
    lines: list = [verdict_table(item, verdict)] if verdict.cases else []
    style = {"passed": "bold green", "failed": "bold red"}.get(verdict.status, "bold yellow")
    timing = f" ({verdict.seconds:.1f} s)" if verdict.seconds else ""
    lines.append(Text.assemble((verdict.headline, style), (timing, "dim")))
    if verdict.reasons:
        reasons = Table.grid(padding=(0, 1))
        for reason in verdict.reasons:
            reasons.add_row(" -", Text(reason))
        lines.append(reasons)
    if verdict.passed:
        lines.append(Text(f"Compare with the reference solution: {relative(item.solution)}"))
    return lines
