"""The containers module against a real Docker engine: labels, timings, chaos, recovery."""

import time

import docker
import pytest

from lab.servers.containers import LABEL_MANAGED, LABEL_ROLE, LABEL_RUN
from lab.ratelimit.limiters import RedisRateLimiter, redis_client
from lab.votes import Outcome
from lab.votes.postgres import PostgresVoteStore

pytestmark = pytest.mark.docker


def test_every_container_carries_our_labels(docker_engine, postgres_service, redis_service):
    client = docker.from_env()
    ours = client.containers.list(filters={"label": [f"{LABEL_MANAGED}=true", f"{LABEL_RUN}={docker_engine.run_id}"]})
    roles = {container.labels[LABEL_ROLE]: container.id for container in ours}

    assert roles["postgres"] == postgres_service.container_id
    assert roles["redis"] == redis_service.container_id
    assert all(container.labels["org.testcontainers"] == "true" for container in ours)


def test_start_up_is_timed_until_the_server_answers(postgres_service, redis_service):
    assert 0 < postgres_service.startup_seconds < 60
    assert 0 < redis_service.startup_seconds < 60
    assert postgres_service.is_ready() and redis_service.is_ready()


@pytest.mark.parametrize("break_it, state", [("pause", "paused"), ("kill", "exited"), ("stop", "exited")])
def test_the_limiter_fails_open_within_a_second_while_redis_is_down(docker_engine, break_it, state):
    service = docker_engine.start_redis()
    try:
        limiter = RedisRateLimiter(redis_client(service.settings), limit=3, window=60)
        assert limiter.hit("phone-1").count == 1

        getattr(service, break_it)()
        started = time.perf_counter()
        decision = limiter.hit("phone-1")
        elapsed = time.perf_counter() - started

        assert service.status() == state
        assert decision.allowed and decision.degraded
        assert elapsed < 1.0
        service.recover()
        assert service.status() == "running"
        assert not limiter.hit("phone-2").degraded
    finally:
        service.remove()


def test_a_killed_postgres_means_unavailable_then_recovers_with_its_votes(docker_engine):
    service = docker_engine.start_postgres(durable=True)
    store = PostgresVoteStore(service.settings, wait_timeout=1.0)
    try:
        store.add_option("containers", "Testcontainers")
        assert store.vote("before", "containers").accepted

        service.kill()
        during = store.vote("during", "containers")
        service.recover()
        after = store.vote("after", "containers")

        assert during.outcome is Outcome.UNAVAILABLE
        assert "nothing was recorded" in during.message
        assert after.accepted
        assert store.tally() == {"containers": 2}
    finally:
        store.close()
        service.remove()


def test_after_a_restart_a_refreshed_pool_answers_at_once(docker_engine):
    service = docker_engine.start_postgres(durable=True)
    store = PostgresVoteStore(service.settings, pool_size=4, wait_timeout=1.0)
    try:
        store.add_option("containers", "Testcontainers")
        store.pool.warm()
        service.kill()
        service.recover()

        store.pool.refresh()
        after = [store.vote(f"phone-{n}", "containers") for n in range(8)]

        assert [result.outcome for result in after] == [Outcome.ACCEPTED] * 8
    finally:
        store.close()
        service.remove()
