"""What lesson 2 shows while PostgreSQL starts: Docker's own events for it, or the embedded processes.

`events_table` and `processes_table` are pure; `ContainerEvents` is the thin reader of
`docker events`, filtered by this course's labels, that feeds the first one.
"""

import threading
from collections.abc import Iterable

from rich.console import JustifyMethod
from rich.table import Table

from lab.servers.container_event import ContainerEvent, parse_event
from lab.servers.containers import LABEL_NAMESPACE, LABEL_ROLE, LABEL_RUN

SHOWN = {"create": "created", "start": "started", "die": "died", "kill": "killed", "stop": "stopped",
         "pause": "paused", "unpause": "unpaused", "destroy": "removed"}
TESTCONTAINERS_NAMESPACE = "org.testcontainers"


class ContainerEvents:
    """Docker's events for one run's containers of one role, collected in a thread while a lesson shows them."""

    def __init__(self, client, run_id: str, role: str) -> None:
        self.events: list[ContainerEvent] = []
        labels = [f"{LABEL_RUN}={run_id}", f"{LABEL_ROLE}={role}"]
        # asked for here, before the container exists, so that its first event cannot be missed
        self._stream = client.events(filters={"type": "container", "label": labels}, decode=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self._stream:
                self.events.append(parse_event(raw))
        except Exception:  # noqa: BLE001, S110 - the stream was closed under us: that is how reading ends
            pass

    def seen(self, action: str) -> bool:
        """True once an event with `action` has arrived."""
        return any(event.action == action for event in self.events)

    def close(self) -> None:
        """Stop reading."""
        self._stream.close()


def our_labels_of(attributes: dict) -> str:
    """Our labels, short, and a word on testcontainers' own: how the monitor and cleanup find the container."""
    ours = " ".join(f"{key.removeprefix(LABEL_NAMESPACE + '.')}={value}" for key, value in sorted(attributes.items())
                    if key.startswith(LABEL_NAMESPACE + "."))
    theirs = any(key.startswith(TESTCONTAINERS_NAMESPACE) for key in attributes)
    return f"labels {LABEL_NAMESPACE}.*:\n{ours}" + (f"\nand testcontainers' own {TESTCONTAINERS_NAMESPACE}.*" if theirs else "")


def events_table(events: Iterable[ContainerEvent], started: float, ready_after: float | None, now: float) -> Table:
    """Each Docker event for the container, seconds after the start began, then when it answered a query."""
    table = Table(title="PostgreSQL starting, as `docker events` tells it", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("+s", "right"), ("event", "left"), ("container, labels", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    for event in events:
        if event.action not in SHOWN:
            continue
        at = f"{event.at - started:.2f}" if event.at else ""
        detail = event.attributes.get("name", "")
        if event.action == "create":
            detail += f" ({event.attributes.get('image', '?')})\n{our_labels_of(event.attributes)}"
        table.add_row(at, SHOWN[event.action], detail)
    if ready_after is None:
        table.add_row(f"{now - started:.2f}", "[yellow]waiting[/]", "for PostgreSQL to answer SELECT 1")
    else:
        table.add_row(f"{ready_after:.2f}", "[green]ready[/]", "answered SELECT 1 from here")
    return table


def processes_table(services: Iterable, started: float, ready_after: float | None, now: float) -> Table:
    """The embedded engine's server processes: role, pid, port, state; a counter while the first one starts."""
    table = Table(title="The embedded engine's server processes (no Docker here)", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("server", "left"), ("pid", "right"), ("port", "right"), ("state", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for service in services:
        table.add_row(service.role, str(service.pid or "-"), str(service.settings.port), service.status())
    if ready_after is None:
        table.add_row("postgres", "", "", f"[yellow]starting, {now - started:.1f} s[/]")
    return table
