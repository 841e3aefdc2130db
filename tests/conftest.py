"""Fixtures as the workshop teaches them: container (session) -> settings (test) -> client (test).

Tests marked `docker` need a Docker engine. Without one they are skipped with one loud
line, unless TCMAGIC_REQUIRE_DOCKER=1 (CI sets it), in which case they fail.
Tests marked `realdb` need a real PostgreSQL or Redis from the engine chosen by `--engine`
(or TCMAGIC_ENGINE; default auto: Docker when it answers, else embedded local processes,
said in the header). With TCMAGIC_REQUIRE_DOCKER=1 there is no switch: they fail instead.
The servers the collected tests use are started at the same time (Ryuk beside them), and
a fixture that starts something and removes it afterwards uses `tests.helpers.serving`.
"""

import atexit
import gc
import os
from contextlib import closing
from functools import cache

import pytest

from lab.classroom import fix_venv  # the standard library only

try:  # loaded before every other conftest: a missing package ends the run in one sentence with the fix
    from lab.concurrency import at_once as lab_at_once
    from lab.errors import DockerUnavailable, WorkshopError
    from lab.ratelimit.limiters import redis_client
    from lab.servers.containers import DockerEngine, docker_client
    from lab.servers.engines import CHOICES, ENGINE_VARIABLE, docker_required, select_engine
    from lab.targets import TARGETS
    from lab.votes.pool import ConnectionPool
    from tests.helpers import serving_together
except ImportError as missing:
    fix_venv.stop_pytest(missing)

SERVICE_FIXTURES = {"postgres": "postgres_service", "redis": "redis_service"}

# A finished run's objects need no collecting on the way out: without this the interpreter's
# last garbage collections took 0.15-0.2 s of every run here (strace: no system call between
# the last exit handler and the end). Registered first, it runs after every other exit handler.
atexit.register(gc.freeze)


def pytest_addoption(parser):
    parser.addoption(
        "--target",
        choices=TARGETS,
        default=os.environ.get("TCMAGIC_TARGET", "real"),
        help="the app under test: the real store and limiter, or the naive (buggy) ones",
    )
    parser.addoption(
        "--engine",
        choices=CHOICES,
        default=None,
        help=f"what runs the real servers: docker, embedded (local processes) or auto (Docker when it "
        f"answers, else embedded); default {ENGINE_VARIABLE}, else auto",
    )


@cache
def docker_problem() -> str | None:
    """Why Docker can't be used, in one sentence, or None when it answers."""
    try:
        docker_client(timeout=5).close()
    except DockerUnavailable as error:
        return str(error)
    return None


class _Lines:
    """A console that keeps what it is asked to print, for the header."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, line: str, **_) -> None:
        self.lines.append(line)


SELECTION = pytest.StashKey[tuple]()
EMBEDDED_SKIP = "need Docker itself, and this run uses the embedded engine"


def session_engine(config) -> tuple:
    """(engine, problem, announcement) for this run, chosen once from --engine / TCMAGIC_ENGINE."""
    if SELECTION not in config.stash:
        said = _Lines()
        try:
            engine = select_engine(config.getoption("--engine"), purpose="test", console=said)
            config.stash[SELECTION] = (engine, None, " ".join(said.lines))
        except WorkshopError as problem:
            config.stash[SELECTION] = (None, problem, "")
    return config.stash[SELECTION]


def engine_line(config) -> str:
    """The header line that says which engine runs the real servers, and why."""
    engine, problem, announcement = session_engine(config)
    if problem is not None:
        return f"engine: none - {problem}"
    if engine.name == "embedded":
        return f"engine: embedded - {announcement or f'{engine.describe()}, as chosen (--engine or {ENGINE_VARIABLE})'}"
    return f"engine: docker - {announcement}" if announcement else "engine: docker"


def pytest_report_header(config):
    problem = docker_problem()
    docker_line = f"docker: NOT reachable - {problem}" if problem else "docker: reachable"
    return [docker_line, engine_line(config), f"target: {config.getoption('--target')}"]


def pytest_collection_modifyitems(config, items):
    engine, problem, _ = session_engine(config)
    needs_docker = [item for item in items if item.get_closest_marker("docker")]
    if needs_docker and not docker_required() and docker_problem():
        skip = pytest.mark.skip(reason=docker_problem())
        for item in needs_docker:
            item.add_marker(skip)
    elif needs_docker and engine is not None and engine.name == "embedded":
        skip = pytest.mark.skip(reason=EMBEDDED_SKIP)
        for item in needs_docker:
            item.add_marker(skip)
    if isinstance(problem, DockerUnavailable) and not docker_required():  # --engine docker, without Docker
        skip = pytest.mark.skip(reason=docker_problem() or str(problem))
        for item in items:
            if item.get_closest_marker("realdb"):
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if docker_problem() and docker_problem() in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"SKIPPED {len(skipped)} tests that need Docker. {docker_problem()}", red=True, bold=True
        )
    on_embedded = [r for r in terminalreporter.stats.get("skipped", []) if EMBEDDED_SKIP in str(r.longrepr)]
    if on_embedded:
        terminalreporter.write_line(f"SKIPPED {len(on_embedded)} tests that {EMBEDDED_SKIP}.", yellow=True, bold=True)


@pytest.fixture(scope="session")
def target(pytestconfig) -> str:
    """Which app the tests face: "real" or "naive"."""
    return pytestconfig.getoption("--target")


@pytest.fixture(scope="session")
def server_engine(pytestconfig):
    """What runs this session's real servers: Docker, or embedded processes (see the header)."""
    engine, problem, _ = session_engine(pytestconfig)
    if problem is not None:
        pytest.fail(str(problem), pytrace=False)
    return engine


@pytest.fixture(scope="session")
def docker_engine(pytestconfig):
    """The Docker engine, or a failure saying how to get one (tests needing it are skipped otherwise)."""
    if docker_problem():
        pytest.fail(docker_problem(), pytrace=False)
    engine, _, _ = session_engine(pytestconfig)
    return engine if isinstance(engine, DockerEngine) else DockerEngine(purpose="test")


@pytest.fixture(scope="session")
def session_servers(server_engine, request):
    """The run's real servers, started at the same time: those that the collected tests use."""
    used = {name for item in request.session.items for name in item.fixturenames}
    with serving_together(server_engine, [role for role, name in SERVICE_FIXTURES.items() if name in used]) as services:
        yield services


@pytest.fixture(scope="session")
def postgres_service(session_servers):
    """One PostgreSQL for the whole run: a container, or an embedded process without Docker."""
    return session_servers["postgres"]


@pytest.fixture(scope="session")
def redis_service(session_servers):
    """One Redis for the whole run: a container, or an embedded process without Docker."""
    return session_servers["redis"]


@pytest.fixture(scope="session")
def embedded_engine():
    """The embedded engine (local processes), whatever engine the rest of the run uses."""
    from lab.servers.embedded import EmbeddedEngine

    return EmbeddedEngine(purpose="test")


@pytest.fixture(scope="session")
def postgres_pool(postgres_service):
    """Connections to the session's PostgreSQL, borrowed by each test's store, as an app's requests do."""
    with closing(ConnectionPool(postgres_service.settings, size=10)) as pool:
        yield pool


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
    return lab_at_once
