"""What a crashed show needs to come back: its PostgreSQL's data and login, the cookie key, the question.

Each run keeps its own state in RESUME_DIR/<run id>.json (mode 0600: it holds the database
password and the key that signs the phones' voter cookies), with the pid of the show that
wrote it, as soon as its PostgreSQL answers; it deletes that file, and only that one, with
its data when it ends normally. After a crash (SIGKILL, a laptop lid, the OOM killer) both
are left behind: Ryuk removes the container, never the data (see lab.servers.durable), and
`python3 reality_engine.py --resume` picks the latest run whose show is no longer running,
starts a new server on its data, signs cookies with the same key (a phone that voted is
still refused as a duplicate) and asks the same question. A run whose show still runs is
never resumed: two servers on one data directory would corrupt it, and the running show
would lose its database.
"""

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab.errors import WorkshopError
from lab.paths import ROOT, STATE_DIR_NAME, pid_alive

RESUME_DIR_NAME = Path(STATE_DIR_NAME) / "show-resume"  # relative: cleanup looks under any checkout
RESUME_DIR = ROOT / RESUME_DIR_NAME
RESUME_DIR_VARIABLE = "TCMAGIC_RESUME_DIR"  # another place for them (tests that crash a show of their own)
RESUME_COMMAND = "python3 reality_engine.py --resume"  # as the README tells the user to type it
CLEANUP_COMMAND = "python3 cleanup.py --run-id"


@dataclass(frozen=True)
class ResumeState:
    """One show's way back after a crash."""

    run_id: str
    question: str
    options: dict[str, str]  # option id -> label
    secret_key: str = field(repr=False)  # signs the voter cookies
    postgres: dict[str, str] = field(repr=False)  # DurableData.to_dict(): where the votes are, and the login
    pid: int = 0  # the show that runs on this data; 0: none recorded
    saved_at: float = 0.0  # time.time() when it was saved: the latest crash is resumed


@dataclass(frozen=True)
class SavedShow:
    """A resume file found on disk: its state, and whether the show that wrote it still runs."""

    path: Path
    state: ResumeState
    running: bool

    def describe(self) -> str:
        """One run in a list: "run abc123 (running, pid 4242)" or "run abc123 (crashed, saved 14:03:07)"."""
        if self.running:
            return f"run {self.state.run_id} (running, pid {self.state.pid})"
        saved = time.strftime("%H:%M:%S", time.localtime(self.state.saved_at)) if self.state.saved_at else "earlier"
        return f"run {self.state.run_id} (crashed, saved {saved})"


def resume_dir(environ: Mapping[str, str]) -> Path:
    """Where the shows keep their resume state, one file per run."""
    return Path(environ[RESUME_DIR_VARIABLE]) if environ.get(RESUME_DIR_VARIABLE) else RESUME_DIR


def state_path(folder: Path, run_id: str) -> Path:
    """The file of run `run_id` in `folder`."""
    return folder / f"{run_id}.json"


def save(state: ResumeState, folder: Path) -> Path:
    """Write `state` to its run's file in `folder`, readable by this user only, in one step; return the path."""
    path = state_path(folder, state.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(state), file)
    os.chmod(partial, 0o600)  # whatever the umask, and whatever an older file allowed
    partial.replace(path)
    return path


def load(path: Path) -> ResumeState:
    """The state saved at `path`; one sentence if it is damaged."""
    try:
        saved = json.loads(path.read_text())
        return ResumeState(**{name: saved[name] for name in ResumeState.__dataclass_fields__ if name in saved})
    except (ValueError, KeyError, TypeError, AttributeError):
        raise WorkshopError(f"The resume file {path} is damaged: delete it and start without --resume "
                            "(`python3 cleanup.py` removes the old data).") from None


def saved_shows(folder: Path, alive: Callable[[int], bool] = pid_alive) -> list[SavedShow]:
    """Every run saved in `folder`, the latest first; damaged files are left out (cleanup.py lists them)."""
    shows = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            state = load(path)
        except (WorkshopError, OSError):
            continue
        shows.append(SavedShow(path, state, state.pid > 0 and state.pid != os.getpid() and alive(state.pid)))
    return sorted(shows, key=lambda show: show.state.saved_at, reverse=True)


def choose(folder: Path, alive: Callable[[int], bool] = pid_alive) -> tuple[SavedShow, list[str]]:
    """The latest crashed run to resume, and lines naming the other saved runs; one sentence when there is none.

    A run whose show still runs is never chosen; when it is the only one, the refusal names its pid.
    """
    shows = saved_shows(folder, alive)
    crashed = [show for show in shows if not show.running]
    if not crashed:
        running = next((show for show in shows if show.running), None)
        if running is not None:
            raise WorkshopError(
                f"The show you would resume is still running (pid {running.state.pid}, run {running.state.run_id}): "
                "it needs no resuming, so nothing was touched; end it with Ctrl+C in its terminal first "
                "if you want a new one.")
        for damaged in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            load(damaged)  # one sentence saying which file is damaged
        raise WorkshopError(f"There is no show to resume (nothing saved in {folder}: the last show ended normally, "
                            "or cleanup.py removed it): start without --resume.")
    chosen, others = crashed[0], [show for show in shows if show is not crashed[0]]
    lines = [f"Resuming the latest crashed show, {chosen.describe()}."]
    if others:
        lines.append("Also saved: " + "; ".join(show.describe() for show in others)
                     + f". `{CLEANUP_COMMAND} ID` removes a crashed run you will not resume.")
    return chosen, lines


def forget(path: Path) -> None:
    """Delete one run's resume state (it ended normally, or another run took it over)."""
    path.unlink(missing_ok=True)


def resume_line(run_id: str) -> str:
    """What the ready block says so that a crash is a pause."""
    return f"Run id {run_id}. If this laptop crashes, `{RESUME_COMMAND}` brings the show back with every vote."
