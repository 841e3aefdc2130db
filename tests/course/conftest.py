"""Fixtures for the course, the monitor and cleanup: an injected console and input, a private progress file."""

import io

import pytest
from rich.console import Console

from lab.course.context import Lab
from lab.course.progress import Progress
from lab.course.runner import run_workshop


class Screen:
    """A console 80 columns wide (the narrowest terminal the course supports) that writes into a string."""

    def __init__(self) -> None:
        self.file = io.StringIO()
        self.console = Console(file=self.file, width=80, color_system=None)

    @property
    def text(self) -> str:
        return self.file.getvalue()

    @property
    def flat(self) -> str:
        """The text with every run of whitespace made one space, so wrapped sentences match."""
        return " ".join(self.text.split())


@pytest.fixture
def screen():
    return Screen()


@pytest.fixture
def progress(tmp_path):
    """Progress saved in this test's own folder."""
    return Progress(tmp_path / "progress.json")


@pytest.fixture
def lab(screen, docker_engine, postgres_service, redis_service):
    """The course's containers: the session's PostgreSQL and Redis; new ones go through the session engine."""
    lab = Lab(screen.console, engine_factory=lambda: docker_engine, postgres=postgres_service, redis=redis_service)
    yield lab
    lab.close()


@pytest.fixture
def course(screen, progress):
    """Run the course with the injected console, an input stream (text), and the given options."""

    def run(answers: str = "", **options) -> int:
        options.setdefault("progress", progress)
        options.setdefault("interactive", bool(answers))
        return run_workshop(screen.console, io.StringIO(answers), **options)

    return run
