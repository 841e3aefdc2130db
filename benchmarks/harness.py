"""What the load and fault benchmarks share: starting servers, and talking JSON to them."""

import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import psutil

from lab.servers.containers import free_port
from lab.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


def provenance() -> dict[str, str]:
    """When and on what the figures were measured: the docs quote both."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {memory_gib:.0f} GiB, {platform.machine()}, Python {platform.python_version()}",
    }


def get_json(url: str, headers: dict | None = None) -> dict:
    """GET a JSON document."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
        return json.load(answer)


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    """POST a JSON body; (status, answer), error statuses included."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def start_server(command: list[str], env: dict, base: str, log: Path) -> subprocess.Popen:
    """Start a server process and wait until /healthz answers."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)

    def healthy() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"{command[1]} exited with {process.returncode}; see {log}")
        return get_json(base + "/healthz")["status"] == "ok"

    wait_for(healthy, f"{command[1]} to answer on {base}", timeout=120, interval=0.2, ignore=(OSError,))
    return process


def stop_server(process: subprocess.Popen) -> None:
    """Ctrl+C the server and wait for it to clean up."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


class PeakMemory:
    """The highest resident memory (RSS) of a process while the `with` block runs, sampled every 50 ms."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._done = threading.Event()

    def __enter__(self) -> Self:
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self.every):
            self.peak = max(self.peak, self.process.memory_info().rss)


@dataclass
class RunningShow:
    """A `reality_engine.py` process on a free port, with its presenter secret."""

    process: subprocess.Popen
    base: str
    token: str

    def presenter(self, action: str, body: dict | None = None) -> tuple[int, dict]:
        """POST a presenter action with the secret."""
        return post_json(f"{self.base}/api/presenter/{action}", body or {}, {"X-Presenter-Token": self.token})

    def database_count(self) -> int:
        """Votes PostgreSQL holds now (the presenter's view of the results)."""
        return get_json(self.base + "/api/results", {"X-Presenter-Token": self.token})["totals"]["real"]

    def options(self) -> list[str]:
        """The option ids phones can vote for."""
        return [option["id"] for option in get_json(self.base + "/api/results")["options"]]

    def stop(self) -> None:
        """Ctrl+C: the show ends and removes its servers."""
        stop_server(self.process)


def start_show(log: Path, *arguments: str) -> RunningShow:
    """Start the real show on a free port of this machine."""
    port, token = free_port(), secrets.token_urlsafe(16)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "reality_engine.py", "--host", "127.0.0.1", "--port", str(port), *arguments]
    return RunningShow(start_server(command, {**os.environ, "PRESENTER_TOKEN": token}, base, log), base, token)
