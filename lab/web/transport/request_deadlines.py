"""Deadlines for a request, each for the whole of it (not per read), and nothing of a client's in the terminal.

pywsgi waits for a client as long as the client likes: a header byte every few seconds
kept a connection (and an open file) forever, and so did a body shorter than its
Content-Length. `DeadlineHandler` gives a request HEADER_SECONDS from the start of its
wait to its last header line (a `gevent.Timeout` around pywsgi's reading: trickling does
not reset it), and BODY_SECONDS from there to its body's last byte (`BodyDeadline`, the
request's wsgi.input when it declares a body). A client that misses either, or leaves
mid-request, is disconnected without an answer. A body the app did not read (a 413, a
route that ignores it) is not waited for: its connection closes after the answer.

A request can also be turned away once its headers are read (`TurnedAway`): the room
(lab.web.transport.capacity) learns who a proxy on this machine carries only then.

What clients do wrong never prints a traceback or their bytes: `ClientTrouble` counts it
and writes at most one line a minute ("12 connections closed for being too slow").
"""

import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from http.client import HTTPException

import gevent
from gevent.pywsgi import WSGIHandler

HEADER_SECONDS = 5.0  # from the wait for a request line (keep-alive waits included) to the last header
BODY_SECONDS = 5.0  # from the last header to the body's last byte: a phone's vote is a hundred bytes
SUMMARY_SECONDS = 60.0
SLOW, GONE, IDLE, MALFORMED, FULL = "slow", "gone", "idle", "malformed", "full"
SUMMARY_WORDS = {  # reason -> (one, many)
    SLOW: ("connection closed for being too slow", "connections closed for being too slow"),
    GONE: ("request left unfinished by its client", "requests left unfinished by their clients"),
    MALFORMED: ("malformed request refused", "malformed requests refused"),
    FULL: ("connection turned away for want of room", "connections turned away for want of room"),
}
NOT_HTTP_SENTENCE = b"This is not an HTTP request."
NOT_HTTP = (b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(NOT_HTTP_SENTENCE), NOT_HTTP_SENTENCE))


class Dropped(BaseException):
    """A request abandoned and its connection closed without an answer: its client was too slow, or left.

    A BaseException, as gevent.Timeout is, so an app's `except Exception` lets it through to
    the handler, which closes the connection.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TurnedAway(BaseException):
    """A request refused once its headers were read, for want of room: `answer` (a whole HTTP response) is sent, then the
    connection closes. A BaseException, as Dropped is, so pywsgi's handling of bad requests leaves it alone."""

    def __init__(self, answer: bytes) -> None:
        super().__init__("turned away")
        self.answer = answer


class BodyDeadline:
    """A request's wsgi.input, read within one deadline for the whole body; Dropped when it is missed or cut short."""

    def __init__(self, stream, length: int | None, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.length = length  # None: chunked, it ends with its last chunk
        self.deadline = clock() + seconds
        self.clock = clock
        self.received = 0
        self.ended = False

    def read(self, size: int | None = None) -> bytes:
        return self._within(self.stream.read, None if size is None or size < 0 else size)

    def readline(self, size: int | None = None) -> bytes:
        return self._within(self.stream.readline, None if size is None or size < 0 else size)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")

    def _within(self, read: Callable[[int | None], bytes], size: int | None) -> bytes:
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise Dropped(SLOW)
        try:
            with gevent.Timeout(remaining, Dropped(SLOW)):
                data = read(size)
        except OSError:  # pywsgi's end of file before the length, a reset, a bad chunk: the client left
            raise Dropped(GONE) from None
        self.received += len(data)
        self.ended = self.ended or not data or (self.length is not None and self.received >= self.length)
        return data


class DeadlineHandler(WSGIHandler):
    """pywsgi's handler, with the deadlines for a request's headers and body, and quiet about clients' mistakes."""

    body: BodyDeadline | None = None
    headers_due: gevent.Timeout | None = None

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # the client left while we answered it: nothing to print

    def handle_one_request(self):
        self.body = None
        self.headers_due = gevent.Timeout(HEADER_SECONDS, Dropped(SLOW))
        self.headers_due.start()
        try:
            result = super().handle_one_request()
        except Dropped as dropped:
            self.note(dropped.reason)
            return None  # close
        except TurnedAway as turned:
            self.note(FULL)
            return "503", turned.answer  # pywsgi sends it, then closes
        finally:
            self.headers_due.close()
        if isinstance(result, tuple) and result[0] == "400":
            return "400", NOT_HTTP  # one sentence, never the client's bytes
        return result

    def read_requestline(self):
        try:
            self.rfile.peek(1)  # the first byte: a connection that never sends one is idle (a browser's spare), not slow
        except Dropped:
            raise Dropped(IDLE) from None  # closed all the same, but not counted
        return super().read_requestline()

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        except HTTPException as error:  # over 100 headers, a line over 64 KB: pywsgi's signal for a bad request
            raise ValueError(type(error).__name__) from None
        except OSError:
            raise Dropped(GONE) from None
        finally:
            if self.headers_due is not None:
                self.headers_due.close()  # the headers are in: what follows has deadlines of its own

    def get_environ(self):
        environ = super().get_environ()
        chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
        if environ.get("wsgi.input_terminated") and (self.content_length or chunked):  # a body, not an upgrade
            self.body = BodyDeadline(environ["wsgi.input"], None if chunked else self.content_length, BODY_SECONDS)
            environ["wsgi.input"] = self.body
        return environ

    def run_application(self):
        try:
            super().run_application()
        except Dropped as dropped:
            self.note(dropped.reason)
            self.close_connection = True
        if self.body is not None and not self.body.ended:
            self.close_connection = True  # what is left of the body is never waited for
            try:
                self.socket.shutdown(socket.SHUT_RD)  # and pywsgi's read of the rest ends at once
            except OSError:
                pass  # the client has gone already

    def handle_one_response(self):
        super().handle_one_response()
        connection = self.environ.get("HTTP_CONNECTION", "").lower()
        if "upgrade" in connection or self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            self.close_connection = True  # what follows a WebSocket on its connection is its frames, never a request

    def note(self, reason: str) -> None:
        """Count what the client did wrong on the server's summary (a connection left idle is not wrong)."""
        trouble = getattr(self.server, "trouble", None)
        if reason != IDLE and trouble is not None:
            trouble.note(reason)


class ClientTrouble:
    """What clients did wrong, summed up in at most one line every SUMMARY_SECONDS; never a traceback or their bytes.

    Also pywsgi's error log (`write`): its notes on a bad request name the client and quote
    its bytes, so each is counted instead of printed.
    """

    def __init__(self, print_line: Callable[[str], None] | None = None, every: float = SUMMARY_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 later: Callable[..., object] = gevent.spawn_later) -> None:
        self.print_line = print_line or (lambda line: print(line, file=sys.stderr, flush=True))
        self.every = every
        self.clock = clock
        self.later = later
        self.counts: Counter[str] = Counter()
        self.last = float("-inf")
        self.pending = False

    def note(self, reason: str) -> None:
        """One more of `reason`; the summary goes out at once if none went out in the last minute, else then."""
        self.counts[reason] += 1
        if not self.pending:
            self.pending = True
            self.later(max(0.0, self.last + self.every - self.clock()), self.summarise)

    def summarise(self) -> None:
        """Print the line for what was counted since the last one."""
        self.pending = False
        self.last = self.clock()
        parts = [f"{count:,} {SUMMARY_WORDS[reason][count > 1]}" for reason, count in sorted(self.counts.items())]
        self.counts.clear()
        if parts:
            self.print_line(f"Clients: {'; '.join(parts)} (the show carries on).")

    def write(self, message: str) -> None:
        """pywsgi's note on a malformed request: counted, not printed."""
        self.note(MALFORMED)
