"""workshop.py in a real terminal: tmux types the keys and reads the screen, as a person would."""

import shutil
import subprocess
import uuid

import pytest

from lab.testruns.pytest_run import ROOT
from lab.waiting import wait_for

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"),
              pytest.mark.slow, pytest.mark.timeout(240)]


class Terminal:
    """A private tmux server with one 80x24 shell (the smallest terminal the course supports) in the project folder."""

    def __init__(self, progress_file) -> None:
        self.socket = f"tcmagic-test-{uuid.uuid4().hex[:8]}"
        self.progress_file = progress_file
        self.tmux("new-session", "-d", "-s", "course", "-x", "80", "-y", "24", "-c", str(ROOT),
                  "bash --norc --noprofile")

    def tmux(self, *arguments: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *arguments],
                              capture_output=True, text=True, check=True, timeout=10).stdout

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-t", "course", line, "Enter")

    def run(self, arguments: str) -> None:
        self.type(f'TCMAGIC_PROGRESS_FILE={self.progress_file} {ROOT}/.venv/bin/python workshop.py {arguments}; echo "EXIT""=$?"')

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "course", "-S", "-")

    def wait_for_text(self, text: str, timeout: float = 60) -> str:
        wait_for(lambda: text in self.screen(), f"{text!r} on the terminal", timeout=timeout, interval=0.1)
        return self.screen()

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10, check=False)


@pytest.fixture
def terminal(tmp_path):
    terminal = Terminal(tmp_path / "progress.json")
    yield terminal
    terminal.close()


@pytest.mark.docker
def test_lesson_1_in_a_terminal_waits_for_enter_then_shows_the_duplicates(terminal):
    terminal.run("--lesson 1")

    terminal.wait_for_text("Press Enter to run them.")
    terminal.type("")
    screen = terminal.wait_for_text("Press Enter to look inside the mock.")
    assert "8 passed, 0 failed" in screen
    assert "The tests passed and the duplicates got in" not in screen
    terminal.type("")
    screen = terminal.wait_for_text("EXIT=")

    assert "The tests passed and the duplicates got in." in screen
    assert "Next: lesson 2, The Magic" in screen
    assert "EXIT=0" in screen and "Traceback" not in screen


@pytest.mark.docker
def test_the_hands_on_menu_in_a_terminal_checks_hints_and_keeps_the_solution_back(terminal):
    terminal.run("--lesson 4")

    terminal.wait_for_text("uit lesson >")
    terminal.type("h")
    terminal.wait_for_text("Hint 1 of 5")
    terminal.type("c")
    terminal.wait_for_text("FAIL: a broken table passed your tests")
    terminal.type("s")
    terminal.wait_for_text("The solution opens once your own tests pass.")
    terminal.type("q")
    screen = terminal.wait_for_text("EXIT=")

    assert "no UNIQUE" in screen and "✗ missed" in screen and "EXIT=0" in screen and "Traceback" not in screen


def test_q_at_a_press_enter_pause_stops_the_course(terminal):
    terminal.run("--lesson 1")

    terminal.wait_for_text("Press Enter to run them.")
    terminal.type("q")
    screen = terminal.wait_for_text("EXIT=")

    assert "Stopped. Progress is saved; lesson 1 is not done" in screen
    assert "against the buggy app" not in screen and "EXIT=0" in screen and "Traceback" not in screen


def test_the_course_and_the_track_point_at_each_other_in_a_terminal(terminal):
    terminal.progress_file.with_name("track.json").write_text('{"passed": [2]}')
    for number, arguments in enumerate(["--list", "--reset", "--exercises"], start=1):
        terminal.run(arguments)
        wait_for(lambda ended=number: terminal.screen().count("EXIT=") == ended, f"workshop.py {arguments} to end",
                 timeout=60)
    flat = " ".join(terminal.screen().split())

    assert "1 of 7 passed. `python3 workshop.py --exercises` lists them; `python3 workshop.py --watch` carries on " \
        "with exercise 1." in flat  # --list, before the reset
    assert "Progress cleared, the lessons' and the exercise track's" in flat
    assert "The course: 0 of 9 lessons done; `python3 workshop.py` starts at lesson 1." in flat  # --exercises
    assert not terminal.progress_file.with_name("track.json").exists()
    assert flat.count("EXIT=0") == 3 and "Traceback" not in flat
