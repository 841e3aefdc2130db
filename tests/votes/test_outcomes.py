"""Refusals recognised by SQLSTATE, never by message text (lab/votes/outcomes.py)."""

import pytest

from lab.votes import Outcome
from lab.votes.outcomes import from_sqlstate


@pytest.mark.parametrize(
    "sqlstate, outcome",
    [("23505", Outcome.DUPLICATE), ("23503", Outcome.INVALID), ("23502", Outcome.INVALID),
     ("23514", Outcome.INVALID), ("22001", Outcome.INVALID), ("57P01", Outcome.UNAVAILABLE), (None, Outcome.UNAVAILABLE)],
)
def test_refusals_are_recognised_by_sqlstate(sqlstate, outcome):
    assert from_sqlstate(sqlstate).outcome is outcome


def test_a_duplicate_names_the_unique_constraint():
    result = from_sqlstate("23505", "one_vote_per_voter")

    assert "UNIQUE constraint (one_vote_per_voter)" in result.message
    assert result.sqlstate == "23505"
