"""Open files on every platform: the soft limit raised as far as the system lets, and the room it makes."""

import resource
import subprocess
import sys
import textwrap

import pytest

from lab.web.transport.open_files import (
    ENOUGH_SCREENS,
    OPEN_MAX,
    capacity_line,
    open_file_command,
    raise_open_file_limit,
    room_lines,
    screens,
)


class SimulatedMac:
    """macOS's limits: (256, unlimited) reported, setrlimit refused above `ceiling` (kern.maxfilesperproc or OPEN_MAX)."""

    def __init__(self, ceiling: int = OPEN_MAX) -> None:
        self.limits = (256, resource.RLIM_INFINITY)
        self.ceiling = ceiling
        self.asked: list[int] = []

    def getrlimit(self, which: int) -> tuple[int, int]:
        return self.limits

    def setrlimit(self, which: int, limits: tuple[int, int]) -> None:
        self.asked.append(limits[0])
        if limits[0] > self.ceiling:
            raise ValueError("current limit exceeds maximum limit")
        self.limits = limits


@pytest.fixture
def simulated_mac(monkeypatch):
    """simulated_mac(ceiling) -> SimulatedMac, in place of this process's own limits and platform."""
    def simulate(ceiling: int = OPEN_MAX) -> SimulatedMac:
        mac = SimulatedMac(ceiling)
        monkeypatch.setattr(resource, "getrlimit", mac.getrlimit)
        monkeypatch.setattr(resource, "setrlimit", mac.setrlimit)
        monkeypatch.setattr(sys, "platform", "darwin")
        return mac

    return simulate


def test_on_a_simulated_mac_the_limit_rises_to_what_the_system_lets_and_the_room_holds_a_thousand_screens(simulated_mac):
    mac = simulated_mac()

    now = raise_open_file_limit(per_process=lambda: None)  # no sysctl answers here

    assert now == mac.limits[0] == OPEN_MAX
    assert mac.asked[0] > OPEN_MAX  # refused first, then lower
    assert screens(now) >= ENOUGH_SCREENS
    assert room_lines(now, mac.limits[1]) == (capacity_line(OPEN_MAX),)  # nothing to fix


def test_on_a_mac_its_own_per_process_ceiling_is_asked_for_first(simulated_mac):
    simulated_mac(ceiling=24_576)

    now = raise_open_file_limit(per_process=lambda: 24_576)

    assert now == 24_576


def test_a_room_short_of_a_thousand_screens_says_so_with_the_command_that_fixes_it():
    linux = room_lines(1024, 1024, "linux")
    mac = room_lines(OPEN_MAX, resource.RLIM_INFINITY, "darwin")

    assert linux[0].startswith("Room for 384 live screens") and "presenter's own screen never" in linux[0]
    assert "fewer than 1,000" in linux[1]
    assert linux[2] == "  sudo prlimit --pid $$ --nofile=10240:10240"  # a line of its own: copied whole
    assert mac == (capacity_line(OPEN_MAX),) and "Room for 4,992 live screens" in mac[0]
    assert open_file_command(256, resource.RLIM_INFINITY, "darwin") == f"ulimit -n {OPEN_MAX}"
    assert "kern.maxfilesperproc=10240" in open_file_command(2048, 2048, "darwin")


def test_the_soft_open_file_limit_is_raised_to_the_hard_one_on_this_machine():
    def lower_the_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    child = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import resource
        from lab.web.transport.open_files import raise_open_file_limit
        print(raise_open_file_limit(), *resource.getrlimit(resource.RLIMIT_NOFILE))
    """)], text=True, capture_output=True, preexec_fn=lower_the_limit, timeout=60, check=False)

    now, soft, hard = map(int, child.stdout.split())
    assert now == soft == hard >= 256, child.stderr
