"""Reference solution of track exercise 1 (exercises/test_1_postgres_fixture.py)."""

import psycopg2
import psycopg2.errors
import pytest
from testcontainers.community.postgres import PostgresContainer

from lab.servers.images import IMAGES

POSTGRES_IMAGE = IMAGES["postgres"].name


@pytest.fixture(scope="session")
def postgres_connection():
    with PostgresContainer(POSTGRES_IMAGE) as postgres:
        connection = psycopg2.connect(host=postgres.get_container_host_ip(), port=postgres.get_exposed_port(5432),
                                      user=postgres.username, password=postgres.password, dbname=postgres.dbname)
        yield connection
        connection.close()


def test_a_second_vote_from_the_same_voter_is_refused(votes_table):
    votes_table.cast("phone-1", "mocks")

    with pytest.raises(psycopg2.errors.UniqueViolation):
        votes_table.cast("phone-1", "containers")

    assert votes_table.count() == 1


def test_different_voters_all_count(votes_table):
    votes_table.cast("phone-1", "mocks")
    votes_table.cast("phone-2", "mocks")

    assert votes_table.count() == 2
