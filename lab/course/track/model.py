"""What an exercise of the track is: its file, the bugs it must catch, its rules, hints and why."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab.course.track.static import FileFacts
from lab.paths import ROOT

EXERCISES_DIR = ROOT / "exercises"
STARTERS_DIR = ROOT / "lab" / "course" / "track" / "starters"
SOLUTIONS_DIR = ROOT / "lab" / "course" / "solutions" / "track"


@dataclass(frozen=True)
class Bug:
    """A buggy version of the code under test: what it gets wrong and how a test catches it."""

    name: str
    flaw: str
    catch_it: str


@dataclass(frozen=True)
class Hint:
    """A hint, and whether it still applies to the file's facts and the bugs the last check missed.

    `missed` is None before a check has judged the bugs (the file did not run, or no check yet).
    """

    text: str
    applies: Callable[[FileFacts, set[str] | None], bool]


Rule = Callable[[FileFacts], list[str]]  # the reasons the file breaks the rule; [] when it keeps it


@dataclass(frozen=True)
class Exercise:
    """One exercise: number, file stem, title, the lesson it follows, why, and how it is judged."""

    number: int
    stem: str
    title: str
    lesson: int
    why: str
    bugs: tuple[Bug, ...]
    hints: tuple[Hint, ...]
    rules: tuple[Rule, ...] = ()
    needs_docker: bool = False  # the learner's test starts or breaks containers itself
    servers: tuple[str, ...] = ()  # what the checker starts for it: "postgres", "redis"
    two_orders: bool = False  # run the tests in two random orders; the outcome must not change
    min_tests: int = 1

    @property
    def file(self) -> Path:
        """The learner's file, in exercises/."""
        return self.file_in(EXERCISES_DIR)

    def file_in(self, folder: Path) -> Path:
        """The learner's file if the exercises lived in `folder` (tests use a folder of their own)."""
        return folder / f"{self.stem}.py"

    @property
    def starter(self) -> Path:
        """The untouched starter, which --reset-exercise copies back."""
        return STARTERS_DIR / f"starter_{self.stem.removeprefix('test_')}.py"  # a module name of its own in lab/

    @property
    def solution(self) -> Path:
        """The reference solution."""
        return SOLUTIONS_DIR / f"{self.stem}.py"

    @property
    def variants(self) -> list[str]:
        """The right code, then every buggy version."""
        return ["right", *(bug.name for bug in self.bugs)]


def no_sleep(facts: FileFacts) -> list[str]:
    """Tests wait on conditions (lab.waiting.wait_for), never sleep for a guess."""
    return [f"Line {line} sleeps for a guess: wait for the condition with wait_for (lab.waiting) instead, "
            "so the test is as fast as the machine and never flaky." for line in facts.sleeps]


def starts_in_fixture(fixture: str, container: str, scopes: tuple[str, ...]) -> Rule:
    """The rule that `fixture` exists, has one of `scopes` and starts a `container` itself."""

    def rule(facts: FileFacts) -> list[str]:
        found = facts.fixture(fixture)
        if found is None:
            return [f"There is no `{fixture}` fixture: define it with @pytest.fixture(scope=\"{scopes[0]}\")."]
        reasons = []
        if found.scope not in scopes:
            serves = "every test" if scopes[0] == "session" else "every test of this file"
            reasons.append(f"`{fixture}` has scope \"{found.scope}\": make it scope=\"{scopes[0]}\", so one "
                           f"container serves {serves} (lesson 5).")
        if container not in found.calls:
            reasons.append(f"`{fixture}` does not start a {container}: create one in it, in a `with` block.")
        return reasons

    return rule


def at_least_tests(number: int, why: str) -> Rule:
    """The rule that the file keeps `number` tests or more."""

    def rule(facts: FileFacts) -> list[str]:
        return [] if len(facts.tests) >= number else [f"Keep {number} tests or more: {why}"]

    return rule


def fixture_lacks(fixture: str, *calls: str) -> Callable[[FileFacts, set[str] | None], bool]:
    """A hint's test: `fixture` is missing, or calls none of `calls` (or does not yield)."""

    def applies(facts: FileFacts, _missed: set[str] | None) -> bool:
        found = facts.fixture(fixture)
        return found is None or not found.yields or not (found.calls & set(calls))

    return applies


def misses(*bugs: str) -> Callable[[FileFacts, set[str] | None], bool]:
    """A hint's test: a check has not yet shown a test that catches each of `bugs`."""

    def applies(_facts: FileFacts, missed: set[str] | None) -> bool:
        return missed is None or bool(missed & set(bugs))

    return applies
