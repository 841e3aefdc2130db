"""cleanup.py removes what carries our labels and nothing else; it stops the show only through its pid file.

Other sessions' containers carry the same labels, so every Docker test here is scoped to
a run id of its own (`--run-id`), and caches and pid files live in a project folder of its own.
"""

import os
import subprocess
import sys
import uuid

import docker
import pytest

from lab.servers.containers import our_labels
from lab.paths import SHOW_PID_FILE_NAME as PID_FILE
from lab.tools.janitor import apply, embedded_items, engine_items, plan
from lab.testruns.runner import ROOT

IDLE = "import signal; signal.pause()"


@pytest.fixture
def project(tmp_path):
    """A checkout with pytest caches, and a virtualenv whose caches must survive."""
    (tmp_path / ".pytest_cache").mkdir()
    (tmp_path / "lab" / "__pycache__").mkdir(parents=True)
    (tmp_path / "lab" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    (tmp_path / ".venv" / "lib" / "__pycache__").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def leftovers():
    """A container, network and volume of a run of our own, and a decoy container without our labels."""
    client = docker.from_env()
    run_id = f"janitor-{uuid.uuid4().hex[:8]}"
    labels = our_labels("redis", "test", run_id)
    made = {
        "container": client.containers.run("redis:7-alpine", detach=True, labels=labels),
        "network": client.networks.create(f"tcmagic-test-{run_id}", labels=labels),
        "volume": client.volumes.create(f"tcmagic-test-{run_id}", labels=labels),
        "decoy": client.containers.run("redis:7-alpine", detach=True),
    }
    yield run_id, made
    for kind, thing in made.items():
        try:
            thing.remove(**({"force": True} if kind != "network" else {}))
        except docker.errors.NotFound:
            pass


def exists(thing) -> bool:
    try:
        thing.reload()
    except docker.errors.NotFound:
        return False
    return True


def run_cleanup(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cleanup.py", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "160"})


@pytest.mark.docker
def test_dry_run_lists_our_things_and_removes_nothing(leftovers, project):
    run_id, made = leftovers

    run = run_cleanup("--dry-run", "--run-id", run_id, "--project", str(project))

    assert run.returncode == 0, run.stdout + run.stderr
    assert "nothing was removed" in run.stdout
    for kind in ("container", "network", "volume"):
        assert made[kind].name in run.stdout
    assert made["decoy"].name not in run.stdout
    assert all(exists(thing) for thing in made.values())
    assert (project / ".pytest_cache").exists() and (project / "lab" / "__pycache__").exists()


@pytest.mark.docker
def test_cleanup_removes_our_run_and_caches_and_the_decoy_survives(leftovers, project):
    run_id, made = leftovers

    run = run_cleanup("--run-id", run_id, "--project", str(project))

    assert run.returncode == 0, run.stdout + run.stderr
    assert not exists(made["container"]) and not exists(made["network"]) and not exists(made["volume"])
    assert exists(made["decoy"])
    assert not (project / ".pytest_cache").exists() and not (project / "lab" / "__pycache__").exists()
    assert (project / ".venv" / "lib" / "__pycache__").exists()
    assert "removed" in run.stdout and "Traceback" not in run.stderr


@pytest.fixture
def pid_file_names(project):
    """Start an idle Python script under a given file name and write its pid where the show writes its own."""
    started = []

    def start(script_name: str) -> subprocess.Popen:
        script = project / script_name
        script.write_text(IDLE)
        process = subprocess.Popen([sys.executable, str(script)])
        started.append(process)
        (project / PID_FILE).parent.mkdir(exist_ok=True)
        (project / PID_FILE).write_text(str(process.pid))
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_the_show_is_stopped_through_its_pid_file(project, pid_file_names):
    show = pid_file_names("reality_engine.py")

    [item] = engine_items(project)
    [(_, result)] = apply([item], dry_run=False)

    assert item.kind == "process" and result == "stopped"
    assert show.wait(timeout=10) != 0
    assert not (project / PID_FILE).exists()


def test_a_pid_that_is_not_the_show_is_left_alone(project, pid_file_names):
    other = pid_file_names("some_other_program.py")

    [item] = engine_items(project)
    apply([item], dry_run=False)

    assert item.kind == "pid file" and "left alone" in item.detail
    assert other.poll() is None
    assert not (project / PID_FILE).exists()


def test_dry_run_does_not_stop_the_show(project, pid_file_names):
    show = pid_file_names("reality_engine.py")

    results = apply(engine_items(project), dry_run=True)

    assert [result for _, result in results] == ["would stop"]
    assert show.poll() is None


def test_a_stale_pid_file_is_removed(project, pid_file_names):
    gone = pid_file_names("reality_engine.py")
    gone.kill()
    gone.wait()

    [item] = engine_items(project)
    apply([item], dry_run=False)

    assert item.kind == "pid file" and "not running" in item.detail
    assert not (project / PID_FILE).exists()


def test_without_docker_the_rest_is_still_cleaned_and_the_reason_given(project):
    def unreachable():
        from lab.errors import DockerUnavailable
        raise DockerUnavailable("Docker is not reachable: start Docker.")

    items, notes = plan(project, connect=unreachable)

    assert {item.kind for item in items} == {"cache"}
    assert notes == ["Containers were not checked: Docker is not reachable: start Docker."]


def test_an_embedded_server_is_stopped_through_its_pid_file_and_only_in_its_run(project):
    from lab.servers.leftovers import write_pid_file

    server_dir = project / "tcmagic-postgres-test"
    server_dir.mkdir()
    (server_dir / "server.py").write_text(IDLE)
    server = subprocess.Popen([sys.executable, "server.py"], cwd=server_dir)
    try:
        write_pid_file(project / ".tcmagic" / "embedded", "postgres", server.pid, server_dir, run_id="run-a", port=5999)

        assert embedded_items(project, run_id="run-b") == []
        [item] = embedded_items(project, run_id="run-a")
        [(_, result)] = apply([item], dry_run=False)

        assert (item.kind, item.name, result) == ("embedded server", f"postgres (pid {server.pid})", "stopped")
        assert server.wait(timeout=10) is not None
        assert not server_dir.exists()
    finally:
        server.kill()
        server.wait()
