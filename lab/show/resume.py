"""What a crashed show needs to come back: its PostgreSQL's data and login, the cookie key, the question.

A show saves it in RESUME_FILE (mode 0600: it holds the database password and the key
that signs the phones' voter cookies) as soon as its PostgreSQL answers, and deletes it,
with the data, when it ends normally. After a crash (SIGKILL, a laptop lid, the OOM
killer) both are left behind: Ryuk removes the container, never the data (see
lab.servers.durable), and `python3 reality_engine.py --resume` starts a new server on it,
signs cookies with the same key (a phone that voted is still refused as a duplicate) and
asks the same question.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping

from lab.errors import WorkshopError
from lab.paths import ROOT, STATE_DIR_NAME

RESUME_FILE_NAME = Path(STATE_DIR_NAME) / "show-resume.json"  # relative: cleanup looks under any checkout
RESUME_FILE = ROOT / RESUME_FILE_NAME
RESUME_FILE_VARIABLE = "TCMAGIC_RESUME_FILE"  # another place for it (tests that crash a show of their own)
RESUME_COMMAND = "python3 reality_engine.py --resume"  # as the README tells the user to type it


@dataclass(frozen=True)
class ResumeState:
    """One show's way back after a crash."""

    run_id: str
    question: str
    options: dict[str, str]  # option id -> label
    secret_key: str = field(repr=False)  # signs the voter cookies
    postgres: dict[str, str] = field(repr=False)  # DurableData.to_dict(): where the votes are, and the login


def resume_file(environ: Mapping[str, str]) -> Path:
    """Where this show keeps its resume state."""
    return Path(environ[RESUME_FILE_VARIABLE]) if environ.get(RESUME_FILE_VARIABLE) else RESUME_FILE


def save(state: ResumeState, path: Path) -> None:
    """Write `state` to `path`, readable by this user only, replacing any older one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(state), file)
    os.chmod(partial, 0o600)  # whatever the umask, and whatever an older file allowed
    partial.replace(path)


def load(path: Path) -> ResumeState:
    """The state a crashed show left at `path`; one sentence if there is none to resume."""
    try:
        saved = json.loads(path.read_text())
        return ResumeState(**{name: saved[name] for name in ResumeState.__dataclass_fields__})
    except FileNotFoundError:
        raise WorkshopError(f"There is no show to resume ({path} is missing: the last show ended normally, or "
                            "cleanup.py removed it): start without --resume.") from None
    except (ValueError, KeyError, TypeError):
        raise WorkshopError(f"The resume file {path} is damaged: delete it and start without --resume "
                            "(`python3 cleanup.py` removes the old data).") from None


def forget(path: Path) -> None:
    """Delete the resume state (the show ended normally: nothing to come back to)."""
    path.unlink(missing_ok=True)


def resume_line(run_id: str) -> str:
    """What the ready block says so that a crash is a pause."""
    return f"Run id {run_id}. If this laptop crashes, `{RESUME_COMMAND}` brings the show back with every vote."
