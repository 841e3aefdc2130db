"""Where ports are published: loopback when Docker runs on this machine, else all interfaces, said in one line."""

import socket

import pytest

from lab.servers import container_host
from lab.servers.container_host import ALL_INTERFACES, LOOPBACK, Publishing


class FakeDocker:
    """A Docker client that only answers `info()`, with the daemon's host name."""

    def __init__(self, daemon_name: str) -> None:
        self.daemon_name = daemon_name

    def info(self) -> dict:
        return {"Name": self.daemon_name}


@pytest.mark.parametrize("environ, inside, daemon", [
    ({}, False, "laptop"),
    ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, False, "laptop"),
    ({"DOCKER_HOST": "tcp://127.0.0.1:2375"}, False, "laptop"),
    ({}, True, socket.gethostname()),  # Docker-in-Docker: the engine runs in this very container
])
def test_ports_stay_on_loopback_when_docker_runs_on_this_machine(monkeypatch, environ, inside, daemon):
    monkeypatch.setattr(container_host, "inside_container", lambda: inside)

    assert Publishing.for_engine(FakeDocker(daemon), environ) == Publishing(LOOPBACK)


@pytest.mark.parametrize("environ, inside, said", [
    ({"DOCKER_HOST": "tcp://10.0.0.5:2376"}, False, "DOCKER_HOST=tcp://10.0.0.5:2376"),
    ({"DOCKER_HOST": "ssh://me@build-box"}, False, "DOCKER_HOST=ssh://me@build-box"),
    ({}, True, "Docker outside of Docker"),
    ({"TESTCONTAINERS_HOST_OVERRIDE": "host.docker.internal"}, False, "TESTCONTAINERS_HOST_OVERRIDE"),
])
def test_elsewhere_ports_are_published_on_all_interfaces_and_it_is_said_in_one_line(monkeypatch, environ, inside, said):
    monkeypatch.setattr(container_host, "inside_container", lambda: inside)

    publishing = Publishing.for_engine(FakeDocker("the-host"), environ)

    assert publishing.bind_address == ALL_INTERFACES
    assert said in publishing.notice and "\n" not in publishing.notice
