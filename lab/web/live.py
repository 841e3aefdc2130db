"""The live show's state: the two stores, the stage, whether results show, and the feed.

Every vote goes to PostgreSQL (the truth) and to the fantasy store (the lie, what a mock
would have recorded). Broadcasting is left to `announce` and `results_changed` callbacks,
so this module knows nothing about Socket.IO.
"""

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from lab.web.feed import FeedLine
from lab.web.script import STAGES, clamp_stage, stage_payload
from lab.votes import Outcome, StoreUnavailable, VoteResult
from lab.web.broadcast import Broadcaster, Silent
from lab.web.config import ShowConfig

FEED_LENGTH = 40
STATUS_CODES = {Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 409, Outcome.INVALID: 400, Outcome.UNAVAILABLE: 503}
NO_SERVICES = {"rate_limit": {"enabled": False, "degraded": False}, "redis": "absent"}


@dataclass(frozen=True)
class Answer:
    """What a vote attempt came to, as the phone is told: a status word, HTTP code and sentence."""

    status: str  # accepted, duplicate, invalid, unavailable, rate_limited
    code: int
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
        return f"You already voted! {result.message.replace('the database', 'PostgreSQL')}"
    return result.message


def results_payload(options: dict[str, str], real: dict[str, int] | None, fantasy: dict[str, int], visible: bool) -> dict:
    """Tallies for the dashboard: per option only when visible, totals always."""
    real_total = sum(real.values()) if real is not None else None
    fantasy_total = sum(fantasy.get(key, 0) for key in options)
    rows = [
        {"id": key, "label": label, "real": real.get(key, 0) if real is not None else None, "fantasy": fantasy.get(key, 0)}
        for key, label in options.items()
    ]
    return {
        "visible": visible,
        "options": rows if visible else [{"id": key, "label": label} for key, label in options.items()],
        "totals": {"real": real_total, "fantasy": fantasy_total},
        "refused": None if real_total is None else fantasy_total - real_total,
        "database": "up" if real is not None else "unavailable",
    }


class LiveShow:
    """One running show: votes into both stores, the current stage and the feed."""

    def __init__(
        self,
        config: ShowConfig,
        broadcaster: Broadcaster | Silent | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.real = config.real_store
        self.fantasy = config.fantasy_store
        self.options = dict(config.options)
        self.broadcaster = broadcaster or Silent()
        self.clock = clock
        self.feed: deque[dict] = deque(maxlen=FEED_LENGTH)
        self.results_visible = False
        self.stage_index = 0
        self.stage_started = self.show_started = clock()
        self.database_up = True
        self.services = None  # ShowServices: Redis for the rate limit, chaos (set by create_app)
        self.tests = None  # ComparisonStage (set by create_app)
        self._lock = threading.Lock()
        self.seed_options()

    def seed_options(self) -> None:
        """Start from a clean slate: no votes, and exactly this show's options in both stores."""
        for store in (self.real, self.fantasy):
            store.reset(options=True)
            for key, label in self.options.items():
                store.add_option(key, label)

    def attempt(self, voter_id: str, option: str) -> Answer:
        """One vote attempt from a phone (or the bot): the rate limit first, then both stores."""
        limiter = self.limiter()
        decision = limiter.hit(voter_id) if limiter is not None else None
        if decision is not None and not decision.allowed:
            wait = max(1, round(decision.retry_after))
            self.post(FeedLine("rate-limited", f"Rate limited with 429: voter {voter_tag(voter_id)}, retry in {wait} s", "bad"))
            return Answer("rate_limited", 429, f"Too many attempts: try again in {wait} s.", wait)
        result = self.cast(voter_id, option)
        return Answer(result.outcome.value, STATUS_CODES[result.outcome], vote_message(result))

    def limiter(self):
        """The rate limiter votes go through now: a fixed one from the config, Redis once turned on, or None."""
        if self.config.rate_limiter is not None:
            return self.config.rate_limiter
        return self.services.active_limiter() if self.services is not None else None

    def cast(self, voter_id: str, option: str) -> VoteResult:
        """Record one vote in the truth and in the lie; post what happened to the feed."""
        result = self.real.vote(voter_id, option)
        self.fantasy.vote(voter_id, option)
        self.track_database(result.outcome is not Outcome.UNAVAILABLE)
        self.post(vote_line(result, self.options[option], voter_id))
        self.broadcaster.results_changed()
        return result

    def post(self, line: FeedLine) -> None:
        """Add a line to the feed and hand it to the broadcaster."""
        entry = FeedLine(line.kind, line.text, line.level, line.at or self.clock()).as_dict()
        with self._lock:
            self.feed.append(entry)
        self.broadcaster.post(entry)

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        try:
            real = self.real.tally()
        except StoreUnavailable:
            real = None
        return results_payload(self.options, real, self.fantasy.tally(), self.results_visible or reveal)

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
        self.results_visible = visible
        self.broadcaster.results_changed()

    def reset(self) -> None:
        """Forget every vote and every feed line (the options and the stage stay)."""
        for store in (self.real, self.fantasy):
            store.reset()
        line = FeedLine("reset", "Presenter reset the votes", "info", self.clock())
        with self._lock:
            self.feed.clear()
            self.feed.append(line.as_dict())
        self.broadcaster.send("snapshot", self.snapshot())

    def snapshot(self) -> dict:
        """Everything a dashboard that just connected needs to draw itself."""
        with self._lock:
            feed = sorted(self.feed, key=lambda line: line["at"])  # replayed Docker events arrive late
        tests = self.tests.snapshot() if self.tests is not None else None
        return {"question": self.config.question, "stage": self.stage(), "results": self.results(), "feed": feed,
                "status": self.status(), "tests": tests}

    def status(self) -> dict:
        """The components' state for the dashboard's banner: rate limit, Redis, PostgreSQL."""
        if self.services is not None:
            return self.services.status()
        return {**NO_SERVICES, "postgres": "up" if self.database_up else "down"}

    def status_changed(self) -> None:
        """Tell every dashboard the components' state (rare: on/off, death, recovery)."""
        self.broadcaster.send("status", self.status())

    def track_database(self, up: bool) -> None:
        """Note whether PostgreSQL answers; a change goes to the feed and the banner."""
        if up == self.database_up:
            return
        self.database_up = up
        if up:
            self.post(FeedLine("component-back", "PostgreSQL is back: votes are recorded again", "good"))
        else:
            self.post(FeedLine("component-down", "PostgreSQL is down: votes are refused with 503, nothing half-recorded", "bad"))
        self.status_changed()
