"""Is a TCP port free, and if not, which program holds it (best effort, no extra packages).

On Linux the answer comes from /proc/net/tcp* and /proc/*/fd; elsewhere from `lsof` when
it is installed. Either may know nothing (another user's process): then we say so.
"""

import os
import shutil
import socket
import subprocess
from pathlib import Path

LISTEN = "0A"  # the socket state "listening" in /proc/net/tcp


def port_is_free(port: int, host: str = "0.0.0.0") -> bool:
    """True when a server could listen on `port` now (as the show would, on every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def listening_inodes(port: int, tables: list[str]) -> set[str]:
    """Socket inodes listening on `port`, from the text of /proc/net/tcp-style tables."""
    inodes = set()
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _socket_links(pid_dir: Path) -> set[str]:
    """What a process's open files point at; fds that close while we look are skipped."""
    links: set[str] = set()
    try:
        fds = list((pid_dir / "fd").iterdir())
    except OSError:  # another user's process, or gone
        return links
    for fd in fds:
        try:
            links.add(os.readlink(fd))
        except OSError:
            continue
    return links


def _proc_owner(port: int, proc: Path) -> str | None:
    inodes = listening_inodes(port, [_read(proc / "net" / name) for name in ("tcp", "tcp6")])
    wanted = {f"socket:[{inode}]" for inode in inodes}
    if not wanted:
        return None
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        if _socket_links(pid_dir) & wanted:
            command = _read(pid_dir / "cmdline").replace("\0", " ").strip() or pid_dir.name
            return f"process {pid_dir.name} ({command[:80]})"
    return None


def _lsof_owner(port: int) -> str | None:
    if not shutil.which("lsof"):
        return None
    try:
        run = subprocess.run(
            ["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fpc"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    fields = {line[0]: line[1:] for line in run.stdout.splitlines() if line}
    return f"process {fields['p']} ({fields.get('c', '?')})" if "p" in fields else None


def port_owner(port: int, proc: Path = Path("/proc")) -> str | None:
    """Which process listens on `port`, in words, or None when we cannot tell."""
    if proc.is_dir():
        return _proc_owner(port, proc)
    return _lsof_owner(port)
