"""Socket.IO events between the server and its screens: the projector dashboards and the phones.

Server -> dashboards: "snapshot" (everything, on connect and after a reset), "stage",
"feed" (a list of new lines) and "results", the last two coalesced by lab.show.broadcast;
"status" (rate limit, Redis, PostgreSQL: drives the banner) and the test comparison's
"tests_started", "test_result" and "tests_finished" (lab.show.comparison_stage).
A screen whose connect auth carries the presenter secret ({"token": ...}) joins PRESENTER
and hears the notes too; every other screen joins DASHBOARDS (lab.show.rooms). A phone
(connect auth {"role": "phone"}) joins PHONES instead and hears only its results
(lab.web.phones); it votes over HTTP.
"""

from flask import request
from flask_socketio import SocketIO, emit, join_room, rooms

from lab.show.live import LiveShow
from lab.show.rooms import DASHBOARDS, PHONES, PRESENTER, for_dashboards
from lab.web.phones import is_phone, welcome_phone
from lab.web.presenter_secret import DEVICE_COOKIE, PresenterSecret
from lab.web.transport.packet_gate import SCREEN_CAP, SCREENS_FULL, Allowance


def register(socketio: SocketIO, show: LiveShow, secret: PresenterSecret, snapshots: Allowance) -> None:
    """Attach the dashboard events of `show` to its own Socket.IO server."""

    def send_snapshot() -> None:
        """The whole picture to the asking screen alone, from the last results broadcast; the notes only to the presenter."""
        snapshot = show.snapshot(results=show.broadcaster.latest(DASHBOARDS))
        emit("snapshot", snapshot if PRESENTER in rooms() else for_dashboards("snapshot", snapshot))

    @socketio.on("connect")
    def dashboard_connected(auth=None):
        """A dashboard connects: it alone receives the whole picture. A phone gets its results only."""
        if is_phone(auth):
            welcome_phone(show.broadcaster)
            return
        token = auth.get("token") if isinstance(auth, dict) else None
        device = request.cookies.get(DEVICE_COOKIE)  # the presenter's browser: never throttled by the room's guesses
        proved = token is not None and secret.check(token, request.remote_addr or "", device) == "ok"
        if not proved and sum(1 for _ in socketio.server.manager.get_participants("/", DASHBOARDS)) >= SCREEN_CAP:
            raise ConnectionRefusedError(SCREENS_FULL)  # each screen hears every broadcast: a crowd of them is a flood
        join_room(PRESENTER if proved else DASHBOARDS)
        send_snapshot()

    @socketio.on("snapshot")
    def snapshot_requested(data=None):
        """A dashboard asks to redraw (say after a reconnect): it alone receives the whole picture. Not a phone."""
        if PHONES in rooms() or not snapshots.take(request.sid):
            return  # a phone, or a screen asking more often than a redraw needs
        send_snapshot()

    @socketio.on("disconnect")
    def screen_gone(reason=None):
        """A socket went away: forget what it was allowed."""
        snapshots.forget(request.sid)
