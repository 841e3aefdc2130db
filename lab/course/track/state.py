"""Where the learner is in the track (saved as JSON beside the course's progress), and resetting a file.

An exercise is done only when a check passed. Resetting one copies its starter back over the
learner's file after keeping a copy of that file under .tcmagic/exercise-backups/.
"""

import json
import os
import shutil
import time
from pathlib import Path

from lab.course.progress import DEFAULT_PATH as COURSE_PROGRESS
from lab.course.track.model import EXERCISES_DIR, Exercise
from lab.paths import STATE_DIR


def beside(course_progress: Path) -> Path:
    """The track's progress file for a course whose progress is in `course_progress`: the same folder."""
    return course_progress.with_name("track.json")


DEFAULT_PATH = beside(COURSE_PROGRESS)
BACKUP_DIR = STATE_DIR / "exercise-backups"


class TrackProgress:
    """The numbers of the exercises that passed, kept in one JSON file."""

    def __init__(self, path: Path = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self.passed: set[int] = set()
        self.unreadable = False
        try:
            self.passed = {int(number) for number in json.loads(self.path.read_text()).get("passed", [])}
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, AttributeError):
            self.unreadable = True  # a hand-edited or truncated file: start over rather than crash

    def pass_exercise(self, number: int) -> None:
        """Remember that exercise `number` passed, and save."""
        self.passed.add(number)
        self._save()

    def forget(self, number: int) -> None:
        """Exercise `number` starts over (its starter was put back): not passed any more, and save."""
        self.passed.discard(number)
        self._save()

    def reset(self) -> None:
        """Forget every pass, file included (the learner's exercise files are theirs and stay)."""
        self.passed.clear()
        self.path.unlink(missing_ok=True)

    def _save(self) -> None:
        """Write the file atomically, so a Ctrl-C mid-write never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"passed": sorted(self.passed)}, indent=2))
        os.replace(partial, self.path)

    def current(self, exercises: list[Exercise], start: int = 1) -> Exercise | None:
        """The first exercise from number `start` on that has not passed, or None."""
        return next((item for item in exercises if item.number >= start and item.number not in self.passed), None)


def state_of(exercise: Exercise, progress: TrackProgress, folder: Path = EXERCISES_DIR) -> str:
    """In words: "passed", "not started" (the file is still the starter), "in progress" or "file missing"."""
    file = exercise.file_in(folder)
    if exercise.number in progress.passed:
        return "passed"
    if not file.exists():
        return "file missing"
    return "not started" if file.read_bytes() == exercise.starter.read_bytes() else "in progress"


def reset_exercise(exercise: Exercise, folder: Path = EXERCISES_DIR, backup_dir: Path = BACKUP_DIR,
                   now=time.localtime) -> Path | None:
    """Put the starter back; return where the learner's own file was kept (None if there was nothing to keep)."""
    backup, file = None, exercise.file_in(folder)
    if file.exists() and file.read_bytes() != exercise.starter.read_bytes():
        backup_dir.mkdir(parents=True, exist_ok=True)
        backup = backup_dir / f"{exercise.stem}.{time.strftime('%Y%m%d-%H%M%S', now())}.py"
        number = 1
        while backup.exists():
            number += 1
            backup = backup.with_name(f"{exercise.stem}.{time.strftime('%Y%m%d-%H%M%S', now())}-{number}.py")
        shutil.copy2(file, backup)
    file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(exercise.starter, file)
    return backup
