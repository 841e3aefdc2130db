"""The tests that lessons 7 and 9 show on screen and run live, as a learner would write them.

Each takes what a fixture would hand it and raises AssertionError when it fails, so a
lesson can run it many times in-process and count. The source shown is this source.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lab.ratelimit.limiters import RedisRateLimiter
from lab.waiting import WaitTimeout, wait_for

T = TypeVar("T")
WINDOW = 0.2   # the limiter's window in lesson 7: its counter lives this long
MARGIN = 0.05  # the flaky test's safety margin: half of Redis's 100 ms expiry sweep


def test_the_counter_is_gone_after_the_window_sleeping(client):
    limiter = RedisRateLimiter(client, limit=3, window=WINDOW)
    limiter.hit("phone-1")
    time.sleep(WINDOW + MARGIN)  # "the window is over by then, with a margin"
    assert client.dbsize() == 0, "a counter is still there"


def test_the_counter_is_gone_after_the_window_waiting(client):
    limiter = RedisRateLimiter(client, limit=3, window=WINDOW)
    limiter.hit("phone-1")
    wait_for(lambda: client.dbsize() == 0, "the counter to expire", timeout=2)


class BackgroundCall:
    """A call running in a daemon thread: whether it has returned, its value, and how long it took."""

    def __init__(self, call: Callable[[], T]) -> None:
        self.started = time.monotonic()
        self.ended: float | None = None
        self._outcome: list = []
        threading.Thread(target=self._run, args=(call,), daemon=True).start()

    def _run(self, call) -> None:
        outcome: tuple[Any, Exception | None]
        try:
            outcome = (call(), None)
        except Exception as error:  # noqa: BLE001 - handed to whoever asks for the value
            outcome = (None, error)
        self.ended = time.monotonic()  # before it counts as returned: seconds() is final from then on
        self._outcome.append(outcome)

    def returned(self) -> bool:
        """True once the call has returned (or raised)."""
        return bool(self._outcome)

    def seconds(self) -> float:
        """How long the call took, or has taken so far."""
        return (self.ended or time.monotonic()) - self.started

    def value(self):
        """What the call returned; what it raised is raised again."""
        result, error = self._outcome[0]
        if error is not None:
            raise error
        return result


def returns_within(seconds: float, call: Callable[[], T]) -> T:
    """What `call` returns, or AssertionError if it is still running after `seconds` (it is left to finish)."""
    running = BackgroundCall(call)
    try:
        wait_for(running.returned, "the call to return", timeout=seconds, interval=0.01)
    except WaitTimeout:
        raise AssertionError(f"still waiting after {seconds:g} s: nothing gives up on a frozen server") from None
    return running.value()


def test_a_frozen_redis_costs_a_vote_at_most_the_timeout(frozen_client):
    limiter = RedisRateLimiter(frozen_client)
    decision = returns_within(2.0, lambda: limiter.hit("phone-1"))
    assert decision.allowed and decision.degraded  # it went through, degraded
