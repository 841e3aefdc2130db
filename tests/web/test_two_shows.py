"""Two shows alive at once in one process: each app has its own Socket.IO server."""

from lab.votes.fantasy import FantasyVoteStore
from lab.web.config import ShowConfig, parse_options
from tests.web.helpers import audience_member


def in_memory_show(question: str) -> ShowConfig:
    """A show whose both stores are in memory: this is about sockets, not databases."""
    return ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), question=question,
                      options=parse_options("Mocks,Prayer"), results_interval=0.02)


def test_two_apps_alive_at_once_never_hear_each_other(build_app, connect_dashboard):
    first, second = build_app(in_memory_show("First?")), build_app(in_memory_show("Second?"))
    first_dashboard, second_dashboard = connect_dashboard(first), connect_dashboard(second)

    assert first_dashboard.wait_for("snapshot")["question"] == "First?"
    assert second_dashboard.wait_for("snapshot")["question"] == "Second?"
    audience_member(first).post("/api/vote", json={"option": "mocks"})
    first_dashboard.wait_for("feed", lambda lines: any("Vote accepted" in line["text"] for line in lines))
    audience_member(second).post("/api/vote", json={"option": "prayer"})
    second_dashboard.wait_for("feed", lambda lines: any("Vote accepted" in line["text"] for line in lines))

    # one vote in each show: a dashboard that heard the other show too would count two
    assert sum("Vote accepted" in text for text in first_dashboard.feed_texts()) == 1
    assert sum("Vote accepted" in text for text in second_dashboard.feed_texts()) == 1
    second_dashboard.wait_for("results", lambda results: results["totals"]["fantasy"] == 1)  # sent just after the feed
