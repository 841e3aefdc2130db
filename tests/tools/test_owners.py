"""Which live process uses a container: from its connections, spread over its run and session."""

import os
import socket

import psutil

from lab.servers.containers import LABEL_MANAGED, LABEL_PORT, LABEL_RUN
from lab.servers.labels import LABEL_OWNER
from lab.tools.owners import Connection, container_users, run_users

SESSION = "org.testcontainers.session-id"


def container(container_id, port=None, run_id=None, session=None, name=None, ip="172.17.0.9"):
    """`docker inspect` data trimmed to what the owner search reads."""
    labels = {LABEL_MANAGED: "true"} if run_id else {}
    if run_id:
        labels[LABEL_RUN] = run_id
    if session:
        labels[SESSION] = session
    ports = {"5432/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]} if port else {}
    return {"Id": container_id, "Name": f"/{name or container_id}", "Config": {"Labels": labels},
            "NetworkSettings": {"Ports": ports, "Networks": {"bridge": {"IPAddress": ip}}}}


def test_a_connection_to_a_published_port_marks_the_container_and_its_run_in_use():
    containers = [container("pg", 41000, "run-a"), container("redis", 41001, "run-a"), container("old", 41002, "run-b")]

    users = container_users(containers, [Connection(700, "127.0.0.1", 41000)])

    assert users == {"pg": 700, "redis": 700}
    assert run_users(containers, users) == {"run-a": 700}


def test_a_connection_to_ryuk_marks_its_whole_testcontainers_session_in_use():
    containers = [container("ryuk", 41100, name="testcontainers-ryuk-s1"),
                  container("pg", 41101, "run-a", session="s1"), container("other", 41102, "run-c", session="s2")]

    users = container_users(containers, [Connection(800, "127.0.0.1", 41100)])

    assert users == {"ryuk": 800, "pg": 800}


def test_nothing_is_in_use_without_a_connection_and_docker_proxy_inside_traffic_does_not_count():
    # docker-proxy talks to a container's own address; port 41200 there is not a published port
    containers = [container("pg", 41200, "run-a", ip="172.17.0.2"), container("other", 5432, "run-b", ip="172.17.0.3")]

    users = container_users(containers, [Connection(900, "172.17.0.2", 5432), Connection(901, "10.0.0.5", 443)])

    assert users == {}


def test_a_server_on_the_hosts_network_is_in_use_through_the_port_its_label_names():
    on_host = {"Id": "pg", "Name": "/pg", "Config": {"Labels": {LABEL_MANAGED: "true", LABEL_RUN: "run-h", LABEL_PORT: "41300"}},
               "HostConfig": {"NetworkMode": "host"}, "NetworkSettings": {"Ports": {}, "Networks": {"host": {"IPAddress": ""}}}}
    bridged_with_label = container("other", None, "run-x") | {"Config": {"Labels": {LABEL_RUN: "run-x", LABEL_PORT: "41301"}}}

    assert container_users([on_host], [Connection(1000, "127.0.0.1", 41300)]) == {"pg": 1000}
    assert container_users([bridged_with_label], [Connection(1001, "127.0.0.1", 41301)]) == {}  # a label alone proves nothing


def test_without_the_right_to_see_every_connection_our_own_processes_are_read_one_by_one(monkeypatch):
    import socket

    import psutil

    from lab.tools.owners import tcp_connections

    def denied(kind):
        raise psutil.AccessDenied()  # macOS without root

    monkeypatch.setattr(psutil, "net_connections", denied)
    monkeypatch.setattr(psutil, "process_iter", lambda: iter([psutil.Process()]))  # this process is enough to look at
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()):
        port = server.getsockname()[1]
        accepted, _ = server.accept()
        with accepted:
            found = tcp_connections()

    assert Connection(os.getpid(), "127.0.0.1", port) in found


def owned(attrs, owner: str):
    """`attrs` with the owner label the Ryuk we start carries."""
    attrs["Config"]["Labels"][LABEL_OWNER] = owner
    return attrs


def test_a_ryuk_whose_owner_label_names_a_live_process_is_in_use_without_a_visible_connection():
    """While a session starts (Ryuk runs, not yet connected), or from a process whose connections we can't see."""
    me = psutil.Process()
    alive = f"{socket.gethostname()} {me.pid} {me.create_time():.2f}"
    ryuk = owned(container("ryuk", 41500, name="testcontainers-ryuk-s1"), alive)
    server = container("pg", 41501, run_id="run-a", session="s1")

    assert container_users([ryuk, server], []) == {"ryuk": me.pid, "pg": me.pid}


def test_an_owner_label_proves_nothing_for_a_dead_or_reused_pid_or_another_machine():
    me = psutil.Process()
    for owner in (f"{socket.gethostname()} {me.pid} {me.create_time() - 5:.2f}",  # the pid, reused by another process
                  f"elsewhere {me.pid} {me.create_time():.2f}",  # a session on another machine sharing the engine
                  f"{socket.gethostname()} 4194305 1.00", "damaged"):
        assert container_users([owned(container("ryuk", 41600, name="testcontainers-ryuk-s2"), owner)], []) == {}, owner
