"""A line of the show's lifecycle feed: Docker events and app events, told the same way."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedLine:
    """One line of the lifecycle feed: what happened, in words, and how it should look."""

    kind: str
    text: str
    level: str = "info"  # info, good, bad
    at: float | None = None  # seconds since the epoch; None means "now"

    def as_dict(self) -> dict:
        """The JSON the dashboard receives."""
        return {"kind": self.kind, "text": self.text, "level": self.level, "at": self.at}
