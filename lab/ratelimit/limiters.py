"""Rate limits: 3 vote attempts a minute per voter, counted in Redis, failing open.

- RedisRateLimiter: the real one. INCR and PEXPIRE happen in one Lua script, so the
  count is atomic and the window always ends. Any Redis error (refused, timed out,
  frozen) lets the request through and marks the decision degraded, within the
  sub-second socket timeouts, with no retries.
- NaiveRateLimiter: the buggy one (GET then SET, no expiry), for the proof.
- FantasyRateLimiter: what a mock does: in memory, atomic for free, on a fake clock.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.settings import RedisSettings
from lab.targets import check_target

KEY_PREFIX = "tcmagic:ratelimit:"
THINK_SECONDS = 0.02  # see lab/votes/naive.py: keeps the proof independent of thread scheduling

_INCR_WITH_EXPIRY = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True)
class RateDecision:
    """Whether one attempt may go ahead, and if not, how long to wait."""

    allowed: bool
    count: int = 0
    retry_after: float = 0.0
    degraded: bool = False


class RateLimiter(Protocol):
    """What the show asks of a rate limiter: count one attempt of a voter."""

    def hit(self, voter_id: str) -> RateDecision: ...


def redis_client(settings: RedisSettings, timeout: float = 0.25) -> redis.Redis:
    """A Redis client that gives up within `timeout` seconds and never retries."""
    return redis.Redis(
        host=settings.host,
        port=settings.port,
        password=settings.password or None,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )


class RedisRateLimiter:
    """`limit` attempts per `window` seconds per voter, counted atomically in Redis."""

    def __init__(self, client: redis.Redis, limit: int = 3, window: float = 60.0) -> None:
        self.client = client
        self.limit = limit
        self.window = window
        self._script = client.register_script(_INCR_WITH_EXPIRY)

    def reconnect(self) -> None:
        """Drop idle connections (Redis restarted: each would fail once); new ones open on demand."""
        self.client.connection_pool.disconnect(inuse_connections=False)

    def hit(self, voter_id: str) -> RateDecision:
        """Count one attempt; fail open (allowed, degraded) when Redis does not answer."""
        try:
            count, ttl_ms = self._script(keys=[KEY_PREFIX + voter_id], args=[int(self.window * 1000)])
        except redis.RedisError:
            return RateDecision(allowed=True, degraded=True)
        if count <= self.limit:
            return RateDecision(allowed=True, count=count)
        return RateDecision(allowed=False, count=count, retry_after=max(ttl_ms, 0) / 1000)

    def reset(self) -> None:
        """Forget every count."""
        for key in self.client.scan_iter(match=KEY_PREFIX + "*", count=500):
            self.client.delete(key)


class NaiveRateLimiter(RedisRateLimiter):
    """The buggy limiter: reads, then writes, and never sets an expiry."""

    def hit(self, voter_id: str) -> RateDecision:
        """GET the count, refuse at the limit, else SET count + 1."""
        key = KEY_PREFIX + voter_id
        try:
            count = int(self.client.get(key) or 0)
            if count >= self.limit:
                return RateDecision(allowed=False, count=count, retry_after=self.window)
            time.sleep(THINK_SECONDS)  # the app's work between read and write, as in NaiveVoteStore
            self.client.set(key, count + 1)
        except redis.RedisError:
            return RateDecision(allowed=True, degraded=True)
        return RateDecision(allowed=True, count=count + 1)


class FantasyRateLimiter:
    """A counter in a dict, reset by a fake clock: what a mock of Redis does."""

    def __init__(self, limit: int = 3, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, voter_id: str) -> RateDecision:
        """Count one attempt in memory."""
        with self._lock:
            count, started = self._counts.get(voter_id, (0, self.clock()))
            if self.clock() - started >= self.window:
                count, started = 0, self.clock()
            count += 1
            self._counts[voter_id] = (count, started)
        if count <= self.limit:
            return RateDecision(allowed=True, count=count)
        return RateDecision(allowed=False, count=count, retry_after=self.window - (self.clock() - started))

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._counts.clear()


def limiter_class(target: str) -> type:
    """The limiter class for a test target: "real" or "naive"."""
    return {"real": RedisRateLimiter, "naive": NaiveRateLimiter}[check_target(target)]
