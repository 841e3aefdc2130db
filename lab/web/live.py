"""The live show's state: the ballot, the stage, and what a vote attempt comes to.

Every vote goes to PostgreSQL (the truth) and to the fantasy store (the lie, what a mock
would have recorded). The collaborators are built first and handed in (see
`lab.web.create_app`); this module knows nothing about HTTP or Socket.IO.
"""

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Callable

from lab.votes import Outcome, VoteResult
from lab.web.ballot import Ballot
from lab.web.broadcast import Broadcaster
from lab.web.comparison_stage import ComparisonStage
from lab.web.feed import Feed, FeedLine
from lab.web.script import STAGES, clamp_stage, stage_payload
from lab.web.services import ShowServices


@dataclass(frozen=True)
class Answer:
    """What a vote attempt came to, as the phone is told: a status word and a sentence."""

    status: str  # accepted, duplicate, invalid, unavailable, rate_limited
    message: str
    retry_after: int | None = None  # seconds, for rate_limited


def voter_tag(voter_id: str) -> str:
    """A short, non-reversible tag for a voter, safe to show on a projector."""
    return hashlib.sha256(voter_id.encode()).hexdigest()[:4]


def vote_line(result: VoteResult, label: str, voter_id: str) -> FeedLine:
    """The feed line for a vote's outcome."""
    tag = voter_tag(voter_id)
    if result.outcome is Outcome.ACCEPTED:
        return FeedLine("vote-accepted", f"Vote accepted: {label} (voter {tag})", "good")
    if result.outcome is Outcome.DUPLICATE:
        return FeedLine("vote-duplicate", f"Duplicate refused by PostgreSQL: UNIQUE, SQLSTATE {result.sqlstate} (voter {tag})", "bad")
    if result.outcome is Outcome.UNAVAILABLE:
        return FeedLine("vote-unavailable", "Vote not recorded: the database is unavailable", "bad")
    return FeedLine("vote-invalid", f"Vote refused by PostgreSQL: SQLSTATE {result.sqlstate}", "bad")


def vote_message(result: VoteResult) -> str:
    """What the phone says about a vote's outcome, in words."""
    if result.outcome is Outcome.ACCEPTED:
        return "Vote recorded in PostgreSQL. Thank you!"
    if result.outcome is Outcome.DUPLICATE:
        return f"You already voted! {result.message}"
    return result.message


class LiveShow:
    """One running show: votes into the ballot, the current stage, and the snapshot dashboards draw."""

    def __init__(
        self,
        question: str,
        ballot: Ballot,
        feed: Feed,
        services: ShowServices,
        tests: ComparisonStage,
        broadcaster: Broadcaster,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.question = question
        self.ballot = ballot
        self.feed = feed
        self.services = services
        self.tests = tests
        self.broadcaster = broadcaster
        self.clock = clock
        self.stage_index = 0
        self.stage_started = self.show_started = clock()
        self._lock = threading.Lock()

    @property
    def options(self) -> dict[str, str]:
        """Option id -> label."""
        return self.ballot.options

    def attempt(self, voter_id: str, option: str) -> Answer:
        """One vote attempt from a phone (or the bot): the rate limit first, then both stores."""
        limiter = self.services.active_limiter()
        decision = limiter.hit(voter_id) if limiter is not None else None
        if decision is not None and not decision.allowed:
            wait = max(1, round(decision.retry_after))
            self.feed.post(FeedLine("rate-limited", f"Rate limited with 429: voter {voter_tag(voter_id)}, retry in {wait} s", "bad"))
            return Answer("rate_limited", f"Too many attempts: try again in {wait} s.", wait)
        result = self.cast(voter_id, option)
        return Answer(result.outcome.value, vote_message(result))

    def cast(self, voter_id: str, option: str) -> VoteResult:
        """Record one vote in the truth and in the lie; post what happened to the feed."""
        result = self.ballot.cast(voter_id, option)
        self.services.track_database(result.outcome is not Outcome.UNAVAILABLE)
        self.feed.post(vote_line(result, self.options[option], voter_id))
        self.broadcaster.results_changed()
        return result

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        return self.ballot.results(reveal)

    def stage(self) -> dict:
        """The current stage with its timers."""
        now = self.clock()
        return stage_payload(self.stage_index, now - self.stage_started, now - self.show_started)

    def go_to_stage(self, index: int) -> dict:
        """Move to stage `index`; entering some stages shows or hides the results."""
        with self._lock:
            self.stage_index = clamp_stage(index)
            self.stage_started = self.clock()
            if self.stage_index == 0:
                self.show_started = self.stage_started
        reveal = STAGES[self.stage_index].reveal_results
        if reveal is not None:
            self.show_results(reveal)
        payload = self.stage()
        self.broadcaster.send("stage", payload)
        return payload

    def show_results(self, visible: bool) -> None:
        """Show or hide per-option results on the dashboard."""
        self.ballot.visible = visible
        self.broadcaster.results_changed()

    def reset(self) -> None:
        """Forget every vote and every feed line (the options and the stage stay)."""
        self.ballot.clear()
        self.feed.restart(FeedLine("reset", "Presenter reset the votes", "info"))
        self.broadcaster.send("snapshot", self.snapshot())

    def snapshot(self) -> dict:
        """Everything a dashboard that just connected needs to draw itself."""
        return {"question": self.question, "stage": self.stage(), "results": self.results(), "feed": self.feed.lines(),
                "status": self.services.status(), "tests": self.tests.snapshot()}
