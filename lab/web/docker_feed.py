"""Docker's own events for our containers, turned into lines of the show's lifecycle feed.

`feed_line` is pure (a raw Docker event in, a FeedLine or None out); `DockerEventStream`
is the thin loop that reads `docker events` filtered by our labels and hands each line on.
"""

import threading
from collections.abc import Callable

import docker
from docker.types import CancellableStream

from lab.servers.container_event import parse_event
from lab.servers.containers import LABEL_MANAGED, LABEL_ROLE, LABEL_RUN
from lab.servers.images import IMAGES
from lab.show.feed import FeedLine

SHOWN_ACTIONS = {
    "create": ("created", "info"),
    "start": ("started", "good"),
    "die": ("died", "bad"),
    "kill": ("killed", "bad"),
    "stop": ("stopped", "bad"),
    "pause": ("paused (frozen)", "bad"),
    "unpause": ("unpaused", "good"),
    "destroy": ("removed", "info"),
}


def event_filters(run_id: str) -> dict:
    """Docker's server-side filter for our containers of one run."""
    return {"type": "container", "label": [f"{LABEL_MANAGED}=true", f"{LABEL_RUN}={run_id}"]}


def feed_line(raw: dict) -> FeedLine | None:
    """The feed line for a raw Docker event, or None for events the room need not see."""
    event = parse_event(raw)
    action, attributes = event.action, event.attributes
    if action not in SHOWN_ACTIONS:
        return None
    role = attributes.get(LABEL_ROLE)
    if role not in IMAGES:  # only the servers the show runs on, not the doctor's probe
        return None
    name = attributes.get("name", "")
    words, level = SHOWN_ACTIONS[action]
    detail = ""
    if action == "die" and "exitCode" in attributes:
        detail = f" (exit code {attributes['exitCode']})"
    elif action == "kill" and "signal" in attributes:
        detail = f" (signal {attributes['signal']})"
    label = f"{role} container {name}" if name else f"{role} container"
    return FeedLine(f"docker-{action}", f"Docker: {label} {words}{detail}", level, event.at)


class DockerEventStream:
    """Reads Docker events for our containers and calls `on_line` for each shown one."""

    def __init__(
        self, client: docker.DockerClient, run_id: str, on_line: Callable[[FeedLine], None], since: float | None = None
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.on_line = on_line
        self.since = since  # replay events from this time on (the container's create and start)
        self._stream: CancellableStream | None = None
        self._stopped = threading.Event()

    def run(self) -> None:
        """Block reading events until stop(); meant for a background task."""
        try:
            since = int(self.since) if self.since is not None else None
            self._stream = self.client.events(decode=True, filters=event_filters(self.run_id), since=since)
            if self._stopped.is_set():
                return
            for event in self._stream:
                line = feed_line(event)
                if line:
                    self.on_line(line)
        except Exception:  # noqa: BLE001 - the feed is a bonus: whatever breaks the stream, the show goes on
            if not self._stopped.is_set():
                self.on_line(FeedLine("docker-feed", "Docker events feed lost: the show goes on without it", "bad"))
        finally:
            self.stop()

    def stop(self) -> None:
        """End the stream; run() returns soon after."""
        self._stopped.set()
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001, S110 - closing a dropped HTTP stream may raise anything urllib3 has
                pass
