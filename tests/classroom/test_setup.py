"""The devcontainer's setup ends with the seed's "🎉 Codespace setup complete!" and what to run next."""

import json
import os
import subprocess
import sys

import pytest

from lab.classroom.setup import DEVCONTAINER_VARIABLE
from lab.paths import ROOT


def run_setup(**env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab.classroom.setup", "--skip-install"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL, env={**os.environ, **env}, check=False)


@pytest.mark.docker
def test_in_the_devcontainer_the_setup_ends_with_the_cheer_and_the_commands_to_run_next(docker_engine):
    run = run_setup(**{DEVCONTAINER_VARIABLE: "true"})

    assert run.returncode == 0, run.stdout + run.stderr
    *_, done, cheer, next_steps = run.stdout.splitlines()
    assert done.startswith("Docker answers, ") and "images present" in done
    assert cheer == "🎉 Codespace setup complete!"
    assert "`python3 workshop.py`" in next_steps and "`python3 reality_engine.py`" in next_steps


def test_a_failed_setup_stays_one_sentence_with_the_fix():
    run = run_setup(DOCKER_HOST="tcp://127.0.0.1:9", TCMAGIC_DOCKER_WAIT="0", **{DEVCONTAINER_VARIABLE: "true"})

    assert run.returncode == 1
    last = run.stdout.splitlines()[-1]
    assert last.startswith("setup failed: dockerd did not answer within 0 s: rebuild the container") and last.endswith(".")
    assert "complete" not in run.stdout and "Traceback" not in run.stderr


def attach_to_a_prebuilt_codespace(**env) -> subprocess.CompletedProcess:
    """devcontainer.json's postAttachCommand, as Codespaces runs it when a participant opens the codespace."""
    command = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())["postAttachCommand"].split()
    clean = {k: v for k, v in os.environ.items() if k != "CODESPACE_NAME"}
    return subprocess.run([sys.executable, *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, env={**clean, DEVCONTAINER_VARIABLE: "true", **env}, check=False)


@pytest.mark.docker
def test_attaching_to_a_prebuilt_codespace_shows_the_cheer_too(docker_engine):
    run = attach_to_a_prebuilt_codespace()

    assert run.returncode == 0, run.stdout + run.stderr
    *_, done, cheer, next_steps = run.stdout.splitlines()
    assert done.startswith("requirements installed, Docker answers, ") and "images present" in done
    assert cheer == "🎉 Codespace setup complete!"
    assert "`python3 workshop.py`" in next_steps
    assert "Successfully installed" not in run.stdout and "Pulling" not in run.stdout  # a check, not a second setup


def test_attaching_before_the_setup_is_in_place_says_what_to_run_in_one_line():
    run = attach_to_a_prebuilt_codespace(DOCKER_HOST="tcp://127.0.0.1:9", TCMAGIC_DOCKER_WAIT="0")

    assert run.returncode == 1
    last = run.stdout.splitlines()[-1]
    assert last.startswith("setup not complete: dockerd did not answer within 0 s")
    assert "complete!" not in run.stdout and "Traceback" not in run.stderr
