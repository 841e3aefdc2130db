"""Socket.IO events between the server and the projector dashboards.

Server -> dashboards: "snapshot" (everything, on connect and after a reset), "stage",
"feed" (a list of new lines) and "results", the last two coalesced by lab.web.broadcast;
"status" (rate limit, Redis, PostgreSQL: drives the banner) and the test comparison's
"tests_started", "test_result" and "tests_finished" (lab.web.comparison_stage).
Phones never open a socket: they only POST their vote.
"""

from flask import current_app
from flask_socketio import emit

from lab.web import socketio


@socketio.on("connect")
def dashboard_connected(auth=None):
    """A dashboard connects: it alone receives the whole picture."""
    emit("snapshot", current_app.extensions["show"].snapshot())


@socketio.on("snapshot")
def snapshot_requested(data=None):
    """A dashboard asks to redraw (say after a reconnect): it alone receives the whole picture."""
    emit("snapshot", current_app.extensions["show"].snapshot())
