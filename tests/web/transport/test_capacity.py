"""Every connection counts against the room, one address holds only its share, and the presenter is never refused."""

import socket
import subprocess
import sys
import textwrap

from lab.servers.containers import free_port
from lab.votes.fantasy import FantasyVoteStore
from lab.web import runtime_of
from lab.web.config import ShowConfig
from lab.web.presenter import TOKEN_HEADER
from lab.web.presenter_secret import DEVICE_COOKIE, PresenterSecret
from lab.web.transport.capacity import FULL, HandshakeGate, Room, fair_share
from lab.web.transport.open_files import connection_room
from tests.web.helpers import TOKEN, answer_then_close, raw_connection

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
AUDIENCE = [f"192.0.2.{number}" for number in range(1, 250)]  # each phone its own address, as on conference Wi-Fi
# Behind a tunnel the proxy names each phone by the address it saw: public ones (a carrier, a home network)
FORWARDED_AUDIENCE = [f"11.0.{number // 200}.{number % 200 + 1}" for number in range(400)]
HOSTILE = "11.6.6.6"
WRONG_SECRET = "not-the-presenters-secret"


def ask(port: int, source: str = "127.0.0.1", forwarded_for: str | None = None, token: str | None = None,
        sock: socket.socket | None = None, device: str | None = None) -> tuple[int, socket.socket]:
    """GET /healthz from `source` (127.0.0.1: through a proxy on this machine when `forwarded_for` is given), on `sock`
    if given (a kept-alive connection), with the secret or a device proof if given: (the status, the connection, left
    open when the show keeps it)."""
    sock = sock or raw_connection(port, source)
    cookie = f"{DEVICE_COOKIE}={device}" if device else None
    headers = "".join(f"{name}: {value}\r\n" for name, value in
                      (("X-Forwarded-For", forwarded_for), (TOKEN_HEADER, token), ("Cookie", cookie))
                      if value is not None)
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(65536)
        if not chunk:
            break
        head += chunk
    length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]) if b"ength:" in head else 0
    body = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""
    while len(body) < length and (chunk := sock.recv(65536)):
        body += chunk
    return int(head.split(b" ", 2)[1]) if head else 0, sock


def statuses(answers: list[tuple[int, socket.socket]]) -> list[int]:
    return [status for status, _ in answers]


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
        for sock in (over_its_share, room_full):  # read for the presenter's secret, which they do not carry
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
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


def through_tunnel(client, forwarded_for: str, token: str | None = None):
    """A polling handshake through a proxy on this machine that names its client `forwarded_for`."""
    headers = {"X-Forwarded-For": forwarded_for, **({TOKEN_HEADER: token} if token else {})}
    return client.get(HANDSHAKE, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_behind_a_tunnel_a_flood_of_handshakes_from_one_laptop_is_held_to_its_share_and_the_presenter_connects(
        build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=64))
    client = app.test_client()

    flood = [through_tunnel(client, HOSTILE).status_code for _ in range(100)]
    phones = [through_tunnel(client, address).status_code for address in FORWARDED_AUDIENCE[:48]]  # the room is full
    late_phone = through_tunnel(client, FORWARDED_AUDIENCE[48])
    wrong_secret = through_tunnel(client, "11.9.9.9", WRONG_SECRET)
    projector = through_tunnel(client, "11.9.9.9", TOKEN)
    presenters_laptop = client.get(HANDSHAKE, environ_base={"REMOTE_ADDR": "127.0.0.1"})  # no forwarding header
    proven_browser = app.test_client()  # a browser that proved the secret holds the device proof, sent on every request
    proven_browser.set_cookie(DEVICE_COOKIE, runtime_of(app).secret.device_proof())
    its_socket = through_tunnel(proven_browser, "11.9.9.9")

    assert flood.count(200) == fair_share(64) and flood.count(503) == 100 - fair_share(64)
    assert phones == [200] * 48
    assert late_phone.status_code == 503 and wrong_secret.status_code == 503
    assert projector.status_code == 200 and presenters_laptop.status_code == 200
    assert its_socket.status_code == 200


def test_behind_a_tunnel_one_laptop_holds_only_its_share_of_the_connections_and_the_presenter_always_connects(
        served_show):
    show = served_show(room=64)  # a share of 16
    hostile = [ask(show.port, forwarded_for=HOSTILE) for _ in range(30)]  # each kept alive when let in
    phones = [ask(show.port, forwarded_for=address) for address in FORWARDED_AUDIENCE[:48]]  # the room is now full
    late_phone = ask(show.port, forwarded_for=FORWARDED_AUDIENCE[48])
    wrong_secret = ask(show.port, forwarded_for="11.9.9.9", token=WRONG_SECRET)
    projector = ask(show.port, forwarded_for="11.9.9.9", token=TOKEN)
    presenters_laptop = ask(show.port)  # 127.0.0.1 without a forwarding header: the presenter's own browser
    # a page load or a WebSocket carries no header of the page's, but the browser's device proof (a cookie)
    proven_browser = ask(show.port, forwarded_for="11.9.9.9", device=PresenterSecret(TOKEN).device_proof())
    forged_proof = ask(show.port, forwarded_for="11.9.9.9", device="forged.proof")
    # the proxy's kept-alive connection carries another client's request next: it is charged to that client
    reused_for_the_laptop = ask(show.port, forwarded_for=HOSTILE, sock=phones[0][1])
    reused_for_a_phone = ask(show.port, forwarded_for=FORWARDED_AUDIENCE[100], sock=phones[1][1])
    for _, sock in [*hostile, *phones, late_phone, wrong_secret, projector, presenters_laptop, proven_browser,
                    forged_proof]:
        sock.close()
    err = show.finish()

    assert statuses(hostile).count(200) == 16 and statuses(hostile).count(503) == 14
    assert statuses(phones) == [200] * 48
    assert late_phone[0] == 503 and wrong_secret[0] == 503 and forged_proof[0] == 503
    assert projector[0] == 200 and presenters_laptop[0] == 200 and proven_browser[0] == 200
    assert reused_for_the_laptop[0] == 503 and reused_for_a_phone[0] == 200
    assert "Traceback" not in err


def test_a_forged_x_forwarded_for_buys_nothing_through_the_tunnel_or_direct(served_show):
    show = served_show(room=64)
    # through the proxy: the laptop writes a new address to the left every time; the proxy appends the one it saw
    through_the_proxy = [ask(show.port, forwarded_for=f"11.1.1.{number}, {HOSTILE}") for number in range(1, 31)]
    # direct, on the venue's Wi-Fi: the laptop sends X-Forwarded-For itself, a new address every time
    direct = [ask(show.port, source="127.0.0.2", forwarded_for=f"11.2.2.{number}") for number in range(1, 31)]
    for _, sock in [*through_the_proxy, *direct]:
        sock.close()
    err = show.finish()

    assert statuses(through_the_proxy).count(200) == 16 and statuses(through_the_proxy).count(503) == 14
    assert statuses(direct).count(200) == 16 and statuses(direct).count(503) == 14
    assert "Traceback" not in err


def test_the_presenters_secret_lets_a_screen_in_over_its_addresss_share_and_in_a_full_room(served_show):
    show = served_show(room=32)
    held = [ask(show.port, source=source) for source in ("127.0.0.2", "127.0.0.3") for _ in range(16)]  # full
    over_its_share = ask(show.port, source="127.0.0.2")
    wrong_secret = ask(show.port, source="127.0.0.4", token=WRONG_SECRET)
    projector = ask(show.port, source="127.0.0.2", token=TOKEN)  # the address a NAT gives the laptop too
    another_screen = ask(show.port, source="127.0.0.4", token=TOKEN)
    for _, sock in [*held, over_its_share, wrong_secret, projector, another_screen]:
        sock.close()
    err = show.finish()

    assert statuses(held) == [200] * 32
    assert over_its_share[0] == 503 and wrong_secret[0] == 503
    assert projector[0] == 200 and another_screen[0] == 200
    assert "Traceback" not in err
