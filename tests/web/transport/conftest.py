"""Fixtures for the transport: the show's app served under gevent by ShowServer, in a process of its own."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lab.servers.containers import free_port
from tests.web.helpers import TOKEN

# The show's app as reality_engine.py serves it (gevent, ShowServer with the app's secret), the store in
# memory, with the deadlines and the room a test asks for, the presenter's secret TOKEN; SIGTERM ends it.
SERVED_SHOW = """
from gevent import monkey; monkey.patch_all()
import signal, gevent
from lab.votes.fantasy import FantasyVoteStore
from lab.web import create_app, runtime_of
from lab.web.config import ShowConfig
from lab.web.transport import request_deadlines
from lab.web.transport.capacity import ShowServer
request_deadlines.HEADER_SECONDS = {header_seconds}
request_deadlines.BODY_SECONDS = {body_seconds}
app = create_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), async_mode="gevent",
                            max_connections={room}, presenter_token={token!r}))
server = ShowServer(("127.0.0.1", {port}), app, room={room}, secret=runtime_of(app).secret, log=None)
gevent.signal_handler(signal.SIGTERM, server.stop)
server.start()
print("serving", flush=True)
server.serve_forever()
"""


class ServedShow:
    """A show served on `port`; `finish()` ends it and returns what it printed on stderr."""

    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process

    def finish(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        return err


@pytest.fixture
def served_show():
    """serve(room=None, header_seconds=60, body_seconds=60) -> ServedShow; every one ends afterwards."""
    shows = []

    def serve(room: int | None = None, header_seconds: float = 60.0, body_seconds: float = 60.0) -> ServedShow:
        port = free_port()
        code = SERVED_SHOW.format(port=port, room=room, header_seconds=header_seconds, body_seconds=body_seconds,
                                  token=TOKEN)
        process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], text=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[3])
        shows.append(ServedShow(port, process))
        assert process.stdout is not None and process.stderr is not None  # both PIPE
        assert process.stdout.readline().strip() == "serving", process.stderr.read()
        return shows[-1]

    yield serve
    for show in shows:
        show.finish()
