"""Pid files of the embedded servers, and how to find and stop the ones left behind.

Every embedded server has a file `.tcmagic/embedded/<role>-<pid>.pid`: the pid on the first
line, the server's directory (its data and log) on the second, then `key=value` lines (role,
port, owner, run-id, purpose). cleanup.py and the watchdog below stop servers through these
files, never by process name: a pid counts as ours only while it runs in (or names) the
directory of its pid file, so a reused pid is never killed.

The watchdog (`python3 -m lab.servers.leftovers --owner PID --pid-dir DIR`) blocks on a pipe whose
other end only its owner holds; when the owner dies, however it dies, the pipe ends and the
watchdog stops the servers that owner started.
"""

import argparse
import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

from lab.paths import EMBEDDED_PID_DIR as PID_DIR
from lab.paths import ROOT
from lab.waiting import WaitTimeout, wait_for

SERVER_DIR_PREFIX = "tcmagic-"  # what we name the directories we create, and all we ever delete

# (our pid, pid dir) -> the watchdog and the write end of its pipe, held open until we exit
_watchdogs: dict[tuple[int, Path], tuple[subprocess.Popen, int]] = {}
WATCHDOG_EXIT_TIMEOUT = 10.0  # a watchdog whose pipe has ended exits at once; this is for a stuck one
_watchdog_lock = threading.Lock()


@dataclass(frozen=True)
class Leftover:
    """An embedded server as its pid file describes it."""

    role: str
    pid: int
    server_dir: Path
    pid_file: Path
    port: int | None = None
    owner_pid: int | None = None
    run_id: str = ""
    purpose: str = ""

    def running(self) -> bool:
        """True when the pid runs and is really this server (it runs in, or names, our directory)."""
        return process_of(self) is not None

    def owner_running(self) -> bool:
        """True when the program that started the server still runs."""
        return self.owner_pid is not None and psutil.pid_exists(self.owner_pid)


def pid_file_path(pid_dir: Path, role: str, pid: int) -> Path:
    """Where the pid file of `role` server `pid` lives."""
    return pid_dir / f"{role}-{pid}.pid"


def write_pid_file(pid_dir: Path, role: str, pid: int, server_dir: Path, **details) -> Path:
    """Record a server we started; `details` (port, owner, run_id, purpose) follow as key=value."""
    pid_dir.mkdir(parents=True, exist_ok=True)
    path = pid_file_path(pid_dir, role, pid)
    extra = [f"{key.replace('_', '-')}={value}" for key, value in details.items()]
    lines = [str(pid), str(server_dir), f"role={role}", *extra]
    path.write_text("\n".join(lines) + "\n")
    return path


def read_pid_file(path: Path) -> Leftover | None:
    """The server a pid file describes, or None when the file is not one of ours."""
    try:
        pid_line, dir_line, *rest = path.read_text().splitlines()
        details = dict(line.split("=", 1) for line in rest if "=" in line)
        return Leftover(
            role=details.get("role", path.stem.rsplit("-", 1)[0]),
            pid=int(pid_line),
            server_dir=Path(dir_line),
            pid_file=path,
            port=int(details["port"]) if details.get("port") else None,
            owner_pid=int(details["owner"]) if details.get("owner") else None,
            run_id=details.get("run-id", ""),
            purpose=details.get("purpose", ""),
        )
    except (OSError, ValueError):
        return None


def find_leftovers(pid_dir: Path = PID_DIR) -> list[Leftover]:
    """Every embedded server that has a pid file, running or not, oldest file first."""
    if not pid_dir.is_dir():
        return []
    files = sorted(pid_dir.glob("*.pid"), key=_age)
    return [leftover for leftover in map(read_pid_file, files) if leftover is not None]


def _age(path: Path) -> float:
    """A pid file's mtime; one removed while we look (its server just stopped) sorts last and reads as None."""
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")


def process_of(leftover: Leftover) -> psutil.Process | None:
    """The live process of a leftover, or None when it is gone or the pid now belongs to another program."""
    try:
        process = psutil.Process(leftover.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        # servers run in their directory (Redis rewrites its command line, so that is not enough)
        mentions = [process.cwd(), *process.cmdline()]
        if any(str(leftover.server_dir) in text for text in mentions):
            return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass
    return None


def kill_tree(process: psutil.Process, timeout: float = 5.0) -> None:
    """SIGKILL a server and every process it started, and wait until they are gone."""
    try:
        process.suspend()  # no new children while we collect them
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for member in tree:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    _wait_gone(tree, timeout)


def stop_tree(process: psutil.Process, stop_signal: int = signal.SIGTERM, grace: float = 2.0) -> None:
    """Ask a server to shut down cleanly, wait `grace` seconds, then kill whatever is left."""
    try:
        process.send_signal(stop_signal)
        for member in [process, *process.children(recursive=True)]:
            member.resume()  # a paused server must wake up to hear it
    except psutil.NoSuchProcess:
        return
    if not _wait_gone([process], grace):
        kill_tree(process)


def gone(process: psutil.Process) -> bool:
    """True when a process has ended; a zombie whose parent has not reaped it yet has ended too."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(processes: list[psutil.Process], timeout: float) -> bool:
    try:
        wait_for(lambda: all(map(gone, processes)), "the server's processes to end", timeout=timeout, interval=0.01)
    except WaitTimeout:
        return False
    return True


def release_shared_memory(server_dir: Path) -> None:
    """Free the System V segment a killed PostgreSQL leaves behind (a clean shutdown frees it itself)."""
    for lock_file in server_dir.glob("*/postmaster.pid"):
        try:
            shmid = int(lock_file.read_text().splitlines()[6].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        ipc_rmid = 0
        ctypes.CDLL(None, use_errno=True).shmctl(shmid, ipc_rmid, None)


def remove_dir(path: Path, timeout: float = 5.0) -> None:
    """Delete a server's directory, again while a process that is still ending writes into it."""
    def removed() -> bool:
        shutil.rmtree(path, ignore_errors=True)
        return not path.exists()

    try:
        wait_for(removed, f"{path} to be deleted", timeout=timeout, interval=0.05)
    except WaitTimeout:
        pass  # cleanup.py tries again; what is left is named by it


def stop_leftover(leftover: Leftover) -> str:
    """Stop a server found by pid file, delete its directory and its pid file; say what was done."""
    process = process_of(leftover)
    if process is not None:
        stop_tree(process)
    release_shared_memory(leftover.server_dir)
    if leftover.server_dir.name.startswith(SERVER_DIR_PREFIX):
        remove_dir(leftover.server_dir)
    leftover.pid_file.unlink(missing_ok=True)
    return "stopped" if process is not None else "was not running"


def start_watchdog(pid_dir: Path = PID_DIR) -> None:
    """Make sure a watchdog stops this process's servers in `pid_dir` if this process dies."""
    key = (os.getpid(), pid_dir)
    with _watchdog_lock:
        if key in _watchdogs:
            return
        read_end, write_end = os.pipe()  # the write end is never inherited: only we hold it
        try:
            watchdog = subprocess.Popen(
                [sys.executable, "-m", "lab.servers.leftovers", "--owner", str(os.getpid()), "--pid-dir", str(pid_dir)],
                stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=ROOT, start_new_session=True,  # Ctrl+C in the terminal must not end the watchdog first
            )
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        _watchdogs[key] = (watchdog, write_end)


@atexit.register
def _release_watchdogs() -> None:
    """At a normal exit (after the servers are removed) let our watchdogs go, and reap them."""
    for key, (watchdog, write_end) in list(_watchdogs.items()):
        if key[0] == os.getpid():
            os.close(write_end)
            reap(watchdog, WATCHDOG_EXIT_TIMEOUT)
            del _watchdogs[key]


def reap(child: subprocess.Popen, timeout: float) -> None:
    """Wait until `child` has ended, noticed by looking at it, and collect its exit status.

    Not `child.wait()`: under gevent's monkey-patching (the show) that waits for SIGCHLD,
    and a SIGCHLD the kernel hands to another thread (gevent's thread pool) never reaches
    gevent's loop, so the wait lasted its whole timeout (10 s) for a child long gone.
    """
    try:
        process = psutil.Process(child.pid)  # still ours: an ended child stays a zombie until reaped
        wait_for(lambda: gone(process), "the watchdog to end", timeout=timeout, interval=0.005)
    except psutil.NoSuchProcess:
        pass  # reaped already (gevent's loop did notice)
    except WaitTimeout:
        return  # a stuck watchdog is left to finish on its own; its servers are gone already
    try:
        pid, status = os.waitpid(child.pid, os.WNOHANG)
    except ChildProcessError:  # collected by gevent's loop meanwhile: its Popen has the status
        return
    if pid and child.returncode is None:
        child.returncode = os.waitstatus_to_exitcode(status)


def watch(owner: int, pid_dir: Path) -> int:
    """Wait for the owner to die (our stdin ends), then stop every server it left; return how many.

    The servers are stopped side by side, so a killed program's servers take one grace period
    to go, not one each; a server that cannot be stopped is named on stderr and the rest still go.
    """
    while os.read(sys.stdin.fileno(), 1024):
        pass
    mine = [leftover for leftover in find_leftovers(pid_dir) if leftover.owner_pid == owner]
    stoppers = [threading.Thread(target=_stop_or_say, args=(leftover,)) for leftover in mine]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()
    return len(mine)


def _stop_or_say(leftover: Leftover) -> None:
    try:
        stop_leftover(leftover)
    except Exception as error:  # noqa: BLE001 - the watchdog's last job: one server's failure must not spare the others
        print(f"Could not stop the {leftover.role} server {leftover.pid} ({error}): "
              "run `python3 cleanup.py` to stop it.", file=sys.stderr)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Stop the embedded servers of a program once it has died.")
    parser.add_argument("--owner", type=int, required=True, help="the pid of the program to watch")
    parser.add_argument("--pid-dir", type=Path, default=PID_DIR, help="where the pid files are")
    args = parser.parse_args(argv)
    watch(args.owner, args.pid_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
