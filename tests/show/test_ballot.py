"""The results payload the dashboards draw, and the ballot's running count reconciled with the store's (lab/show/ballot.py)."""

import threading

import pytest

from lab.show.ballot import Ballot, correction, keep_reconciled, results_payload
from lab.votes import StoreUnavailable
from lab.votes.fantasy import FantasyVoteStore
from lab.votes.outcomes import UNIQUE_VIOLATION, from_sqlstate

OPTIONS = {"a": "A", "b": "B"}


class TruthStore(FantasyVoteStore):
    """The real store, as the ballot sees it: one vote per voter, a tally it counts being asked for, an outage on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.tallies = 0
        self.down = False
        self.while_tallying = lambda: None  # what happens between the count being read and its answer arriving

    def vote(self, voter_id, option_id):
        if any(voter == voter_id for voter, _ in self.rows):
            return from_sqlstate(UNIQUE_VIOLATION)
        return super().vote(voter_id, option_id)

    def tally(self):
        self.tallies += 1
        if self.down:
            raise StoreUnavailable("The database is unavailable.")
        read = super().tally()
        self.while_tallying()
        return read


@pytest.fixture
def truth():
    return TruthStore()


@pytest.fixture
def ballot(truth):
    ballot = Ballot(truth, FantasyVoteStore(), OPTIONS)
    ballot.seed()
    return ballot


def real_totals(ballot: Ballot):
    return ballot.results()["totals"]["real"]


def test_hidden_results_carry_totals_but_no_per_option_counts():
    options = {"a": "A", "b": "B"}

    hidden = results_payload(options, {"a": 1, "b": 0}, {"a": 3, "b": 0}, visible=False, refused=1, not_recorded=1)
    shown = results_payload(options, {"a": 1, "b": 0}, {"a": 3, "b": 0}, visible=True)
    down = results_payload(options, None, {"a": 3}, visible=True, not_recorded=1)

    assert hidden["options"] == [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    assert hidden["totals"] == {"real": 1, "fantasy": 3} and (hidden["refused"], hidden["not_recorded"]) == (1, 1)
    assert shown["options"][0] == {"id": "a", "label": "A", "real": 1, "fantasy": 3}
    assert down["database"] == "unavailable" and (down["refused"], down["not_recorded"]) == (0, 1)


def test_a_ballot_names_its_first_round_as_told_and_each_reset_starts_a_new_one():
    ballot = Ballot(FantasyVoteStore(), FantasyVoteStore(), {"a": "A"}, first_round="from-the-key")
    ballot.seed()
    first = ballot.results()["round"]

    ballot.clear()

    assert first == "from-the-key"
    assert ballot.results()["round"] not in ("", first)


def test_results_come_from_the_running_count_without_asking_the_store(ballot, truth):
    ballot.cast("v1", "a")
    ballot.cast("v1", "a")  # refused by the truth: counted as refused, not as a vote
    ballot.cast("v2", "b")

    answers = [ballot.results(reveal=True) for _ in range(50)]

    assert truth.tallies == 0
    assert answers[-1]["totals"] == {"real": 2, "fantasy": 3} and answers[-1]["refused"] == 1
    assert [row["real"] for row in answers[-1]["options"]] == [1, 1]


def test_a_reconciliation_corrects_drift_and_says_so_and_then_has_nothing_to_correct(ballot, truth):
    ballot.cast("v1", "a")
    truth.vote("behind-the-ballots-back", "b")  # stored, never counted (a vote stored after its phone heard "not recorded")

    assert real_totals(ballot) == 1
    assert ballot.reconcile() is True
    assert ballot.results(reveal=True)["options"][1]["real"] == 1 and real_totals(ballot) == 2
    assert ballot.reconcile() is False


def test_a_vote_stored_after_the_count_was_read_is_counted_once(ballot, truth):
    """The vote is stored after the count was read and counted before the reading's answer is used: no correction."""
    voted = threading.Event()
    truth.while_tallying = lambda: (ballot.cast("v1", "a"), voted.set())

    ballot.reconcile()
    truth.while_tallying = lambda: None

    assert voted.is_set() and real_totals(ballot) == 1
    ballot.reconcile()
    assert real_totals(ballot) == 1


def test_a_vote_in_flight_while_the_count_is_read_is_not_taken_for_drift(ballot, truth):
    """The vote is stored before the count is read and answered after it: still counted once."""
    stored, read = threading.Event(), threading.Event()
    vote = truth.vote

    def slow_vote(voter_id, option_id):
        result = vote(voter_id, option_id)
        stored.set()
        read.wait(5)  # the answer comes back only after the count was read
        return result

    truth.vote = slow_vote
    phone = threading.Thread(target=ballot.cast, args=("v1", "a"))
    phone.start()
    stored.wait(5)
    changed = ballot.reconcile()
    read.set()
    phone.join(5)

    assert changed is False and real_totals(ballot) == 1
    assert ballot.reconcile() is False and real_totals(ballot) == 1


def test_a_reading_taken_across_a_reset_is_thrown_away(ballot, truth):
    ballot.cast("v1", "a")
    truth.while_tallying = ballot.clear  # the presenter resets while the count (1) is on its way

    assert ballot.reconcile() is False
    assert real_totals(ballot) == 0


def test_an_unanswered_reading_shows_the_database_unavailable_until_one_is_answered(ballot, truth):
    ballot.cast("v1", "a")
    truth.down = True

    assert ballot.reconcile() is True
    assert ballot.results()["database"] == "unavailable" and real_totals(ballot) is None
    truth.down = False
    assert ballot.reconcile() is True
    assert ballot.results()["database"] == "up" and real_totals(ballot) == 1


def test_the_smallest_correction_the_votes_in_flight_allow():
    assert correction(counted=5, read=5, in_flight=0) == 0
    assert correction(counted=5, read=7, in_flight=0) == 2
    assert correction(counted=5, read=3, in_flight=0) == -2
    assert correction(counted=5, read=6, in_flight=1) == 0  # the one in flight may be the sixth
    assert correction(counted=5, read=9, in_flight=2) == 2  # at least two stored that nobody counted
    assert correction(counted=5, read=2, in_flight=4) == -3  # a reset nobody counted: down to what was read


def test_the_background_task_reconciles_until_the_ballot_is_closed(ballot, truth):
    truth.vote("behind-the-ballots-back", "a")
    slept, changed = [], []
    loops: list = []

    keep_reconciled(ballot, lambda: changed.append(real_totals(ballot)), loops.append, slept.append, every=1.0)
    (loop,) = loops
    truth.while_tallying = lambda: ballot.close() if truth.tallies == 2 else None
    loop()  # runs until the ballot is closed: here during its second reading

    assert slept == [1.0, 1.0] and changed == [1]


def test_a_reset_that_postgresql_answered_shows_it_up_with_nothing_counted(ballot, truth):
    ballot.cast("v1", "a")
    truth.down = True
    ballot.reconcile()
    truth.down = False

    ballot.clear()

    assert ballot.results()["database"] == "up" and real_totals(ballot) == 0
