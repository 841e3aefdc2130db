"""A broken venv, repaired with the standard library only: `python3 workshop.py --fix-venv`.

Two symptoms, one repair. A venv whose interpreter has gone (Codespaces after a rebuild:
"cannot execute: required file not found") is deleted and made again with the Python that
runs the repair; then the requirements are installed with the venv's own pip, which reads
this machine's pip configuration (a mirror or a local wheel cache included). An entry script
run by a Python without the packages calls `guard` first, so it names that command in one
sentence instead of dying with an ImportError.

Only the standard library is imported, and in `guard`'s path nothing that gevent patches
(sockets, threads, subprocess): reality_engine.py calls it before its monkey-patching.
"""

from __future__ import annotations  # so that an old Python gets the version sentence, not a TypeError

import argparse
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import NoReturn

from lab.classroom.checks import check_python, pinned_requirements
from lab.paths import REQUIREMENTS, ROOT

VENV = ROOT / ".venv"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
FLAG = "--fix-venv"


class RepairFailed(Exception):
    """A step of the repair failed; the message is the sentence that says what to do."""


def add_flag(parser) -> None:
    """List `--fix-venv` in an entry script's --help. guard acts on it before argparse ever runs, so the
    parsed arguments never carry it (SUPPRESS): the scripts pass them on whole, as ShowOptions(**vars(args))."""
    parser.add_argument(FLAG, action="store_true", default=argparse.SUPPRESS,
                        help="rebuild a .venv whose Python moved, with its packages")


def normal_name(name: str) -> str:
    """A distribution name as pip compares them: 'Flask_SocketIO' -> 'flask-socketio'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_names(paths: list[str]) -> set[str]:
    """Distributions installed on `paths`, from their metadata folders' names (importlib.metadata
    would import zipfile and email, which import the threads and sockets gevent must patch first)."""
    names: set[str] = set()
    for folder in paths:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        names.update(normal_name(entry.split("-", 1)[0]) for entry in entries if entry.endswith((".dist-info", ".egg-info")))
    return names


def missing_packages(requirements: Path = REQUIREMENTS, paths: list[str] = sys.path) -> list[str]:
    """The pinned requirements this Python cannot find."""
    installed = installed_names(paths)
    return [name for name in map(normal_name, pinned_requirements(requirements.read_text())) if name not in installed]


def guard(argv: list[str]) -> None:
    """The first call of every entry script: `--fix-venv` repairs, missing packages end in one sentence."""
    script = Path(argv[0]).name
    version = check_python()
    if not version.ok and version.blocking:
        print(for_terminal(f"{version.detail}: {version.fix[0].lower()}{version.fix[1:]}"))
        sys.exit(1)
    if FLAG in argv[1:]:
        sys.exit(main([argument for argument in argv[1:] if argument != FLAG]))
    missing = missing_packages()
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        print(for_terminal(lacks_packages(shown, script, f"python3 {script}")))
        sys.exit(1)


def for_terminal(sentence: str) -> str:
    """`sentence` wrapped at words to the terminal's width; a pipe or a log gets it on one line."""
    if not sys.stdout.isatty():
        return sentence
    width = shutil.get_terminal_size().columns
    return textwrap.fill(sentence, width, break_long_words=False, break_on_hyphens=False)


def lacks_packages(shown: str, script: str, rerun: str) -> str:
    """The sentence for a Python without the workshop's packages: `script --fix-venv`, then `rerun`."""
    return (f"This Python ({sys.executable}) lacks the workshop's packages ({shown}): run `python3 {script} {FLAG}` "
            f"to rebuild .venv with them, then `. .venv/bin/activate` and run `{rerun}` again.")


def stop_pytest(error: ImportError) -> NoReturn:
    """End a pytest run whose conftest could not import a package: that one sentence, no traceback.

    SystemExit passes through pytest's conftest loading (an Exception, pytest.exit's included,
    would be reported as a conftest ImportError with its traceback).
    """
    raise SystemExit(lacks_packages(error.name or str(error), "workshop.py", "pytest"))


def venv_python(venv: Path) -> Path:
    """The venv's interpreter (bin/python; Scripts\\python.exe on Windows)."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def interpreter_works(venv: Path) -> bool:
    """True when the venv's interpreter starts (False when its link points at a Python that is gone)."""
    import subprocess

    try:
        return subprocess.run([str(venv_python(venv)), "-c", "pass"], capture_output=True, timeout=60, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def rebuild(venv: Path, python: str, say=print) -> None:
    """Delete a venv whose interpreter is gone (never a folder that is not a venv) and make it again."""
    import shutil
    import subprocess

    if venv.exists():
        if not (venv / "pyvenv.cfg").is_file():
            raise RepairFailed(f"{venv} is not a venv (it has no pyvenv.cfg): move it away, then run the repair again")
        say(f"{venv}: its interpreter is gone, making it again with {python}")
        shutil.rmtree(venv)
    if subprocess.run([python, "-m", "venv", str(venv)], check=False).returncode != 0:
        raise RepairFailed(f"{python} could not make a venv: install its venv module "
                           "(Debian/Ubuntu: `sudo apt-get install python3-venv`), then run the repair again")


def pip_install(python: str, requirements: list[Path]) -> bool:
    """pip install every requirements file with `python`'s own pip; True when pip succeeded."""
    import subprocess

    arguments = [part for path in requirements for part in ("-r", str(path))]
    return subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *arguments], check=False).returncode == 0


def reinstall(venv: Path, requirements: list[Path]) -> None:
    """pip install every requirements file into the venv, with the venv's own pip."""
    if not pip_install(str(venv_python(venv)), requirements):
        raise RepairFailed("pip could not install the requirements: read pip's error above, fix the network "
                           "(or the pip mirror), then run the repair again")


def repair(venv: Path, requirements: list[Path], python: str = sys.executable, say=print) -> str:
    """Make `venv` run again and hold `requirements`; return the line that says it is done."""
    version = check_python()
    if not version.ok and version.blocking:
        raise RepairFailed(f"{version.detail}: {version.fix}")
    if not interpreter_works(venv):
        rebuild(venv, python, say)
    reinstall(venv, requirements)
    return f"{venv} repaired: it runs and holds {', '.join(path.name for path in requirements)}; activate it with `. {venv}/bin/activate`."


def main(argv: list[str] | None = None) -> int:
    """`python3 -m lab.classroom.fix_venv`, and `--fix-venv` of every entry script."""
    import argparse

    from lab.classroom.cli import print_outcome

    parser = argparse.ArgumentParser(prog=f"python3 workshop.py {FLAG}", description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=VENV, help="the venv to repair (default: .venv of this checkout)")
    parser.add_argument("--requirements", type=Path, nargs="+", default=[REQUIREMENTS, DEV_REQUIREMENTS],
                        help="the requirements files to install (default: requirements.txt and requirements-dev.txt)")
    args = parser.parse_args(argv)
    return print_outcome(lambda: repair(args.venv, args.requirements), RepairFailed, "The venv was not repaired")


if __name__ == "__main__":
    sys.exit(main())
