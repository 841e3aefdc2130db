"""Every connection counts against the room, one address holds only its share, and the presenter is never refused."""

import socket
import subprocess
import sys
import textwrap

from lab.servers.containers import free_port
from lab.web.presenter import TOKEN_HEADER
from lab.web.presenter_secret import DEVICE_COOKIE, PresenterSecret
from lab.web.transport.capacity import FULL, Room, fair_share
from tests.web.helpers import AUDIENCE, FORWARDED_AUDIENCE, HOSTILE, TOKEN, WRONG_SECRET, answer_then_close, raw_connection


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
