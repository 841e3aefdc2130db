"""Reference solution of track exercise 3 (exercises/test_3_redis_window.py)."""

import pytest
from testcontainers.community.redis import RedisContainer

from lab.servers.images import IMAGES
from lab.waiting import wait_for

REDIS_IMAGE = IMAGES["redis"].name


@pytest.fixture(scope="session")
def redis_client():
    with RedisContainer(REDIS_IMAGE) as redis:
        client = redis.get_client()
        yield client
        client.close()


def test_the_fourth_attempt_in_a_window_is_refused(window_limiter):
    decisions = [window_limiter.hit("phone-1") for _ in range(4)]

    assert [decision.allowed for decision in decisions] == [True, True, True, False]


def test_the_limit_lifts_when_the_window_ends(window_limiter):
    for _ in range(4):
        window_limiter.hit("phone-1")
    assert not window_limiter.hit("phone-1").allowed

    wait_for(lambda: window_limiter.hit("phone-1").allowed, "Redis to expire the window", timeout=3)
