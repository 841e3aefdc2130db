"""A request's headers and body each have a deadline for the whole of them, and clients' mistakes print nothing of theirs."""

import select
import socket
import struct
import time

from lab.web.transport.request_deadlines import SLOW, ClientTrouble
from tests.web.helpers import answer_then_close, closed_by_the_server, raw_connection

VOTE_HEAD = "POST /api/vote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"


def trickle(connections: list[socket.socket], every: float, bytes_at_most: int) -> int:
    """Send each connection one header byte every `every` seconds until the server has closed them all; how many it closed."""
    closed: set[int] = set()
    for _ in range(bytes_at_most):
        for index, sock in enumerate(connections):
            if index in closed:
                continue
            readable, _, _ = select.select([sock], [], [], 0)
            try:
                if readable and closed_by_the_server(sock):
                    closed.add(index)
                else:
                    sock.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                closed.add(index)
        if len(closed) == len(connections):
            break
        time.sleep(every)  # the attacker's pace, not a wait for the server
    return len(closed)


def test_a_client_trickling_its_headers_is_closed_though_every_byte_comes_in_time(served_show):
    show = served_show(header_seconds=1.0)
    connections = [raw_connection(show.port) for _ in range(10)]
    for sock in connections:
        sock.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")

    closed = trickle(connections, every=0.2, bytes_at_most=100)  # 20 s of bytes, each 0.2 s after the last
    for sock in connections:
        sock.close()
    err = show.finish()

    assert closed == len(connections)
    assert "Traceback" not in err and "X-Slow" not in err


def test_a_body_shorter_than_its_length_is_closed_without_an_answer(served_show):
    show = served_show(body_seconds=1.0)
    with raw_connection(show.port) as sock:
        sock.sendall(VOTE_HEAD.format(length=100).encode() + b"{")
        received, closed = answer_then_close(sock)
    err = show.finish()

    assert (received, closed) == (b"", True)
    assert "Traceback" not in err


def test_a_huge_length_gets_its_413_and_the_connection_is_closed(served_show):
    show = served_show()  # the body deadline is far off: the 413 itself ends the connection
    with raw_connection(show.port) as sock:
        sock.sendall(VOTE_HEAD.format(length=10**12).encode() + b'{"option": ')
        received, closed = answer_then_close(sock)
    err = show.finish()

    assert received.startswith(b"HTTP/1.1 413")
    assert closed
    assert "Traceback" not in err


def test_a_phone_that_leaves_mid_body_leaves_no_traceback(served_show):
    show = served_show()
    for _ in range(5):
        with raw_connection(show.port) as sock:
            sock.sendall(VOTE_HEAD.format(length=100).encode() + b'{"option": "mo')
            sock.shutdown(socket.SHUT_WR)
            received, closed = answer_then_close(sock)
        assert (received, closed) == (b"", True)
    with raw_connection(show.port) as still_serving:
        still_serving.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        served, _ = answer_then_close(still_serving)
    err = show.finish()

    assert served.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in err
    assert all(line.startswith("Clients: ") for line in err.splitlines())  # the summary lines, nothing else


def test_over_a_hundred_headers_get_one_sentence_and_print_nothing_of_the_client(served_show):
    show = served_show()
    headers = "".join(f"X-Header-{number}: secret-{number}\r\n" for number in range(101))
    with raw_connection(show.port) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        received, closed = answer_then_close(sock)
    err = show.finish()

    assert received.startswith(b"HTTP/1.1 400") and received.endswith(b"This is not an HTTP request.")
    assert closed
    assert "Traceback" not in err and "127.0.0" not in err and "secret-" not in err
    assert err.splitlines() == ["Clients: 1 malformed request refused (the show carries on)."]  # at once, then none


def test_a_client_that_never_sends_its_headers_is_disconnected_quietly_and_a_silent_one_is_not_counted(served_show):
    show = served_show(header_seconds=0.5)
    silent, trickling = raw_connection(show.port), raw_connection(show.port)
    trickling.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line

    closed = [closed_by_the_server(sock) for sock in (silent, trickling)]
    with raw_connection(show.port) as answered:
        answered.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply, _ = answer_then_close(answered)
    silent.close()
    trickling.close()
    err = show.finish()

    assert closed == [True, True]
    assert reply.startswith(b"HTTP/1.1 200")
    # the silent one is closed too, but a connection never used (a browser's spare) is nobody's fault
    assert err.splitlines() == ["Clients: 1 connection closed for being too slow (the show carries on)."]


def test_bytes_that_are_not_http_get_a_400_and_leave_nothing_in_the_terminal_even_when_the_client_is_gone(served_show):
    show = served_show()
    garbage = b"\x81\x8e" + b"x" * 3000 + b"\r\n\r\n"  # a WebSocket frame where a request line belongs
    with raw_connection(show.port) as answered:
        answered.sendall(garbage)
        reply, _ = answer_then_close(answered)
    for _ in range(20):  # and clients that reset the connection before the answer is sent
        gone = raw_connection(show.port)
        gone.sendall(garbage)
        gone.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        gone.close()
    with raw_connection(show.port) as still_serving:
        still_serving.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        served, _ = answer_then_close(still_serving)
    err = show.finish()

    assert reply.startswith(b"HTTP/1.1 400") and reply.endswith(b"This is not an HTTP request.")
    assert served.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in err and "xxxx" not in err
    assert all(line.startswith("Clients: ") for line in err.splitlines())  # the summary lines, nothing else


def test_what_clients_do_wrong_is_summed_up_in_at_most_one_line_a_minute():
    lines, scheduled, now = [], [], [1000.0]
    trouble = ClientTrouble(lines.append, every=60.0, clock=lambda: now[0],
                            later=lambda delay, action: scheduled.append((delay, action)))

    trouble.note(SLOW)
    delay, summarise = scheduled.pop()
    summarise()
    for _ in range(299):
        trouble.note(SLOW)
    trouble.write("(from ('192.0.2.7', 5000)) Invalid HTTP method: 'GARBAGE'")  # pywsgi's error log
    later_delay, later = scheduled.pop()
    now[0] += 60
    later()

    assert delay == 0 and later_delay == 60 and not scheduled
    assert lines == ["Clients: 1 connection closed for being too slow (the show carries on).",
                     ("Clients: 1 malformed request refused; 299 connections closed for being too slow "
                      "(the show carries on).")]
