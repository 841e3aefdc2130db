"""Socket.IO events between the server and its screens: the projector dashboards and the phones.

Server -> dashboards: "snapshot" (everything, on connect and after a reset), "stage",
"feed" (a list of new lines) and "results", the last two coalesced by lab.web.broadcast;
"status" (rate limit, Redis, PostgreSQL: drives the banner) and the test comparison's
"tests_started", "test_result" and "tests_finished" (lab.web.comparison_stage).
Every screen joins the DASHBOARDS room. A phone (connect auth {"role": "phone"}) joins
PHONES instead and hears only its results (lab.web.phones); it votes over HTTP.
"""

from flask_socketio import SocketIO, emit, join_room, rooms

from lab.web.live import LiveShow
from lab.web.phones import is_phone, welcome_phone
from lab.web.rooms import DASHBOARDS, PHONES


def register(socketio: SocketIO, show: LiveShow) -> None:
    """Attach the dashboard events of `show` to its own Socket.IO server."""

    @socketio.on("connect")
    def dashboard_connected(auth=None):
        """A dashboard connects: it alone receives the whole picture. A phone gets its results only."""
        if is_phone(auth):
            welcome_phone(show.broadcaster)
            return
        join_room(DASHBOARDS)
        emit("snapshot", show.snapshot())

    @socketio.on("snapshot")
    def snapshot_requested(data=None):
        """A dashboard asks to redraw (say after a reconnect): it alone receives the whole picture. Not a phone."""
        if PHONES in rooms():
            return
        emit("snapshot", show.snapshot())
