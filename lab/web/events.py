"""Socket.IO events between the server and the projector dashboards.

Server -> dashboards: "snapshot" (everything, on connect and after a reset), "stage",
"feed" (a list of new lines) and "results", the last two coalesced by lab.web.broadcast;
"status" (rate limit, Redis, PostgreSQL: drives the banner) and the test comparison's
"tests_started", "test_result" and "tests_finished" (lab.web.comparison_stage).
Phones never open a socket: they only POST their vote.
"""

from flask_socketio import SocketIO, emit

from lab.web.live import LiveShow


def register(socketio: SocketIO, show: LiveShow) -> None:
    """Attach the dashboard events of `show` to its own Socket.IO server."""

    @socketio.on("connect")
    def dashboard_connected(auth=None):
        """A dashboard connects: it alone receives the whole picture."""
        emit("snapshot", show.snapshot())

    @socketio.on("snapshot")
    def snapshot_requested(data=None):
        """A dashboard asks to redraw (say after a reconnect): it alone receives the whole picture."""
        emit("snapshot", show.snapshot())
