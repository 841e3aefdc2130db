"""A frozen PostgreSQL (docker pause, SIGSTOP) fails fast: every vote is answered "not recorded" while it is frozen.

Nothing of the server refuses anything while it is frozen: its kernel even completes TCP
handshakes. The store gives up by itself (lab.votes.deadline), so votes and /api/results
are answered during the pause, the pool is not left holding stuck connections, and the
votes after the thaw are recorded again. Every vote answered 201 is in the database.
This module freezes a PostgreSQL of its own, never the session's.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from tests.helpers import own_server
from tests.web.helpers import audience_member

pytestmark = [pytest.mark.realdb, pytest.mark.slow]

POOL_SIZE = 4
VOTERS = 3 * POOL_SIZE  # more phones than connections: some wait for one, some hold a stuck one
WATCHDOG_SECONDS = 15  # the server is thawed by then whatever happens


frozen_postgres = own_server("server_engine", "postgres", "A PostgreSQL of this module's own: it gets frozen and thawed.")


@pytest.fixture
def freezable_app(show_config, frozen_postgres, build_app):
    """A show on the freezable server, with the show's own bounds; the server runs again afterwards."""
    show_config.real_store = PostgresVoteStore(frozen_postgres.settings, pool_size=POOL_SIZE, wait_timeout=1.0,
                                               io_timeout=1.0)
    show_config.postgres_service = frozen_postgres
    yield build_app(show_config)
    if frozen_postgres.status() == "paused":
        frozen_postgres.unpause()


def votes_at_once(app, count, option="mocks"):
    """`count` phones vote at the same time: (status, message) for each, in order."""
    phones = [audience_member(app) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(lambda phone: phone.post("/api/vote", json={"option": option}), phones))
    return [(answer.status_code, answer.json["message"]) for answer in answers]


def test_while_frozen_every_vote_and_the_results_are_answered_then_votes_count_again(freezable_app, frozen_postgres):
    show = freezable_app.extensions["tcmagic"].show
    before = votes_at_once(freezable_app, 2)

    frozen_postgres.pause()
    watchdog = threading.Timer(WATCHDOG_SECONDS, frozen_postgres.unpause)  # a hanging store fails, not hangs
    watchdog.start()
    during = votes_at_once(freezable_app, VOTERS)
    reader = audience_member(freezable_app)
    # the results answer from the show's count at once; its reconciliation finds PostgreSQL not answering
    wait_for(lambda: reader.get("/api/results").json["database"] == "unavailable",
             "the results to say the database does not answer", timeout=WATCHDOG_SECONDS / 2)
    results = reader.get("/api/results")
    still_frozen = frozen_postgres.status() == "paused"
    watchdog.cancel()
    if still_frozen:
        frozen_postgres.unpause()

    assert [status for status, _ in before] == [201, 201]
    assert still_frozen  # every answer above came while the server was frozen
    assert {status for status, _ in during} == {503}
    assert all("not recorded" in message.lower() or "nothing was recorded" in message.lower() for _, message in during)
    assert results.status_code == 200 and results.json["database"] == "unavailable"
    wait_for(lambda: votes_at_once(freezable_app, 1)[0][0] == 201, "a vote to be recorded after the thaw", timeout=10)
    after = votes_at_once(freezable_app, POOL_SIZE)  # the whole pool, none of it stuck
    assert [status for status, _ in after] == [201] * POOL_SIZE
    accepted = 2 + 1 + POOL_SIZE
    assert accepted <= show.ballot.real.count() <= accepted + VOTERS  # every 201 is stored; a 503 caught in flight may be too
