"""Connections have a ceiling, not a cliff: the open-file limit raised, a cap on Socket.IO connections, a header deadline.

Every connection costs the process an open file. At the common default (`ulimit -n 1024`)
a few hundred websockets from one client used to exhaust them, and then nobody could even
load the vote page. So the show raises its soft limit to the hard one, refuses a new
Socket.IO connection with 503 and one sentence once `socket_cap(limit)` are open (leaving
room for phones voting over HTTP, the database pool and Docker), gives a client
HEADER_SECONDS to send a request's line and headers (an idle or trickling connection is
closed, not kept), and pauses accepting for a moment instead of printing a traceback if
the limit is reached anyway.

Every accepted connection also gets TCP_NODELAY (`PromptServer`). pywsgi writes a
response's headers and its body in two sends; with Nagle's algorithm on, the body waited
for the client to acknowledge the headers, and clients delay that acknowledgement (40 ms
on Linux) on a connection that is kept alive: every vote after a phone's page load took
40 ms more than its work, and the server sat idle meanwhile.
"""

import errno
import resource
import socket
from typing import Callable

import gevent
from gevent.pywsgi import WSGIHandler, WSGIServer

HEADER_SECONDS = 5.0
RESERVED_FILES = 256  # for phones' HTTP requests, the database pool, Docker, logs
FILES_PER_CONNECTION = 2  # a websocket's socket, and headroom for the HTTP requests it comes with
ACCEPT_PAUSE = 0.1  # seconds without accepting when the process is out of files anyway
NOT_HTTP_SENTENCE = b"This is not an HTTP request."
NOT_HTTP = (b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(NOT_HTTP_SENTENCE), NOT_HTTP_SENTENCE))
FULL = "The show has as many live screens as it can take: close a tab, or try again in a minute."


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):  # some systems cap it lower than they say: keep what we have
            pass
    return soft


def socket_cap(open_files: int) -> int:
    """How many Socket.IO connections fit in `open_files`, with room kept for everything else."""
    return max(16, (open_files - RESERVED_FILES) // FILES_PER_CONNECTION)


def capacity_line(open_files: int, cap: int) -> str:
    """What the ready block says about it."""
    return f"Room for {cap:,} live screens and phones at once (open-file limit {open_files:,}); more are turned away politely."


class ConnectionCap:
    """WSGI middleware: a new Socket.IO connection beyond `cap` open ones gets 503 and one sentence."""

    def __init__(self, wsgi_app, open_connections: Callable[[], int], cap: int, path: str = "/socket.io") -> None:
        self.wsgi_app = wsgi_app
        self.open_connections = open_connections
        self.cap = cap
        self.path = path

    def __call__(self, environ, start_response):
        opening = environ.get("PATH_INFO", "").startswith(self.path) and "sid=" not in environ.get("QUERY_STRING", "")
        if opening and self.open_connections() >= self.cap:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "30"), ("Connection", "close")])
            return [FULL.encode()]
        return self.wsgi_app(environ, start_response)


class DeadlineHandler(WSGIHandler):
    """pywsgi's handler, giving a client HEADER_SECONDS for a request's line and headers (keep-alive waits included)."""

    def read_requestline(self):
        self.socket.settimeout(HEADER_SECONDS)
        return super().read_requestline()

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self.socket.settimeout(None)  # the body, and a websocket's life, are the app's business

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # the client left while we answered it: nothing to print

    def handle_one_response(self):
        super().handle_one_response()
        if self._connection_upgrade_requested():
            self.close_connection = True  # what follows a WebSocket on its connection is its frames, never a request

    def _handle_client_error(self, ex):
        if isinstance(ex, (socket.timeout, ConnectionError)):
            return None  # a client too slow with its headers, or gone: close, nothing to print
        if isinstance(ex, (ValueError, OSError)):  # not HTTP: a 400, and no line of the client's bytes in the terminal
            return "400", NOT_HTTP
        return super()._handle_client_error(ex)


class PromptServer(WSGIServer):
    """gevent's WSGI server, sending what it writes at once: TCP_NODELAY on every connection it accepts."""

    def do_read(self):
        accepted = super().do_read()
        if accepted and accepted[0].family in (socket.AF_INET, socket.AF_INET6):
            accepted[0].setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return accepted


class ShowServer(PromptServer):
    """The show's server: prompt, with the header deadline, pausing instead of failing when out of open files."""

    handler_class = DeadlineHandler

    def do_read(self):
        try:
            return super().do_read()
        except OSError as error:
            if error.errno not in (errno.EMFILE, errno.ENFILE):
                raise
            self.stop_accepting()
            gevent.spawn_later(ACCEPT_PAUSE, self.start_accepting)
            return None
