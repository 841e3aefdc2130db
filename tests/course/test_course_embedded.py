"""The course without Docker: database lessons run on embedded processes, container lessons say what they need.

No marker: the embedded engine needs only the pip packages, so these run in every pass.
"""

import pytest

from lab.course.context import Lab

NEEDS_DOCKER = ("This lesson is about containers and needs Docker: start Docker Desktop "
                "(or `sudo systemctl start docker`), then run `python workshop.py --lesson {}`")


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
    assert "Rows left behind: ROLLBACK 0, TRUNCATE 0." in screen.flat


def test_the_container_lesson_shows_the_refusal_then_says_it_needs_docker_and_is_not_done(
    course, screen, embedded_lab, progress
):
    code = course(auto=True, number=2, lab=embedded_lab)

    assert code == 0
    assert "PostgreSQL is up in" in screen.flat and "embedded process pid-" in screen.flat
    assert "SQLSTATE 23505 is PostgreSQL's unique_violation" in screen.flat
    assert NEEDS_DOCKER.format(2) in screen.flat
    assert 2 not in progress.completed
