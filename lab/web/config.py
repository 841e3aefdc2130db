"""What the show app is built from: the question, the options, the URLs, the secret, the stores.

`create_app(ShowConfig(...))` builds one app; tests build their own against their own
containers. Stores, the engine that starts Redis, the services chaos acts on and the test
runner are injected, typed by their protocols, so tests use their own containers (or fakes)
and any engine whose services have the same methods plugs in.
"""

import re
import secrets
from dataclasses import dataclass, field

import docker

from lab.errors import WorkshopError
from lab.ratelimit.limiters import RateLimiter
from lab.servers.engines import Engine, RunningService
from lab.testruns.paired import TestComparison
from lab.votes import VoteStore

DEFAULT_QUESTION = "What would you trust before shipping on Friday?"
DEFAULT_OPTIONS = ("Mocks", "Real containers", "Prayer")
MAX_BODY_BYTES = 4096
ASYNC_MODES = ("gevent", "threading")


def new_secret() -> str:
    """A fresh random secret: unguessable, URL-safe."""
    return secrets.token_urlsafe(24)


def option_id(label: str) -> str:
    """A short stable id for an option label: lowercase letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:32].strip("-")
    return slug or "option"


def parse_options(labels: list[str] | tuple[str, ...] | str) -> dict[str, str]:
    """Option id -> label from labels (or one comma-separated string); refuses empties and repeats."""
    if isinstance(labels, str):
        labels = labels.split(",")
    cleaned = [label.strip() for label in labels if label.strip()]
    if len(cleaned) < 2:
        raise WorkshopError("A vote needs at least two options: pass --options 'A,B'.")
    options: dict[str, str] = {}
    for label in cleaned:
        if len(label) > 80:
            raise WorkshopError(f"Option {label[:20]!r}... is longer than 80 characters: shorten it in --options.")
        key, base, number = option_id(label), option_id(label), 2
        while key in options:
            key, number = f"{base[:29]}-{number}", number + 1
        if any(existing.lower() == label.lower() for existing in options.values()):
            raise WorkshopError(f"Option {label!r} is listed twice: each option in --options must differ.")
        options[key] = label
    return options


@dataclass
class ShowConfig:
    """Everything create_app needs: the stores and services are handed in, built."""

    real_store: VoteStore
    fantasy_store: VoteStore
    question: str = DEFAULT_QUESTION
    options: dict[str, str] = field(default_factory=lambda: parse_options(DEFAULT_OPTIONS))
    base_url: str = "http://127.0.0.1:5001"
    allowed_origins: list[str] = field(default_factory=list)
    presenter_token: str = field(default_factory=new_secret)
    secret_key: str = field(default_factory=new_secret)
    async_mode: str = "threading"
    results_interval: float = 0.1  # coalesce results and feed broadcasts: at most 10 a second
    rate_limiter: RateLimiter | None = None  # a fixed limiter, always on
    engine: Engine | None = None  # starts Redis when the presenter turns the rate limit on
    postgres_service: RunningService | None = None  # the server behind real_store, for chaos (kill, recover)
    comparison: TestComparison | None = None  # None makes a real one
    docker_client: docker.DockerClient | None = None  # set to stream Docker events of `run_id` into the feed
    run_id: str | None = None
    events_since: float | None = None  # replay Docker events from here (seconds since the epoch)
    startup: dict[str, float] = field(default_factory=dict)  # server role -> start-up seconds
    max_connections: int | None = None  # the room: connections open at once; None: no cap (lab.web.transport.capacity)
    resumed: bool = False  # the real store holds a crashed show's votes: keep them (lab.show.resume)

    def __post_init__(self) -> None:
        if self.async_mode not in ASYNC_MODES:
            raise WorkshopError(f"Unknown async mode {self.async_mode!r}: use one of {', '.join(ASYNC_MODES)}.")
        if not self.question.strip():
            raise WorkshopError("The question is empty: pass --question 'Your question?'.")
