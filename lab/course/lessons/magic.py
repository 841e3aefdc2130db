"""Lesson 2, The Magic: a real PostgreSQL in a throwaway container refuses the duplicate.

Without Docker the PostgreSQL is an embedded local process: the refusal is shown all the
same, then the lesson says that its container part needs Docker and stays on the list.
"""

import time

import docker.errors
from rich.table import Table

from lab.concurrency import at_once
from lab.course.lessons.common import live_view
from lab.course.specimens import BackgroundCall
from lab.course.startup_view import ContainerEvents, events_table, processes_table
from lab.errors import WorkshopError
from lab.servers.containers import READY_TIMEOUT
from lab.servers.engines import server_kind
from lab.votes import StoreUnavailable
from lab.votes.outcomes import VoteResult
from lab.votes.postgres import PostgresVoteStore
from lab.waiting import WaitTimeout, wait_for

TITLE = "The Magic"
MINUTES = 2
VANISHED_STATES = {"removed", "removing", "exited", "dead"}  # Docker's words and the embedded engine's


def attempts_table(attempts: list[tuple[str, VoteResult]]) -> Table:
    """Each write, what the database answered, and the SQLSTATE behind a refusal."""
    table = Table(title="What PostgreSQL answered", title_justify="left")
    for column in ("attempt", "outcome", "SQLSTATE", "message"):
        table.add_column(column)
    for label, result in attempts:
        style = "green" if result.accepted else "bold red"
        table.add_row(label, f"[{style}]{result.outcome.value}[/]", result.sqlstate or "", result.message)
    return table


def run(ctx) -> None:
    """Start PostgreSQL live, vote twice from one phone, and watch the constraint refuse it."""
    say = ctx.console.print
    if ctx.lab.has_docker():
        say("Now the same app against a real PostgreSQL, started by testcontainers in a throwaway container.")
        say("[bold]Tip:[/] open a second terminal and run [bold cyan]python3 watch_containers.py[/] to watch it appear.")
    else:
        say("Now the same app against a real PostgreSQL. Docker is not running here, so PostgreSQL starts as a "
            "local process (the embedded engine), not in a container; what the database refuses is the same.")
    ctx.prompt.pause("start PostgreSQL")
    service, seconds = start_in_view(ctx)
    ctx.measurements["postgres_start"] = seconds
    say(f"[green]PostgreSQL is up[/] in [bold]{seconds:.2f} s[/] (from the start call until it answered a query): "
        f"{where(service)}.")
    ctx.prompt.pause("vote twice from one phone")

    store = open_store(service)
    try:
        store.add_option("containers", "Testcontainers")
        store.add_option("mocks", "Mocks")
        first = store.vote("phone-1", "containers")
        second = store.vote("phone-1", "mocks")
        taps = at_once(20, lambda: store.vote("phone-2", "containers"))
        accepted = sum(result.accepted for result in taps)
        refusal = next((result for result in taps if not result.accepted), second)
        say(attempts_table([("phone-1, 1st vote", first), ("phone-1, 2nd vote", second), ("phone-2, 20 taps at once", refusal)]))
        say(f"Of phone-2's 20 simultaneous taps, {accepted} got in and {len(taps) - accepted} were refused. "
            f"Rows stored: phone-1 [bold]{store.votes_of('phone-1')}[/], phone-2 [bold]{store.votes_of('phone-2')}[/].")
        say(f"SQLSTATE {second.sqlstate or '?'} is PostgreSQL's unique_violation: the rule lives in the database, "
            "so no code path, race or second server can get around it. A test can only see that against the real thing.")
        store.reset(options=True)
    finally:
        store.close()
    if not ctx.lab.has_docker():
        say("What testcontainers adds around this database (the throwaway container, its labels, "
            "watch_containers.py showing it come and go) is what you did not see here.")
    ctx.lab.require_docker("The container part of this lesson")


def open_store(service) -> PostgresVoteStore:
    """The lesson's vote store on `service`; a server that vanished meanwhile is called that, not a schema problem."""
    try:
        return PostgresVoteStore(service.settings)
    except StoreUnavailable as error:
        state = service.status()
        if state not in VANISHED_STATES:
            raise
        raise WorkshopError(f"The lesson's PostgreSQL {server_kind(service)} vanished (status: {state}; removed by "
                            "hand or by a clean-up, or it crashed): run `python3 workshop.py --lesson 2` to start "
                            "a new one.") from error


def start_in_view(ctx):
    """Start the course's PostgreSQL while a live view shows it come up: Docker's events, or the processes.

    Returns the server and the seconds until it answered, the figure the view's "ready" row shows.
    """
    engine = ctx.lab.engine()
    events = None
    if ctx.lab.has_docker():
        try:
            events = ContainerEvents(engine.client, engine.run_id, "postgres")
        except (docker.errors.DockerException, OSError):  # no event stream: a plain spinner says enough
            service = ctx.lab.start("postgres")
            return service, service.startup_seconds
    started = time.time()  # the origin of every figure in the view, and of the one returned
    starting = BackgroundCall(lambda: ctx.lab.launch("postgres"))

    def view():
        ready_after = starting.seconds() if starting.returned() else None
        if events is None:
            return processes_table(ctx.lab.servers(), started, ready_after, time.time())
        return events_table(list(events.events), started, ready_after, time.time())

    try:
        with live_view(ctx, view):
            wait_for(starting.returned, "PostgreSQL to start", timeout=READY_TIMEOUT + 30, interval=0.05)
            if events is not None:
                _await_start_event(events)
    finally:
        if events is not None:
            events.close()
    return starting.value(), starting.seconds()


def _await_start_event(events: ContainerEvents) -> None:
    """Docker may hand over the start event just after the server answered; the view waits a little for it."""
    try:
        wait_for(lambda: events.seen("start"), "Docker's start event", timeout=5, interval=0.05)
    except WaitTimeout:
        pass  # the table shows what did arrive; nothing else depends on it


def where(service) -> str:
    """Where the server runs, in words: the container and its port, or the local process."""
    if service.engine != "docker":
        return f"embedded process {service.container_id}, port {service.settings.port}"
    return (f"container {service.name}, port {service.settings.port}; its labels (above) are how "
            "watch_containers.py and cleanup.py find it")
