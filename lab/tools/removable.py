"""What cleanup.py can remove: one `Item` a thing (a row of its table), and the usual ways to remove one."""

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker.errors


@dataclass(frozen=True)
class Item:
    """One thing cleanup would remove, and how."""

    kind: str
    name: str
    detail: str = ""
    remove: Callable[[], str] = field(default=lambda: "removed", compare=False, repr=False)
    run_id: str = ""  # the run it belongs to (a process: the runs it uses, comma-separated)
    user: int | None = None  # the pid of a live process that uses it: kept unless forced
    resume_data: bool = False  # a show's way back after a crash: kept while a show runs
    stops: int | None = None  # the pid of the process removing it stops

    def in_run(self, run_id: str) -> bool:
        """True when the item belongs to (or, for a process, uses) run `run_id`."""
        return run_id in self.run_id.split(", ")


def docker_remover(action: Callable[[], None]) -> Callable[[], str]:
    """Run a Docker removal; the result says "already gone" when Docker no longer has it."""
    def remove() -> str:
        try:
            action()
        except docker.errors.NotFound:
            return "already gone"
        return "removed"

    return remove


def remove_folders(paths: list[Path]) -> str:
    """Delete folders; say how many could not be."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    left = [path for path in paths if path.exists()]
    return f"failed: {len(left)} could not be removed (permissions?)" if left else "removed"


def unlink(path: Path) -> str:
    """Delete a file (gone already is fine)."""
    path.unlink(missing_ok=True)
    return "removed"
