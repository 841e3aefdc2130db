"""The servers behind the show, and what the presenter does to them: rate limit and chaos.

PostgreSQL is started before the app (it holds the votes); Redis only when the presenter
turns the rate limit on, through the show's engine (Docker containers or embedded
processes: their services have the same kill / pause / recover methods). Turning the limit
off keeps Redis running, so turning it on again is instant; it is removed when the show ends.
A watcher pings Redis twice a second while the limit is on, so the dashboard's
"degraded" banner appears when Redis dies and clears when it is back, votes or not.

This object also owns the components' state (the banner): it posts to the feed and sends
"status" itself, and nothing here calls back into the show.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.errors import WorkshopError
from lab.ratelimit.failopen import FailOpenLimiter
from lab.ratelimit.limiters import RateLimiter, RedisRateLimiter, redis_client
from lab.servers.engines import Engine, RunningService, duration_words, ready_line, server_kind
from lab.settings import RedisSettings
from lab.show.broadcast import Broadcaster
from lab.show.feed import Feed, FeedLine
from lab.votes import VoteStore

LIMIT, WINDOW = 3, 60.0
WATCH_INTERVAL = 0.5
CHAOS_ACTIONS = ("kill-redis", "pause-redis", "recover", "kill-postgres")


class ServiceProblem(Exception):
    """A rate-limit or chaos request that can't be carried out now; the message says why."""


@dataclass(eq=False)
class ShowServices:
    """Redis for the rate limit (started on demand), PostgreSQL's health, and chaos on both."""

    feed: Feed
    broadcaster: Broadcaster
    real_store: VoteStore
    start_task: Callable
    sleep: Callable[[float], None]
    engine: Engine | None = None
    postgres: RunningService | None = None
    fixed_limiter: RateLimiter | None = None
    redis: RunningService | None = field(default=None, init=False)
    limiter: FailOpenLimiter | None = field(default=None, init=False)
    enabled: bool = field(default=False, init=False)
    database_up: bool = field(default=True, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _watching: bool = field(default=False, init=False)
    _stopped: bool = field(default=False, init=False)
    _tasks_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _probing: bool = field(default=False, init=False)

    def active_limiter(self) -> RateLimiter | None:
        """The limiter votes go through now: a fixed one, Redis while the limit is on, or None."""
        if self.fixed_limiter is not None:
            return self.fixed_limiter
        return self.limiter if self.enabled else None

    def status(self) -> dict:
        """What the dashboard's banner and controls show."""
        return {
            "rate_limit": {"enabled": self.enabled, "degraded": bool(self.enabled and self.limiter and self.limiter.degraded),
                           "limit": LIMIT, "window": WINDOW},
            "redis": "absent" if self.redis is None else ("down" if self.limiter and self.limiter.degraded else "up"),
            "postgres": "up" if self.database_up else "down",
        }

    def status_changed(self) -> None:
        """Tell every dashboard the components' state (rare: on/off, death, recovery)."""
        self.broadcaster.send("status", self.status())

    def track_database(self, up: bool) -> None:
        """Note whether PostgreSQL answers; a change goes to the feed and the banner."""
        if up == self.database_up:
            return
        self.database_up = up
        if up:
            self.feed.post(FeedLine("component-back", "PostgreSQL is back: votes are recorded again", "good"))
        else:
            self.feed.post(FeedLine("component-down", "PostgreSQL is down: votes are refused with 503, nothing half-recorded", "bad"))
        self.status_changed()
        self.broadcaster.results_changed()  # the totals read "unreachable" while it is down, and the count once back

    def database_unsure(self) -> None:
        """A vote could not reach PostgreSQL: probe it in the background, once at a time.

        A full pool or a slow answer is not a dead server: only a failed probe (a connection
        of its own, lab.votes.pool) declares PostgreSQL down, and while it is down the probe
        repeats, so "back" shows even when nobody votes.
        """
        self._start_once("_probing", self._probe_database)

    def _probe_database(self) -> None:
        try:
            while not self._stopped:
                up = self.real_store.ping()
                self.track_database(up)
                if up:
                    return
                self.sleep(WATCH_INTERVAL)
        finally:
            self._probing = False

    def set_rate_limit(self, enabled: bool) -> dict:
        """Turn the rate limit on (starting or recovering Redis first) or off."""
        with self._lock:
            started = None
            if enabled:
                started = self._ensure_redis()
            self.enabled = enabled
        if enabled:
            line = f"Rate limit on: {LIMIT} votes a minute per voter, counted in Redis"
            self.feed.post(FeedLine("rate-limit-on", line, "good"))
            self._ensure_watching()
        else:
            self.feed.post(FeedLine("rate-limit-off", "Rate limit off: every vote goes straight to PostgreSQL", "info"))
        self.status_changed()
        answer: dict[str, object] = {"enabled": enabled, "limit": LIMIT, "window": WINDOW}
        if started is not None:
            answer["redis_startup_seconds"] = round(started, 2)
            answer["said"] = f"Redis ready in {duration_words(started)}: {LIMIT} votes every {WINDOW:g} s per phone"
        return answer

    def chaos(self, action: str) -> dict:
        """Kill or pause a server, or bring back whatever is down."""
        with self._lock:  # one chaos action at a time: two recovers must not start a server twice
            if action == "recover":
                recovered = self._recover()
                return {"recovered": recovered, "said": recovered_words(recovered)}
            return self._break(action)

    def reset(self) -> dict[str, float]:
        """As the show started, on the same servers: each one running, the rate limit off, its counters cleared.

        Returns the seconds until each server that was down answered again. Redis, once
        started, is kept (turning the limit on stays instant).
        """
        with self._lock:
            recovered = {role: round(self._bring_back(role, service), 2) for role, service in self._down()}
            self.enabled = False
            if self.limiter is not None:
                self.limiter.reset()
        self.status_changed()
        return recovered

    def _down(self) -> list[tuple[str, RunningService]]:
        """The show's servers that are not running now (killed or paused), by role."""
        services = (("redis", self.redis), ("postgres", self.postgres))
        return [(role, service) for role, service in services if service is not None and service.status() != "running"]

    def _break(self, action: str) -> dict:
        role = action.split("-", 1)[1]
        service = self.redis if role == "redis" else self.postgres
        if service is None:
            raise ServiceProblem(
                "Redis is not running: turn the rate limit on first." if role == "redis"
                else "This show has no PostgreSQL service to break (it was started without one)."
            )
        state = service.status()
        if state != "running":
            raise ServiceProblem(f"{_name(role)} is {state} already: recover it first.")
        verb = action.split("-", 1)[0]
        getattr(service, verb)()
        self.feed.post(FeedLine("chaos", chaos_line(role, verb, service), "bad"))
        if role == "postgres":
            self.track_database(False)
        elif self.limiter is not None:
            self.limiter.probe()  # the banner shows at once, not at the next vote
        self.status_changed()
        return {"component": role, "state": service.status()}

    def stop(self) -> None:
        """End the watcher (the services themselves belong to whoever started the show)."""
        self._stopped = True

    def _ensure_redis(self) -> float | None:
        if self.redis is None:
            return self._start_redis()
        if self.redis.status() != "running":
            return self._bring_back("redis", self.redis)
        return None

    def _start_redis(self) -> float:
        if self.engine is None:
            raise ServiceProblem("This show has no engine to start Redis with.")
        self.redis = self.engine.start_redis()
        settings = self.redis.settings
        assert isinstance(settings, RedisSettings)  # start_redis starts Redis
        client = redis_client(settings)
        self.limiter = FailOpenLimiter(
            RedisRateLimiter(client, limit=LIMIT, window=WINDOW), ping=client.ping, on_change=self._redis_changed
        )
        ready = ready_line("Redis", self.redis.startup_seconds, server_kind(self.redis))
        self.feed.post(FeedLine("startup", ready, "good"))
        return self.redis.startup_seconds

    def _recover(self) -> dict:
        recovered = {role: round(self._bring_back(role, service), 2) for role, service in self._down()}
        if not recovered:
            self.feed.post(FeedLine("chaos", "Recover: everything is already running", "info"))
        self.status_changed()
        return recovered

    def _bring_back(self, role: str, service: RunningService) -> float:
        if service.status() == "removed":
            return self._replace(role)
        try:
            seconds = service.recover()
        except WorkshopError:
            raise
        except Exception as error:  # the engine's own error (Docker's API): one sentence, not a 500
            raise ServiceProblem(f"{_name(role)} could not be brought back ({error.__class__.__name__}): "
                                 "check `docker ps`, then press U again.") from error
        if role == "postgres":
            self.real_store.server_restarted()  # connections opened before the restart are dead
            self.track_database(True)
            self.broadcaster.results_changed()  # a tally that failed on a dead connection meanwhile is stale
        elif self.limiter is not None:
            self.limiter.probe()
        self.feed.post(FeedLine("recovered", f"{_name(role)} recovered in {duration_words(seconds)}", "good"))
        return seconds

    def _replace(self, role: str) -> float:
        """A server someone removed from outside the show: a new Redis, or a new PostgreSQL on the old one's data."""
        if role == "postgres":
            seconds = self._replace_postgres()
        else:
            self.redis = None  # the removed one: a new one, with a limiter of its own
            seconds = self._start_redis()
        self.feed.post(FeedLine("recovered", f"{_name(role)} was removed from outside the show: a new one answered in "
                                f"{duration_words(seconds)}", "good"))
        return seconds

    def _replace_postgres(self) -> float:
        data = self.postgres.durable if self.postgres is not None else None
        if data is None or self.engine is None:
            raise ServiceProblem("PostgreSQL was removed from outside the show and kept no data to start again from: "
                                 "end the show with Ctrl+C and start a new one.")
        self.postgres = self.engine.start_postgres(durable=True, resume=data)  # the votes are on the data, kept
        self.real_store.server_moved(self.postgres.settings)
        self.track_database(True)
        self.broadcaster.results_changed()
        return self.postgres.startup_seconds

    def _redis_changed(self, degraded: bool) -> None:
        if not degraded and self.limiter is not None:  # idle connections opened before a restart are dead: each would fail once
            self.limiter.reconnect()
        if not self.enabled:
            return
        if degraded:
            line = "Redis does not answer: rate limit off, votes still counted (fail open)"
            self.feed.post(FeedLine("component-down", line, "bad"))
        else:
            self.feed.post(FeedLine("component-back", "Redis is back: rate limit on again", "good"))
        self.status_changed()

    def _ensure_watching(self) -> None:
        self._start_once("_watching", self._watch)

    def _start_once(self, running: str, task: Callable[[], None]) -> None:
        """Start `task` in the background unless the flag named `running` says it runs already (or the show ended)."""
        with self._tasks_lock:  # not self._lock: a vote must not wait for a chaos action to finish
            if getattr(self, running) or self._stopped:
                return
            setattr(self, running, True)
        self.start_task(task)

    def _watch(self) -> None:
        while not self._stopped:
            self.sleep(WATCH_INTERVAL)
            if self.enabled and not self._stopped and self.limiter is not None:
                self.limiter.probe()  # at most the client's 0.25 s timeout, no retries


CHAOS_WORDS = {
    # Docker's own events add the container's death to the feed; a process has no such stream,
    # so its line says what was done to it.
    "container": {"kill": "killed (docker kill: connections refused)",
                  "pause": "paused (docker pause: frozen, requests hang)"},
    "embedded process": {"kill": "process killed (SIGKILL: connections refused)",
                         "pause": "process paused (SIGSTOP: frozen, requests hang)"},
}


def chaos_line(role: str, verb: str, service: RunningService) -> str:
    """The feed line for a chaos action: "Chaos: Redis process killed (SIGKILL: connections refused)"."""
    return f"Chaos: {_name(role)} {CHAOS_WORDS[server_kind(service)][verb]}"


def recovered_words(recovered: dict[str, float]) -> str:
    """What a recover did, for the presenter's toast: "Recovered: Redis in 1.2 s, PostgreSQL in 0.8 s"."""
    if not recovered:
        return "Nothing was down."
    return "Recovered: " + ", ".join(f"{_name(role)} in {duration_words(seconds)}" for role, seconds in recovered.items())


def _name(role: str) -> str:
    return {"redis": "Redis", "postgres": "PostgreSQL"}[role]
