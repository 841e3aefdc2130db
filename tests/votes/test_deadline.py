"""A write carries its deadline on the server's clock, and the server refuses to store it later (lab/votes/deadline.py).

A frozen server is tested in tests/web/test_votes_in_flight_at_a_freeze.py; here the
deadline is put in the past by shifting a connection's pairing of clocks, as a step of
either host's wall clock (or a laptop waking from sleep) would.
"""

from datetime import timedelta

import pytest

from lab.votes import Outcome, deadline
from lab.votes.deadline import STORE_WITHIN
from lab.votes.postgres import PostgresVoteStore

pytestmark = pytest.mark.realdb

IO_TIMEOUT = 1.0


@pytest.fixture
def store(postgres_settings):
    """A store whose one connection gives up after IO_TIMEOUT, emptied after the test."""
    store = PostgresVoteStore(postgres_settings, pool_size=1, wait_timeout=2.0, io_timeout=IO_TIMEOUT)
    store.add_option("containers", "Testcontainers")
    yield store
    store.reset(options=True)
    store.close()


def shift_server_clock(store, by: timedelta) -> None:
    """Make the pool's connection believe the server's clock is `by` off what it read."""
    with store.pool.connection() as connection:
        server_time, paired_at = connection._server_clock
        connection._server_clock = (server_time + by, paired_at)


def test_the_deadline_is_the_servers_time_a_little_before_we_give_up(store):
    with store.pool.connection() as connection, connection.cursor() as cursor:
        deadline = connection.store_by()
        cursor.execute("SELECT %s::timestamptz - clock_timestamp()", (deadline,))
        ahead = cursor.fetchone()[0].total_seconds()

    assert 0 < ahead <= STORE_WITHIN * IO_TIMEOUT


def test_a_vote_reaching_the_server_after_its_deadline_is_not_stored_and_the_next_one_is(store):
    shift_server_clock(store, -timedelta(hours=1))  # our pairing is an hour behind the server's clock

    late = store.vote("late-phone", "containers")
    again = store.vote("late-phone", "containers")  # the refusal's answer paired the clocks again

    assert (late.outcome, late.message) == (Outcome.UNAVAILABLE, "The database is unavailable: nothing was recorded.")
    assert again.outcome is Outcome.ACCEPTED and store.votes_of("late-phone") == 1


def test_a_late_import_stores_none_of_its_ballots(store):
    shift_server_clock(store, -timedelta(hours=1))

    late = store.import_ballots([("a", "containers"), ("b", "containers")])

    assert late.outcome is Outcome.UNAVAILABLE and late.message.endswith("Nothing was imported.")
    assert store.count() == 0


def test_a_skew_between_our_clock_and_the_servers_refuses_no_vote_in_time(postgres_settings, monkeypatch):
    monotonic, wall = deadline.time.monotonic, deadline.time.time
    monkeypatch.setattr(deadline.time, "monotonic", lambda: monotonic() + 86_400)  # our clocks a day off the server's
    monkeypatch.setattr(deadline.time, "time", lambda: wall() - 86_400)
    store = PostgresVoteStore(postgres_settings, pool_size=1, wait_timeout=2.0, io_timeout=IO_TIMEOUT)
    try:
        store.add_option("containers", "Testcontainers")
        votes = [store.vote(f"phone-{n}", "containers").outcome for n in range(3)]
    finally:
        store.reset(options=True)
        store.close()

    assert votes == [Outcome.ACCEPTED] * 3
