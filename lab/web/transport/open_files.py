"""Open files on every platform: the soft limit raised as far as the system allows, and what that room holds.

Every connection costs the process an open file. Linux starts a shell at 1,024 with a far
higher hard limit; macOS starts it at 256 and reports the hard limit as unlimited, yet
refuses `setrlimit` above `kern.maxfilesperproc` or OPEN_MAX (10,240) (CPython issue
78783). So the show asks for the hard limit when it is a number, else for the platform's
per-process ceiling, and tries lower values when refused. If the room is still short of
ENOUGH_SCREENS, the ready block says so with the one command that fixes it.
"""

import resource
import subprocess
import sys
from collections.abc import Callable

OPEN_MAX = 10_240  # macOS's <sys/syslimits.h>: setrlimit refuses a soft limit above it
RESERVED_FILES = 256  # the database pool, Docker, logs, the presenter's own screens
FILES_PER_SCREEN = 2  # a live screen's socket, and the HTTP connection its phone votes on
MIN_ROOM = 32  # connections at least, however low the limit: the reserve keeps the presenter's
ENOUGH_SCREENS = 1_000
FALLBACKS = (65_536, OPEN_MAX, 8_192, 4_096, 2_048, 1_024)  # tried in turn when a higher value is refused

def macos_files_per_process() -> int | None:
    """`kern.maxfilesperproc`, or None where there is no such sysctl (or it does not answer)."""
    try:
        answer = subprocess.run(["sysctl", "-n", "kern.maxfilesperproc"], capture_output=True, text=True,
                                timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return int(answer.stdout) if answer.returncode == 0 and answer.stdout.strip().isdigit() else None


def candidates(soft: int, hard: int, platform: str, per_process: Callable[[], int | None]) -> list[int]:
    """The soft limits worth asking for, highest first: the hard one, the platform's ceiling, then the fallbacks."""
    ceiling = hard if hard != resource.RLIM_INFINITY else None
    wanted: list[int | None] = [ceiling] if ceiling is not None else []
    if platform == "darwin":
        wanted += [per_process(), OPEN_MAX]
    wanted += FALLBACKS
    limit = ceiling if ceiling is not None else max(value for value in wanted if value is not None)
    return sorted({value for value in wanted if value is not None and soft < value <= limit}, reverse=True)


def raise_open_file_limit(per_process: Callable[[], int | None] = macos_files_per_process) -> int:
    """Raise the soft limit on open files as far as the platform allows; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for wanted in candidates(soft, hard, sys.platform, per_process):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):  # refused: this platform caps it lower than it says, try the next
            continue
        return wanted
    return soft


def connection_room(open_files: int) -> int:
    """How many connections (HTTP, polling and WebSocket alike) the show keeps open at once within `open_files`."""
    return max(MIN_ROOM, open_files - RESERVED_FILES)


def screens(open_files: int) -> int:
    """How many live screens and phones that room holds: each a socket and an HTTP connection."""
    return connection_room(open_files) // FILES_PER_SCREEN


def capacity_line(open_files: int) -> str:
    """What the ready block says about the room."""
    return (f"Room for {screens(open_files):,} live screens and phones at once (open-file limit {open_files:,}); "
            "more are turned away politely, the presenter's own screen never.")


def room_lines(open_files: int, hard: int, platform: str | None = None) -> tuple[str, ...]:
    """The ready block's lines about the room: its size, and when it is short, the command that fixes it on its own line."""
    command = open_file_command(open_files, hard, platform or sys.platform)
    if command is None:
        return (capacity_line(open_files),)
    short = (f"Only {screens(open_files):,} phones can be live at once, fewer than {ENOUGH_SCREENS:,}. "
             "Run this in the shell, then start the show again:")
    return capacity_line(open_files), short, f"  {command}"


def open_file_command(open_files: int, hard: int, platform: str) -> str | None:
    """The one command that gives the room ENOUGH_SCREENS in the user's shell, or None when it has them."""
    if screens(open_files) >= ENOUGH_SCREENS:
        return None
    if hard == resource.RLIM_INFINITY or hard >= OPEN_MAX:
        command = f"ulimit -n {OPEN_MAX}"  # the shell may go higher than this process was let
    elif platform == "darwin":
        command = f"sudo sysctl -w kern.maxfilesperproc={OPEN_MAX} && ulimit -n {OPEN_MAX}"
    else:
        command = f"sudo prlimit --pid $$ --nofile={OPEN_MAX}:{OPEN_MAX}"  # this shell's soft and hard limits
    return command
