"""The embedded engine against real local PostgreSQL and Redis processes: the seam, chaos, recovery."""

import os
import socket
from dataclasses import replace
from pathlib import Path

import psutil
import psycopg2
import pytest
import redis

from lab.errors import StartupFailed
from lab.ratelimit.limiters import RedisRateLimiter, redis_client
from lab.servers import embedded
from lab.servers.durable import DurableData, ResumeUnavailable
from lab.servers.embedded import find_leftovers
from lab.settings import PostgresSettings, RedisSettings
from lab.votes import Outcome
from lab.votes.outcomes import UNIQUE_VIOLATION
from lab.votes.postgres import PostgresVoteStore
from tests.helpers import after_the_crash, vote_before_a_crash


def test_postgres_answers_with_the_workshop_settings_and_refuses_a_duplicate(embedded_postgres):
    store = PostgresVoteStore(embedded_postgres.settings, wait_timeout=1.0)
    try:
        store.add_option("containers", "Testcontainers")
        first, second = store.vote("phone-1", "containers"), store.vote("phone-1", "containers")
    finally:
        store.reset(options=True)
        store.close()

    assert embedded_postgres.settings == PostgresSettings("127.0.0.1", embedded_postgres.settings.port,
                                                          password=embedded_postgres.settings.password)
    assert (embedded_postgres.engine, embedded_postgres.status()) == ("embedded", "running")
    assert embedded_postgres.startup_seconds > 0 and embedded_postgres.is_ready()
    assert first.accepted
    assert (second.outcome, second.sqlstate) == (Outcome.DUPLICATE, UNIQUE_VIOLATION)


def test_the_servers_never_run_as_root(embedded_postgres, embedded_redis):
    """PostgreSQL refuses root, so as root both servers run as an unprivileged user."""
    expected = "nobody" if os.geteuid() == 0 else psutil.Process().username()

    for service in (embedded_postgres, embedded_redis):
        assert psutil.Process(service.pid).username() == expected


def test_a_service_names_itself_like_a_container(embedded_redis):
    assert embedded_redis.settings == RedisSettings("127.0.0.1", embedded_redis.settings.port,
                                                    embedded_redis.settings.password)
    assert embedded_redis.name == f"embedded-redis-{embedded_redis.settings.port}"
    assert embedded_redis.container_id == f"pid-{embedded_redis.pid}"


@pytest.mark.slow
@pytest.mark.parametrize("break_it", ["kill", "stop"])
def test_a_broken_postgres_means_unavailable_then_recovers_with_its_votes_on_the_same_port(embedded_engine, break_it):
    service = embedded_engine.start_postgres(durable=True)
    store = PostgresVoteStore(service.settings, wait_timeout=1.0)
    try:
        store.add_option("containers", "Testcontainers")
        assert store.vote("before", "containers").accepted
        first_pid, port, data = service.pid, service.settings.port, service.data_dir

        getattr(service, break_it)()
        state = service.status()
        during = store.vote("during", "containers")
        service.recover()
        after = store.vote("after", "containers")

        assert state == "exited"
        assert during.outcome is Outcome.UNAVAILABLE
        assert after.accepted
        assert store.tally() == {"containers": 2}
        assert (service.settings.port, service.data_dir) == (port, data)
        assert service.pid != first_pid and not psutil.pid_exists(first_pid)
    finally:
        store.close()
        service.remove()


@pytest.mark.slow
def test_a_paused_postgres_hangs_new_connections_then_carries_on(embedded_engine):
    service = embedded_engine.start_postgres()
    try:
        service.pause()
        paused = service.status()
        with pytest.raises(psycopg2.OperationalError):
            service.is_ready()  # the connection times out: nothing answers while paused
        service.unpause()

        assert paused == "paused"
        assert service.status() == "running" and service.is_ready()
    finally:
        service.remove()


@pytest.mark.parametrize("break_it, state", [("pause", "paused"), ("kill", "exited"), ("stop", "exited")])
def test_the_limiter_fails_open_while_redis_is_down_then_recovers(embedded_engine, break_it, state):
    service = embedded_engine.start_redis()
    client = redis_client(service.settings)
    try:
        limiter = RedisRateLimiter(client, limit=3, window=60)
        assert limiter.hit("phone-1").count == 1

        getattr(service, break_it)()
        decision = limiter.hit("phone-1")

        assert service.status() == state
        assert decision.allowed and decision.degraded
        service.recover()
        assert service.status() == "running"
        assert not limiter.hit("phone-2").degraded
    finally:
        client.close()
        service.remove()


def test_remove_leaves_no_process_no_data_and_no_pid_file(embedded_engine):
    service = embedded_engine.start_redis()
    pid, data, pid_file = service.pid, service.data_dir, service.server.pid_file
    assert pid_file.exists() and data.is_dir()

    service.remove()
    service.remove()  # twice is harmless, as for a container

    assert service.status() == "removed"
    assert not psutil.pid_exists(pid)
    assert not data.exists() and not pid_file.exists()


@pytest.mark.parametrize("role", ["postgres", "redis"])
def test_a_server_that_cannot_start_says_why_in_one_sentence_and_leaves_nothing(embedded_engine, monkeypatch, role):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: the server can't have the port, nobody answers
        monkeypatch.setattr(embedded, "free_port", lambda: taken.getsockname()[1])
        before = {leftover.pid_file for leftover in find_leftovers()}
        dirs_before = set(Path(embedded.data_root()).glob("tcmagic-*"))

        with pytest.raises(StartupFailed) as raised:
            embedded_engine.start(role)

    assert str(raised.value).startswith(f"The embedded {role} server ended while starting (")
    assert str(raised.value).endswith("then try again.")
    assert "\n" not in str(raised.value)
    assert {leftover.pid_file for leftover in find_leftovers()} <= before
    assert set(Path(embedded.data_root()).glob("tcmagic-*")) <= dirs_before


def test_the_servers_listen_on_loopback_only_and_want_their_random_passwords(embedded_postgres, embedded_redis):
    postgres, redis_settings = embedded_postgres.settings, embedded_redis.settings
    listening = {(c.laddr.ip, c.laddr.port) for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN}

    assert {("127.0.0.1", postgres.port), ("127.0.0.1", redis_settings.port)} <= listening
    assert not any(port in {postgres.port, redis_settings.port} and ip != "127.0.0.1" for ip, port in listening)
    assert len(postgres.password) == len(redis_settings.password) == 32 and postgres.password != redis_settings.password
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(**replace(postgres, password="").connect_kwargs()).close()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis_client(replace(redis_settings, password=""), timeout=2.0).ping()


@pytest.mark.slow
def test_a_durable_postgres_keeps_its_data_for_a_resumed_run_until_removed(embedded_engine):
    first = embedded_engine.start_postgres(durable=True)
    saved = DurableData.from_dict(first.durable.to_dict())
    assert vote_before_a_crash(first.settings)
    first.kill()
    first.remove(keep_data=True)  # what a crash leaves: no server, the data directory

    resumed = embedded_engine.start_postgres(durable=True, resume=saved)
    try:
        assert after_the_crash(resumed.settings) == ({"containers": 1}, Outcome.DUPLICATE)
    finally:
        resumed.remove()

    assert not Path(saved.location).exists()
    with pytest.raises(ResumeUnavailable, match="start a new run"):
        embedded_engine.start_postgres(durable=True, resume=saved)
