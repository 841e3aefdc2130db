"""A rate limiter that fails open fast and stays cheap while Redis is gone.

The Redis limiter already lets a vote through when Redis does not answer, but each
vote would still pay the socket timeout (0.25 s) while Redis is dead or frozen, and a
room of phones would hammer a server that is trying to come back. `FailOpenLimiter`
remembers a failure and skips Redis for `backoff` seconds (votes pass, degraded), then
lets one call probe again; `probe()` does the same without a vote, so a watcher notices
death and recovery even when nobody votes.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from lab.ratelimit.limiters import RateDecision, RateLimiter

SKIPPED = RateDecision(allowed=True, degraded=True)


class ServerLimiter(RateLimiter, Protocol):
    """A limiter backed by a server: its counts can be reset and its connections dropped."""

    def reset(self) -> None: ...
    def reconnect(self) -> None: ...


@dataclass(eq=False)
class FailOpenLimiter:
    """Wraps a limiter: after a degraded answer, skip it for `backoff` seconds, then try again."""

    limiter: ServerLimiter
    ping: Callable[[], object]
    backoff: float = 0.5
    clock: Callable[[], float] = time.monotonic
    on_change: Callable[[bool], None] = lambda degraded: None
    degraded: bool = field(default=False, init=False)
    _skip_until: float = field(default=float("-inf"), init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def hit(self, voter_id: str) -> RateDecision:
        """Count one attempt, or let it through at once while Redis is known to be down."""
        if self.clock() < self._skip_until:
            return SKIPPED
        decision = self.limiter.hit(voter_id)
        self._record(decision.degraded)
        return decision

    def reconnect(self) -> None:
        """Drop the wrapped limiter's idle connections (the server came back after a restart)."""
        self.limiter.reconnect()

    def reset(self) -> None:
        """Forget every voter's count (a fresh start); a Redis that does not answer is noted, not raised."""
        try:
            self.limiter.reset()
        except Exception:  # noqa: BLE001 - as in probe: whatever a dead or frozen Redis raises
            self._record(True)

    def probe(self) -> bool:
        """Ask Redis whether it answers (the watcher's call); True when it does."""
        try:
            self.ping()
        except Exception:  # noqa: BLE001 - refused, timed out, frozen: redis-py raises RedisError, a socket may raise OSError
            self._record(True)
            return False
        self._record(False)
        return True

    def _record(self, failed: bool) -> None:
        with self._lock:
            self._skip_until = self.clock() + self.backoff if failed else float("-inf")
            changed, self.degraded = self.degraded != failed, failed
        if changed:
            self.on_change(failed)
