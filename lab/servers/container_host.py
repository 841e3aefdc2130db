"""Where the Docker host is, where our containers' ports are published, and can we reach them?

When the Docker engine runs on this machine (a local socket, Docker Desktop, or Docker-in-
Docker inside this very container), ports are published on 127.0.0.1 only, so nobody on
the venue's network reaches the databases. When it runs elsewhere (a remote DOCKER_HOST,
or Docker outside of Docker: the host's socket mounted into this container), they must be
published on all of its interfaces, and we say so in one line.

When the engine is a native Linux one sharing this process's network (not Docker Desktop's
VM, not rootless Docker's own namespace), the servers go one step further: they join the
host's network and listen on 127.0.0.1 themselves. No bridge, no veth pair, no proxy
process: a container starts and goes about 0.15 s sooner each way on two cores.
TCMAGIC_HOST_NETWORK=0 keeps them on Docker's bridge with published ports.

Inside a container testcontainers guesses the address of the Docker host: the default
gateway, the bridge, or localhost. A wrong guess only shows at the first connection, so
the doctor starts one tiny container and tries.
"""

import ipaddress
import os
import platform
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import docker
import docker.errors
from testcontainers.core.container import DockerContainer

from lab.servers.labels import LABEL_PORT, our_labels
from lab.waiting import WaitTimeout, wait_for

PROBE_PORT = 6379  # the Redis image is small and listens here at once
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"
HOST_NETWORK_VARIABLE = "TCMAGIC_HOST_NETWORK"


def is_loopback(host: str | None) -> bool:
    """True for localhost, 127.x.x.x and ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def docker_elsewhere(client: docker.DockerClient, environ: Mapping[str, str] = os.environ) -> str:
    """Why the Docker engine is not on this machine's loopback, in words; "" when it is."""
    override = environ.get("TESTCONTAINERS_HOST_OVERRIDE") or environ.get("TC_HOST")
    if override and not is_loopback(override):
        return f"TESTCONTAINERS_HOST_OVERRIDE={override}"
    host = environ.get("DOCKER_HOST", "")
    if host and not host.startswith(("unix://", "npipe://")) and not is_loopback(urlsplit(host).hostname):
        return f"DOCKER_HOST={host}"
    if inside_container() and client.info().get("Name") != socket.gethostname():
        return "Docker outside of Docker: this container talks to its host's engine"
    return ""


def shares_our_network(client: docker.DockerClient, environ: Mapping[str, str] = os.environ) -> bool:
    """True when a container on Docker's host network listens on this process's own loopback.

    That is a native Linux engine on this machine (or Docker-in-Docker in this very
    container): the daemon's name is our host name, and it is neither Docker Desktop (a VM)
    nor rootless (a network namespace of its own). Call it only when docker_elsewhere is "".
    """
    if environ.get(HOST_NETWORK_VARIABLE, "1") == "0" or platform.system() != "Linux":
        return False
    info = client.info()
    rootless = any("rootless" in option for option in info.get("SecurityOptions") or [])
    desktop = "docker desktop" in (info.get("OperatingSystem") or "").lower()
    return not rootless and not desktop and info.get("Name") == socket.gethostname()


def host_network_port(attrs: dict) -> int | None:
    """The port a server of ours on the host's network listens on, from its `docker inspect` data; else None."""
    port = (attrs.get("Config", {}).get("Labels") or {}).get(LABEL_PORT, "")
    return int(port) if attrs.get("HostConfig", {}).get("NetworkMode") == "host" and port.isdigit() else None


@dataclass(frozen=True)
class Publishing:
    """Where our containers' ports are published on the Docker host, and how we reach them."""

    bind_address: str
    notice: str = ""  # the one line that says why the ports are open beyond loopback
    host_network: bool = False  # servers join this machine's network and listen on loopback themselves

    @classmethod
    def for_engine(cls, client: docker.DockerClient, environ: Mapping[str, str] = os.environ) -> "Publishing":
        """Loopback when the engine runs on this machine, else all interfaces with a notice."""
        elsewhere = docker_elsewhere(client, environ)
        if not elsewhere:
            return cls(LOOPBACK, host_network=shares_our_network(client, environ))
        return cls(ALL_INTERFACES, f"Docker runs beyond this machine ({elsewhere}): the servers' ports are "
                                   "published on all of its interfaces, guarded by random passwords.")

    def publish(self, container: DockerContainer, port: int, host_port: int) -> None:
        """Publish `port` of `container` (its only published port) on `host_port` at our bind address."""
        container.ports.clear()
        # docker-py takes (host address, port); testcontainers passes it on, though its annotation names a port only
        container.ports[f"{port}/tcp"] = (self.bind_address, host_port)  # type: ignore[assignment]

    def address(self, container: DockerContainer, port: int, host_port: int) -> tuple[str, int]:
        """(host, port) where this process reaches `port` of the started `container`, published on `host_port`."""
        if self.bind_address == LOOPBACK:
            return LOOPBACK, host_port
        return container.get_container_host_ip(), int(container.get_exposed_port(port))


@dataclass(frozen=True)
class Reachability:
    """Where testcontainers would connect for a probe container, and whether that worked."""

    host: str
    port: int
    mode: str
    reached: bool
    error: str = ""


def inside_container() -> bool:
    """True when this process runs in a container, as testcontainers decides it."""
    from testcontainers.core import utils

    return utils.inside_container()


def tcp_connects(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to host:port is accepted."""
    with socket.create_connection((host, port), timeout=timeout):
        return True


def probe(client: docker.DockerClient, image: str, timeout: float = 10.0) -> Reachability:
    """Start `image` with a published port and connect to it the way testcontainers would."""
    from testcontainers.core.docker_client import DockerClient as TestcontainersClient

    testcontainers_client = TestcontainersClient()
    container = client.containers.run(
        image, detach=True, ports={f"{PROBE_PORT}/tcp": None}, labels=our_labels("probe", "doctor"),
    )
    container_id = str(container.id)  # docker-py's run() returns a created container: it has an id
    try:
        mode = testcontainers_client.get_connection_mode()
        if mode.value == "gateway_ip":
            host = testcontainers_client.gateway_ip(container_id)
        elif mode.value == "bridge_ip":
            host = testcontainers_client.bridge_ip(container_id)
        else:
            host = testcontainers_client.host()
        port = int(testcontainers_client.port(container_id, PROBE_PORT)) if mode.use_mapped_port else PROBE_PORT
        try:
            wait_for(
                lambda: tcp_connects(host, port), f"{host}:{port}", timeout=timeout, interval=0.1, ignore=(OSError,)
            )
        except WaitTimeout as error:
            return Reachability(host, port, mode.value, False, str(error))
        return Reachability(host, port, mode.value, True)
    finally:
        container.remove(force=True)


def override_hint(env: Mapping[str, str] | None = None) -> str:
    """The variable to set, with the value most likely to work here."""
    env = os.environ if env is None else env
    current = env.get("TESTCONTAINERS_HOST_OVERRIDE") or env.get("TC_HOST")
    suggestion = "host.docker.internal" if current == "localhost" else "localhost"
    return f"TESTCONTAINERS_HOST_OVERRIDE={suggestion}"
