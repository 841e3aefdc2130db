"""The results payload the dashboards draw (lab/web/ballot.py)."""

from lab.show.ballot import Ballot, results_payload
from lab.votes.fantasy import FantasyVoteStore


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
