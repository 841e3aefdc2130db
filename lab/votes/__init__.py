"""Vote stores: three implementations behind one interface.

- FantasyVoteStore: what a typical mock does; in memory, accepts anything.
- PostgresVoteStore: the real thing; PostgreSQL's constraints enforce the rules.
- NaiveVoteStore: the "buggy app" (check-then-insert, no constraints), kept only to
  prove that the reality tests catch what the fantasy tests miss.

Nothing here knows about Flask.
"""

from collections.abc import Sequence
from typing import Protocol

from lab.errors import WorkshopError
from lab.targets import check_target
from lab.votes.outcomes import Outcome, VoteResult


class StoreUnavailable(WorkshopError):
    """A read could not reach the database."""


class VoteStore(Protocol):
    """What the show, the course and the tests need from a vote store."""

    def add_option(self, option_id: str, label: str) -> VoteResult:
        """Add a choice; labels are the same option whatever their capitals."""

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        """Record one vote; one per voter, for an existing option."""

    def import_ballots(self, ballots: Sequence[tuple[str, str]]) -> VoteResult:
        """Record many votes all together, or none of them."""

    def options(self) -> dict[str, str]:
        """Option id -> label, in the order they were added."""

    def tally(self) -> dict[str, int]:
        """Option id -> number of votes, including options with none."""

    def votes_of(self, voter_id: str) -> int:
        """How many votes are stored for one voter."""

    def count(self) -> int:
        """How many votes are stored in all."""

    def reset(self, options: bool = False) -> None:
        """Forget every vote (and the options too, if asked)."""

    def warm(self) -> None:
        """Get ready for a burst of votes (open connections ahead of time)."""

    def ping(self) -> bool:
        """Whether the server answers now (a health probe: busy connections don't make it fail)."""

    def server_restarted(self) -> None:
        """The server behind the store was restarted: drop whatever was opened before."""

    def server_moved(self, settings) -> None:
        """The server was replaced by one at `settings`, on the same data: connect there from now on."""

    def close(self) -> None:
        """Release connections."""


def store_class(target: str) -> type:
    """The store class for a test target: "real" (PostgreSQL) or "naive" (the buggy app)."""
    from lab.votes.naive import NaiveVoteStore
    from lab.votes.postgres import PostgresVoteStore

    return {"real": PostgresVoteStore, "naive": NaiveVoteStore}[check_target(target)]


__all__ = ["Outcome", "StoreUnavailable", "VoteResult", "VoteStore", "store_class"]
