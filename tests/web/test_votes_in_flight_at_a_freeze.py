"""A vote caught by a freeze is stored exactly when its phone heard 201.

When PostgreSQL is frozen (docker pause, SIGSTOP) the show answers "not recorded" within
about a second, but an INSERT already sent sits in the frozen server's socket and runs
after the thaw. It must not be stored then: its phone was told to vote again. Here phones
vote, the module's own PostgreSQL freezes, more phones vote into it (their INSERTs go out
on the pool's open connections and wait there), it thaws, every statement the show sent
runs, and each phone's answer is compared with its row.

Not tested, because no client can rule it out: a freeze landing in the microseconds
between the server's deadline check and its answer leaving (lab.votes.deadline).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import URLSafeSerializer

from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from lab.web import shutdown
from lab.web.server import IO_TIMEOUT_SECONDS, POOL_WAIT_SECONDS
from lab.web.voters import COOKIE_NAME
from tests.helpers import own_server
from tests.web.helpers import audience_member

pytestmark = [pytest.mark.realdb, pytest.mark.slow]

POOL_SIZE = 4
BEFORE = 2 * POOL_SIZE  # every connection of the pool opened, and left open
DURING = 3 * POOL_SIZE  # more phones than connections: some send an INSERT, some wait for a connection
WATCHDOG_SECONDS = 15  # the server is thawed by then whatever happens


freezable_postgres = own_server("server_engine", "postgres", "A PostgreSQL of this module's own: it gets frozen and thawed.")


def voter_id(app, phone) -> str:
    """The voter id inside a phone's signed cookie."""
    return URLSafeSerializer(app.secret_key, salt="voter-id").loads(phone.get_cookie(COOKIE_NAME).value)


def other_sessions(store) -> int:
    """Connections to the database other than the one asking (the show's, and any a freeze left behind)."""
    with store._reading() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def votes_at_once(phones):
    """The phones vote at the same time: each one's HTTP status, in order."""
    with ThreadPoolExecutor(len(phones)) as pool:
        return list(pool.map(lambda phone: phone.post("/api/vote", json={"option": "mocks"}).status_code, phones))


def test_a_phone_told_not_recorded_has_no_vote_and_a_phone_told_201_has_one(show_config, freezable_postgres,
                                                                           build_app):
    show_config.real_store = PostgresVoteStore(freezable_postgres.settings, pool_size=POOL_SIZE,
                                               wait_timeout=POOL_WAIT_SECONDS, io_timeout=IO_TIMEOUT_SECONDS)
    app = build_app(show_config)
    phones = [audience_member(app) for _ in range(BEFORE + DURING)]

    answers = votes_at_once(phones[:BEFORE])
    freezable_postgres.pause()
    watchdog = threading.Timer(WATCHDOG_SECONDS, freezable_postgres.unpause)  # a hanging store fails, not hangs
    watchdog.start()
    answers += votes_at_once(phones[BEFORE:])
    still_frozen = freezable_postgres.status() == "paused"
    watchdog.cancel()
    if still_frozen:
        freezable_postgres.unpause()
    shutdown(app)  # the show's connections close: only those a freeze left behind remain

    checker = PostgresVoteStore(freezable_postgres.settings, pool_size=1, wait_timeout=5.0)
    try:
        wait_for(lambda: other_sessions(checker) == 0,
                 "every statement sent before the thaw to have run (no other connection left)", timeout=10)
        stored = [checker.votes_of(voter_id(app, phone)) for phone in phones]
    finally:
        checker.close()

    assert still_frozen  # the watchdog did not have to thaw it
    assert answers == [201] * BEFORE + [503] * DURING
    assert [index for index, status in enumerate(answers) if status == 503 and stored[index]] == []  # told "not recorded", stored
    assert [index for index, status in enumerate(answers) if status == 201 and not stored[index]] == []  # told 201, missing
