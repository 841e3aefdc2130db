"""Real PostgreSQL and Redis in throwaway containers, started through testcontainers.

Every container carries our labels (see `our_labels`) besides testcontainers' own, so
the monitor and cleanup find them by label. Each start is timed until the server really
answers a query, and a running service can be stopped, killed, paused and recovered.
"""

import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

import docker
import docker.errors
import psycopg2
from testcontainers.community.postgres import PostgresContainer
from testcontainers.community.redis import RedisContainer
from testcontainers.core.container import DockerContainer

from lab.errors import DockerUnavailable, ImageUnavailable, StartupFailed
from lab.servers.images import IMAGES
from lab.ratelimit.limiters import redis_client
from lab.settings import PostgresSettings, RedisSettings
from lab.waiting import WaitTimeout, wait_for

LABEL_NAMESPACE = "dev.tcmagic"
LABEL_MANAGED = f"{LABEL_NAMESPACE}.managed"
LABEL_ROLE = f"{LABEL_NAMESPACE}.role"
LABEL_RUN = f"{LABEL_NAMESPACE}.run-id"
LABEL_PURPOSE = f"{LABEL_NAMESPACE}.purpose"
TESTCONTAINERS_LABEL = "org.testcontainers"  # testcontainers' own label on everything it starts

RUN_ID = uuid.uuid4().hex[:12]
READY_TIMEOUT = float(os.environ.get("TCMAGIC_READY_TIMEOUT", "60"))


def our_labels(role: str, purpose: str, run_id: str = RUN_ID) -> dict[str, str]:
    """The labels in our namespace that every container we start carries."""
    return {LABEL_MANAGED: "true", LABEL_ROLE: role, LABEL_RUN: run_id, LABEL_PURPOSE: purpose}


def docker_host_description() -> str:
    """Where the Docker client will look, in words, for error messages and the doctor."""
    host = os.environ.get("DOCKER_HOST")
    return f"DOCKER_HOST={host}" if host else "the default socket /var/run/docker.sock"


def docker_client(timeout: int = 10) -> docker.DockerClient:
    """A Docker client that has answered a ping, or DockerUnavailable saying what to do."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except (docker.errors.DockerException, OSError) as error:
        raise DockerUnavailable(
            f"Docker is not reachable at {docker_host_description()}: start Docker "
            "(Docker Desktop, or `sudo systemctl start docker`) or fix DOCKER_HOST, then try again."
        ) from error
    return client


def free_port() -> int:
    """A TCP port free on this machine now, so a restarted container keeps its address."""
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def ensure_image(client: docker.DockerClient, image: str) -> None:
    """Make sure `image` is present locally, pulling it if needed."""
    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(image)
    except docker.errors.DockerException as error:
        variable = next((i.env_var for i in IMAGES.values() if i.name == image), "the image variable")
        raise ImageUnavailable(
            f"Image {image} is not here and could not be pulled ({error.__class__.__name__}): "
            f"check the network, run `docker pull {image}`, or point {variable} at a mirror."
        ) from error


def postgres_answers(settings: PostgresSettings) -> bool:
    """True when PostgreSQL at `settings` runs a query from this process."""
    with psycopg2.connect(**settings.connect_kwargs(connect_timeout=1)) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)


def redis_answers(settings: RedisSettings) -> bool:
    """True when Redis at `settings` answers PING from this process (one try: the caller polls)."""
    client = redis_client(settings, timeout=0.5)
    try:
        return bool(client.ping())
    finally:
        client.close()


class _QuietPostgresContainer(PostgresContainer):
    """PostgresContainer whose readiness we judge ourselves, from the host, every 50 ms."""

    def _connect(self) -> None:  # testcontainers' own check polls `psql` once a second
        pass


@dataclass
class Service:
    """A running server in a container: where it listens, how long it took, and chaos."""

    role: str
    settings: PostgresSettings | RedisSettings
    startup_seconds: float
    container: DockerContainer
    is_ready: Callable[[], bool] = field(repr=False)
    engine: str = "docker"

    @property
    def container_id(self) -> str:
        """The Docker id of the container."""
        return self.container.get_container_id()

    @property
    def name(self) -> str:
        """The container's name as Docker shows it."""
        return self.container.get_wrapped_container().name

    def status(self) -> str:
        """Docker's status now: running, paused, exited, removed..."""
        try:
            wrapped = self.container.get_wrapped_container()
            wrapped.reload()
            return wrapped.status
        except docker.errors.NotFound:
            return "removed"

    def kill(self) -> None:
        """Docker kill: the server dies at once, connections are refused."""
        self.container.get_wrapped_container().kill()

    def stop(self) -> None:
        """Docker stop: the server shuts down cleanly."""
        self.container.get_wrapped_container().stop(timeout=2)

    def pause(self) -> None:
        """Docker pause: the server freezes, connections hang (the slow death)."""
        self.container.get_wrapped_container().pause()

    def unpause(self) -> None:
        """Docker unpause: a frozen server carries on."""
        self.container.get_wrapped_container().unpause()

    def recover(self, timeout: float = READY_TIMEOUT) -> float:
        """Bring the server back from whatever state it is in; return seconds until it answers."""
        started = time.perf_counter()
        state = self.status()
        wrapped = self.container.get_wrapped_container()
        if state == "paused":
            wrapped.unpause()
        elif state != "running":
            wrapped.start()
        _wait_ready(self.role, self.is_ready, timeout)
        return time.perf_counter() - started

    def remove(self) -> None:
        """Remove the container and its anonymous volumes."""
        try:
            self.container.stop()
        except docker.errors.NotFound:
            pass


def _wait_ready(role: str, is_ready: Callable[[], bool], timeout: float) -> None:
    try:
        wait_for(is_ready, f"{role} to answer a query", timeout=timeout, interval=0.05, ignore=(Exception,))
    except WaitTimeout as error:
        raise StartupFailed(
            f"{role} started but did not answer within {timeout:g} s: check `docker logs` of the "
            "container, free some memory, or raise TCMAGIC_READY_TIMEOUT."
        ) from error


class DockerEngine:
    """Starts our servers as Docker containers through testcontainers."""

    name = "docker"

    def __init__(self, purpose: str = "test", run_id: str = RUN_ID) -> None:
        self.purpose = purpose
        self.run_id = run_id
        self.client = docker_client()

    def start_postgres(self, durable: bool = False) -> Service:
        """Start PostgreSQL; `durable=False` keeps its data in RAM, which starts faster."""
        image = IMAGES["postgres"].name
        container = _QuietPostgresContainer(image, username="workshop", password="workshop", dbname="workshop")
        if durable:
            # fsync=off survives a killed server (the kernel keeps its page cache); a commit
            # reported as done is in the WAL before the answer, so a kill loses no vote.
            container.with_command("postgres -c fsync=off")
        else:
            container.with_command("postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            container.with_tmpfs_mount("/var/lib/postgresql/data")
            # a throwaway test database: skipping SCRAM saves ~5 ms on every new connection
            container.with_env("POSTGRES_HOST_AUTH_METHOD", "trust")

        def settings() -> PostgresSettings:
            return PostgresSettings(container.get_container_host_ip(), int(container.get_exposed_port(5432)))

        return self._start("postgres", image, container, settings, postgres_answers)

    def start_redis(self) -> Service:
        """Start Redis, with no persistence."""
        image = IMAGES["redis"].name
        container = RedisContainer(image)
        container.waiting_for(_NoWait())

        def settings() -> RedisSettings:
            return RedisSettings(container.get_container_host_ip(), int(container.get_exposed_port(6379)))

        return self._start("redis", image, container, settings, redis_answers)

    def start(self, role: str, **options) -> Service:
        """Start the server for `role` ("postgres" or "redis")."""
        return {"postgres": self.start_postgres, "redis": self.start_redis}[role](**options)

    def _start(self, role, image, container, settings_of, answers) -> Service:
        ensure_image(self.client, container.image)  # with testcontainers' hub prefix, if one is set
        internal_port = next(iter(container.ports))
        container.with_bind_ports(internal_port, free_port())
        container.with_kwargs(labels=our_labels(role, self.purpose, self.run_id))
        started = time.perf_counter()
        try:
            container.start()
        except docker.errors.DockerException as error:
            raise StartupFailed(
                f"Docker could not start the {role} container ({error}): run `python cleanup.py` "
                "to remove leftovers, check `docker ps`, then try again."
            ) from error
        settings = settings_of()
        is_ready = lambda: answers(settings)  # noqa: E731 - captured for recover()
        try:
            _wait_ready(role, is_ready, READY_TIMEOUT)
        except StartupFailed:
            container.stop()
            raise
        return Service(role, settings, time.perf_counter() - started, container, is_ready)


class _NoWait:
    """A wait strategy that returns at once: we time readiness ourselves."""

    def wait_until_ready(self, container) -> None:
        return None
