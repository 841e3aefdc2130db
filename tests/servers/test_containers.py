"""The containers module against a real Docker engine: labels, timings, chaos, recovery."""

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import docker
import psycopg2
import pytest
import redis
from testcontainers.core.labels import LABEL_SESSION_ID, SESSION_ID

from lab.ratelimit.limiters import RedisRateLimiter, redis_client
from lab.servers.container_host import LOOPBACK, Publishing
from lab.servers.containers import LABEL_DURABLE, LABEL_MANAGED, LABEL_ROLE, LABEL_RUN
from lab.servers.durable import DurableData, ResumeUnavailable
from lab.votes import Outcome
from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from tests.helpers import after_the_crash, vote_before_a_crash

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[2]


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


@pytest.mark.slow
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


@pytest.mark.slow
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


def this_machines_other_addresses() -> list[str]:
    """Every IPv4 address of this machine that is not loopback: where the venue's network would knock."""
    import psutil

    return [address.address for addresses in psutil.net_if_addrs().values() for address in addresses
            if address.family == socket.AF_INET and not address.address.startswith("127.")]


def refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_the_servers_listen_on_loopback_only_and_ryuk_is_published_there(docker_engine, postgres_service, redis_service):
    client = docker.from_env()
    ryuk = client.api.inspect_container(f"testcontainers-ryuk-{SESSION_ID}")
    servers = [client.api.inspect_container(service.container_id) for service in (postgres_service, redis_service)]
    others = this_machines_other_addresses()

    assert docker_engine.publishing == Publishing(LOOPBACK, host_network=True)  # a native Linux engine, this machine
    assert [server["HostConfig"]["NetworkMode"] for server in servers] == ["host", "host"]
    assert postgres_service.settings.host == redis_service.settings.host == "127.0.0.1"
    assert others, "this machine has no address but loopback: nothing to knock on"
    for service in (postgres_service, redis_service):
        assert not refused("127.0.0.1", service.settings.port)
        assert all(refused(address, service.settings.port) for address in others), service.role
    assert [binding["HostIp"] for binding in ryuk["HostConfig"]["PortBindings"]["8080/tcp"]] == ["127.0.0.1"]


def test_our_ryuk_stands_in_for_testcontainers_own_and_the_users_choice_still_reads_on(docker_engine, postgres_service):
    from testcontainers.core.config import testcontainers_config

    from lab.classroom.pulling import needed_images, ryuk_disabled

    ryuks = docker.from_env().containers.list(filters={"name": f"testcontainers-ryuk-{SESSION_ID}"})

    assert len(ryuks) == 1 and ryuks[0].status == "running"
    assert testcontainers_config.ryuk_disabled  # the documented switch: testcontainers starts no second Ryuk
    assert not ryuk_disabled()  # the user keeps Ryuk on: the doctor and the pack still see it
    assert testcontainers_config.ryuk_image in needed_images()


def test_on_dockers_bridge_the_ports_are_published_on_loopback_only(monkeypatch):
    from lab.servers.containers import DockerEngine

    monkeypatch.setenv("TCMAGIC_HOST_NETWORK", "0")
    engine = DockerEngine(purpose="test")
    service = engine.start_redis()
    try:
        bindings = docker.from_env().api.inspect_container(service.container_id)["HostConfig"]["PortBindings"]

        assert engine.publishing == Publishing(LOOPBACK)
        assert [binding["HostIp"] for binding in bindings["6379/tcp"]] == ["127.0.0.1"]
        assert service.is_ready() and all(refused(address, service.settings.port) for address in this_machines_other_addresses())
    finally:
        service.remove()


def test_postgres_refuses_a_login_without_its_random_password(postgres_service):
    settings = postgres_service.settings

    assert len(settings.password) == 32
    for wrong in ("", "workshop"):
        with pytest.raises(psycopg2.OperationalError, match="password"):
            psycopg2.connect(**replace(settings, password=wrong).connect_kwargs()).close()


def test_redis_refuses_commands_without_its_random_password(redis_service):
    settings = redis_service.settings
    stranger = redis_client(replace(settings, password=""), timeout=2.0)

    assert len(settings.password) == 32
    with pytest.raises(redis.exceptions.AuthenticationError):
        stranger.set("tally", 500)
    stranger.close()


@pytest.mark.slow
def test_a_durable_postgres_outlives_its_container_and_is_resumed_with_its_votes(docker_engine):
    first = docker_engine.start_postgres(durable=True)
    saved = DurableData.from_dict(first.durable.to_dict())
    assert vote_before_a_crash(first.settings)
    first.remove(keep_data=True)  # what Ryuk leaves after a crash: no container, the volume
    volume = docker.from_env().volumes.get(saved.location)

    resumed = docker_engine.start_postgres(durable=True, resume=saved)
    try:
        assert after_the_crash(resumed.settings) == ({"containers": 1}, Outcome.DUPLICATE)
    finally:
        resumed.remove()

    assert volume.attrs["Labels"][LABEL_DURABLE] == "true" and LABEL_SESSION_ID not in volume.attrs["Labels"]
    with pytest.raises(ResumeUnavailable, match="start a new run"):
        docker_engine.start_postgres(durable=True, resume=saved)


# A show that starts a durable PostgreSQL, records a vote, says what to save, and waits to be killed.
CRASHING_SHOW = """
import json, sys
from lab.servers.containers import DockerEngine
from lab.votes.postgres import PostgresVoteStore
service = DockerEngine(purpose="test").start_postgres(durable=True)
store = PostgresVoteStore(service.settings, wait_timeout=5.0)
store.add_option("containers", "Testcontainers")
store.vote("before-the-crash", "containers")
print(json.dumps({"saved": service.durable.to_dict(), "container": service.container_id}), flush=True)
sys.stdin.read()
"""


@pytest.mark.slow
def test_after_a_sigkill_ryuk_reaps_the_container_and_the_volume_stays_for_resume(docker_engine):
    client = docker.from_env()
    show = subprocess.Popen([sys.executable, "-c", CRASHING_SHOW], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env={**os.environ, "RYUK_RECONNECTION_TIMEOUT": "1s"})
    said = json.loads(show.stdout.readline())
    saved = DurableData.from_dict(said["saved"])
    try:
        show.kill()
        show.wait()
        wait_for(lambda: not client.containers.list(all=True, sparse=True, filters={"id": said["container"]}),
                 "Ryuk to remove the killed show's container", timeout=25)

        resumed = docker_engine.start_postgres(durable=True, resume=saved)
        assert after_the_crash(resumed.settings) == ({"containers": 1}, Outcome.DUPLICATE)
        resumed.remove()
    finally:
        show.stdout.close()
        show.stdin.close()
        docker_engine.remove_durable(saved)
    assert not client.volumes.list(filters={"name": saved.location})


def test_a_postgres_container_removed_while_it_starts_is_one_sentence_and_its_new_volume_goes_too(monkeypatch):
    """Someone runs `docker rm -f` (or a clean-up) while the show waits for its database."""
    from lab.errors import StartupFailed
    from lab.servers.containers import DockerEngine

    run_id = os.urandom(6).hex()
    engine = DockerEngine(purpose="show", run_id=run_id)
    removed = []

    def answers_after_the_container_is_removed(settings) -> bool:
        for container in engine.client.containers.list(all=True, filters={"label": f"{LABEL_RUN}={run_id}"}):
            container.remove(force=True)
            removed.append(container.name)
        raise psycopg2.OperationalError("connection refused")  # what a vanished server answers

    monkeypatch.setattr("lab.servers.containers.postgres_answers", answers_after_the_container_is_removed)

    with pytest.raises(StartupFailed) as failed:
        engine.start_postgres(durable=True)

    assert removed
    assert str(failed.value).startswith("The postgres container vanished while it started (Docker says: ")
    assert str(failed.value).count(": ") == 2 and "\n" not in str(failed.value)
    assert engine.client.volumes.list(filters={"label": f"{LABEL_RUN}={run_id}"}) == []
