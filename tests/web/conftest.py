"""Fixtures for the show app: each test builds its own app against the session PostgreSQL.

container (session, tests/conftest.py) -> show config (test) -> app, HTTP client,
dashboard socket and presenter helper (test). create_app starts from a clean slate.
"""

import pytest

from lab.votes.fantasy import FantasyVoteStore
from lab.votes.postgres import PostgresVoteStore
from lab.web import create_app, runtime_of, shutdown
from lab.web.config import ShowConfig, parse_options
from lab.web.join_link import allowed_origins
from tests.web.helpers import TOKEN, Dashboard, HandingEngine, Presenter, audience_member


@pytest.fixture
def show_config(postgres_settings):
    """A show with three options, threading mode (no monkey patching inside pytest)."""
    return ShowConfig(
        real_store=PostgresVoteStore(postgres_settings, pool_size=4, wait_timeout=2),
        fantasy_store=FantasyVoteStore(),
        question="Which is real?",
        options=parse_options("Mocks,Real containers,Prayer"),
        base_url="http://show.test:5001",
        allowed_origins=allowed_origins("http://show.test:5001", 5001),
        presenter_token=TOKEN,
        results_interval=0.02,
    )


@pytest.fixture
def offline_app(build_app):
    """A show whose "real" store is in memory too: for what needs no database (headers, input, sockets)."""
    return build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(),
                                options=parse_options("Mocks,Real containers,Prayer"), presenter_token=TOKEN))


@pytest.fixture
def app(show_config):
    """The show app; its background tasks stop and its connections close afterwards."""
    app = create_app(show_config)
    app.config["TESTING"] = True
    yield app
    shutdown(app)


@pytest.fixture
def show(app):
    """The LiveShow behind the app: the two stores, the stage, the feed."""
    return runtime_of(app).show


@pytest.fixture
def client(app):
    """An audience member's browser that opened the vote page: it holds a voter cookie."""
    return audience_member(app)


@pytest.fixture
def connect_dashboard():
    """Connect a dashboard to an app: connect_dashboard(app) -> Dashboard; all disconnect afterwards."""
    connections = []

    def connect(app):
        connections.append(runtime_of(app).socketio.test_client(app))
        return Dashboard(connections[-1])

    yield connect
    for connection in connections:
        if connection.is_connected():
            connection.disconnect()


@pytest.fixture
def dashboard(app, connect_dashboard):
    """A projector dashboard connected over Socket.IO."""
    return connect_dashboard(app)


@pytest.fixture
def phone(app):
    """A phone's socket (connect auth {"role": "phone"}) that remembers what it heard."""
    connection = runtime_of(app).socketio.test_client(app, auth={"role": "phone"})
    yield Dashboard(connection)
    if connection.is_connected():
        connection.disconnect()


@pytest.fixture
def presenter(app):
    """The presenter, from a browser of their own."""
    return Presenter(app.test_client())


@pytest.fixture
def build_app():
    """Build apps from configs: build_app(config) -> app; all shut down afterwards."""
    apps = []

    def build(config):
        apps.append(create_app(config))
        apps[-1].config["TESTING"] = True
        return apps[-1]

    yield build
    for built in apps:
        shutdown(built)


@pytest.fixture
def limited_app(show_config, redis_service, redis, build_app):
    """A show whose rate limit uses the session Redis (flushed afterwards); the limit starts off."""
    show_config.engine = HandingEngine(redis_service)
    return build_app(show_config)
