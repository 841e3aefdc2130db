"""Which live process uses a container, so cleanup.py keeps what a running show or course needs.

A container is in use by a process that holds a TCP connection to one of its published
ports (or, on the host's network, to the port its label names): the show's pool holds its PostgreSQL connections open, and every program that starts
containers through testcontainers holds one to its Ryuk container for as long as it runs.
Use spreads to everything of the same run (our run-id label) and of the same testcontainers
session (the session-id label; Ryuk carries its session only in its name, as testcontainers
names it), so a course between two lessons still owns the container it is not talking to.

A connection is not always there to be seen: while a session starts, its Ryuk runs for a
moment before the session connects, and a process of another user (macOS without root) or
in another network namespace (a dev container beside the host) shows none. So the Ryuk we
start also names its process in a label (lab.servers.labels.LABEL_OWNER: machine, pid,
start time); on this machine, a live process with that pid and start time uses it. That
is Docker's metadata, not Ryuk's behaviour, so it holds for the real image as for any.
"""

import socket
from collections.abc import Iterable
from dataclasses import dataclass

import psutil
from testcontainers.core.labels import LABEL_SESSION_ID

from lab.servers.container_host import host_network_port
from lab.servers.containers import LABEL_RUN
from lab.servers.labels import LABEL_OWNER

RYUK_NAME_PREFIX = "testcontainers-ryuk-"  # testcontainers-python names its Ryuk f"testcontainers-ryuk-{SESSION_ID}"


@dataclass(frozen=True)
class Connection:
    """An established TCP connection of a local process, by the remote end it talks to."""

    pid: int
    remote_ip: str
    remote_port: int


def tcp_connections() -> list[Connection]:
    """Every established TCP connection of a process we may look at (all of them for root)."""
    try:
        return [Connection(c.pid, c.raddr.ip, c.raddr.port) for c in psutil.net_connections(kind="tcp")
                if c.pid and c.raddr and c.status == psutil.CONN_ESTABLISHED]
    except psutil.AccessDenied:  # macOS without root: our own processes, one by one
        pass
    found = []
    for process in psutil.process_iter():
        try:  # a process's own connections carry no pid: it is the process's
            found += [Connection(process.pid, c.raddr.ip, c.raddr.port) for c in process.net_connections(kind="tcp")
                      if c.raddr and c.status == psutil.CONN_ESTABLISHED]
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def published_ports(attrs: dict) -> set[int]:
    """The host ports a container publishes, or listens on from the host's network, from its `docker inspect` data."""
    ports = attrs.get("NetworkSettings", {}).get("Ports") or {}
    published = {int(binding["HostPort"]) for bindings in ports.values() for binding in bindings or [] if binding.get("HostPort")}
    return published | ({port} if (port := host_network_port(attrs)) else set())


def internal_ips(attrs: dict) -> set[str]:
    """A container's addresses on its Docker networks (docker-proxy's connections go there, not to a published port)."""
    networks = attrs.get("NetworkSettings", {}).get("Networks") or {}
    return {network.get("IPAddress") for network in networks.values() if network.get("IPAddress")}


def groups(attrs: dict) -> set[str]:
    """The run and the testcontainers session a container belongs to."""
    labels = attrs.get("Config", {}).get("Labels") or {}
    found = {f"run {labels[LABEL_RUN]}"} if labels.get(LABEL_RUN) else set()
    session = labels.get(LABEL_SESSION_ID) or _ryuk_session(attrs.get("Name", ""))
    return found | ({f"session {session}"} if session else set())


def _ryuk_session(name: str) -> str:
    name = name.lstrip("/")
    return name[len(RYUK_NAME_PREFIX):] if name.startswith(RYUK_NAME_PREFIX) else ""


def labelled_owner(attrs: dict, host: str | None = None) -> int | None:
    """The live process of this machine that a container's owner label names, else None (gone, reused, elsewhere)."""
    labels = attrs.get("Config", {}).get("Labels") or {}
    try:
        machine, pid, started = labels.get(LABEL_OWNER, "").split()
        process = psutil.Process(int(pid))
        alive = process.status() != psutil.STATUS_ZOMBIE and f"{process.create_time():.2f}" == started
    except (ValueError, psutil.Error):  # no label, a damaged one, or no such process
        return None
    return process.pid if alive and machine == (host or socket.gethostname()) else None


def container_users(containers: list[dict], connections: Iterable[Connection]) -> dict[str, int]:
    """{container id: pid of a live process using it} for the containers in use (from `docker inspect` data)."""
    inside = set().union(*(internal_ips(attrs) for attrs in containers))
    by_port = {port: attrs["Id"] for attrs in containers for port in published_ports(attrs)}
    direct: dict[str, int] = {}
    for connection in connections:
        if connection.remote_ip not in inside and connection.remote_port in by_port:
            direct.setdefault(by_port[connection.remote_port], connection.pid)
    for attrs in containers:
        if attrs["Id"] not in direct and (owner := labelled_owner(attrs)):
            direct[attrs["Id"]] = owner
    group_users = {group: pid for attrs in containers if (pid := direct.get(attrs["Id"])) for group in groups(attrs)}
    users = {}
    for attrs in containers:
        pid = direct.get(attrs["Id"]) or next((group_users[g] for g in sorted(groups(attrs)) if g in group_users), None)
        if pid:
            users[attrs["Id"]] = pid
    return users


def run_users(containers: list[dict], users: dict[str, int]) -> dict[str, int]:
    """{run id: pid} for every run with a container in use (its networks and volumes are in use too)."""
    runs: dict[str, int] = {}
    for attrs in containers:
        run_id = (attrs.get("Config", {}).get("Labels") or {}).get(LABEL_RUN)
        if run_id and attrs["Id"] in users:
            runs.setdefault(run_id, users[attrs["Id"]])
    return runs
