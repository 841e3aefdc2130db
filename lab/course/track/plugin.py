"""The pytest plugin behind the exercise track: each exercise's fixtures, once per variant.

The track's checker loads it with `-p lab.course.track.plugin` and sets:
  TCMAGIC_TRACK_VARIANTS   which versions of the code under test to run each test against
  TCMAGIC_TRACK_POSTGRES   a running PostgreSQL's URL (each run gets a database of its own)
  TCMAGIC_TRACK_REDIS      a running Redis's URL, and TCMAGIC_TRACK_FREEZE how to freeze it
                           ("docker:<container id>" or "pid:<process id>")
  TCMAGIC_TRACK_ORDER      a seed: the tests run in that shuffled order ("<seed>r": reversed)
Run directly (`python3 -m pytest exercises/`), it starts its own servers and uses the right code only.
Fixtures that the learner writes (`postgres_connection`, `redis_client`, `redis_container`) are
requested by name, so the learner's own fixture is the one used.
"""

import os
import random
import uuid

import psycopg2
import pytest

from lab.course.track import subjects
from lab.course.track.freezing import Freezer
from lab.settings import PostgresSettings, RedisSettings
from lab.waiting import wait_for

ENV_VARIANTS = "TCMAGIC_TRACK_VARIANTS"
ENV_POSTGRES = "TCMAGIC_TRACK_POSTGRES"
ENV_REDIS = "TCMAGIC_TRACK_REDIS"
ENV_FREEZE = "TCMAGIC_TRACK_FREEZE"
ENV_ORDER = "TCMAGIC_TRACK_ORDER"


def _variants() -> list[str]:
    return [name for name in os.environ.get(ENV_VARIANTS, subjects.RIGHT).split(",") if name] or [subjects.RIGHT]


def pytest_collection_modifyitems(items: list) -> None:
    """Shuffle the tests when the checker asks for an order (the isolation exercise runs two)."""
    order = os.environ.get(ENV_ORDER, "")
    if order:
        random.Random(order.rstrip("r")).shuffle(items)
        if order.endswith("r"):
            items.reverse()


def _own_server(role: str):
    from lab.servers.containers import DockerEngine

    return DockerEngine(purpose="exercise").start(role)


@pytest.fixture(scope="session")
def track_postgres():
    """Settings of a PostgreSQL database of this run's own (dropped at the end)."""
    url, service = os.environ.get(ENV_POSTGRES), None
    if not url:
        service = _own_server("postgres")
        url = service.settings.url
    server = PostgresSettings.from_url(url)
    name = f"track_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**server.connect_kwargs())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    yield PostgresSettings(server.host, server.port, server.user, server.password, name)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()
    if service is not None:
        service.remove()


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis (`.settings`) that a test can freeze: `with redis_server.frozen(): ...`."""
    url, freeze = os.environ.get(ENV_REDIS), os.environ.get(ENV_FREEZE, "")
    if url:
        yield Freezer(RedisSettings.from_url(url), freeze)
        return
    service = _own_server("redis")
    yield Freezer(service.settings, f"docker:{service.container_id}")
    service.remove()


@pytest.fixture
def postgres_connection():
    """Exercise 1 asks you to write this fixture in your own file."""
    pytest.fail("Write the `postgres_connection` fixture in your file: it starts PostgresContainer and yields "
                "a connection.")


@pytest.fixture
def redis_client():
    """Exercise 3 asks you to write this fixture in your own file."""
    pytest.fail("Write the `redis_client` fixture in your file: it starts RedisContainer and yields its client.")


@pytest.fixture
def redis_container():
    """Exercise 5 asks you to write this fixture in your own file."""
    pytest.fail("Write the `redis_container` fixture in your file: it starts RedisContainer and yields the container.")


@pytest.fixture
def postgres_container():
    """Exercise 7 asks you to write this fixture in your own file."""
    pytest.fail("Write the `postgres_container` fixture in your file: it starts PostgresContainer and yields "
                "the container.")


@pytest.fixture(params=_variants())
def show(request, postgres_container):
    """Exercise 7: the show's app on your PostgreSQL container (show.new_phone() is a phone's browser)."""
    from lab.course.track.outage import Show

    running = Show(postgres_container, request.param)
    yield running
    running.close()


@pytest.fixture(params=_variants())
def votes_table(request, postgres_connection):
    """Exercise 1: a votes table on your connection, in a fresh schema; one vote per voter."""
    table = subjects.VotesTable(postgres_connection, request.param)
    yield table
    table.drop()


@pytest.fixture(params=_variants())
def ballot_import(request, track_postgres):
    """Exercise 2: the ballot import, run in the background by a worker."""
    importer = subjects.BallotImport(track_postgres, request.param)
    yield importer
    importer.close()


@pytest.fixture(params=_variants())
def window_limiter(request, redis_client):
    """Exercise 3: 3 attempts per voter in a 1-second window, counted in your Redis."""
    _forget_counts(redis_client)
    yield subjects.window_limiter(redis_client, request.param)
    _forget_counts(redis_client)


@pytest.fixture(scope="session", params=_variants())
def votes(request):
    """Exercise 4: the app's vote functions (create_table, cast, count) on a connection you own."""
    return subjects.VotesFunctions(request.param)


@pytest.fixture(params=_variants())
def vote_limiter(request, redis_container):
    """Exercise 5: the show's rate limiter (fails open) on your Redis container."""
    settings = RedisSettings(redis_container.get_container_host_ip(), int(redis_container.get_exposed_port(6379)),
                             redis_container.password or "")
    from lab.ratelimit.limiters import redis_client as client_for

    client = client_for(settings)
    wait_for(client.ping, "Redis to answer (did a test leave it paused or stopped?)", timeout=30, interval=0.1,
             ignore=(Exception,))  # a container stopped and started again by the previous test may still be starting
    _forget_counts(client)
    yield subjects.fault_limiter(settings, request.param)
    _forget_counts(client)
    client.close()


@pytest.fixture(params=_variants())
def timed_limiter(request, redis_server):
    """Exercise 6: the show's rate limiter on `redis_server`, with the client it was given."""
    limiter = subjects.timed_limiter(redis_server.settings, request.param)
    _forget_counts(limiter.client)
    yield limiter
    redis_server.thaw()
    _forget_counts(limiter.client)  # the Redis may be the workshop's own, shared with what runs next
    limiter.client.close()


def _forget_counts(client) -> None:
    """Best effort: a Redis a test left frozen or stopped has nothing to forget."""
    import redis

    try:
        for key in client.scan_iter(match="tcmagic:ratelimit:*"):
            client.delete(key)
    except (redis.RedisError, OSError):
        pass
