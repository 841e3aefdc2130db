"""One laptop against the room's connections: slow headers, short bodies, huge lengths, a flood of handshakes, a tunnel.

    python benchmarks/slow_clients.py      # these five scenes alone (benchmarks/hostile.py runs them too)
    python benchmarks/slow_clients.py laptop_behind_the_tunnel    # one of them

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
   socket (another address) connect: how long each took, against the same before;
5. one laptop behind the tunnel: the show (`ulimit -n 1024`: a room of 768) behind a
   proxy on this machine (cloudflared, ngrok, Codespaces' forwarding), simulated: every
   request comes from 127.0.0.1 and says in X-Forwarded-For whom the proxy carries, each
   phone its own public address. The laptop opens more WebSockets than the whole room
   holds (until 20 in a row go unanswered), and holds them; then 200 other phones vote through the tunnel and the
   projector's screen connects through it (polling, the secret in its header, as the
   dashboard does) and from the presenter's own browser: statuses and times, against
   the same before.

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
from contextlib import closing
from pathlib import Path

import psutil
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import provenance
from benchmarks.hostile import ATTACKER, RESULTS, Show, chosen_scenes, latency, phones
from lab.web.transport.capacity import fair_share
from lab.web.transport.open_files import connection_room
from lab.web.transport.request_deadlines import BODY_SECONDS, HEADER_SECONDS

PHONE = "127.0.0.3"
TUNNEL = "127.0.0.1"  # a proxy on this machine connects from here, whoever it carries
LAPTOP_BEHIND_TUNNEL = "11.6.6.6"  # the address the tunnel's edge saw for the hostile laptop
PROJECTOR_BEHIND_TUNNEL = "11.9.9.9"
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


def tunnel_phone(number: int) -> str:
    """The public address the tunnel's edge saw for phone `number` (a carrier, a home network)."""
    return f"11.0.{number // 250}.{number % 250 + 1}"


def through_tunnel(port: int) -> http.client.HTTPConnection:
    """A connection to the show as the proxy on this machine opens one (a proxy gives up on an origin within seconds)."""
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(TUNNEL, 0))


def tunnel_phones(port: int, first: int, count: int, concurrency: int = 16) -> list[tuple[int, float]]:
    """Phones `first`.. behind the tunnel: each opens the page (its cookie), then votes; (status, seconds the vote took)."""
    def vote(number: int) -> tuple[int, float]:
        forwarded = {"X-Forwarded-For": tunnel_phone(number)}
        started = time.perf_counter()
        try:
            with closing(through_tunnel(port)) as connection:
                connection.request("GET", "/qr", headers=forwarded)
                page = connection.getresponse()
                page.read()
                cookie = (page.getheader("Set-Cookie") or "").split(";", 1)[0]
                started = time.perf_counter()
                connection.request("POST", "/api/vote", body=json.dumps({"option": "prayer"}),
                                   headers={**forwarded, "Content-Type": "application/json", "Cookie": cookie})
                answer = connection.getresponse()
                answer.read()
                return answer.status, time.perf_counter() - started
        except OSError:  # refused, reset, or no answer within the timeout: the phone never voted
            return 0, time.perf_counter() - started

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(vote, range(first, first + count)))


def polling_screen_seconds(port: int, headers: dict[str, str], token: str) -> float:
    """How long a dashboard's Socket.IO connection over polling took to be accepted, its requests carrying `headers`."""
    started = time.perf_counter()
    with closing(through_tunnel(port)) as connection:
        def ask(method: str, path: str, body: str | None = None) -> bytes:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"the show answered {answer.status} to a screen: {data[:200]!r}")
            return data

        sid = json.loads(ask("GET", HANDSHAKE)[1:])["sid"]
        ask("POST", f"{HANDSHAKE}&sid={sid}", "40" + json.dumps({"token": token}))
        answer = ask("GET", f"{HANDSHAKE}&sid={sid}")  # its snapshot, and the connect's answer
        if not any(packet.startswith(b"40") for packet in answer.split(b"\x1e")):
            raise RuntimeError(f"the show refused the screen's Socket.IO connection: {answer[:200]!r}")
    return time.perf_counter() - started


def screen_or_none(port: int, headers: dict[str, str], token: str) -> float | str:
    """polling_screen_seconds in ms, or why the screen did not connect."""
    try:
        return round(polling_screen_seconds(port, headers, token) * 1000, 1)
    except (OSError, RuntimeError) as error:
        return f"did not connect: {error}"[:200]


def hold_through_tunnel(port: int, forwarded_for: str) -> tuple[int, socket.socket]:
    """A WebSocket opened through the tunnel for `forwarded_for` and held (a proxy keeps one origin connection for each):
    (the status of its upgrade, 0 when the show gave none within 3 s; the connection)."""
    sock = connect(port, TUNNEL)
    sock.settimeout(3)
    head = b""
    try:
        sock.sendall(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      f"Sec-WebSocket-Version: 13\r\nX-Forwarded-For: {forwarded_for}\r\n\r\n").encode())
        while b"\r\n\r\n" not in head and (chunk := sock.recv(65536)):
            head += chunk
    except OSError:
        pass  # reset, or not answered: turned away, or the show stopped accepting
    return (int(head.split(b" ", 2)[1]) if head else 0), sock


def laptop_flood(port: int, count: int) -> list[tuple[int, socket.socket]]:
    """`count` WebSockets through the tunnel from the laptop, until 20 in a row get no answer (the show stopped
    accepting: the rest would too)."""
    flood: list[tuple[int, socket.socket]] = []
    while len(flood) < count and not (len(flood) >= 20 and all(status == 0 for status, _ in flood[-20:])):
        flood.append(hold_through_tunnel(port, LAPTOP_BEHIND_TUNNEL))
    return flood


def laptop_behind_the_tunnel(open_files: int = 1024) -> dict:
    """Scene 5: one laptop behind the tunnel opens more connections than the room holds; phones and the projector
    connect through the tunnel meanwhile."""
    show = Show("tunnel", None, f"ulimit -n {open_files}; ")
    held: list[socket.socket] = []
    try:
        room = connection_room(open_files)
        projector = {"X-Forwarded-For": PROJECTOR_BEHIND_TUNNEL, "X-Presenter-Token": show.token}
        before = tunnel_phones(show.port, 0, 200)
        projector_before = [polling_screen_seconds(show.port, projector, show.token) for _ in range(5)]
        own_browser_before = [polling_screen_seconds(show.port, {}, show.token) for _ in range(5)]
        started = time.perf_counter()
        flood = laptop_flood(show.port, room + 256)
        flood_seconds = time.perf_counter() - started
        held = [sock for _, sock in flood]
        during = tunnel_phones(show.port, 200, 200)
        projector_during = screen_or_none(show.port, projector, show.token)
        own_browser_during = screen_or_none(show.port, {}, show.token)
        log = show.output()
        statuses = [status for status, _ in flood]
        return {"open_files": open_files, "room": room, "fair_share": fair_share(room),
                "laptop_connections": len(flood), "flood_s": round(flood_seconds, 2),
                "laptop_statuses": {str(status): statuses.count(status) for status in sorted(set(statuses))},
                "phones_votes_before": latency(before), "phones_votes_during": latency(during),
                "projector_through_tunnel_connect_ms": {
                    "before_median": round(statistics.median(projector_before) * 1000, 1),
                    "during": projector_during},
                "presenters_own_browser_connect_ms": {
                    "before_median": round(statistics.median(own_browser_before) * 1000, 1),
                    "during": own_browser_during},
                "tracebacks": log.count("Traceback"),
                "summary_lines": [line for line in log.splitlines() if line.startswith("Clients:")]}
    finally:
        for sock in held:
            sock.close()
        show.stop()


SCENES = {"trickling_headers": trickling_headers, "short_bodies": short_bodies, "huge_lengths": huge_lengths,
          "handshake_flood": handshake_flood, "laptop_behind_the_tunnel": laptop_behind_the_tunnel}


def main(names: list[str]) -> None:
    """Run the scenes named (all when none), write their figures to slow_clients.json (or slow_clients-NAME.json)."""
    chosen_scenes(names, list(SCENES), "slow_clients.py")  # --help or a wrong name: answered before any show starts
    RESULTS.mkdir(exist_ok=True)
    load = " / ".join(f"{value:.2f}" for value in psutil.getloadavg())
    figures: dict = {"provenance": {**provenance(), "load_average_before": load}}
    for name in names or SCENES:
        figures[name] = SCENES[name]()
        print(name, json.dumps(figures[name], indent=1), flush=True)
    figures["provenance"]["load_average_after"] = " / ".join(f"{value:.2f}" for value in psutil.getloadavg())
    (RESULTS / f"slow_clients{''.join('-' + name for name in names)}.json").write_text(json.dumps(figures, indent=1))
    print(f"Measured {figures['provenance']['date']} on {figures['provenance']['machine']}, load {load}.")


if __name__ == "__main__":
    main(sys.argv[1:])
