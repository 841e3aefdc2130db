"""TRACK 5 of 7: break the container inside the test, and assert what the app does.

Lesson 8 killed Redis under the show's rate limiter: votes went through, marked degraded
(the limiter fails open; PostgreSQL still refuses a second vote). Here you write that test.

The `vote_limiter` fixture (given) is the show's own limiter (lab.ratelimit.failopen around
lab.ratelimit.limiters.RedisRateLimiter: 3 attempts a minute per voter) on the Redis
container your `redis_container` fixture yields.
    decision = vote_limiter.hit(voter_id)   decision.allowed, decision.degraded (Redis did not answer)

Your tasks:
  1. `redis_container`: a Redis of this file's own (scope="module": this file breaks it);
     start RedisContainer(REDIS_IMAGE) with `with` and yield the container itself.
  2. Tests: with Redis up the 4th attempt is refused; with Redis paused
     (redis_container.get_wrapped_container().pause(), and .unpause() in a `finally`) a vote
     is allowed and degraded.

Check it with `python3 workshop.py --exercise 5` (needs Docker).
"""

import pytest
from testcontainers.community.redis import RedisContainer  # noqa: F401 - yours to start

from lab.servers.images import IMAGES

REDIS_IMAGE = IMAGES["redis"].name  # the workshop's Redis image (lab/servers/images.py), or your TCMAGIC_REDIS_IMAGE


@pytest.fixture
def redis_container():
    # TODO: scope="module"; start RedisContainer(REDIS_IMAGE) in a `with` block and yield it.
    pytest.fail("TODO: start Redis with testcontainers and yield the container")


def test_with_redis_paused_a_vote_goes_through(redis_container, vote_limiter):
    # TODO: pause the container here (and unpause it in a `finally`), vote, assert what the app does.
    decision = vote_limiter.hit("phone-1")
    assert decision.allowed
