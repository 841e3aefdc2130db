"""What every lesson is handed: the console, the prompter, the servers, this run's figures.

The servers come from the engine the learner chose (`--engine`, see lab.servers.engines): Docker
containers, or embedded local processes. A lesson about containers themselves raises
NeedsDocker on the embedded engine; the runner then says how to get Docker and moves on.
"""

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console

from lab.course.keyboard import keys_held
from lab.course.progress import Progress
from lab.errors import WorkshopError
from lab.servers.containers import LABEL_PURPOSE, LABEL_RUN, DockerEngine
from lab.servers.engines import Engine, RunningService, select_engine, server_kind
from lab.testruns.pytest_run import run_test_file


class Prompter:
    """Asks the learner a question; in auto mode, or once input has ended, takes the default."""

    def __init__(self, console: Console, stream: TextIO, auto: bool = False) -> None:
        self.console = console
        self.stream = stream
        self.auto = auto

    def ask(self, question: str, default: str = "") -> str:
        """One line of answer, lower-cased, or `default` without waiting when nobody can answer."""
        if self.auto:
            return default
        self.console.print(question, end=" ")
        line = self.stream.readline()
        if not line:  # end of input: nobody is there, so never wait again
            self.auto = True
            self.console.print()
            return default
        return line.strip().lower() or default

    def pause(self, what: str = "continue") -> None:
        """Wait for Enter before going on (not in auto mode); `q`, as at every question, stops the course."""
        if self.ask(f"[dim]Press Enter to {what}.[/]") == "q":
            raise StopCourse()

    @contextlib.contextmanager
    def busy(self, what: str):
        """A spinner saying `what`; keys typed meanwhile are neither echoed into it nor kept."""
        with self.console.status(what), keys_held(self.stream):
            yield


class StopCourse(Exception):
    """The learner typed q at a pause: the course stops, and the lesson stays to do."""


class NeedsDocker(WorkshopError):
    """The lesson (or the rest of it) is about containers, and this run has no Docker."""


def needs_docker_sentence(number: int) -> str:
    """What a learner without Docker is told about a container lesson."""
    return ("This lesson is about containers and needs Docker: start Docker Desktop (or `sudo systemctl start docker`), "
            f"then run `python3 workshop.py --lesson {number}`")


class Lab:
    """The servers a course run uses: started when first needed, removed at the end."""

    def __init__(self, console: Console, engine_factory: Callable[[], Engine] | None = None,
                 postgres: RunningService | None = None, redis: RunningService | None = None, owns_engine: bool | None = None,
                 busy: Callable | None = None) -> None:
        self.console = console
        self.busy = busy or console.status
        self._owns_engine = engine_factory is None if owns_engine is None else owns_engine
        self._engine_factory = engine_factory or (lambda: select_engine(None, purpose="workshop", console=console))
        self._engine: Engine | None = None
        self._current = {"postgres": postgres, "redis": redis}
        self._started: list[RunningService] = []

    def engine(self) -> Engine:
        """The engine (Docker, or embedded processes), chosen on first use."""
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def kind(self) -> str:
        """What runs this course's servers, in words: "container" or "embedded process"."""
        return server_kind(self.engine())

    def has_docker(self) -> bool:
        """True when this course's servers are Docker containers."""
        return self.kind() == "container"

    def require_docker(self, what: str = "This lesson") -> None:
        """Raise NeedsDocker unless the servers are containers."""
        if not self.has_docker():
            raise NeedsDocker(f"{what} needs Docker.")

    def test_env(self) -> dict[str, str]:
        """Environment for a test file run in a subprocess: the same engine as the course, no switch."""
        if self.has_docker():
            return {"TCMAGIC_ENGINE": "docker", "TCMAGIC_REQUIRE_DOCKER": "1"}
        return {"TCMAGIC_ENGINE": "embedded", "TCMAGIC_REQUIRE_DOCKER": ""}

    def start(self, role: str, keep: bool = True) -> RunningService:
        """Start a fresh server with a spinner; `keep` makes it the course's `role` server."""
        from lab.servers.images import IMAGES

        self.engine()  # first, so that a fallback's announcement is not hidden by the spinner
        where = f"({IMAGES[role].name}) in a throwaway container" if self.has_docker() else "as an embedded local process"
        with self.busy(f"Starting {role} {where}..."):
            return self.launch(role, keep)

    def launch(self, role: str, keep: bool = True) -> RunningService:
        """Start a fresh server without a spinner (the caller shows its own view); `keep` as in `start`."""
        service = self.engine().start(role)
        self._started.append(service)
        if keep and self._current[role] is None:
            self._current[role] = service
        return service

    def servers(self) -> list[RunningService]:
        """The servers this run started and has not removed yet."""
        return list(self._started)

    def postgres(self) -> RunningService:
        """The course's PostgreSQL, started if there is none yet."""
        return self._current["postgres"] or self.start("postgres")

    def redis(self) -> RunningService:
        """The course's Redis, started if there is none yet."""
        return self._current["redis"] or self.start("redis")

    def release(self, service: RunningService) -> None:
        """Remove a server this run started."""
        service.remove()
        self._started.remove(service)
        for role, current in self._current.items():
            if current is service:
                self._current[role] = None

    def close(self) -> None:
        """Remove every server this run started (injected ones belong to their owner)."""
        if not self._started and not self._owns_engine:
            return
        with self.busy("Removing the course's servers..."):
            for service in list(self._started):
                self.release(service)
            if self._owns_engine and self._engine is not None and self.has_docker():
                self._sweep()  # embedded servers are removed at exit by lab.servers.embedded itself

    def _sweep(self) -> None:
        """Remove what a Ctrl-C mid-start left behind: containers of this engine's run and purpose."""
        engine = self._engine
        assert isinstance(engine, DockerEngine)  # called only when has_docker()
        labels = [f"{LABEL_RUN}={engine.run_id}", f"{LABEL_PURPOSE}={engine.purpose}"]
        for container in engine.client.containers.list(all=True, filters={"label": labels}, ignore_removed=True):
            container.remove(force=True, v=True)


@dataclass
class LessonContext:
    """Everything a lesson may use; tests build one with their own console, input and servers."""

    console: Console
    prompt: Prompter
    lab: Lab
    progress: Progress
    run_tests: Callable = run_test_file
    exercise: Path | None = None
    watch_interval: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    measurements: dict = field(default_factory=dict)

    def busy(self, what: str):
        """A spinner saying `what`, with typed keys held back (see Prompter.busy)."""
        return self.prompt.busy(what)

    @property
    def auto(self) -> bool:
        """True when nobody answers prompts (--auto, or input is not a terminal)."""
        return self.prompt.auto
