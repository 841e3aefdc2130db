"""The phones' fan-out: one frame written straight into idle WebSockets, never out of order, never interleaved."""

import json
import socket
import threading

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from lab.web.transport.fanout import FanOut, websocket_frame
from lab.web.transport.gated_socket import GatedSocket, GatedSockets


def wsproto_frame(text: str) -> bytes:
    """What simple-websocket (wsproto underneath) sends for `text`, without compression."""
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert isinstance(next(server.events()), Request)
    server.send(AcceptConnection())
    return server.send(TextMessage(data=text))


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_a_frame_is_what_simple_websocket_would_send(size):
    text = "é" * (size // 2) + "x" * (size % 2)  # UTF-8: the length is in bytes

    assert websocket_frame(text) == wsproto_frame(text)


class FakeWebSocket:
    """What a GatedSocket reads of simple_websocket.Server: whether it is `connected`."""

    def __init__(self) -> None:
        self.connected = True


def gated(sock: socket.socket, websocket: FakeWebSocket | None = None, spawn=None) -> GatedSocket:
    return GatedSocket(sock, websocket or FakeWebSocket(), take=lambda: True, wait_turn=lambda: None,
                       spawn=spawn or (lambda target, *args: None), closed=lambda: None)


@pytest.fixture
def pair():
    """(server end with a timeout: non-blocking underneath, as gevent's are; client end)."""
    server, client = socket.socketpair()
    server.settimeout(10)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    yield server, client
    server.close()
    client.close()


def spawn(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    sock.settimeout(10)
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def test_an_idle_socket_gets_the_frame_at_once(pair):
    server, client = pair

    assert gated(server).write_now(websocket_frame("42[\"results\",{}]"))
    assert read_exactly(client, 18) == websocket_frame("42[\"results\",{}]")
    assert server.gettimeout() == 10  # the socket's own timeout, as it was


def test_a_socket_still_finishing_a_frame_is_left_to_its_writer(pair):
    server, _ = pair
    finishing = []
    sock = gated(server, spawn=lambda target, *args: finishing.append((target, args)))  # the finish waits its turn

    assert sock.write_now(websocket_frame("a" * 1_000_000))
    assert finishing, "the kernel took it all: nothing left to finish"
    assert not sock.write_now(websocket_frame("x"))


def test_a_closed_websocket_is_left_to_its_writer(pair):
    server, _ = pair
    websocket = FakeWebSocket()
    websocket.connected = False

    assert not gated(server, websocket).write_now(websocket_frame("x"))


def test_a_full_kernel_buffer_is_left_to_the_writer_without_waiting(pair):
    server, _ = pair
    sock = gated(server, spawn=spawn)
    server.setblocking(False)
    try:
        while True:
            server.send(b"x" * 65536)  # fill the buffers: the client never reads
    except BlockingIOError:
        pass
    server.settimeout(10)

    assert not sock.write_now(websocket_frame("x"))


def test_a_frame_the_kernel_takes_in_part_is_finished_before_simple_websockets_next_write(pair):
    server, client = pair
    finishing = []
    sock = gated(server, spawn=lambda target, *args: finishing.append(spawn(target, *args)))
    big = websocket_frame("a" * 1_000_000)  # far more than the socket's buffers

    assert sock.write_now(big)
    assert finishing, "the kernel took it all: nothing left to finish"
    writer = spawn(sock.send, websocket_frame("after"))  # simple-websocket's next write (a message, a pong) waits its turn
    received = read_exactly(client, len(big) + len(websocket_frame("after")))
    writer.join(10)
    finishing[0].join(10)

    assert received == big + websocket_frame("after")


class FakeEngineSocket:
    def __init__(self, upgraded=True, queued=0, closed=False) -> None:
        self.upgraded, self.closed = upgraded, closed
        self.queue = type("Queue", (), {"qsize": lambda _: queued})()


class FakeSocketIO:
    """SocketIO's emit and the python-socketio parts FanOut reads: participants, Engine.IO sockets, packets."""

    def __init__(self, participants: dict[str, str], engine_sockets: dict) -> None:
        import socketio

        self.emitted: list[tuple] = []
        self.server = type("Server", (), {})()
        self.server.packet_class = socketio.packet.Packet
        self.server.manager = type("Manager", (), {"get_participants": lambda _, ns, room: iter(participants.items())})()
        self.server.eio = type("Engine", (), {"sockets": engine_sockets})()

    def emit(self, event, data, to) -> None:
        self.emitted.append((event, data, to))


class Recorder:
    """A GatedSocket that notes what it was asked to write, and says whether the kernel took it."""

    def __init__(self, takes: bool = True) -> None:
        self.takes = takes
        self.frames: list[bytes] = []

    def write_now(self, frame: bytes) -> bool:
        self.frames.append(frame)
        return self.takes


def test_the_phones_room_is_written_straight_into_idle_websockets_and_the_rest_goes_the_usual_way():
    sockets = {"e-idle": FakeEngineSocket(), "e-queued": FakeEngineSocket(queued=1),
               "e-polling": FakeEngineSocket(upgraded=False), "e-full": FakeEngineSocket(), "e-closed": FakeEngineSocket(closed=True)}
    participants = {"idle": "e-idle", "queued": "e-queued", "polling": "e-polling", "full": "e-full", "closed": "e-closed",
                    "no-outbox": "e-none"}
    socketio = FakeSocketIO(participants, sockets)
    sockets = GatedSockets()
    idle, full = Recorder(), Recorder(takes=False)
    for eio_sid, recorder in {"e-idle": idle, "e-queued": Recorder(), "e-polling": Recorder(), "e-full": full,
                              "e-closed": Recorder()}.items():
        sockets.add(eio_sid, recorder)
    fanout = FanOut(socketio, sockets, rooms=frozenset({"phones", "dashboards"}))
    payload = {"visible": True, "totals": {"real": 3, "fantasy": 4}}

    fanout.emit("results", payload, to="phones")
    fanout.emit("feed", [{"text": "hi"}], to=["dashboards", "presenter"])  # one room of the two has no fan-out
    fanout.emit("results", payload, to="a-socket-id")

    assert idle.frames == [websocket_frame("42" + json.dumps(["results", payload], separators=(",", ":")))]
    assert full.frames == idle.frames  # tried, and the kernel was full: the usual way
    usual = {to for event, _, to in socketio.emitted if event == "results"}
    assert usual == {"queued", "polling", "full", "closed", "no-outbox", "a-socket-id"}
    assert ("feed", [{"text": "hi"}], ["dashboards", "presenter"]) in socketio.emitted  # other rooms: SocketIO.emit
    assert ("results", payload, "a-socket-id") in socketio.emitted  # and one socket, too


def test_the_frame_is_the_packet_python_socketio_would_have_queued():
    import socketio
    from engineio import packet as eio_packet

    payload = {"visible": True, "counts": {"mocks": {"real": 1, "fantasy": 2}}, "label": "Ünïcode \"quoted\""}
    queued = eio_packet.Packet(eio_packet.MESSAGE, socketio.packet.Packet(
        socketio.packet.EVENT, namespace="/", data=["results", payload]).encode()).encode()
    recorder = Recorder()
    sockets = GatedSockets()
    sockets.add("e", recorder)

    FanOut(FakeSocketIO({"s": "e"}, {"e": FakeEngineSocket()}), sockets, frozenset({"phones"})).emit("results", payload, "phones")

    assert recorder.frames == [websocket_frame(queued)]
