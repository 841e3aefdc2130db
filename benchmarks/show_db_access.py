"""Show benchmark: the real /api/vote under gevent, with blocking psycopg2 or with psycogreen.

    python benchmarks/show_db_access.py [--votes 3000] [--clients 100]

For each mode it serves the real app (create_app, PostgresVoteStore, gevent) in a child
process against one PostgreSQL container, then measures from this process:
  1. votes/s for `--votes` votes from `--clients` concurrent clients (each a new voter);
  2. how /healthz answers while the database is frozen (docker pause) for 2 s and votes
     keep arriving: the question is whether one stuck query stalls every other client.
"""

from gevent import monkey

monkey.patch_all()

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import gevent
from gevent.pool import Pool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab.servers.containers import DockerEngine, free_port
from lab.waiting import wait_for

BODY = json.dumps({"option": "mocks"})


def serve(mode: str, port: int, url: str) -> None:
    """Child process: the show app on `port`, DB access in `mode` (blocking, or cooperative: the psycopg2 wait callback)."""
    if mode == "psycogreen":
        from lab.web.server import make_cooperative

        make_cooperative()
    from gevent.pywsgi import WSGIServer

    from lab.settings import PostgresSettings
    from lab.votes.fantasy import FantasyVoteStore
    from lab.votes.postgres import PostgresVoteStore
    from lab.web import create_app
    from lab.web.config import ShowConfig

    store = PostgresVoteStore(PostgresSettings.from_url(url), pool_size=20, wait_timeout=5)
    store.warm()
    app = create_app(ShowConfig(real_store=store, fantasy_store=FantasyVoteStore(), async_mode="gevent"))
    WSGIServer(("127.0.0.1", port), app, log=None).serve_forever()


def request(port: int, method: str, path: str, timeout: float = 10.0) -> int:
    """One HTTP request on a fresh connection (phones don't share one); the status code."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Cookie": voter_cookie(connection)} if method == "POST" else {}
        connection.request(method, path, body=BODY if method == "POST" else None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def voter_cookie(connection: http.client.HTTPConnection) -> str:
    """Open the vote page first, as a phone does: the signed voter cookie it hands out."""
    connection.request("GET", "/qr")
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie", "").split(";", 1)[0]


def throughput(port: int, votes: int, clients: int) -> dict:
    """Votes per second from `clients` concurrent clients."""
    pool = Pool(clients)
    started = time.perf_counter()
    statuses = pool.map(lambda _: request(port, "POST", "/api/vote"), range(votes))
    seconds = time.perf_counter() - started
    return {"votes_per_s": round(votes / seconds), "accepted": statuses.count(201), "other": len(statuses) - statuses.count(201)}


def frozen_database(port: int, service, clients: int) -> dict:
    """Pause PostgreSQL for 2 s under vote traffic; how /healthz latency looks meanwhile."""
    pool = Pool(clients)
    voting = [pool.spawn(request, port, "POST", "/api/vote") for _ in range(clients)]
    gevent.sleep(0.2)
    service.pause()
    latencies, until = [], time.perf_counter() + 2.0
    while time.perf_counter() < until:
        asked = time.perf_counter()
        try:
            request(port, "GET", "/healthz", timeout=3.0)
            latencies.append(time.perf_counter() - asked)
        except OSError:
            latencies.append(float("inf"))
        gevent.sleep(0.05)
    service.unpause()
    gevent.joinall(voting, timeout=15)
    answered = [x for x in latencies if x != float("inf")]
    return {
        "healthz_answers_while_frozen": len(answered),
        "healthz_max_ms": round(max(latencies) * 1000) if answered else None,
        "healthz_median_ms": round(statistics.median(answered) * 1000, 1) if answered else None,
    }


def measure(mode: str, service, votes: int, clients: int) -> dict:
    """Start the app in `mode`, run both measurements, stop it."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, str(port), service.settings.url],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_for(lambda: request(port, "GET", "/healthz") == 200, f"the {mode} app to answer", timeout=20, ignore=(OSError,))
        request(port, "POST", "/api/vote")  # warm up
        return {"mode": mode, **throughput(port, votes, clients), **frozen_database(port, service, clients)}
    finally:
        child.terminate()
        child.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--serve", nargs=3, metavar=("MODE", "PORT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        mode, port, url = args.serve
        return serve(mode, int(port), url)
    service = DockerEngine(purpose="benchmark").start_postgres(durable=True)
    try:
        for mode in ("blocking", "psycogreen"):
            print(json.dumps(measure(mode, service, args.votes, args.clients)), flush=True)
    finally:
        service.remove()


if __name__ == "__main__":
    main()
