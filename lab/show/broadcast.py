"""Coalesced broadcasts: at most one results and one feed message per interval, each to its room.

A thousand phones voting in the same second would otherwise mean a thousand results
messages, each with a database tally, to every projector. Votes only mark the results
dirty and queue feed lines; a background task flushes both every `interval` seconds.
Results go to each `ResultsRoom` (the dashboards, the phones) in its own shape and at its own
pace, from one tally per flush; the last payload each room was sent is kept, so a socket
that (re)connects catches up from it without a query.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.show.rooms import DASHBOARDS, PRESENTER, SCREENS, for_dashboards

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


def unchanged(results: dict) -> dict:
    """The results as the dashboards draw them."""
    return results


@dataclass(frozen=True)
class ResultsRoom:
    """A room that hears the results: in its own shape, at most once every `every` seconds."""

    room: str
    every: float = 0.0  # never less than the Broadcaster's interval
    shape: Callable[[dict], dict] = unchanged


@dataclass(eq=False)
class Broadcaster:
    """Queues feed lines and results changes; `flush` sends what piled up, each to its room."""

    emit: Callable[..., None]  # emit(event, data, to=room), as SocketIO.emit
    results: Callable[[], dict]
    interval: float
    start_task: Callable[[Callable], object]
    sleep: Callable[[float], None]
    rooms: tuple[ResultsRoom, ...] = (ResultsRoom(DASHBOARDS),)
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _send_lock: threading.Lock = field(default_factory=threading.Lock, init=False)  # a catch-up never overtakes a newer broadcast
    _lines: list[dict] = field(default_factory=list, init=False)
    _feed_sent_at: float = field(default=float("-inf"), init=False)
    _latest: dict[str, dict] = field(default_factory=dict, init=False)
    _running: bool = field(default=False, init=False)
    _stopped: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._dirty = {room.room: False for room in self.rooms}
        self._sent_at = {room.room: float("-inf") for room in self.rooms}

    def send(self, event: str, data: object) -> None:
        """Send an event to every screen now (stage moves, full redraws: rare and small); notes to the presenter only."""
        self.emit(event, data, to=PRESENTER)
        self.emit(event, for_dashboards(event, data), to=DASHBOARDS)

    def post(self, line: dict) -> None:
        """Queue a feed line (any thread or greenlet)."""
        with self._lock:
            self._lines.append(line)
        self._ensure_running()

    def results_changed(self) -> None:
        """Note that the tallies moved; each room gets them once, at its next turn."""
        with self._lock:
            self._dirty = dict.fromkeys(self._dirty, True)
        self._ensure_running()

    def flush(self) -> None:
        """Send the queued feed lines (the latest few) to the dashboards, and the results to each room due."""
        now = self.clock()
        with self._lock:
            lines = []
            if self._lines and now >= self._feed_sent_at + self.interval:
                lines, self._lines, self._feed_sent_at = self._lines, [], now
            due = [a for a in self.rooms if self._dirty[a.room] and now >= self._turn(a)]
            for room in due:
                self._dirty[room.room], self._sent_at[room.room] = False, now
        if lines:
            self.emit("feed", coalesce(lines), to=SCREENS)
        if due:
            results = self.results()  # one tally, however many rooms
            with self._send_lock:
                for room in due:
                    payload = room.shape(results)
                    if payload != self._latest.get(room.room):  # its share may not have moved (hidden counts)
                        self._latest[room.room] = payload
                        self.emit("results", payload, to=room.room)

    def catch_up(self, room: str, sid: str) -> None:
        """Send one socket of `room` the results its room was last sent (a tally only if none was sent yet)."""
        with self._send_lock:
            self.emit("results", self._latest_of(room), to=sid)

    def latest(self, room: str) -> dict:
        """The results `room` was last sent (a tally only if none was sent yet): no query per asking socket."""
        with self._send_lock:
            return self._latest_of(room)

    def _latest_of(self, room: str) -> dict:
        if room not in self._latest:
            listeners = next(listening for listening in self.rooms if listening.room == room)
            self._latest[room] = listeners.shape(self.results())
        return self._latest[room]

    def start_over(self) -> None:
        """A reset: drop the feed lines not sent yet (a full snapshot replaces them) and what each room was last sent.

        A socket that connects before the next flush then catches up with the tallies as they are
        now, not the ones from before the reset (a phone would take that old round for its own,
        vote in it, and forget its vote at the next message).
        """
        with self._lock:
            self._lines = []
        with self._send_lock:
            self._latest.clear()

    def stop(self) -> None:
        """End the background task after its current flush."""
        self._stopped = True

    def _ensure_running(self) -> None:
        with self._lock:
            if self._running or self._stopped:
                return
            self._running = True
        self.start_task(self._loop)

    def _turn(self, room: ResultsRoom) -> float:
        """When `room` may hear the results again: `every` (the interval at least) after the last time."""
        return self._sent_at[room.room] + max(room.every, self.interval)

    def _pause(self) -> float:
        """Seconds until the next flush: when the first thing waiting may go, the interval at most.

        Waking exactly then, not at the next tick, keeps each room's pace exact: the
        phones hear the results every 0.5 s under a stream of votes, not every 0.6 s.
        """
        with self._lock:
            turns = [self._turn(room) for room in self.rooms if self._dirty[room.room]]
            if self._lines:
                turns.append(self._feed_sent_at + self.interval)
        return max(0.0, min([self.interval, *(turn - self.clock() for turn in turns)]))

    def _loop(self) -> None:
        while True:
            self.sleep(self._pause())
            if self._stopped:
                return
            try:
                self.flush()
            except Exception:  # a failed broadcast must not end the show's updates
                log.exception("broadcast failed; trying again at the next interval")
