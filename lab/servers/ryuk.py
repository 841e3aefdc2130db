"""Ryuk, testcontainers' clean-up container, started by us: beside the servers, fast, on loopback.

testcontainers starts Ryuk inside the first container's start(), before it creates that
container, polls Ryuk's port every half second and publishes it on every interface.
Here the first server start claims Ryuk through testcontainers' documented switch,
`testcontainers_config.ryuk_disabled` (what TESTCONTAINERS_RYUK_DISABLED sets): from then on
testcontainers starts none of its own. Ours starts in a thread as soon as the server's
container runs (while PostgreSQL's initdb does), is awaited every 20 ms by a wait strategy,
and watches this process's session label, the label testcontainers puts on everything it
starts, so it removes all of it when the process ends. Its port is published where the
servers' are (loopback when Docker runs on this machine), so nobody in the room can tell it
what to remove. Until it has answered (a few tenths of a second) a SIGKILL would leave the
new container to `python3 cleanup.py`.
"""

import atexit
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.labels import LABEL_SESSION_ID, SESSION_ID
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from lab.servers.container_host import Publishing
from lab.servers.labels import owner_label
from lab.waiting import wait_for

RYUK_PORT = 8080
RYUK_POLL_SECONDS = 0.02


@dataclass
class _Claim:
    """This process's claim on Ryuk: one per process, as testcontainers' session id is."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ours: bool = False  # we set testcontainers_config.ryuk_disabled: our Ryuk stands in for testcontainers' own
    started: bool = False


_claim = _Claim()  # per process by nature: Ryuk watches the process's session label, not an app


def claim_ryuk() -> bool:
    """Take on starting Ryuk for this process: False when it runs, is being started, or is disabled."""
    with _claim.lock:
        if testcontainers_config.ryuk_disabled:
            return False
        testcontainers_config.ryuk_disabled = True  # testcontainers' containers now start without a Ryuk of their own
        _claim.ours = True
        return True


def release_ryuk() -> None:
    """Give up a claim whose Ryuk never answered (it, or the server it was for, failed first)."""
    with _claim.lock:
        if _claim.ours and not _claim.started:
            testcontainers_config.ryuk_disabled = False
            _claim.ours = False


def ryuk_disabled_by_user() -> bool:
    """True when the user turned Ryuk off (TESTCONTAINERS_RYUK_DISABLED), not when ours stands in."""
    with _claim.lock:
        return testcontainers_config.ryuk_disabled and not _claim.ours


class SessionRegistered(WaitStrategy):
    """Ryuk is ready when it has acknowledged this session's label on a connection we keep open."""

    def __init__(self, address: Callable[[], tuple[str, int]], timeout: float) -> None:
        super().__init__()
        self.address, self.timeout = address, timeout  # the address is known once the container runs
        self.connection: socket.socket | None = None

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        address = self.address()
        self.connection = wait_for(lambda: _registered(address), "Ryuk to answer", timeout=self.timeout,
                                   interval=RYUK_POLL_SECONDS, ignore=(OSError,))


def start_ryuk(publishing: Publishing, host_port: int, timeout: float) -> None:
    """Start Ryuk (after claim_ryuk) and hand it this session's label; it answers ACK."""
    container = (
        DockerContainer(testcontainers_config.ryuk_image)
        .with_name(f"testcontainers-ryuk-{SESSION_ID}")
        .with_volume_mapping(testcontainers_config.ryuk_docker_socket, "/var/run/docker.sock", "rw")
        .with_kwargs(privileged=testcontainers_config.ryuk_privileged, auto_remove=True,
                     labels=owner_label())  # cleanup.py tells our live session's Ryuk by it
        .with_env("RYUK_RECONNECTION_TIMEOUT", testcontainers_config.ryuk_reconnection_timeout)
    )
    publishing.publish(container, RYUK_PORT, host_port)
    registered = SessionRegistered(lambda: publishing.address(container, RYUK_PORT, host_port), timeout)
    try:
        container.waiting_for(registered).start()
    except BaseException:
        container.stop()
        release_ryuk()
        raise
    connection = registered.connection
    assert connection is not None  # wait_until_ready returned
    with _claim.lock:
        _claim.started = True
    # At exit we hang up and Ryuk removes what is left of this session, then itself. testcontainers
    # also removes Ryuk there, a fifth of a second on every run; Ryuk was made to notice the hang-up.
    atexit.register(connection.close)


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
