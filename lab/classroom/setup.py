"""The devcontainer's setup: requirements, a Docker that answers, every image pulled.

Run from the project folder as `python3 -m lab.classroom.setup` (devcontainer.json's
onCreateCommand, which Codespaces prebuilds run too). Safe to run again: each step skips
what is done. It ends with "🎉 Codespace setup complete!" (in the devcontainer; elsewhere
"🎉 Setup complete!") and the commands to run next, or with one line "setup failed: ...".
`python3 -m lab.classroom.setup attach` (devcontainer.json's postAttachCommand) makes the
show's port public and, without installing or pulling anything, checks that the setup is in
place and prints the same ending: a participant who opens a prebuilt codespace never saw
the prebuild's log. `public-port` makes the port public and nothing else.

Only the standard library is imported at the top: the requirements are not installed yet.
"""

import argparse
import importlib
import os
import site
import sys

from lab.classroom.cli import print_outcome
from lab.paths import REQUIREMENTS

SHOW_PORT = 5001
DOCKER_WAIT = float(os.environ.get("TCMAGIC_DOCKER_WAIT", "180"))
ATTACH_DOCKER_WAIT = min(DOCKER_WAIT, 60.0)  # dockerd starts with the codespace, before anyone attaches
DEVCONTAINER_VARIABLE = "TCMAGIC_DEVCONTAINER"  # set by .devcontainer/devcontainer.json
NEXT_STEPS = ("Next: `python3 workshop.py` for the course, or `python3 reality_engine.py` for the show "
              "(`python3 workshop.py --check` first if anything looks wrong).")


class SetupFailed(Exception):
    """A step failed; the message says what to do."""


def install_requirements() -> None:
    """pip install both locks, the README's tree, hashes checked (quick when they already are installed)."""
    from lab.classroom.fix_venv import DEV_REQUIREMENTS, pip_install

    if not pip_install(sys.executable, [REQUIREMENTS, DEV_REQUIREMENTS]):
        raise SetupFailed(
            "pip could not install requirements.txt and requirements-dev.txt: read the pip error above, fix the network, "
            "and run `python3 -m lab.classroom.setup` again"
        )
    user_site = site.getusersitepackages()  # pip falls back here when site-packages is read-only
    if os.path.isdir(user_site) and user_site not in sys.path:
        site.addsitedir(user_site)
    importlib.invalidate_caches()


def wait_for_docker(timeout: float = DOCKER_WAIT):
    """A Docker client, once dockerd answers (it starts beside us and is often not ready yet)."""
    from lab.errors import DockerUnavailable
    from lab.servers.containers import docker_client
    from lab.waiting import WaitTimeout, wait_for

    try:
        return docker_client(timeout=5)
    except DockerUnavailable:
        print(f"waiting up to {timeout:g} s for dockerd to answer...", flush=True)
    try:
        return wait_for(
            lambda: docker_client(timeout=5), "dockerd", timeout=timeout, interval=1, ignore=(DockerUnavailable,)
        )
    except WaitTimeout:
        raise SetupFailed(
            f"dockerd did not answer within {timeout:g} s: rebuild the container (Codespaces: "
            "'Rebuild Container'), or raise TCMAGIC_DOCKER_WAIT, then run `python3 -m lab.classroom.setup` again"
        ) from None


def images_to_pull() -> list[str]:
    """The images to pre-pull: lab.servers.images.IMAGES, then testcontainers' Ryuk (unless disabled)."""
    from lab.classroom.pulling import needed_images

    return needed_images()


def pull_images(client) -> list[str]:
    """Pull every image that is not present yet; return the full list."""
    from rich.console import Console

    from lab.classroom.pulling import pull_missing

    images = images_to_pull()
    for error in pull_missing(client, images, Console()).values():
        raise SetupFailed(str(error).rstrip("."))
    return images


def absent_images(client, images: list[str]) -> list[str]:
    """The images of `images` that Docker does not hold yet."""
    from lab.classroom.pulling import is_present

    return [image for image in images if not is_present(client, image)]


def setup_in_place(docker_wait: float = ATTACH_DOCKER_WAIT) -> str:
    """What the setup left (packages, Docker, images), checked without installing or pulling; or SetupFailed."""
    from lab.classroom.fix_venv import missing_packages

    again = "run `python3 -m lab.classroom.setup` to finish it"
    missing = missing_packages()
    if missing:
        raise SetupFailed(f"the requirements are not installed ({', '.join(missing[:3])}): {again}")
    images = images_to_pull()
    absent = absent_images(wait_for_docker(docker_wait), images)
    if absent:
        raise SetupFailed(f"{', '.join(absent)} not pulled yet: {again}")
    return f"requirements installed, Docker answers, {len(images)} images present ({', '.join(images)})"


def setup(install: bool = True) -> str:
    """Every step in order; returns what is now in place, or raises SetupFailed."""
    if install:
        install_requirements()
    client = wait_for_docker()
    images = pull_images(client)
    installed = "requirements installed, " if install else ""
    return f"{installed}Docker answers, {len(images)} images present ({', '.join(images)})"


def completion(done: str, env: dict[str, str]) -> str:
    """The last lines of a setup that worked: what is in place, the cheer, the commands to run next."""
    cheer = "🎉 Codespace setup complete!" if env.get(DEVCONTAINER_VARIABLE) else "🎉 Setup complete!"
    return f"{done}\n{cheer}\n{NEXT_STEPS}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python3 -m lab.classroom.setup`."""
    parser = argparse.ArgumentParser(prog="python3 -m lab.classroom.setup", description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", choices=("all", "images", "public-port", "attach"), default="all",
                        help="all (default): the whole setup; images: print the pre-pull list; "
                        "public-port: make the show's port public in a codespace; attach: that, then "
                        "check the setup is in place and say so")
    parser.add_argument("--skip-install", action="store_true", help="do not pip install the requirements")
    args = parser.parse_args(argv)
    if args.step in ("public-port", "attach"):
        from lab.classroom.codespaces import make_port_public

        print(make_port_public(SHOW_PORT, dict(os.environ)), flush=True)
        if args.step == "public-port":
            return 0  # a private port is reported, never fatal: the container must still start
        return print_outcome(lambda: completion(setup_in_place(), dict(os.environ)), SetupFailed, "setup not complete")
    if args.step == "images":
        print("\n".join(images_to_pull()))
        return 0
    return print_outcome(lambda: completion(setup(install=not args.skip_install), dict(os.environ)), SetupFailed,
                         "setup failed")


if __name__ == "__main__":
    sys.exit(main())
