"""TRACK 4 of 7: tests that don't depend on each other.

These three tests share one PostgreSQL, and each one's votes are committed: the next test
sees them. Run in this file's order, the second test fails; in another order, a different
one does. Lesson 6 timed the cures: a ROLLBACK after each test, TRUNCATE, or a schema per test.

Given fixtures:
    track_postgres               where a PostgreSQL database of this run listens (connect_kwargs())
    votes.create_table(conn)     the app's votes table, in the connection's current schema
    votes.cast(conn, voter, option) -> bool   stores a vote in the caller's transaction (never
                                 commits); False when the voter voted already
    votes.count(conn) -> int     votes visible on this connection

Your task: change the `db` fixture so that every test starts from an empty votes table, and
keep the three tests. The checker runs them in two random orders and against a votes table
without its UNIQUE constraint: the outcome must not depend on the order.
Check it with `python3 workshop.py --exercise 4`.
"""

import psycopg2
import pytest


@pytest.fixture(scope="session")
def connection(track_postgres, votes):
    connection = psycopg2.connect(**track_postgres.connect_kwargs())
    votes.create_table(connection)
    connection.commit()
    yield connection
    connection.close()


@pytest.fixture
def db(connection):
    yield connection
    connection.commit()  # TODO: this keeps what each test wrote, for every test after it. Make each test start clean.


def test_a_first_vote_is_stored(db, votes):
    assert votes.cast(db, "phone-1", "mocks")
    assert votes.count(db) == 1


def test_a_second_vote_from_the_same_phone_is_refused(db, votes):
    assert votes.cast(db, "phone-2", "mocks")
    assert not votes.cast(db, "phone-2", "containers")
    assert votes.count(db) == 1


def test_nobody_has_voted_yet(db, votes):
    assert votes.count(db) == 0
