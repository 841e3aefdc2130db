"""The classroom commands behind `workshop.py --check`, `pack` and `unpack`.

Each returns the process exit code and prints one sentence with the fix on failure.
Standard library only at import: the venv repair runs `print_outcome` before anything is installed.
"""

from __future__ import annotations  # so that an old Python reaches the venv repair's version sentence

from collections.abc import Callable
from pathlib import Path

from lab.errors import WorkshopError


def check_command(port: int | None, console, engine: str | None = None) -> int:
    """`--check`: the doctor's report; 0 when nothing blocks the show. Docker is left out on the embedded engine."""
    from lab.classroom.doctor import report, run_checks
    from lab.servers.engines import engine_choice, fallback_meaning

    try:
        choice = engine_choice(engine)
    except WorkshopError as error:
        console.print(str(error), markup=False, highlight=False)
        return 1
    results = run_checks(port=port, console=console, docker=choice != "embedded",
                         fallback=fallback_meaning(choice, "workshop"))
    return report(results, console)


def pack_command(out_path: str | Path | None, console, images: list[str] | None = None) -> int:
    """`pack [--out FILE]`: save every image the workshop needs (or `images`) into one tar."""
    from lab.classroom.pack import DEFAULT_PACK, pack

    try:
        pack(Path(out_path or DEFAULT_PACK), console, images)
    except WorkshopError as error:
        console.print(str(error), markup=False, highlight=False)
        return 1
    return 0


def unpack_command(path: str | Path, console) -> int:
    """`unpack FILE`: load the images of a pack into Docker."""
    from lab.classroom.pack import unpack

    try:
        unpack(Path(path), console)
    except WorkshopError as error:
        console.print(str(error), markup=False, highlight=False)
        return 1
    return 0


def print_outcome(work: Callable[[], str], failure: type[Exception], failed: str) -> int:
    """Print the line `work` returns and exit 0; on `failure`, print `failed: <its sentence>.` and exit 1."""
    try:
        print(work(), flush=True)
    except failure as error:
        print(f"{failed}: {error}.", flush=True)
        return 1
    return 0
