"""Lesson 2's live view, built from Docker events or the embedded processes, without Docker."""

import io
from types import SimpleNamespace
from typing import cast

from rich.console import Console

from lab.course.startup_view import events_table, processes_table
from lab.servers.container_event import parse_event

LABELS = {"dev.tcmagic.managed": "true", "dev.tcmagic.role": "postgres", "dev.tcmagic.run-id": "abc123",
          "dev.tcmagic.purpose": "workshop", "org.testcontainers.session-id": "x" * 60, "name": "brave_curie",
          "image": "postgres:15-alpine"}


def plain(renderable) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(renderable)
    return cast(io.StringIO, console.file).getvalue()


def raw(action: str, at: float) -> dict:
    return {"Action": action, "Actor": {"ID": "c1", "Attributes": LABELS}, "timeNano": int(at * 1e9)}


def test_the_view_shows_each_docker_event_with_its_labels_then_waits_for_a_query():
    events = [parse_event(raw("create", 100.25)), parse_event(raw("exec_start: sh", 100.5)), parse_event(raw("start", 100.5))]

    text = plain(events_table(events, started=100.0, ready_after=None, now=100.75))

    assert "0.25 │ created │ brave_curie (postgres:15-alpine)" in text
    assert "managed=true purpose=workshop role=postgres run-id=abc123" in text
    assert "0.50 │ started" in text and "exec" not in text
    assert "0.75 │ waiting" in text and "…" not in text


def test_once_it_answers_the_view_says_when():
    text = plain(events_table([parse_event(raw("create", 100.25))], started=100.0, ready_after=1.4, now=101.5))

    assert "1.40 │ ready   │ answered SELECT 1 from here" in text


def test_on_the_embedded_engine_the_view_lists_the_processes():
    service = SimpleNamespace(role="postgres", pid=4242, settings=SimpleNamespace(port=5555), status=lambda: "running")

    starting = plain(processes_table([], started=0.0, ready_after=None, now=0.5))
    up = plain(processes_table([service], started=0.0, ready_after=1.0, now=1.0))

    assert "starting, 0.5 s" in starting
    assert "4242" in up and "5555" in up and "running" in up and "starting" not in up
