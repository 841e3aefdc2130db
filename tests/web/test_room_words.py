"""Plain words for the room: the terminal's next steps, the engine's words, no copies of the server's facts in the page."""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from lab.servers.engines import fallback_announcement
from lab.show.facts import show_facts
from lab.show.feed import FEED_LENGTH
from lab.votes.outcomes import unavailable
from lab.web.presenter import BOT_ATTEMPTS
from lab.web.server import NEXT_STEPS, banner

ROOT = Path(__file__).resolve().parents[2]
# what the server knows and the page must not repeat: stage count, show length, the limit, feed length, engine words
COPIES = [r"\b1/6\b", r"\b8:00\b", r"\b1-6\b", r"votes a minute", r"\b40\b", r"throwaway container", r"Docker \+ app",
          r"\b10 votes"]


def test_the_terminal_ready_block_ends_with_the_three_next_steps():
    console = Console(file=io.StringIO(), width=120, color_system=None)

    console.print(banner("http://show.test/qr", "http://localhost:5001/#token=s", {"PostgreSQL": 1.0}, 2.0, None))
    lines = console.file.getvalue().rstrip().splitlines()

    assert lines[-4] == "Next:"
    assert [line.strip() for line in lines[-3:]] == [f"{n}. {step}" for n, step in enumerate(NEXT_STEPS, start=1)]
    assert "presenter URL" in NEXT_STEPS[0] and "F" in NEXT_STEPS[1] and "→" in NEXT_STEPS[2]


def test_on_the_embedded_engine_every_word_says_processes():
    facts = show_facts("embedded process", FEED_LENGTH, BOT_ATTEMPTS)
    show = SimpleNamespace(purpose="show", describe=lambda: "embedded PostgreSQL 16 and Redis 7.2 processes")

    assert "container" not in " ".join(facts["words"].values()) and "Docker" not in facts["words"]["feed"]
    assert "lessons" not in fallback_announcement(show) and "container" not in fallback_announcement(show)
    assert "container" in show_facts("container", FEED_LENGTH, BOT_ATTEMPTS)["words"]["reality"]
    assert facts["feed_length"] == FEED_LENGTH


def test_a_phone_hears_no_exception_class_when_the_database_is_down():
    assert unavailable("57P01").message == "The database is unavailable: nothing was recorded."
    assert unavailable("57P01").sqlstate == "57P01"


@pytest.mark.parametrize("path", ["templates/dashboard.html", "lab/web/static/dashboard.js"])
def test_the_dashboard_holds_no_copy_of_what_the_server_says(path):
    text = (ROOT / path).read_text()

    assert [copy for copy in COPIES if re.search(copy, text)] == []


@pytest.mark.realdb
def test_the_favicon_is_served(client):
    with client.get("/favicon.ico") as answer:
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"


@pytest.mark.realdb
def test_the_snapshot_carries_the_facts_the_dashboard_draws(show):
    snapshot = show.snapshot()

    assert snapshot["facts"] == show_facts("container", FEED_LENGTH, BOT_ATTEMPTS)
    assert snapshot["stage"]["count"] == 6 and snapshot["stage"]["starts"] == [0, 90, 120, 210, 270, 450]
    assert snapshot["stage"]["show_seconds"] == 480 and snapshot["status"]["rate_limit"]["limit"] == 3
