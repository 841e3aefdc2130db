"""The question's ballot: the options, the truth (PostgreSQL), the lie (the mock) and their tallies.

Every vote goes to both stores; `results` is the payload the dashboards draw, per option
only while the presenter shows them. Nothing here knows about HTTP or Socket.IO.
"""

import threading

from lab.votes import Outcome, StoreUnavailable, VoteResult, VoteStore

REFUSED = (Outcome.DUPLICATE, Outcome.INVALID)  # what a constraint refused; an outage is not a refusal


def results_payload(options: dict[str, str], real: dict[str, int] | None, fantasy: dict[str, int], visible: bool,
                    refused: int = 0, not_recorded: int = 0) -> dict:
    """Tallies for the dashboard: per option only when visible, totals always.

    `refused` counts the votes a constraint refused; `not_recorded` those lost while the
    database was down (the mock counted both).
    """
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
        "refused": refused,
        "not_recorded": not_recorded,
        "database": "up" if real is not None else "unavailable",
    }


class Ballot:
    """The options and the two stores every vote goes to; whether per-option results show."""

    def __init__(self, real: VoteStore, fantasy: VoteStore, options: dict[str, str]) -> None:
        self.real = real
        self.fantasy = fantasy
        self.options = dict(options)
        self.visible = False
        self.refused = self.not_recorded = 0
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
        return result

    def clear(self) -> None:
        """Forget every vote in both stores and every count, and hide the results; the options stay."""
        for store in (self.real, self.fantasy):
            store.reset()
        with self._lock:
            self.refused = self.not_recorded = 0
            self.visible = False

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        try:
            real = self.real.tally()
        except StoreUnavailable:
            real = None
        return results_payload(self.options, real, self.fantasy.tally(), self.visible or reveal, self.refused, self.not_recorded)

    def close(self) -> None:
        """Release both stores' connections."""
        self.real.close()
        self.fantasy.close()
