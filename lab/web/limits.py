"""What one client may do to the show's Socket.IO server: ask for snapshots now and then, send packets it can decode.

A snapshot asked for is answered from the last computed state (no database query), and
each connection gets SNAPSHOT_BURST of them at once, then one every SNAPSHOT_EVERY
seconds; what it asks beyond that is ignored. A hostile client can also send any bytes
as a packet: python-socketio raises ValueError for one it can't decode (bad JSON, JSON
nested too deep, an unknown packet type), which engine.io would print as a traceback in
the presenter's terminal. Such a client is simply disconnected.
"""

import logging
import threading
import time
from typing import Callable

import socketio

log = logging.getLogger(__name__)


def refuse_malformed_packets(server: socketio.Server) -> None:
    """Disconnect, without a traceback, a client whose packet can't be decoded."""
    handle = server._handle_eio_message  # the one seam python-socketio gives for its own decoding

    def guarded(eio_sid: str, data) -> None:
        try:
            handle(eio_sid, data)
        except ValueError as error:
            log.info("disconnecting a client that sent a malformed packet: %s", error)
            server.eio.disconnect(eio_sid)

    server.eio.on("message", guarded)


SNAPSHOT_BURST = 3
SNAPSHOT_EVERY = 1.0


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
