"""cleanup.py removes what carries our labels and nothing else, and nothing a live process uses.

Other sessions' containers carry the same labels, so every Docker test here is scoped to
a run id of its own (`--run-id`), and caches and pid files live in a project folder of its own.
"""

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import docker
import pytest
from rich.console import Console

from lab.paths import ROOT
from lab.paths import SHOW_PID_FILE_NAME as PID_FILE
from lab.servers.containers import LABEL_PURPOSE, LABEL_RUN, our_labels
from lab.servers.labels import LABEL_DURABLE
from lab.tools.janitor import apply, plan, summary_table
from lab.tools.on_disk import embedded_items, engine_items
from lab.tools.owners import published_ports

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
                          timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "160"}, check=False)


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.docker
def test_cleanup_of_one_run_removes_that_run_only_and_the_decoy_survives(leftovers, project):
    run_id, made = leftovers

    run = run_cleanup("--run-id", run_id, "--project", str(project))

    assert run.returncode == 0, run.stdout + run.stderr
    assert not exists(made["container"]) and not exists(made["network"]) and not exists(made["volume"])
    assert exists(made["decoy"])
    assert (project / ".pytest_cache").exists() and (project / "lab" / "__pycache__").exists()
    assert "removed" in run.stdout and "Traceback" not in run.stderr


def test_a_full_cleanup_removes_the_caches_but_not_the_venvs(project):
    items, _ = plan(project, connect=docker_unreachable, durable_root=project / "no-durable-data")

    apply(items, dry_run=False)

    assert not (project / ".pytest_cache").exists() and not (project / "lab" / "__pycache__").exists()
    assert (project / ".venv" / "lib" / "__pycache__").exists()


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


def test_a_running_show_is_kept_unless_forced(project, pid_file_names):
    show = pid_file_names("reality_engine.py")

    [item] = engine_items(project)
    [(_, result)] = apply([item], dry_run=False)

    assert (item.kind, item.user, result) == ("process", show.pid, f"in use by pid {show.pid}")
    assert show.poll() is None and (project / PID_FILE).exists()


def test_with_force_the_show_is_stopped_through_its_pid_file(project, pid_file_names):
    show = pid_file_names("reality_engine.py")

    [item] = engine_items(project)
    [(_, result)] = apply([item], dry_run=False, force=True)

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

    results = apply(engine_items(project), dry_run=True, force=True)

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


def docker_unreachable():
    from lab.errors import DockerUnavailable
    raise DockerUnavailable("Docker is not reachable: start Docker.")


def test_without_docker_the_rest_is_still_cleaned_and_the_reason_given(project):
    items, notes = plan(project, connect=docker_unreachable, durable_root=project / "no-durable-data")

    assert {item.kind for item in items} == {"cache"}
    assert notes == ["Containers were not checked: Docker is not reachable: start Docker."]


@pytest.fixture
def embedded_server(project):
    """An idle process standing in for an embedded server, with its pid file under the project; (process, its folder)."""
    from lab.servers.leftovers import write_pid_file

    started = []

    def start(role: str, **details) -> tuple[subprocess.Popen, Path]:
        server_dir = project / f"tcmagic-{role}-test"
        server_dir.mkdir()
        (server_dir / "server.py").write_text(IDLE)
        server = subprocess.Popen([sys.executable, "server.py"], cwd=server_dir)
        started.append(server)
        write_pid_file(project / ".tcmagic" / "embedded", role, server.pid, server_dir, **details)
        return server, server_dir

    yield start
    for server in started:
        server.kill()
        server.wait()


def test_an_embedded_server_is_stopped_through_its_pid_file_and_only_in_its_run(project, embedded_server):
    server, server_dir = embedded_server("postgres", run_id="run-a", port=5999)

    assert plan(project, run_id="run-b", connect=docker_unreachable, durable_root=project)[0] == []
    [item] = plan(project, run_id="run-a", connect=docker_unreachable, durable_root=project)[0]
    [(_, result)] = apply([item], dry_run=False)

    assert (item.kind, item.name, result) == ("embedded server", f"postgres (pid {server.pid})", "stopped")
    assert server.wait(timeout=10) is not None
    assert not server_dir.exists()


def test_an_embedded_server_whose_owner_runs_is_kept(project, embedded_server):
    server, server_dir = embedded_server("redis", run_id="run-a", owner=os.getpid())

    [item] = embedded_items(project)
    [(_, result)] = apply([item], dry_run=False)

    assert (item.run_id, result) == ("run-a", f"in use by pid {os.getpid()}")
    assert server.poll() is None and server_dir.exists()


HOLD = "import socket, sys, signal; c = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); print('connected', flush=True); signal.pause()"


@pytest.mark.docker
def test_a_container_a_live_process_talks_to_is_kept_with_its_run_until_the_process_ends(project):
    client = docker.from_env()
    run_id = f"janitor-{uuid.uuid4().hex[:8]}"
    used = client.containers.run("redis:7-alpine", detach=True, labels=our_labels("redis", "workshop", run_id),
                                 ports={"6379/tcp": ("127.0.0.1", None)})
    try:
        used.reload()
        port = used.attrs["NetworkSettings"]["Ports"]["6379/tcp"][0]["HostPort"]
        holder = subprocess.Popen([sys.executable, "-c", HOLD, port], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "connected"

            kept = run_cleanup("--run-id", run_id, "--project", str(project))

            assert kept.returncode == 0, kept.stdout + kept.stderr
            assert f"in use by pid {holder.pid}" in kept.stdout and run_id in kept.stdout
            assert "add --force" in kept.stdout and exists(used)
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()

        removed = run_cleanup("--run-id", run_id, "--project", str(project))

        assert "removed" in removed.stdout and not exists(used)
    finally:
        if exists(used):
            used.remove(force=True)


def show_run_id(show_pid: int, client) -> str:
    """The run id of the show's PostgreSQL: the container of ours whose published port the show is connected to."""
    import psutil

    ports = {c.raddr.port for c in psutil.Process(show_pid).net_connections(kind="tcp") if c.raddr}
    for found in client.containers.list(filters={"label": f"{LABEL_PURPOSE}=show"}):
        if published_ports(found.attrs) & ports:
            return found.labels[LABEL_RUN]
    return ""


@pytest.mark.slow
@pytest.mark.docker
def test_cleanup_spares_a_running_show_and_the_show_still_answers(docker_engine, tmp_path):
    import signal
    import urllib.request

    from lab.servers.containers import free_port
    from lab.waiting import wait_for

    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    log = tmp_path / "show.out"
    with log.open("w") as out:
        show = subprocess.Popen([sys.executable, "reality_engine.py", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, "COLUMNS": "120"})
    client = docker.from_env()
    try:
        def answers() -> bool:
            assert show.poll() is None, log.read_text()
            with urllib.request.urlopen(health, timeout=2) as answer:
                return answer.status == 200

        wait_for(answers, "reality_engine.py to serve", timeout=120, ignore=(OSError,))
        run_id = wait_for(lambda: show_run_id(show.pid, client), "the show's connection to its PostgreSQL", timeout=30)

        run = run_cleanup("--run-id", run_id, "--project", str(ROOT))

        assert run.returncode == 0, run.stdout + run.stderr
        assert f"in use by pid {show.pid}" in run.stdout and "removed" not in run.stdout
        assert client.containers.list(filters={"label": f"{LABEL_RUN}={run_id}"})
        assert answers()
    finally:
        show.send_signal(signal.SIGINT)
        show.wait(timeout=60)
    assert "Show ended" in log.read_text()


def test_the_table_at_80_columns_shows_whole_names_run_ids_and_who_uses_what():
    import io

    from rich.console import Console

    from lab.tools.janitor import kept_note, summary_table
    from lab.tools.removable import Item

    show = Item("container", "condescending_goldwasser", "postgres:15-alpine, running, show", run_id="3f9a1c2b7d4e", user=41234)
    results = apply([show, Item("embedded server", "redis (pid 1234)", "running, port 5999", run_id="0a1b2c3d4e5f")],
                    dry_run=True)
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(summary_table(results, dry_run=True))
    lines = console.file.getvalue().splitlines()

    assert max(map(len, lines)) <= 80 and "…" not in "".join(lines)
    for whole in ("condescending_goldwasser", "3f9a1c2b7d4e", "in use by pid 41234", "redis (pid 1234)", "would stop"):
        assert any(whole in line for line in lines), whole
    assert kept_note(results) == ("Kept what running programs use (pid 41234): stop them first (Ctrl+C in their terminal), "
                                  "or add --force to remove it all the same.")


@pytest.fixture
def crashed_show(project, tmp_path_factory):
    """What a killed show leaves: its resume file, and an embedded durable data directory; (run id, durable root)."""
    run_id = "0123456789ab"
    (project / ".tcmagic" / "show-resume").mkdir(parents=True, exist_ok=True)
    (project / ".tcmagic" / "show-resume" / f"{run_id}.json").write_text(json.dumps({"run_id": run_id, "question": "?"}))
    durable_root = tmp_path_factory.mktemp("tcmagic-durable")
    (durable_root / f"postgres-{run_id}-a1b2c3" / "data").mkdir(parents=True)
    return run_id, durable_root


def resume_data(items):
    return [item for item in items if item.kind in ("resume file", "durable data")]


def test_a_crashed_shows_resume_file_and_durable_data_are_removed_and_said_so(project, crashed_show):
    run_id, durable_root = crashed_show

    items, _ = plan(project, connect=docker_unreachable, durable_root=durable_root)
    results = apply(resume_data(items), dry_run=False)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(summary_table(results, dry_run=False))
    text = console.file.getvalue()

    assert [(item.kind, item.run_id, result) for item, result in results] == [
        ("resume file", run_id, "removed"), ("durable data", run_id, "removed")]
    assert not (project / ".tcmagic" / "show-resume" / f"{run_id}.json").exists() and list(durable_root.iterdir()) == []
    for said in (f".tcmagic/show-resume/{run_id}.json", "a crashed show's database login and cookie key",
                 str(durable_root / f"postgres-{run_id}-a1b2c3"), "a show's durable PostgreSQL data (embedded engine)"):
        assert said in text, said


def test_dry_run_lists_a_crashed_shows_resume_data_and_removes_nothing(project, crashed_show):
    run_id, durable_root = crashed_show

    items, _ = plan(project, connect=docker_unreachable, durable_root=durable_root)
    results = apply(resume_data(items), dry_run=True)

    assert [result for _, result in results] == ["would remove", "would remove"]
    assert (project / ".tcmagic" / "show-resume" / f"{run_id}.json").exists() and len(list(durable_root.iterdir())) == 1


def test_a_running_shows_resume_data_is_kept_unless_forced(project, crashed_show, pid_file_names):
    run_id, durable_root = crashed_show
    show = pid_file_names("reality_engine.py")

    items, _ = plan(project, connect=docker_unreachable, durable_root=durable_root)
    results = apply(resume_data(items), dry_run=False)

    assert [result for _, result in results] == [f"in use by pid {show.pid}"] * 2
    assert (project / ".tcmagic" / "show-resume" / f"{run_id}.json").exists() and len(list(durable_root.iterdir())) == 1


def test_a_resume_file_whose_show_runs_is_in_use_by_it_and_a_crashed_ones_is_not(project, crashed_show):
    """Two shows from one checkout: the one still running keeps its file, whatever the checkout's pid file says."""
    crashed_run, durable_root = crashed_show
    running = subprocess.Popen([sys.executable, "-c", IDLE])
    try:
        (project / ".tcmagic" / "show-resume" / "fedcba987654.json").write_text(
            json.dumps({"run_id": "fedcba987654", "pid": running.pid}))

        items, _ = plan(project, connect=docker_unreachable, durable_root=durable_root)
        files = {item.run_id: item.user for item in items if item.kind == "resume file"}
    finally:
        running.kill()
        running.wait()

    assert files == {crashed_run: None, "fedcba987654": running.pid}


def test_durable_data_whose_postgresql_runs_is_in_use_by_it(project, crashed_show):
    run_id, durable_root = crashed_show
    server = subprocess.Popen([sys.executable, "-c", IDLE])
    try:
        (durable_root / f"postgres-{run_id}-a1b2c3" / "data" / "postmaster.pid").write_text(f"{server.pid}\n/data\n")
        items, _ = plan(project, connect=docker_unreachable, durable_root=durable_root)
        [(item, result)] = apply([item for item in items if item.kind == "durable data"], dry_run=False)
    finally:
        server.kill()
        server.wait()

    assert (item.user, result) == (server.pid, f"in use by pid {server.pid}")
    assert len(list(durable_root.iterdir())) == 1


def test_cleanup_of_another_run_leaves_a_crashed_shows_resume_data(project, crashed_show):
    _, durable_root = crashed_show

    items, _ = plan(project, "another-run", connect=docker_unreachable, durable_root=durable_root)

    assert resume_data(items) == []


@pytest.mark.docker
def test_a_durable_volume_is_named_as_such_and_kept_while_the_show_runs(project, pid_file_names, tmp_path):
    client = docker.from_env()
    run_id = f"janitor-{uuid.uuid4().hex[:8]}"
    volume = client.volumes.create(f"tcmagic-test-{run_id}",
                                   labels={**our_labels("postgres", "show", run_id), LABEL_DURABLE: "true"})
    try:
        show = pid_file_names("reality_engine.py")
        while_running, _ = plan(project, run_id, durable_root=tmp_path)
        show.kill()
        show.wait()
        after_the_crash, _ = plan(project, run_id, durable_root=tmp_path)
        [(_, result)] = apply([item for item in after_the_crash if item.kind == "volume"], dry_run=False)
    finally:
        try:
            volume.remove(force=True)
        except docker.errors.NotFound:
            pass

    [kept] = [item for item in while_running if item.kind == "volume"]
    assert (kept.name, kept.detail, kept.user) == (volume.name, "a show's durable PostgreSQL data", show.pid)
    assert result == "removed" and not exists(volume)


@pytest.mark.docker
def test_a_container_removed_between_listing_and_inspecting_breaks_neither_cleanup_nor_the_monitor():
    from lab.tools.janitor import docker_items
    from lab.tools.monitor import Monitor

    client = docker.from_env()
    run_id = f"janitor-{uuid.uuid4().hex[:8]}"
    going = client.containers.create("redis:7-alpine", labels=our_labels("redis", "workshop", run_id))
    inspect = client.api.inspect_container

    def removed_first(container_id, *args, **kwargs):  # Ryuk, or another cleanup, got there between the two calls
        if container_id == going.id:
            going.remove(force=True)
        return inspect(container_id, *args, **kwargs)

    client.api.inspect_container = removed_first
    try:
        items, _ = docker_items(client, connections=list)
        listed = Monitor(Console(file=io.StringIO()), connect=lambda: client).listing(client)
    finally:
        if exists(going):
            going.remove(force=True)

    assert run_id not in {item.run_id for item in items}
    assert going.id not in {attrs["Id"] for attrs in listed}


# A live test session: servers started through the product (Ryuk beside them); it runs until its stdin ends.
SESSION = """
import sys
from testcontainers.core.labels import SESSION_ID
from lab.servers.containers import DockerEngine
service = DockerEngine(purpose="test", run_id=sys.argv[1]).start_redis()
print(SESSION_ID, flush=True)
sys.stdin.read()
service.remove()
"""


@pytest.mark.docker
def test_a_live_sessions_ryuk_is_in_use_even_when_its_connection_cannot_be_seen(project):
    """No connection visible (a session starting, another user's or another network namespace's): its label tells."""
    run_id = f"janitor-{uuid.uuid4().hex[:8]}"
    session = subprocess.Popen([sys.executable, "-c", SESSION, run_id], cwd=Path(__file__).resolve().parents[2],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        session_id = session.stdout.readline().strip()
        items, _ = plan(project, connections=list, durable_root=project / "no-durable-data")
    finally:
        session.stdin.close()
        session.wait(timeout=60)
        session.stdout.close()

    ryuk = next(item for item in items if item.name == f"testcontainers-ryuk-{session_id}")
    redis = next(item for item in items if item.run_id == run_id and item.kind == "container")
    assert (ryuk.user, redis.user) == (session.pid, session.pid)
    assert apply([ryuk], dry_run=True) == [(ryuk, f"in use by pid {session.pid}")]
