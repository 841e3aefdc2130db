"""Pre-flight checks shared by every entry script: is this machine ready for the show?

Each check is a small function of its inputs that returns a CheckResult; `run_checks`
feeds them this machine, `report` prints one line each, and `preflight` raises the fix
of the first blocking failure. Only the standard library is imported up front, so the
doctor can still say "install the requirements" when they are missing.
"""

from __future__ import annotations  # so that an old Python reaches check_python instead of a TypeError

import importlib
import importlib.metadata
import os

from lab.classroom.checks import CheckResult, check_python, pinned_requirements
from lab.errors import WorkshopError
from lab.paths import REQUIREMENTS

INSTALL = "run `pip install -r requirements.txt` in this folder (inside the venv if you use one)"


def check_requirements(pins: dict[str, str], version_of=importlib.metadata.version) -> CheckResult:
    """Every pinned requirement is installed, at its pinned version."""
    missing, other = [], []
    for name, wanted in pins.items():
        try:
            installed = version_of(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
            continue
        if installed != wanted:
            other.append(f"{name} {installed} (pinned {wanted})")
    if missing:
        return CheckResult("requirements", False, f"not installed: {', '.join(missing)}", f"Install them: {INSTALL}.")
    if other:
        return CheckResult(
            "requirements", False, f"other versions: {', '.join(other)}", f"If anything misbehaves, {INSTALL}.",
            blocking=False,
        )
    return CheckResult("requirements", True, f"{len(pins)} pinned packages installed")


def endpoint_description(env: dict[str, str]) -> str:
    """Which Docker endpoint the client uses, in words: DOCKER_HOST, else the current context."""
    if env.get("DOCKER_HOST"):
        return f"DOCKER_HOST={env['DOCKER_HOST']}"
    try:
        from docker.context import ContextAPI

        context = ContextAPI.get_current_context()
        return f"context {context.Name} ({context.Host or 'default socket'})"
    except Exception:  # noqa: BLE001 - a broken ~/.docker/config.json must not break the doctor
        return "the default socket /var/run/docker.sock"


def check_docker(env: dict[str, str]):
    """Docker answers; returns (CheckResult, client or None)."""
    from lab.errors import DockerUnavailable
    from lab.servers.containers import docker_client

    where = endpoint_description(env)
    try:
        client = docker_client(timeout=5)
    except DockerUnavailable as error:
        detail = f"not reachable via {where} (images, Ryuk, container host not checked)"
        return CheckResult("docker", False, detail, str(error)), None
    version = client.version().get("Version", "?")
    return CheckResult("docker", True, f"Docker {version} via {where}"), client


def check_images(client, images: list[str]) -> CheckResult:
    """Every image the workshop starts is already in the local image store."""
    from lab.classroom.pulling import is_present

    missing = [image for image in images if not is_present(client, image)]
    if missing:
        pulls = " and ".join(f"`docker pull {image}`" for image in missing)
        return CheckResult(
            "images", False, f"missing: {', '.join(missing)}",
            f"Run {pulls} now (or `python3 workshop.py unpack FILE` from a USB stick), not during the show.",
        )
    return CheckResult("images", True, f"present: {', '.join(images)}")


def check_ryuk(client, image: str, disabled: bool) -> CheckResult:
    """Ryuk (testcontainers' cleaner) can start: its image is here, or it is switched off."""
    from lab.classroom.pulling import is_present

    if disabled:
        return CheckResult("ryuk", True, "disabled: run `python3 cleanup.py` afterwards to remove leftovers")
    if is_present(client, image):
        return CheckResult("ryuk", True, f"{image} present")
    return CheckResult(
        "ryuk", False, f"{image} missing",
        f"Run `docker pull {image}` (or unpack the offline pack); only if it still cannot start, "
        "set TESTCONTAINERS_RYUK_DISABLED=true and run `python3 cleanup.py` afterwards.",
    )


def check_port(port: int) -> CheckResult:
    """Nothing else listens on the show's port."""
    from lab.classroom.ports import port_is_free, port_owner

    if port_is_free(port):
        return CheckResult("port", True, f"{port} is free")
    holder = port_owner(port) or "another program"
    return CheckResult(
        "port", False, f"{port} is taken by {holder}", f"Stop {holder}, or choose another port with --port {port + 1}."
    )


def check_container_host(client, image: str, env: dict[str, str]) -> CheckResult:
    """Inside a container: the address testcontainers will use for containers answers."""
    from lab.classroom.pulling import is_present
    from lab.servers import container_host

    if not container_host.inside_container():
        return CheckResult("container host", True, "not inside a container: containers answer on this machine")
    if not is_present(client, image):
        return CheckResult("container host", False, f"not checked: the probe needs {image}", blocking=False)
    try:
        seen = container_host.probe(client, image)
    except Exception as error:  # noqa: BLE001 - any Docker failure here means the probe itself could not run
        return CheckResult(
            "container host", False, f"probe container did not start ({error.__class__.__name__})",
            "Run `python3 cleanup.py` and check `docker ps`, then try again.", blocking=False,
        )
    if seen.reached:
        return CheckResult("container host", True, f"inside a container; {seen.host} answers ({seen.mode})")
    return CheckResult(
        "container host", False, f"inside a container; {seen.host}:{seen.port} does not answer ({seen.mode})",
        f"Export {container_host.override_hint(env)} (the address where published ports answer), then try again.",
    )


def check_embedded(docker_result: CheckResult, needs_docker: str) -> CheckResult:
    """Docker did not answer: the embedded engine takes over if its server programs are here."""
    from lab.servers.embedded_programs import EmbeddedUnavailable, postgres_bin_dir, redis_server_program

    try:
        postgres_bin_dir()
        redis_server_program()
    except EmbeddedUnavailable as error:
        return CheckResult("engine", False, f"Docker {docker_result.detail.split(' (')[0]}, and no embedded engine either",
                           f"{docker_result.fix} Or, to run without Docker: {error}")
    return CheckResult("engine", True, f"Docker {docker_result.detail.split(' (')[0]}, so the embedded engine will run "
                                       f"PostgreSQL and Redis as local processes; {needs_docker}")


def run_checks(*, port: int | None = None, pull_missing: bool = False, console=None,
               docker: bool = True, fallback: str | None = None) -> list[CheckResult]:
    """Every check that applies to this machine, in the order a person would fix them.

    `docker=False` (the embedded engine runs the servers) leaves out Docker, images, Ryuk
    and the container host: none of them is used. `fallback` (engine auto) is what needs
    Docker, said when Docker does not answer and the embedded engine takes over instead.
    """
    env = dict(os.environ)
    results = [check_python(), check_requirements(pinned_requirements(REQUIREMENTS.read_text()))]
    if not results[-1].ok and results[-1].blocking:
        return results
    if docker:
        docker_result, client = check_docker(env)
        results.append(docker_result if client is not None or fallback is None
                       else check_embedded(docker_result, fallback))
        if client is not None:
            results += _docker_checks(client, env, pull_missing, console)
    else:
        results.append(CheckResult("engine", True, "embedded processes: Docker, images and Ryuk not needed"))
    if port is not None:
        results.append(check_port(port))
        if env.get("CODESPACE_NAME"):
            from lab.classroom.codespaces import check_port_visibility

            results.append(check_port_visibility(port, env))
    return results


def _docker_checks(client, env: dict[str, str], pull_missing: bool, console) -> list[CheckResult]:
    from lab.classroom.pulling import pull_missing as pull
    from lab.classroom.pulling import ryuk_disabled, ryuk_image
    from lab.servers.images import IMAGES

    ours = [image.name for image in IMAGES.values()]
    failed = pull(client, ours + ([] if ryuk_disabled() else [ryuk_image()]), console or _console()) if pull_missing else {}
    pulls = [CheckResult("pull", False, f"{image} could not be pulled", str(error), blocking=False)
             for image, error in failed.items()]
    return pulls + [
        check_images(client, ours),
        check_ryuk(client, ryuk_image(), ryuk_disabled()),
        check_container_host(client, IMAGES["redis"].name, env),
    ]


def _console():
    from rich.console import Console

    return Console()


MARKS = {True: "[green]ok  [/]", False: "[red]FAIL[/]", None: "[yellow]warn[/]"}


def report(results: list[CheckResult], console) -> int:
    """Print one line per check, with the fix under each failure; 1 if anything blocks the show.

    A grid, so that on a narrow terminal a long detail or fix wraps at words within its column.
    """
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(min_width=4, no_wrap=True)
    grid.add_column(min_width=15, no_wrap=True)
    grid.add_column()
    for result in results:
        grid.add_row(MARKS[True if result.ok else (False if result.blocking else None)], result.name, Text(result.detail))
        if not result.ok and result.fix:
            grid.add_row("", "", Text(f"-> {result.fix}"))
    console.print(grid, highlight=False)
    blocked = any(not result.ok and result.blocking for result in results)
    return 1 if blocked else 0


def preflight(port: int, console, docker: bool = True) -> None:
    """Before a show: pull what is missing, then raise the fix of the first blocking failure."""
    results = run_checks(port=port, pull_missing=docker, console=console, docker=docker)
    for result in results:
        if not result.ok and not result.blocking:
            line = f"warn {result.name}: {result.detail}. {result.fix}".rstrip(". ") + "."
            console.print(line, markup=False, highlight=False)
    blocking = next((result for result in results if not result.ok and result.blocking), None)
    if blocking is not None:
        raise WorkshopError(blocking.fix)
