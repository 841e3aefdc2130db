"""Load benchmark: 1,000 phones vote twice each while dashboards listen; the show vs a bare endpoint.

    python benchmarks/load.py [--phones 1000] [--dashboards 5] [--concurrency 32] [--phone-sockets N] [--json FILE]

Each phone opens /qr, votes, and votes again (the second must be refused). The show runs
for real (`reality_engine.py`, gevent, its own PostgreSQL container); the bare endpoint
(benchmarks/bare_app.py) does the same INSERT with nothing else. Targets on a 2-core
machine: accepted == phones, duplicates == phones, nothing lost or 5xx, all phones in
<= 10 s, vote p99 <= 100 ms, dashboard tally == database count, throughput >= 0.7 x bare.

With --phone-sockets N, N phone sockets (benchmarks/phone_sockets.py) listen in the
phones' room while the phones vote, the results revealed first. Further targets: every
socket stays connected and ends on the database count, results lag p95 <= 500 ms from an
accepted vote to all N sockets, server RSS <= 250 MB, throughput >= 0.85 x bare.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lab.servers.containers import DockerEngine, free_port  # noqa: E402
from lab.errors import WorkshopError  # noqa: E402
from benchmarks.loadgen import Dashboard, PhoneListeners, everyone_heard, results_lag_ms, run_phones, summarise  # noqa: E402
from lab.waiting import wait_for  # noqa: E402

from benchmarks.harness import PeakMemory, provenance, start_server, start_show, stop_server  # noqa: E402

BARE_OPTIONS = ["mocks", "real-containers", "prayer"]


def load(base: str, phones: int, options: list[str], concurrency: int, dashboards: list[Dashboard],
         listeners: PhoneListeners | None = None) -> dict:
    """Run the phones against `base`; summary, with results lag if dashboards or phone sockets listen."""
    attempts, wall = run_phones(base, phones, options, concurrency)
    figures = summarise(attempts, wall)
    accepted = figures["accepted"]
    if listeners:
        heard = wait_for(lambda: (report := listeners.report())["final_totals"] == [accepted] and report,
                         "every phone socket to hear the last vote", timeout=10)
        figures.update(phone_figures(attempts, heard))
    if dashboards:
        wait_for(lambda: all(d.seen and d.seen[-1][1] >= accepted for d in dashboards),
                 "every dashboard to show the last vote", timeout=10, ignore=(IndexError,))
        lags = [results_lag_ms(attempts, d.seen) for d in dashboards]
        figures["dashboard_lag_p50_ms"] = max(lag["p50_ms"] for lag in lags)
        figures["dashboard_lag_p99_ms"] = max(lag["p99_ms"] for lag in lags)
        figures["dashboard_tallies"] = [d.seen[-1][1] for d in dashboards]
        figures["broadcasts_per_dashboard"] = min(lag["broadcasts"] for lag in lags)
    return figures


def phone_figures(attempts: list, heard: dict) -> dict:
    """What the phone sockets saw: how many stayed, the results lag to all of them, the pace."""
    lag = results_lag_ms(attempts, everyone_heard(heard))
    return {"phone_sockets_connected": heard["connected"], "phone_sockets_closed": heard["closed"],
            "phone_sockets_compressed": heard["compressed"],
            "phone_lag_p50_ms": lag["p50_ms"], "phone_lag_p95_ms": lag["p95_ms"], "phone_lag_p99_ms": lag["p99_ms"],
            "phone_lag_max_ms": lag["max_ms"], "phone_lag_votes": lag["measured_votes"],
            "phone_messages_per_socket": heard["messages_per_socket"], "phone_closest_two_ms": heard["closest_two_ms"],
            "phone_spread_ms": heard["spread_ms"],
            "phone_final_totals": heard["final_totals"]}


def measure_show(phones: int, dashboard_count: int, concurrency: int, log: Path, phone_sockets: int = 0) -> dict:
    """The real show under load; with `phone_sockets` listening to the revealed results if asked."""
    show = start_show(log)
    dashboards = [Dashboard(show.base) for _ in range(dashboard_count)]
    listeners = None
    try:
        options = show.options()
        for dashboard in dashboards:
            dashboard.connect()
        with PeakMemory(show.process.pid) as memory:
            figures = {"rss_idle_mb": memory.peak / 2**20}
            if phone_sockets:
                show.presenter("results", {"visible": True})
                listeners = PhoneListeners(show.base, phone_sockets)
                figures["rss_with_sockets_mb"] = memory.process.memory_info().rss / 2**20
                figures["phone_sockets"], figures["phone_sockets_opened"] = phone_sockets, listeners.connected
            figures.update(load(show.base, phones, options, concurrency, dashboards, listeners))
        figures["rss_peak_mb"] = memory.peak / 2**20
        figures["database_count"] = show.database_count()
    finally:
        for dashboard in dashboards:
            dashboard.close()
        if listeners:
            listeners.close()
        show.stop()
    return figures


def measure_bare(phones: int, concurrency: int, log: Path) -> dict:
    """The bare endpoint under the same load, on a PostgreSQL container of its own."""
    database = DockerEngine(purpose="benchmark").start_postgres(durable=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TCMAGIC_BARE_DSN": database.settings.url, "TCMAGIC_BARE_OPTIONS": ",".join(BARE_OPTIONS)}
    try:
        server = start_server([sys.executable, "benchmarks/bare_app.py", str(port)], env, base, log)
        try:
            return load(base, phones, BARE_OPTIONS, concurrency, [])
        finally:
            stop_server(server)
    finally:
        database.remove()


def phone_verdicts(show: dict) -> list[tuple[str, str, str, bool]]:
    """The rows for the phone sockets: all there all along, the lag to every one, the pace, memory per socket."""
    count, connected = show["phone_sockets"], show["phone_sockets_connected"]
    per_socket_kb = (show["rss_with_sockets_mb"] - show["rss_idle_mb"]) * 1024 / count
    low, high = show["phone_messages_per_socket"]
    return [
        ("phone sockets: opened / connected at the end", f"{show['phone_sockets_opened']} / {connected}", f"== {count}",
         show["phone_sockets_opened"] == connected == count),
        (f"results lag to all {count} sockets p50 / p95 / p99",
         f"{show['phone_lag_p50_ms']:.0f} / {show['phone_lag_p95_ms']:.0f} / {show['phone_lag_p99_ms']:.0f} ms",
         "p95 <= 500 ms", show["phone_lag_p95_ms"] <= 500),
        ("every socket's last results == database count", f"{show['phone_final_totals']} vs {show['database_count']}",
         "equal", show["phone_final_totals"] == [show["database_count"]]),
        ("results messages per socket; closest two", f"{low}-{high}; {show['phone_closest_two_ms'] or 0:.0f} ms apart",
         "<= 2 a second", True),
        ("one broadcast, first socket to last: median / max", "{:.0f} / {:.0f} ms".format(*show["phone_spread_ms"] or (0, 0)),
         "-", True),
        ("server memory per phone socket", f"{per_socket_kb:.0f} KB", "-", True),
        ("sockets that offered compression, as browsers do / took it", f"{count} / {show['phone_sockets_compressed']}",
         "-", True),
    ]


def verdicts(show: dict, bare: dict, phones: int) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, met) rows for the table."""
    ratio = show["votes_per_s"] / bare["votes_per_s"]
    floor = 0.85 if "phone_sockets" in show else 0.7
    phone_rows = phone_verdicts(show) if "phone_sockets" in show else []
    return phone_rows + [
        ("accepted", str(show["accepted"]), f"== {phones}", show["accepted"] == phones),
        ("duplicates refused (409)", str(show["duplicates"]), f"== {phones}", show["duplicates"] == phones),
        ("lost or 5xx", str(show["lost"] + show["other_5xx"] + show["unavailable"]), "== 0",
         show["lost"] + show["other_5xx"] + show["unavailable"] == 0),
        ("all phones done in", f"{show['wall_s']:.2f} s", "<= 10 s", show["wall_s"] <= 10),
        ("vote latency p50 / p95 / p99", f"{show['p50_ms']:.1f} / {show['p95_ms']:.1f} / {show['p99_ms']:.1f} ms",
         "p99 <= 100 ms", show["p99_ms"] <= 100),
        ("votes per second", f"{show['votes_per_s']:.0f}", "-", True),
        ("dashboard lag p50 / p99", f"{show['dashboard_lag_p50_ms']:.0f} / {show['dashboard_lag_p99_ms']:.0f} ms", "-", True),
        ("dashboard tallies == database count", f"{show['dashboard_tallies']} vs {show['database_count']}", "equal",
         all(t == show["database_count"] for t in show["dashboard_tallies"])),
        ("bare endpoint: votes per second, p99", f"{bare['votes_per_s']:.0f}, {bare['p99_ms']:.1f} ms", "-", True),
        ("show throughput / bare throughput", f"{ratio:.2f}", f">= {floor}", ratio >= floor),
        ("server RSS: idle / peak", f"{show['rss_idle_mb']:.0f} / {show['rss_peak_mb']:.0f} MB", "peak <= 250 MB",
         show["rss_peak_mb"] <= 250),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--dashboards", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32, help="phones in flight at once (default 32)")
    parser.add_argument("--phone-sockets", type=int, default=0, help="phone sockets listening to the results (default none)")
    parser.add_argument("--json", default="benchmarks/results/load.json")
    args = parser.parse_args()
    console = Console()
    load_before = os.getloadavg()  # others' work on this machine shows in the figures: say how busy it was
    logs = ROOT / "benchmarks" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        with console.status("bare endpoint under load..."):
            bare = measure_bare(args.phones, args.concurrency, logs / "bare_app.log")
        with console.status("the show under load..."):
            show = measure_show(args.phones, args.dashboards, args.concurrency, logs / "reality_engine.log", args.phone_sockets)
    except WorkshopError as error:
        console.print(f"[red]{error}[/red]")
        return 1
    rows = verdicts(show, bare, args.phones)
    date, machine = provenance().values()
    table = Table(title=f"Load: {args.phones} phones x (page + 2 votes), {args.concurrency} at a time, "
                        f"{args.dashboards} dashboards, {args.phone_sockets} phone sockets - {date} - {machine}")
    for column in ("measure", "value", "target", "met"):
        table.add_column(column)
    for measure, value, target, met in rows:
        table.add_row(measure, value, target, "yes" if met else "NO")
    console.print(table)
    console.print(f"load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
                  f"after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    Path(args.json).write_text(json.dumps({"date": date, "machine": machine, "phones": args.phones,
                                           "concurrency": args.concurrency, "dashboards": args.dashboards,
                                           "phone_sockets": args.phone_sockets,
                                           "load_average": {"before": load_before, "after": os.getloadavg()},
                                           "show": show, "bare": bare,
                                           "all_targets_met": all(row[3] for row in rows)}, indent=2) + "\n")
    console.print(f"written to {args.json}")
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
