"""Which engine runs the servers: Docker containers, or embedded local processes.

Every entry script and the test suite choose here, from `--engine docker|embedded|auto` or
TCMAGIC_ENGINE (default auto). Auto means Docker when it answers, else the embedded engine,
announced in one line. TCMAGIC_REQUIRE_DOCKER=1 (CI) forbids any switch: without Docker
the choice fails with DockerUnavailable instead. A Docker engine beyond this machine, whose
ports can't stay on loopback, is announced in one line too.
"""

import os
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from lab.errors import DockerUnavailable, WorkshopError
from lab.servers.durable import DurableData
from lab.settings import PostgresSettings, RedisSettings

CHOICES = ("docker", "embedded", "auto")
ENGINE_VARIABLE = "TCMAGIC_ENGINE"
REQUIRE_DOCKER_VARIABLE = "TCMAGIC_REQUIRE_DOCKER"


class RunningService(Protocol):
    """A server one engine started: a container's Service or an EmbeddedService."""

    role: str
    settings: PostgresSettings | RedisSettings
    startup_seconds: float
    engine: str
    durable: DurableData | None  # a durable PostgreSQL's data and login, to resume from

    @property
    def container_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    def is_ready(self) -> bool: ...
    def status(self) -> str: ...
    def kill(self) -> None: ...
    def stop(self) -> None: ...
    def pause(self) -> None: ...
    def unpause(self) -> None: ...
    def recover(self, timeout: float = ...) -> float: ...
    def remove(self, keep_data: bool = False) -> None: ...


class Engine(Protocol):
    """What starts servers: DockerEngine or EmbeddedEngine."""

    name: str
    purpose: str
    run_id: str

    def start_postgres(self, durable: bool = False, resume: DurableData | None = None) -> RunningService: ...
    def start_redis(self) -> RunningService: ...
    def start(self, role: str, **options) -> RunningService: ...
    def remove_durable(self, data: DurableData) -> None: ...


def start_together(engine: Engine, roles: Iterable[str]) -> dict[str, RunningService]:
    """Start the servers for `roles` at the same time (Docker starts Ryuk beside them); all or none."""
    roles = list(dict.fromkeys(roles))
    if not roles:
        return {}
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        futures = {role: pool.submit(engine.start, role) for role in roles}
    started = {role: future.result() for role, future in futures.items() if future.exception() is None}
    failed = [error for future in futures.values() if (error := future.exception()) is not None]
    if failed:
        remove_together(started.values())
        raise failed[0]
    return started


def remove_together(services: Iterable[RunningService]) -> None:
    """Remove several servers at the same time; returns when all are gone."""
    services = list(services)
    if services:
        with ThreadPoolExecutor(max_workers=len(services)) as pool:
            for done in [pool.submit(service.remove) for service in services]:
                done.result()


def docker_required(environ: Mapping[str, str] = os.environ) -> bool:
    """True when TCMAGIC_REQUIRE_DOCKER forbids running without Docker (CI sets it)."""
    return environ.get(REQUIRE_DOCKER_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def engine_choice(choice: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The choice in force: the flag, else TCMAGIC_ENGINE, else auto."""
    wanted = (choice or environ.get(ENGINE_VARIABLE, "") or "auto").strip().lower()
    if wanted not in CHOICES:
        raise WorkshopError(f"Unknown engine {wanted!r}: choose docker, embedded or auto "
                            f"(--engine or {ENGINE_VARIABLE}).")
    return wanted


FALLBACK_MEANING = {  # by purpose; else the course's caveat
    "show": "the show works the same on them",
    "exercise": "the exercises that start containers themselves need Docker and are skipped",
}
NEEDS_DOCKER = {  # by purpose: what the doctor says still needs Docker when the embedded engine takes over
    "show": "the show works the same; watch_containers.py and image packs need Docker",
    "workshop": "the course runs, but the lessons about containers themselves, watch_containers.py and "
                "image packs need Docker",
}


def fallback_announcement(engine) -> str:
    """The one line that says we run without Docker, and what that means for this purpose."""
    meaning = FALLBACK_MEANING.get(engine.purpose, "container lessons need Docker")
    return f"Docker is not reachable: running on {engine.describe()}; {meaning}"


def fallback_meaning(choice: str, purpose: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """What needs Docker when `choice` may fall back to the embedded engine; None when it may not."""
    if choice != "auto" or docker_required(environ):
        return None
    return NEEDS_DOCKER.get(purpose, NEEDS_DOCKER["workshop"])


def select_engine(choice: str | None, purpose: str, console=None,
                  environ: Mapping[str, str] = os.environ) -> Engine:
    """The engine to start servers with; falling back to embedded is announced on `console`.

    `console` is a Rich Console (or anything with print); None prints to stderr.
    """
    from lab.servers.containers import DockerEngine
    from lab.servers.embedded import EmbeddedEngine

    wanted = engine_choice(choice, environ)
    if wanted == "embedded":
        if docker_required(environ):
            raise WorkshopError(f"{REQUIRE_DOCKER_VARIABLE}=1 forbids the embedded engine: "
                                "unset one of the two, or choose --engine docker.")
        return EmbeddedEngine(purpose)
    try:
        docker_engine = DockerEngine(purpose)
    except DockerUnavailable:
        if wanted == "docker" or docker_required(environ):
            raise
    else:
        if docker_engine.notice:  # ports open beyond loopback: say so
            announce(docker_engine.notice, console)
        return docker_engine
    engine = EmbeddedEngine(purpose)
    announce(fallback_announcement(engine), console)
    return engine


SERVER_KINDS = {"docker": "container", "embedded": "embedded process"}


def server_kind(engine_or_service) -> str:
    """What runs a server, in words: "container" (Docker) or "embedded process"; None counts as Docker.

    A service names its engine in `.engine`, an engine itself in `.name`.
    """
    engine = getattr(engine_or_service, "engine", None)
    name = engine if isinstance(engine, str) else str(getattr(engine_or_service, "name", "docker"))
    return SERVER_KINDS.get(name, "container")


def announce(line: str, console=None) -> None:
    """Print one line as it is (no markup), on `console` or stderr."""
    if console is None:
        print(line, file=sys.stderr)
    else:
        console.print(line, markup=False, highlight=False)


def duration_words(seconds: float, digits: int = 1) -> str:
    """A duration as the room reads it: "0.6 s", and "under 0.1 s" for what would round to 0.0."""
    smallest = 10 ** -digits
    if round(seconds, digits) < smallest:
        return f"under {smallest:.{digits}f} s"
    return f"{seconds:.{digits}f} s"


def ready_line(role: str, seconds: float, kind: str, digits: int = 1) -> str:
    """The line that says a server answers: "PostgreSQL ready in 0.6 s (embedded process)", never "in 0.0 s"."""
    return f"{role} ready in {duration_words(seconds, digits)} ({kind})"
