"""testcontainers' wait for our servers: ready when they answer a real query from this process, asked every 20 ms.

A container that is removed or ends while its server starts (`docker rm -f`, a clean-up, a
crash) is said at once in one sentence, instead of after the whole ready timeout.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import docker.errors
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from lab.errors import StartupFailed
from lab.waiting import WaitTimeout, wait_for

READY_POLL_SECONDS = 0.02  # testcontainers' own waits poll once a second (TC_POOLING_INTERVAL)
GONE_CHECK_SECONDS = 0.25  # how often a start asks Docker whether the container is still there
GONE_STATES = frozenset({"removed", "removing", "exited", "dead"})


def container_status(container: WaitStrategyTarget) -> str:
    """Docker's status of `container` now: running, paused, exited, removed..."""
    try:
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        return wrapped.status
    except docker.errors.NotFound:
        return "removed"


def wait_ready(role: str, is_ready: Callable[[], bool], timeout: float,
               status: Callable[[], str] | None = None) -> None:
    """Return once `is_ready()` is true, or StartupFailed saying what to do after `timeout` seconds.

    With `status` (the container's), a container that is gone or has ended is StartupFailed at once.
    """
    looked = [0.0]

    def answered_or_gone() -> str:
        try:
            answered = is_ready()
        except Exception:  # noqa: BLE001 - "not yet": the driver's errors while the server starts are many and transient
            answered = False
        if answered:
            return "ready"
        if status is not None and time.monotonic() - looked[0] >= GONE_CHECK_SECONDS:  # a few asks a second, not 50
            looked[0] = time.monotonic()
            state = status()
            if state in GONE_STATES:
                return state
        return ""

    try:
        outcome = wait_for(answered_or_gone, f"{role} to answer a query", timeout=timeout, interval=READY_POLL_SECONDS)
    except WaitTimeout as error:
        raise StartupFailed(
            f"{role} started but did not answer within {timeout:g} s: check `docker logs` of the "
            "container, free some memory, or raise TCMAGIC_READY_TIMEOUT."
        ) from error
    if outcome != "ready":
        raise StartupFailed(
            f"The {role} container vanished while it started (Docker says: {outcome}; removed by hand or by "
            "a clean-up, or it crashed): check `docker ps -a` and `docker events`, then start again."
        )


class ServerAnswers(WaitStrategy):
    """Ready when the server answers `is_ready()`; `meanwhile` (Ryuk's start) runs beside the wait."""

    def __init__(self, role: str, is_ready: Callable[[], bool], timeout: float,
                 meanwhile: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.role, self.is_ready, self.timeout, self.meanwhile = role, is_ready, timeout, meanwhile

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        def status() -> str:
            return container_status(container)

        if self.meanwhile is None:
            wait_ready(self.role, self.is_ready, self.timeout, status)
            return
        # the container runs now: starting Ryuk at the same moment as it would slow both on two cores
        with ThreadPoolExecutor(max_workers=1) as beside:
            meanwhile = beside.submit(self.meanwhile)
            wait_ready(self.role, self.is_ready, self.timeout, status)
            meanwhile.result()
