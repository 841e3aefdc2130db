"""An Engine.IO handshake holds no connection, yet opens a session: the gate counts handshakes for a few seconds.

Ten thousand polling handshakes (plain GETs, nothing held) once filled every Socket.IO
session the show allowed, the projector's screen refused for about 50 s. `HandshakeGate`
counts each opening handshake for JOIN_SECONDS, against the room and its client's fair
share (lab.web.transport.capacity): ten thousand of them from one laptop are mostly
refused, and none of them still counts a few seconds later. Its client is the one the
room would charge: the address, or behind a proxy on this machine the one the proxy
names (lab.web.transport.forwarded); the presenter's own browser, its secret and its
device proof are never refused.
"""

import threading
import time
from collections import Counter, deque
from collections.abc import Callable

from lab.web.presenter_secret import PresenterSecret
from lab.web.transport.capacity import FULL, TOKEN_ENVIRON, fair_share, is_presenter, proves_presenter
from lab.web.transport.forwarded import UNKNOWN_CLIENT, forwarded_client, is_local_peer

JOIN_SECONDS = 5.0  # a handshake counts this long: a screen has joined by then, or never will


class HandshakeGate:
    """WSGI middleware: an Engine.IO handshake beyond the room, or beyond its client's share, gets 503 and one sentence.

    Each handshake counts for `join_seconds`, then no more: a screen holds a connection of
    its own by then (counted by ShowServer), and a handshake nobody followed up is forgotten.
    The client is the forwarded one behind a proxy on this machine, as for ShowServer; the
    presenter's own browser and a handshake carrying the secret are never refused.
    """

    def __init__(self, wsgi_app, room: int, path: str = "/socket.io", join_seconds: float = JOIN_SECONDS,
                 clock: Callable[[], float] = time.monotonic, secret: PresenterSecret | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.room = room
        self.share = fair_share(room)
        self.path = path
        self.join_seconds = join_seconds
        self.clock = clock
        self.secret = secret
        self.recent: deque[tuple[float, str]] = deque()  # (when, client), oldest first
        self.by_address: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        opening = environ.get("PATH_INFO", "").startswith(self.path) and "sid=" not in environ.get("QUERY_STRING", "")
        if opening and not self.let_in(environ):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "30"), ("Connection", "close")])
            return [FULL.encode()]
        return self.wsgi_app(environ, start_response)

    def let_in(self, environ) -> bool:
        """Whether the handshake in `environ` may open: counted for its client, or the presenter's."""
        client = environ.get("REMOTE_ADDR", "")
        if is_local_peer(client):
            forwarded = forwarded_client(environ.get("HTTP_X_FORWARDED_FOR"), environ.get("HTTP_FORWARDED"))
            if forwarded is None:
                return True  # the presenter's own browser on this machine
            client = forwarded
        return self.admit(client) or proves_presenter(self.secret, environ.get(TOKEN_ENVIRON), environ.get("HTTP_COOKIE"),
                                                      client)

    def admit(self, address: str) -> bool:
        """Count a handshake from `address` if there is room for it (the presenter's always; UNKNOWN_CLIENT: no share)."""
        if is_presenter(address):
            return True
        now = self.clock()
        with self._lock:
            while self.recent and self.recent[0][0] <= now - self.join_seconds:
                _, gone = self.recent.popleft()
                self.by_address[gone] -= 1
                if not self.by_address[gone]:
                    del self.by_address[gone]
            if len(self.recent) >= self.room or (address != UNKNOWN_CLIENT and self.by_address[address] >= self.share):
                return False
            self.recent.append((now, address))
            self.by_address[address] += 1
        return True
