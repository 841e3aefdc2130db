"""What a user without Docker sees: one sentence saying what to do, never a traceback."""

import gc
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lab.errors import DockerUnavailable
from lab.servers.containers import docker_client
from lab.testruns.paired import TestComparison
from lab.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "tcp://127.0.0.1:9"  # the discard port: nothing answers there
NO_SOCKET = "unix:///nonexistent/docker.sock"  # a laptop without Docker: its default socket is absent


def laptop_without_docker(docker_host: str) -> dict[str, str]:
    """This process's environment as on a laptop without Docker: no TCMAGIC_* variable, nothing at `docker_host`."""
    untouched = {name: value for name, value in os.environ.items() if not name.startswith("TCMAGIC_")}
    return {**untouched, "DOCKER_HOST": docker_host}


def readme_comparison(test_file: str, target: str, docker_host: str) -> subprocess.CompletedProcess:
    """The README's comparison command, `pytest <file> --target <target>`, on a laptop without Docker."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", test_file, f"--target={target}", "-p", "no:cacheprovider"],
        cwd=ROOT, env=laptop_without_docker(docker_host), capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False,
    )


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


@pytest.mark.parametrize("docker_host", [NOWHERE, NO_SOCKET])
def test_an_unreachable_docker_leaves_no_socket_open(monkeypatch, docker_host):
    monkeypatch.setenv("DOCKER_HOST", docker_host)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DockerUnavailable):
            docker_client(timeout=2)
        gc.collect()

    assert [str(warning.message) for warning in caught if warning.category is ResourceWarning] == []


@pytest.mark.parametrize("docker_host", [NOWHERE, NO_SOCKET])
@pytest.mark.parametrize(
    "test_file, target, exit_code, summary",
    [
        ("tests/test_fantasy.py", "naive", 0, "8 passed"),
        ("tests/test_reality.py", "naive", 1, "8 failed"),
        ("tests/test_reality.py", "real", 0, "8 passed"),
    ],
)
def test_the_readmes_comparison_without_docker_and_no_variable_set(docker_host, test_file, target, exit_code, summary):
    run = readme_comparison(test_file, target, docker_host)
    last_line = run.stdout.strip().splitlines()[-1]

    assert "engine: embedded - Docker is not reachable" in run.stdout
    assert run.returncode == exit_code, run.stdout[-3000:]
    assert summary in last_line and "error" not in last_line, last_line


@pytest.mark.parametrize("target, fantasy, reality", [
    ("naive", "all green, all wrong", "8 bugs caught"),
    ("real", "green but blind: it never touched the app", "green means proof"),
])
def test_the_shows_comparison_stage_without_docker_reads_as_on_docker(monkeypatch, target, fantasy, reality):
    """Stage 4's verdicts, the same words the projector shows on Docker (tests/testruns/test_paired.py)."""
    for name in [name for name in os.environ if name.startswith("TCMAGIC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DOCKER_HOST", NO_SOCKET)
    events: list[tuple[str, dict]] = []

    assert TestComparison().start(target, lambda name, data: events.append((name, data)))
    wait_for(lambda: any(name == "tests_finished" for name, _ in events), "both paired files to finish", timeout=120)

    finished = events[-1][1]
    assert (finished["fantasy"]["verdict"], finished["reality"]["verdict"]) == (fantasy, reality)
    assert (finished["fantasy"]["other"], finished["reality"]["other"]) == (0, 0)
