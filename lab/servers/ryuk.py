"""Ryuk, testcontainers' clean-up container, started by us: beside the servers, fast, on loopback.

testcontainers starts Ryuk inside the first container's start(), before it creates that
container, polls Ryuk's port every half second and publishes it on every interface.
Here the first server start claims Ryuk, and starts it in a thread of its own as soon as
the server's container runs (while PostgreSQL's initdb does); its answer is awaited
every 20 ms, and its port is
published where the servers' are (loopback when Docker runs on this machine), so nobody
in the room can tell it what to remove. Once claimed, testcontainers sees Ryuk as its own
(`Reaper._instance`) and never starts a second one. Until it has answered (a few tenths
of a second) a SIGKILL would leave the new container to `python3 cleanup.py`.
"""

import atexit
import socket
import threading

from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer, Reaper
from testcontainers.core.labels import LABEL_SESSION_ID, SESSION_ID

from lab.servers.container_host import Publishing
from lab.waiting import wait_for

RYUK_PORT = 8080
_claim = threading.Lock()


def claim_ryuk() -> bool:
    """Take on starting Ryuk for this process: False when it runs, is being started, or is disabled."""
    with _claim:
        if testcontainers_config.ryuk_disabled or Reaper._instance is not None:
            return False
        Reaper._instance = Reaper()  # testcontainers' containers now start without waiting for Ryuk
        return True


def release_ryuk() -> None:
    """Give up a claim whose Ryuk was never started (the server it was for failed first)."""
    with _claim:
        if Reaper._socket is None and Reaper._container is None:
            Reaper._instance = None


def start_ryuk(publishing: Publishing, host_port: int, timeout: float) -> None:
    """Start Ryuk (after claim_ryuk) and hand it this session's label; it answers ACK."""
    try:
        container = (
            DockerContainer(testcontainers_config.ryuk_image)
            .with_name(f"testcontainers-ryuk-{SESSION_ID}")
            .with_volume_mapping(testcontainers_config.ryuk_docker_socket, "/var/run/docker.sock", "rw")
            .with_kwargs(privileged=testcontainers_config.ryuk_privileged, auto_remove=True)
            .with_env("RYUK_RECONNECTION_TIMEOUT", testcontainers_config.ryuk_reconnection_timeout)
        )
        publishing.publish(container, RYUK_PORT, host_port)
        Reaper._container = container.start()
        address = publishing.address(container, RYUK_PORT, host_port)
        Reaper._socket = wait_for(lambda: _registered(address), "Ryuk to answer", timeout=timeout,
                                  interval=0.02, ignore=(OSError,))
    except BaseException:
        Reaper.delete_instance()
        raise
    atexit.register(_hang_up)


def _hang_up() -> None:
    """At exit, hang up on Ryuk: it removes what is left of this session, then itself.

    testcontainers-python also removes Ryuk here, a fifth of a second on every run;
    Ryuk was made to notice the hang-up and clean up on its own, as testcontainers-java lets it.
    """
    if Reaper._socket is not None:
        Reaper._socket.close()
        Reaper._socket = None


def _registered(address: tuple[str, int]) -> socket.socket | None:
    """A connection to Ryuk that has acknowledged our session's label, or None if Ryuk isn't listening yet."""
    connection = socket.create_connection(address, timeout=1)
    try:
        connection.sendall(f"label={LABEL_SESSION_ID}={SESSION_ID}\r\n".encode())
        if connection.recv(16).startswith(b"ACK"):
            return connection
    except OSError:
        pass
    connection.close()
    return None
