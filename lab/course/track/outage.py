"""Exercise 7's code under test: the show itself (lab.web) on the learner's PostgreSQL container.

The right version is the show's own vote store; the buggy ones are how a vote path can get a
dead database wrong: an error that escapes (a 500), a phone told "recorded" when nothing was,
and a store that never records anything (a test that only checks the 503 passes on it).
"""

import psycopg2

from lab.settings import PostgresSettings
from lab.votes.fantasy import FantasyVoteStore
from lab.votes.outcomes import Outcome, VoteResult, accepted, unavailable
from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from lab.web import create_app, shutdown
from lab.web.config import ShowConfig, parse_options

READY_TIMEOUT = 30.0  # a container the previous test stopped and started again may still be starting


class RaisesWhenDown(PostgresVoteStore):
    """Lets psycopg2's error out of vote(): the request ends in a 500."""

    def _write(self, work) -> VoteResult:
        with self.pool.connection() as connection, connection.cursor() as cursor:
            return work(cursor)


class ClaimsRecorded(PostgresVoteStore):
    """Tells the phone "recorded" when the database did not answer."""

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        result = super().vote(voter_id, option_id)
        return accepted() if result.outcome is Outcome.UNAVAILABLE else result


class NeverRecords(PostgresVoteStore):
    """Answers "unavailable" to every vote, database up or not."""

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        return unavailable()


STORES = {"right": PostgresVoteStore, "raises": RaisesWhenDown, "claims_recorded": ClaimsRecorded,
          "never_records": NeverRecords}


def settings_of(container) -> PostgresSettings:
    """Where a testcontainers PostgresContainer listens now (a restart may move its port)."""
    return PostgresSettings(container.get_container_host_ip(), int(container.get_exposed_port(5432)),
                            container.username, container.password, container.dbname)


def _answers(settings: PostgresSettings) -> bool:
    with psycopg2.connect(**settings.connect_kwargs(connect_timeout=1)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return True


class Show:
    """The show's app on a PostgreSQL container, as phones meet it: new_phone() opens the vote page."""

    def __init__(self, container, variant: str) -> None:
        wait_for(lambda: _answers(settings_of(container)), "PostgreSQL to answer (did a test leave it stopped?)",
                 timeout=READY_TIMEOUT, interval=0.1, ignore=(Exception,))
        self.store = STORES[variant](settings_of(container), pool_size=2, wait_timeout=2)
        self.store.reset(options=True)
        self.app = create_app(ShowConfig(real_store=self.store, fantasy_store=FantasyVoteStore(),
                                         options=parse_options("Mocks,Real containers"), results_interval=0.05))

    def new_phone(self):
        """A Flask test client that opened the vote page (it holds a voter cookie): post to /api/vote."""
        client = self.app.test_client()
        client.get("/qr")
        return client

    def close(self) -> None:
        """Stop the app's background work and close its connections."""
        shutdown(self.app)
