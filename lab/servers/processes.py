"""One server program run as a local process, with Docker's verbs done by signals.

The server runs in a session of its own, so Ctrl+C in the terminal reaches our program and
not the server (which we then stop ourselves). As root it runs as an unprivileged user
(PostgreSQL refuses to run as root). kill, pause and unpause reach the server and every
process it started, as Docker's do for a whole container. While it runs it has a pid file
(lab.servers.leftovers), renamed when a restart gives it a new pid.
"""

import os
import signal
import subprocess
from contextlib import suppress
from pathlib import Path

import psutil

from lab.errors import WorkshopError
from lab.servers.leftovers import kill_tree, release_shared_memory, start_watchdog, stop_tree, write_pid_file
from lab.waiting import wait_for

UNPRIVILEGED_USER = os.environ.get("TCMAGIC_EMBEDDED_USER", "nobody")
CLEAN_STOP_SECONDS = 2.0  # as long as DockerEngine's `docker stop` waits


def run_as() -> dict:
    """Popen arguments that drop root for the servers; nothing when we are not root."""
    if os.name != "posix" or os.geteuid() != 0:
        return {}
    import pwd  # POSIX only

    user = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def run_server_program(command: list[str], **options) -> subprocess.Popen:
    """Popen a server program as the servers' user, or say in one sentence why it can't run."""
    try:
        return subprocess.Popen(command, env=server_env(), **run_as(), **options)
    except PermissionError as error:
        who = f"user {UNPRIVILEGED_USER} (servers never run as root)" if run_as() else "you"
        raise WorkshopError(f"{command[0]} cannot be run by {who}: make the folders above it readable "
                            "(chmod o+rx), or install the project outside /root, then try again.") from error


def give_to_server_user(path: Path) -> None:
    """Let the servers' user own `path` (only matters as root)."""
    drop = run_as()
    if drop:
        os.chown(path, drop["user"], drop["group"])


def server_env() -> dict[str, str]:
    """Our environment with a fixed locale, so the servers' messages and sorting don't vary by machine."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


class ServerProcess:
    """A server command, its directory and log, its pid file, and the process running it now."""

    def __init__(self, role: str, command: list[str], server_dir: Path, pid_dir: Path,
                 stop_signal: int, details: dict) -> None:
        self.role = role
        self.command = command
        self.server_dir = server_dir
        self.log = server_dir / "server.log"
        self.pid_dir = pid_dir
        self.stop_signal = stop_signal
        self.details = details
        self.process: subprocess.Popen | None = None
        self.pid_file: Path | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id now (it changes when the server is restarted)."""
        return self.process.pid if self.process else None

    def start(self) -> None:
        """Run the command in a new session, as the servers' user, writing to the log."""
        start_watchdog(self.pid_dir)
        with open(self.log, "ab") as log:
            self.process = run_server_program(self.command, stdin=subprocess.DEVNULL, stdout=log,
                                              stderr=subprocess.STDOUT, cwd=self.server_dir, start_new_session=True)
        self._forget_pid_file()
        self.pid_file = write_pid_file(self.pid_dir, self.role, self.process.pid, self.server_dir,
                                       owner=os.getpid(), **self.details)

    def exited(self) -> bool:
        """True when the server process has ended (and is reaped)."""
        return self.process is None or self.process.poll() is not None

    def last_words(self) -> str:
        """The last complaint in the server's log (else its last line), to say why it ended."""
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        complaints = [line for line in lines if any(word in line.lower() for word in ("fatal", "error", "could not"))]
        return (complaints or lines or [f"nothing in {self.log}"])[-1].strip()

    def state(self) -> str:
        """running, paused (stopped by SIGSTOP) or exited."""
        if self.process is None or self.exited():
            return "exited"
        try:
            status = psutil.Process(self.process.pid).status()
        except psutil.NoSuchProcess:
            return "exited"
        if status == psutil.STATUS_ZOMBIE:  # ended; its last threads may still keep it from being reaped
            return "exited"
        return "paused" if status == psutil.STATUS_STOPPED else "running"

    def pause(self) -> None:
        """SIGSTOP the server and every process it started; returns once all are stopped, as `docker pause`."""
        self._signal_and_wait(signal.SIGSTOP, stopped=True)

    def unpause(self) -> None:
        """SIGCONT them all; returns once none is stopped any more."""
        self._signal_and_wait(signal.SIGCONT, stopped=False)

    def _signal_and_wait(self, signum: int, stopped: bool) -> None:
        if self.process is None or self.exited():
            return
        try:
            server = psutil.Process(self.process.pid)
            tree = [server, *server.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for member in tree:
            with suppress(psutil.NoSuchProcess):
                member.send_signal(signum)
        wait_for(lambda: all(_stopped(member, stopped) == stopped for member in tree),
                 f"the embedded {self.role} server to be {'paused' if stopped else 'running'}", timeout=5)

    def kill(self) -> None:
        """SIGKILL the server and its children at once; returns when they are gone."""
        self._end(kill_tree)

    def stop(self) -> None:
        """Ask for a clean shutdown, wait a little, then kill what is left."""
        self._end(lambda server: stop_tree(server, self.stop_signal, CLEAN_STOP_SECONDS))

    def forget(self) -> None:
        """Stop the server for good, free what a killed one leaves behind, remove its pid file."""
        self.stop()
        release_shared_memory(self.server_dir)
        self._forget_pid_file()

    def _end(self, how) -> None:
        if self.process is not None and not self.exited():
            try:
                how(psutil.Process(self.process.pid))
            except psutil.NoSuchProcess:
                pass
        if self.process is not None:
            self.process.wait()

    def _forget_pid_file(self) -> None:
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)
            self.pid_file = None


def _stopped(process: psutil.Process, if_gone: bool) -> bool:
    """True when `process` is stopped by SIGSTOP; `if_gone` when it has ended (or is a zombie)."""
    try:
        status = process.status()
    except psutil.NoSuchProcess:
        return if_gone
    return if_gone if status == psutil.STATUS_ZOMBIE else status == psutil.STATUS_STOPPED
