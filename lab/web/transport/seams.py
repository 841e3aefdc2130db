"""Where the show leans on other libraries' insides: each hook, the version it was written against, a start-up check.

Everything else in lab/ uses the libraries' documented APIs. What is here has none to
use: each Seam names its package, the version it was written and tested against (the
one the lock installs), what it assumes, and how to see that it still holds. create_app
runs `check_seams()` before it builds anything: if an upgrade took a hook's target away,
the show stops with one sentence naming the package and the version to install, never
runs with the flood gate quietly off.

Add a hook by adding a function that uses it here and a Seam to SEAMS.
"""

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass

from lab.errors import WorkshopError


@dataclass(frozen=True)
class Seam:
    """One hook into another library: what it assumes, written against which version, and a check that it holds."""

    package: str
    version: str
    assumes: str
    holds: Callable[[], bool]


def replace_websocket_driver(eio, driver: Callable) -> None:
    """Make this Engine.IO server (only) open its WebSockets with `driver(handler, server)`."""
    eio._async = {**eio._async, "websocket": driver}


def engine_handler(eio, event: str) -> Callable:
    """The handler python-socketio registered with its Engine.IO server for `event` ("message", "disconnect")."""
    return eio.handlers[event]


def _scratch_engine():
    """A throwaway Engine.IO server, its socket and its Socket.IO server, to look at (nothing is served)."""
    import socketio
    from engineio.socket import Socket

    quiet = logging.getLogger("lab.seams")
    server = socketio.Server(async_mode="threading", logger=quiet, engineio_logger=quiet)
    return server, Socket(server.eio, "seam-check")


def _driver_table_holds() -> bool:
    server, _ = _scratch_engine()
    table = getattr(server.eio, "_async", None)
    return isinstance(table, dict) and callable(table.get("websocket"))


def _handlers_hold() -> bool:
    server, _ = _scratch_engine()
    handlers = getattr(server.eio, "handlers", {})
    return all(callable(handlers.get(event)) for event in ("message", "disconnect"))


def _engine_socket_holds() -> bool:
    _, socket = _scratch_engine()
    closing = inspect.signature(socket.close).parameters
    return all(hasattr(socket, name) for name in ("sid", "upgraded", "closed", "queue")) and {"wait", "abort"} <= set(closing)


def _simple_websocket_holds() -> bool:
    import simple_websocket
    from simple_websocket import ws

    parameters = inspect.signature(simple_websocket.Server).parameters
    loop = inspect.getsource(ws.Base)
    return {"receive_bytes", "thread_class", "event_class", "selector_class"} <= set(parameters) and all(
        use in loop for use in ("thread_class(target=self.", "self.sock.recv(", "self.sock.send(", "self.sock.close()"))


SEAMS = [
    Seam("python-engineio", "4.15.1",
         "Server._async maps 'websocket' to the class that opens a WebSocket, called as driver(handler, server), "
         "the result a WSGI app that calls handler(ws) with an object offering wait(), send() and close()",
         _driver_table_holds),
    Seam("python-socketio", "5.18.1",
         "python-socketio registers its Engine.IO 'message' and 'disconnect' handlers with eio.on, kept in eio.handlers",
         _handlers_hold),
    Seam("python-engineio", "4.15.1",
         "eio.sockets maps a session id to its Engine.IO socket, which has sid, upgraded, closed, a queue of packets waiting for its "
         "writer (the fan-out writes only to a socket with nothing queued) and close(wait=False, abort=True), "
         "which ends the session without waiting for the client",
         _engine_socket_holds),
    Seam("simple-websocket", "1.1.0",
         "simple_websocket.Server starts its reading loop as thread_class(target=<its bound loop>), and that loop "
         "reads, writes and closes through the server's `sock` attribute",
         _simple_websocket_holds),
]


def check_seams(seams: list[Seam] = SEAMS) -> None:
    """Raise WorkshopError if a hook's target is gone: one sentence naming the package and the version to install."""
    for seam in seams:
        try:
            holds = seam.holds()
        except (AttributeError, ImportError, KeyError, OSError, TypeError, ValueError):  # moved or renamed: gone
            holds = False
        if not holds:
            raise WorkshopError(f"The installed {seam.package} is not the one the show was written for "
                                f"(it needs: {seam.assumes}): install {seam.package}=={seam.version} "
                                "with `pip install -r requirements.txt`.")
