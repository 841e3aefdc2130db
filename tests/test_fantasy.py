"""FANTASY: the scenarios of test_reality.py, tested the way mocks test them. All green.

The store is a mock made to the spec of the app's store class (`create_autospec`), backed
by an in-memory fake that accepts anything; where a rule matters, the test tells the mock
what the database "would" answer. Each docstring says what the mock hides. These tests
never touch the code they claim to test: point them at the buggy app
(`pytest tests/test_fantasy.py --target naive`) and they stay green.
"""

from unittest.mock import create_autospec

import pytest

from lab.ratelimit.limiters import FantasyRateLimiter, limiter_class
from lab.votes import Outcome, VoteResult, store_class
from lab.votes.fantasy import FantasyVoteStore
from lab.votes.outcomes import FOREIGN_KEY_VIOLATION, NOT_NULL_VIOLATION, STRING_TOO_LONG, UNIQUE_VIOLATION, accepted

OPTIONS = {"containers": "Testcontainers", "mocks": "Mocks"}


def refused(outcome: Outcome, sqlstate: str) -> VoteResult:
    """What we believe the database would answer."""
    return VoteResult(outcome, f"refused (SQLSTATE {sqlstate})", sqlstate)


@pytest.fixture
def store(target):
    """A mock with the store's interface, answering from an in-memory fake."""
    fake = FantasyVoteStore()
    mock = create_autospec(store_class(target), instance=True)
    for name in ("add_option", "vote", "import_ballots", "options", "tally", "votes_of", "count", "reset", "close"):
        getattr(mock, name).side_effect = getattr(fake, name)
    for option_id, label in OPTIONS.items():
        mock.add_option(option_id, label)
    return mock


class FakeClock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_limiter(target, clock):
    """A mock with the limiter's interface, counting in a dict on a fake clock."""

    def make(limit=3, window=60.0):
        fake = FantasyRateLimiter(limit=limit, window=window, clock=clock)
        mock = create_autospec(limiter_class(target), instance=True)
        mock.hit.side_effect = fake.hit
        return mock

    return make


def test_a_second_vote_from_the_same_phone_is_refused(store):
    """Hides: nothing here can refuse anything. We told the mock to answer "duplicate"
    the second time, then checked that it did. No UNIQUE constraint was ever involved."""
    store.vote.side_effect = [accepted(), refused(Outcome.DUPLICATE, UNIQUE_VIOLATION)]

    first = store.vote("phone-1", "containers")
    second = store.vote("phone-1", "mocks")

    assert first.accepted
    assert second.outcome is Outcome.DUPLICATE
    assert second.sqlstate == UNIQUE_VIOLATION
    store.vote.assert_called_with("phone-1", "mocks")


def test_two_taps_at_the_same_instant_store_one_vote(store, at_once):
    """Hides: the race. The fake has one list and no second connection; all 60 calls
    were "handled" and 20 rows per phone now sit in it. The test checks the calls."""
    for phone in ("phone-1", "phone-2", "phone-3"):
        results = at_once(20, lambda phone=phone: store.vote(phone, "containers"))

        assert all(r.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE) for r in results)
    assert store.vote.call_count == 60


def test_a_vote_for_an_option_that_does_not_exist_is_refused(store):
    """Hides: there is no foreign key in a dict. The refusal is scripted by the test."""
    store.vote.side_effect = [refused(Outcome.INVALID, FOREIGN_KEY_VIOLATION)]

    result = store.vote("phone-1", "cobol")

    assert result.outcome is Outcome.INVALID
    assert result.sqlstate == FOREIGN_KEY_VIOLATION


def test_a_voter_id_too_long_or_missing_is_refused(store):
    """Hides: column types. A Python list holds a 65-character id and a None happily;
    the "refused" answers come from the test, not from varchar(64) or NOT NULL."""
    store.vote.side_effect = [
        refused(Outcome.INVALID, STRING_TOO_LONG),
        refused(Outcome.INVALID, NOT_NULL_VIOLATION),
    ]

    too_long = store.vote("x" * 65, "containers")
    missing = store.vote(None, "containers")

    assert (too_long.outcome, too_long.sqlstate) == (Outcome.INVALID, STRING_TOO_LONG)
    assert (missing.outcome, missing.sqlstate) == (Outcome.INVALID, NOT_NULL_VIOLATION)
    assert store.count() == 0


def test_an_import_that_fails_half_way_leaves_nothing_behind(store):
    """Hides: transactions. The mock has none; the count is zero only because the
    scripted answer meant nothing ever reached the fake."""
    store.import_ballots.side_effect = [refused(Outcome.DUPLICATE, UNIQUE_VIOLATION)]
    ballots = [("ada", "containers"), ("bob", "mocks"), ("ada", "mocks")]

    result = store.import_ballots(ballots)

    assert result.outcome is Outcome.DUPLICATE
    assert result.sqlstate == UNIQUE_VIOLATION
    assert store.count() == 0


def test_options_differing_only_in_capitals_are_one_option(store):
    """Hides: collation and indexes. "Redis" == "redis " only because the test says so."""
    store.add_option.side_effect = [accepted(), refused(Outcome.DUPLICATE, UNIQUE_VIOLATION)]

    first = store.add_option("redis", "Redis")
    second = store.add_option("redis-again", "redis ")

    assert first.accepted
    assert second.outcome is Outcome.DUPLICATE


def test_the_rate_limit_lifts_when_its_window_ends(make_limiter, clock):
    """Hides: expiry. The fake resets its own counter when we move a fake clock;
    whether the real code ever sets a TTL in Redis is never asked."""
    limiter = make_limiter(limit=3, window=0.1)

    decisions = [limiter.hit("phone-1") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= 0.1
    clock.advance(0.1)
    assert limiter.hit("phone-1").allowed


def test_a_burst_cannot_slip_past_the_rate_limit(make_limiter, at_once):
    """Hides: the network. In memory, read-and-write is atomic for free (one lock);
    against Redis, a GET-then-SET limiter lets a burst straight through."""
    limiter = make_limiter(limit=3, window=60.0)

    decisions = at_once(20, lambda: limiter.hit("bot"))

    assert sum(d.allowed for d in decisions) == 3
    assert not any(d.degraded for d in decisions)
