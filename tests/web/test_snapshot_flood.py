"""Floods don't reach the database: snapshots come from the last computed state, a few per connection,
and only a failed health probe puts "PostgreSQL is down" on the projector, never a busy pool."""

import base64
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lab.servers.containers import free_port
from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from lab.web import runtime_of
from lab.web.transport.packet_gate import PACKET_BURST, SNAPSHOT_BURST, Allowance
from tests.web.helpers import Dashboard, audience_member


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


def test_a_flood_of_snapshot_requests_runs_no_query_and_gets_a_few_answers(offline_app, monkeypatch):
    runtime = runtime_of(offline_app)
    screen = Dashboard(runtime.socketio.test_client(offline_app))
    tallies = []
    real_tally = runtime.show.ballot.real.tally
    monkeypatch.setattr(runtime.show.ballot.real, "tally", lambda: tallies.append(1) or real_tally())

    for _ in range(100):
        screen.connection.emit("snapshot")

    assert tallies == []
    assert len(screen.payloads("snapshot")) == 1 + SNAPSHOT_BURST  # the one on connect, then the burst


def test_a_snapshot_carries_the_results_last_broadcast(offline_app):
    runtime = runtime_of(offline_app)
    screen = Dashboard(runtime.socketio.test_client(offline_app))
    audience_member(offline_app).post("/api/vote", json={"option": "prayer"})
    screen.wait_for("results", lambda results: results["totals"]["fantasy"] == 1)

    screen.connection.emit("snapshot")

    assert screen.payloads("snapshot")[-1]["results"]["totals"]["fantasy"] == 1


@pytest.mark.realdb
def test_a_busy_pool_is_not_a_dead_server_but_a_failed_probe_is(show_config, postgres_settings, build_app):
    show_config.real_store = store = PostgresVoteStore(postgres_settings, pool_size=1, wait_timeout=0.05)
    app = build_app(show_config)
    services = runtime_of(app).services
    answers, real_ping = [], store.ping

    def probe() -> bool:  # the real probe first; then whatever the test last put in `answers`
        answers.append(answers[-1] if answers else real_ping())
        return answers[-1]

    store.ping = probe

    with store.pool.connection():  # the only connection is busy: votes can't get one
        busy = audience_member(app).post("/api/vote", json={"option": "mocks"})
        wait_for(lambda: answers, "the health probe")
        while_busy = services.status()["postgres"]
        answers.append(False)  # from now on the probe fails, as it would against a dead server
        audience_member(app).post("/api/vote", json={"option": "prayer"})
        wait_for(lambda: services.status()["postgres"] == "down", "the failed probe to declare PostgreSQL down")

    assert busy.status_code == 503
    assert answers[0] is True and while_busy == "up"
    assert any(line["text"].startswith("PostgreSQL is down") for line in runtime_of(app).feed.lines())


def test_a_packet_flood_is_cut_before_decoding_and_the_flooder_disconnected(offline_app, connect_dashboard, monkeypatch):
    sid = connect_dashboard(offline_app).connection.eio_sid
    server = runtime_of(offline_app).socketio.server
    dispatched, ended = [], []
    monkeypatch.setattr(server, "_handle_event", lambda *args: dispatched.append(args))
    monkeypatch.setattr(server.eio, "disconnect", ended.append)  # the test client has no transport to close

    for _ in range(1000):
        server.eio.handlers["message"](sid, '2["snapshot"]')  # what engine.io calls with each packet a client sends

    assert len(dispatched) == PACKET_BURST
    assert ended == [sid]  # once, when as many again had been dropped


# The show's app under gevent, as reality_engine.py serves it; on SIGTERM it prints how many
# packets reached the gate (lab.web.transport.packet_gate.guard_packets) and ends.
GEVENT_SHOW = """
from gevent import monkey; monkey.patch_all()
import signal, gevent
from lab.votes.fantasy import FantasyVoteStore
from lab.web import create_app, runtime_of
from lab.web.transport.capacity import ShowServer
from lab.web.config import ShowConfig
app = create_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), async_mode="gevent"))
eio = runtime_of(app).socketio.server.eio
judged, gate = [], eio.handlers["message"]
eio.on("message", lambda sid, data: (judged.append(sid), gate(sid, data)))
server = ShowServer(("127.0.0.1", {port}), app, log=None)
gevent.signal_handler(signal.SIGTERM, lambda: (print(len(judged), flush=True), server.stop()))
server.start()
print("serving", flush=True)
server.serve_forever()
"""


def client_frame(text: str) -> bytes:
    """One masked WebSocket text frame, as a client sends it (a zero mask: the payload reads as it is)."""
    payload = text.encode()
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + bytes(4) + payload


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
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    assert show.stdout.readline().strip() == "serving"
    yield port, show
    if show.poll() is None:
        show.kill()
        show.communicate(timeout=30)


@pytest.mark.slow
def test_under_gevent_a_browsers_offer_of_compression_is_declined(gevent_show):
    port, _ = gevent_show
    sock, head, first = open_raw_websocket(port, BROWSERS_OFFER)
    with sock:
        assert b"sec-websocket-extensions" not in head.lower()
        payload_at = 2 if first[1] < 126 else 4  # a server's frame: unmasked, a short or a 16-bit length
        assert first[0] == 0x81 and first[payload_at:payload_at + 2] == b'0{'  # final text, RSV1 clear: the open packet


@pytest.mark.slow
def test_under_gevent_a_burst_already_received_is_cut_before_it_is_parsed_and_nothing_is_printed(gevent_show):
    port, show = gevent_show
    try:
        with open_raw_websocket(port)[0] as flooder:
            flooder.sendall(client_frame('42["snapshot"]') * 2000)  # all in the server's socket buffer at once

            def closed() -> bool:
                try:
                    return flooder.recv(65536) == b""
                except ConnectionResetError:
                    return True

            wait_for(closed, "the show to close the flooding connection", timeout=30)
    finally:
        show.send_signal(signal.SIGTERM)
        judged, err = show.communicate(timeout=30)

    assert 0 < int(judged) < 200  # read and judged a few dozen frames at a time: the rest never parsed
    assert "Traceback" not in err and "Invalid HTTP method" not in err
