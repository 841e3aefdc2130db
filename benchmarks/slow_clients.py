"""One laptop against the room's connections: slow headers, short bodies, huge lengths, a flood of handshakes.

    python benchmarks/slow_clients.py      # these four scenes alone (benchmarks/hostile.py runs them too)

Each scene runs against a fresh `reality_engine.py` (gevent, Docker, the machine's own
open-file limit) and is measured against a baseline in the same run (issue 19, point 4):

1. trickling headers: 300 connections each send a header byte every 3 s; when the show
   closed each (its deadline is the whole of the headers, HEADER_SECONDS), and 200 other
   phones' votes meanwhile, against 200 before;
2. short bodies: 300 `POST /api/vote` with `Content-Length: 100` and a 1-byte body; when
   the show closed each (BODY_SECONDS), and the phones' votes meanwhile;
3. huge lengths: 300 `POST /api/vote` with a terabyte's Content-Length: each gets its 413
   and the connection closes, and when;
4. polling handshakes: 10,000 plain GETs `/socket.io/?EIO=4&transport=polling` from one
   address, then the projector's screen (the presenter's address) and a phone's live
   socket (another address) connect: how long each took, against the same before.

The attacker comes from 127.0.0.2, the phones' sockets from 127.0.0.3: addresses of their
own, as on a venue's Wi-Fi; the projector from 127.0.0.1, the presenter's own.
Figures are printed and written to benchmarks/results/slow_clients.json.
"""

import http.client
import json
import selectors
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import provenance  # noqa: E402
from benchmarks.hostile import ATTACKER, RESULTS, Show, latency, phones  # noqa: E402
from lab.web.transport.request_deadlines import BODY_SECONDS, HEADER_SECONDS  # noqa: E402

PHONE = "127.0.0.3"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
VOTE_HEAD = "POST /api/vote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"


def connect(port: int, source: str) -> socket.socket:
    """A TCP connection to the show from `source`."""
    return socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))


def watch_until_closed(connections: dict[socket.socket, float], give_up: float,
                       trickle_every: float | None = None) -> tuple[list[float], bytes]:
    """Seconds from each connection's opening (`connections`: socket -> when) until the show closed it, sending one
    byte on each every `trickle_every` seconds meanwhile if given; stops `give_up` seconds after the first opened.
    Also the first answer any of them got."""
    opened = min(connections.values())
    selector = selectors.DefaultSelector()
    for sock in connections:
        selector.register(sock, selectors.EVENT_READ)
    closed, first_answer = {}, b""
    next_byte = opened + trickle_every if trickle_every else float("inf")

    def close(sock: socket.socket) -> None:
        closed[sock] = time.perf_counter() - connections[sock]
        selector.unregister(sock)

    while len(closed) < len(connections) and time.perf_counter() - opened < give_up:
        wait = max(0.0, min(next_byte, opened + give_up) - time.perf_counter())
        for key, _ in selector.select(timeout=wait):
            readable = key.fileobj
            assert isinstance(readable, socket.socket)  # only sockets are registered
            try:
                data = readable.recv(65536)
            except OSError:
                data = b""
            first_answer = first_answer or data
            if not data:
                close(readable)
        if trickle_every is not None and time.perf_counter() >= next_byte:
            for sock in [sock for sock in connections if sock not in closed]:
                try:
                    sock.sendall(b"x")
                except OSError:
                    close(sock)
            next_byte += trickle_every
    selector.close()
    return [closed[sock] for sock in connections if sock in closed], first_answer


def deadline_scene(name: str, count: int, first_bytes: bytes, deadline: float, trickle_every: float | None) -> dict:
    """`count` attacker connections that send `first_bytes` (then a byte every `trickle_every` s, if given) while
    200 phones vote: when the show closed them, and the phones' votes against 200 before."""
    show = Show(name)
    connections: dict[socket.socket, float] = {}
    try:
        before = phones(show.base, 200)
        for _ in range(count):
            sock = connect(show.port, ATTACKER)
            connections[sock] = time.perf_counter()  # the show's deadline runs from its accepting this connection
            sock.sendall(first_bytes)
        voting = ThreadPoolExecutor(1).submit(phones, show.base, 200)
        closed, answer = watch_until_closed(connections, give_up=deadline * 6, trickle_every=trickle_every)
        during = voting.result()
        log = show.output()
        return {"connections": count, "deadline_s": deadline, "closed": len(closed),
                "closed_after_s": {"min": round(min(closed, default=0), 2), "max": round(max(closed, default=0), 2)},
                "first_answer": answer.split(b"\r\n", 1)[0].decode("latin-1"),
                "votes_before": latency(before), "votes_during": latency(during),
                "tracebacks": log.count("Traceback"),
                "summary_lines": [line for line in log.splitlines() if line.startswith("Clients:")]}
    finally:
        for sock in connections:
            sock.close()
        show.stop()


def trickling_headers() -> dict:
    """Scene 1: 300 connections, a header byte every 3 s each."""
    return deadline_scene("trickle", 300, b"GET /qr HTTP/1.1\r\nHost: x\r\nX-Slow: ", HEADER_SECONDS, trickle_every=3.0)


def short_bodies() -> dict:
    """Scene 2: 300 votes announcing 100 bytes, sending 1."""
    return deadline_scene("short-body", 300, VOTE_HEAD.format(length=100).encode() + b"{", BODY_SECONDS, None)


def huge_lengths() -> dict:
    """Scene 3: 300 votes announcing a terabyte."""
    return deadline_scene("huge-length", 300, VOTE_HEAD.format(length=10**12).encode() + b'{"option": ', BODY_SECONDS,
                          None)


def socket_connect_seconds(port: int, source: str) -> float:
    """How long a Socket.IO connection over a WebSocket took to be accepted (connect packet answered), from `source`."""
    started = time.perf_counter()
    connection = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                             timeout=30, socket=connect(port, source))
    try:
        connection.recv()  # engine.io's open packet
        connection.send("40")
        answer = connection.recv()
    finally:
        connection.close()
    if answer.startswith("44"):  # CONNECT_ERROR (a screen's first answer is otherwise its snapshot, or 40)
        raise RuntimeError(f"the show refused a screen from {source}: {answer[:200]}")
    return time.perf_counter() - started


def handshakes(port: int, count: int, threads: int = 8) -> dict[str, int]:
    """`count` polling handshakes from the attacker's address, `threads` kept-alive connections at once: statuses."""
    def some(share: int) -> list[int]:
        statuses, connection = [], None
        for _ in range(share):
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(ATTACKER, 0))
            try:
                connection.request("GET", HANDSHAKE)
                answer = connection.getresponse()
                answer.read()
                statuses.append(answer.status)
                if answer.will_close:
                    connection.close()
                    connection = None
            except OSError:
                statuses.append(0)
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()
        return statuses

    with ThreadPoolExecutor(threads) as pool:
        every = [status for statuses in pool.map(some, [count // threads] * threads) for status in statuses]
    return {str(status): every.count(status) for status in sorted(set(every))}


def handshake_flood(count: int = 10_000) -> dict:
    """Scene 4: 10,000 polling handshakes from one address, then the projector's screen and a phone's socket connect."""
    show = Show("handshakes")
    try:
        memory = psutil.Process(show.process.pid)
        projector_before = [socket_connect_seconds(show.port, "127.0.0.1") for _ in range(5)]
        phone_before = [socket_connect_seconds(show.port, PHONE) for _ in range(5)]
        rss_before = memory.memory_info().rss
        started = time.perf_counter()
        statuses = handshakes(show.port, count)
        flood_seconds = time.perf_counter() - started
        projector_after = socket_connect_seconds(show.port, "127.0.0.1")
        phone_after = socket_connect_seconds(show.port, PHONE)
        rss_after = memory.memory_info().rss
        log = show.output()
        return {"handshakes": count, "flood_s": round(flood_seconds, 2), "statuses": statuses,
                "projector_connect_ms": {"before_median": round(statistics.median(projector_before) * 1000, 1),
                                         "right_after": round(projector_after * 1000, 1)},
                "phone_socket_connect_ms": {"before_median": round(statistics.median(phone_before) * 1000, 1),
                                            "right_after": round(phone_after * 1000, 1)},
                "rss_mb": {"before": round(rss_before / 2**20), "after": round(rss_after / 2**20)},
                "tracebacks": log.count("Traceback"),
                "summary_lines": [line for line in log.splitlines() if line.startswith("Clients:")]}
    finally:
        show.stop()


SCENES = {"trickling_headers": trickling_headers, "short_bodies": short_bodies, "huge_lengths": huge_lengths,
          "handshake_flood": handshake_flood}


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    load = " / ".join(f"{value:.2f}" for value in psutil.getloadavg())
    figures: dict = {"provenance": {**provenance(), "load_average_before": load}}
    for name, scene in SCENES.items():
        figures[name] = scene()
        print(name, json.dumps(figures[name], indent=1), flush=True)
    figures["provenance"]["load_average_after"] = " / ".join(f"{value:.2f}" for value in psutil.getloadavg())
    (RESULTS / "slow_clients.json").write_text(json.dumps(figures, indent=1))
    print(f"Measured {figures['provenance']['date']} on {figures['provenance']['machine']}, load {load}.")


if __name__ == "__main__":
    main()
