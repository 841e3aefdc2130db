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

Under gevent, simple-websocket reads and parses all that a socket has received (4 KB a
read, as long as more is waiting) before anything else runs: frames already in the
kernel would all be parsed, a hundred sockets' bursts in one long turn, however early
the gate cut them. So its reads take turns (`take_turns`): WEBSOCKET_READ_BYTES at a
time, the event loop running in between, nothing read once the WebSocket is closed. The
gate then judges a burst a few dozen frames at a time, a cut connection costs no more
than that, and a vote waiting on PostgreSQL is woken between two reads of a flood.
"""

import logging
import threading
import time
from typing import Callable

import socketio

from lab.web.transport.fanout import Outboxes

log = logging.getLogger(__name__)

SNAPSHOT_BURST = 1  # every screen gets one on connect; asking again is for a redraw, which no screen needs twice a second
SNAPSHOT_EVERY = 1.0
SCREEN_CAP = 50  # screens without the secret at once: the presenter's is never refused, phones have their own room
SCREENS_FULL = "This show already has as many screens as it can feed: use the presenter URL, or close a screen."
PACKET_BURST = 5  # a screen sends a handful of packets a minute; a flood is cut here
PACKET_EVERY = 0.2
WEBSOCKET_READ_BYTES = 512  # a burst judged a few dozen frames at a time; real clients' frames are smaller


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


def guard_packets(server: socketio.Server, allowance: Allowance, outboxes: Outboxes) -> None:
    """Drop a connection's packets beyond its `allowance` before they are decoded; disconnect one that sends garbage.

    Under gevent each WebSocket's Outbox goes into `outboxes` (lab.web.transport.fanout), and out when it ends.
    """
    handle, ended = server._handle_eio_message, server._handle_eio_disconnect  # python-socketio's own seams
    server.eio.async_handlers = False  # judged in the connection's own reading loop, not a greenlet per packet
    dropped: dict[str, int] = {}
    readers = take_turns(server, outboxes) if server.eio.async_mode == "gevent" else Readers()

    def cut(eio_sid: str) -> None:
        readers.stop(eio_sid)  # not one more byte read, nor a frame already read judged
        server.eio.disconnect(eio_sid)

    def guarded(eio_sid: str, data) -> None:
        if not allowance.take(eio_sid):  # a flood: costs a dictionary lookup, not a decode and a handler
            dropped[eio_sid] = dropped.get(eio_sid, 0) + 1
            if dropped[eio_sid] == allowance.burst:  # and past its allowance again: the flood ends here
                log.info("disconnecting a client that floods the show with packets")
                cut(eio_sid)
            return
        try:
            handle(eio_sid, data)
        except ValueError as error:
            log.info("disconnecting a client that sent a malformed packet: %s", error)
            cut(eio_sid)

    def disconnected(eio_sid: str, *reason) -> None:
        allowance.forget(eio_sid)
        dropped.pop(eio_sid, None)
        readers.forget(eio_sid)
        outboxes.forget(eio_sid)
        ended(eio_sid, *reason)

    server.eio.on("message", guarded)
    server.eio.on("disconnect", disconnected)


class Readers:
    """The turn-taking sockets of a server's WebSockets, by Engine.IO session (none outside gevent)."""

    def __init__(self) -> None:
        self._sockets: dict[str, TurnTakingSocket] = {}

    def add(self, eio_sid: str, sock: "TurnTakingSocket") -> None:
        self._sockets[eio_sid] = sock

    def stop(self, eio_sid: str) -> None:
        """Stop reading session `eio_sid` now, and forget what it sent that is not judged yet."""
        sock = self._sockets.pop(eio_sid, None)
        if sock is not None:
            sock.stop()

    def forget(self, eio_sid: str) -> None:
        self._sockets.pop(eio_sid, None)


def take_turns(server: socketio.Server, outboxes: Outboxes, read_bytes: int = WEBSOCKET_READ_BYTES) -> Readers:
    """Make this server's WebSockets read in turns (simple-websocket's `receive_bytes` and `thread_class`),
    and uncompressed; each one's Outbox into `outboxes`."""
    import gevent

    readers = Readers()
    open_websocket = server.eio._async["websocket"]  # python-engineio's driver seam, replaced for this server only
    reader = server.eio._async["thread"]

    def reader_for(eio_sid: str):
        def start_reading(target, *args, **kwargs):
            websocket = target.__self__  # the simple_websocket.Server whose loop `target` is
            websocket.sock = TurnTakingSocket(websocket.sock, websocket, gevent.sleep)
            readers.add(eio_sid, websocket.sock)
            outboxes.add(eio_sid, websocket)
            return reader(target, *args, **kwargs)

        return start_reading

    def taking_turns(handler, eio_server):
        connection = open_websocket(handler, eio_server)
        if hasattr(connection, "server_args"):  # simple-websocket underneath (not gevent-websocket)
            eio_sid = handler.__self__.sid  # handler: the Engine.IO socket's own method
            connection.server_args.update(receive_bytes=read_bytes, thread_class=reader_for(eio_sid))
            return Uncompressed(connection)
        return connection

    server.eio._async = {**server.eio._async, "websocket": taking_turns}
    return readers


class Uncompressed:
    """A WebSocket upgrade that doesn't hear the client's offer of compression, so it is declined."""

    def __init__(self, upgrade) -> None:
        self._upgrade = upgrade

    def __call__(self, environ: dict, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)  # simple-websocket builds its handshake from environ
        return self._upgrade(environ, start_response)


class TurnTakingSocket:
    """A WebSocket's socket whose reads wait their turn, and read nothing once stopped or closed."""

    def __init__(self, sock, websocket, wait_turn: Callable[[], None]) -> None:
        self._sock = sock
        self._websocket = websocket
        self._wait_turn = wait_turn
        self._stopped = False

    def stop(self) -> None:
        """Read no more, and drop the frames read but not yet handed on."""
        self._stopped = True
        self._websocket.input_buffer.clear()

    def recv(self, size: int) -> bytes:
        self._wait_turn()  # the connection's reader judges what came before this read
        if self._stopped or not self._websocket.connected:
            return b""  # cut while we waited: simple-websocket ends its loop and closes the socket
        return self._sock.recv(size)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)
