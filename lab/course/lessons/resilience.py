"""Lesson 8, Resilience: kill Redis, watch the rate limiter fail open, bring it back."""

import time

from rich.table import Table

from lab.ratelimit.limiters import RateDecision, RedisRateLimiter, redis_client

TITLE = "Resilience: kill Redis, fail open, recover"
MINUTES = 1


def attempts_table(attempts: list[tuple[str, RateDecision, float]]) -> Table:
    """Each vote attempt: when, what the limiter decided, how long it took."""
    table = Table(title="Vote attempts through the rate limiter (3 a minute per phone)", title_justify="left")
    for column in ("phase", "decision"):
        table.add_column(column, justify="left")
    for column in ("count in Redis", "ms"):
        table.add_column(column, justify="right")
    for phase, decision, ms in attempts:
        if decision.degraded:
            words = "[yellow]allowed, degraded (failed open)[/]"
        else:
            words = "[green]allowed[/]" if decision.allowed else "[red]refused (limit)[/]"
        table.add_row(phase, words, str(decision.count) if not decision.degraded else "-", f"{ms:.1f}")
    return table


def run(ctx) -> None:
    """Start a Redis of our own, kill it mid-vote, recover it, and show every decision."""
    say = ctx.console.print
    say("The limiter counts votes in Redis. If Redis dies, should voting stop? Here the answer is no: it fails open, "
        "lets votes through (the database still refuses duplicates) and says it is degraded.")
    service = ctx.lab.start("redis", keep=False)
    try:
        limiter = RedisRateLimiter(redis_client(service.settings), limit=3, window=60)
        attempts = []

        def attempt(phase: str) -> None:
            started = time.perf_counter()
            decision = limiter.hit("phone-1")
            attempts.append((phase, decision, (time.perf_counter() - started) * 1000))

        for _ in range(2):
            attempt("Redis up")
        with ctx.busy(f"{'docker kill' if ctx.lab.has_docker() else 'SIGKILL'} (Redis dies at once)..."):
            service.kill()
        for _ in range(2):
            attempt(f"Redis {service.status()}")
        with ctx.busy("Bringing Redis back..."):
            recovered = service.recover()
        for _ in range(4):
            attempt("Redis back")
        say(attempts_table(attempts))
        say(f"Redis answered again {recovered:.2f} s after the restart began, and counting resumed from zero "
            "(it keeps no data), so the limit holds again. A test against a mock can't kill anything; this one killed a real server.")
    finally:
        with ctx.busy("Removing this lesson's Redis..."):
            ctx.lab.release(service)
