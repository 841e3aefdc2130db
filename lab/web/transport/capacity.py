"""Connections have a ceiling, not a cliff, and one laptop cannot take the room.

Every open connection counts against the room (lab.web.transport.open_files), HTTP,
polling and WebSocket alike: `ShowServer` counts each from the moment it accepts it, and
one client may hold only a fair share (`fair_share`; a conference Wi-Fi gives every phone
an address of its own). A connection beyond either gets 503 and one sentence. An
Engine.IO handshake holds no connection: lab.web.transport.handshake_gate counts each one
for a few seconds against the same room and share, and knows its client the same way.

Who the client is. A direct client is its address, known at accept: over the room or its
share, it is turned away before a byte of it is read (unless it may be the presenter:
below), and whatever X-Forwarded-For it sends is never read. A connection from this machine (127.0.0.1, ::1) is either the
presenter's own browser or a proxy carrying anyone: a tunnel (cloudflared, ngrok) or
Codespaces' forwarding. It is counted against the room from accept, and once each
request's headers are in (within the header deadline) it is charged to the client the
proxy names, the right-most X-Forwarded-For hop (lab.web.transport.forwarded): the
hostile laptop behind the tunnel is held to its share like any other, and a proxy's
kept-alive connection that carries another client's next request is charged to that one.
A request from this machine with no forwarding header is the presenter's own browser.

The presenter's screen is never refused: its own browser on this machine, and any
request that carries the presenter's secret (the X-Presenter-Token header the dashboard
sends on its Socket.IO requests and actions) or its browser's device proof (the cookie a
browser gets once it proved the secret: lab.web.presenter_secret; page loads and
WebSockets carry it too), whatever its address and however full the room, are let in
uncounted, on the files kept in reserve (open_files.RESERVED_FILES). Both are checked
only for a request that would otherwise be refused, through PresenterSecret's own checks
(a wrong secret counts as a guess). So a direct client over the room or its share is not
turned away unread while its address has fewer than PROBATION_SHARE such connections
waiting (PROBATION_ROOM in all): their headers are read, and only the presenter's proofs
let them in.

Where a share cannot hold (docs/presenter.md, "Behind a tunnel, in Codespaces"): a
forwarding that names no client of the internet (Codespaces, whose forwarded address is
its own network's) counts against the room but no share; phones behind one NAT share one
share; a TCP tunnel (ssh -R) adds no header, so everyone it carries looks like the
presenter's own browser.

Every accepted connection also gets TCP_NODELAY (`PromptServer`). pywsgi writes a
response's headers and its body in two sends; with Nagle's algorithm on, the body waited
for the client to acknowledge the headers, and clients delay that acknowledgement (40 ms
on Linux) on a connection that is kept alive: every vote after a phone's page load took
40 ms more than its work, and the server sat idle meanwhile.
"""

import errno
import socket
import sys
from collections import Counter

import gevent
from gevent.pywsgi import WSGIServer
from werkzeug.http import parse_cookie

from lab.web.presenter import TOKEN_HEADER
from lab.web.presenter_secret import DEVICE_COOKIE, PresenterSecret
from lab.web.transport.forwarded import LOCAL_PEERS, forwarded_client, is_local_peer
from lab.web.transport.request_deadlines import ClientTrouble, DeadlineHandler, TurnedAway

PRESENTER_ADDRESSES = LOCAL_PEERS  # the presenter's browser on this machine: what `localhost` names
SHARE_OF_ROOM = 16  # one address may hold a sixteenth of the room...
MIN_SHARE = 16  # ...and never less than a phone's browser opens with a few tabs
PROBATION_ROOM = 64  # direct connections over their share, read for the secret at once (from the reserve)...
PROBATION_SHARE = 4  # ...and per address: a browser's parallel requests
ACCEPT_PAUSE = 0.1  # seconds without accepting when the process is out of files anyway
TOKEN_ENVIRON = "HTTP_" + TOKEN_HEADER.upper().replace("-", "_")
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


def proves_presenter(secret: PresenterSecret | None, token: str | None, cookies: str | None, client: str) -> bool:
    """Whether the request is the presenter's: its browser's device proof among `cookies`, or `token` the secret
    (a wrong one counts as `client`'s guess, unless the device proof vouches for it)."""
    if secret is None:
        return False
    device = parse_cookie(cookies).get(DEVICE_COOKIE) if cookies and DEVICE_COOKIE in cookies else None
    return secret.proves_device(device) or (bool(token) and secret.check(token, client, device) == "ok")


class Seat:
    """One connection's place in the room: whether it counts, and the address whose share it uses."""

    __slots__ = ("address", "charged", "counted", "local", "peer", "probation")

    def __init__(self, peer: str, *, counted: bool, address: str | None, probation: bool = False) -> None:
        self.peer = peer
        self.local = is_local_peer(peer)  # the presenter's browser or a proxy: seated request by request
        self.counted = counted
        self.address = address  # whose share it uses; None: nobody's (not yet known, or a client nobody named)
        self.charged = address is not None  # admitted for a client, not merely counted since accept
        self.probation = probation  # a direct client over its share: let in only by the secret


class Room:
    """The connections open now, by client: `arrive` at accept, `charge` or `exempt` per request, `leave` at close."""

    def __init__(self, size: int, probation: int = PROBATION_ROOM, probation_share: int = PROBATION_SHARE) -> None:
        self.size = size
        self.share = fair_share(size)
        self.open: Counter[str] = Counter()
        self.total = 0
        self.probation = probation
        self.probation_share = probation_share
        self.waiting: Counter[str] = Counter()  # direct connections on probation, by address

    def arrive(self, peer: str) -> Seat | None:
        """A connection accepted from `peer`: its seat, or None to turn it away unread.

        One from this machine is counted and never turned away here: who it carries is known
        with its request's headers. A direct one is charged to its own address, or put on
        probation (only the secret will let it in) while there is room for that.
        """
        if is_local_peer(peer):
            self.total += 1
            return Seat(peer, counted=True, address=None)
        if self.total < self.size and self.open[peer] < self.share:
            self.open[peer] += 1
            self.total += 1
            return Seat(peer, counted=True, address=peer)
        if self.waiting.total() < self.probation and self.waiting[peer] < self.probation_share:
            self.waiting[peer] += 1
            return Seat(peer, counted=False, address=None, probation=True)
        return None

    def charge(self, seat: Seat, address: str | None) -> bool:
        """Charge `seat` to `address` (None: a client the proxy did not name) if the room and that share have space."""
        if seat.charged and seat.address == address:
            return True  # the same client's next request on a kept-alive connection
        if self.total - seat.counted >= self.size:
            return False
        if address is not None and address != seat.address and self.open[address] >= self.share:
            return False
        self._uncount(seat)
        if address is not None:
            self.open[address] += 1
        self.total += 1
        seat.counted, seat.address, seat.charged = True, address, True
        return True

    def exempt(self, seat: Seat) -> bool:
        """`seat` carries the presenter now: it counts against nothing. Always True."""
        if seat.probation:
            self._unwait(seat)
        self._uncount(seat)
        return True

    def leave(self, seat: Seat) -> None:
        """`seat`'s connection closed."""
        if seat.probation:
            self._unwait(seat)
        self._uncount(seat)

    def _uncount(self, seat: Seat) -> None:
        if seat.address is not None:
            self.open[seat.address] -= 1
            if not self.open[seat.address]:
                del self.open[seat.address]
        self.total -= seat.counted
        seat.counted, seat.address, seat.charged = False, None, False

    def _unwait(self, seat: Seat) -> None:
        self.waiting[seat.peer] -= 1
        if not self.waiting[seat.peer]:
            del self.waiting[seat.peer]
        seat.probation = False


class PromptServer(WSGIServer):
    """gevent's WSGI server, sending what it writes at once: TCP_NODELAY on every connection it accepts."""

    def do_read(self):
        accepted = super().do_read()
        if accepted and accepted[0].family in (socket.AF_INET, socket.AF_INET6):
            accepted[0].setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return accepted


class RoomHandler(DeadlineHandler):
    """The deadlines' handler, holding its connection's seat: a request from this machine, or a direct one on
    probation, is seated once its headers are in, and turned away (503, one sentence) when there is no room for it.

    A direct client's seat was settled at accept: its requests cost one attribute test each.
    """

    server: "ShowServer"

    def __init__(self, sock, address, server: "ShowServer", seat: Seat | None = None) -> None:
        super().__init__(sock, address, server)
        self.seat = seat

    def read_request(self, raw_requestline):
        parsed = super().read_request(raw_requestline)
        seat = self.seat
        if seat is not None and (seat.local or seat.probation) and not self.seated(seat):
            raise TurnedAway(FULL_RESPONSE)
        return parsed

    def seated(self, seat: Seat) -> bool:
        """Whether this request may go on, its connection charged to the client it comes from (or to nobody: the presenter)."""
        room = self.server.room
        assert room is not None  # a seat comes from the room
        if not seat.local:  # a direct client over its share: only the secret lets it in
            return self.proves_presenter(seat.peer) and room.exempt(seat)
        client = forwarded_client(self.header("X-Forwarded-For"), self.header("Forwarded"))
        if client is None:
            return room.exempt(seat)  # the presenter's own browser on this machine
        return room.charge(seat, client or None) or (self.proves_presenter(client) and room.exempt(seat))

    def header(self, name: str) -> str | None:
        """Every value of header `name` joined by commas, in the order received; None when there is none."""
        values = self.headers.get_all(name)
        return ",".join(values) if values else None

    def proves_presenter(self, client: str) -> bool:
        return proves_presenter(self.server.secret, self.headers.get(TOKEN_HEADER), self.header("Cookie"), client)


class ShowServer(PromptServer):
    """The show's server: prompt, every connection counted against the room, the request deadlines, quiet about clients.

    What clients do wrong (too slow, not HTTP, turned away) is summed up in at most one
    line a minute on stderr (`ClientTrouble`), never a traceback or the client's bytes.
    `secret` (the app's PresenterSecret) lets the presenter's requests in however full the room.
    """

    handler_class = RoomHandler

    def __init__(self, listener, application=None, room: int | None = None,
                 trouble: ClientTrouble | None = None, secret: PresenterSecret | None = None, **options) -> None:
        self.trouble = trouble or ClientTrouble()
        options.setdefault("error_log", self.trouble)  # pywsgi's notes on bad requests name the client and its bytes
        options.setdefault("environ", {"wsgi.errors": sys.stderr})  # where the app's own errors go, as before
        super().__init__(listener, application, **options)
        self.secret = secret
        self.room = Room(room, probation=PROBATION_ROOM if secret is not None else 0) if room is not None else None

    def handle(self, sock, address):
        """Serve a connection if it has a seat in the room; otherwise 503, unread, and close."""
        if self.room is None:
            super().handle(sock, address)
            return
        seat = self.room.arrive(address[0] if isinstance(address, tuple) else "")
        if seat is None:
            self.turn_away(sock)
            return
        try:
            self.handler_class(sock, address, self, seat).handle()
        finally:
            self.room.leave(seat)

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
