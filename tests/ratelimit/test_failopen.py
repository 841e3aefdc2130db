"""The fail-open guard around the Redis limiter: one failure, then a back-off, then a probe."""

from lab.ratelimit.failopen import FailOpenLimiter
from lab.ratelimit.limiters import RateDecision


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ScriptedLimiter:
    """Answers degraded while `down`, counts the calls that reached 'Redis'."""

    def __init__(self):
        self.down, self.calls = False, 0

    def hit(self, voter_id):
        self.calls += 1
        return RateDecision(allowed=True, degraded=True) if self.down else RateDecision(allowed=True, count=1)

    def ping(self):
        if self.down:
            raise ConnectionError("refused")


def test_after_a_failure_redis_is_skipped_for_the_back_off_then_probed_again():
    clock, redis, changes = FakeClock(), ScriptedLimiter(), []
    limiter = FailOpenLimiter(redis, ping=redis.ping, backoff=0.5, clock=clock, on_change=changes.append)

    redis.down = True
    first = limiter.hit("v")
    skipped = [limiter.hit("v") for _ in range(50)]
    calls_while_skipping = redis.calls
    clock.now = 0.6
    redis.down = False
    probed = limiter.hit("v")

    assert first.degraded and all(d.allowed and d.degraded for d in skipped)
    assert calls_while_skipping == 1  # no retry storm: 51 votes, one call to a dead Redis
    assert not probed.degraded and redis.calls == 2
    assert changes == [True, False]


def test_a_probe_notices_death_and_recovery_without_any_vote():
    redis = ScriptedLimiter()
    limiter = FailOpenLimiter(redis, ping=redis.ping, clock=FakeClock())

    redis.down = True
    assert limiter.probe() is False and limiter.degraded
    assert limiter.hit("v").degraded and redis.calls == 0
    redis.down = False
    assert limiter.probe() is True and not limiter.degraded
