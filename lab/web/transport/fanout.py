"""One message to a thousand phones: encoded and framed once, written straight into each idle WebSocket.

python-socketio sends a room's message socket by socket: the packet goes into each socket's
Engine.IO queue, that socket's writer greenlet wakes, takes it, frames it (wsproto) and
sends it. Profiled with py-spy, that is about 100 us of the server's one core per phone
and message, half of it Python: a thousand phones cost 0.1 s per results message, twice
a second, on the core that also answers the votes, and every vote waiting behind it.

Here (under gevent, where `lab.web.transport.packet_gate.take_turns` registers each WebSocket's Outbox)
the message is encoded and framed once, and written with one non-blocking send to every
socket that is idle: upgraded to a WebSocket, nothing queued, nothing being sent. Nothing
can overtake what a socket was already given, and no two frames interleave: the socket's
own writer sends through the same Outbox, one send at a time. A socket that is busy,
still polling, or whose kernel buffer is full gets the message the usual way; a frame the
kernel took in part is finished by a greenlet of its own, the Outbox held until it is.
"""

import os
import threading
from typing import Callable

from engineio import packet as eio_packet
from socketio import packet as sio_packet

NAMESPACE = "/"


def websocket_frame(text: str) -> bytes:
    """One final, unmasked text frame (RFC 6455): what a server sends."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class Outbox:
    """A WebSocket's sends, one at a time: its writer's, and the fan-out's straight writes."""

    def __init__(self, websocket, spawn: Callable) -> None:
        self._websocket = websocket  # a simple_websocket.Server, its socket gevent's
        self._lock = threading.Lock()  # gevent's, once monkey-patched
        self._spawn = spawn
        send = websocket.send

        def send_in_turn(data) -> None:  # the Engine.IO writer's every send
            with self._lock:
                send(data)

        websocket.send = send_in_turn

    def write_now(self, frame: bytes) -> bool:
        """Send `frame` if nobody is sending and the kernel takes it at once; False: send it the usual way."""
        if not self._websocket.connected or not self._lock.acquire(blocking=False):
            return False
        sock = self._websocket.sock
        try:
            sent = os.write(sock.fileno(), frame)  # gevent keeps its sockets non-blocking: this never waits
        except OSError:  # buffer full (BlockingIOError) or connection gone: the usual way knows what to do
            self._lock.release()
            return False
        if sent == len(frame):
            self._lock.release()
        else:
            self._spawn(self._finish, sock, frame[sent:])
        return True

    def _finish(self, sock, rest: bytes) -> None:
        try:
            sock.sendall(rest)
        except OSError:
            pass  # the connection is gone: its reader ends it
        finally:
            self._lock.release()


class Outboxes:
    """Every WebSocket's Outbox, by Engine.IO session."""

    def __init__(self, spawn: Callable) -> None:
        self._outboxes: dict[str, Outbox] = {}
        self._spawn = spawn  # SocketIO.start_background_task: a greenlet under gevent

    def add(self, eio_sid: str, websocket) -> None:
        self._outboxes[eio_sid] = Outbox(websocket, self._spawn)

    def get(self, eio_sid: str) -> Outbox | None:
        return self._outboxes.get(eio_sid)

    def forget(self, eio_sid: str) -> None:
        self._outboxes.pop(eio_sid, None)


class FanOut:
    """SocketIO.emit, but `rooms` (alone or in a list) hear their messages written straight into idle WebSockets."""

    def __init__(self, socketio, outboxes: Outboxes, rooms: frozenset[str]) -> None:
        self._socketio = socketio
        self._outboxes = outboxes
        self._rooms = rooms

    def emit(self, event: str, data: object, to: str | list[str]) -> None:
        """Send `event` to a room, a socket or a list of rooms, as SocketIO.emit does."""
        if not set([to] if isinstance(to, str) else to) <= self._rooms:  # a socket, or a room of no fan-out
            self._socketio.emit(event, data, to=to)
            return
        server = self._socketio.server
        encoded = server.packet_class(sio_packet.EVENT, namespace=NAMESPACE, data=[event, data]).encode()
        frame = websocket_frame(eio_packet.Packet(eio_packet.MESSAGE, encoded).encode())
        for sid, eio_sid in server.manager.get_participants(NAMESPACE, to):
            if not self._wrote(eio_sid, frame):
                self._socketio.emit(event, data, to=sid)

    def _wrote(self, eio_sid: str, frame: bytes) -> bool:
        outbox, socket = self._outboxes.get(eio_sid), self._socketio.server.eio.sockets.get(eio_sid)
        if outbox is None or socket is None or not socket.upgraded or socket.closed or socket.queue.qsize():
            return False
        return outbox.write_now(frame)
