"""The real store: PostgreSQL enforces every rule, the code just asks and reports.

One vote per voter is a UNIQUE constraint, options exist by FOREIGN KEY, labels are
unique whatever their capitals by a unique index on lower(label), and an import is one
statement. Refusals are recognised by SQLSTATE.

Votes are written by one statement that the server refuses to store after the write's
deadline (lab.votes.deadline): a vote that reaches a server thawing from a freeze, after
its phone was told "not recorded", is not stored.
"""

from collections.abc import Sequence

from lab.votes.deadline import store_by
from lab.votes.outcomes import VoteResult, accepted, unavailable
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

# one statement, so atomic by itself; the deadline is read once (a subquery), so it stores all or nothing;
# it answers with the server's clock, to keep the connection's pairing of clocks fresh
INSERT_VOTES_IN_TIME = """
WITH stored AS (
    INSERT INTO votes (voter_id, option_id)
    SELECT ballot.voter_id, ballot.option_id
    FROM unnest(%(voters)s::text[], %(options)s::text[]) AS ballot (voter_id, option_id)
    WHERE (SELECT %(store_by)s::timestamptz IS NULL OR clock_timestamp() < %(store_by)s::timestamptz)
    RETURNING 1
)
SELECT count(*), clock_timestamp() FROM stored
"""


class PostgresVoteStore(SqlVoteStore):
    """Votes in PostgreSQL, with the constraints that make them trustworthy."""

    schema = SCHEMA

    def add_option(self, option_id: str, label: str) -> VoteResult:
        """Insert a choice; the database refuses a label that differs only in capitals."""
        return self._write(lambda cursor: _insert_option(cursor, option_id, label))

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        """Insert the vote; the database refuses a second one, an unknown option, a bad id, a late one."""
        return self._write(lambda cursor: _insert_votes_in_time(cursor, [(voter_id, option_id)], accepted()))

    def import_ballots(self, ballots: Sequence[tuple[str, str]]) -> VoteResult:
        """Insert every ballot in one statement: one refusal and none are kept."""
        result = self._write(
            lambda cursor: _insert_votes_in_time(cursor, ballots, accepted(f"{len(ballots)} ballots imported.")))
        if result.accepted:
            return result
        return VoteResult(result.outcome, f"{result.message} Nothing was imported.", result.sqlstate)


def _insert_option(cursor, option_id: str, label: str) -> VoteResult:
    cursor.execute("INSERT INTO options (id, label) VALUES (%s, %s)", (option_id, label))
    return accepted("Option added.")


def _insert_votes_in_time(cursor, ballots: Sequence[tuple[str | None, str | None]], done: VoteResult) -> VoteResult:
    """Insert `ballots` unless the server gets them after the deadline (after a freeze): then none is stored."""
    deadline = store_by(cursor.connection)
    cursor.execute(INSERT_VOTES_IN_TIME, {"voters": [voter for voter, _ in ballots],
                                          "options": [option for _, option in ballots], "store_by": deadline})
    stored, server_time = cursor.fetchone()
    if deadline is not None:
        cursor.connection.pair_clocks(server_time)
    return done if stored == len(ballots) else unavailable()
