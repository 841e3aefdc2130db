"""TRACK 1 of 7: start PostgreSQL yourself, once for the whole test session.

Until now the course handed you a database. Here you write the fixture that starts one: a
PostgresContainer from testcontainers, started once per session (lesson 5: a container per
test costs a start-up each), and a psycopg2 connection to it.

The `votes_table` fixture (given) makes a votes table on the connection your fixture yields,
in a schema of its own, and drops it afterwards. The rule it must keep: one vote per voter.
    votes_table.cast(voter_id, option_id)   stores a vote; raises psycopg2.errors.UniqueViolation
                                            when this voter voted already
    votes_table.count() -> int              how many votes are stored

Your tasks (the TODOs below):
  1. `postgres_connection`: session-scoped; start PostgresContainer(POSTGRES_IMAGE) in a
     `with` block, connect with psycopg2.connect(host=..., port=..., user=..., password=...,
     dbname=...) and yield the connection.
  2. The test: prove the rule. The checker runs it against the right table and buggy ones.

Check it with `python3 workshop.py --exercise 1` (needs Docker).
"""

import psycopg2
import psycopg2.errors  # noqa: F401 - yours to use in the test
import pytest
from testcontainers.community.postgres import PostgresContainer  # noqa: F401 - yours to start

from lab.servers.images import IMAGES

POSTGRES_IMAGE = IMAGES["postgres"].name  # the workshop's PostgreSQL image (lab/servers/images.py), or your TCMAGIC_POSTGRES_IMAGE


@pytest.fixture
def postgres_connection():
    # TODO: make this fixture session-scoped, start PostgresContainer(POSTGRES_IMAGE) with `with`,
    #       connect with psycopg2 (the container has get_container_host_ip(), get_exposed_port(5432),
    #       .username, .password and .dbname), yield the connection and close it afterwards.
    pytest.fail("TODO: start PostgreSQL with testcontainers and yield a psycopg2 connection")


def test_a_voter_votes_once(votes_table):
    votes_table.cast("phone-1", "mocks")
    # TODO: cast a second vote from phone-1, assert PostgreSQL refuses it, and that one vote is stored.
