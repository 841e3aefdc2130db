"""The naive store: the buggy app the reality tests must catch. Do not use it for real.

It checks in Python before it writes ("SELECT, then INSERT if nothing was found"), with
no constraint behind it and every statement committed on its own. Mock tests can't tell
it from the real store; a real database shows every hole.
"""

import time
from collections.abc import Sequence

from lab.votes.outcomes import Outcome, VoteResult, accepted
from lab.votes.sql import SqlVoteStore

# What a real app spends between its check and its write (validation, logging, a call to
# another service). The race exists without it; this keeps the proof independent of how
# a loaded CI machine happens to schedule threads.
THINK_SECONDS = 0.02

SCHEMA = """
CREATE TABLE IF NOT EXISTS naive_options (id text, label text, position bigserial);
CREATE TABLE IF NOT EXISTS naive_votes (voter_id text, option_id text, cast_at timestamptz DEFAULT now());
"""


class NaiveVoteStore(SqlVoteStore):
    """Check-then-insert in application code; the database enforces nothing."""

    options_table = "naive_options"
    votes_table = "naive_votes"
    schema = SCHEMA

    def add_option(self, option_id: str, label: str) -> VoteResult:
        """Insert a choice unless one with exactly this label exists."""

        def check_then_insert(cursor) -> VoteResult:
            cursor.execute("SELECT 1 FROM naive_options WHERE label = %s", (label,))
            if cursor.fetchone():
                return VoteResult(Outcome.DUPLICATE, "That option exists already.")
            cursor.execute("INSERT INTO naive_options (id, label) VALUES (%s, %s)", (option_id, label))
            return accepted("Option added.")

        return self._write(check_then_insert)

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        """Insert the vote unless this voter's vote is already there."""

        def check_then_insert(cursor) -> VoteResult:
            cursor.execute("SELECT 1 FROM naive_votes WHERE voter_id = %s", (voter_id,))
            if cursor.fetchone():
                return VoteResult(Outcome.DUPLICATE, "You already voted (checked by the app).")
            time.sleep(THINK_SECONDS)
            cursor.execute("INSERT INTO naive_votes (voter_id, option_id) VALUES (%s, %s)", (voter_id, option_id))
            return accepted()

        return self._write(check_then_insert)

    def import_ballots(self, ballots: Sequence[tuple[str, str]]) -> VoteResult:
        """Vote ballot by ballot, each committed on its own, stopping at the first refusal."""
        for number, (voter_id, option_id) in enumerate(ballots, start=1):
            result = self.vote(voter_id, option_id)
            if not result.accepted:
                return VoteResult(result.outcome, f"Ballot {number} refused: {result.message}")
        return accepted(f"{len(ballots)} ballots imported.")
