"""Helpers for the show's tests: a dashboard socket that remembers, the presenter, a Redis-handing engine, a scripted test run."""

import socket
import threading

from lab.testruns.pytest_run import TestOutcome
from lab.waiting import wait_for
from lab.web.presenter import TOKEN_HEADER

TOKEN = "presenter-secret-for-tests"
WRONG_SECRET = "not-the-presenters-secret"
AUDIENCE = [f"192.0.2.{number}" for number in range(1, 250)]  # each phone its own address, as on conference Wi-Fi
# Behind a tunnel the proxy names each phone by the address it saw: public ones (a carrier, a home network)
FORWARDED_AUDIENCE = [f"11.0.{number // 200}.{number % 200 + 1}" for number in range(400)]
HOSTILE = "11.6.6.6"  # the laptop behind the tunnel, as the tunnel saw it


def audience_member(app):
    """An audience member's browser that opened the vote page, so it holds a voter cookie."""
    client = app.test_client()
    client.get("/qr")
    return client


class Dashboard:
    """A projector dashboard over Socket.IO that remembers every event it received."""

    def __init__(self, connection):
        self.connection = connection
        self.events: list[tuple[str, object]] = []

    def payloads(self, name):
        """Every payload of event `name` received so far."""
        self.events += [(p["name"], p["args"][0]) for p in self.connection.get_received()]
        return [payload for event, payload in self.events if event == name]

    def wait_for(self, name, condition=lambda payload: True, timeout=5.0):
        """The first payload of `name` for which `condition` holds, waiting for it if needed."""
        return wait_for(
            lambda: next((p for p in self.payloads(name) if condition(p)), None),
            f"a {name!r} event on the dashboard socket",
            timeout=timeout,
        )

    def feed_texts(self):
        """Every feed line text received so far, snapshots included."""
        lines = [line for batch in self.payloads("feed") for line in batch]
        lines += [line for snapshot in self.payloads("snapshot") for line in snapshot["feed"]]
        return [line["text"] for line in lines]


class Presenter:
    """Calls the presenter API with the secret, a wrong one, or none."""

    def __init__(self, client):
        self.client = client

    def act(self, action, body=None, token=TOKEN):
        """POST /api/presenter/<action> with `body` as JSON."""
        headers = {TOKEN_HEADER: token} if token is not None else {}
        return self.client.post(f"/api/presenter/{action}", json=body or {}, headers=headers)


class HandingEngine:
    """An engine whose start_redis hands over a Redis already running (a session or module service)."""

    def __init__(self, redis_service) -> None:
        self.redis_service = redis_service
        self.started = 0

    def start_redis(self):
        """'Start' Redis: count the call, return the running service."""
        self.started += 1
        return self.redis_service


class ScriptedRun:
    """A run_file for TestComparison: each side reports its scripted outcomes once released."""

    def __init__(self, outcomes):
        self.outcomes = outcomes
        self.release = threading.Event()

    def __call__(self, path, target, extra_env, on_result):
        self.release.wait(10)
        side = "fantasy" if "fantasy" in path else "reality"
        for name, outcome in self.outcomes[side]:
            on_result(TestOutcome(name, outcome, 0.05))


def raw_connection(port: int, source: str = "127.0.0.2", timeout: float = 30.0):
    """A bare TCP connection to a show on this machine from `source` (127.0.0.2 and up: a client of its own, not the presenter)."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def closed_by_the_server(sock) -> bool:
    """Whether the server ended the connection (a FIN, or a reset if it left bytes unread) rather than answering."""
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


def answer_then_close(sock) -> tuple[bytes, bool]:
    """(what the server sent, whether it then closed the connection), reading until it does or the socket times out."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        return received, True
    except TimeoutError:
        return received, False
    return received, True
