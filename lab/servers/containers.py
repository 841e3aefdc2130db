"""Real PostgreSQL and Redis in throwaway containers, started through testcontainers.

Every container carries our labels (lab.servers.labels) besides testcontainers' own, so
the monitor and cleanup find them by label. Ports are published on 127.0.0.1 whenever
Docker runs on this machine, or the servers join the host's network and listen on
127.0.0.1 themselves where a native Linux engine allows it (lab.servers.container_host);
every server gets a random password. Each start is timed until the server answers a real query, polled from here
every 20 ms by a wait strategy (lab.servers.readiness), while Ryuk starts beside the first server
(lab.servers.ryuk). A running
service can be stopped, killed, paused and recovered.
"""

import functools
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import docker
import docker.errors
import psycopg2
from testcontainers.community.redis import RedisContainer
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer

from lab.errors import DockerUnavailable, ImageUnavailable, StartupFailed
from lab.ratelimit.limiters import redis_client
from lab.servers.container_host import LOOPBACK, Publishing
from lab.servers.durable import DurableData
from lab.servers.images import IMAGES
from lab.servers.labels import (  # noqa: F401 - their importers know them from here
    LABEL_DURABLE,
    LABEL_MANAGED,
    LABEL_NAMESPACE,
    LABEL_PORT,
    LABEL_PURPOSE,
    LABEL_ROLE,
    LABEL_RUN,
    RUN_ID,
    our_labels,
)
from lab.servers.readiness import ServerAnswers, container_status, wait_ready
from lab.servers.ryuk import claim_ryuk, release_ryuk, start_ryuk
from lab.settings import POSTGRES_DB, POSTGRES_USER, PostgresSettings, RedisSettings, new_password
from lab.waiting import WaitTimeout

TESTCONTAINERS_LABEL = "org.testcontainers"  # testcontainers' own label on everything it starts
DEFAULT_DOCKER_SOCKET = "unix:///var/run/docker.sock"  # docker-py's default without DOCKER_HOST
READY_TIMEOUT = float(os.environ.get("TCMAGIC_READY_TIMEOUT", "60"))
PGDATA = "/var/lib/postgresql/data"  # the official image's data directory
ServerSettings = TypeVar("ServerSettings", PostgresSettings, RedisSettings)
# throwaway databases only: a crash may lose them, and they are thrown away anyway
THROWAWAY_SETTINGS = ("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")


def docker_host_description() -> str:
    """Where the Docker client will look, in words, for error messages and the doctor."""
    host = os.environ.get("DOCKER_HOST")
    return f"DOCKER_HOST={host}" if host else "the default socket /var/run/docker.sock"


def docker_client(timeout: int = 10) -> docker.DockerClient:
    """A Docker client that has answered a ping, or DockerUnavailable saying what to do.

    When Docker does not answer, nothing is left open: the client is closed, and a Unix
    socket that is absent is found by a probe of ours first, because docker-py 7 leaks the
    socket of a failed connect (a ResourceWarning, an error under `filterwarnings = error`).
    """
    client = None
    try:
        _probe_unix_socket(timeout)
        client = docker.from_env(timeout=timeout)
        client.ping()
    except (docker.errors.DockerException, OSError) as error:
        if client is not None:
            client.close()
        raise DockerUnavailable(
            f"Docker is not reachable at {docker_host_description()}: start Docker "
            "(Docker Desktop, or `sudo systemctl start docker`) or fix DOCKER_HOST, then try again."
        ) from error
    return client


def _probe_unix_socket(timeout: float) -> None:
    """Connect to Docker's Unix socket, if that is where the client will look, and close; OSError if absent."""
    host = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_SOCKET
    scheme, _, path = host.partition("://")
    if scheme not in {"unix", "http+unix"}:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        probe.connect(path)


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
    with psycopg2.connect(**settings.connect_kwargs(connect_timeout=1)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def redis_answers(settings: RedisSettings) -> bool:
    """True when Redis at `settings` answers PING from this process (one try: the caller polls)."""
    client = redis_client(settings, timeout=0.5)
    try:
        return bool(client.ping())
    finally:
        client.close()


@dataclass
class Service:
    """A running server in a container: where it listens, how long it took, and chaos."""

    role: str
    settings: PostgresSettings | RedisSettings
    startup_seconds: float
    container: DockerContainer
    is_ready: Callable[[], bool] = field(repr=False)
    engine: str = "docker"
    durable: DurableData | None = None  # what a resumed run needs; None for a throwaway server
    forget_data: Callable[[], None] = field(default=lambda: None, repr=False)

    @property
    def container_id(self) -> str:
        """The Docker id of the container."""
        return self.container.get_container_id()

    @property
    def name(self) -> str:
        """The container's name as Docker shows it."""
        return self.container.get_wrapped_container().name or ""  # docker-py names every container it lists

    def status(self) -> str:
        """Docker's status now: running, paused, exited, removed..."""
        return container_status(self.container)

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
        wait_ready(self.role, self.is_ready, timeout, self.status)
        return time.perf_counter() - started

    def remove(self, keep_data: bool = False) -> None:
        """Remove the container, and a durable server's data too unless `keep_data`."""
        _remove_container(self.container)
        if not keep_data:
            self.forget_data()


def _remove_container(container: DockerContainer) -> None:
    """Stop and remove `container`; one already gone is fine."""
    try:
        container.stop()
    except docker.errors.NotFound:
        pass


class DockerEngine:
    """Starts our servers as Docker containers through testcontainers."""

    name = "docker"

    def __init__(self, purpose: str = "test", run_id: str = RUN_ID) -> None:
        self.purpose = purpose
        self.run_id = run_id
        self.client = docker_client()
        self.publishing = Publishing.for_engine(self.client)

    @property
    def notice(self) -> str:
        """One line to announce when the servers' ports are open beyond loopback, else ""."""
        return self.publishing.notice

    def start_postgres(self, durable: bool = False, resume: DurableData | None = None) -> Service:
        """Start PostgreSQL with a random password, throwaway unless `durable` (or `resume`).

        Throwaway (tests): data on tmpfs, initdb --no-sync, and fsync, full_page_writes and
        synchronous_commit off; it all goes with the container.
        durable=True (the show): the data on a new named volume with PostgreSQL's full
        durability. The volume carries our labels but not testcontainers' session label, so
        when this process dies Ryuk removes the container and leaves the data. Save
        `service.durable` (DurableData: volume name and login) to resume.
        resume=saved DurableData: a new container on that volume, with the saved login; a
        container of the old run still on it is removed first. ResumeUnavailable when the
        volume is gone.
        `service.remove()` removes the volume too; `remove(keep_data=True)` keeps it, and
        `remove_durable(data)` removes it later (a crash leaves it for that).
        """
        data = self._take_over(resume) if resume is not None else self._new_volume() if durable else None
        login = data or DurableData("docker", "", POSTGRES_USER, new_password(), POSTGRES_DB)
        # the image itself, not testcontainers' PostgresContainer: that one also polls `psql` once a second
        container = DockerContainer(IMAGES["postgres"].name).with_envs(
            POSTGRES_USER=login.user, POSTGRES_PASSWORD=login.password, POSTGRES_DB=login.dbname)
        host_port = free_port()
        command = ["postgres"]
        if self.publishing.host_network:  # PGPORT: the entrypoint's psql and both of its servers use it
            container.with_env("PGPORT", str(host_port))
            command += ["-c", f"listen_addresses={LOOPBACK}"]
        if data is None:
            container.with_tmpfs_mount(PGDATA)
            container.with_env("POSTGRES_INITDB_ARGS", "--no-sync")
            command += THROWAWAY_SETTINGS
        else:
            container.with_volume_mapping(data.location, PGDATA, "rw")
        container.with_command(command)

        def settings(host: str, port: int) -> PostgresSettings:
            return PostgresSettings(host, port, login.user, login.password, login.dbname)

        try:
            service = self._start("postgres", container, 5432, host_port, settings, postgres_answers)
        except BaseException:
            if durable and resume is None and data is not None:  # a failed start removes the volume it made
                self.remove_durable(data)
            raise
        if data is not None:
            service.durable, service.forget_data = data, lambda: self.remove_durable(data)
        return service

    def start_redis(self) -> Service:
        """Start Redis with a random password (requirepass) and no persistence."""
        password = new_password()
        host_port = free_port()
        container = RedisContainer(IMAGES["redis"].name)
        listening = ["--bind", LOOPBACK, "--port", str(host_port)] if self.publishing.host_network else []
        container.with_command(["redis-server", "--requirepass", password, "--save", "", "--appendonly", "no", *listening])
        return self._start("redis", container, 6379, host_port, lambda host, port: RedisSettings(host, port, password),
                           redis_answers)

    def start(self, role: str, **options) -> Service:
        """Start the server for `role` ("postgres" or "redis")."""
        return {"postgres": self.start_postgres, "redis": self.start_redis}[role](**options)

    def remove_durable(self, data: DurableData) -> None:
        """Remove a durable PostgreSQL's volume, and any container still using it."""
        for container in self.client.containers.list(all=True, filters={"volume": data.location}, ignore_removed=True):
            container.remove(force=True)
        try:
            self.client.volumes.get(data.location).remove(force=True)
        except docker.errors.NotFound:
            pass

    def _new_volume(self) -> DurableData:
        name = f"tcmagic-postgres-{self.run_id}-{new_password()[:6]}"
        labels = {**our_labels("postgres", self.purpose, self.run_id), LABEL_DURABLE: "true"}
        self.client.volumes.create(name, labels=labels)  # no session label: Ryuk leaves it alone
        return DurableData("docker", name, POSTGRES_USER, new_password(), POSTGRES_DB)

    def _take_over(self, data: DurableData) -> DurableData:
        data.check_engine(self.name)
        try:
            self.client.volumes.get(data.location)
        except docker.errors.NotFound:
            raise data.gone() from None
        for container in self.client.containers.list(all=True, filters={"volume": data.location}, ignore_removed=True):
            container.remove(force=True)  # two servers on one data directory would corrupt it
        return data

    def _start(self, role: str, container: DockerContainer, port: int, host_port: int,
               settings_of: Callable[[str, int], ServerSettings], answers: Callable[[ServerSettings], bool]) -> Service:
        ensure_image(self.client, container.image)  # with testcontainers' hub prefix, if one is set
        labels = our_labels(role, self.purpose, self.run_id)
        if self.publishing.host_network:  # the server listens on host_port of this machine's loopback
            container.ports.clear()
            container.with_kwargs(labels={**labels, LABEL_PORT: str(host_port)}, network_mode="host")
        else:
            self.publishing.publish(container, port, host_port)
            container.with_kwargs(labels=labels)
        # where the server answers is known once its container runs
        settings = functools.cache(lambda: settings_of(*self.publishing.address(container, port, host_port)))

        def is_ready() -> bool:
            return answers(settings())

        started = time.perf_counter()
        claimed = claim_ryuk()  # before our container exists, so testcontainers starts no Ryuk of its own
        # Ryuk starts once our container runs, while the server gets ready
        container.waiting_for(ServerAnswers(role, is_ready, READY_TIMEOUT, self._start_ryuk if claimed else None))
        try:
            container.start()
        except docker.errors.DockerException as error:
            if claimed:
                release_ryuk()
            raise StartupFailed(
                f"Docker could not start the {role} container ({error}): run `python3 cleanup.py` "
                "to remove leftovers, check `docker ps`, then try again."
            ) from error
        except BaseException:
            _remove_container(container)  # gone already, if it vanished while its server started
            raise
        return Service(role, settings(), time.perf_counter() - started, container, is_ready)

    def _start_ryuk(self) -> None:
        image = testcontainers_config.ryuk_image
        try:
            ensure_image(self.client, image)
            start_ryuk(self.publishing, free_port(), READY_TIMEOUT)
        except (docker.errors.DockerException, WaitTimeout, ImageUnavailable) as error:
            release_ryuk()  # the next server start tries again
            raise StartupFailed(
                f"Ryuk, testcontainers' clean-up container, did not start ({error}): run `docker pull {image}`, "
                "or set TESTCONTAINERS_RYUK_DISABLED=true and run `python3 cleanup.py` after your session."
            ) from error
