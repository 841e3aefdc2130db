"""testcontainers' wait for our servers: ready when they answer a real query from this process, asked every 20 ms."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from lab.errors import StartupFailed
from lab.waiting import WaitTimeout, wait_for

READY_POLL_SECONDS = 0.02  # testcontainers' own waits poll once a second (TC_POOLING_INTERVAL)


def wait_ready(role: str, is_ready: Callable[[], bool], timeout: float) -> None:
    """Return once `is_ready()` is true, or StartupFailed saying what to do after `timeout` seconds."""
    try:
        # any error means "not yet": the driver's errors while the server starts are many and all transient
        wait_for(is_ready, f"{role} to answer a query", timeout=timeout, interval=READY_POLL_SECONDS,
                 ignore=(Exception,))
    except WaitTimeout as error:
        raise StartupFailed(
            f"{role} started but did not answer within {timeout:g} s: check `docker logs` of the "
            "container, free some memory, or raise TCMAGIC_READY_TIMEOUT."
        ) from error


class ServerAnswers(WaitStrategy):
    """Ready when the server answers `is_ready()`; `meanwhile` (Ryuk's start) runs beside the wait."""

    def __init__(self, role: str, is_ready: Callable[[], bool], timeout: float,
                 meanwhile: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.role, self.is_ready, self.timeout, self.meanwhile = role, is_ready, timeout, meanwhile

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        if self.meanwhile is None:
            wait_ready(self.role, self.is_ready, self.timeout)
            return
        # the container runs now: starting Ryuk at the same moment as it would slow both on two cores
        with ThreadPoolExecutor(max_workers=1) as beside:
            meanwhile = beside.submit(self.meanwhile)
            wait_ready(self.role, self.is_ready, self.timeout)
            meanwhile.result()
