"""Every connection counts against the room, one address holds only its share, and the presenter is never refused."""

import socket
import subprocess
import sys
import textwrap

from lab.servers.containers import free_port
from lab.votes.fantasy import FantasyVoteStore
from lab.web.config import ShowConfig
from lab.web.transport.capacity import FULL, HandshakeGate, Room, fair_share
from lab.web.transport.open_files import connection_room
from tests.web.helpers import TOKEN, answer_then_close, raw_connection

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
AUDIENCE = [f"192.0.2.{number}" for number in range(1, 250)]  # each phone its own address, as on conference Wi-Fi


def handshake(client, address: str):
    return client.get(HANDSHAKE, environ_base={"REMOTE_ADDR": address})


def test_one_address_holds_only_its_share_of_the_room_and_the_presenters_address_is_never_refused():
    room = Room(64, probation=0)
    laptop = [room.arrive("192.0.2.66") for _ in range(100)]
    phones = [room.arrive(address) for address in AUDIENCE[:48]]
    presenter = [room.arrive(address) for address in ("127.0.0.1", "::1")]  # counted until their headers say who

    assert sum(seat is not None for seat in laptop) == fair_share(64) == 16
    assert None not in phones and room.arrive(AUDIENCE[100]) is None
    assert None not in presenter and room.total == 66
    assert all(room.exempt(seat) for seat in presenter) and room.total == 64  # no forwarding header: the presenter's
    room.leave(laptop[0])
    assert room.arrive(AUDIENCE[100]) is not None


def test_a_flood_of_polling_handshakes_from_one_laptop_cannot_fill_the_room(build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=64))
    client = app.test_client()

    flood = [handshake(client, "192.0.2.66").status_code for _ in range(2000)]
    phones = [handshake(client, address).status_code for address in AUDIENCE[:40]]
    projector = handshake(client, "127.0.0.1")
    refused = handshake(client, "192.0.2.66")

    assert flood.count(200) == fair_share(64) and flood.count(503) == 2000 - fair_share(64)
    assert phones == [200] * 40
    assert projector.status_code == 200
    assert refused.status_code == 503 and refused.text == FULL
    assert refused.headers["X-Frame-Options"] == "DENY"  # refusals are answers like any other
    assert client.get("/healthz").status_code == 200


def test_a_full_room_still_lets_the_presenters_screen_in_and_carries_on_open_sessions(build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=connection_room(256)))  # a Mac's default limit, never raised
    client = app.test_client()

    opened = [handshake(client, address) for address in AUDIENCE[:connection_room(256)]]
    refused = handshake(client, AUDIENCE[-1])
    sid = opened[0].text.split('"sid":"', 1)[1].split('"', 1)[0]
    carrying_on = client.post(f"{HANDSHAKE}&sid={sid}", data="40", environ_base={"REMOTE_ADDR": AUDIENCE[0]})

    assert {answer.status_code for answer in opened} == {200}
    assert refused.status_code == 503
    assert [handshake(client, "127.0.0.1").status_code for _ in range(20)] == [200] * 20
    assert carrying_on.status_code == 200


def test_a_handshake_stops_counting_after_a_few_seconds():
    now = [0.0]
    gate = HandshakeGate(lambda environ, start_response: [b"ok"], room=64, join_seconds=5.0, clock=lambda: now[0])

    first = [gate.admit("192.0.2.66") for _ in range(fair_share(64) + 1)]
    now[0] += 5.0
    later = gate.admit("192.0.2.66")

    assert first[-1] is False and all(first[:-1])
    assert later is True


def test_every_open_connection_counts_and_one_address_holds_only_its_share(served_show):
    show = served_show(room=32)  # a share of 16 each
    held = [raw_connection(show.port, source) for source in ("127.0.0.2", "127.0.0.3") for _ in range(16)]
    for sock in held:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # a request begun, held open

    with raw_connection(show.port, "127.0.0.2") as over_its_share, raw_connection(show.port, "127.0.0.4") as room_full:
        refusals = [answer_then_close(sock) for sock in (over_its_share, room_full)]
    with raw_connection(show.port, "127.0.0.1") as presenter:
        presenter.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        served, _ = answer_then_close(presenter)
    for sock in held:
        sock.close()
    err = show.finish()

    for received, closed in refusals:
        assert received.startswith(b"HTTP/1.1 503") and received.endswith(FULL.encode()) and closed
    assert served.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in err


def test_every_accepted_connection_sends_at_once_so_a_kept_alive_request_never_waits_for_a_delayed_ack():
    # pywsgi writes headers and body apart: under Nagle's algorithm the body waited for the
    # client's delayed acknowledgement, 40 ms on every vote after a phone's page load
    ports = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from gevent import monkey; monkey.patch_all()
        import socket
        from gevent.socket import wait_read
        from lab.web.transport import capacity
        servers = [capacity.ShowServer(("127.0.0.1", {ports[0]}), None, log=None),
                   capacity.PromptServer(("127.0.0.1", {ports[1]}), None, log=None)]
        for server in servers:
            server.init_socket()
        print("listening", flush=True)
        for server in servers:
            wait_read(server.socket.fileno())
            accepted, _ = server.do_read()
            print(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), flush=True)
    """)], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert server.stdout.readline().strip() == "listening"
        clients = [socket.create_connection(("127.0.0.1", port), timeout=30) for port in ports]
        flags = [server.stdout.readline().strip() for _ in ports]
        for client in clients:
            assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # the server's own doing
            client.close()
    finally:
        _, err = server.communicate(timeout=30)

    assert flags[0] not in ("", "0") and flags[1] not in ("", "0"), err
