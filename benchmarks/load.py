"""Load benchmark: 1,000 phones vote twice each while dashboards listen; the show vs a bare endpoint.

    python benchmarks/load.py [--phones 1000] [--dashboards 5] [--concurrency 32] [--json FILE]

Each phone opens /qr, votes, and votes again (the second must be refused). The show runs
for real (`reality_engine.py`, gevent, its own PostgreSQL container); the bare endpoint
(benchmarks/bare_app.py) does the same INSERT with nothing else. Targets on a 2-core
machine: accepted == phones, duplicates == phones, nothing lost or 5xx, all phones in
<= 10 s, vote p99 <= 100 ms, dashboard tally == database count, throughput >= 0.7 x bare.
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
from benchmarks.loadgen import Dashboard, dashboard_lag_ms, run_phones, summarise  # noqa: E402
from lab.waiting import wait_for  # noqa: E402

from benchmarks.harness import provenance, start_server, start_show, stop_server  # noqa: E402

BARE_OPTIONS = ["mocks", "real-containers", "prayer"]


def load(base: str, phones: int, options: list[str], concurrency: int, dashboards: list[Dashboard]) -> dict:
    """Run the phones against `base`; summary, with dashboard lag if dashboards listen."""
    attempts, wall = run_phones(base, phones, options, concurrency)
    figures = summarise(attempts, wall)
    if dashboards:
        accepted = figures["accepted"]
        wait_for(lambda: all(d.seen and d.seen[-1][1] >= accepted for d in dashboards),
                 "every dashboard to show the last vote", timeout=10, ignore=(IndexError,))
        lags = [dashboard_lag_ms(attempts, d.seen) for d in dashboards]
        figures["dashboard_lag_p50_ms"] = max(lag["p50_ms"] for lag in lags)
        figures["dashboard_lag_p99_ms"] = max(lag["p99_ms"] for lag in lags)
        figures["dashboard_tallies"] = [d.seen[-1][1] for d in dashboards]
        figures["broadcasts_per_dashboard"] = min(lag["broadcasts"] for lag in lags)
    return figures


def measure_show(phones: int, dashboard_count: int, concurrency: int, log: Path) -> dict:
    """The real show under load."""
    show = start_show(log)
    dashboards = [Dashboard(show.base) for _ in range(dashboard_count)]
    try:
        options = show.options()
        for dashboard in dashboards:
            dashboard.connect()
        figures = load(show.base, phones, options, concurrency, dashboards)
        figures["database_count"] = show.database_count()
    finally:
        for dashboard in dashboards:
            dashboard.close()
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


def verdicts(show: dict, bare: dict, phones: int) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, met) rows for the table."""
    ratio = show["votes_per_s"] / bare["votes_per_s"]
    return [
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
        ("show throughput / bare throughput", f"{ratio:.2f}", ">= 0.7", ratio >= 0.7),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--dashboards", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32, help="phones in flight at once (default 32)")
    parser.add_argument("--json", default="benchmarks/results/load.json")
    args = parser.parse_args()
    console = Console()
    logs = ROOT / "benchmarks" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        with console.status("bare endpoint under load..."):
            bare = measure_bare(args.phones, args.concurrency, logs / "bare_app.log")
        with console.status("the show under load..."):
            show = measure_show(args.phones, args.dashboards, args.concurrency, logs / "reality_engine.log")
    except WorkshopError as error:
        console.print(f"[red]{error}[/red]")
        return 1
    rows = verdicts(show, bare, args.phones)
    date, machine = provenance().values()
    table = Table(title=f"Load: {args.phones} phones x (page + 2 votes), {args.concurrency} at a time, "
                        f"{args.dashboards} dashboards - {date} - {machine}")
    for column in ("measure", "value", "target", "met"):
        table.add_column(column)
    for measure, value, target, met in rows:
        table.add_row(measure, value, target, "yes" if met else "NO")
    console.print(table)
    Path(args.json).write_text(json.dumps({"date": date, "machine": machine, "phones": args.phones,
                                           "concurrency": args.concurrency, "dashboards": args.dashboards,
                                           "show": show, "bare": bare,
                                           "all_targets_met": all(row[3] for row in rows)}, indent=2) + "\n")
    console.print(f"written to {args.json}")
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
