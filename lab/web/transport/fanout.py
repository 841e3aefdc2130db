"""One message to a thousand phones: encoded and framed once, written straight into each idle WebSocket.

python-socketio sends a room's message socket by socket: the packet goes into each socket's
Engine.IO queue, that socket's writer greenlet wakes, takes it, frames it (wsproto) and
sends it. Profiled with py-spy, that is about 100 us of the server's one core per phone
and message, half of it Python: a thousand phones cost 0.1 s per results message, twice
a second, on the core that also answers the votes, and every vote waiting behind it.

Here (under gevent, where each WebSocket's socket is a GatedSocket, lab.web.transport.gated_socket)
the message is encoded once and framed once by wsproto, as each socket's own wsproto
would frame it (no compression is ever agreed), and written with one non-blocking send
to every socket that is idle: upgraded to a WebSocket, nothing queued, nothing being
sent. Nothing can overtake what a socket was already given, and no two frames
interleave: every write to that socket, simple-websocket's own included, goes through
the GatedSocket, one at a time. A socket that is busy, still polling, or whose kernel
buffer is full gets the message the usual way; a frame the kernel took in part is
finished by a greenlet of its own, the socket's writes held until it is.
"""

from engineio import packet as eio_packet
from socketio import packet as sio_packet
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import TextMessage

from lab.web.transport.gated_socket import GatedSockets

NAMESPACE = "/"


def websocket_frame(text: str) -> bytes:
    """`text` as one final, unmasked text frame, framed by wsproto as a server's connection frames it."""
    return Connection(ConnectionType.SERVER).send(TextMessage(data=text))


class FanOut:
    """SocketIO.emit, but `rooms` (alone or in a list) hear their messages written straight into idle WebSockets."""

    def __init__(self, socketio, sockets: GatedSockets, rooms: frozenset[str]) -> None:
        self._socketio = socketio
        self._sockets = sockets
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
        gated, socket = self._sockets.get(eio_sid), self._socketio.server.eio.sockets.get(eio_sid)
        if gated is None or socket is None or not socket.upgraded or socket.closed or socket.queue.qsize():
            return False
        return gated.write_now(frame)
