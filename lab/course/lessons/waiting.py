"""Lesson 7, Waiting on a condition vs sleeping for a guess, on a real Redis TTL."""

import time

import redis
from rich.syntax import Syntax
from rich.table import Table

from lab.ratelimit.limiters import RedisRateLimiter
from lab.waiting import WaitTimeout, wait_for

TITLE = "Wait for a condition, never sleep for a guess"
MINUTES = 1
LESSON_DB = 9  # a logical database of its own, so counting keys counts only ours
WINDOW = 0.2
TRIES = 10

SLEEPY = f"""limiter.hit("phone-1")            # the counter lives {WINDOW} s
time.sleep({WINDOW})                    # "the window is over by now"
assert client.dbsize() == 0         # nothing left behind"""
WAITING = """limiter.hit("phone-1")
wait_for(lambda: client.dbsize() == 0, "the counter to expire", timeout=2)"""


def approaches_table(results: dict[str, tuple[int, float]], tries: int) -> Table:
    """How often each approach passed and how long one check took."""
    table = Table(title=f"The same check, {tries} times each, on a real Redis", title_justify="left")
    table.add_column("approach")
    table.add_column("passed", justify="right")
    table.add_column("seconds per check", justify="right")
    for name, (passed, seconds) in results.items():
        style = "green" if passed == tries else "bold red"
        table.add_row(name, f"[{style}]{passed} of {tries}[/]", f"{seconds:.3f}")
    return table


def run(ctx) -> None:
    """Run a sleepy TTL check and a waiting one against the course's Redis; count the passes."""
    say = ctx.console.print
    say(f"The rate limiter's counters expire after their window. A test checks that none is left behind, {WINDOW} s later:")
    say(Syntax(SLEEPY, "python"))
    settings = ctx.lab.redis().settings
    client = redis.Redis(host=settings.host, port=settings.port, db=LESSON_DB, socket_timeout=2)
    limiter = RedisRateLimiter(client, limit=3, window=WINDOW)
    results = {}
    try:
        with ctx.console.status("Sleeping for a guess..."):
            results["sleep(window), then assert"] = _tries(client, limiter, lambda: _sleepy(client, ctx.sleep))
        with ctx.console.status("Waiting on the condition..."):
            results["wait_for(condition)"] = _tries(client, limiter, lambda: _waits(client))
    finally:
        client.flushdb()
        client.close()
    say(approaches_table(results, TRIES))
    say("Redis removes an expired key when someone reads it, or in a background sweep about ten times a second; "
        "until then DBSIZE still counts it. The sleep is right on a fast laptop and wrong on a busy CI runner.")
    say("The fix waits for the condition itself, as long as it takes and no longer:")
    say(Syntax(WAITING, "python"))
    say("A mock with a fake clock never shows any of this: its counter vanishes exactly on time.")


def _tries(client, limiter, check) -> tuple[int, float]:
    passed, started = 0, time.perf_counter()
    for _ in range(TRIES):
        client.flushdb()
        limiter.hit("phone-1")
        passed += bool(check())
    return passed, (time.perf_counter() - started) / TRIES


def _sleepy(client, sleep) -> bool:
    sleep(WINDOW)
    return client.dbsize() == 0


def _waits(client) -> bool:
    try:
        return wait_for(lambda: client.dbsize() == 0, "the counter to expire", timeout=2, interval=0.01)
    except WaitTimeout:
        return False
