"""The container monitor behind watch_containers.py: pure rows and table, a thin events loop.

Rows come from `docker inspect` data; Docker's events stream says when to refresh them.
New rows show green for a few seconds, removed ones red before they go. When Docker
goes away the loop says so and reconnects with a growing back-off, never a traceback.
"""

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import docker.errors
from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from lab.errors import DockerUnavailable
from lab.servers.container_event import parse_event
from lab.servers.container_host import host_network_port
from lab.servers.containers import LABEL_MANAGED, LABEL_PURPOSE, LABEL_ROLE, TESTCONTAINERS_LABEL, docker_client

# Without Docker the workshop runs its servers as local processes, which no Docker table shows.
EMBEDDED_HINT = "Servers of the embedded engine (no Docker) are listed by `python3 cleanup.py --dry-run`."

NEW_FOR = 5.0
GONE_FOR = 3.0
ACTIONS = {"create", "start", "restart", "die", "kill", "stop", "pause", "unpause", "rename", "update", "oom", "destroy"}


@dataclass(frozen=True)
class ContainerRow:
    """One container as the monitor shows it, plus when it appeared or went."""

    id: str
    name: str
    image: str
    role: str
    status: str
    ports: tuple[str, ...]  # each published port as host->container; the table puts one a line
    created: float
    new_since: float | None = None
    gone_since: float | None = None


def is_watched(labels: dict | None) -> bool:
    """True for containers of the workshop or of testcontainers, by label."""
    labels = labels or {}
    return labels.get(LABEL_MANAGED) == "true" or labels.get(TESTCONTAINERS_LABEL) == "true"


def row_from_attrs(attrs: dict) -> ContainerRow:
    """A row from a container's `docker inspect` data."""
    labels = attrs.get("Config", {}).get("Labels") or {}
    role = labels.get(LABEL_ROLE) or ("testcontainers" if labels.get(TESTCONTAINERS_LABEL) == "true" else "-")
    if labels.get(LABEL_PURPOSE):
        role = f"{role} ({labels[LABEL_PURPOSE]})"
    created = datetime.strptime(attrs["Created"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return ContainerRow(
        id=attrs["Id"], name=attrs.get("Name", "").lstrip("/"), image=attrs.get("Config", {}).get("Image", "?"),
        role=role, status=attrs.get("State", {}).get("Status", "?"),
        ports=published_ports(attrs.get("NetworkSettings", {}).get("Ports"), host_network_port(attrs)),
        created=created.timestamp(),
    )


def published_ports(ports: dict | None, listening: int | None = None) -> tuple[str, ...]:
    """Published ports as host->container, e.g. 41583->5432 (TCP unless it says /udp), each once;
    a server on the host's network as 127.0.0.1:41583 (it listens there itself)."""
    shown = [f"127.0.0.1:{listening}"] if listening else []
    for inside, bindings in sorted((ports or {}).items()):
        for host_port in dict.fromkeys(binding.get("HostPort") for binding in bindings or []):
            shown.append(f"{host_port}->{inside.removesuffix('/tcp')}")
    return tuple(shown)


def format_age(seconds: float) -> str:
    """An age the way `docker ps` would say it, short."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


RYUK_PREFIX = "testcontainers-ryuk-"  # testcontainers names each session's Ryuk so; the session id follows
CONTAINER_WIDTH = 26  # the first column at 80 columns: the other four take the rest
OVERHEAD_LINES = 6  # title, the box's top and bottom, header, its rule, and the notice line under the table


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters: the middle gives way, so start and end stay recognisable."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2 + (width - 1) % 2
    return f"{text[:head]}…{text[len(text) - (width - 1 - head):]}"


def short_image(image: str, width: int = CONTAINER_WIDTH) -> str:
    """An image name in one cell: whole when it fits, else without its registry and namespace, else shortened."""
    if len(image) > width and "/" in image:
        image = image.rsplit("/", 1)[1]
    return shorten(image, width)


def is_ryuk(row: ContainerRow) -> bool:
    """True for testcontainers' Ryuk, whose generated name only repeats its image and session."""
    return row.name.startswith(RYUK_PREFIX)


def row_lines(row: ContainerRow) -> int:
    """How many lines a row takes: one for Ryuk, two (name over image) for the others, or one per port."""
    return max(1 if is_ryuk(row) else 2, len(row.ports))


def newest_that_fit(rows: list[ContainerRow], lines: int | None) -> tuple[list[ContainerRow], int]:
    """The newest rows (the learner's own, usually) that fit in `lines`, oldest first; and how many were left out."""
    if lines is None or sum(map(row_lines, rows)) <= lines:
        return rows, 0
    kept: list[ContainerRow] = []
    room = lines - 1  # a line says how many older rows are not shown
    for row in reversed(rows):
        if row_lines(row) > room:
            break
        kept.insert(0, row)
        room -= row_lines(row)
    return kept, len(rows) - len(kept)


def build_table(rows: list[ContainerRow], now: float | None = None, title: str = "Containers",
                max_lines: int | None = None) -> Table:
    """The monitor's table: new rows green, removed rows red; at most `max_lines` lines of rows, the newest.

    Each container's image sits under its name, both shortened to fit one cell at 80
    columns; Ryuk's row is one line, its image and its session.
    """
    now = time.time() if now is None else now
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAVY, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("container / image", no_wrap=True, max_width=CONTAINER_WIDTH)
    table.add_column("role / use", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("ports", no_wrap=True)
    table.add_column("age", justify="right", no_wrap=True)
    shown, hidden = newest_that_fit(rows, max_lines)
    if hidden:
        table.add_row(f"[dim]({hidden} older not shown)[/]", "", "", "", "")
    for row in shown:
        style = ""
        if row.gone_since is not None:
            style = "bold red"
        elif row.new_since is not None and now - row.new_since < NEW_FOR:
            style = "bold green"
        status = "removed" if row.gone_since is not None else row.status
        if is_ryuk(row):
            container = Text(short_image(row.image), style="dim")
            role = f"Ryuk {row.name.removeprefix(RYUK_PREFIX)[:8]}"
        else:
            container = Text.assemble(shorten(row.name, CONTAINER_WIDTH), "\n", (short_image(row.image), "dim"))
            role = row.role.replace(" (", "\n(", 1)  # the purpose under the role, as the image under the name
        table.add_row(container, role, status, "\n".join(row.ports), format_age(now - row.created), style=style)
    if not rows:
        table.add_row("[dim](none)[/]", "", "", "", "")
    return table


class MonitorState:
    """The rows on screen, updated by snapshots and events."""

    def __init__(self, show_all: bool = False) -> None:
        self.show_all = show_all
        self.rows: dict[str, ContainerRow] = {}

    def wants(self, labels: dict | None) -> bool:
        """Whether a container with these labels belongs on screen."""
        return self.show_all or is_watched(labels)

    def load(self, attrs_list: list[dict], now: float, first: bool = False) -> None:
        """Take a full listing; after a reconnect, what appeared is new and what vanished is gone."""
        seen = {}
        for attrs in attrs_list:
            if self.wants(attrs.get("Config", {}).get("Labels")):
                row = row_from_attrs(attrs)
                known = self.rows.get(row.id)
                new_since = known.new_since if known else (None if first else now)
                seen[row.id] = replace(row, new_since=new_since)
        for row_id, row in self.rows.items():
            if row_id not in seen:
                seen[row_id] = row if row.gone_since is not None else replace(row, gone_since=now)
        self.rows = seen

    def update(self, attrs: dict, now: float) -> None:
        """A container was created or changed."""
        row = row_from_attrs(attrs)
        known = self.rows.get(row.id)
        self.rows[row.id] = replace(row, new_since=known.new_since if known else now)

    def remove(self, container_id: str, now: float) -> None:
        """A container went away: show it red for a moment."""
        known = self.rows.get(container_id)
        if known and known.gone_since is None:
            self.rows[container_id] = replace(known, gone_since=now)

    def visible(self, now: float) -> list[ContainerRow]:
        """The rows to show now, oldest first; removed ones drop out after GONE_FOR seconds."""
        self.rows = {key: row for key, row in self.rows.items() if row.gone_since is None or now - row.gone_since < GONE_FOR}
        return sorted(self.rows.values(), key=lambda row: (row.created, row.name))


class Monitor:
    """Shows the table live from Docker's events stream, reconnecting whenever Docker goes away."""

    def __init__(self, console: Console, connect: Callable = docker_client, show_all: bool = False,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 refresh: float = 1.0, max_backoff: float = 10.0) -> None:
        self.console = console
        self.connect = connect
        self.state = MonitorState(show_all)
        self.clock = clock
        self.sleep = sleep
        self.refresh = refresh
        self.max_backoff = max_backoff
        self.notice = "Connecting to Docker..."
        self.title = "All containers" if show_all else "Containers of the workshop and of testcontainers"

    def view(self) -> Group:
        """The table, as many of the newest rows as the terminal holds, and one line saying what the monitor does."""
        now = self.clock()
        lines = max(self.console.height - OVERHEAD_LINES, 2)
        return Group(build_table(self.state.visible(now), now, self.title, max_lines=lines), Text(self.notice, style="dim"))

    def listing(self, client) -> list[dict]:
        """`docker inspect` data of every container, running or not."""
        return [container.attrs for container in client.containers.list(all=True, ignore_removed=True)]

    def once(self) -> int:
        """Print one snapshot and return the exit code."""
        try:
            client = self.connect()
            self.state.load(self.listing(client), self.clock(), first=True)
        except DockerUnavailable as error:
            self.console.print(f"{error} {EMBEDDED_HINT}", markup=False, highlight=False)
            return 1
        now = self.clock()
        self.console.print(build_table(self.state.visible(now), now, self.title))
        return 0

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Follow Docker until `should_stop()` or Ctrl-C; return the exit code."""
        failures, first = 0, True
        try:
            with Live(self.view(), console=self.console, refresh_per_second=4) as live:
                while not should_stop():
                    try:
                        client = self.connect()
                    except DockerUnavailable as error:
                        failures += 1
                        delay = min(2 ** (failures - 1), self.max_backoff)
                        self._say(f"{error} Retrying in {delay:g} s (attempt {failures}). {EMBEDDED_HINT}", live)
                        self.sleep(delay)
                        continue
                    failures = 0
                    self._follow(client, live, should_stop, first)
                    first = False
                    self._say("Lost the connection to Docker: reconnecting...", live)
        except KeyboardInterrupt:
            pass
        return 0

    def _say(self, notice: str, live: Live) -> None:
        """Show what the monitor is doing; without a terminal (piped), also as a line of its own."""
        self.notice = notice
        if not self.console.is_terminal:
            self.console.print(notice, markup=False, highlight=False)
        live.update(self.view())

    def _follow(self, client, live: Live, should_stop: Callable[[], bool], first: bool) -> None:
        events: queue.Queue = queue.Queue()
        try:
            stream = client.events(decode=True, filters={"type": "container"})
            self.state.load(self.listing(client), self.clock(), first=first)
        except (docker.errors.DockerException, OSError):
            return
        threading.Thread(target=_pump, args=(stream, events), daemon=True).start()
        self._say("Following Docker events. Ctrl-C to stop.", live)
        try:
            while not should_stop():
                live.update(self.view())
                try:
                    event = events.get(timeout=self.refresh)
                except queue.Empty:
                    continue
                if event is None or not self._apply(client, event):
                    return
        finally:
            _close(stream)

    def _apply(self, client, raw: dict) -> bool:
        """Apply one event; False when Docker stopped answering."""
        event = parse_event(raw)
        if event.action not in ACTIONS or not (event.container_id in self.state.rows or self.state.wants(event.attributes)):
            return True
        if event.action == "destroy":
            self.state.remove(event.container_id, self.clock())
            return True
        try:
            self.state.update(client.containers.get(event.container_id).attrs, self.clock())
        except docker.errors.NotFound:
            self.state.remove(event.container_id, self.clock())
        except (docker.errors.DockerException, OSError):
            return False
        return True


def _pump(stream, events: queue.Queue) -> None:
    """Move events from Docker's blocking stream onto a queue; None marks its end."""
    try:
        for event in stream:
            events.put(event)
    except Exception:  # noqa: BLE001, S110 - a dropped HTTP stream raises whatever urllib3/requests has: all mean "lost"
        pass
    events.put(None)


def _close(stream) -> None:
    try:
        stream.close()
    except Exception:  # noqa: BLE001, S110 - closing a dropped HTTP stream may raise anything urllib3 has
        pass
