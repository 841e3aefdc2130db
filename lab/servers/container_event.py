"""One raw event of Docker's stream, read one way for the monitor and the show's feed.

Docker names the fields differently across API versions: the action is `Action` (or the
older `status`) and may carry a suffix after a colon ("exec_start: sh -c ..."); the container
id is `id` or `Actor.ID`; the time is `timeNano` or, in whole seconds, `time`.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ContainerEvent:
    """What happened to which container: the action, its id, its attributes (labels, name, exitCode...)."""

    action: str
    container_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    at: float | None = None  # seconds since the epoch


def parse_event(raw: dict) -> ContainerEvent:
    """The fields of a raw event from `client.events(decode=True)`, whatever the API version named them."""
    actor = raw.get("Actor") or {}
    nanoseconds = raw.get("timeNano")
    return ContainerEvent(
        action=(raw.get("Action") or raw.get("status") or "").split(":")[0],
        container_id=raw.get("id") or actor.get("ID", ""),
        attributes=actor.get("Attributes") or {},
        at=nanoseconds / 1e9 if isinstance(nanoseconds, int) else raw.get("time"),
    )
