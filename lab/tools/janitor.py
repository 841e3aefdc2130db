"""What cleanup.py removes: our containers (by label) with their networks and volumes,
pytest caches, a running reality_engine.py found through its pid file, embedded
servers found through theirs (lab.servers.leftovers), and a crashed show's way back:
its resume file (the database login and the cookie key) and its durable PostgreSQL data
(a Docker volume labelled durable, or an embedded directory under DURABLE_ROOT).

Nothing is found by name: containers, networks and volumes by the workshop's and
testcontainers' labels, the show's process by the pid file it writes (and only after
checking that the pid is a Python process running reality_engine.py).

What a live process still uses (lab.tools.owners; an embedded server's owner pid) is
listed as "in use by pid N" and kept unless `force`: cleanup never pulls a running show's
database from under it, nor, while the show runs, its way back after a crash.
"""

import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import docker.errors
from rich import box
from rich.table import Table
from rich.text import Text

from lab.errors import DockerUnavailable
from lab.paths import EMBEDDED_PID_DIR_NAME, SHOW_PID_FILE_NAME, pid_alive
from lab.servers.containers import LABEL_MANAGED, LABEL_PURPOSE, LABEL_RUN, TESTCONTAINERS_LABEL, docker_client
from lab.servers.embedded import DURABLE_ROOT
from lab.servers.labels import LABEL_DURABLE
from lab.tools.owners import container_users, run_users, tcp_connections
from lab.waiting import WaitTimeout, wait_for
from lab.web.resume import RESUME_FILE_NAME

DURABLE_DIR_PREFIX = "postgres-"  # lab.servers.embedded names them postgres-<run id>-<6 hex digits>

SKIP_DIRS = {".git", ".venv", "venv", "node_modules"}


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


def label_filters() -> list[dict]:
    """Docker filters for what we may remove: everything ours, and everything testcontainers'."""
    return [{"label": f"{LABEL_MANAGED}=true"}, {"label": f"{TESTCONTAINERS_LABEL}=true"}]


def docker_items(client, connections: Callable = tcp_connections) -> tuple[list[Item], dict[str, int]]:
    """Containers, then networks, then volumes (the order they can be removed in), and {run id: pid using it}."""
    containers = {c.id: c for filters in label_filters() for c in client.containers.list(all=True, filters=filters)}
    attrs = [container.attrs for container in containers.values()]
    users = container_users(attrs, connections())
    runs = run_users(attrs, users)
    items: dict[str, Item] = {}
    for container in containers.values():
        image = container.attrs.get("Config", {}).get("Image", "?")
        purpose = container.labels.get(LABEL_PURPOSE) or "testcontainers"
        items[container.id] = Item("container", container.name, f"{image}, {container.status}, {purpose}",
                                   _remover(lambda c=container: c.remove(force=True, v=True)),
                                   container.labels.get(LABEL_RUN, ""), users.get(container.id))
    for filters in label_filters():
        for network in client.networks.list(filters=filters):
            run_id = (network.attrs.get("Labels") or {}).get(LABEL_RUN, "")
            items[network.id] = Item("network", network.name, "", _remover(network.remove), run_id, runs.get(run_id))
    for filters in label_filters():
        for volume in client.volumes.list(filters=filters):
            run_id = (volume.attrs.get("Labels") or {}).get(LABEL_RUN, "")
            durable = (volume.attrs.get("Labels") or {}).get(LABEL_DURABLE) == "true"
            items[volume.id] = Item("volume", volume.name, "a show's durable PostgreSQL data" if durable else "",
                                    _remover(lambda v=volume: v.remove(force=True)), run_id, runs.get(run_id),
                                    resume_data=durable)
    return list(items.values()), runs


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


def engine_items(root: Path, runs_of: Callable[[int], str] = lambda pid: "") -> list[Item]:
    """The reality_engine.py process named in its pid file (in use by itself), or the pid file alone if it is stale."""
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
                          lambda leftover=leftover: stop_leftover(leftover), leftover.run_id, owner,
                          stops=leftover.pid))
    return items


def resume_items(root: Path, durable_root: Path, stopping: set[int] = frozenset()) -> list[Item]:
    """A crashed show's resume file and the embedded engine's durable data directories.

    A directory whose PostgreSQL still runs is in use by it, unless that server is one of
    `stopping` (leftovers cleanup stops first).
    """
    items = []
    resume_file = root / RESUME_FILE_NAME
    if resume_file.exists():
        items.append(Item("resume file", str(RESUME_FILE_NAME), "a crashed show's database login and cookie key",
                          lambda: _unlink(resume_file), _saved_run_id(resume_file), resume_data=True))
    folders = sorted(durable_root.glob(DURABLE_DIR_PREFIX + "*")) if durable_root.is_dir() else []
    for folder in folders:
        server = _postmaster_pid(folder)
        user = server if server and server not in stopping and pid_alive(server) else None
        run_id = folder.name[len(DURABLE_DIR_PREFIX):].rpartition("-")[0]
        items.append(Item("durable data", str(folder), "a show's durable PostgreSQL data (embedded engine)",
                          lambda folder=folder: _remove_folders([folder]), run_id, user, resume_data=True))
    return items


def _saved_run_id(resume_file: Path) -> str:
    try:
        return str(json.loads(resume_file.read_text()).get("run_id", ""))
    except (OSError, ValueError, AttributeError):
        return ""  # damaged: removed all the same, with no run to name


def _postmaster_pid(folder: Path) -> int | None:
    try:
        return int((folder / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


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


def plan(root: Path, run_id: str | None = None, connect: Callable = docker_client,
         connections: Callable = tcp_connections, durable_root: Path = DURABLE_ROOT) -> tuple[list[Item], list[str]]:
    """Everything cleanup would remove, in order, and notes on what it could not look at.

    With `run_id`, only what belongs to that run (and the show, if it uses the run); no caches.
    While the show of `root` runs, every show's way back after a crash is in use by it.
    """
    notes, found, runs = [], [], {}
    try:
        found, runs = docker_items(connect(), connections)
    except DockerUnavailable as error:
        notes.append(f"Containers were not checked: {error}")
    embedded = embedded_items(root)
    runs.update({item.run_id: item.user for item in embedded if item.run_id and item.user})

    def runs_of(pid: int) -> str:
        return ", ".join(sorted(run for run, user in runs.items() if user == pid))

    engine = engine_items(root, runs_of)
    stopping = {item.stops for item in embedded if not item.user}
    items = engine + embedded + found + resume_items(root, durable_root, stopping)
    show = next((item.user for item in engine if item.kind == "process"), None)
    items = [replace(item, user=item.user or show) if item.resume_data else item for item in items]
    if run_id:
        return [item for item in items if item.in_run(run_id)], notes
    return items + cache_items(root), notes


def apply(items: list[Item], dry_run: bool, force: bool = False) -> list[tuple[Item, str]]:
    """Remove each item (or say what would go); what a live process uses is kept unless `force`.

    One failure never stops the rest.
    """
    results = []
    for item in items:
        if item.user and not force:
            results.append((item, f"in use by pid {item.user}"))
        elif dry_run:
            results.append((item, "would stop" if item.kind in ("process", "embedded server") else "would remove"))
        else:
            try:
                results.append((item, item.remove()))
            except (docker.errors.DockerException, OSError) as error:
                results.append((item, f"failed: {error}"))
    return results


def kept_note(results: list[tuple[Item, str]]) -> str | None:
    """One sentence when something was kept because a live process uses it."""
    kept = sorted({item.user for item, result in results if result.startswith("in use")})
    if not kept:
        return None
    pids = ", ".join(map(str, kept))
    return (f"Kept what running programs use (pid {pids}): stop them first (Ctrl+C in their terminal), "
            "or add --force to remove it all the same.")


def summary_table(results: list[tuple[Item, str]], dry_run: bool) -> Table:
    """What was (or would be) removed, one row per item; the detail under the name keeps it readable at 80 columns."""
    table = Table(title="cleanup --dry-run: nothing was removed" if dry_run else "cleanup", title_justify="left",
                  box=box.SIMPLE_HEAVY, pad_edge=False)
    table.add_column("kind", max_width=len("container"))  # "embedded server" takes two lines
    table.add_column("what", overflow="fold")
    table.add_column("run id", no_wrap=True)
    table.add_column("result", overflow="fold", min_width=len("would remove"), max_width=len("in use by pid 4194304"))
    for item, result in results:
        style = "red" if result.startswith("failed") else "cyan" if result.startswith("in use") else "yellow" if dry_run else "green"
        what = Text.assemble(item.name, *(("\n", (item.detail, "dim")) if item.detail else ()))
        table.add_row(item.kind, what, item.run_id or "-", Text(result, style=style))
    if not results:
        table.add_row("-", "nothing to clean", "", "")
    return table
