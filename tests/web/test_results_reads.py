"""Public reads answer from the show's kept state: no query per request, however many ask (lab/show/ballot.py).

The results' real count is a running count of accepted votes, reconciled with PostgreSQL's
about once a second in a background task; a request never waits for the database.
"""

import threading
from contextlib import contextmanager

import pytest

from lab.waiting import wait_for
from tests.web.helpers import TOKEN, Presenter

pytestmark = pytest.mark.realdb

PUBLIC_READS = ("/api/results", "/", "/qr", "/healthz")


@pytest.fixture
def borrowings(show, monkeypatch):
    """The threads that borrowed a connection from the real store's pool (each query borrows one)."""
    pool, borrowed = show.ballot.real.pool, []
    lend = pool.connection

    @contextmanager
    def counted():
        borrowed.append(threading.get_ident())
        with lend() as connection:
            yield connection

    monkeypatch.setattr(pool, "connection", counted)
    return borrowed


def test_reads_of_every_public_page_ask_postgresql_nothing(app, client, borrowings):
    assert client.post("/api/vote", json={"option": "prayer"}).status_code == 201
    voted = borrowings.count(threading.get_ident())  # the vote itself: one statement

    answers = [client.get(path) for _ in range(5) for path in PUBLIC_READS]
    peek = client.get("/api/results", headers={"X-Presenter-Token": TOKEN})

    assert {answer.status_code for answer in answers} == {200} and peek.status_code == 200
    assert borrowings.count(threading.get_ident()) == voted == 1  # the reads (this thread) borrowed nothing
    assert answers[0].json["totals"] == {"real": 1, "fantasy": 1}  # counted as it was accepted, no reading needed
    assert next(row for row in peek.json["options"] if row["id"] == "prayer")["real"] == 1


def test_a_vote_stored_behind_the_shows_back_and_a_reset_are_reconciled_in_the_background(app, show, client):
    assert client.post("/api/vote", json={"option": "mocks"}).status_code == 201
    assert show.ballot.real.vote("stored-but-never-counted", "prayer").accepted  # as if its answer had been lost

    wait_for(lambda: client.get("/api/results").json["totals"]["real"] == 2,
             "the background reconciliation to find the vote the count missed", timeout=5)
    reset = Presenter(app.test_client()).act("reset")

    assert reset.status_code == 200
    assert client.get("/api/results").json["totals"]["real"] == 0 == show.ballot.real.count()
