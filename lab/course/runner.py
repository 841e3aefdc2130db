"""Runs the course: lists lessons, resumes where the learner stopped, and cleans up after itself."""

from typing import TextIO

from rich.console import Console, JustifyMethod
from rich.rule import Rule
from rich.table import Table

from lab.course.context import Lab, LessonContext, NeedsDocker, Prompter, StopCourse, needs_docker_sentence
from lab.course.progress import Progress
from lab.course.registry import LESSONS, Lesson, lesson
from lab.course.standing import done, reset_sentence, track_standing
from lab.course.track.state import TrackProgress, beside
from lab.errors import WorkshopError, run_reporting
from lab.servers.engines import select_engine

NOT_A_TERMINAL = "Input is not a terminal, so the course runs without questions, as with --auto."


def lessons_table(progress: Progress) -> Table:
    """Every lesson with its number, length and whether it is done."""
    table = Table(title="TestContainers Magic: the workshop", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("#", "right"), ("lesson", "left"), ("min", "right"), ("done", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for item in LESSONS:
        mark = "[green]✓[/]" if done(item, progress) else ""
        if item.exercise and progress.exercise_passed:
            mark += " [green]exercise passed[/]"
        table.add_row(str(item.number), item.title, str(item.minutes), mark)
    return table


def not_passed_sentence(number: int) -> str:
    """What a learner who leaves the hands-on before their tests pass is told."""
    return (f"Lesson {number} is not done until your tests pass its check: `python3 workshop.py --lesson {number}` "
            "takes you back to it.")


def run_workshop(console: Console, stream: TextIO, *, number: int | None = None, list_only: bool = False,
                 reset: bool = False, auto: bool = False, interactive: bool | None = None,
                 progress: Progress | None = None, lab: Lab | None = None, engine: str | None = None,
                 track: TrackProgress | None = None, **context) -> int:
    """The course as `workshop.py` runs it; returns the exit code.

    `engine` is the --engine choice (docker, embedded, auto; None: TCMAGIC_ENGINE, else auto);
    `track` is the exercise track's progress (default: the file beside the course's).
    """
    progress = progress or Progress()
    track = track or TrackProgress(beside(progress.path))
    if progress.unreadable:
        console.print(f"{progress.path} could not be read, so the course starts over (delete it to silence this).")
    if reset:
        progress.reset()
        track.reset()
        console.print(reset_sentence(), markup=False, highlight=False)
        return 0
    if list_only:
        console.print(lessons_table(progress))
        console.print(track_standing(track), markup=False, highlight=False)
        return 0
    try:
        chosen = [lesson(number)] if number is not None else _remaining(progress)
    except WorkshopError as error:
        console.print(str(error), markup=False, highlight=False)
        return 2
    interactive = stream.isatty() if interactive is None else interactive
    if not auto and not interactive:
        console.print(NOT_A_TERMINAL)
        auto = True
    if not chosen:
        console.print(lessons_table(progress))
        console.print("You have finished every lesson: `python3 workshop.py --lesson N` replays one, "
                      "`python3 workshop.py --reset` starts over.", markup=False, highlight=False)
        console.print(track_standing(track), markup=False, highlight=False)
        return 0
    if number is None:
        minutes = sum(item.minutes for item in chosen)
        console.print(f"[bold]TestContainers Magic[/]: {len(chosen)} lesson{'' if len(chosen) == 1 else 's'} to go, about {minutes} minutes. "
                      "Progress is saved after each lesson; Ctrl-C stops, `python3 workshop.py` resumes.")
    prompt = Prompter(console, stream, auto)
    lab = lab or Lab(console, engine_factory=lambda: select_engine(engine, purpose="workshop", console=console),
                     owns_engine=True, busy=prompt.busy)
    ctx = LessonContext(console, prompt, lab, progress, **context)
    try:
        return run_reporting(lambda: _run_lessons(ctx, chosen, track), console,
                             stopped="\nStopped. Your progress is saved: `python3 workshop.py` carries on from there.")
    finally:
        lab.close()


def _remaining(progress: Progress) -> list[Lesson]:
    """The lessons not done yet: a lesson skipped for want of Docker doesn't replay the ones after it."""
    return [item for item in LESSONS if not done(item, progress)]


def _run_lessons(ctx: LessonContext, chosen: list[Lesson], track: TrackProgress) -> int:
    for position, item in enumerate(chosen):
        if position:
            ctx.console.print()  # ends the prompt's line even when Enter was typed ahead
        ctx.console.print(Rule(f"[bold]Lesson {item.number} of {len(LESSONS)}: {item.title}[/] (about {item.minutes} min)"))
        try:
            item.run(ctx)
        except StopCourse:
            ctx.console.print(f"\nStopped. Progress is saved; lesson {item.number} is not done: "
                              f"`python3 workshop.py --lesson {item.number}` starts it again.")
            return 0
        except NeedsDocker:  # not done: it stays on the list for a run with Docker
            ctx.console.print(needs_docker_sentence(item.number), markup=False, highlight=False)
        else:
            if item.exercise and not ctx.progress.exercise_passed:  # left, or checked, before the tests passed
                ctx.console.print(not_passed_sentence(item.number), markup=False, highlight=False)
            else:
                ctx.progress.complete(item.number)
        following = chosen[position + 1:]
        if following and ctx.prompt.ask(f"\n[dim]Enter for lesson {following[0].number}, q to stop.[/]") == "q":
            ctx.console.print(f"Progress saved: `python3 workshop.py` carries on with lesson {following[0].number}.")
            return 0
    ctx.console.print(Rule("[bold green]Done[/]"))
    left = next((item.number for item in LESSONS if not done(item, ctx.progress)), None)
    if left:
        ctx.console.print(f"Next: lesson {left}, {LESSONS[left - 1].title} (`python3 workshop.py` resumes there).")
    else:
        ctx.console.print(f"That was every lesson. {track_standing(track)}", markup=False, highlight=False)
        ctx.console.print("To clean up, see what would go with `python3 cleanup.py --dry-run`, then run "
                          "`python3 cleanup.py`.", markup=False, highlight=False)
    return 0

