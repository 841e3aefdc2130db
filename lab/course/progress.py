"""Where the learner got to, saved as JSON so the course resumes where it stopped."""

import json
import os
from pathlib import Path

from lab.paths import PROGRESS_FILE

DEFAULT_PATH = Path(os.environ.get("TCMAGIC_PROGRESS_FILE") or PROGRESS_FILE)


class Progress:
    """Completed lessons and whether the hands-on exercise passed, kept in one JSON file."""

    def __init__(self, path: Path = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self.completed: set[int] = set()
        self.exercise_passed = False
        self.unreadable = False
        self._load()

    def _load(self) -> None:
        try:
            saved = json.loads(self.path.read_text())
            self.completed = {int(number) for number in saved.get("completed", [])}
            self.exercise_passed = bool(saved.get("exercise_passed", False))
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, AttributeError):
            self.unreadable = True  # a hand-edited or truncated file: start over rather than crash

    def save(self) -> None:
        """Write the file atomically, so a Ctrl-C mid-write never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"completed": sorted(self.completed), "exercise_passed": self.exercise_passed}, indent=2))
        os.replace(partial, self.path)

    def complete(self, number: int) -> None:
        """Mark one lesson done and save."""
        self.completed.add(number)
        self.save()

    def pass_exercise(self) -> None:
        """Remember that the hands-on exercise passed, and save."""
        self.exercise_passed = True
        self.save()

    def next_lesson(self, numbers: list[int]) -> int | None:
        """The first lesson not done yet, or None when all are."""
        return next((number for number in numbers if number not in self.completed), None)

    def reset(self) -> None:
        """Forget everything, file included."""
        self.completed.clear()
        self.exercise_passed = False
        self.path.unlink(missing_ok=True)
