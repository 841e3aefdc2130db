"""The live show's web app: projector dashboard, phone voting, presenter API, Socket.IO.

`socketio` is created unbound and bound to each app in `create_app`, so every test
builds its own app against its own containers.
"""


from flask import Flask
from flask_socketio import SocketIO

from lab.paths import ROOT
from lab.servers.engines import server_kind
from lab.web.config import MAX_BODY_BYTES, ShowConfig, ready_line


socketio = SocketIO()


def create_app(config: ShowConfig) -> Flask:
    """Build the show's Flask app around `config`; `app.extensions["show"]` is the LiveShow."""
    from lab.web.docker_events import DockerEventStream
    from lab.web.feed import FeedLine
    from lab.web import control, events, presenter, routes  # noqa: F401 - control and events register handlers
    from lab.web.broadcast import Broadcaster
    from lab.web.comparison_stage import ComparisonStage
    from lab.web.errors import register_error_handlers
    from lab.web.live import LiveShow
    from lab.web.services import ShowServices

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.register_blueprint(routes.bp)
    app.register_blueprint(presenter.bp)
    register_error_handlers(app)
    socketio.init_app(
        app,
        async_mode=config.async_mode,
        cors_allowed_origins=config.allowed_origins or None,
        max_http_buffer_size=MAX_BODY_BYTES,
    )
    broadcaster = Broadcaster(
        emit=lambda event, data: socketio.emit(event, data),
        results=lambda: show.results(),
        interval=config.results_interval,
        start_task=socketio.start_background_task,
        sleep=socketio.sleep,
    )
    show = LiveShow(config, broadcaster)
    show.services = ShowServices(config, show, start_task=socketio.start_background_task, sleep=socketio.sleep)
    show.tests = ComparisonStage(broadcaster.send, config.comparison)
    kind = server_kind(config.postgres_service or config.engine)
    for role, seconds in config.startup.items():
        show.post(FeedLine("startup", ready_line(role, seconds, kind), "good"))
    app.extensions["show"] = show
    app.extensions["show.broadcaster"] = broadcaster
    if config.docker_client is not None:
        stream = DockerEventStream(config.docker_client, config.run_id, show.post, since=config.events_since)
        socketio.start_background_task(stream.run)
        app.extensions["show.docker_events"] = stream
    return app


def shutdown(app: Flask) -> None:
    """Stop the app's background tasks and close its stores' connections."""
    app.extensions["show.broadcaster"].stop()
    app.extensions["show"].services.stop()
    stream = app.extensions.get("show.docker_events")
    if stream is not None:
        stream.stop()
    show = app.extensions["show"]
    show.real.close()
    show.fantasy.close()
