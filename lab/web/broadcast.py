"""Coalesced broadcasts to the dashboards: at most one results and one feed message per interval.

A thousand phones voting in the same second would otherwise mean a thousand results
messages, each with a database tally, to every projector. Votes only mark the results
dirty and queue feed lines; a background task flushes both every `interval` seconds.
"""

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)

FEED_BURST = 12  # vote lines sent per flush; the rest are summed up in one line
ROUTINE = ("vote-", "rate-limited")  # kinds of line a burst may sum up; the rest (a server dying) always show


def coalesce(lines: list[dict]) -> list[dict]:
    """The lines a flush sends: every non-routine one, and the newest routine ones up to FEED_BURST."""
    routine = [line for line in lines if line["kind"].startswith(ROUTINE)]
    skipped = max(0, len(routine) - max(0, FEED_BURST - (len(lines) - len(routine))))
    dropped = {id(line) for line in routine[:skipped]}
    shown = [line for line in lines if id(line) not in dropped]
    if skipped:
        shown.insert(0, {"kind": "coalesced", "text": f"... and {skipped} more events", "level": "info", "at": shown[0]["at"]})
    return shown


class Broadcaster:
    """Queues feed lines and results changes; `flush` sends what piled up."""

    def __init__(
        self,
        emit: Callable[[str, object], None],
        results: Callable[[], dict],
        interval: float,
        start_task: Callable[[Callable], object],
        sleep: Callable[[float], None],
    ) -> None:
        self.emit = emit
        self.results = results
        self.interval = interval
        self.start_task = start_task
        self.sleep = sleep
        self._lock = threading.Lock()
        self._lines: list[dict] = []
        self._results_dirty = False
        self._running = False
        self._stopped = False

    def send(self, event: str, data: object) -> None:
        """Send an event to every dashboard now (stage moves, full redraws: rare and small)."""
        self.emit(event, data)

    def post(self, line: dict) -> None:
        """Queue a feed line (any thread or greenlet)."""
        with self._lock:
            self._lines.append(line)
        self._ensure_running()

    def results_changed(self) -> None:
        """Note that the tallies moved; the next flush sends them once."""
        self._results_dirty = True
        self._ensure_running()

    def flush(self) -> None:
        """Send the queued feed lines (the latest few) and the results, if anything changed."""
        with self._lock:
            lines, self._lines = self._lines, []
            dirty, self._results_dirty = self._results_dirty, False
        if lines:
            self.emit("feed", coalesce(lines))
        if dirty:
            self.emit("results", self.results())

    def discard_queued(self) -> None:
        """Drop the feed lines not sent yet (a full snapshot replaces them)."""
        with self._lock:
            self._lines = []

    def stop(self) -> None:
        """End the background task after its current flush."""
        self._stopped = True

    def _ensure_running(self) -> None:
        with self._lock:
            if self._running or self._stopped:
                return
            self._running = True
        self.start_task(self._loop)

    def _loop(self) -> None:
        while True:
            self.sleep(self.interval)
            if self._stopped:
                return
            try:
                self.flush()
            except Exception:  # a failed broadcast must not end the show's updates
                log.exception("broadcast failed; trying again at the next interval")
