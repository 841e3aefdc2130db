"""Can this process reach a container's published port at the address testcontainers will use?

Inside a container (a devcontainer, a CI job, Docker-in-Docker) testcontainers guesses the
address of the Docker host: the default gateway, the bridge, or localhost. A wrong guess
only shows at the first connection, so the doctor starts one tiny container and tries.
"""

import os
import socket
from dataclasses import dataclass

import docker
import docker.errors

from lab.servers.containers import our_labels
from lab.waiting import WaitTimeout, wait_for

PROBE_PORT = 6379  # the Redis image is small and listens here at once


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
    try:
        mode = testcontainers_client.get_connection_mode()
        if mode.value == "gateway_ip":
            host = testcontainers_client.gateway_ip(container.id)
        elif mode.value == "bridge_ip":
            host = testcontainers_client.bridge_ip(container.id)
        else:
            host = testcontainers_client.host()
        port = int(testcontainers_client.port(container.id, PROBE_PORT)) if mode.use_mapped_port else PROBE_PORT
        try:
            wait_for(
                lambda: tcp_connects(host, port), f"{host}:{port}", timeout=timeout, interval=0.1, ignore=(OSError,)
            )
        except WaitTimeout as error:
            return Reachability(host, port, mode.value, False, str(error))
        return Reachability(host, port, mode.value, True)
    finally:
        container.remove(force=True)


def override_hint(env: dict[str, str] | None = None) -> str:
    """The variable to set, with the value most likely to work here."""
    env = os.environ if env is None else env
    current = env.get("TESTCONTAINERS_HOST_OVERRIDE") or env.get("TC_HOST")
    suggestion = "host.docker.internal" if current == "localhost" else "localhost"
    return f"TESTCONTAINERS_HOST_OVERRIDE={suggestion}"
