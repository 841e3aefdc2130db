"""Waiting on a condition instead of sleeping for a guess."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(TimeoutError):
    """A condition did not come true in time; the message says which one."""


def wait_for(
    condition: Callable[[], T],
    description: str,
    timeout: float = 5.0,
    interval: float = 0.02,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call `condition` until it returns something truthy, and return that.

    Exceptions listed in `ignore` count as "not yet". Raises WaitTimeout naming
    `description` when `timeout` seconds pass first.
    """
    deadline = clock() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = condition()
            if result:
                return result
        except ignore as error:
            last_error = error
        if clock() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise WaitTimeout(f"Timed out after {timeout:g} s waiting for {description}{detail}")
        sleep(interval)
