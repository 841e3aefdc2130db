"""The gate judges every frame a socket sends: a flood of pongs, pings or messages is cut, the other phones go on."""

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from websocket import ABNF

from lab.servers.containers import free_port
from lab.web import runtime_of
from lab.web.config import MAX_BODY_BYTES
from lab.web.transport.packet_gate import PACKET_BURST, Allowance, PollingGate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_allowance_gives_a_burst_then_one_per_interval_per_connection():
    clock = Clock()
    allowance = Allowance(burst=3, every=1.0, clock=clock)

    first = [allowance.take("a") for _ in range(5)]
    other = allowance.take("b")
    clock.now += 1.0
    later = [allowance.take("a") for _ in range(2)]
    allowance.forget("a")

    assert first == [True, True, True, False, False] and other
    assert later == [True, False]
    assert allowance.take("a")  # a new connection under an old id starts afresh
    assert not allowance.take("a", 3) and allowance.take("a", 2)  # several at once: all or none


def polling_post(sid: str, body: bytes) -> dict:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/socket.io/", "QUERY_STRING": f"EIO=4&transport=polling&sid={sid}",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}


def test_a_long_polling_post_over_the_allowance_is_refused_unread_and_its_session_closed():
    reached, cut, statuses = [], [], []

    def engine_io(environ, start_response):
        reached.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"ok"]

    gate = PollingGate(engine_io, Allowance(burst=PACKET_BURST, every=1000.0), cut.append, limit=1_000_000)

    def post(sid: str, body: bytes) -> None:
        gate(polling_post(sid, body), lambda status, headers: statuses.append(status))

    post("a", b"3")
    post("b", b"\x1e".join([b"3"] * 1000))  # a thousand pongs in one payload
    post("a", b"42[\"snapshot\"]\x1e3")

    assert reached == [b"3", b"42[\"snapshot\"]\x1e3"]  # engine.io reads the body the gate read
    assert cut == ["b"] and statuses == ["200 OK", "400 Bad Request", "200 OK"]


# The show's app under gevent, as reality_engine.py serves it; on SIGTERM it prints how many
# Engine.IO packets its server parsed (pings, pongs, messages: every one past the gate) and ends.
GEVENT_SHOW = """
from gevent import monkey; monkey.patch_all()
import signal, gevent
from engineio.socket import Socket
from lab.votes.fantasy import FantasyVoteStore
from lab.web import create_app
from lab.web.transport.capacity import ShowServer
from lab.web.config import ShowConfig
app = create_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), async_mode="gevent"))
parsed, receive = [], Socket.receive
Socket.receive = lambda socket, packet: (parsed.append(packet.packet_type), receive(socket, packet))[1]
server = ShowServer(("127.0.0.1", {port}), app, log=None)
gevent.signal_handler(signal.SIGTERM, lambda: (print(len(parsed), flush=True), server.stop()))
server.start()
print("serving", flush=True)
server.serve_forever()
"""


def client_frame(payload: str | bytes, opcode: int = ABNF.OPCODE_TEXT) -> bytes:
    """One masked frame, as a client sends it."""
    return ABNF(1, 0, 0, 0, opcode, 1, payload).format()


BROWSERS_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"  # Chrome's, Firefox's


def open_raw_websocket(port: int, headers: str = "") -> tuple[socket.socket, bytes, bytes]:
    """A Socket.IO connection over a bare WebSocket: (socket, the server's handshake, its first bytes after it)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n{headers}\r\n").encode())
    received = b""
    while b"\r\n\r\n" not in received or not received.split(b"\r\n\r\n", 1)[1]:
        received += sock.recv(4096)
    assert received.startswith(b"HTTP/1.1 101"), received[:200]
    sock.sendall(client_frame("40"))
    head, _, first = received.partition(b"\r\n\r\n")
    return sock, head, first


@pytest.fixture
def gevent_show():
    """The show's app under gevent in a process of its own: (port, process); it prints "serving" first."""
    port = free_port()
    show = subprocess.Popen([sys.executable, "-c", textwrap.dedent(GEVENT_SHOW.format(port=port))], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[3])
    assert show.stdout.readline().strip() == "serving"
    yield port, show
    if show.poll() is None:
        show.kill()
        show.communicate(timeout=30)


def read_until_closed(sock: socket.socket) -> bytes:
    """All the show sends on `sock` until it closes the connection."""
    received = b""
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not data:
            return received
        received += data


def flood(sock: socket.socket, frames: bytes) -> None:
    try:
        sock.sendall(frames)  # all in the server's socket buffer at once, or as much as it takes before the cut
    except OSError:
        pass  # cut while we were still sending


def snapshot_answered(phone: socket.socket) -> bool:
    """Whether the show still answers this socket: it asks for a snapshot and reads until one comes."""
    phone.sendall(client_frame('42["snapshot"]'))
    received = b""
    while b'42["snapshot"' not in received:
        data = phone.recv(65536)
        if not data:
            return False
        received += data
    return True


@pytest.mark.slow
def test_under_gevent_a_browsers_offer_of_compression_is_declined(gevent_show):
    port, _ = gevent_show
    sock, head, first = open_raw_websocket(port, BROWSERS_OFFER)
    with sock:
        assert b"sec-websocket-extensions" not in head.lower()
        payload_at = 2 if first[1] < 126 else 4  # a server's frame: unmasked, a short or a 16-bit length
        assert first[0] == 0x81 and first[payload_at:payload_at + 2] == b'0{'  # final text, RSV1 clear: the open packet


@pytest.mark.slow
@pytest.mark.parametrize("frame", [client_frame("3"), client_frame('42["snapshot"]')],
                         ids=["engine.io pongs", "socket.io messages"])
def test_under_gevent_a_flood_is_cut_before_it_is_parsed_and_another_phone_goes_on(gevent_show, frame):
    port, show = gevent_show
    phone = open_raw_websocket(port)[0]
    try:
        with phone, open_raw_websocket(port)[0] as flooder:
            flood(flooder, frame * 10_000)
            read_until_closed(flooder)
            assert snapshot_answered(phone)
    finally:
        show.send_signal(signal.SIGTERM)
        parsed, err = show.communicate(timeout=30)

    assert 0 < int(parsed) < 100  # of 10,000: the allowance, a few dozen at most; the rest never parsed
    assert "Traceback" not in err and "Invalid HTTP method" not in err


@pytest.mark.slow
def test_under_gevent_a_websocket_ping_flood_is_cut_and_answered_a_few_times_at_most(gevent_show):
    port, show = gevent_show
    phone = open_raw_websocket(port)[0]
    try:
        with phone, open_raw_websocket(port)[0] as flooder:
            flood(flooder, client_frame(b"", ABNF.OPCODE_PING) * 10_000)
            answered = read_until_closed(flooder)
            assert snapshot_answered(phone)
    finally:
        show.send_signal(signal.SIGTERM)
        _, err = show.communicate(timeout=30)

    pongs = answered.count(bytes([0x80 | ABNF.OPCODE_PONG, 0]))  # simple-websocket's pong to each ping it parsed
    assert pongs <= PACKET_BURST  # of 10,000; the rest never parsed, never answered
    assert "Traceback" not in err


def test_a_long_polling_session_that_posts_a_flood_of_pongs_is_closed_and_another_goes_on(offline_app):
    client, eio = offline_app.test_client(), runtime_of(offline_app).socketio.server.eio

    def handshake() -> str:
        opened = client.get("/socket.io/?EIO=4&transport=polling").get_data(as_text=True)
        return json.loads(opened[1:])["sid"]

    flooder, phone, huge = handshake(), handshake(), handshake()
    flooded = client.post(f"/socket.io/?EIO=4&transport=polling&sid={flooder}", data="\x1e".join(["3"] * 1000))
    too_long = client.post(f"/socket.io/?EIO=4&transport=polling&sid={huge}", data="3" * (MAX_BODY_BYTES + 1))
    answered = client.post(f"/socket.io/?EIO=4&transport=polling&sid={phone}", data="40")

    assert flooded.status_code == 400 and flooder not in eio.sockets
    assert too_long.status_code == 413 and huge not in eio.sockets  # engine.io's own refusal waited for a poll
    assert answered.status_code == 200 and phone in eio.sockets
    assert client.post(f"/socket.io/?EIO=4&transport=polling&sid={flooder}", data="3").status_code == 400  # gone
