"""What cleanup.py removes, in order, and the table that says so.

Our containers (by label) with their networks and volumes (a durable show's volume among
them), then what lab.tools.on_disk finds outside Docker: pytest caches, a running
reality_engine.py, embedded servers, a crashed show's resume file and durable data.
Nothing is found by name: containers, networks and volumes by the workshop's and
testcontainers' labels, processes by the pid files they write.

What a live process still uses (lab.tools.owners; an embedded server's owner pid) is
listed as "in use by pid N" and kept unless `force`: cleanup never pulls a running show's
database from under it, nor, while the show runs, its way back after a crash.
"""

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docker.errors
from rich import box
from rich.table import Table
from rich.text import Text

from lab.errors import DockerUnavailable
from lab.servers.containers import LABEL_MANAGED, LABEL_PURPOSE, LABEL_RUN, TESTCONTAINERS_LABEL, docker_client
from lab.servers.embedded import DURABLE_ROOT
from lab.servers.labels import LABEL_DURABLE
from lab.tools.on_disk import cache_items, embedded_items, engine_items, resume_items
from lab.tools.owners import container_users, run_users, tcp_connections
from lab.tools.removable import Item, docker_remover


def label_filters() -> list[dict]:
    """Docker filters for what we may remove: everything ours, and everything testcontainers'."""
    return [{"label": f"{LABEL_MANAGED}=true"}, {"label": f"{TESTCONTAINERS_LABEL}=true"}]


def docker_items(client, connections: Callable = tcp_connections) -> tuple[list[Item], dict[str, int]]:
    """Containers, then networks, then volumes (the order they can be removed in), and {run id: pid using it}."""
    containers = {c.id: c for filters in label_filters() for c in client.containers.list(all=True, filters=filters, ignore_removed=True)}
    attrs = [container.attrs for container in containers.values()]
    users = container_users(attrs, connections())
    runs = run_users(attrs, users)
    items: dict[str, Item] = {}
    for container in containers.values():
        image = container.attrs.get("Config", {}).get("Image", "?")
        purpose = container.labels.get(LABEL_PURPOSE) or "testcontainers"
        items[container.id] = Item("container", container.name, f"{image}, {container.status}, {purpose}",
                                   docker_remover(functools.partial(container.remove, force=True, v=True)),
                                   container.labels.get(LABEL_RUN, ""), users.get(container.id))
    for filters in label_filters():
        for network in client.networks.list(filters=filters):
            run_id = (network.attrs.get("Labels") or {}).get(LABEL_RUN, "")
            items[network.id] = Item("network", network.name, "", docker_remover(network.remove), run_id, runs.get(run_id))
    for filters in label_filters():
        for volume in client.volumes.list(filters=filters):
            run_id = (volume.attrs.get("Labels") or {}).get(LABEL_RUN, "")
            durable = (volume.attrs.get("Labels") or {}).get(LABEL_DURABLE) == "true"
            items[volume.id] = Item("volume", volume.name, "a show's durable PostgreSQL data" if durable else "",
                                    docker_remover(functools.partial(volume.remove, force=True)), run_id, runs.get(run_id),
                                    resume_data=durable)
    return list(items.values()), runs


def plan(root: Path, run_id: str | None = None, connect: Callable = docker_client,
         connections: Callable = tcp_connections, durable_root: Path = DURABLE_ROOT) -> tuple[list[Item], list[str]]:
    """Everything cleanup would remove, in order, and notes on what it could not look at.

    With `run_id`, only what belongs to that run (and the show, if it uses the run); no caches.
    While the show of `root` runs, every show's way back after a crash is in use by it.
    """
    notes: list[str] = []
    found: list[Item] = []
    runs: dict[str, int] = {}
    try:
        found, runs = docker_items(connect(), connections)
    except DockerUnavailable as error:
        notes.append(f"Containers were not checked: {error}")
    embedded = embedded_items(root)
    runs.update({item.run_id: item.user for item in embedded if item.run_id and item.user})

    def runs_of(pid: int) -> str:
        return ", ".join(sorted(run for run, user in runs.items() if user == pid))

    engine = engine_items(root, runs_of)
    stopping = {item.stops for item in embedded if not item.user and item.stops is not None}
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
    kept = sorted({item.user for item, result in results if result.startswith("in use") and item.user is not None})
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
