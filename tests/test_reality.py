"""REALITY: the same scenarios as test_fantasy.py, against a real PostgreSQL and a real Redis.

They pass because the real thing enforces each rule. Point them at the buggy app
(`pytest tests/test_reality.py --target naive`) and every one of them goes red.
"""

import pytest

from lab.ratelimit.limiters import limiter_class
from lab.votes import Outcome, store_class
from lab.votes.outcomes import FOREIGN_KEY_VIOLATION, NOT_NULL_VIOLATION, STRING_TOO_LONG, UNIQUE_VIOLATION
from lab.waiting import wait_for

pytestmark = pytest.mark.realdb

OPTIONS = {"containers": "Testcontainers", "mocks": "Mocks"}


@pytest.fixture
def store(target, postgres_settings, postgres_pool):
    """The store under test, on the real database and the session's connections, emptied after the test."""
    store = store_class(target)(postgres_settings, pool=postgres_pool)
    for option_id, label in OPTIONS.items():
        store.add_option(option_id, label)
    yield store
    store.reset(options=True)
    store.close()


@pytest.fixture
def make_limiter(target, redis):
    """Build the rate limiter under test on the real Redis."""
    return lambda limit=3, window=60.0: limiter_class(target)(redis, limit=limit, window=window)


def test_a_second_vote_from_the_same_phone_is_refused(store):
    """The database's UNIQUE constraint refuses it (SQLSTATE 23505), whoever sends it."""
    first = store.vote("phone-1", "containers")
    second = store.vote("phone-1", "mocks")

    assert first.accepted
    assert second.outcome is Outcome.DUPLICATE
    assert second.sqlstate == UNIQUE_VIOLATION
    assert store.votes_of("phone-1") == 1


def test_two_taps_at_the_same_instant_store_one_vote(store, at_once):
    """Three phones each fire 20 requests at the same instant over 10 open connections: one row each."""
    store.pool.warm(10)
    for phone in ("phone-1", "phone-2", "phone-3"):
        results = at_once(20, lambda phone=phone: store.vote(phone, "containers"))

        assert [r.outcome for r in results].count(Outcome.ACCEPTED) == 1
        assert store.votes_of(phone) == 1


def test_a_vote_for_an_option_that_does_not_exist_is_refused(store):
    """A FOREIGN KEY refuses the vote (SQLSTATE 23503): the results can't grow a 'cobol' bar."""
    result = store.vote("phone-1", "cobol")

    assert result.outcome is Outcome.INVALID
    assert result.sqlstate == FOREIGN_KEY_VIOLATION
    assert set(store.tally()) == set(OPTIONS)


def test_a_voter_id_too_long_or_missing_is_refused(store):
    """varchar(64) and NOT NULL refuse what the column can't hold (22001, 23502)."""
    too_long = store.vote("x" * 65, "containers")
    missing = store.vote(None, "containers")

    assert (too_long.outcome, too_long.sqlstate) == (Outcome.INVALID, STRING_TOO_LONG)
    assert (missing.outcome, missing.sqlstate) == (Outcome.INVALID, NOT_NULL_VIOLATION)
    assert store.count() == 0


def test_an_import_that_fails_half_way_leaves_nothing_behind(store):
    """The third ballot is a duplicate: one transaction, so the first two go too."""
    ballots = [("ada", "containers"), ("bob", "mocks"), ("ada", "mocks")]

    result = store.import_ballots(ballots)

    assert result.outcome is Outcome.DUPLICATE
    assert result.sqlstate == UNIQUE_VIOLATION
    assert store.count() == 0


def test_options_differing_only_in_capitals_are_one_option(store):
    """A unique index on lower(label) refuses 'redis ' once 'Redis' exists."""
    first = store.add_option("redis", "Redis")
    second = store.add_option("redis-again", "redis ")

    assert first.accepted
    assert second.outcome is Outcome.DUPLICATE
    assert list(store.options().values()) == [*OPTIONS.values(), "Redis"]


def test_the_rate_limit_lifts_when_its_window_ends(make_limiter):
    """Redis expires the counter on its own clock: after the window, the phone may vote again."""
    limiter = make_limiter(limit=3, window=0.1)

    decisions = [limiter.hit("phone-1") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= 0.1
    wait_for(lambda: limiter.hit("phone-1").allowed, "Redis to expire the counter", timeout=2.0)


def test_a_burst_cannot_slip_past_the_rate_limit(make_limiter, at_once):
    """20 simultaneous attempts from one bot: INCR is atomic, so exactly 3 pass."""
    limiter = make_limiter(limit=3, window=60.0)

    decisions = at_once(20, lambda: limiter.hit("bot"))

    assert sum(d.allowed for d in decisions) == 3
    assert not any(d.degraded for d in decisions)
