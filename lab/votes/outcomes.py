"""What a vote can come to, and how a database error maps onto that.

Errors are recognised by SQLSTATE (the code PostgreSQL sends), never by message text.
"""

from dataclasses import dataclass
from enum import StrEnum

UNIQUE_VIOLATION = "23505"
NOT_NULL_VIOLATION = "23502"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
STRING_TOO_LONG = "22001"

_CONSTRAINT_NAMES = {
    UNIQUE_VIOLATION: "UNIQUE",
    NOT_NULL_VIOLATION: "NOT NULL",
    FOREIGN_KEY_VIOLATION: "FOREIGN KEY",
    CHECK_VIOLATION: "CHECK",
    STRING_TOO_LONG: "length",
}


class Outcome(StrEnum):
    """The four things that can happen to a vote."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class VoteResult:
    """The outcome of a write, a sentence for people, and the SQLSTATE behind it if any."""

    outcome: Outcome
    message: str
    sqlstate: str | None = None

    @property
    def accepted(self) -> bool:
        """True when the write was stored."""
        return self.outcome is Outcome.ACCEPTED


def accepted(message: str = "Vote recorded.") -> VoteResult:
    """A stored write."""
    return VoteResult(Outcome.ACCEPTED, message)


def from_sqlstate(sqlstate: str | None, constraint: str | None = None) -> VoteResult:
    """Map a refused write's SQLSTATE onto an outcome with a sentence naming the rule."""
    rule = _CONSTRAINT_NAMES.get(sqlstate or "", "integrity")
    where = f" ({constraint})" if constraint else ""
    if sqlstate == UNIQUE_VIOLATION:
        return VoteResult(
            Outcome.DUPLICATE,
            f"Refused by the database's UNIQUE constraint{where}, SQLSTATE {sqlstate}.",
            sqlstate,
        )
    if sqlstate and sqlstate.startswith(("23", "22")):
        return VoteResult(Outcome.INVALID, f"Refused by the database's {rule} rule{where}, SQLSTATE {sqlstate}.", sqlstate)
    return unavailable(sqlstate)


def unavailable(sqlstate: str | None = None) -> VoteResult:
    """The database could not be reached: nothing was recorded.

    The sentence is for a phone in the audience, so it names no exception class or code;
    the SQLSTATE, when the server sent one, travels in the result for the logs.
    """
    return VoteResult(Outcome.UNAVAILABLE, "The database is unavailable: nothing was recorded.", sqlstate)
