"""Reference solution of track exercise 5 (exercises/test_5_redis_fault.py)."""

import pytest
from testcontainers.community.redis import RedisContainer

from lab.servers.images import IMAGES

REDIS_IMAGE = IMAGES["redis"].name


@pytest.fixture(scope="module")
def redis_container():
    with RedisContainer(REDIS_IMAGE) as redis:
        yield redis


def test_with_redis_up_the_fourth_attempt_is_refused(vote_limiter):
    assert [vote_limiter.hit("phone-1").allowed for _ in range(4)] == [True, True, True, False]


def test_with_redis_paused_a_vote_goes_through_degraded(redis_container, vote_limiter):
    redis_container.get_wrapped_container().pause()
    try:
        decision = vote_limiter.hit("phone-2")
    finally:
        redis_container.get_wrapped_container().unpause()

    assert decision.allowed
    assert decision.degraded
