"""TRACK 7 of 7: PostgreSQL is gone; the show must say so, with a 503, and record nothing.

On the show's stage, D kills PostgreSQL: phones get an honest "503: nothing was recorded",
never a 500 and never a "recorded" that was not. Lesson 8 did this to Redis; here you stop
the PostgreSQL container under the show's real app (lab.web) and test what a phone is told.

The `show` fixture (given) is the show's app on the PostgreSQL container your
`postgres_container` fixture yields (a fresh app per test; it waits for PostgreSQL to answer).
    phone = show.new_phone()                               a browser that opened the vote page
    answer = phone.post("/api/vote", json={"option": "mocks"})
    answer.status_code (201 recorded, 503 unavailable...), answer.json["status"]

Your tasks:
  1. `postgres_container`: a PostgreSQL of this file's own (scope="module": this file stops
     it); start PostgresContainer(POSTGRES_IMAGE) with `with` and yield the container itself.
  2. Tests: with PostgreSQL up a vote is recorded (201); with the container stopped
     (postgres_container.get_wrapped_container().stop(), and .start() in a `finally`, so the
     next test finds it running) a vote is refused with 503.

Check it with `python3 workshop.py --exercise 7` (needs Docker).
"""

import pytest
from testcontainers.community.postgres import PostgresContainer  # noqa: F401 - yours to start

from lab.servers.images import IMAGES

POSTGRES_IMAGE = IMAGES["postgres"].name  # the workshop's PostgreSQL image (lab/servers/images.py), or your TCMAGIC_POSTGRES_IMAGE


@pytest.fixture
def postgres_container():
    # TODO: scope="module"; start PostgresContainer(POSTGRES_IMAGE) in a `with` block and yield it.
    pytest.fail("TODO: start PostgreSQL with testcontainers and yield the container")


def test_with_postgres_stopped_a_vote_is_refused(postgres_container, show):
    phone = show.new_phone()
    # TODO: stop the container here (and start it again in a `finally`), then vote and assert what the phone is told.
    answer = phone.post("/api/vote", json={"option": "mocks"})
    assert answer.status_code != 500
