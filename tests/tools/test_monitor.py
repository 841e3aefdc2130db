"""The container monitor: rows and table without Docker, the events loop with a fake and a real Docker."""

import io
import os
import subprocess
import sys
import threading
from typing import cast

import docker
import pytest
from rich.console import Console

from lab.errors import DockerUnavailable
from lab.paths import ROOT
from lab.servers.containers import LABEL_MANAGED, LABEL_PORT, LABEL_PURPOSE, LABEL_ROLE, LABEL_RUN
from lab.tools.monitor import (
    GONE_FOR,
    NEW_FOR,
    ContainerRow,
    Monitor,
    MonitorState,
    build_table,
    format_age,
    is_watched,
    row_from_attrs,
    short_image,
    shorten,
)
from lab.waiting import wait_for

CREATED_AT = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def attrs(container_id="c1", name="/tcmagic-pg", labels=None, status="running"):
    """What `docker inspect` says about a container, trimmed to what the monitor reads."""
    return {
        "Id": container_id, "Name": name, "Created": "2027-01-15T08:00:00.123456789Z",
        "Config": {"Image": "postgres:15-alpine", "Labels": {LABEL_MANAGED: "true", LABEL_ROLE: "postgres", LABEL_PURPOSE: "workshop"} if labels is None else labels},
        "State": {"Status": status},
        "NetworkSettings": {"Ports": {"5432/tcp": [{"HostIp": "0.0.0.0", "HostPort": "41583"}, {"HostIp": "::", "HostPort": "41583"}]}},
    }


def render(table) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(table)
    return cast(io.StringIO, console.file).getvalue()


def test_a_row_shows_name_image_role_status_ports_and_age():
    row = row_from_attrs(attrs())

    assert (row.name, row.image, row.role, row.status, row.ports) == ("tcmagic-pg", "postgres:15-alpine", "postgres (workshop)", "running", ("41583->5432",))
    assert row.created == CREATED_AT
    text = render(build_table([row], now=CREATED_AT + 125))
    assert "tcmagic-pg" in text and "41583->5432" in text and "2m" in text


def test_a_server_on_the_hosts_network_shows_where_it_listens():
    on_host = attrs() | {"HostConfig": {"NetworkMode": "host"}, "NetworkSettings": {"Ports": {}}}
    on_host["Config"]["Labels"][LABEL_PORT] = "41584"

    assert row_from_attrs(on_host).ports == ("127.0.0.1:41584",)


def test_at_80_columns_no_image_is_split_ryuk_takes_one_line_and_no_role_wraps():
    ryuk = "testcontainers-ryuk-f984c7b4-ca49-4ede-8f34-4f0afb028fb4"
    rows = [
        ContainerRow("r", ryuk, "testcontainers/ryuk:0.8.1", "testcontainers", "running", ("41580->8080",), CREATED_AT),
        ContainerRow("p", "condescending_goldwasser", "postgres:15-alpine", "postgres (show)", "running", ("127.0.0.1:41583",), CREATED_AT),
        ContainerRow("w", "xenodochial_einstein", "registry.example.com:5000/mirror/redis:7-alpine", "redis (workshop)",
                     "restarting", ("41584->6379", "41585->6380"), CREATED_AT),
    ]
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(build_table(rows, now=CREATED_AT + 125, title="Containers of the workshop and of testcontainers"))
    lines = cast(io.StringIO, console.file).getvalue().splitlines()

    assert max(map(len, lines)) <= 80
    for whole in ("condescending_goldwasser", "xenodochial_einstein", "postgres:15-alpine", "redis:7-alpine",
                  "127.0.0.1:41583", "41585->6380", "restarting", "(workshop)"):
        assert any(whole in line for line in lines), whole
    [ryuk_line] = [line for line in lines if "ryuk" in line]  # one line: its image whole, its session
    assert "testcontainers/ryuk:0.8.1" in ryuk_line and "Ryuk f984c7b4" in ryuk_line and "41580->8080" in ryuk_line
    assert "…" not in console.file.getvalue()


def test_long_names_and_images_give_way_in_the_middle():
    assert shorten("condescending_goldwasser_and_more", 20) == "condescend…_and_more"
    assert len(shorten("x" * 40, 26)) == 26 and shorten("short", 26) == "short"
    assert short_image("registry.example.com:5000/mirror/redis:7-alpine") == "redis:7-alpine"
    assert short_image("testcontainers/ryuk:0.8.1") == "testcontainers/ryuk:0.8.1"


def test_at_24_rows_the_newest_containers_stay_on_screen():
    """A busy machine: many older containers, and the learner's own started last."""
    state = MonitorState()
    older = [attrs(f"old{n}", f"/older_{n:02d}") for n in range(15)]
    state.load(older, now=CREATED_AT, first=True)
    state.update(attrs("mine", "/the_learners_own") | {"Created": "2027-01-15T08:05:00Z"}, now=CREATED_AT + 300)
    console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
    monitor = Monitor(console, clock=lambda: CREATED_AT + 301)
    monitor.state = state

    console.print(monitor.view())

    lines = console.file.getvalue().splitlines()
    assert len(lines) <= 24
    assert any("the_learners_own" in line for line in lines)
    assert any("older not shown)" in line for line in lines) and not any("older_00" in line for line in lines)


def test_only_our_labels_and_testcontainers_are_watched():
    assert is_watched({LABEL_MANAGED: "true"}) and is_watched({"org.testcontainers": "true"})
    assert not is_watched({"com.example": "x"}) and not is_watched(None)
    assert row_from_attrs(attrs(labels={"org.testcontainers": "true"})).role == "testcontainers"


def test_ages_read_like_docker_ps():
    assert [format_age(s) for s in (5, 65, 7300, 90000)] == ["5s", "1m", "2h", "1d"]


def test_new_rows_are_green_and_removed_rows_red_until_they_go():
    state = MonitorState()
    state.load([attrs("old", "/old")], now=100, first=True)
    state.update(attrs("new", "/new"), now=101)
    state.remove("old", now=102)

    table = build_table(state.visible(102), now=102)
    styles = {row.name: style.style for row, style in zip(state.visible(102), table.rows, strict=True)}

    assert styles == {"old": "bold red", "new": "bold green"}
    assert "removed" in render(table)
    assert [row.name for row in state.visible(102 + GONE_FOR)] == ["new"]
    assert build_table(state.visible(101 + NEW_FOR), now=101 + NEW_FOR).rows[0].style == ""


@pytest.mark.parametrize("show_all, shown", [(False, ["ours"]), (True, ["ours", "theirs"])])
def test_other_containers_show_only_with_all(show_all, shown):
    state = MonitorState(show_all=show_all)
    state.load([attrs("ours", "/ours"), attrs("theirs", "/theirs", labels={})], now=0, first=True)

    assert [row.name for row in state.visible(0)] == shown


class FakeContainer:
    def __init__(self, data):
        self.attrs = data


class FakeClient:
    """Docker as the monitor sees it: one listing, one event, then the stream drops."""

    def __init__(self):
        self.containers = self

    def list(self, all=False, ignore_removed=False):
        return [FakeContainer(attrs("c1", "/first"))]

    def get(self, container_id):
        return FakeContainer(attrs(container_id, "/second"))

    def events(self, decode=True, filters=None):
        return iter([{"Action": "create", "id": "c2", "Actor": {"ID": "c2", "Attributes": {LABEL_MANAGED: "true"}}}])


def test_when_docker_goes_away_the_monitor_says_so_backs_off_and_reconnects():
    answers = [DockerUnavailable("Docker is not reachable: start Docker."), DockerUnavailable("Docker is not reachable: start Docker."), FakeClient(), FakeClient()]
    connects, sleeps = [], []

    def connect():
        connects.append(True)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    screen = io.StringIO()
    monitor = Monitor(Console(file=screen, width=100, color_system=None), connect=connect,
                      sleep=sleeps.append, refresh=0.01)

    code = monitor.run(should_stop=lambda: not answers)

    assert code == 0
    assert sleeps == [1, 2]
    assert "Docker is not reachable: start Docker. Retrying in 2 s (attempt 2)." in screen.getvalue()
    assert {row.name for row in monitor.state.rows.values()} == {"first", "second"}
    assert "Traceback" not in screen.getvalue()


@pytest.mark.slow
@pytest.mark.docker
def test_once_prints_a_snapshot_with_our_session_container(postgres_service):
    run = subprocess.run([sys.executable, "watch_containers.py", "--once"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"}, check=False)

    assert run.returncode == 0, run.stderr
    assert postgres_service.name in run.stdout
    assert f"127.0.0.1:{postgres_service.settings.port}" in run.stdout  # on the host network, where it listens


def test_once_without_docker_is_one_sentence_and_exit_1():
    run = subprocess.run([sys.executable, "watch_containers.py", "--once"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL, env={**os.environ, "DOCKER_HOST": "tcp://127.0.0.1:9"}, check=False)

    assert run.returncode == 1
    assert run.stdout.startswith("Docker is not reachable at DOCKER_HOST=tcp://127.0.0.1:9")
    assert "embedded engine (no Docker) are listed by `python3 cleanup.py --dry-run`" in " ".join(run.stdout.split())
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.docker
def test_the_live_table_follows_real_docker_events(docker_engine):
    client = docker.from_env()
    monitor = Monitor(Console(file=io.StringIO(), width=100, color_system=None), refresh=0.05)
    stop = threading.Event()
    watcher = threading.Thread(target=monitor.run, kwargs={"should_stop": stop.is_set}, daemon=True)
    watcher.start()
    container = None
    try:
        wait_for(lambda: monitor.notice.startswith("Following"), "the monitor to follow events", timeout=30)
        labels = {LABEL_MANAGED: "true", LABEL_ROLE: "monitor-test", LABEL_RUN: docker_engine.run_id, LABEL_PURPOSE: "test"}
        container = client.containers.run("redis:7-alpine", detach=True, labels=labels)
        row = wait_for(lambda: monitor.state.rows.get(container.id), "the new container on the table", timeout=30)
        assert row.new_since is not None and row.role == "monitor-test (test)"
        container.remove(force=True)
        container = None
        wait_for(lambda: all(r.gone_since for r in monitor.state.rows.values() if r.role.startswith("monitor-test")),
                 "the removed container marked gone", timeout=30)
    finally:
        stop.set()
        watcher.join(timeout=10)
        if container is not None:
            container.remove(force=True)
