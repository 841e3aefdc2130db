"""A crash is a pause, not a loss: SIGKILL the running show, Ryuk takes its containers, `--resume` brings every vote back.

This runs the real `reality_engine.py` (Docker, Ryuk on, as presenters run it), with its
resume file in a temporary folder. A phone votes; the show is killed (SIGKILL: no clean-up
at all); within 25 s Ryuk has removed its containers while the data volume and the resume
file (mode 0600) are still there. `--resume` then shows the vote, and the same phone is
refused as a duplicate. A normal Ctrl+C end then removes the volume and the file.
"""

import os
import signal
import stat
import subprocess
import sys

import pytest
import requests

from lab.paths import ROOT
from lab.servers.containers import free_port
from lab.servers.labels import LABEL_RUN
from lab.show.resume import RESUME_DIR_VARIABLE
from lab.waiting import wait_for
from lab.web.voters import COOKIE_NAME

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(180)]

TOKEN = "crash-test-presenter-secret"
RYUK_BOUND = 25  # seconds for Ryuk to remove a killed show's containers


class Show:
    """`python reality_engine.py` in a subprocess, its output in a file."""

    def __init__(self, port: int, env: dict, log, *arguments: str) -> None:
        self.url, self.log = f"http://127.0.0.1:{port}", log
        with open(log, "w") as output:
            self.process = subprocess.Popen([sys.executable, "reality_engine.py", "--port", str(port), *arguments],
                                            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        wait_for(lambda: "The show is live" in self.output() or self.process.poll() is not None,
                 "the show to start", timeout=120)
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log.read_text()

    def run_id(self) -> str:
        return self.output().split("Run id ", 1)[1].split(".", 1)[0]


def ours(docker_engine, kind: str, run_id: str) -> list:
    """This run's containers or volumes, found by our run-id label."""
    found = getattr(docker_engine.client, kind).list(filters={"label": f"{LABEL_RUN}={run_id}"}, **(
        {"all": True} if kind == "containers" else {}))
    return found


def test_a_killed_show_is_reaped_by_ryuk_and_resumes_with_every_vote(docker_engine, tmp_path):
    states = tmp_path / "show-resume"
    env = {**os.environ, "PRESENTER_TOKEN": TOKEN, RESUME_DIR_VARIABLE: str(states), "COLUMNS": "200"}
    env.pop("TESTCONTAINERS_RYUK_DISABLED", None)
    port, phone = free_port(), requests.Session()
    first = Show(port, env, tmp_path / "first.log", "--engine", "docker")
    run_id = first.run_id()
    try:
        phone.get(f"{first.url}/qr")
        voted = phone.post(f"{first.url}/api/vote", json={"option": "prayer"})
        voted_in = requests.get(f"{first.url}/api/results").json()["round"]

        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
        wait_for(lambda: not ours(docker_engine, "containers", run_id), "Ryuk to remove the killed show's containers",
                 timeout=RYUK_BOUND, interval=0.5)
        volumes_after_the_crash = ours(docker_engine, "volumes", run_id)
        mode = stat.S_IMODE((states / f"{run_id}.json").stat().st_mode)

        second = Show(port, env, tmp_path / "second.log", "--resume")
        results = requests.get(f"{second.url}/api/results", headers={"X-Presenter-Token": TOKEN}).json()
        again = phone.post(f"{second.url}/api/vote", json={"option": "mocks"})
        second.process.send_signal(signal.SIGINT)
        second.process.wait(timeout=60)
    finally:
        for volume in ours(docker_engine, "volumes", run_id):
            for container in docker_engine.client.containers.list(all=True, filters={"volume": volume.name}):
                container.remove(force=True)
            volume.remove(force=True)

    assert voted.status_code == 201 and COOKIE_NAME in phone.cookies
    assert len(volumes_after_the_crash) == 1 and mode == 0o600
    assert "--resume" in first.output() and run_id in first.output()
    assert results["totals"]["real"] == 1
    assert next(row for row in results["options"] if row["id"] == "prayer")["real"] == 1
    assert again.status_code == 409
    assert results["round"] == voted_in, "the same round: a phone that voted before the crash still knows its vote"
    assert second.process.returncode == 0, second.output()
    assert f"Resuming the latest crashed show, run {run_id}" in second.output()
    assert list(states.iterdir()) == []
    assert not ours(docker_engine, "volumes", run_id)


def test_resume_beside_a_running_show_refuses_naming_its_pid_and_the_show_keeps_voting(docker_engine, tmp_path):
    states = tmp_path / "show-resume"
    env = {**os.environ, "PRESENTER_TOKEN": TOKEN, RESUME_DIR_VARIABLE: str(states), "COLUMNS": "200"}
    env.pop("TESTCONTAINERS_RYUK_DISABLED", None)
    running = Show(free_port(), env, tmp_path / "running.log", "--engine", "docker")
    try:
        first_phone, second_phone = requests.Session(), requests.Session()
        first_phone.get(f"{running.url}/qr")
        before = first_phone.post(f"{running.url}/api/vote", json={"option": "prayer"})

        resume = subprocess.run([sys.executable, "reality_engine.py", "--port", str(free_port()), "--resume"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
        second_phone.get(f"{running.url}/qr")
        after = second_phone.post(f"{running.url}/api/vote", json={"option": "mocks"})
        results = requests.get(f"{running.url}/api/results", headers={"X-Presenter-Token": TOKEN}).json()
        containers = ours(docker_engine, "containers", running.run_id())
    finally:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=60)

    said = resume.stdout + resume.stderr
    assert resume.returncode != 0
    assert f"still running (pid {running.process.pid}, run {running.run_id()})" in said, said
    assert "Traceback" not in said and "Starting PostgreSQL" not in said
    assert (before.status_code, after.status_code) == (201, 201)
    assert results["totals"]["real"] == 2
    assert [container.status for container in containers] == ["running"]
    assert running.process.returncode == 0 and list(states.iterdir()) == []
