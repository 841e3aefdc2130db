"""What one client may send the show's Socket.IO server: a few frames a second, snapshots now and then, no garbage.

Each connection may send PACKET_BURST frames at once, then one every PACKET_EVERY
seconds, whatever they carry: Socket.IO messages, Engine.IO pings, pongs and noops,
WebSocket pings and pongs. Over a WebSocket each frame is judged before it is parsed
(lab.web.transport.gated_socket); over long-polling each packet of a POST before
python-engineio decodes the body (`PollingGate`). The first one over the allowance cuts
the connection, and what it sent after is dropped unread, so a flood costs the server
little. A snapshot asked for is answered from the last computed state (no database
query), SNAPSHOT_BURST at once, then one every SNAPSHOT_EVERY seconds. A packet
python-socketio can't decode (bad JSON, JSON nested too deep, an unknown packet type)
raises ValueError, which engine.io would print as a traceback in the presenter's
terminal: such a client is simply disconnected. Every screen hears every broadcast (ten
a second at most), so screens without the secret are capped at SCREEN_CAP.

Under gevent the show's WebSockets are simple-websocket servers of our own making
(`GatedWebSocket`, python-engineio's WebSocket transport as its gevent driver builds
it): a GatedSocket underneath, small reads, no compression. How it is plugged into
python-engineio, and what that assumes, is in lab.web.transport.seams.
"""

import io
import logging
import threading
import time
from collections.abc import Callable
from types import MethodType
from typing import cast
from urllib.parse import parse_qs

import simple_websocket
import socketio
from engineio.socket import Socket as EngineSocket

from lab.web.transport.gated_socket import GatedSocket, GatedSockets
from lab.web.transport.seams import engine_handler, replace_websocket_driver

log = logging.getLogger(__name__)

SNAPSHOT_BURST = 1  # every screen gets one on connect; asking again is for a redraw, which no screen needs twice a second
SNAPSHOT_EVERY = 1.0
SCREEN_CAP = 50  # screens without the secret at once: the presenter's is never refused, phones have their own room
SCREENS_FULL = "This show already has as many screens as it can feed: use the presenter URL, or close a screen."
PACKET_BURST = 5  # a screen sends a handful of frames a minute (an upgrade takes two); a flood is cut here
PACKET_EVERY = 0.2
WEBSOCKET_READ_BYTES = 512  # a burst judged a few dozen frames at a time; real clients' frames are smaller
RECORD_SEPARATOR = b"\x1e"  # between the packets of a long-polling payload (Engine.IO 4)
TOO_MANY = b"Too many packets: this connection is closed."
TOO_LONG = b"Too long: this connection is closed."


class Allowance:
    """A token bucket per connection: `burst` at once, then one every `every` seconds."""

    def __init__(self, burst: int = SNAPSHOT_BURST, every: float = SNAPSHOT_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.every = every
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # sid -> (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, sid: str, count: int = 1) -> bool:
        """Whether connection `sid` may have `count` more now (and count them if so)."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(sid, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) / self.every)
            allowed = tokens >= count
            self._buckets[sid] = (tokens - count if allowed else tokens, now)
        return allowed

    def forget(self, sid: str) -> None:
        """Connection `sid` is gone."""
        with self._lock:
            self._buckets.pop(sid, None)


def guard_packets(server: socketio.Server, allowance: Allowance, sockets: GatedSockets) -> None:
    """Judge every frame a connection sends against `allowance`; disconnect one that sends garbage.

    Under gevent each WebSocket's GatedSocket goes into `sockets` (for the fan-out), and out when it closes.
    """
    eio = server.eio
    handle, ended = engine_handler(eio, "message"), engine_handler(eio, "disconnect")

    def guarded(eio_sid: str, data) -> None:
        session = eio.sockets.get(eio_sid)
        if session is None or session.closed:  # judged before a cut, read after it: dropped
            return
        try:
            handle(eio_sid, data)
        except ValueError as error:
            log.info("disconnecting a client that sent a malformed packet: %s", error)
            gated = sockets.get(eio_sid)
            if gated is not None:
                gated.stop()  # not one more byte read
            close_session(eio, eio_sid)

    def disconnected(eio_sid: str, *reason) -> None:
        allowance.forget(eio_sid)
        ended(eio_sid, *reason)

    eio.on("message", guarded)
    eio.on("disconnect", disconnected)
    if eio.async_mode == "gevent":
        replace_websocket_driver(eio, lambda handler, _: GatedWebSocket(handler, allowance, sockets, eio))


def close_session(eio, eio_sid: str) -> None:
    """End Engine.IO session `eio_sid` now: `eio.disconnect`, without waiting for the client.

    `eio.disconnect` waits for the client to collect its goodbye packet, which a
    long-polling client that floods or sends garbage may never do: a greenlet held forever.
    """
    session = eio.sockets.pop(eio_sid, None)
    if session is not None:
        session.close(wait=False, abort=True)


class GatedWebSocket:
    """python-engineio's WebSocket transport under gevent, as its driver builds it, on a GatedSocket and uncompressed.

    What engine.io calls it with and calls on it is its driver interface (lab.web.transport.seams):
    built with the Engine.IO socket's handler, a WSGI app for the upgrade, then `wait`, `send` and `close`.
    """

    def __init__(self, handler: MethodType, allowance: Allowance, sockets: GatedSockets, eio) -> None:
        self.handler = handler
        self.eio_sid: str = cast(EngineSocket, handler.__self__).sid  # handler: the Engine.IO socket's own method
        self.allowance = allowance
        self.sockets = sockets
        self.eio = eio
        self.ws: simple_websocket.Server  # opened by the upgrade, before engine.io waits, sends or closes

    def __call__(self, environ: dict, start_response):
        import gevent.event
        import gevent.selectors

        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)  # the client's offer of compression, unheard: declined
        self.ws = simple_websocket.Server(environ, receive_bytes=WEBSOCKET_READ_BYTES, thread_class=self.reader,
                                          event_class=gevent.event.Event, selector_class=gevent.selectors.DefaultSelector)
        return self.handler(self)

    def reader(self, target: MethodType):
        """simple-websocket's `thread_class`: its reading loop, on a GatedSocket, in a greenlet."""
        import gevent

        websocket = cast(simple_websocket.Server, target.__self__)  # the server whose loop `target` is
        gated = GatedSocket(websocket.sock, websocket, take=lambda: self.allowance.take(self.eio_sid),
                            wait_turn=gevent.sleep, spawn=self.eio.start_background_task, closed=self.closed)
        websocket.sock = gated
        self.sockets.add(self.eio_sid, gated)
        return gevent.Greenlet(run=target)

    def closed(self) -> None:
        self.sockets.forget(self.eio_sid)

    def close(self) -> None:
        if self.ws.connected:
            self.ws.close()

    def send(self, message) -> None:
        try:
            self.ws.send(message)
        except simple_websocket.ConnectionClosed as closed:
            raise OSError() from closed  # what engine.io's writer expects of a closed transport

    def wait(self):
        try:
            return self.ws.receive()
        except simple_websocket.ConnectionClosed:
            return None


class PollingGate:
    """WSGI middleware: each packet a long-polling POST carries is taken from its connection's allowance first.

    A POST over the allowance is answered 400, its packets never decoded, and its Engine.IO
    session closed with `disconnect(sid)` (`close_session`, in the show); one longer than
    `limit` likewise, with 413, unread.
    """

    def __init__(self, wsgi_app: Callable, allowance: Allowance, disconnect: Callable[[str], None], limit: int,
                 path: str = "/socket.io") -> None:
        self.wsgi_app = wsgi_app
        self.allowance = allowance
        self.disconnect = disconnect
        self.limit = limit  # a longer body is refused unread
        self.path = path

    def __call__(self, environ: dict, start_response):
        sid = self.polling_post(environ)
        length = environ.get("CONTENT_LENGTH", "")
        if sid is None or not length.isdigit():
            return self.wsgi_app(environ, start_response)
        if int(length) > self.limit:  # engine.io would end the session too, but wait for the client to poll first
            return self.refuse(sid, "413 Request Entity Too Large", TOO_LONG, start_response)
        body = environ["wsgi.input"].read(int(length))
        if not self.allowance.take(sid, body.count(RECORD_SEPARATOR) + 1):
            log.info("disconnecting a client that floods the show with packets")
            return self.refuse(sid, "400 Bad Request", TOO_MANY, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.wsgi_app(environ, start_response)

    def refuse(self, sid: str, status: str, sentence: bytes, start_response) -> list[bytes]:
        """End session `sid` and answer `status` with `sentence`, closing the connection."""
        self.disconnect(sid)
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(sentence))),
                                ("Connection", "close")])
        return [sentence]

    def polling_post(self, environ: dict) -> str | None:
        """The Engine.IO session of a long-polling POST, or None for any other request."""
        if environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").startswith(self.path):
            return None
        sids = parse_qs(environ.get("QUERY_STRING", "")).get("sid")
        return sids[0] if sids else None
