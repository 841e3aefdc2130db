"""A durable PostgreSQL's data and login: what a run needs to resume after a crash.

The show asks for `engine.start_postgres(durable=True)`, saves `service.durable.to_dict()`
in a file only its user can read (mode 0600, under .tcmagic/), and after a SIGKILL starts
again with `engine.start_postgres(durable=True, resume=DurableData.from_dict(saved))`.
"""

from dataclasses import asdict, dataclass, field

from lab.errors import WorkshopError


class ResumeUnavailable(WorkshopError):
    """The data a run wants to resume from is gone."""


@dataclass(frozen=True)
class DurableData:
    """Where a durable PostgreSQL keeps its data (a Docker volume or a directory) and its login."""

    engine: str  # "docker" or "embedded"
    location: str  # the Docker volume's name, or the embedded server's directory
    user: str
    password: str = field(repr=False)
    dbname: str

    def to_dict(self) -> dict[str, str]:
        """The fields as a dict, for a JSON state file (it holds the password: mode 0600)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: dict) -> "DurableData":
        """The data a `to_dict()` result describes."""
        return cls(**{name: str(saved[name]) for name in cls.__dataclass_fields__})

    def check_engine(self, engine: str) -> None:
        """Raise ResumeUnavailable unless this data was made by `engine` ("docker" or "embedded")."""
        if self.engine != engine:
            raise ResumeUnavailable(f"The saved PostgreSQL data was made by the {self.engine} engine: resume "
                                    f"with --engine {self.engine}, or start a new run.")

    def gone(self) -> ResumeUnavailable:
        """The error to raise when this data no longer exists."""
        return ResumeUnavailable(f"The saved PostgreSQL data {self.location} is gone (removed by cleanup.py or "
                                 "by hand): start a new run instead of resuming.")
