"""A pytest plugin for the benchmark: each test's own time, without session-scoped fixtures.

Session (and module) fixtures - the containers - are set up inside the first test that
needs them and torn down inside the last one; their cost is measured separately as
container start-up, so it is taken out here. Also marks the run's timeline on the
system-wide monotonic clock, so the benchmark can split the wall time: start-up until the
tests are collected, the session's servers, the tests, the servers' removal, and the end.
Writes JSON to $TCMAGIC_PHASES: {"tests": {name: seconds}, "timeline": {mark: time}}.
"""

import json
import os
import time

import pytest

_tests: dict[str, dict] = {}
_current: dict = {}
_timeline: dict[str, float] = {}


def pytest_collection_finish(session):
    _timeline["collected"] = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    started = time.perf_counter()
    yield
    if fixturedef.scope in ("session", "package", "module") and _current:
        _current["shared_setup"] += time.perf_counter() - started


@pytest.fixture(autouse=True)
def _end_of_own_teardown():
    """Set up first and torn down last among function fixtures: marks where the test's own teardown ends."""
    yield
    _current["own_teardown_end"] = time.perf_counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current.clear()
    _current.update(shared_setup=0.0, own_teardown_end=None)
    yield
    _tests[item.name] = dict(_current)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = time.perf_counter()
    yield
    _current["setup"] = time.perf_counter() - started - _current["shared_setup"]
    _timeline.setdefault("servers_ready", time.monotonic())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    started = time.perf_counter()
    yield
    _current["call"] = time.perf_counter() - started
    _timeline["tests_done"] = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    started = time.perf_counter()
    yield
    end = _current.get("own_teardown_end") or time.perf_counter()
    _current["teardown"] = end - started
    _timeline["servers_removed"] = time.monotonic()


def pytest_sessionfinish(session):
    path = os.environ.get("TCMAGIC_PHASES")
    if path:
        own = {name: t.get("setup", 0) + t.get("call", 0) + t.get("teardown", 0) for name, t in _tests.items()}
        with open(path, "w") as out:
            json.dump({"tests": own, "timeline": _timeline}, out)
