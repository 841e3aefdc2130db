"""What cleanup.py removes: our containers (by label) with their networks and volumes,
pytest caches, a running reality_engine.py found through its pid file, and embedded
servers found through theirs (lab.servers.leftovers).

Nothing is found by name: containers, networks and volumes by the workshop's and
testcontainers' labels, the show's process by the pid file it writes (and only after
checking that the pid is a Python process running reality_engine.py).
"""

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import docker.errors
from rich.table import Table

from lab.servers.containers import LABEL_MANAGED, LABEL_PURPOSE, LABEL_RUN, docker_client
from lab.errors import DockerUnavailable
from lab.paths import EMBEDDED_PID_DIR_NAME, SHOW_PID_FILE_NAME, pid_alive
from lab.waiting import WaitTimeout, wait_for

TESTCONTAINERS_LABEL = "org.testcontainers"
SKIP_DIRS = {".git", ".venv", "venv", "node_modules"}


@dataclass(frozen=True)
class Item:
    """One thing cleanup would remove, and how."""

    kind: str
    name: str
    detail: str = ""
    remove: Callable[[], str] = field(default=lambda: "removed", compare=False, repr=False)


def label_filters(run_id: str | None) -> list[dict]:
    """Docker filters for what we may remove: one run of ours, or everything ours and testcontainers'."""
    if run_id:
        return [{"label": [f"{LABEL_MANAGED}=true", f"{LABEL_RUN}={run_id}"]}]
    return [{"label": f"{LABEL_MANAGED}=true"}, {"label": f"{TESTCONTAINERS_LABEL}=true"}]


def docker_items(client, run_id: str | None = None) -> list[Item]:
    """Containers first, then networks, then volumes: the order they can be removed in."""
    items: dict[str, Item] = {}
    for filters in label_filters(run_id):
        for container in client.containers.list(all=True, filters=filters):
            image = container.attrs.get("Config", {}).get("Image", "?")
            purpose = container.labels.get(LABEL_PURPOSE) or "testcontainers"
            items[container.id] = Item("container", container.name, f"{image}, {container.status}, {purpose}",
                                       _remover(lambda c=container: c.remove(force=True, v=True)))
    for filters in label_filters(run_id):
        for network in client.networks.list(filters=filters):
            items[network.id] = Item("network", network.name, "", _remover(network.remove))
    for filters in label_filters(run_id):
        for volume in client.volumes.list(filters=filters):
            items[volume.id] = Item("volume", volume.name, "", _remover(lambda v=volume: v.remove(force=True)))
    return list(items.values())


def _remover(action: Callable[[], None]) -> Callable[[], str]:
    def remove() -> str:
        try:
            action()
        except docker.errors.NotFound:
            return "already gone"
        return "removed"

    return remove


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
            items.append(Item("cache", f"{name} ({count})", where, lambda paths=paths: _remove_folders(paths)))
    return items


def _remove_folders(paths: list[Path]) -> str:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    left = [path for path in paths if path.exists()]
    return f"failed: {len(left)} could not be removed (permissions?)" if left else "removed"


def engine_items(root: Path) -> list[Item]:
    """The reality_engine.py process named in its pid file, or the pid file alone if it is stale."""
    pid_file = root / SHOW_PID_FILE_NAME
    try:
        pid = int(pid_file.read_text().strip())
    except FileNotFoundError:
        return []
    except ValueError:
        return [Item("pid file", str(SHOW_PID_FILE_NAME), "not a pid: stale", lambda: _unlink(pid_file))]
    if not pid_alive(pid):
        return [Item("pid file", str(SHOW_PID_FILE_NAME), f"pid {pid} is not running: stale", lambda: _unlink(pid_file))]
    if not is_reality_engine(pid):
        return [Item("pid file", str(SHOW_PID_FILE_NAME), f"pid {pid} is another program now, left alone: stale",
                     lambda: _unlink(pid_file))]
    return [Item("process", f"reality_engine.py (pid {pid})", f"found through {SHOW_PID_FILE_NAME}", lambda: stop_engine(pid, pid_file))]


def embedded_items(root: Path, run_id: str | None = None) -> list[Item]:
    """Embedded servers (the engine without Docker) found through their pid files under `root`."""
    from lab.servers.leftovers import find_leftovers, stop_leftover

    items = []
    for leftover in find_leftovers(root / EMBEDDED_PID_DIR_NAME):
        if run_id and leftover.run_id != run_id:
            continue
        state = "running" if leftover.running() else "not running"
        port = f", port {leftover.port}" if leftover.port else ""
        items.append(Item("embedded server", f"{leftover.role} (pid {leftover.pid})", f"{state}{port}",
                          lambda leftover=leftover: stop_leftover(leftover)))
    return items


def _unlink(path: Path) -> str:
    path.unlink(missing_ok=True)
    return "removed"


def command_line(pid: int) -> list[str]:
    """The arguments `pid` was started with (from /proc, or `ps` where there is none)."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.exists():
        return [part for part in proc.read_bytes().decode(errors="replace").split("\0") if part]
    ps = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
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


def plan(root: Path, run_id: str | None = None, connect: Callable = docker_client) -> tuple[list[Item], list[str]]:
    """Everything cleanup would remove, in order, and notes on what it could not look at."""
    items, notes = engine_items(root) + embedded_items(root, run_id), []
    try:
        items += docker_items(connect(), run_id)
    except DockerUnavailable as error:
        notes.append(f"Containers were not checked: {error}")
    return items + cache_items(root), notes


def apply(items: list[Item], dry_run: bool) -> list[tuple[Item, str]]:
    """Remove each item (or say what would go); one failure never stops the rest."""
    results = []
    for item in items:
        if dry_run:
            results.append((item, "would stop" if item.kind in ("process", "embedded server") else "would remove"))
            continue
        try:
            results.append((item, item.remove()))
        except (docker.errors.DockerException, OSError) as error:
            results.append((item, f"failed: {error}"))
    return results


def summary_table(results: list[tuple[Item, str]], dry_run: bool) -> Table:
    """What was (or would be) removed, one row per item."""
    table = Table(title="cleanup --dry-run: nothing was removed" if dry_run else "cleanup", title_justify="left")
    for column in ("kind", "what", "detail", "result"):
        table.add_column(column, no_wrap=column in ("kind", "result"))
    for item, result in results:
        style = "red" if result.startswith("failed") else ("yellow" if dry_run else "green")
        table.add_row(item.kind, item.name, item.detail, f"[{style}]{result}[/]")
    if not results:
        table.add_row("-", "nothing to clean", "", "")
    return table
