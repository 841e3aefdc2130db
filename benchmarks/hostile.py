"""Hostile room benchmark: what one attacker on the venue Wi-Fi and a crashing laptop do to the real show.

    python3 benchmarks/hostile.py [scene ...]     # e.g. pong_flood ping_flood; all of them if none

The scenes, each against a fresh `reality_engine.py` (gevent, Docker, Ryuk on), figures
printed and written to benchmarks/results/hostile.json (issue 11, points 2, 3, 4 and 5;
issue 19's pong and ping floods):

1. snapshot flood: 100 sockets send 100 "snapshot" frames each, all in one write a socket,
   while 200 phones vote: vote p99, votes answered 503, "PostgreSQL is down" on the projector;
2. socket flood: with `ulimit -n 1024`, one client (127.0.0.2) opens 600 websockets and holds them
   while 200 other phones vote: their p99, how many sockets were refused, and whether the
   show printed "Too many open files" or a traceback;
3. frozen PostgreSQL (`docker pause`): 40 phones vote and /api/results is asked while it
   is frozen, then votes until one is 201 after the thaw; accepted votes missing;
4. crash and resume: 50 phones vote, the show is SIGKILLed, Ryuk reaps its containers,
   `--resume` brings the votes back and the same 50 phones vote again;
5. to 8. one laptop against the room's connections (issue 19, point 4): trickling
   headers, short bodies, huge lengths, 10,000 polling handshakes then the projector's
   screen connects (benchmarks/slow_clients.py, which also runs them alone);
9. the results flood (issue 19): 5,000 votes stored, then 600 phones vote alone (the
   baseline) and again while 50 keep-alive clients poll /api/results as fast as they can;
10. pong flood and ping flood (issue 19): 100 sockets send 10,000 Engine.IO pongs (`3`) or
   WebSocket pings each, all in one write a socket, as 200 phones start voting; the same
   200 phones' vote p99 just before, with the flooders open and quiet, is the baseline.

`python3 benchmarks/hostile.py results_flood` runs one scene (any of the names above).
"""

import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import docker
import requests
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import ROOT, get_json, provenance, start_server, stop_server
from benchmarks.loadgen import open_vote_page, percentile, post_vote
from benchmarks.phone_sockets import phone_address
from lab.servers.containers import free_port
from lab.servers.labels import LABEL_RUN
from lab.waiting import wait_for

RESULTS = ROOT / "benchmarks" / "results"
ATTACKER = "127.0.0.2"  # the attacker's laptop: an address of its own on the venue's Wi-Fi, not the presenter's
PHONES_BLOCK = 3  # the honest phones: one address each, 127.3.x.y, counted by the room as a real audience is


class Show:
    """One `reality_engine.py` on a free port: its URL, secret, log and run id."""

    def __init__(self, name: str, env: dict | None = None, prefix: str = "", *arguments: str, port: int | None = None):
        self.port, self.token = port or free_port(), secrets.token_urlsafe(16)
        self.base, self.log = f"http://127.0.0.1:{self.port}", RESULTS / f"hostile-{name}.log"
        command = f"{prefix}exec {sys.executable} reality_engine.py --host 127.0.0.1 --port {self.port} --engine docker"
        env = {**os.environ, "PRESENTER_TOKEN": self.token, "COLUMNS": "200", **(env or {})}
        self.process = start_server(["bash", "-c", " ".join([command, *arguments])], env, self.base, self.log)
        wait_for(lambda: "Run id " in self.output(), "the ready block", timeout=30, interval=0.1)

    def output(self) -> str:
        return self.log.read_text()

    @property
    def run_id(self) -> str:
        return self.output().split("Run id ", 1)[1].split(".", 1)[0]

    def real_total(self) -> int:
        return get_json(self.base + "/api/results", {"X-Presenter-Token": self.token})["totals"]["real"]

    def stop(self) -> None:
        stop_server(self.process)


class Phone:
    """One phone: its voter cookie, and a connection kept alive for the page and the vote.

    http.client, as benchmarks/loadgen.py: the benchmark's own client shares the show's two
    cores, and requests' Session cost the votes' p99 35-40 ms of its own (measured against
    the same show, one after the other: p99 72-87 ms with requests, 44-51 with http.client).
    """

    def __init__(self, source: str | None = None) -> None:
        self.cookie = ""
        self.source = source  # its own address on the venue's Wi-Fi; None: 127.0.0.1, the presenter's own to the room

    def vote(self, base: str, option: str = "prayer") -> tuple[int, float]:
        """Open the page (for the cookie) unless this phone has one, then vote; (status, seconds the vote took)."""
        where = urlsplit(base)
        assert where.hostname, base
        bound = (self.source, 0) if self.source else None
        with closing(http.client.HTTPConnection(where.hostname, where.port, timeout=30,
                                                source_address=bound)) as connection:
            if not self.cookie:
                self.cookie = open_vote_page(connection)
            started = time.perf_counter()
            status = post_vote(connection, self.cookie, option)
            return status, time.perf_counter() - started


def phones(base: str, count: int, concurrency: int = 16) -> list[tuple[int, float]]:
    """`count` new phones voting, `concurrency` at a time, each from an address of its own."""
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda n: Phone(phone_address(n, PHONES_BLOCK)).vote(base), range(count)))


def latency(answers: list[tuple[int, float]]) -> dict:
    """p50, p99 and max in ms, and the count of each status."""
    seconds = [took for _, took in answers]
    statuses: dict[str, int] = {}
    for status, _ in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"p50_ms": round(percentile(seconds, 50) * 1000, 1), "p99_ms": round(percentile(seconds, 99) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1), "statuses": statuses}


class Refused(Exception):
    """The show's Socket.IO server refused the connection (CONNECT_ERROR) after the websocket opened."""


def open_socket(base: str, source: str | None = None) -> websocket.WebSocket:
    """A Socket.IO connection over a websocket, as the dashboard opens one (engine.io 4, default namespace).

    From `source` if given (127.0.0.2 and up: a client of its own; 127.0.0.1 is the presenter's address).
    """
    where = urlsplit(base)
    sock = socket.create_connection((where.hostname, where.port), timeout=30, source_address=(source, 0)) if source else None
    connection = websocket.create_connection(base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                             timeout=30, socket=sock)
    connection.recv()  # engine.io's open packet
    connection.send("40")
    if connection.recv().startswith("44"):  # CONNECT_ERROR, with its sentence
        raise Refused(connection)
    return connection


class Projector:
    """A dashboard socket that notes whether the show ever said PostgreSQL is down."""

    def __init__(self, base: str) -> None:
        self.connection, self.down = open_socket(base), False
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        try:
            while True:
                packet = self.connection.recv()
                if packet == "2":
                    self.connection.send("3")
                elif isinstance(packet, str) and ('"postgres":"down"' in packet.replace(" ", "") or "PostgreSQL is down" in packet):
                    self.down = True
        except (websocket.WebSocketException, OSError):
            return


def held_socket(base: str) -> websocket.WebSocket:
    """A websocket to the show, kept whether or not its Socket.IO server took it as a screen (an attacker keeps both)."""
    try:
        return open_socket(base)
    except Refused as refusal:
        return refusal.args[0]


SNAPSHOT_FRAME = websocket.ABNF.create_frame('42["snapshot"]', websocket.ABNF.OPCODE_TEXT).format()
PONG_FRAME = websocket.ABNF.create_frame("3", websocket.ABNF.OPCODE_TEXT).format()  # Engine.IO's pong
PING_FRAME = websocket.ABNF.create_frame("", websocket.ABNF.OPCODE_PING).format()  # WebSocket's own ping


def flood(base: str, sockets: int, frames: int, go, opened, report, frame: bytes = SNAPSHOT_FRAME) -> None:
    """Child process: open `sockets` websockets, then on `go` send `frames` copies of `frame` on each.

    Each socket's frames go out in one write, as a client that means harm sends them: they
    all land in the show's socket buffers at once, and the attacker spends no CPU of the
    machine it shares with the show on building them one by one. `report` gets how long
    the writes took and how many of the sockets the show had closed two seconds later.
    """
    connections = [held_socket(base) for _ in range(sockets)]
    burst = frame * frames
    opened.set()
    go.wait()
    started = time.perf_counter()
    for connection in connections:
        try:
            if connection.sock is not None:  # None: already cut by the show
                connection.sock.sendall(burst)
        except OSError:
            pass  # already cut by the show
    sent_in = time.perf_counter() - started
    time.sleep(2)  # hold them a moment, as a real attacker would
    report.put({"sent_in_s": round(sent_in, 3), "closed_by_the_show": sum(map(closed_by_the_show, connections))})


def closed_by_the_show(connection: websocket.WebSocket) -> bool:
    """Whether the show has ended this connection (reading what it sent until the end, or nothing waits)."""
    sock = connection.sock
    if sock is None:  # websocket-client dropped it: the show closed it
        return True
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def snapshot_flood() -> dict:
    """Point 2: 100 sockets x 100 snapshot frames (from a process of their own) while 200 phones vote."""
    show = Show("flood")
    try:
        projector = Projector(show.base)
        go, opened = multiprocessing.Event(), multiprocessing.Event()
        report: multiprocessing.Queue = multiprocessing.Queue()
        attacker = multiprocessing.Process(target=flood, args=(show.base, 100, 100, go, opened, report))
        attacker.start()
        opened.wait(60)
        voting = ThreadPoolExecutor(1).submit(phones, show.base, 200)
        time.sleep(0.2)  # the flood lands while the phones vote
        go.set()
        answers = voting.result()
        attacker_saw = report.get(timeout=60)
        attacker.join(60)
        time.sleep(1)  # what the projector hears in the second after (a probe, a banner)
        return {"frames": 100 * 100, **attacker_saw, "votes": latency(answers), "votes_503": sum(status == 503 for status, _ in answers),
                "projector_said_down": projector.down, "show_alive": requests.get(show.base + "/healthz", timeout=10).ok}
    finally:
        show.stop()


def frame_flood(name: str, frame: bytes, sockets: int = 100, frames: int = 10_000) -> dict:
    """Issue 19: `sockets` x `frames` copies of `frame` (from a process of their own) while 200 phones vote,
    against 200 phones voting just before with nothing flooding."""
    show = Show(name)
    try:
        projector = Projector(show.base)
        go, opened = multiprocessing.Event(), multiprocessing.Event()
        report: multiprocessing.Queue = multiprocessing.Queue()
        attacker = multiprocessing.Process(target=flood, args=(show.base, sockets, frames, go, opened, report, frame))
        attacker.start()
        opened.wait(60)
        baseline = phones(show.base, 200)  # the flooders open and quiet: the same show, the same minute
        go.set()  # the flood lands as the phones start: 200 votes take a few tenths of a second
        answers = phones(show.base, 200)
        attacker_saw = report.get(timeout=120)
        attacker.join(60)
        log = show.output()
        return {"sockets": sockets, "frames_each": frames, **attacker_saw, "other_phones_baseline": latency(baseline),
                "other_phones_while_flooded": latency(answers), "projector_said_down": projector.down,
                "tracebacks": log.count("Traceback"),
                "show_alive": requests.get(show.base + "/healthz", timeout=10).ok}
    finally:
        show.stop()


def pong_flood() -> dict:
    """100 sockets x 10,000 Engine.IO pongs ("3")."""
    return frame_flood("pong-flood", PONG_FRAME)


def ping_flood() -> dict:
    """100 sockets x 10,000 WebSocket pings (control frames, answered by the WebSocket library itself)."""
    return frame_flood("ping-flood", PING_FRAME)


def socket_flood() -> dict:
    """Point 3: under `ulimit -n 1024`, 600 websockets from one client, all held open while 200 other phones vote."""
    show = Show("sockets", prefix="ulimit -n 1024 && ")
    held, outcomes = [], {"screen": 0, "refused as a screen (held open anyway)": 0, "503": 0, "failed": 0}
    try:
        baseline = phones(show.base, 200)

        def attempt(_):
            try:
                return "screen", open_socket(show.base, ATTACKER)
            except Refused as refusal:
                return "refused as a screen (held open anyway)", refusal.args[0]
            except websocket.WebSocketBadStatusException as error:
                return str(error.status_code), None
            except (websocket.WebSocketException, OSError):
                return "failed", None

        with ThreadPoolExecutor(50) as pool:
            for outcome, connection in pool.map(attempt, range(600)):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if connection is not None:
                    held.append(connection)
        answers = phones(show.base, 200)
        log = show.output()
        return {"websockets_tried": 600, "outcomes": outcomes, "held_open": len(held),
                "capacity_line": next(line for line in log.splitlines() if line.startswith("Room for")),
                "other_phones_before": latency(baseline), "other_phones_while_held": latency(answers),
                "too_many_open_files": log.count("Too many open files"), "tracebacks": log.count("Traceback")}
    finally:
        for connection in held:
            connection.close()
        show.stop()


def frozen_postgres() -> dict:
    """Point 4: docker pause the show's PostgreSQL; 40 phones vote and the results are asked; then thaw."""
    show, client = Show("frozen"), docker.from_env()
    try:
        before = [status for status, _ in phones(show.base, 20)]
        container = client.containers.list(filters={"label": [f"{LABEL_RUN}={show.run_id}",
                                                              "dev.tcmagic.role=postgres"]})[0]
        container.pause()
        try:
            frozen = phones(show.base, 40, concurrency=40)
            started = time.perf_counter()
            results = requests.get(show.base + "/api/results", timeout=30).json()
            results_seconds = time.perf_counter() - started
        finally:
            container.unpause()
            thawed = time.perf_counter()
        after: list[tuple[int, float]] = []
        while not after or after[-1][0] != 201:
            after.append(Phone(phone_address(40 + len(after), PHONES_BLOCK)).vote(show.base))
        first_201 = time.perf_counter() - thawed
        after += phones(show.base, 20)
        accepted = before.count(201) + sum(status == 201 for status, _ in [*frozen, *after])
        stored = show.real_total()
        return {"while_frozen": latency(frozen), "results_while_frozen_ms": round(results_seconds * 1000, 1),
                "results_database": results["database"], "first_201_after_thaw_ms": round(first_201 * 1000, 1),
                "accepted": accepted, "stored": stored, "accepted_missing": max(0, accepted - stored)}
    finally:
        show.stop()


def crash_and_resume() -> dict:
    """Point 5: 50 phones vote, SIGKILL, Ryuk reaps the containers, --resume, the same phones vote again."""
    client, states = docker.from_env(), Path(tempfile.mkdtemp()) / "show-resume"
    env = {"TCMAGIC_RESUME_DIR": str(states)}
    show = Show("crash", env)
    voters = [Phone(phone_address(n, PHONES_BLOCK)) for n in range(50)]
    with ThreadPoolExecutor(16) as pool:
        first = [status for status, _ in pool.map(lambda phone: phone.vote(show.base), voters)]
    run_id, port = show.run_id, show.port
    show.process.send_signal(signal.SIGKILL)
    show.process.wait()
    killed = time.perf_counter()
    wait_for(lambda: not client.containers.list(all=True, sparse=True, filters={"label": f"{LABEL_RUN}={run_id}"}),
             "Ryuk to remove the killed show's containers", timeout=60, interval=0.2)
    reaped = time.perf_counter() - killed
    volumes = len(client.volumes.list(filters={"label": f"{LABEL_RUN}={run_id}"}))
    resumed = Show("resume", env, "", "--resume", port=port)
    try:
        stored = resumed.real_total()
        with ThreadPoolExecutor(16) as pool:
            again = [status for status, _ in pool.map(lambda phone: phone.vote(resumed.base), voters)]
    finally:
        resumed.stop()
    return {"accepted_before_crash": first.count(201), "containers_reaped_seconds": round(reaped, 1),
            "volumes_kept": volumes, "votes_after_resume": stored, "same_phones_refused_409": again.count(409),
            "same_phones": len(voters), "resume_file_left_after_ctrl_c": any(states.glob("*.json")),
            "volumes_left_after_ctrl_c": len(client.volumes.list(filters={"label": f"{LABEL_RUN}={run_id}"}))}


def poll_results(base: str, clients: int, polling, measuring, stop, report) -> None:
    """Child process: `clients` keep-alive connections from the attacker's address GET /api/results back to back until `stop`.

    `polling` is set once every client has sent its first request; `report` gets the
    answers by status, how many came while `measuring` (until `stop`) and how fast, and
    the p50 and p99 of the reads.
    """
    where, lock = urlsplit(base), threading.Lock()
    statuses: dict[str, int] = {}
    seconds: list[float] = []
    measured = [0]
    first = threading.Barrier(clients + 1)

    def client() -> None:
        assert where.hostname
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30, source_address=(ATTACKER, 0))
        try:
            connection.connect()
            first.wait(60)
            while not stop.is_set():
                started = time.perf_counter()
                connection.request("GET", "/api/results")
                answer = connection.getresponse()
                answer.read()
                took = time.perf_counter() - started
                with lock:
                    statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
                    seconds.append(took)
                    measured[0] += measuring.is_set() and not stop.is_set()
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            with lock:
                statuses["failed"] = statuses.get("failed", 0) + 1
            first.abort()  # a client that cannot connect: the scene fails instead of waiting
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    first.wait(60)
    polling.set()
    measuring.wait()
    started = time.perf_counter()
    stop.wait()
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join(30)
    report.put({"reads": sum(statuses.values()), "reads_while_phones_voted": measured[0],
                "reads_per_s_while_phones_voted": round(measured[0] / max(elapsed, 1e-9)), "statuses": statuses,
                "read_p50_ms": round(percentile(seconds, 50) * 1000, 1), "read_p99_ms": round(percentile(seconds, 99) * 1000, 1)})


def results_flood(stored: int = 5000, clients: int = 50, voters: int = 600, ramp: float = 2.0) -> dict:
    """Issue 19: `stored` votes in PostgreSQL, then `voters` phones vote alone and again while `clients` poll /api/results.

    The pollers run in a process of their own (their client work stays off the phones'
    interpreter) and poll for `ramp` seconds before the phones start, so the phones meet
    the flood as it runs. Before the running count, every read was a count in PostgreSQL:
    vote p50 0.4-0.5 s, p99 0.8-1.0 s with 5,000-12,500 votes stored (issue 19).
    """
    show = Show("results")
    try:
        load_before = os.getloadavg()
        filled = phones(show.base, stored, concurrency=32)
        baseline = phones(show.base, voters)
        polling, measuring, stop = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Event()
        report: multiprocessing.Queue = multiprocessing.Queue()
        pollers = multiprocessing.Process(target=poll_results,
                                          args=(show.base, clients, polling, measuring, stop, report))
        pollers.start()
        polling.wait(60)
        time.sleep(ramp)  # the flood under way, as the phones would meet it
        measuring.set()
        flooded = phones(show.base, voters)
        stop.set()
        reads = report.get(timeout=60)
        pollers.join(60)
        log = show.output()
        return {"votes_stored": sum(status == 201 for status, _ in filled), "results_clients": clients,
                "results_reads": reads, "other_phones_baseline": latency(baseline),
                "other_phones_during_flood": latency(flooded), "real_total_after": show.real_total(),
                "load_average_before": [round(load, 2) for load in load_before],
                "load_average_after": [round(load, 2) for load in os.getloadavg()], "tracebacks": log.count("Traceback")}
    finally:
        show.stop()


SCENES = {"snapshot_flood": snapshot_flood, "socket_flood": socket_flood, "frozen_postgres": frozen_postgres,
          "crash_resume": crash_and_resume, "results_flood": results_flood, "pong_flood": pong_flood,
          "ping_flood": ping_flood}


def chosen_scenes(arguments: list[str], names: list[str], program: str = "hostile.py") -> list[str]:
    """The scenes the command line asks for (all when none), or SystemExit with usage: before any show starts."""
    usage = f"usage: {program} [scene ...]; the scenes: {', '.join(names)}"
    if any(argument in ("-h", "--help") for argument in arguments):
        print(usage)
        raise SystemExit(0)
    unknown = [argument for argument in arguments if argument not in names]
    if unknown:
        raise SystemExit(f"No scene named {', '.join(unknown)}: {usage}")
    return arguments or names


def main() -> None:
    # imported here: they use this module's Show and phones
    from benchmarks.slow_clients import SCENES as SLOW_CLIENTS

    scenes = {**SCENES, **SLOW_CLIENTS}
    chosen = chosen_scenes(sys.argv[1:], list(scenes))
    RESULTS.mkdir(exist_ok=True)
    figures: dict[str, dict] = {"provenance": provenance()}
    for name in chosen:
        started, load_before = time.strftime("%H:%M:%S", time.gmtime()), os.getloadavg()  # a shared machine: how busy
        figures[name] = scenes[name]()
        figures[name]["ran"] = {"started_utc": started, "load_average_before": [round(n, 2) for n in load_before],
                                "load_average_after": [round(n, 2) for n in os.getloadavg()]}
        print(name, json.dumps(figures[name], indent=1), flush=True)
    (RESULTS / ("hostile.json" if chosen == list(scenes) else f"hostile-{'-'.join(chosen)}.json")).write_text(
        json.dumps(figures, indent=1))
    print(f"Measured {figures['provenance']['date']} on {figures['provenance']['machine']}.")


if __name__ == "__main__":
    main()
