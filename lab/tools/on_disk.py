"""What the workshop leaves on this machine outside Docker, for cleanup.py.

The pytest caches; a running reality_engine.py, found through its pid file (and only
after checking that the pid is a Python process running reality_engine.py); embedded
servers, found through theirs (lab.servers.leftovers); and a crashed show's way back:
its run's resume file (the database login and the cookie key; in use while the show that
wrote it runs) and the embedded engine's durable PostgreSQL data under DURABLE_ROOT.
"""

import functools
import json
import os
import signal
import subprocess
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

from lab.paths import EMBEDDED_PID_DIR_NAME, SHOW_PID_FILE_NAME, pid_alive
from lab.show.resume import RESUME_DIR_NAME
from lab.tools.removable import Item, remove_folders, unlink
from lab.waiting import WaitTimeout, wait_for

LEGACY_RESUME_FILE_NAME = Path(".tcmagic") / "show-resume.json"  # one file for every run, before each run had its own
DURABLE_DIR_PREFIX = "postgres-"  # lab.servers.embedded names them postgres-<run id>-<6 hex digits>

SKIP_DIRS = {".git", ".venv", "venv", "node_modules"}


def cache_items(root: Path) -> list[Item]:
    """The project's .pytest_cache and __pycache__ folders, one item per kind."""
    found: dict[str, list[Path]] = {".pytest_cache": [], "__pycache__": []}
    for folder, subfolders, _ in os.walk(root):
        for name in list(subfolders):
            if name in found:
                found[name].append(Path(folder) / name)
            if name in found or name in SKIP_DIRS or (Path(folder) / name / "pyvenv.cfg").exists():
                subfolders.remove(name)
    items = []
    for name, paths in found.items():
        if paths:
            where = ", ".join(str(path.relative_to(root)) for path in paths[:3]) + (", ..." if len(paths) > 3 else "")
            count = f"{len(paths)} folder{'s' if len(paths) > 1 else ''}"
            items.append(Item("cache", f"{name} ({count})", where, functools.partial(remove_folders, paths)))
    return items


def engine_items(root: Path, runs_of: Callable[[int], str] = lambda pid: "") -> list[Item]:
    """The reality_engine.py process named in its pid file (in use by itself), or the pid file alone if it is stale."""
    pid_file = root / SHOW_PID_FILE_NAME
    try:
        pid = int(pid_file.read_text().strip())
    except FileNotFoundError:
        return []
    except ValueError:
        return [Item("pid file", str(SHOW_PID_FILE_NAME), "not a pid: stale", lambda: unlink(pid_file))]
    if not pid_alive(pid):
        return [Item("pid file", str(SHOW_PID_FILE_NAME), f"pid {pid} is not running: stale", lambda: unlink(pid_file))]
    if not is_reality_engine(pid):
        return [Item("pid file", str(SHOW_PID_FILE_NAME), f"pid {pid} is another program now, left alone: stale",
                     lambda: unlink(pid_file))]
    return [Item("process", f"reality_engine.py (pid {pid})", f"found through {SHOW_PID_FILE_NAME}",
                 lambda: stop_engine(pid, pid_file), runs_of(pid), pid)]


def embedded_items(root: Path) -> list[Item]:
    """Embedded servers (the engine without Docker) found through their pid files under `root`."""
    from lab.servers.leftovers import find_leftovers, stop_leftover

    items = []
    for leftover in find_leftovers(root / EMBEDDED_PID_DIR_NAME):
        state = "running" if leftover.running() else "not running"
        port = f", port {leftover.port}" if leftover.port else ""
        owner = leftover.owner_pid if leftover.owner_pid and pid_alive(leftover.owner_pid) else None
        items.append(Item("embedded server", f"{leftover.role} (pid {leftover.pid})", f"{state}{port}",
                          functools.partial(stop_leftover, leftover), leftover.run_id, owner,
                          stops=leftover.pid))
    return items


def resume_items(root: Path, durable_root: Path, stopping: AbstractSet[int] = frozenset()) -> list[Item]:
    """A crashed show's resume file and the embedded engine's durable data directories.

    A directory whose PostgreSQL still runs is in use by it, unless that server is one of
    `stopping` (leftovers cleanup stops first).
    """
    items = []
    saved = sorted((root / RESUME_DIR_NAME).glob("*.json")) + [root / LEGACY_RESUME_FILE_NAME]
    for resume_file in [path for path in saved if path.exists()]:
        run_id, pid = _saved_run(resume_file)
        user = pid if pid and pid_alive(pid) else None  # the show running on that data
        items.append(Item("resume file", str(resume_file.relative_to(root)),
                          "a running show's way back" if user else "a crashed show's database login and cookie key",
                          functools.partial(unlink, resume_file), run_id, user, resume_data=True))
    folders = sorted(durable_root.glob(DURABLE_DIR_PREFIX + "*")) if durable_root.is_dir() else []
    for folder in folders:
        server = _postmaster_pid(folder)
        user = server if server and server not in stopping and pid_alive(server) else None
        run_id = folder.name[len(DURABLE_DIR_PREFIX):].rpartition("-")[0]
        items.append(Item("durable data", str(folder), "a show's durable PostgreSQL data (embedded engine)",
                          functools.partial(remove_folders, [folder]), run_id, user, resume_data=True))
    return items


def _saved_run(resume_file: Path) -> tuple[str, int]:
    """The run id a resume file names, and the pid of the show that wrote it (0: none recorded)."""
    try:
        saved = json.loads(resume_file.read_text())
        return str(saved.get("run_id", "")), int(saved.get("pid", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return "", 0  # damaged: removed all the same, with no run to name


def _postmaster_pid(folder: Path) -> int | None:
    try:
        return int((folder / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def command_line(pid: int) -> list[str]:
    """The arguments `pid` was started with (from /proc, or `ps` where there is none)."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.exists():
        return [part for part in proc.read_bytes().decode(errors="replace").split("\0") if part]
    ps = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return ps.stdout.split()


def is_reality_engine(pid: int) -> bool:
    """True when `pid` is a Python interpreter running reality_engine.py."""
    arguments = command_line(pid)
    return bool(arguments) and Path(arguments[0]).name.startswith("python") and any(
        Path(argument).name == "reality_engine.py" for argument in arguments[1:])


def stop_engine(pid: int, pid_file: Path, timeout: float = 10.0) -> str:
    """SIGTERM, wait for the show to shut down (it removes its containers), SIGKILL if it won't."""
    os.kill(pid, signal.SIGTERM)
    result = "stopped"
    try:
        wait_for(lambda: not pid_alive(pid), "reality_engine.py to exit", timeout=timeout, interval=0.05)
    except WaitTimeout:
        os.kill(pid, signal.SIGKILL)
        result = f"killed (no exit within {timeout:g} s of SIGTERM)"
    pid_file.unlink(missing_ok=True)
    return result
