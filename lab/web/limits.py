"""What one client may do to the show's Socket.IO server: a few packets a second, snapshots now and then, no garbage.

Each connection may send PACKET_BURST packets at once, then one every PACKET_EVERY
seconds; the rest are dropped before they are even decoded, and a connection that has had
as many dropped again is closed, so a flood costs the server little. A snapshot asked
for is answered from the last computed state (no database query), SNAPSHOT_BURST at
once, then one every SNAPSHOT_EVERY seconds. A packet python-socketio can't decode (bad
JSON, JSON nested too deep, an unknown packet type) raises ValueError, which engine.io
would print as a traceback in the presenter's terminal: such a client is simply
disconnected. Every screen hears every broadcast (ten a second at most), so screens
without the secret are capped at SCREEN_CAP.
"""

import logging
import threading
import time
from typing import Callable

import socketio

log = logging.getLogger(__name__)

SNAPSHOT_BURST = 3
SNAPSHOT_EVERY = 1.0
SCREEN_CAP = 50  # screens without the secret at once: the presenter's is never refused, phones have their own room
SCREENS_FULL = "This show already has as many screens as it can feed: use the presenter URL, or close a screen."
PACKET_BURST = 5  # a screen sends a handful of packets a minute; a flood is cut here
PACKET_EVERY = 0.2


class Allowance:
    """A token bucket per connection: `burst` at once, then one every `every` seconds."""

    def __init__(self, burst: int = SNAPSHOT_BURST, every: float = SNAPSHOT_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.every = every
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # sid -> (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, sid: str) -> bool:
        """Whether connection `sid` may have one more now (and count it)."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(sid, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) / self.every)
            allowed = tokens >= 1
            self._buckets[sid] = (tokens - 1 if allowed else tokens, now)
        return allowed

    def forget(self, sid: str) -> None:
        """Connection `sid` is gone."""
        with self._lock:
            self._buckets.pop(sid, None)


def guard_packets(server: socketio.Server, allowance: Allowance) -> None:
    """Drop a connection's packets beyond its `allowance` before they are decoded; disconnect one that sends garbage."""
    handle, ended = server._handle_eio_message, server._handle_eio_disconnect  # python-socketio's own seams
    server.eio.async_handlers = False  # judged in the connection's own reading loop, not a greenlet per packet
    dropped: dict[str, int] = {}

    def guarded(eio_sid: str, data) -> None:
        if not allowance.take(eio_sid):  # a flood: costs a dictionary lookup, not a decode and a handler
            dropped[eio_sid] = dropped.get(eio_sid, 0) + 1
            if dropped[eio_sid] == allowance.burst:  # and past its allowance again: the flood ends here
                log.info("disconnecting a client that floods the show with packets")
                server.eio.disconnect(eio_sid)
            return
        try:
            handle(eio_sid, data)
        except ValueError as error:
            log.info("disconnecting a client that sent a malformed packet: %s", error)
            server.eio.disconnect(eio_sid)

    def disconnected(eio_sid: str, *reason) -> None:
        allowance.forget(eio_sid)
        dropped.pop(eio_sid, None)
        ended(eio_sid, *reason)

    server.eio.on("message", guarded)
    server.eio.on("disconnect", disconnected)
