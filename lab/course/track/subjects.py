"""What the track's exercises test: the product's own pieces, and the buggy versions a test must catch.

Each exercise hands the learner's test one of these through a fixture (lab.course.track.plugin),
once per variant: the right one (the product's code) and the buggy ones. A test that passes on
the right one and fails on every buggy one proves the rule; one that cannot fail proves nothing.
"""

import random
import threading
import uuid
from collections.abc import Sequence
from typing import ClassVar

import psycopg2
import psycopg2.errors
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.ratelimit.failopen import FailOpenLimiter
from lab.ratelimit.limiters import RateDecision, RedisRateLimiter, redis_client
from lab.settings import PostgresSettings, RedisSettings
from lab.votes.naive import NaiveVoteStore
from lab.votes.outcomes import VoteResult
from lab.votes.postgres import PostgresVoteStore

RIGHT = "right"
OPTIONS = {"mocks": "Mocks", "containers": "Real containers"}


class VotesTable:
    """Exercise 1: a votes table in a schema of its own on the learner's connection; one vote per voter."""

    DDL: ClassVar[dict[str, str]] = {RIGHT: "voter_id text NOT NULL UNIQUE, option_id text NOT NULL",
           "no_unique": "voter_id text NOT NULL, option_id text NOT NULL",
           "silent": "voter_id text NOT NULL UNIQUE, option_id text NOT NULL"}  # UNIQUE, but cast() ignores conflicts

    def __init__(self, connection, variant: str) -> None:
        self.connection, self.variant = connection, variant
        self.schema = f"track_{uuid.uuid4().hex[:12]}"
        self._run(f"CREATE SCHEMA {self.schema}; CREATE TABLE {self.schema}.votes ({self.DDL[variant]})")

    def _run(self, sql: str, parameters: tuple = ()) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, parameters)
            self.connection.commit()
        except psycopg2.Error:
            self.connection.rollback()
            raise

    def cast(self, voter_id: str, option_id: str) -> None:
        """Store one vote; psycopg2.errors.UniqueViolation when this voter voted already."""
        conflict = " ON CONFLICT DO NOTHING" if self.variant == "silent" else ""
        self._run(f"INSERT INTO {self.schema}.votes VALUES (%s, %s){conflict}", (voter_id, option_id))

    def count(self) -> int:
        """How many votes are stored."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.schema}.votes")
            (number,) = cursor.fetchone()
        self.connection.rollback()
        return number

    def drop(self) -> None:
        """Remove the schema (the learner's connection stays open: it is theirs)."""
        if not self.connection.closed:
            self._run(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


class ImportJob:
    """A ballot import running in the background: done() once it has finished, then result()."""

    def __init__(self, work, delay: float) -> None:
        self._finished = threading.Event()
        self._result: VoteResult | None = None
        self._thread = threading.Thread(target=self._run, args=(work, delay), daemon=True)
        self._thread.start()

    def _run(self, work, delay: float) -> None:
        threading.Event().wait(delay)  # the worker picks the job up when it gets round to it
        try:
            self._result = work()
        finally:
            self._finished.set()

    def done(self) -> bool:
        """True once the import has finished (stored, or refused as a whole)."""
        return self._finished.is_set()

    def result(self) -> VoteResult | None:
        """The import's outcome once done (result().accepted), else None."""
        return self._result


class BallotImport:
    """Exercise 2: the show's ballot import, run by a background worker that starts when it gets round to it."""

    MIN_DELAY, MAX_DELAY = 0.6, 1.2  # longer than the starter's guess, so its sleep loses every time

    def __init__(self, settings: PostgresSettings, variant: str) -> None:
        self.variant = variant
        self.store = (NaiveVoteStore if variant == "half_way" else PostgresVoteStore)(settings, pool_size=2)
        self.store.reset(options=True)
        for option_id, label in OPTIONS.items():
            self.store.add_option(option_id, label)
        self.jobs: list[ImportJob] = []

    def start(self, ballots: Sequence[tuple[str, str]]) -> ImportJob:
        """Hand `ballots` (voter id, option id) to the worker; returns at once."""
        ballots = list(ballots)
        if self.variant == "loses_one":
            ballots = ballots[:-1]
        self.jobs.append(ImportJob(lambda: self.store.import_ballots(ballots),
                                   random.uniform(self.MIN_DELAY, self.MAX_DELAY)))
        return self.jobs[-1]

    def tally(self) -> dict[str, int]:
        """Option id -> votes stored now."""
        return self.store.tally()

    def count(self) -> int:
        """Votes stored now."""
        return self.store.count()

    def close(self) -> None:
        """Let running jobs end, then forget everything."""
        for job in self.jobs:
            job._finished.wait(5)
        self.store.reset(options=True)
        self.store.close()


class NeverLimits:
    """A limiter that lets every attempt through (and calls it degraded, as if Redis were always down)."""

    def hit(self, voter_id: str) -> RateDecision:
        return RateDecision(allowed=True, degraded=True)


class OffByOne(RedisRateLimiter):
    """Counts right, but refuses one attempt too late."""

    def hit(self, voter_id: str) -> RateDecision:
        decision = super().hit(voter_id)
        return RateDecision(decision.count <= self.limit + 1, decision.count, decision.retry_after, decision.degraded)


def window_limiter(client: redis.Redis, variant: str):
    """Exercise 3: 3 attempts a 1-second window per voter on the learner's Redis."""
    from lab.ratelimit.limiters import NaiveRateLimiter

    kinds = {RIGHT: RedisRateLimiter, "no_expiry": NaiveRateLimiter, "off_by_one": OffByOne}
    if variant == "never_limits":
        return NeverLimits()
    return kinds[variant](client, limit=3, window=1.0)


class RaisesWhenDown(RedisRateLimiter):
    """Lets Redis' error out to the caller: the vote request would end in a 500."""

    def hit(self, voter_id: str) -> RateDecision:
        count, ttl_ms = self._script(keys=["tcmagic:ratelimit:" + voter_id], args=[int(self.window * 1000)])
        return RateDecision(count <= self.limit, count, max(ttl_ms, 0) / 1000)


class FailsClosed(FailOpenLimiter):
    """Refuses every vote while Redis does not answer: the show stops when its cache does."""

    def hit(self, voter_id: str) -> RateDecision:
        decision = super().hit(voter_id)
        return RateDecision(False, decision.count, 1.0, True) if decision.degraded else decision


def fault_limiter(settings: RedisSettings, variant: str):
    """Exercise 5: the show's limiter (FailOpenLimiter around RedisRateLimiter) on the learner's Redis."""
    client = redis_client(settings)
    if variant == "never_limits":
        return NeverLimits()
    if variant == "raises":
        return RaisesWhenDown(client, limit=3, window=60)
    kind = FailsClosed if variant == "fails_closed" else FailOpenLimiter
    return kind(RedisRateLimiter(client, limit=3, window=60), ping=client.ping)


def timed_limiter(settings: RedisSettings, variant: str) -> RedisRateLimiter:
    """Exercise 6: the show's limiter with its client's timeout (0.25 s), none, or a slow one (2 s)."""
    if variant == RIGHT:
        return RedisRateLimiter(redis_client(settings), limit=3, window=60)
    timeout = {"no_timeout": None, "slow_timeout": 2.0}[variant]
    client = redis.Redis(host=settings.host, port=settings.port, password=settings.password or None,
                         socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0))
    return RedisRateLimiter(client, limit=3, window=60)


class VotesFunctions:
    """Exercise 4: the app's vote functions on a connection the caller owns (they never commit)."""

    DDL: ClassVar[dict[str, str]] = {RIGHT: "voter_id text NOT NULL UNIQUE, option_id text NOT NULL",
           "no_unique": "voter_id text NOT NULL, option_id text NOT NULL"}

    def __init__(self, variant: str) -> None:
        self.variant = variant

    def create_table(self, connection) -> None:
        """Create the votes table in the connection's current schema."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS votes ({self.DDL[self.variant]})")

    def cast(self, connection, voter_id: str, option_id: str) -> bool:
        """Store one vote in the caller's transaction; False when the voter voted already."""
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT cast_vote")
            try:
                cursor.execute("INSERT INTO votes VALUES (%s, %s)", (voter_id, option_id))
            except psycopg2.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT cast_vote")
                return False
            cursor.execute("RELEASE SAVEPOINT cast_vote")
        return True

    def count(self, connection) -> int:
        """Votes visible on this connection."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM votes")
            return cursor.fetchone()[0]
