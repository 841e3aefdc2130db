"""TRACK 3 of 7: Redis in a container, and a rate limit whose window really ends.

The show allows 3 vote attempts per phone in a window; the window's end is Redis's own
expiry (PEXPIRE). A fake clock in a mock resets a fake counter (lesson 3, the fantasy
test); here the clock is Redis's, so only a real Redis can show the window ends.

The `window_limiter` fixture (given) counts in the Redis your `redis_client` fixture yields:
3 attempts per voter in a 1-second window.
    decision = window_limiter.hit(voter_id)   decision.allowed, decision.retry_after (seconds)

Your tasks:
  1. `redis_client`: session-scoped; start RedisContainer(REDIS_IMAGE) with `with` and yield
     its client (the container's get_client()).
  2. Tests that the 4th attempt in a window is refused AND that the limit lifts once the
     window has ended: wait for it with `wait_for` (lab.waiting), no sleep, no fake clock.

Check it with `python3 workshop.py --exercise 3` (needs Docker).
"""

import pytest
from testcontainers.community.redis import RedisContainer  # noqa: F401 - yours to start

from lab.servers.images import IMAGES

REDIS_IMAGE = IMAGES["redis"].name  # the workshop's Redis image (lab/servers/images.py), or your TCMAGIC_REDIS_IMAGE


@pytest.fixture
def redis_client():
    # TODO: session scope; start RedisContainer(REDIS_IMAGE) in a `with` block; yield its get_client().
    pytest.fail("TODO: start Redis with testcontainers and yield its client")


def test_the_limit_lifts_when_the_window_ends(window_limiter):
    first = window_limiter.hit("phone-1")
    assert first.allowed
    # TODO: use up the window (the 4th attempt must be refused), then wait until an attempt is allowed again.
