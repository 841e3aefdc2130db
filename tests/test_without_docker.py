"""What a user without Docker sees: one sentence saying what to do, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.servers.containers import docker_client
from lab.errors import DockerUnavailable

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "tcp://127.0.0.1:9"  # the discard port: nothing answers there


def run_reality_tests(*options: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_reality.py", "-p", "no:cacheprovider", *options],
        cwd=ROOT, env={**os.environ, "DOCKER_HOST": NOWHERE, "TCMAGIC_ENGINE": "auto", **env},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )


def test_an_unreachable_docker_is_one_sentence_with_the_fix(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)

    with pytest.raises(DockerUnavailable) as raised:
        docker_client(timeout=2)

    assert str(raised.value) == (
        f"Docker is not reachable at DOCKER_HOST={NOWHERE}: start Docker (Docker Desktop, or "
        "`sudo systemctl start docker`) or fix DOCKER_HOST, then try again."
    )


def test_when_docker_is_chosen_but_absent_reality_tests_skip_with_one_loud_line():
    run = run_reality_tests("--engine=docker", TCMAGIC_REQUIRE_DOCKER="")
    loud = [line for line in run.stdout.splitlines() if "Docker is not reachable" in line and "SKIPPED" in line]

    assert run.returncode == 0, run.stdout
    assert len(loud) == 1
    assert "8 skipped" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_when_docker_is_required_its_absence_fails_the_run():
    run = run_reality_tests(TCMAGIC_REQUIRE_DOCKER="1")

    assert run.returncode != 0
    assert "Docker is not reachable" in run.stdout
    assert "8 errors" in run.stdout
