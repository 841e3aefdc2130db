"""The hooks into other libraries are checked when the show starts: present, or one sentence and no show."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import simple_websocket
import socketio

from lab.errors import WorkshopError
from lab.servers.containers import free_port
from lab.votes.fantasy import FantasyVoteStore
from lab.web import create_app
from lab.web.config import ShowConfig
from lab.web.transport.seams import SEAMS, check_seams


def test_every_hook_holds_on_the_installed_libraries():
    check_seams()

    assert [seam.package for seam in SEAMS if not seam.holds()] == []


def test_each_hook_names_its_package_version_and_what_it_assumes():
    for seam in SEAMS:
        assert seam.package and seam.version.count(".") == 2 and seam.assumes


def test_a_websocket_library_without_the_hook_stops_the_show_in_one_sentence(monkeypatch):
    def server_without_thread_class(self, environ, subprotocols=None, receive_bytes=4096):  # an upgrade that dropped it
        raise AssertionError("never built")

    monkeypatch.setattr(simple_websocket.Server, "__init__", server_without_thread_class)

    with pytest.raises(WorkshopError) as refused:
        create_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore()))

    sentence = str(refused.value)
    assert "simple-websocket==1.1.0" in sentence and "pip install -r requirements.txt" in sentence
    assert sentence.count(". ") == 0 and sentence.endswith(".") and "\n" not in sentence


def test_a_socketio_that_no_longer_hands_its_handlers_to_engineio_is_refused(monkeypatch):
    original = socketio.Server.__init__

    def without_handlers(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.eio.handlers.clear()  # an upgrade that dispatches some other way

    monkeypatch.setattr(socketio.Server, "__init__", without_handlers)

    with pytest.raises(WorkshopError, match=r"python-socketio==5\.18\.1"):
        check_seams()


def test_an_engineio_without_its_driver_table_is_refused(monkeypatch):
    import engineio

    original = engineio.Server.__init__

    def without_table(self, *args, **kwargs):
        original(self, *args, **kwargs)
        del self.__dict__["_async"]  # an upgrade that renamed it

    monkeypatch.setattr(engineio.Server, "__init__", without_table)

    with pytest.raises(WorkshopError, match=r"python-engineio==4\.15\.1"):
        check_seams()


# reality_engine.py as a presenter runs it, with an upgrade of simple-websocket that lost the
# server's reading-loop hook (its Server no longer takes thread_class).
BROKEN_UPGRADE = """
import sys, simple_websocket
def __init__(self, environ, subprotocols=None, receive_bytes=4096):
    pass
simple_websocket.Server.__init__ = __init__
sys.argv = ["reality_engine.py", "--engine", "embedded", "--port", "{port}"]
import runpy
runpy.run_path("reality_engine.py", run_name="__main__")
"""


@pytest.mark.slow
def test_the_show_with_a_library_missing_a_hook_prints_one_sentence_and_exits_1_before_starting_anything():
    environ = {**os.environ, "PRESENTER_TOKEN": "a-long-enough-secret-for-the-test-1234", "COLUMNS": "400"}
    done = subprocess.run([sys.executable, "-c", BROKEN_UPGRADE.format(port=free_port())], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[3], env=environ, check=False)

    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.strip().startswith("Cannot start the show: The installed simple-websocket is not")
    assert "simple-websocket==1.1.0" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert len(done.stdout.strip().splitlines()) == 1  # nothing started: no pre-flight, no PostgreSQL
