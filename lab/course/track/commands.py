"""The track's commands for workshop.py: --exercises, --exercise N, --watch, --reset-exercise N."""

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from lab.course.context import Lab
from lab.course.progress import Progress
from lab.course.standing import course_standing
from lab.course.track import checking, view
from lab.course.track.exercises import EXERCISES, exercise
from lab.course.track.model import EXERCISES_DIR, Exercise
from lab.course.track.state import BACKUP_DIR, TrackProgress, beside, reset_exercise
from lab.course.track.static import read_facts
from lab.course.track.watching import watch
from lab.errors import run_reporting
from lab.servers.engines import select_engine


class Track:
    """The track's commands, with their console, progress, folder and servers injected."""

    def __init__(self, console: Console, progress: TrackProgress | None = None, lab: Lab | None = None,
                 engine: str | None = None, folder: Path = EXERCISES_DIR, backup_dir: Path = BACKUP_DIR,
                 course: Progress | None = None) -> None:
        self.console = console
        self.course = course or Progress()
        self.progress = progress or TrackProgress(beside(self.course.path))
        self.folder, self.backup_dir = folder, backup_dir
        self._owns_lab = lab is None
        self.lab = lab or Lab(console, owns_engine=True,
                              engine_factory=lambda: select_engine(engine, purpose="exercise", console=console))
        self.hints_shown: dict[int, set[int]] = {}
        if self.progress.unreadable:
            self.say(f"{view.relative(self.progress.path)} could not be read, so the track starts over "
                     "(delete it to silence this).")

    def say(self, *lines) -> None:
        """Print each line (a sentence or a Rich renderable) as it is, without guessing highlights."""
        for line in lines:
            self.console.print(line, highlight=False)

    def list(self) -> int:
        """Print every exercise and its state, then where the course stands."""
        self.say(view.exercises_table(EXERCISES, self.progress, self.folder),
                 "`python3 workshop.py --exercise N` checks one; `python3 workshop.py --watch` re-checks on save.",
                 course_standing(self.course))
        return 0

    def check_one(self, item: Exercise) -> checking.Verdict:
        """Check one exercise (servers started as needed) and save it as passed if it did."""
        with self.console.status(f"Running {view.relative(item.file_in(self.folder))} against the right code "
                                 "and the buggy versions..."):
            verdict = checking.check(item, self.lab, item.file_in(self.folder))
        if verdict.passed:
            self.progress.pass_exercise(item.number)
        return verdict

    def report(self, item: Exercise, verdict: checking.Verdict) -> None:
        """The verdict, then the next hint that follows the file as it is now."""
        self.say(*view.verdict_lines(item, verdict))
        file = item.file_in(self.folder)
        facts = read_facts(file.read_text() if file.exists() else "")
        hint = view.next_hint(item, facts, verdict, self.hints_shown.setdefault(item.number, set()))
        if hint is not None:
            self.say(hint)

    def check(self, number: int) -> int:
        """`--exercise N`: introduce it, check it once; exit 0 when it passed or needs a Docker this run lacks."""
        item = exercise(number)
        self.say(*view.introduction(item, len(EXERCISES), self.folder))
        verdict = self.check_one(item)
        self.report(item, verdict)
        return 1 if verdict.status == "failed" else 0

    def reset(self, number: int) -> int:
        """`--reset-exercise N`: the starter back (not passed any more), the learner's file kept as a backup."""
        item = exercise(number)
        backup = reset_exercise(item, self.folder, self.backup_dir)
        self.progress.forget(number)
        kept = f"your file is kept as {view.relative(backup)}" if backup else "there were no changes of yours to keep"
        self.say(f"Exercise {number} is back to its starter ({view.relative(item.file_in(self.folder))}); {kept}.")
        return 0

    def watch(self, start: int = 1, sleep: Callable[[float], None] = time.sleep,
              stop: Callable[[], bool] = lambda: False) -> int:
        """`--watch`: from exercise `start`, check, re-check on every save, move on when one passes."""
        exercise(start)  # a wrong number fails here, in one sentence
        self.say("Watching: save your file to check it again; Ctrl-C stops (your progress is saved).")
        skipped = watch(EXERCISES, self.progress, start=start, file_of=lambda item: item.file_in(self.folder),
                        check=self.check_one, introduce=lambda item: self.say(*view.introduction(
                            item, len(EXERCISES), self.folder)), report=self.report, sleep=sleep, stop=stop)
        left = [item for item in EXERCISES if item.number >= start and item.number not in self.progress.passed]
        if left and not skipped:
            return 0  # stopped from outside
        if skipped:
            numbers = ", ".join(str(item.number) for item in skipped)
            self.say(f"Exercises {numbers} need Docker and were skipped, not passed: start Docker, then run "
                     f"`python3 workshop.py --watch --exercise {skipped[0].number}`.")
        else:
            self.say("[bold green]Every exercise of the track passed.[/] `python3 workshop.py --exercises` lists them.")
        return 0

    def close(self) -> None:
        """Remove the servers this run started."""
        if self._owns_lab:
            self.lab.close()


def run_track(console: Console, *, list_only: bool = False, number: int | None = None, watch_mode: bool = False,
              reset: int | None = None, engine: str | None = None, **injected) -> int:
    """What workshop.py calls for the track's flags; returns the exit code."""
    track = Track(console, engine=engine, **injected)

    def work() -> int:
        if reset is not None:
            return track.reset(reset)
        if list_only:
            return track.list()
        if watch_mode or number is None:
            return track.watch(start=number or 1)
        return track.check(number)

    try:
        return run_reporting(work, console, stopped="\nStopped. Your progress is saved: "
                                                    "`python3 workshop.py --watch` carries on from there.")
    finally:
        track.close()
