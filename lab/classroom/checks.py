"""What a pre-flight check returns, and the one check that needs nothing installed: Python's version.

Standard library only: the doctor, the Codespaces check and the venv repair all use it,
and the repair runs before the requirements are installed.
"""

from __future__ import annotations  # so that an old Python reaches check_python instead of a TypeError

import sys
from dataclasses import dataclass

from lab.classroom.markers import marker_environment, marker_holds

SUPPORTED_PYTHON = ((3, 11), (3, 13))  # the oldest and newest minor version the pinned requirements install on


@dataclass(frozen=True)
class CheckResult:
    """One line of the doctor's report; `fix` is one sentence saying what to do."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    blocking: bool = True


def pinned_requirements(text: str, environment: dict[str, str] | None = None) -> dict[str, str]:
    """{'flask': '3.1.3', ...} from the text of a requirements file (a hashed lock too), for this platform.

    A pin whose environment marker does not hold here (`colorama==0.4.6 ; sys_platform == 'win32'`
    on Linux) is left out: pip does not install it.
    """
    environment = marker_environment() if environment is None else environment
    pins = {}
    for line in text.replace("\\\n", " ").splitlines():  # a lock continues a pin's line with its hashes
        requirement, _, marker = line.split("#", 1)[0].partition(";")
        requirement, marker = requirement.strip(), marker.split(" --hash", 1)[0].strip()
        if "==" in requirement and not requirement.startswith("-") and (not marker or marker_holds(marker, environment)):
            name, version = requirement.split("==", 1)
            pins[name.split("[", 1)[0].strip().lower()] = version.split()[0]
    return pins


def supported_range() -> str:
    """The supported Python versions in words, e.g. '3.11-3.13'."""
    oldest, newest = (".".join(map(str, version)) for version in SUPPORTED_PYTHON)
    return f"{oldest}-{newest}"


def check_python(version: tuple = tuple(sys.version_info)) -> CheckResult:
    """Python is one of the supported versions (a newer one is a warning: it may well work)."""
    shown = ".".join(str(part) for part in version[:3])
    oldest, newest = SUPPORTED_PYTHON
    newest_name = "python" + ".".join(map(str, newest))
    if tuple(version[:2]) < oldest:
        fix = f"Install Python {supported_range()} and make the venv with it (`{newest_name} -m venv .venv`), or use the Codespace."
        return CheckResult("python", False, f"Python {shown} is too old (supported: {supported_range()})", fix)
    if tuple(version[:2]) > newest:
        fix = f"If a requirement fails to install, make the venv with `{newest_name} -m venv .venv` instead."
        return CheckResult("python", False, f"Python {shown} is newer than the supported {supported_range()}", fix,
                           blocking=False)
    return CheckResult("python", True, f"Python {shown}")
