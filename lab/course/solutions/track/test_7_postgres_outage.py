"""Reference solution of track exercise 7 (exercises/test_7_postgres_outage.py)."""

import pytest
from testcontainers.community.postgres import PostgresContainer

from lab.servers.images import IMAGES

POSTGRES_IMAGE = IMAGES["postgres"].name


@pytest.fixture(scope="module")
def postgres_container():
    with PostgresContainer(POSTGRES_IMAGE) as postgres:
        yield postgres


def test_with_postgres_up_a_vote_is_recorded(show):
    answer = show.new_phone().post("/api/vote", json={"option": "mocks"})

    assert answer.status_code == 201


def test_with_postgres_stopped_a_vote_is_refused_with_503(postgres_container, show):
    phone = show.new_phone()
    postgres_container.get_wrapped_container().stop(timeout=2)
    try:
        answer = phone.post("/api/vote", json={"option": "mocks"})
    finally:
        postgres_container.get_wrapped_container().start()

    assert answer.status_code == 503
    assert answer.json["status"] == "unavailable"
