"""The question's ballot: the options, the truth (PostgreSQL), the lie (the mock) and their tallies.

Every vote goes to both stores; `results` is the payload the dashboards draw, per option
only while the presenter shows them. Nothing here knows about HTTP or Socket.IO.
"""

import threading

from lab.votes import StoreUnavailable, VoteResult, VoteStore


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


class Ballot:
    """The options and the two stores every vote goes to; whether per-option results show."""

    def __init__(self, real: VoteStore, fantasy: VoteStore, options: dict[str, str]) -> None:
        self.real = real
        self.fantasy = fantasy
        self.options = dict(options)
        self.visible = False
        self._lock = threading.Lock()

    def seed(self) -> None:
        """Start from a clean slate: no votes, and exactly this show's options in both stores."""
        for store in (self.real, self.fantasy):
            store.reset(options=True)
            for key, label in self.options.items():
                store.add_option(key, label)

    def cast(self, voter_id: str, option: str) -> VoteResult:
        """Record one vote in the truth and in the lie; the truth's answer is the outcome."""
        result = self.real.vote(voter_id, option)
        self.fantasy.vote(voter_id, option)
        return result

    def clear(self) -> None:
        """Forget every vote in both stores; the options stay."""
        for store in (self.real, self.fantasy):
            store.reset()

    def results(self, reveal: bool = False) -> dict:
        """The current tallies; per-option counts only when visible (or `reveal`)."""
        try:
            real = self.real.tally()
        except StoreUnavailable:
            real = None
        return results_payload(self.options, real, self.fantasy.tally(), self.visible or reveal)

    def close(self) -> None:
        """Release both stores' connections."""
        self.real.close()
        self.fantasy.close()
