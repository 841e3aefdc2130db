"""Running the show: pre-flight, a real PostgreSQL (a container or an embedded process), the app under gevent, clean exit.

reality_engine.py parses the arguments and calls `run_show`; everything it prints is built
by pure functions here (`banner`) so tests read it from a Console writing to a string.
"""

import gc
import os
import resource
import signal
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group
from rich.text import Text

from lab.errors import WorkshopError
from lab.paths import SHOW_PID_FILE, pid_alive
from lab.servers.engines import ready_line, server_kind
from lab.show.resume import ResumeState, SavedShow, choose, forget, resume_dir, resume_line, save
from lab.web.config import DEFAULT_OPTIONS, DEFAULT_QUESTION, ShowConfig, new_secret, parse_options
from lab.web.join_link import allowed_origins, base_url, codespace_visibility_command, qr_matrix, qr_terminal, vote_url
from lab.web.presenter_secret import presenter_secret
from lab.web.runtime import runtime_of
from lab.web.transport.capacity import ShowServer
from lab.web.transport.open_files import connection_room, raise_open_file_limit, room_lines
from lab.web.transport.seams import check_seams

POOL_SIZE = 20
NEXT_STEPS = (  # the ready block ends with these, in order
    "Open the presenter URL in the browser on the projector.",
    "Press F for full screen.",
    "Press → to start the clock on the cold open; → again moves to the next stage.",
)
# a frozen PostgreSQL: a vote holding a connection gives up after IO_TIMEOUT, one waiting
# for a connection after POOL_WAIT (shorter: it must not inherit a freed slot only to wait
# IO_TIMEOUT again), so every phone hears "not recorded" within about 1 s
POOL_WAIT_SECONDS = 0.5
IO_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class ShowOptions:
    """What the presenter asked for on the command line."""

    host: str = "0.0.0.0"
    port: int = 5001
    public_url: str | None = None
    question: str = DEFAULT_QUESTION
    options: str = ",".join(DEFAULT_OPTIONS)
    check: bool = False
    engine: str | None = None  # docker, embedded or auto; None: TCMAGIC_ENGINE, else auto
    resume: bool = False  # carry on the show a crash interrupted (lab.show.resume)


def port_number(text: str) -> int:
    """A TCP port from the command line, 1 to 65535 (argparse turns ValueError into one line)."""
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError(text)
    return port


def presenter_url(base: str, port: int, environ: Mapping[str, str], token: str) -> str:
    """The dashboard URL for the presenter, the secret in the fragment (never sent to a server).

    The presenter's browser runs on this machine, so localhost; in a codespace this machine
    is in the cloud and the forwarded URL is the way in.
    """
    where = base if environ.get("CODESPACE_NAME") else f"http://localhost:{port}"
    return f"{where}/#token={token}"


def banner(vote: str, presenter: str, startup: dict[str, float], ready_seconds: float, make_public: str | None,
           kind: str = "container", facts: tuple[str, ...] = ()) -> Group:
    """What the terminal shows once the show is up: URLs, QR code, timings, the Codespaces hint."""
    lines = [
        Text.from_markup("[bold green]The show is live.[/]"),
        Text("Audience URL (the QR code points here):"),
        Text(f"  {vote}", style="bold", no_wrap=True, overflow="ignore"),
        Text("Presenter URL (carries the secret: open it on the projector, keep it off slides and chat):"),
        Text(f"  {presenter}", style="bold yellow", no_wrap=True, overflow="ignore"),
    ]
    for role, seconds in startup.items():
        lines.append(Text(ready_line(role, seconds, kind, digits=2)))
    lines.append(Text(f"Show ready {ready_seconds:.2f} s after start.  Ctrl+C ends it and removes its servers."))
    lines.extend(Text(fact) for fact in facts)  # capacity, the run id and how to resume it
    if make_public:
        lines.append(Text("Codespaces forwards ports privately, which turns every phone away. Make it public:", style="bold red"))
        lines.append(Text(f"  {make_public}", style="bold", no_wrap=True, overflow="ignore"))
    lines.append(Text(qr_terminal(qr_matrix(vote)), no_wrap=True, overflow="ignore"))
    lines.append(Text("Next:", style="bold green"))
    lines.extend(Text(f"  {number}. {step}") for number, step in enumerate(NEXT_STEPS, start=1))
    return Group(*lines)


def gone(service) -> str:
    """How a server of the show went away, for the terminal: "container is removed", or for a process."""
    return "container is removed" if server_kind(service) == "container" else "process is stopped and its data deleted"


@contextmanager
def pid_file(path: Path = SHOW_PID_FILE) -> Iterator[Path]:
    """Write our pid to `path` (for cleanup.py) while the show runs; remove it at exit.

    A file naming another live show is left alone: that show keeps its entry.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    ours = str(os.getpid())
    if not (path.exists() and _names_live_pid(path.read_text()) and path.read_text().strip() != ours):
        path.write_text(ours)
    try:
        yield path
    finally:
        if path.exists() and path.read_text().strip() == ours:
            path.unlink()


def make_cooperative() -> None:
    """Let psycopg2 wait for PostgreSQL without blocking other greenlets, and never forever (see docs/presenter.md).

    The deadline's wait callback selects through gevent's patched select(), which makes it
    cooperative the way psycogreen's is (lab.votes.deadline).
    """
    from lab.votes.deadline import install

    install()


def run_show(options: ShowOptions, console: Console, environ: Mapping[str, str] = os.environ) -> int:
    """Choose the engine, pre-flight, start PostgreSQL, serve until Ctrl+C or SIGTERM, then remove the servers."""
    from lab.classroom.doctor import preflight, report, run_checks
    from lab.servers.engines import engine_choice, fallback_meaning, select_engine

    started = time.perf_counter()
    open_files = raise_open_file_limit()
    if options.check:
        choice = engine_choice(options.engine, environ)
        docker = choice != "embedded"
        return report(run_checks(port=options.port, pull_missing=docker, console=console, docker=docker,
                                 fallback=fallback_meaning(choice, "show", environ)), console)
    states = resume_dir(environ)
    resumed = _resumable(states, console) if options.resume else None  # a running show's data is never taken
    saved = resumed.state if resumed else None
    labels = saved.options if saved else parse_options(options.options)
    token = presenter_secret(environ)  # a weak PRESENTER_TOKEN is refused before anything starts
    check_seams()  # so is a library upgraded under the show's hooks (create_app checks again)
    engine_name = options.engine or (saved.postgres["engine"] if saved else None)  # resume where the data is
    engine = select_engine(engine_name, purpose="show", console=console, environ=environ)
    kind = server_kind(engine)
    console.print("Pre-flight checks: Docker, images, port..." if kind == "container" else "Pre-flight checks: port...")
    preflight(options.port, console, docker=kind == "container")
    console.print("Pre-flight checks passed.")
    make_cooperative()
    containers_from = time.time()
    with console.status(f"Starting PostgreSQL ({kind})..."):
        service, store = _start_database(engine, saved)
    app, state_path = None, None
    try:
        state = ResumeState(engine.run_id, saved.question if saved else options.question, labels,
                            saved.secret_key if saved else new_secret(), service.durable.to_dict(),
                            pid=os.getpid(), saved_at=time.time())
        state_path = save(state, states)
        if resumed:
            forget(resumed.path)  # this run holds the data now: its own file says so
        app, config = _build_app(options, state, token, engine, service, store, environ, containers_from,
                                 connection_room(open_files), resumed=saved is not None)
        facts = (*room_lines(open_files, resource.getrlimit(resource.RLIMIT_NOFILE)[1]), resume_line(engine.run_id))
        presenter = presenter_url(config.base_url, options.port, environ, config.presenter_token)
        make_public = codespace_visibility_command(options.port, environ)
        with pid_file():
            _serve(app, options, config.max_connections, lambda: console.print(banner(
                vote_url(config.base_url), presenter, config.startup, time.perf_counter() - started, make_public, kind,
                facts,
            )))
    finally:
        _shut_down(app, service, store, console, state_path)
    return 0


def _resumable(states: Path, console: Console) -> SavedShow:
    """The latest crashed run, announced with the other runs saved; one sentence when none may be resumed."""
    chosen, lines = choose(states)
    for line in lines:
        console.print(line, markup=False, highlight=False)
    return chosen


def _start_database(engine, saved: ResumeState | None):
    from lab.servers.durable import DurableData
    from lab.votes.postgres import PostgresVoteStore

    service = engine.start_postgres(durable=True, resume=DurableData.from_dict(saved.postgres) if saved else None)
    try:
        store = PostgresVoteStore(service.settings, pool_size=POOL_SIZE, wait_timeout=POOL_WAIT_SECONDS,
                                  io_timeout=IO_TIMEOUT_SECONDS)
        store.warm()
    except BaseException:
        service.remove(keep_data=saved is not None)  # the votes of a crashed show stay for another try
        raise
    return service, store


def _build_app(options: ShowOptions, state: ResumeState, token: str, engine, service, store, environ,
               containers_from: float, max_connections: int, resumed: bool):
    from lab.votes.fantasy import FantasyVoteStore
    from lab.web import create_app

    base = base_url(options.port, options.public_url, environ)
    config = ShowConfig(
        real_store=store,
        fantasy_store=FantasyVoteStore(),
        question=state.question,
        options=state.options,
        secret_key=state.secret_key,  # the same after a crash: phones that voted are still known
        resumed=resumed,
        base_url=base,
        allowed_origins=allowed_origins(base, options.port),
        presenter_token=token,
        async_mode="gevent",
        docker_client=getattr(engine, "client", None),  # None on the embedded engine: no Docker events
        run_id=engine.run_id,
        events_since=containers_from,  # the feed opens with the container's create and start
        startup={"PostgreSQL": service.startup_seconds},
        engine=engine,  # starts Redis when the presenter turns the rate limit on
        postgres_service=service,  # for the chaos actions
        max_connections=max_connections,
    )
    return create_app(config), config


def _serve(app, options: ShowOptions, room: int | None, announce) -> None:
    import gevent

    server = ShowServer((options.host, options.port), app, room=room, secret=runtime_of(app).secret, log=None)
    try:
        server.start()
    except OSError as error:
        raise WorkshopError(
            f"Port {options.port} could not be opened ({error.strerror}): choose another with --port {options.port + 1}."
        ) from error
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C, cleanup.py: stop serving, then clean up
        gevent.signal_handler(signum, lambda: gevent.spawn(server.stop, timeout=1))
    announce()
    compile_templates(app)
    settle_collector()
    server.serve_forever()


def compile_templates(app) -> None:
    """Compile every page's template before the first phone asks for one.

    Jinja compiles a template the first time it is rendered: 60 ms for the vote page,
    measured inside the first vote's wait under the hostile benchmark's flood.
    """
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


GC_THRESHOLDS = (50_000, 20, 10)  # Python's default is (700, 10, 10)


def settle_collector() -> None:
    """Keep Python's garbage collector out of the votes' way while the show serves.

    Measured in the show with 1,000 phone sockets and 1,000 phones voting: three full
    collections in the run, 36-91 ms each, every request waiting meanwhile (the votes'
    p99 is made of such pauses). What start-up built (modules, the app: 78,000 objects)
    lives as long as the show, so it is frozen out of every collection; the youngest
    generation is collected every 50,000 allocations instead of 700, so the older ones
    fill far more slowly. Measured the same way: no full collection until the show ended,
    and 3 MB more at the peak (cycles that wait longer to be collected).
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _shut_down(app, service, store, console: Console, state_path: Path | None = None) -> None:
    """Remove the servers, their data and this run's resume state, then say so: a closed pipe (`| tee log`, then
    Ctrl+C) can't cut the clean-up short. Another run's resume state is never touched."""
    from lab.web import runtime_of, shutdown

    redis = runtime_of(app).services.redis if app is not None else None  # started by the rate limit, if at all
    try:
        if app is not None:
            shutdown(app)
        else:
            store.close()
    finally:
        try:
            service.remove()  # with its data: a show that ended normally has nothing to resume
        finally:
            try:
                if redis is not None:
                    redis.remove()
            finally:
                if state_path is not None:
                    forget(state_path)
    say(console, f"Show ended: the PostgreSQL {gone(service)}.", *([f"The Redis {gone(redis)}."] if redis else []))


def say(console: Console, *lines: str) -> None:
    """Print `lines`; if nobody reads our output any more (a broken pipe), stop printing, quietly."""
    try:
        for line in lines:
            console.print(line)
    except (OSError, SystemExit):  # Rich answers a broken pipe with SystemExit, once stdout points to /dev/null
        pass


def _names_live_pid(text: str) -> bool:
    """True when `text` is the pid of a process that runs now."""
    return text.strip().isdigit() and pid_alive(int(text.strip()))
