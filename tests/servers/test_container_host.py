"""Where ports are published: loopback when Docker runs on this machine, else all interfaces, said in one line;
the host's own network for the servers only where a native Linux engine shares ours."""

import socket

import pytest

from lab.servers import container_host
from lab.servers.container_host import ALL_INTERFACES, LOOPBACK, Publishing


class FakeDocker:
    """A Docker client that only answers `info()`: the daemon's host name, system and security options."""

    def __init__(self, daemon_name: str, system: str = "Debian GNU/Linux 12 (bookworm)", options=("name=seccomp",)) -> None:
        self.daemon_name, self.system, self.options = daemon_name, system, list(options)

    def info(self) -> dict:
        return {"Name": self.daemon_name, "OperatingSystem": self.system, "SecurityOptions": self.options}


@pytest.mark.parametrize("environ, inside, daemon", [
    ({}, False, "laptop"),
    ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, False, "laptop"),
    ({"DOCKER_HOST": "tcp://127.0.0.1:2375"}, False, "laptop"),
    ({}, True, socket.gethostname()),  # Docker-in-Docker: the engine runs in this very container
])
def test_ports_stay_on_loopback_when_docker_runs_on_this_machine(monkeypatch, environ, inside, daemon):
    monkeypatch.setattr(container_host, "inside_container", lambda: inside)

    assert Publishing.for_engine(FakeDocker(daemon), environ).bind_address == LOOPBACK


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


@pytest.fixture
def on_linux(monkeypatch):
    monkeypatch.setattr(container_host.platform, "system", lambda: "Linux")
    monkeypatch.setattr(container_host, "inside_container", lambda: False)


def test_a_native_linux_engine_puts_the_servers_on_the_hosts_network(on_linux):
    assert Publishing.for_engine(FakeDocker(socket.gethostname()), {}) == Publishing(LOOPBACK, host_network=True)


@pytest.mark.parametrize("docker_, environ", [
    (FakeDocker(socket.gethostname(), system="Docker Desktop"), {}),  # the engine is in a VM: its loopback isn't ours
    (FakeDocker(socket.gethostname(), options=["name=seccomp", "name=rootless"]), {}),  # a namespace of its own
    (FakeDocker("another-machine"), {}),
    (FakeDocker(socket.gethostname()), {"TCMAGIC_HOST_NETWORK": "0"}),
    (FakeDocker(socket.gethostname()), {"DOCKER_HOST": "tcp://10.0.0.5:2376"}),
])
def test_elsewhere_the_servers_stay_on_dockers_bridge_with_published_ports(on_linux, docker_, environ):
    assert not Publishing.for_engine(docker_, environ).host_network


def test_no_host_network_off_linux(monkeypatch):
    monkeypatch.setattr(container_host.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(container_host, "inside_container", lambda: False)

    assert Publishing.for_engine(FakeDocker(socket.gethostname()), {}) == Publishing(LOOPBACK)
