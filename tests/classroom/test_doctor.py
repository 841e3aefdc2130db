"""The doctor: each check alone with its inputs, the report, and the whole run with and without Docker."""

import io
import os
import socket
import subprocess
import sys

import pytest
from rich.console import Console

from lab.classroom import doctor
from lab.classroom.doctor import CheckResult, preflight, report, run_checks
from lab.errors import WorkshopError
from lab.paths import REQUIREMENTS, ROOT
from lab.servers import container_host
from lab.servers.containers import free_port

NOWHERE = "tcp://127.0.0.1:9"  # the discard port: nothing answers there


def test_a_missing_requirement_blocks_and_says_pip_install():
    installed = {"flask": "3.1.3"}

    def version_of(name):
        if name not in installed:
            raise doctor.importlib.metadata.PackageNotFoundError(name)
        return installed[name]

    missing = doctor.check_requirements({"flask": "3.1.3", "redis": "8.1.0"}, version_of)
    other = doctor.check_requirements({"flask": "3.0.0"}, version_of)

    assert (missing.ok, missing.blocking, missing.detail) == (False, True, "not installed: redis")
    assert "pip install -r requirements.txt" in missing.fix
    assert (other.ok, other.blocking) == (False, False)
    assert other.detail == "other versions: flask 3.1.3 (pinned 3.0.0)"


def test_the_installed_requirements_pass():
    pins = doctor.pinned_requirements(REQUIREMENTS.read_text())
    assert doctor.check_requirements(pins).ok


def test_a_taken_port_names_the_process_holding_it():
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        taken = doctor.check_port(port)

    assert not taken.ok and taken.blocking
    assert taken.detail.startswith(f"{port} is taken by process {os.getpid()} (")
    assert taken.fix.endswith(f"or choose another port with --port {port + 1}.")
    assert doctor.check_port(port).ok  # released again


def test_report_prints_one_line_per_check_and_the_fix_under_each_failure(console):
    results = [
        CheckResult("python", True, "Python 3.11.7"),
        CheckResult("docker", False, "not reachable via [somewhere]", "Start Docker."),
        CheckResult("port visibility", False, "cannot tell", "Look at the Ports tab.", blocking=False),
    ]

    code = report(results, console)

    assert [line.rstrip() for line in console.file.getvalue().splitlines()] == [
        "ok   python          Python 3.11.7",
        "FAIL docker          not reachable via [somewhere]",
        "                     -> Start Docker.",
        "warn port visibility cannot tell",
        "                     -> Look at the Ports tab.",
    ]
    assert code == 1
    assert report([results[0], results[2]], console) == 0  # a warning does not block the show


def test_container_host_outside_a_container_needs_no_probe(monkeypatch):
    monkeypatch.setattr(container_host, "inside_container", lambda: False)
    assert doctor.check_container_host(None, "any", {}).ok


def test_an_unreachable_container_host_suggests_the_override(monkeypatch):
    monkeypatch.setattr(container_host, "inside_container", lambda: True)
    monkeypatch.setattr("lab.classroom.pulling.is_present", lambda client, image: True)
    monkeypatch.setattr(
        container_host, "probe", lambda client, image: container_host.Reachability("172.17.0.1", 32768, "gateway_ip", False)
    )

    result = doctor.check_container_host(None, "redis:7-alpine", {})

    assert (result.ok, result.blocking) == (False, True)
    assert result.detail == "inside a container; 172.17.0.1:32768 does not answer (gateway_ip)"
    assert result.fix.startswith("Export TESTCONTAINERS_HOST_OVERRIDE=localhost ")
    assert container_host.override_hint({"TESTCONTAINERS_HOST_OVERRIDE": "localhost"}).endswith("=host.docker.internal")


def test_with_docker_unreachable_the_doctor_says_how_to_start_it(monkeypatch, console):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)

    results = run_checks(port=free_port())
    code = report(results, console)
    text = console.file.getvalue()

    assert [r.name for r in results] == ["python", "requirements", "docker", "port"]
    assert code == 1
    assert f"FAIL docker          not reachable via DOCKER_HOST={NOWHERE} (images, Ryuk, container host not checked)" in text
    assert "-> Docker is not reachable at DOCKER_HOST=tcp://127.0.0.1:9: start Docker" in text
    assert "Traceback" not in text
    with pytest.raises(WorkshopError, match=r"^Docker is not reachable at DOCKER_HOST=tcp://127\.0\.0\.1:9: start Docker"):
        preflight(free_port(), console)


@pytest.mark.slow
@pytest.mark.docker
def test_with_docker_up_every_check_runs_and_passes(docker_engine, monkeypatch, console):
    monkeypatch.setattr("lab.classroom.pulling.ryuk_disabled", lambda: True)  # Ryuk can't be pulled on CI machines

    results = run_checks(port=free_port())
    code = report(results, console)

    assert [r.name for r in results] == ["python", "requirements", "docker", "images", "ryuk", "container host", "port"]
    assert [r for r in results if not r.ok] == []
    assert code == 0
    assert len(console.file.getvalue().splitlines()) == len(results)
    preflight(free_port(), console)  # nothing to raise


@pytest.mark.docker
def test_missing_images_and_ryuk_fail_with_the_pull_command(docker_client_for_test):
    images = doctor.check_images(docker_client_for_test, ["redis:7-alpine", "tcmagic-absent/nothing:0"])
    ryuk = doctor.check_ryuk(docker_client_for_test, "tcmagic-absent/ryuk:0", disabled=False)

    assert images.detail == "missing: tcmagic-absent/nothing:0"
    assert images.fix.startswith("Run `docker pull tcmagic-absent/nothing:0` now")
    assert (ryuk.ok, ryuk.blocking) == (False, True)
    assert ryuk.fix.startswith("Run `docker pull tcmagic-absent/ryuk:0`")
    assert doctor.check_ryuk(docker_client_for_test, "redis:7-alpine", disabled=False).ok
    assert doctor.check_ryuk(docker_client_for_test, "tcmagic-absent/ryuk:0", disabled=True).ok


@pytest.mark.slow
@pytest.mark.docker
def test_the_container_host_probe_reaches_a_container_and_leaves_none_behind(docker_client_for_test):
    from lab.servers.images import IMAGES

    before = {c.id for c in docker_client_for_test.containers.list(all=True, filters={"label": "dev.tcmagic.purpose=doctor"})}
    seen = container_host.probe(docker_client_for_test, IMAGES["redis"].name)
    after = {c.id for c in docker_client_for_test.containers.list(all=True, filters={"label": "dev.tcmagic.purpose=doctor"})}

    assert seen.reached, seen
    assert after <= before  # the probe removed its own container


@pytest.mark.slow
@pytest.mark.docker
def test_a_wrong_host_override_is_caught_by_the_probe(docker_client_for_test, monkeypatch):
    from testcontainers.core.config import testcontainers_config

    from lab.servers.images import IMAGES

    monkeypatch.setattr(testcontainers_config, "tc_host_override", "192.0.2.1")  # TEST-NET: routes nowhere

    seen = container_host.probe(docker_client_for_test, IMAGES["redis"].name, timeout=1)

    assert (seen.host, seen.reached) == ("192.0.2.1", False)


@pytest.mark.docker
def test_the_probe_is_skipped_when_its_image_is_missing(docker_client_for_test, monkeypatch):
    monkeypatch.setattr(container_host, "inside_container", lambda: True)

    result = doctor.check_container_host(docker_client_for_test, "tcmagic-absent/nothing:0", {})

    assert (result.ok, result.blocking, result.detail) == (False, False, "not checked: the probe needs tcmagic-absent/nothing:0")


def check_without_docker(script: str, **env) -> subprocess.CompletedProcess:
    """`python3 SCRIPT --check` as a user without Docker runs it: no engine variable set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TCMAGIC_")}
    return subprocess.run([sys.executable, script, "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**clean, "DOCKER_HOST": NOWHERE, **env},
                          check=False)


@pytest.mark.parametrize("script, needs", [("workshop.py", "lessons about containers themselves"),
                                            ("reality_engine.py", "watch_containers.py and image packs need Docker")])
def test_without_docker_the_check_passes_and_names_the_embedded_engine(script, needs):
    run = check_without_docker(script)

    assert run.returncode == 0, run.stdout + run.stderr
    flat = " ".join(run.stdout.split())
    engine = flat[flat.index("ok engine "):]
    assert engine.startswith("ok engine Docker not reachable via DOCKER_HOST=tcp://127.0.0.1:9")
    assert "the embedded engine will run PostgreSQL and Redis" in engine
    assert needs in engine and "FAIL" not in run.stdout and "docker " not in flat


def test_without_docker_nor_the_embedded_programs_the_check_fails_with_both_fixes(monkeypatch, console):
    from lab.servers import embedded_programs

    def absent():
        raise embedded_programs.EmbeddedUnavailable("PostgreSQL for the embedded engine is not installed.")

    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    monkeypatch.setattr(embedded_programs, "postgres_bin_dir", absent)

    results = run_checks(fallback="container lessons need Docker")

    assert report(results, console) == 1
    engine = results[-1]
    assert (engine.name, engine.ok) == ("engine", False)
    assert engine.fix.startswith("Docker is not reachable at DOCKER_HOST=tcp://127.0.0.1:9: start Docker")
    assert engine.fix.endswith("Or, to run without Docker: PostgreSQL for the embedded engine is not installed.")


def test_docker_required_keeps_the_docker_check_failing(monkeypatch, console):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    monkeypatch.setenv("TCMAGIC_REQUIRE_DOCKER", "1")
    from lab.servers.engines import fallback_meaning

    assert fallback_meaning("auto", "workshop") is None
    assert check_without_docker("workshop.py", TCMAGIC_REQUIRE_DOCKER="1").returncode == 1


def test_at_80_columns_each_check_wraps_at_words_under_its_own_column():
    narrow = Console(file=io.StringIO(), width=80, color_system=None)
    detail = "Docker not reachable via DOCKER_HOST=tcp://127.0.0.1:9 (images, Ryuk, container host not checked)"

    report([CheckResult("docker", False, detail, "Docker is not reachable: start Docker Desktop, then run it again.")],
           narrow)

    lines = [line.rstrip() for line in narrow.file.getvalue().splitlines()]
    words = " ".join(line[21:] for line in lines).split()
    assert words == detail.split() + ["->"] + ["Docker", "is", "not", "reachable:", "start", "Docker", "Desktop,", "then", "run", "it", "again."]
    assert all(len(line) <= 80 and line[:21].strip() in ("", "FAIL docker") for line in lines)
