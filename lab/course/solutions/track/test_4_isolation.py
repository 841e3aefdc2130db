"""Reference solution of track exercise 4 (exercises/test_4_isolation.py): each test rolls back."""

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
    connection.rollback()  # nothing a test wrote is ever committed: the next test starts from empty tables


def test_a_first_vote_is_stored(db, votes):
    assert votes.cast(db, "phone-1", "mocks")
    assert votes.count(db) == 1


def test_a_second_vote_from_the_same_phone_is_refused(db, votes):
    assert votes.cast(db, "phone-2", "mocks")
    assert not votes.cast(db, "phone-2", "containers")
    assert votes.count(db) == 1


def test_nobody_has_voted_yet(db, votes):
    assert votes.count(db) == 0
