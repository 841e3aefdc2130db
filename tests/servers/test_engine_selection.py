"""Choosing the engine: Docker when it answers, else embedded processes, said in one line; never in CI."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from lab.errors import DockerUnavailable, WorkshopError
from lab.servers.embedded import EmbeddedEngine, find_leftovers
from lab.servers.engines import duration_words, ready_line, select_engine

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "tcp://127.0.0.1:9"  # the discard port: nothing answers there
ANNOUNCEMENT = re.compile(r"Docker is not reachable: running on embedded PostgreSQL \d+ and Redis \d+\.\d+ processes; "
                          r"container lessons need Docker")


@pytest.fixture
def console():
    return Console(file=io.StringIO(), width=80, color_system=None)


@pytest.fixture
def without_docker(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)


def said(console) -> list[str]:
    return console.file.getvalue().splitlines()


def test_auto_without_docker_runs_embedded_and_says_so_in_one_line(without_docker, console):
    engine = select_engine(None, purpose="test", console=console, environ={})

    assert isinstance(engine, EmbeddedEngine)
    assert ANNOUNCEMENT.fullmatch(" ".join(console.file.getvalue().split()))  # one sentence, wrapped at words
    assert max(map(len, said(console))) <= 80


def test_when_docker_is_required_there_is_no_switch(without_docker, console):
    with pytest.raises(DockerUnavailable, match="Docker is not reachable at DOCKER_HOST="):
        select_engine("auto", purpose="test", console=console, environ={"TCMAGIC_REQUIRE_DOCKER": "1"})

    assert said(console) == []


def test_docker_chosen_explicitly_but_absent_fails_with_the_fix(without_docker, console):
    with pytest.raises(DockerUnavailable, match="start Docker"):
        select_engine("docker", purpose="test", console=console, environ={})


def test_the_flag_beats_the_variable_and_a_chosen_engine_is_not_announced(without_docker, console):
    by_variable = select_engine(None, purpose="test", console=console, environ={"TCMAGIC_ENGINE": "embedded"})
    by_flag = select_engine("embedded", purpose="test", console=console, environ={"TCMAGIC_ENGINE": "docker"})

    assert isinstance(by_variable, EmbeddedEngine) and isinstance(by_flag, EmbeddedEngine)
    assert said(console) == []


def test_requiring_docker_and_choosing_embedded_contradict(console):
    with pytest.raises(WorkshopError, match="TCMAGIC_REQUIRE_DOCKER=1 forbids the embedded engine"):
        select_engine("embedded", purpose="test", console=console, environ={"TCMAGIC_REQUIRE_DOCKER": "1"})


def test_an_unknown_engine_is_one_sentence_with_the_choices(console):
    with pytest.raises(WorkshopError, match="Unknown engine 'podman': choose docker, embedded or auto"):
        select_engine("podman", purpose="test", console=console, environ={})


@pytest.mark.slow
def test_without_docker_the_reality_file_runs_on_embedded_servers_and_its_header_says_so():
    """As a user without Docker would: `pytest tests/test_reality.py`, and read the output."""
    env = {**os.environ, "DOCKER_HOST": NOWHERE, "TCMAGIC_ENGINE": "", "TCMAGIC_REQUIRE_DOCKER": ""}
    run = subprocess.Popen([sys.executable, "-m", "pytest", "tests/test_reality.py", "-p", "no:cacheprovider"],
                           cwd=ROOT, env=env, text=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = run.communicate(timeout=120)
    announced = [line for line in output.splitlines() if ANNOUNCEMENT.search(line)]

    assert run.returncode == 0, output
    assert "8 passed" in output
    assert announced == [f"engine: embedded - {ANNOUNCEMENT.search(announced[0]).group(0)}"]
    assert "Traceback" not in output
    assert not [leftover for leftover in find_leftovers() if leftover.owner_pid == run.pid]


def test_a_start_quicker_than_the_digits_shown_never_reads_zero_seconds():
    assert ready_line("Redis", 0.004, "embedded process") == "Redis ready in under 0.1 s (embedded process)"
    assert duration_words(0.004, digits=2) == "under 0.01 s"
    assert duration_words(0.06) == "0.1 s" and duration_words(1.234, digits=2) == "1.23 s"
