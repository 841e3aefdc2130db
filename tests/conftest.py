"""Fixtures as the workshop teaches them: container (session) -> settings (test) -> client (test).

Tests marked `docker` need a Docker engine. Without one they are skipped with one loud
line, unless TCMAGIC_REQUIRE_DOCKER=1 (CI sets it), in which case they fail.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest

from lab.containers import DockerEngine, docker_client
from lab.errors import DockerUnavailable
from lab.ratelimit import redis_client

REQUIRE_DOCKER = os.environ.get("TCMAGIC_REQUIRE_DOCKER", "").lower() in {"1", "true", "yes"}


def pytest_addoption(parser):
    parser.addoption(
        "--target",
        choices=("real", "naive"),
        default=os.environ.get("TCMAGIC_TARGET", "real"),
        help="the app under test: the real store and limiter, or the naive (buggy) ones",
    )


@cache
def docker_problem() -> str | None:
    """Why Docker can't be used, in one sentence, or None when it answers."""
    try:
        docker_client(timeout=5).close()
    except DockerUnavailable as error:
        return str(error)
    return None


def pytest_report_header(config):
    problem = docker_problem()
    docker_line = f"docker: NOT reachable - {problem}" if problem else "docker: reachable"
    return [docker_line, f"target: {config.getoption('--target')}"]


def pytest_collection_modifyitems(config, items):
    needs_docker = [item for item in items if item.get_closest_marker("docker")]
    if needs_docker and not REQUIRE_DOCKER and docker_problem():
        skip = pytest.mark.skip(reason=docker_problem())
        for item in needs_docker:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if docker_problem() and docker_problem() in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"SKIPPED {len(skipped)} tests that need Docker. {docker_problem()}", red=True, bold=True
        )


@pytest.fixture(scope="session")
def target(pytestconfig) -> str:
    """Which app the tests face: "real" or "naive"."""
    return pytestconfig.getoption("--target")


@pytest.fixture(scope="session")
def docker_engine():
    """The Docker engine, or a failure saying how to get one (tests needing it are skipped otherwise)."""
    if docker_problem():
        pytest.fail(docker_problem(), pytrace=False)
    return DockerEngine(purpose="test")


@pytest.fixture(scope="session")
def postgres_service(docker_engine):
    """One PostgreSQL container for the whole run."""
    service = docker_engine.start_postgres()
    yield service
    service.remove()


@pytest.fixture(scope="session")
def redis_service(docker_engine):
    """One Redis container for the whole run."""
    service = docker_engine.start_redis()
    yield service
    service.remove()


@pytest.fixture
def postgres_settings(postgres_service):
    """Where this test's PostgreSQL listens."""
    return postgres_service.settings


@pytest.fixture
def redis_settings(redis_service):
    """Where this test's Redis listens."""
    return redis_service.settings


@pytest.fixture
def redis(redis_settings):
    """A Redis client for one test; the database is emptied afterwards."""
    client = redis_client(redis_settings, timeout=2.0)
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def at_once():
    """Run `action` from `n` threads released at the same instant; return every result."""

    def run(n, action):
        barrier = threading.Barrier(n)

        def released():
            barrier.wait()
            return action()

        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(released) for _ in range(n)]
        return [future.result() for future in futures]

    return run
