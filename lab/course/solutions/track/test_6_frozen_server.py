"""Reference solution of track exercise 6 (exercises/test_6_frozen_server.py)."""

import time

TIMEOUT_BOUND = 1.0  # seconds a vote may cost while Redis is frozen


def test_a_frozen_redis_costs_a_vote_at_most_the_timeout(redis_server, timed_limiter):
    with redis_server.frozen():
        started = time.perf_counter()
        decision = timed_limiter.hit("phone-1")
        elapsed = time.perf_counter() - started

    assert decision.allowed and decision.degraded
    assert elapsed < TIMEOUT_BOUND
