"""The course without Docker: database lessons run on embedded processes, container lessons say what they need.

No marker: the embedded engine needs only the pip packages, so these run in every pass.
"""

import re

import pytest
from rich.text import Text

from lab.course.context import Lab
from lab.course.lessons.flaky import verdict_on_sleeping

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

NEEDS_DOCKER = ("This lesson is about containers and needs Docker: start Docker Desktop "
                "(or `sudo systemctl start docker`), then run `python3 workshop.py --lesson {}`")


@pytest.fixture
def embedded_lab(screen, embedded_engine):
    """A course lab on the injected embedded engine; what it starts is removed afterwards."""
    lab = Lab(screen.console, engine_factory=lambda: embedded_engine)
    yield lab
    lab.close()


def test_a_database_lesson_runs_on_an_injected_embedded_engine_and_is_done(course, screen, embedded_lab, progress):
    code = course(auto=True, number=8, lab=embedded_lab)

    assert code == 0
    assert 8 in progress.completed
    assert "this one killed a real server" in screen.flat
    assert "needs Docker" not in screen.text
    assert embedded_lab._started == []  # the lesson's own Redis is gone


def test_engine_embedded_runs_the_isolation_lesson_on_processes_and_cleans_up(course, screen, progress, monkeypatch):
    monkeypatch.delenv("TCMAGIC_REQUIRE_DOCKER", raising=False)  # CI's first pass sets it; --engine embedded is explicit here
    code = course(auto=True, number=6, engine="embedded")

    assert code == 0
    assert 6 in progress.completed
    assert "the figures below come from an embedded PostgreSQL process" in screen.flat
    assert re.search(r"schema per test\s+│\s+0 │\s+0 │\s+10 in 1 schema │\s+0 │", screen.text), screen.text
    assert "schema per test" in screen.text and "can't test" in screen.text


def test_the_container_lesson_shows_the_refusal_then_says_it_needs_docker_and_is_not_done(
    course, screen, embedded_lab, progress
):
    code = course(auto=True, number=2, lab=embedded_lab)

    assert code == 0
    assert "PostgreSQL is up in" in screen.flat and "embedded process pid-" in screen.flat
    assert "The embedded engine's server processes" in screen.flat and "running" in screen.text
    assert "SQLSTATE 23505 is PostgreSQL's unique_violation" in screen.flat
    assert NEEDS_DOCKER.format(2) in screen.flat
    assert 2 not in progress.completed


def test_the_flaky_lesson_measures_on_an_embedded_redis_and_its_words_agree(course, screen, embedded_lab, progress):
    figures = {}

    code = course(auto=True, number=7, lab=embedded_lab, measurements=figures)

    assert code == 0 and 7 in progress.completed
    passed = figures["flaky_passed"]
    said = " ".join(Text.from_markup(verdict_on_sleeping(passed, 20)).plain.split())
    assert f"{passed} of 20 passed" in screen.flat and said in screen.flat
    assert figures["fixed_passed"] == 20 and "20 of 20" in screen.flat


def test_the_slow_dependency_lesson_freezes_an_embedded_redis_with_sigstop(course, screen, embedded_lab, progress):
    code = course(auto=True, number=9, lab=embedded_lab)

    flat = screen.flat
    assert code == 0 and 9 in progress.completed
    assert "(SIGSTOP)" in flat and "Redis is paused" in flat
    assert "Still waiting after 4 s" in flat and "let the vote through, marked degraded" in flat
    assert "│ passed" in screen.text and "still waiting after 2 s" in flat
    assert embedded_lab._started == []
    assert "…" not in screen.text  # nothing cut at 80 columns
