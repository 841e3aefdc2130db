"""The fantasy store: what a mock does. It accepts anything and counts everything.

In the show it is the "lie" beside the database's "truth": every vote is applied to
both, and the audience watches the mock count the duplicates the database refused.
"""

import threading
from collections import Counter
from collections.abc import Sequence

from lab.votes.outcomes import VoteResult, accepted


class FantasyVoteStore:
    """In-memory rows, no rules: duplicates, unknown options and nulls all get in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._options: dict[str, str] = {}
        self.rows: list[tuple[str | None, str | None]] = []
        self._per_option: Counter = Counter()  # kept as rows come: the show asks for the tally ten times a second

    def add_option(self, option_id: str, label: str) -> VoteResult:
        """Add or overwrite a choice; nothing is ever refused."""
        with self._lock:
            self._options[option_id] = label
        return accepted("Option added.")

    def vote(self, voter_id: str | None, option_id: str | None) -> VoteResult:
        """Append the vote, whatever it is."""
        with self._lock:
            self.rows.append((voter_id, option_id))
            self._per_option[option_id] += 1
        return accepted()

    def import_ballots(self, ballots: Sequence[tuple[str, str]]) -> VoteResult:
        """Append every ballot; there is no transaction to fail."""
        with self._lock:
            self.rows.extend((voter_id, option_id) for voter_id, option_id in ballots)
            self._per_option.update(option_id for _, option_id in ballots)
        return accepted(f"{len(ballots)} ballots imported.")

    def options(self) -> dict[str, str]:
        """Option id -> label."""
        with self._lock:
            return dict(self._options)

    def tally(self) -> dict[str, int]:
        """Option id -> votes, counting every row it was given."""
        with self._lock:
            return {**dict.fromkeys(self._options, 0), **self._per_option}

    def votes_of(self, voter_id: str) -> int:
        """Rows stored for one voter (more than one, when duplicates got in)."""
        with self._lock:
            return sum(1 for voter, _ in self.rows if voter == voter_id)

    def count(self) -> int:
        """Rows stored in all."""
        with self._lock:
            return len(self.rows)

    def duplicates(self) -> list[tuple[str | None, int]]:
        """Voters with more than one row: what a UNIQUE constraint would have refused."""
        with self._lock:
            counts: dict[str | None, int] = {}
            for voter, _ in self.rows:
                counts[voter] = counts.get(voter, 0) + 1
        return [(voter, n) for voter, n in counts.items() if n > 1]

    def reset(self, options: bool = False) -> None:
        """Forget the rows (and the options, if asked)."""
        with self._lock:
            self.rows.clear()
            self._per_option.clear()
            if options:
                self._options.clear()

    def warm(self) -> None:
        """Nothing to open."""

    def ping(self) -> bool:
        """There is no server to be down."""
        return True

    def server_moved(self, settings) -> None:
        """There is no server."""

    def server_restarted(self) -> None:
        """There is no server."""

    def close(self) -> None:
        """Nothing to release."""
