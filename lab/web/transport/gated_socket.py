"""A WebSocket's socket as the show hands it to simple-websocket: every frame judged before it is parsed, every write in turn.

simple-websocket's reading loop reads the socket and hands the bytes to wsproto, which
answers pings with pongs and turns the rest into messages for python-engineio. Judging
Socket.IO messages there would leave Engine.IO pings, pongs and noops and WebSocket
control frames unjudged: 100 sockets sending 10,000 pongs each kept the other phones
waiting 266 ms. So the socket itself finds where each frame the client sends begins (its
header, RFC 6455 section 5.2) and takes one from the connection's allowance for it; the
first frame over the allowance cuts the connection: the bytes before it are handed on,
it and everything after are never parsed, and the next read says the client has gone.

Reads take turns (the event loop runs before each, a few hundred bytes at a time), so
one flooding socket can't hold the core for a long parse. Writes are whole and one at a
time, simple-websocket's own (messages, pongs, its close) and the fan-out's straight
writes (lab.web.transport.fanout) alike, so no two frames interleave.
"""

import logging
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)


def header_size(head: bytes | bytearray) -> int:
    """How many bytes a frame's header takes, from its first two (length extension and mask included)."""
    length = head[1] & 0x7F
    return 2 + (2 if length == 126 else 8 if length == 127 else 0) + (4 if head[1] & 0x80 else 0)


def payload_size(head: bytes | bytearray) -> int:
    """A frame's payload length, from its whole header."""
    length = head[1] & 0x7F
    if length == 126:
        return int.from_bytes(head[2:4], "big")
    if length == 127:
        return int.from_bytes(head[2:10], "big")
    return length


class FrameStarts:
    """Where frames begin in a stream of WebSocket frames that arrives in pieces."""

    def __init__(self) -> None:
        self._head = bytearray()  # the header read so far of a frame that began in an earlier piece
        self._payload_left = 0

    def feed(self, data: bytes) -> Iterator[int]:
        """The offsets in `data` at which a frame begins, each found as the stream is read up to it."""
        at = 0
        while at < len(data):
            if self._payload_left:
                step = min(self._payload_left, len(data) - at)
                self._payload_left -= step
                at += step
                continue
            if not self._head:
                yield at
            wanted = header_size(self._head) if len(self._head) >= 2 else 2
            taken = data[at:at + wanted - len(self._head)]
            self._head += taken
            at += len(taken)
            if len(self._head) >= 2 and len(self._head) == header_size(self._head):
                self._payload_left = payload_size(self._head)
                self._head.clear()


class GatedSocket:
    """The socket under one simple_websocket.Server: reads judged frame by frame, writes whole and in turn.

    `take()` says whether the connection may send one more frame now; `wait_turn()` lets
    the event loop run before each read; `closed()` runs once the socket is closed.
    """

    def __init__(self, sock, websocket, take: Callable[[], bool], wait_turn: Callable[[], None],
                 spawn: Callable, closed: Callable[[], None]) -> None:
        self._sock = sock
        self._websocket = websocket  # the simple_websocket.Server reading and writing through us
        self._take = take
        self._wait_turn = wait_turn
        self._spawn = spawn
        self._closed = closed
        self._frames = FrameStarts()
        self._cut = False
        self._lock = threading.Lock()  # gevent's, once monkey-patched

    @property
    def cut(self) -> bool:
        """Whether this connection was cut: nothing more is read from it."""
        return self._cut

    def stop(self) -> None:
        """Read nothing more: the next read says the client has gone."""
        self._cut = True

    def recv(self, size: int) -> bytes:
        """What the client sent, up to the first frame beyond its allowance; b"" once cut."""
        self._wait_turn()
        if self._cut or not self._websocket.connected:
            return b""
        data = self._sock.recv(size)
        for start in self._frames.feed(data):
            if not self._take():
                log.info("disconnecting a client that floods the show with frames")
                self._cut = True
                return data[:start]  # the frame over the allowance, and all after it, are never parsed
        return data

    def send(self, data: bytes) -> int:
        """Write all of `data`, after any write under way."""
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    sendall = send

    def write_now(self, frame: bytes) -> bool:
        """Write `frame` if nobody is writing and the kernel takes it at once; False: send it the usual way."""
        if self._cut or not self._websocket.connected or not self._lock.acquire(blocking=False):
            return False
        timeout = self._sock.gettimeout()
        try:
            self._sock.settimeout(0)  # never wait for room in a full buffer: the usual way can
            try:
                sent = self._sock.send(frame)
            finally:
                self._sock.settimeout(timeout)
        except OSError:  # buffer full, or the connection gone: the usual way knows what to do
            self._lock.release()
            return False
        if sent == len(frame):
            self._lock.release()
        else:
            self._spawn(self._finish, frame[sent:])
        return True

    def _finish(self, rest: bytes) -> None:
        try:
            self._sock.sendall(rest)
        except OSError:
            pass  # the connection is gone: its reader ends it
        finally:
            self._lock.release()

    def close(self) -> None:
        self._cut = True
        self._sock.close()
        self._closed()

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class GatedSockets:
    """Every WebSocket's GatedSocket, by Engine.IO session, while it is open."""

    def __init__(self) -> None:
        self._sockets: dict[str, GatedSocket] = {}

    def add(self, eio_sid: str, sock: GatedSocket) -> None:
        self._sockets[eio_sid] = sock

    def get(self, eio_sid: str) -> GatedSocket | None:
        return self._sockets.get(eio_sid)

    def forget(self, eio_sid: str) -> None:
        self._sockets.pop(eio_sid, None)
