"""Lesson 9, Slow dependencies: freeze a real Redis; a client without a timeout hangs, one with a timeout degrades."""

import redis
from rich.table import Table
from rich.text import Text

from lab.course import specimens
from lab.course.lessons.common import live_view, source_of
from lab.ratelimit.limiters import RedisRateLimiter, redis_client
from lab.waiting import WaitTimeout, wait_for

TITLE = "Slow dependencies: timeouts"
MINUTES = 2
WATCH_SECONDS = 4.0  # how long the lesson watches the client without a timeout before it stops watching
WAKE_SECONDS = 10.0  # how long a hung call may take to return once the server is unfrozen


def hang_line(call: specimens.BackgroundCall, bound: float) -> Text:
    """A live counter for a call that may never return: seconds waited, and a bar up to the lesson's bound."""
    waited = call.seconds()
    if call.returned():
        return Text(f"GET without a timeout: answered after {waited:.1f} s", style="green")
    line = Text("GET without a timeout: ")
    line.append("▮" * min(int(waited * 4), int(bound * 4)), style="bold red")
    line.append(f" {min(waited, bound):.1f} s, no answer")
    return line


def proof_table(rows: list[tuple[str, str, str]]) -> Table:
    """The timeout test run against the frozen Redis with each client: outcome and why."""
    table = Table(title="test_a_frozen_redis_costs_a_vote_at_most_the_timeout, Redis frozen", title_justify="left")
    for column in ("client", "outcome", "why"):
        table.add_column(column)
    for client, outcome, why in rows:
        table.add_row(client, f"[{'green' if outcome == 'passed' else 'bold red'}]{outcome}[/]", why)
    return table


def run_proof(client: redis.Redis) -> tuple[str, str]:
    """Run the timeout test once with `client`; its outcome and message."""
    try:
        specimens.test_a_frozen_redis_costs_a_vote_at_most_the_timeout(client)
    except AssertionError as error:
        return "failed", str(error)
    return "passed", "the vote went through, degraded"


def run(ctx) -> None:
    """Freeze a Redis of our own, watch both clients, prove the timeout with a test, then unfreeze."""
    say = ctx.console.print
    freeze = "docker pause" if ctx.lab.has_docker() else "SIGSTOP"
    say("A dead server is the easy case: the connection is refused at once (lesson 8). A [bold]frozen[/] one "
        "accepts the connection and never answers: a long GC pause, a full disk, a stalled VM. "
        f"We freeze a real Redis now ({freeze}) and call it with two clients: redis-py's default, which has "
        "no timeout, and the app's, which gives up after 0.25 s.")
    service = ctx.lab.start("redis", keep=False)
    patient = redis.Redis(host=service.settings.host, port=service.settings.port,
                          password=service.settings.password or None)  # redis-py's defaults: no timeout
    hasty = redis_client(service.settings)
    hung = []
    try:
        patient.ping(), hasty.ping()
        ctx.prompt.pause("freeze Redis")
        with ctx.busy(f"{freeze}: Redis freezes..."):
            service.pause()
        say(f"Redis is [bold]{service.status()}[/]: its port still accepts connections; nothing answers.")
        hung.append(specimens.BackgroundCall(lambda: patient.get("phone-1")))
        with live_view(ctx, lambda: hang_line(hung[0], WATCH_SECONDS)):
            try:
                wait_for(hung[0].returned, "the GET without a timeout", timeout=WATCH_SECONDS, interval=0.05)
            except WaitTimeout:
                pass
        if not hung[0].returned():
            say(f"Still waiting after {WATCH_SECONDS:g} s, so the lesson stopped watching. Nothing in that client "
                "would ever stop it: a web request would hang with it, then the next, until no worker is left.")
        limiter = RedisRateLimiter(hasty)
        vote = specimens.BackgroundCall(lambda: limiter.hit("phone-1"))
        wait_for(vote.returned, "the limiter with a timeout", timeout=WATCH_SECONDS, interval=0.01)
        decision = vote.value()
        words = "let the vote through, marked degraded" if decision.degraded else "answered (Redis was not frozen?)"
        say(f"With the app's client the limiter gave up after [bold]{vote.seconds() * 1000:.0f} ms[/] and {words}: "
            "the app degrades, it does not hang.")
        ctx.prompt.pause("run a test that proves the timeout")
        say(source_of(specimens.test_a_frozen_redis_costs_a_vote_at_most_the_timeout))
        rows = []
        for name, client in (("the app's (0.25 s timeout)", hasty), ("redis-py's default (none)", patient)):
            with ctx.busy(f"Running the test with {name}..."):
                rows.append((name, *run_proof(client)))
        say(proof_table(rows))
        say("The test fails with the client that has no timeout, so it can catch someone removing the timeout.")
    finally:
        if service.status() == "paused":
            with ctx.busy("Unfreezing Redis..."):
                service.unpause()
        if hung:
            try:
                wait_for(hung[0].returned, "the hung GET to return", timeout=WAKE_SECONDS, interval=0.05)
                say(f"Unfrozen, Redis answered the first GET at last, {hung[0].seconds():.1f} s after it was sent.")
            except WaitTimeout:
                pass
        patient.close()
        hasty.close()
        with ctx.busy("Removing this lesson's Redis..."):
            ctx.lab.release(service)
    say("Every call to another server needs a timeout, and the code around it needs a plan for when it fires.")
