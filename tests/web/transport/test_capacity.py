"""Connections have a ceiling, not a cliff: the open-file limit raised, a cap on Socket.IO connections, a header deadline."""

import socket
import struct
import subprocess
import sys
import textwrap

from lab.servers.containers import free_port
from lab.votes.fantasy import FantasyVoteStore
from lab.web.transport.capacity import FULL, socket_cap
from lab.web.config import ShowConfig
from tests.web.helpers import TOKEN

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def run_python(code: str, soft_files: int | None = None, **options) -> subprocess.Popen:
    """Python running `code` from the checkout, with a soft open-file limit of `soft_files` if given."""
    def lower_the_limit():
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (soft_files, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=lower_the_limit if soft_files else None, **options)


def closed_by_the_server(sock: socket.socket) -> bool:
    """Whether the server ended the connection (a FIN, or a reset if it left bytes unread), rather than answering."""
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


def test_the_soft_open_file_limit_is_raised_to_the_hard_one():
    child = run_python("""
        import resource
        from lab.web.transport.capacity import raise_open_file_limit
        print(raise_open_file_limit(), *resource.getrlimit(resource.RLIMIT_NOFILE))
    """, soft_files=256)
    out, err = child.communicate(timeout=60)

    now, soft, hard = map(int, out.split())
    assert now == soft == hard >= 256, err


def test_the_cap_leaves_room_for_everything_else():
    assert 0 < socket_cap(1024) < 1024 // 2
    assert socket_cap(20000) > socket_cap(1024)


def test_beyond_the_cap_a_new_connection_is_refused_in_one_sentence_and_open_ones_carry_on(build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=2))
    client = app.test_client()

    opened = [client.get(HANDSHAKE) for _ in range(2)]
    refused = client.get(HANDSHAKE)
    sid = opened[0].text.split('"sid":"', 1)[1].split('"', 1)[0]
    carrying_on = client.get(f"{HANDSHAKE}&sid={sid}")

    assert [answer.status_code for answer in opened] == [200, 200]
    assert refused.status_code == 503 and refused.text == FULL
    assert refused.headers["X-Frame-Options"] == "DENY"  # refusals are answers like any other
    assert carrying_on.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_client_that_never_sends_its_headers_is_disconnected_quietly():
    port = free_port()
    server = run_python(f"""
        from gevent import monkey; monkey.patch_all()
        from lab.web.transport import capacity
        capacity.HEADER_SECONDS = 0.5
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        server = capacity.ShowServer(("127.0.0.1", {port}), app, log=None)
        server.start()  # listening before it says so
        print("serving", flush=True)
        server.serve_forever()
    """)
    try:
        assert server.stdout.readline().strip() == "serving"
        silent, trickling = (socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(2))
        trickling.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line

        closed = [closed_by_the_server(sock) for sock in (silent, trickling)]
        with socket.create_connection(("127.0.0.1", port), timeout=30) as answered:
            answered.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = answered.recv(1000)
        silent.close()
        trickling.close()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)

    assert closed == [True, True]
    assert reply.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in err


def test_bytes_that_are_not_http_get_a_400_and_leave_nothing_in_the_terminal_even_when_the_client_is_gone():
    port = free_port()
    server = run_python(f"""
        from gevent import monkey; monkey.patch_all()
        from lab.web.transport import capacity
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        server = capacity.ShowServer(("127.0.0.1", {port}), app, log=None)
        server.start()
        print("serving", flush=True)
        server.serve_forever()
    """)
    garbage = b"\x81\x8e" + b"x" * 3000 + b"\r\n\r\n"  # a WebSocket frame where a request line belongs
    try:
        assert server.stdout.readline().strip() == "serving"
        with socket.create_connection(("127.0.0.1", port), timeout=30) as answered:
            answered.sendall(garbage)
            reply = answered.recv(1000)
        for _ in range(20):  # and clients that reset the connection before the answer is sent
            gone = socket.create_connection(("127.0.0.1", port), timeout=30)
            gone.sendall(garbage)
            gone.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            gone.close()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as still_serving:
            still_serving.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            served = still_serving.recv(1000)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)

    assert reply.startswith(b"HTTP/1.1 400") and reply.endswith(b"This is not an HTTP request.")
    assert served.startswith(b"HTTP/1.1 200")
    assert err == ""


def test_every_accepted_connection_sends_at_once_so_a_kept_alive_request_never_waits_for_a_delayed_ack():
    # pywsgi writes headers and body apart: under Nagle's algorithm the body waited for the
    # client's delayed acknowledgement, 40 ms on every vote after a phone's page load
    ports = free_port(), free_port()
    server = run_python(f"""
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
    """)
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
