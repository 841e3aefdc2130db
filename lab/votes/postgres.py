"""The real store: PostgreSQL enforces every rule, the code just asks and reports.

One vote per voter is a UNIQUE constraint, options exist by FOREIGN KEY, labels are
unique whatever their capitals by a unique index on lower(label), and an import is one
transaction. Refusals are recognised by SQLSTATE.
"""

from typing import Sequence

from lab.votes.outcomes import VoteResult, accepted
from lab.votes.sql import SqlVoteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS options (
    id       text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    label    text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 80),
    position bigserial
);
CREATE UNIQUE INDEX IF NOT EXISTS options_label_whatever_its_capitals ON options (lower(btrim(label)));
CREATE TABLE IF NOT EXISTS votes (
    voter_id  varchar(64) NOT NULL CONSTRAINT one_vote_per_voter UNIQUE CHECK (voter_id <> ''),
    option_id text NOT NULL REFERENCES options (id) ON DELETE CASCADE,
    cast_at   timestamptz NOT NULL DEFAULT now()
);
"""


class PostgresVoteStore(SqlVoteStore):
    """Votes in PostgreSQL, with the constraints that make them trustworthy."""

    schema = SCHEMA

    def add_option(self, option_id: str, label: str) -> VoteResult:
        """Insert a choice; the database refuses a label that differs only in capitals."""
        return self._write(lambda cursor: _insert_option(cursor, option_id, label))

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        """Insert the vote; the database refuses a second one, an unknown option, a bad id."""
        return self._write(lambda cursor: _insert_vote(cursor, voter_id, option_id))

    def import_ballots(self, ballots: Sequence[tuple[str, str]]) -> VoteResult:
        """Insert every ballot in one transaction: one refusal and none are kept."""

        def insert_all(cursor) -> VoteResult:
            for voter_id, option_id in ballots:
                _insert_vote(cursor, voter_id, option_id)
            return accepted(f"{len(ballots)} ballots imported.")

        result = self._write(insert_all, atomic=True)
        if result.accepted:
            return result
        return VoteResult(result.outcome, f"{result.message} Nothing was imported.", result.sqlstate)


def _insert_option(cursor, option_id: str, label: str) -> VoteResult:
    cursor.execute("INSERT INTO options (id, label) VALUES (%s, %s)", (option_id, label))
    return accepted("Option added.")


def _insert_vote(cursor, voter_id: str | None, option_id: str | None) -> VoteResult:
    cursor.execute("INSERT INTO votes (voter_id, option_id) VALUES (%s, %s)", (voter_id, option_id))
    return accepted()
