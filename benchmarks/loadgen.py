"""Simulated phones and dashboards for the load and fault benchmarks.

Each phone opens /qr (gets its voter cookie), votes, and votes again, on one keep-alive
connection, as a phone on conference Wi-Fi would, from an address of its own
(127.2.x.y, `phone_address`) unless told to come from the presenter's 127.0.0.1. Dashboards are Socket.IO clients that
note when each results broadcast arrives and what total it carried; `PhoneListeners` are
the phones' sockets, a thousand in a process of their own (benchmarks/phone_sockets.py).
"""

import http.client
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.phone_sockets import phone_address

VOTERS_BLOCK = 2  # voting phones come from 127.2.x.y; the phone sockets (phone_sockets.py) from 127.1.x.y


@dataclass(frozen=True)
class VoteAttempt:
    """One POST /api/vote as a phone saw it."""

    phone: int
    attempt: int
    status: int  # 0 when the request itself failed (connection refused, reset, timeout)
    seconds: float
    finished_at: float


@dataclass
class Dashboard:
    """A Socket.IO client recording (arrival time, real total) for every results broadcast."""

    url: str
    seen: list[tuple[float, int | None]] = field(default_factory=list)
    statuses: list[tuple[float, dict]] = field(default_factory=list)

    def connect(self) -> None:
        """Connect over WebSocket and start recording."""
        import socketio  # python-socketio's client: only the benchmarks need it

        self._client = socketio.Client(reconnection=True)
        self._client.on("results", lambda data: self.seen.append((time.perf_counter(), data["totals"]["real"])))
        self._client.on("status", lambda data: self.statuses.append((time.perf_counter(), data)))
        self._client.connect(self.url, transports=["websocket"], wait_timeout=10)

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()


def open_vote_page(connection: http.client.HTTPConnection) -> str:
    """GET /qr on `connection`, as a phone opening the QR code; the voter cookie it was given ("name=value")."""
    connection.request("GET", "/qr")
    page = connection.getresponse()
    page.read()
    return (page.getheader("Set-Cookie") or "").split(";", 1)[0]


def post_vote(connection: http.client.HTTPConnection, cookie: str, option: str) -> int:
    """POST /api/vote on `connection` with the voter `cookie`, as the phone page does; the HTTP status."""
    connection.request("POST", "/api/vote", body=json.dumps({"option": option}),
                       headers={"Content-Type": "application/json", "Cookie": cookie})
    answer = connection.getresponse()
    answer.read()
    return answer.status


def phone(base_url: str, number: int, option: str, timeout: float = 10.0, source: str | None = None) -> list[VoteAttempt]:
    """Open the vote page, vote, vote again (from address `source` if given); what each vote attempt got."""
    where = urlsplit(base_url)
    assert where.hostname, base_url
    bound = (source, 0) if source else None
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=timeout, source_address=bound)
    attempts = []
    try:
        cookie = open_vote_page(connection)
    except OSError:
        connection.close()
        return [VoteAttempt(number, n, 0, 0.0, time.perf_counter()) for n in (1, 2)]
    for attempt in (1, 2):
        started = time.perf_counter()
        try:
            status = post_vote(connection, cookie, option)
        except OSError:
            connection.close()
            connection = http.client.HTTPConnection(where.hostname, where.port, timeout=timeout, source_address=bound)
            status = 0
        finished = time.perf_counter()
        attempts.append(VoteAttempt(number, attempt, status, finished - started, finished))
    connection.close()
    return attempts


def run_phones(base_url: str, phones: int, options: list[str], concurrency: int = 32,
               on_phone_done: Callable[[int], None] | None = None,
               one_address: bool = False) -> tuple[list[VoteAttempt], float]:
    """Every phone's attempts, and the wall time; `on_phone_done(n)` hears each finished phone.

    Each phone votes from an address of its own unless `one_address` (then all from 127.0.0.1).
    """
    started = time.perf_counter()

    def one(number: int) -> list[VoteAttempt]:
        source = None if one_address else phone_address(number, VOTERS_BLOCK)
        attempts = phone(base_url, number, options[number % len(options)], source=source)
        if on_phone_done:
            on_phone_done(number)
        return attempts

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        per_phone = list(pool.map(one, range(phones)))
    return [attempt for attempts in per_phone for attempt in attempts], time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(attempts: list[VoteAttempt], wall: float) -> dict:
    """Counts by status and latency figures for a run."""
    statuses: dict[int, int] = {}
    for attempt in attempts:
        statuses[attempt.status] = statuses.get(attempt.status, 0) + 1
    latencies = [a.seconds * 1000 for a in attempts if a.status]
    return {
        "accepted": statuses.get(201, 0),
        "duplicates": statuses.get(409, 0),
        "rate_limited": statuses.get(429, 0),
        "unavailable": statuses.get(503, 0),
        "other_5xx": sum(n for code, n in statuses.items() if code >= 500 and code != 503),
        "lost": statuses.get(0, 0),
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "wall_s": wall,
        "votes_per_s": len(attempts) / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
    }


def results_lag_ms(attempts: list[VoteAttempt], seen: Sequence[tuple[float, int | None]], before: int = 0) -> dict:
    """For the k-th accepted vote: time until the first broadcast whose total reached `before` + k.

    seen: (arrival, total) of each broadcast; before: the votes counted before these attempts.
    """
    accepted = sorted(a.finished_at for a in attempts if a.status == 201)
    broadcasts = [(at, total) for at, total in seen if total is not None]
    lags, index = [], 0
    for k, finished in enumerate(accepted, start=before + 1):
        while index < len(broadcasts) and broadcasts[index][1] < k:
            index += 1
        if index >= len(broadcasts):
            break
        # a broadcast can beat the phone's own answer to the phone: that is no lag at all
        lags.append(max(0.0, broadcasts[index][0] - finished) * 1000)
    return {"p50_ms": percentile(lags, 50), "p95_ms": percentile(lags, 95), "p99_ms": percentile(lags, 99),
            "max_ms": max(lags, default=float("nan")), "measured_votes": len(lags), "broadcasts": len(broadcasts)}


class PhoneListeners:
    """`count` phone sockets in a child process, listening for results until asked for their summary."""

    def __init__(self, base_url: str, count: int, one_address: bool = False) -> None:
        command = [sys.executable, str(Path(__file__).with_name("phone_sockets.py")), base_url, str(count)]
        self.process = subprocess.Popen(command + (["--one-address"] if one_address else []),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdin is not None and self.process.stdout is not None  # both PIPE
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        line = self.stdout.readline().split()
        self.connected = int(line[1]) if line[:1] == ["connected"] else 0

    def report(self) -> dict:
        """What the sockets heard so far (benchmarks/phone_sockets.py): who heard which total when, pace, losses."""
        self.stdin.write("report\n")
        self.stdin.flush()
        return json.loads(self.stdout.readline())

    def close(self) -> None:
        """Close every socket and end the child process."""
        self.process.communicate("stop\n", timeout=30)


def everyone_heard(summary: dict) -> list[tuple[float, int]]:
    """(when every phone socket had heard it, real total) per total, as results_lag_ms reads broadcasts."""
    return sorted((at, total) for total, at in summary["everyone_by"] if at is not None)
