"""Connections have a ceiling, not a cliff, and one laptop cannot take the room.

Every open connection counts against the room (lab.web.transport.open_files), HTTP,
polling and WebSocket alike: `ShowServer` counts them as it accepts them, and one address
may hold only a fair share (`fair_share`; a conference Wi-Fi gives every phone an address
of its own). A connection beyond either gets 503 and one sentence, and is closed before a
byte of it is read. An Engine.IO handshake holds no connection, so the `HandshakeGate`
counts each one for JOIN_SECONDS only, against the same room and share: ten thousand of
them from one laptop are mostly refused, and none of them still counts a few seconds later.

The presenter's screen is never refused: a connection from the presenter's own address
(PRESENTER_ADDRESSES, what `localhost` names: the presenter URL the ready block prints
outside a codespace) is always let in, whatever the limit. Behind a tunnel on this
machine (cloudflared, ngrok) or Codespaces' forwarding, every client may come from that
address, and then the room is not enforced (docs/presenter.md; reasoned, not tried here). Any other loopback address (127.0.0.2, ...) counts as a client of
its own, which is how the tests and benchmarks play an audience on one machine.

Every accepted connection also gets TCP_NODELAY (`PromptServer`). pywsgi writes a
response's headers and its body in two sends; with Nagle's algorithm on, the body waited
for the client to acknowledge the headers, and clients delay that acknowledgement (40 ms
on Linux) on a connection that is kept alive: every vote after a phone's page load took
40 ms more than its work, and the server sat idle meanwhile.
"""

import errno
import socket
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable

import gevent
from gevent.pywsgi import WSGIServer

from lab.web.transport.request_deadlines import ClientTrouble, DeadlineHandler

PRESENTER_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
SHARE_OF_ROOM = 16  # one address may hold a sixteenth of the room...
MIN_SHARE = 16  # ...and never less than a phone's browser opens with a few tabs
JOIN_SECONDS = 5.0  # a handshake counts this long: a screen has joined by then, or never will
ACCEPT_PAUSE = 0.1  # seconds without accepting when the process is out of files anyway
FULL = "The show has as many live screens as it can take: close a tab, or try again in a minute."
FULL_RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 30\r\n"
                 b"Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(FULL.encode()), FULL.encode()))


def fair_share(room: int) -> int:
    """How many of the room's `room` connections one address may hold."""
    return max(MIN_SHARE, room // SHARE_OF_ROOM)


def is_presenter(address: str) -> bool:
    """Whether `address` is the presenter's own machine (never refused)."""
    return address in PRESENTER_ADDRESSES


class Room:
    """The connections open now, by address: `enter` says whether one more may come in."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.share = fair_share(size)
        self.open: Counter[str] = Counter()
        self.total = 0

    def enter(self, address: str) -> bool:
        """Count a new connection from `address` if the room and its share have space; the presenter's, always, uncounted.

        The presenter's connections live on the files kept in reserve (open_files.RESERVED_FILES).
        """
        if is_presenter(address):
            return True
        if self.total >= self.size or self.open[address] >= self.share:
            return False
        self.open[address] += 1
        self.total += 1
        return True

    def leave(self, address: str) -> None:
        """A connection from `address` closed."""
        if is_presenter(address):
            return
        self.total -= 1
        self.open[address] -= 1
        if not self.open[address]:
            del self.open[address]


class HandshakeGate:
    """WSGI middleware: an Engine.IO handshake beyond the room, or beyond its address's share, gets 503 and one sentence.

    Each handshake counts for `join_seconds`, then no more: a screen holds a connection of
    its own by then (counted by ShowServer), and a handshake nobody followed up is forgotten.
    """

    def __init__(self, wsgi_app, room: int, path: str = "/socket.io", join_seconds: float = JOIN_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.wsgi_app = wsgi_app
        self.room = room
        self.share = fair_share(room)
        self.path = path
        self.join_seconds = join_seconds
        self.clock = clock
        self.recent: deque[tuple[float, str]] = deque()  # (when, address), oldest first
        self.by_address: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        opening = environ.get("PATH_INFO", "").startswith(self.path) and "sid=" not in environ.get("QUERY_STRING", "")
        if opening and not self.admit(environ.get("REMOTE_ADDR", "")):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "30"), ("Connection", "close")])
            return [FULL.encode()]
        return self.wsgi_app(environ, start_response)

    def admit(self, address: str) -> bool:
        """Count a handshake from `address` if there is room for it (the presenter's always)."""
        if is_presenter(address):
            return True
        now = self.clock()
        with self._lock:
            while self.recent and self.recent[0][0] <= now - self.join_seconds:
                _, gone = self.recent.popleft()
                self.by_address[gone] -= 1
                if not self.by_address[gone]:
                    del self.by_address[gone]
            if len(self.recent) >= self.room or self.by_address[address] >= self.share:
                return False
            self.recent.append((now, address))
            self.by_address[address] += 1
        return True


class PromptServer(WSGIServer):
    """gevent's WSGI server, sending what it writes at once: TCP_NODELAY on every connection it accepts."""

    def do_read(self):
        accepted = super().do_read()
        if accepted and accepted[0].family in (socket.AF_INET, socket.AF_INET6):
            accepted[0].setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return accepted


class ShowServer(PromptServer):
    """The show's server: prompt, every connection counted against the room, the request deadlines, quiet about clients.

    What clients do wrong (too slow, not HTTP, turned away) is summed up in at most one
    line a minute on stderr (`ClientTrouble`), never a traceback or the client's bytes.
    """

    handler_class = DeadlineHandler

    def __init__(self, listener, application=None, room: int | None = None,
                 trouble: ClientTrouble | None = None, **options) -> None:
        self.trouble = trouble or ClientTrouble()
        options.setdefault("error_log", self.trouble)  # pywsgi's notes on bad requests name the client and its bytes
        options.setdefault("environ", {"wsgi.errors": sys.stderr})  # where the app's own errors go, as before
        super().__init__(listener, application, **options)
        self.room = Room(room) if room is not None else None

    def handle(self, sock, address):
        """Serve a connection if the room and its address's share have space; otherwise 503, unread, and close."""
        host = address[0] if isinstance(address, tuple) else ""
        if self.room is not None and not self.room.enter(host):
            self.turn_away(sock)
            return
        try:
            super().handle(sock, address)
        finally:
            if self.room is not None:
                self.room.leave(host)

    def turn_away(self, sock) -> None:
        """One sentence, then close; what the client sent is never read."""
        self.trouble.note("full")
        try:
            sock.sendall(FULL_RESPONSE)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client has gone already
        sock.close()

    def stop(self, timeout=None):
        """Stop serving, and say what clients did wrong since the last summary line."""
        try:
            super().stop(timeout)
        finally:
            self.trouble.summarise()

    def do_read(self):
        try:
            return super().do_read()
        except OSError as error:
            if error.errno not in (errno.EMFILE, errno.ENFILE):
                raise
            self.stop_accepting()
            gevent.spawn_later(ACCEPT_PAUSE, self.start_accepting)
            return None
