"""The live show's web app: projector dashboard, phone voting, presenter API, Socket.IO.

`create_app` is the one place the show is wired: it builds each collaborator from the
ones before it (feed -> services -> ballot -> show) and hands them in; nothing is set on
an object after it is built. Each app has its own Socket.IO server, so two apps alive at
once (tests, or two shows) never hear each other. `app.extensions["tcmagic"]` is the
typed `ShowRuntime` (lab.web.runtime); `runtime_of(app)` returns it.
"""

import hashlib
from collections.abc import Callable
from functools import partial

from flask import Flask
from flask_socketio import SocketIO

from lab.paths import ROOT
from lab.servers.engines import ready_line, server_kind
from lab.show.ballot import Ballot, keep_reconciled
from lab.show.broadcast import Broadcaster, ResultsRoom
from lab.show.clock import ShowClock
from lab.show.comparison_stage import ComparisonStage
from lab.show.facts import show_facts
from lab.show.feed import Feed, FeedLine
from lab.show.live import LiveShow
from lab.show.rooms import DASHBOARDS, PHONES, PRESENTER
from lab.show.services import ShowServices
from lab.testruns.paired import TestComparison
from lab.web import presenter, routes, socket_events
from lab.web.bounded_json import BoundedJSONProvider, socketio_json
from lab.web.config import MAX_BODY_BYTES, ShowConfig
from lab.web.docker_feed import DockerEventStream
from lab.web.http_errors import register_error_handlers
from lab.web.phones import PHONE_ROOM
from lab.web.presenter_secret import PresenterSecret, checked_secret
from lab.web.runtime import EXTENSION, ShowRuntime, runtime_of
from lab.web.security_headers import SecurityHeaders
from lab.web.transport.fanout import FanOut
from lab.web.transport.gated_socket import GatedSockets
from lab.web.transport.handshake_gate import HandshakeGate
from lab.web.transport.packet_gate import PACKET_BURST, PACKET_EVERY, Allowance, PollingGate, close_session, guard_packets
from lab.web.transport.phone_path import PhonePath
from lab.web.transport.read_pace import ReadPace
from lab.web.transport.seams import check_seams
from lab.web.vote_pages import VotePages
from lab.web.voters import NoSessions, VoterCookies


def create_app(config: ShowConfig) -> Flask:
    """Build the show's Flask app around `config`; `runtime_of(app)` holds its parts."""
    check_seams()  # an upgraded library that lost a hook stops the show here, in one sentence
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.json = BoundedJSONProvider(app)
    app.session_interface = NoSessions()
    app.register_blueprint(routes.bp)
    app.register_blueprint(presenter.bp)
    register_error_handlers(app)
    socketio = SocketIO(
        app,
        async_mode=config.async_mode,  # type: ignore[arg-type]  # one of ASYNC_MODES, checked by ShowConfig
        cors_allowed_origins=config.allowed_origins or None,  # type: ignore[arg-type]  # None: same origin, Flask-SocketIO's default
        max_http_buffer_size=MAX_BODY_BYTES,
        json=socketio_json,
    )
    sleep: Callable[[float], None] = socketio.sleep  # type: ignore[assignment]  # annotated `seconds: int`, sleeps any float
    socket_server = socketio.server  # type: ignore[attr-defined]  # python-socketio's Server, set by init_app, undeclared
    gated_sockets, frames = GatedSockets(), Allowance(burst=PACKET_BURST, every=PACKET_EVERY)
    guard_packets(socket_server, frames, gated_sockets)
    first_round = hashlib.sha256(f"round:{config.secret_key}".encode()).hexdigest()[:8]  # kept through --resume
    ballot = Ballot(config.real_store, config.fantasy_store, config.options, first_round)
    if config.resumed:
        ballot.resume()
    else:
        ballot.seed()
    broadcaster = Broadcaster(
        emit=FanOut(socketio, gated_sockets, rooms=frozenset({PHONES, DASHBOARDS, PRESENTER})).emit,  # one frame, straight writes
        results=ballot.results,
        interval=config.results_interval,
        start_task=socketio.start_background_task,
        sleep=sleep,
        rooms=(ResultsRoom(DASHBOARDS), ResultsRoom(PRESENTER), PHONE_ROOM),
    )
    keep_reconciled(ballot, broadcaster.results_changed, socketio.start_background_task, sleep)
    feed = Feed(broadcaster)
    services = ShowServices(
        feed, broadcaster, config.real_store, start_task=socketio.start_background_task,
        sleep=sleep,
        engine=config.engine, postgres=config.postgres_service, fixed_limiter=config.rate_limiter,
    )
    tests = ComparisonStage(broadcaster.send, config.comparison or TestComparison())
    kind = server_kind(config.postgres_service or config.engine)
    facts = show_facts(kind, feed.length, presenter.BOT_ATTEMPTS)
    show = LiveShow(config.question, ballot, feed, services, tests, broadcaster, ShowClock(), facts)
    voters, vote_pages = VoterCookies(config.secret_key), VotePages()
    secret = PresenterSecret(checked_secret(config.presenter_token))
    # WSGI middleware the way Flask's documentation adds it (mypy sees wsgi_app as a method)
    app.wsgi_app = PhonePath(app.wsgi_app, app, show, MAX_BODY_BYTES,  # type: ignore[method-assign]  # a phone's page and vote, before Flask
                             lambda script_root: vote_pages.rendered(show, script_root), voters)
    app.wsgi_app = PollingGate(app.wsgi_app, frames, partial(close_session, socket_server.eio),  # type: ignore[method-assign]
                               MAX_BODY_BYTES)
    if config.max_connections is not None:
        app.wsgi_app = HandshakeGate(app.wsgi_app, config.max_connections, secret=secret)  # type: ignore[method-assign]  # the server counts the connections
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]  # outermost, so Socket.IO's and the phones' answers carry them too
    for role, seconds in config.startup.items():
        feed.post(FeedLine("startup", ready_line(role, seconds, kind), "good"))
    stream = None
    if config.docker_client is not None:
        stream = DockerEventStream(config.docker_client, config.run_id or "", feed.post, since=config.events_since)
        socketio.start_background_task(stream.run)
    socket_events.register(socketio, show, secret, Allowance())
    app.extensions[EXTENSION] = ShowRuntime(config, socketio, broadcaster, feed, services, tests, show, secret=secret,
                                            voters=voters, vote_pages=vote_pages, results_pace=ReadPace(sleep),
                                            docker_events=stream)
    return app


def shutdown(app: Flask) -> None:
    """Stop the app's background tasks and close its stores' connections."""
    runtime = runtime_of(app)
    runtime.broadcaster.stop()
    runtime.services.stop()
    if runtime.docker_events is not None:
        runtime.docker_events.stop()
    runtime.show.ballot.close()


__all__ = ["ShowRuntime", "create_app", "runtime_of", "shutdown"]
