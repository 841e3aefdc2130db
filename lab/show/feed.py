"""The show's lifecycle feed: Docker events and app events, told the same way, newest kept."""

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

FEED_LENGTH = 40  # lines a dashboard that connects is sent; the page keeps as many (from the snapshot)


@dataclass(frozen=True)
class FeedLine:
    """One line of the lifecycle feed: what happened, in words, and how it should look."""

    kind: str
    text: str
    level: str = "info"  # info, good, bad
    at: float | None = None  # seconds since the epoch; None means "now"

    def as_dict(self) -> dict:
        """The JSON the dashboard receives."""
        return {"kind": self.kind, "text": self.text, "level": self.level, "at": self.at}


class LineSink(Protocol):
    """Where a posted line goes next (the broadcaster)."""

    def post(self, line: dict) -> None: ...


class Feed:
    """The latest FEED_LENGTH lines, kept for snapshots and handed on to the dashboards."""

    def __init__(self, sink: LineSink, clock: Callable[[], float] = time.time, length: int = FEED_LENGTH) -> None:
        self.sink = sink
        self.clock = clock
        self.length = length
        self._lines: deque[dict] = deque(maxlen=length)
        self._since = float("-inf")  # lines about earlier moments are dropped (see restart)
        self._ahead = 0.0  # how far ahead of ours the clock of lines that carry their time runs, at most
        self._lock = threading.Lock()

    def post(self, line: FeedLine) -> None:
        """Add a line (stamped now unless it carries its time) and hand it on."""
        now = self.clock()
        entry = FeedLine(line.kind, line.text, line.level, line.at or now).as_dict()
        with self._lock:
            if line.at is not None:  # Docker's clock (a VM's, on a laptop) may run ahead of ours
                self._ahead = max(self._ahead, line.at - now)
            if entry["at"] - self._ahead < self._since:
                return
            self._lines.append(entry)
        self.sink.post(entry)

    def lines(self) -> list[dict]:
        """The kept lines, oldest first (replayed Docker events arrive late, so sorted by time)."""
        with self._lock:
            return sorted(self._lines, key=lambda line: line["at"])

    def restart(self, line: FeedLine) -> None:
        """Forget every line and start again from `line` (not handed on: a snapshot follows).

        Lines about moments before the restart that arrive later (Docker's events are read
        a little behind) are dropped too: they belong to the slate that was wiped. Their time
        is read on our clock: a Docker whose clock runs ahead (seen on every line it sent
        before) has its lines moved back by as much, so the rehearsal's never greet the cold open.
        """
        entry = FeedLine(line.kind, line.text, line.level, line.at or self.clock()).as_dict()
        with self._lock:
            self._since = entry["at"]
            self._lines.clear()
            self._lines.append(entry)
