"""The question's ballot: the options, the truth (PostgreSQL), the lie (the mock) and their tallies.

Every vote goes to both stores; `results` is the payload the dashboards draw, per option
only while the presenter shows them. Nothing here knows about HTTP or Socket.IO.
"""

import secrets
import threading
import time

from lab.show.tally_words import phone_words, totals_words
from lab.votes import Outcome, StoreUnavailable, VoteResult, VoteStore

REFUSED = (Outcome.DUPLICATE, Outcome.INVALID)  # what a constraint refused; an outage is not a refusal


def new_round() -> str:
    """A name for one round of votes: a reset starts a new one, and a phone that voted in an old one forgets it."""
    return secrets.token_hex(4)


def results_payload(options: dict[str, str], real: dict[str, int] | None, fantasy: dict[str, int], visible: bool,
                    refused: int = 0, not_recorded: int = 0, *, lost_between: list[float] | None = None,
                    stored_before: int | None = None, round_name: str = "") -> dict:
    """Tallies for the dashboard: per option only when visible, totals always, and the same in words.

    `refused` counts the votes a constraint refused; `not_recorded` those lost while the
    database was down (the mock counted both), the first and last of them at `lost_between`.
    `stored_before` is PostgreSQL's last total while it can't be counted; `round_name` the
    round of votes (a reset starts a new one).
    """
    real_total = sum(real.values()) if real is not None else None
    fantasy_total = sum(fantasy.get(key, 0) for key in options)
    rows = [
        {"id": key, "label": label, "real": real.get(key, 0) if real is not None else None, "fantasy": fantasy.get(key, 0)}
        for key, label in options.items()
    ]
    payload: dict = {
        "visible": visible,
        "options": rows if visible else [{"id": key, "label": label} for key, label in options.items()],
        "totals": {"real": real_total, "fantasy": fantasy_total},
        "refused": refused,
        "not_recorded": not_recorded,
        "not_recorded_between": lost_between,
        "stored_before": stored_before if real is None else None,
        "database": "up" if real is not None else "unavailable",
        "round": round_name,
    }
    payload["words"] = {"totals": totals_words(payload), "phone": phone_words(payload)}
    return payload


class Ballot:
    """The options and the two stores every vote goes to; whether per-option results show.

    `first_round` names the votes' first round (a reset starts a new one); a show resumed
    after a crash names it as before, so the phones that voted still know their vote.
    """

    def __init__(self, real: VoteStore, fantasy: VoteStore, options: dict[str, str], first_round: str | None = None) -> None:
        self.real = real
        self.fantasy = fantasy
        self.options = dict(options)
        self.visible = False
        self.refused = self.not_recorded = 0
        self.lost_between: list[float] | None = None  # when the first and the last unrecorded vote came
        self.stored_before: int | None = None  # PostgreSQL's last total, said while it can't be counted
        self.round = first_round or new_round()  # the same after a crash (lab.web derives it from the show's key)
        self._lock = threading.Lock()

    def seed(self) -> None:
        """Start from a clean slate: no votes, and exactly this show's options in both stores."""
        for store in (self.real, self.fantasy):
            store.reset(options=True)
            for key, label in self.options.items():
                store.add_option(key, label)

    def resume(self) -> None:
        """Carry on from the votes PostgreSQL kept through a crash; the mock, which lived in memory, restarts from them."""
        tally = self.real.tally()
        self.fantasy.reset(options=True)
        for key, label in self.options.items():
            self.fantasy.add_option(key, label)
        self.fantasy.import_ballots([(f"before-the-crash-{key}-{n}", key) for key, count in tally.items()
                                     for n in range(count)])

    def cast(self, voter_id: str, option: str) -> VoteResult:
        """Record one vote in the truth and in the lie; the truth's answer is the outcome."""
        result = self.real.vote(voter_id, option)
        self.fantasy.vote(voter_id, option)
        with self._lock:
            if result.outcome in REFUSED:
                self.refused += 1
            elif result.outcome is Outcome.UNAVAILABLE:
                self.not_recorded += 1
                now = time.time()
                self.lost_between = [self.lost_between[0] if self.lost_between else now, now]
        return result

    def clear(self) -> None:
        """Forget every vote in both stores and every count, and hide the results; the options stay."""
        for store in (self.real, self.fantasy):
            store.reset()
        with self._lock:
            self.refused = self.not_recorded = 0
            self.lost_between = self.stored_before = None
            self.visible = False
            self.round = new_round()  # the phones forget the votes of the last round

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        try:
            real = self.real.tally()
            self.stored_before = sum(real.values())
        except StoreUnavailable:
            real = None
        return results_payload(self.options, real, self.fantasy.tally(), self.visible or reveal, self.refused,
                               self.not_recorded, lost_between=self.lost_between, stored_before=self.stored_before,
                               round_name=self.round)

    def close(self) -> None:
        """Release both stores' connections."""
        self.real.close()
        self.fantasy.close()
