"""The question's ballot: the options, the truth (PostgreSQL), the lie (the mock) and their tallies.

Every vote goes to both stores; `results` is the payload the dashboards draw, per option
only while the presenter shows them. Nothing here knows about HTTP or Socket.IO.

The truth's tally is a running count of the votes PostgreSQL accepted, kept here: reading
the results asks no database, however many screens and phones ask. About once a second a
background task reconciles it with PostgreSQL's own count (`SELECT count(*)`, the store's
tally), cooperatively, so whatever made them differ (a reset racing a vote, a server that
came back with other data, a vote stored after its phone was told it was not) is corrected.
A vote in flight while the count is read may or may not be in it; the correction is the
smallest one those votes allow, so a vote is never counted twice, and once no vote is in
flight during a reading, the count is exactly PostgreSQL's.
"""

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable

from lab.show.tally_words import phone_words, totals_words
from lab.votes import Outcome, StoreUnavailable, VoteResult, VoteStore

REFUSED = (Outcome.DUPLICATE, Outcome.INVALID)  # what a constraint refused; an outage is not a refusal
RECONCILE_EVERY = 1.0  # seconds between two readings of PostgreSQL's count


def correction(counted: int, read: int, in_flight: int) -> int:
    """What to add to a running count that was `counted` when PostgreSQL's count was read as `read`.

    `in_flight` votes were on their way while it was read (each may be in `read`, and is
    counted here once it is answered): with none, the drift is exact; otherwise the
    smallest correction they allow, so a vote is never counted twice.
    """
    least, most = read - counted - in_flight, read - counted
    if least <= 0 <= most:
        return 0
    return least if least > 0 else most


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
        self.closed = False
        self._lock = threading.Lock()
        self._counted = dict.fromkeys(self.options, 0)  # votes PostgreSQL accepted, per option: the running count
        self._database_answers = True  # whether the last reading of PostgreSQL's count was answered
        self._in_flight: Counter[str] = Counter()  # votes sent to PostgreSQL and not answered yet, per option
        self._during_reading: Counter[str] | None = None  # votes on their way while the count is being read
        self._era = 0  # moves on at every clear: a reading taken across one is thrown away
        self._reading = threading.Lock()  # one reading at a time

    def seed(self) -> None:
        """Start from a clean slate: no votes, and exactly this show's options in both stores."""
        for store in (self.real, self.fantasy):
            store.reset(options=True)
            for key, label in self.options.items():
                store.add_option(key, label)
        with self._lock:
            self._counted = dict.fromkeys(self.options, 0)

    def resume(self) -> None:
        """Carry on from the votes PostgreSQL kept through a crash; the mock, which lived in memory, restarts from them."""
        tally = self.real.tally()
        with self._lock:
            self._counted = {key: tally.get(key, 0) for key in self.options}
        self.fantasy.reset(options=True)
        for key, label in self.options.items():
            self.fantasy.add_option(key, label)
        self.fantasy.import_ballots([(f"before-the-crash-{key}-{n}", key) for key, count in tally.items()
                                     for n in range(count)])

    def cast(self, voter_id: str, option: str) -> VoteResult:
        """Record one vote in the truth and in the lie; the truth's answer is the outcome, and an accepted one is counted."""
        with self._lock:
            self._in_flight[option] += 1
            if self._during_reading is not None:
                self._during_reading[option] += 1
        try:
            result = self.real.vote(voter_id, option)
        except BaseException:
            with self._lock:
                self._landed(option)
            raise
        with self._lock:  # answered and counted at once: a reading sees a vote in flight or counted, never neither
            self._landed(option)
            if result.outcome is Outcome.ACCEPTED:
                self._counted[option] = self._counted.get(option, 0) + 1
            elif result.outcome in REFUSED:
                self.refused += 1
            elif result.outcome is Outcome.UNAVAILABLE:
                self.not_recorded += 1
                now = time.time()
                self.lost_between = [self.lost_between[0] if self.lost_between else now, now]
        self.fantasy.vote(voter_id, option)
        return result

    def _landed(self, option: str) -> None:
        """A vote for `option` has its answer (call with the lock held)."""
        self._in_flight[option] -= 1
        if not self._in_flight[option]:
            del self._in_flight[option]

    def clear(self) -> None:
        """Forget every vote in both stores and every count, and hide the results; the options stay."""
        for store in (self.real, self.fantasy):
            store.reset()
        with self._lock:
            self.refused = self.not_recorded = 0
            self.lost_between = self.stored_before = None
            self.visible = False
            self.round = new_round()  # the phones forget the votes of the last round
            self._counted = dict.fromkeys(self.options, 0)
            self._database_answers = True  # it just answered the reset: nothing is stored
            self._era += 1

    def reconcile(self) -> bool:
        """Read PostgreSQL's count and correct the running count by it; True when what the results show changed."""
        with self._reading:
            return self._reconcile()

    def _reconcile(self) -> bool:
        with self._lock:
            era, counted = self._era, dict(self._counted)
            self._during_reading = Counter(self._in_flight)  # in flight now, and (counted by `cast`) from now on
        try:
            read: dict[str, int] | None = self.real.tally()
        except StoreUnavailable:
            read = None
        with self._lock:
            in_flight, self._during_reading = self._during_reading, None
            if era != self._era:  # a clear came in between: this reading may be of either side of it
                return False
            answered_before, self._database_answers = self._database_answers, read is not None
            drift = {} if read is None else {key: correction(counted.get(key, 0), read.get(key, 0), in_flight[key])
                                             for key in self.options}
            for key, votes in drift.items():
                self._counted[key] = self._counted.get(key, 0) + votes
        return answered_before != (read is not None) or any(drift.values())

    def results(self, reveal: bool = False) -> dict:
        """The current tallies, from the running count (no query); per-option counts only when visible (or `reveal`)."""
        with self._lock:
            real = dict(self._counted) if self._database_answers else None
            if real is not None:
                self.stored_before = sum(real.values())
        return results_payload(self.options, real, self.fantasy.tally(), self.visible or reveal, self.refused,
                               self.not_recorded, lost_between=self.lost_between, stored_before=self.stored_before,
                               round_name=self.round)

    def close(self) -> None:
        """Release both stores' connections (the reconciliation ends with them)."""
        self.closed = True
        self.real.close()
        self.fantasy.close()


def keep_reconciled(ballot: Ballot, changed: Callable[[], None], start_task: Callable[[Callable[[], None]], object],
                    sleep: Callable[[float], None], every: float = RECONCILE_EVERY) -> None:
    """Reconcile `ballot`'s count with PostgreSQL's every `every` s in a background task, until it is closed.

    `changed()` is called when a reconciliation moved what the results show (the screens hear it).
    `start_task` and `sleep` are the server's (Socket.IO's), so the reading waits cooperatively.
    """
    def reconcile_forever() -> None:
        while not ballot.closed:
            sleep(every)
            if not ballot.closed and ballot.reconcile():
                changed()

    start_task(reconcile_forever)
