"""The live show's state: the ballot, the stage, and what a vote attempt comes to.

Every vote goes to PostgreSQL (the truth) and to the fantasy store (the lie, what a mock
would have recorded). The collaborators are built first and handed in (see
`lab.web.create_app`); this module knows nothing about HTTP or Socket.IO.
"""

import hashlib
import threading
from dataclasses import dataclass, field

from lab.servers.engines import duration_words
from lab.show.ballot import Ballot
from lab.show.broadcast import Broadcaster
from lab.show.clock import WAITING, ShowClock
from lab.show.comparison_stage import ComparisonStage
from lab.show.feed import Feed, FeedLine
from lab.show.headlines import stage_words
from lab.show.script import STAGES, clamp_stage, stage_index, stage_payload
from lab.show.services import ServiceProblem, ShowServices
from lab.votes import Outcome, VoteResult


@dataclass(frozen=True)
class Answer:
    """What a vote attempt came to, as the phone is told: a status word and a sentence."""

    status: str  # accepted, duplicate, invalid, unavailable, rate_limited
    message: str
    retry_after: int | None = None  # seconds, for rate_limited


def voter_tag(voter_id: str) -> str:
    """A short, non-reversible tag for a voter, safe to show on a projector."""
    return hashlib.sha256(voter_id.encode()).hexdigest()[:4]


def vote_line(result: VoteResult, label: str | None, voter_id: str) -> FeedLine:
    """The feed line for a vote's outcome; with `label` None (results hidden) it names no option."""
    tag = voter_tag(voter_id)
    if result.outcome is Outcome.ACCEPTED:
        chosen = f": {label}" if label is not None else ""
        return FeedLine("vote-accepted", f"Vote accepted{chosen} (voter {tag})", "good")
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


@dataclass(eq=False)
class LiveShow:
    """One running show: votes into the ballot, the current stage, and the snapshot dashboards draw."""

    question: str
    ballot: Ballot
    feed: Feed
    services: ShowServices
    tests: ComparisonStage
    broadcaster: Broadcaster
    clock: ShowClock
    facts: dict  # what the page draws but never changes: engine words, feed length
    stage_index: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

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
        if result.outcome is Outcome.UNAVAILABLE:
            self.services.database_unsure()  # only a failed health probe says "down"
        else:
            self.services.track_database(True)
        shown = self.options[option] if self.ballot.visible else None  # hidden results: the feed names no option
        self.feed.post(vote_line(result, shown, voter_id))
        self.broadcaster.results_changed()
        return result

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        return self.ballot.results(reveal)

    def stage(self) -> dict:
        """The current stage with its timers, and the headline the show's state makes true."""
        clock = self.clock
        words = stage_words(STAGES[self.stage_index], self.tests.snapshot())
        return stage_payload(self.stage_index, clock.stage_elapsed(), clock.show_elapsed(), clock.state, words)

    def run_tests(self, target: str) -> bool:
        """Run the test comparison against `target` on its own stage; False when a run is going already.

        The headline follows the run: every screen hears the stage again when it starts and when it ends.
        """
        if not self.tests.start(target, then=lambda: self.broadcaster.send("stage", self.stage())):
            return False
        comparison = stage_index("test-comparison")
        if self.stage_index != comparison:  # the results are drawn on that stage
            self.go_to_stage(comparison)
        return True

    def go_to_stage(self, index: int) -> dict:
        """Move to stage `index`; entering some stages shows or hides the results.

        Leaving the cold open with the clocks still waiting starts them: the show has begun.
        """
        with self._lock:
            self.stage_index = clamp_stage(index)
            self.clock.new_stage()
            if self.stage_index > 0 and self.clock.state == WAITING:
                self.clock.run()
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

    def run_clock(self, running: bool) -> dict:
        """Start (or resume) the clocks, or pause them; every dashboard redraws its timers."""
        if running:
            self.clock.run()
        else:
            self.clock.pause()
        payload = self.stage()
        self.broadcaster.send("stage", payload)
        return payload

    def reset(self) -> str:
        """Reset Everything: the cold open as if just started, on the same servers; returns the feed's one line.

        Votes, tallies and feed cleared, results hidden, every server running again, the rate
        limit off with its counters cleared, the test panel empty, both clocks at zero and waiting.
        """
        if self.tests.running:
            raise ServiceProblem("A test comparison is running: wait for its totals (a few seconds), then reset.")
        recovered = self.services.reset()
        self.ballot.clear()
        self.tests.clear()
        with self._lock:
            self.stage_index = 0
            self.clock.reset()
        line = reset_line(recovered)
        self.feed.restart(FeedLine("reset", line, "info"))  # drops what the reset itself posted, Docker's echoes too
        self.broadcaster.start_over()
        self.broadcaster.send("snapshot", self.snapshot())
        self.broadcaster.results_changed()  # the phones hear the cleared tallies, in their own shape
        return line

    def snapshot(self, results: dict | None = None) -> dict:
        """Everything a dashboard that just connected needs to draw itself; `results` instead of a fresh tally."""
        results = self.results() if results is None else results
        return {"question": self.question, "stage": self.stage(), "results": results, "feed": self.feed.lines(),
                "status": self.services.status(), "tests": self.tests.snapshot(), "facts": self.facts}


def reset_line(recovered: dict[str, float]) -> str:
    """The one feed line a reset leaves: what it did, and which servers it brought back."""
    names = {"redis": "Redis", "postgres": "PostgreSQL"}
    back = "".join(f"; {names[role]} recovered in {duration_words(seconds)}" for role, seconds in recovered.items())
    return f"Reset everything: votes, feed, rate limit, test panel and clocks back to the start{back}"

