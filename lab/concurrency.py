"""Many callers at the same instant: how races are provoked in tests and lessons."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def at_once(n: int, action: Callable[[], T]) -> list[T]:
    """Run `action` from `n` threads released at the same instant; return every result."""
    barrier = threading.Barrier(n)

    def released() -> T:
        barrier.wait()
        return action()

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(released) for _ in range(n)]
    return [future.result() for future in futures]
