"""run_reporting: an entry point's WorkshopError or Ctrl-C ends in one line and an exit code, never a traceback."""

import io
from typing import cast

from rich.console import Console

from lab.errors import DockerUnavailable, run_reporting


def printed(work, **lines) -> tuple[int, str]:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    code = run_reporting(work, console, stopped="Stopped.", **lines)
    return code, cast(io.StringIO, console.file).getvalue()


def interrupted():
    raise KeyboardInterrupt


def docker_gone():
    raise DockerUnavailable("Docker is not running: start Docker Desktop, then run this again [--engine docker].")


def test_the_work_s_exit_code_comes_back_and_nothing_is_printed():
    assert printed(lambda: 3) == (3, "")


def test_a_workshop_error_is_its_sentence_after_the_headline_and_exit_code_1():
    code, text = printed(docker_gone, failed="Cannot start the show:")
    assert code == 1
    assert text == "Cannot start the show: Docker is not running: start Docker Desktop, then run this again [--engine docker].\n"


def test_without_a_headline_the_sentence_stands_alone():
    assert printed(docker_gone)[1].startswith("Docker is not running:")


def test_ctrl_c_is_the_stopped_line_and_exit_code_130():
    assert printed(interrupted) == (130, "Stopped.\n")
