"""Load benchmark: rounds of 1,000 phones voting twice each, the show and a bare endpoint taking turns.

    python benchmarks/load.py [--phones 1000] [--rounds 3] [--dashboards 5] [--concurrency 32]
                              [--phone-sockets N] [--one-address] [--json FILE]

Each phone opens /qr, votes, and votes again (the second must be refused). The show runs
for real (`reality_engine.py`, gevent, its own PostgreSQL container); the bare endpoint
(benchmarks/bare_app.py) does the same INSERT with nothing else. Both are up at once and
take turns, a round of `--phones` new phones each, bare first in odd rounds and the show
first in even ones: this machine's speed drifts within a minute, and alternating puts
both under the same drift. Each round's show throughput is compared with the bare
endpoint's of the same round; the verdicts are on the median round. Targets on a 2-core
machine: in every round accepted == phones, duplicates == phones, nothing lost or 5xx; in
the median round all phones done in <= 10 s, vote p99 <= 100 ms, throughput >= 0.7 x bare;
every dashboard's tally == database count at the end.

With --phone-sockets N, N phone sockets (benchmarks/phone_sockets.py) listen in the
phones' room all along, the results revealed first. Further targets: every socket stays
connected and ends on the database count, results lag p95 <= 500 ms from an accepted vote
to all N sockets (median round), server RSS <= 250 MB, throughput >= 0.85 x bare.

Every phone, voting or listening, comes from an address of its own (127.2.x.y and
127.1.x.y on loopback), as on a venue's Wi-Fi, so the show's room counts each connection
and holds each address to its share as it would for a real audience. With --one-address
they all come from 127.0.0.1, which the room takes for the presenter's own browser (never
refused, held to no share):
how every run before 2026-12-06 was measured, and a show without its room.
"""

import argparse
import json
import os
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from rich.console import Console
from rich.table import Table

from benchmarks.harness import PeakMemory, RunningShow, provenance, start_server, start_show, stop_server
from benchmarks.loadgen import Dashboard, PhoneListeners, everyone_heard, results_lag_ms, run_phones, summarise
from lab.errors import WorkshopError
from lab.servers.containers import DockerEngine, free_port
from lab.waiting import wait_for

BARE_OPTIONS = ["mocks", "real-containers", "prayer"]


def load(base: str, phones: int, options: list[str], concurrency: int, dashboards: list[Dashboard],
         listeners: PhoneListeners | None = None, before: int = 0, one_address: bool = False) -> dict:
    """One round of phones against `base` (`before` votes already counted); lags if dashboards or phone sockets listen."""
    attempts, wall = run_phones(base, phones, options, concurrency, one_address=one_address)
    figures = summarise(attempts, wall)
    total = before + figures["accepted"]
    if listeners:
        heard = wait_for(lambda: (report := listeners.report())["final_totals"] == [total] and report,
                         "every phone socket to hear the last vote", timeout=10)
        figures.update(phone_figures(attempts, heard, before))
    if dashboards:
        wait_for(lambda: all(d.seen and d.seen[-1][1] >= total for d in dashboards),
                 "every dashboard to show the last vote", timeout=10, ignore=(IndexError,))
        lags = [results_lag_ms(attempts, d.seen, before) for d in dashboards]
        figures["dashboard_lag_p50_ms"] = max(lag["p50_ms"] for lag in lags)
        figures["dashboard_lag_p99_ms"] = max(lag["p99_ms"] for lag in lags)
        figures["dashboard_tallies"] = [d.seen[-1][1] for d in dashboards]
    return figures


def phone_figures(attempts: list, heard: dict, before: int = 0) -> dict:
    """What the phone sockets saw: how many stayed, the results lag to all of them, the pace."""
    lag = results_lag_ms(attempts, everyone_heard(heard), before)
    return {"phone_sockets_connected": heard["connected"], "phone_sockets_closed": heard["closed"],
            "phone_sockets_compressed": heard["compressed"],
            "phone_lag_p50_ms": lag["p50_ms"], "phone_lag_p95_ms": lag["p95_ms"], "phone_lag_p99_ms": lag["p99_ms"],
            "phone_lag_max_ms": lag["max_ms"], "phone_lag_votes": lag["measured_votes"],
            "phone_messages_per_socket": heard["messages_per_socket"], "phone_closest_two_ms": heard["closest_two_ms"],
            "phone_spread_ms": heard["spread_ms"], "phone_final_totals": heard["final_totals"]}


@dataclass
class Show:
    """The real show under test, with its screens: dashboards, and phone sockets if asked."""

    running: RunningShow
    dashboards: list[Dashboard]
    listeners: PhoneListeners | None
    memory: PeakMemory
    setup: dict


@contextmanager
def show_running(dashboard_count: int, log: Path, phone_sockets: int = 0, one_address: bool = False) -> Iterator[Show]:
    """The real show, its dashboards connected and `phone_sockets` listening to the revealed results if asked."""
    show = start_show(log)
    dashboards = [Dashboard(show.base) for _ in range(dashboard_count)]
    listeners = None
    try:
        for dashboard in dashboards:
            dashboard.connect()
        with PeakMemory(show.process.pid) as memory:
            setup = {"rss_idle_mb": memory.peak / 2**20}
            if phone_sockets:
                show.presenter("results", {"visible": True})
                listeners = PhoneListeners(show.base, phone_sockets, one_address)
                setup["rss_with_sockets_mb"] = memory.process.memory_info().rss / 2**20
                setup["phone_sockets"], setup["phone_sockets_opened"] = phone_sockets, listeners.connected
            yield Show(show, dashboards, listeners, memory, setup)
    finally:
        for dashboard in dashboards:
            dashboard.close()
        if listeners:
            listeners.close()
        show.stop()


@contextmanager
def bare_running(log: Path) -> Iterator[str]:
    """The bare endpoint, on a PostgreSQL container of its own; its base URL."""
    database = DockerEngine(purpose="benchmark").start_postgres(durable=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TCMAGIC_BARE_DSN": database.settings.url, "TCMAGIC_BARE_OPTIONS": ",".join(BARE_OPTIONS)}
    try:
        server = start_server([sys.executable, "benchmarks/bare_app.py", str(port)], env, base, log)
        try:
            yield base
        finally:
            stop_server(server)
    finally:
        database.remove()


def measure(phones: int, rounds: int, dashboard_count: int, concurrency: int, logs: Path,
            phone_sockets: int = 0, on_round=lambda number, who: None,
            one_address: bool = False) -> tuple[dict, list[dict], list[dict]]:
    """Both servers up, `rounds` rounds each, taking turns; (the show's setup and end figures, its rounds, the bare's)."""
    show_rounds: list[dict] = []
    bare_rounds: list[dict] = []
    with bare_running(logs / "bare_app.log") as bare_base, \
            show_running(dashboard_count, logs / "reality_engine.log", phone_sockets, one_address) as show:
        options = show.running.options()
        for number in range(rounds):
            for who in (("bare", "show") if number % 2 == 0 else ("show", "bare")):
                on_round(number + 1, who)
                if who == "bare":
                    bare_rounds.append(load(bare_base, phones, BARE_OPTIONS, concurrency, [],
                                            before=sum(r["accepted"] for r in bare_rounds), one_address=one_address))
                else:
                    show_rounds.append(load(show.running.base, phones, options, concurrency, show.dashboards,
                                            show.listeners, before=sum(r["accepted"] for r in show_rounds),
                                            one_address=one_address))
        end = {**show.setup, "rss_peak_mb": show.memory.peak / 2**20, "database_count": show.running.database_count()}
    return end, show_rounds, bare_rounds


Row = tuple[str, str, str, bool]  # measure, value (of every round, or the median round's), target, met


def rounds_table(shows: list[dict], bares: list[dict], title: str) -> Table:
    """Each round's figures, side by side: who went first, the show's and the bare endpoint's, the phones' lag."""
    table = Table(title=title)
    sockets = "phone_lag_p95_ms" in shows[0]
    for column in ("round", "first", "show votes/s", "show p50 / p99", "bare votes/s", "bare p99", "show / bare",
                   *(["lag p95"] if sockets else [])):
        table.add_column(column, justify="right")
    for number, (show, bare) in enumerate(zip(shows, bares, strict=True), start=1):
        table.add_row(str(number), "bare" if number % 2 else "show", f"{show['votes_per_s']:.0f}",
                      f"{show['p50_ms']:.0f} / {show['p99_ms']:.0f} ms", f"{bare['votes_per_s']:.0f}",
                      f"{bare['p99_ms']:.0f} ms", f"{show['votes_per_s'] / bare['votes_per_s']:.2f}",
                      *([f"{show['phone_lag_p95_ms']:.0f} ms"] if sockets else []))
    return table


def phone_rows(end: dict, shows: list[dict]) -> list[Row]:
    """The rows for the phone sockets: all there all along, the lag to every one, the pace, memory per socket."""
    count, last = end["phone_sockets"], shows[-1]
    per_socket_kb = (end["rss_with_sockets_mb"] - end["rss_idle_mb"]) * 1024 / count
    lag = {pct: statistics.median(r[f"phone_lag_{pct}_ms"] for r in shows) for pct in ("p50", "p95", "p99")}
    low, high = last["phone_messages_per_socket"]
    return [
        ("phone sockets: opened / connected after the last round",
         f"{end['phone_sockets_opened']} / {last['phone_sockets_connected']}", f"== {count}",
         end["phone_sockets_opened"] == count and all(r["phone_sockets_connected"] == count for r in shows)),
        (f"results lag to all {count} sockets p50 / p95 / p99", f"{lag['p50']:.0f} / {lag['p95']:.0f} / {lag['p99']:.0f} ms",
         "p95 <= 500 ms", lag["p95"] <= 500),
        ("every socket's last results == database count", f"{last['phone_final_totals']} vs {end['database_count']}",
         "equal", last["phone_final_totals"] == [end["database_count"]]),
        ("results messages per socket (all rounds); closest two",
         f"{low}-{high}; {last['phone_closest_two_ms'] or 0:.0f} ms apart", "<= 2 a second", True),
        ("one broadcast, first socket to last: median / max",
         "{:.0f} / {:.0f} ms".format(*last["phone_spread_ms"] or (0, 0)), "-", True),
        ("server memory per phone socket", f"{per_socket_kb:.0f} KB", "-", True),
        ("sockets that offered compression, as browsers do / took it", f"{count} / {last['phone_sockets_compressed']}",
         "-", True),
    ]


def verdicts(end: dict, shows: list[dict], bares: list[dict], phones: int) -> list[Row]:
    """(measure, value, target, met): counts must hold in every round; speeds are judged on the median round."""
    ratios = [show["votes_per_s"] / bare["votes_per_s"] for show, bare in zip(shows, bares, strict=True)]
    floor = 0.85 if "phone_sockets" in end else 0.7
    middle = {key: statistics.median(r[key] for r in shows)
              for key in ("wall_s", "p50_ms", "p95_ms", "p99_ms", "votes_per_s", "dashboard_lag_p50_ms", "dashboard_lag_p99_ms")}
    bare_middle = {key: statistics.median(r[key] for r in bares) for key in ("votes_per_s", "p99_ms")}
    failed = sum(r["lost"] + r["other_5xx"] + r["unavailable"] for r in shows)
    ratio = statistics.median(ratios)
    return (phone_rows(end, shows) if "phone_sockets" in end else []) + [
        ("accepted, in every round", " ".join(str(r["accepted"]) for r in shows), f"== {phones}",
         all(r["accepted"] == phones for r in shows)),
        ("duplicates refused (409), in every round", " ".join(str(r["duplicates"]) for r in shows), f"== {phones}",
         all(r["duplicates"] == phones for r in shows)),
        ("lost or 5xx, all rounds", str(failed), "== 0", failed == 0),
        ("all phones done in", f"{middle['wall_s']:.2f} s", "<= 10 s", middle["wall_s"] <= 10),
        ("vote latency p50 / p95 / p99", f"{middle['p50_ms']:.1f} / {middle['p95_ms']:.1f} / {middle['p99_ms']:.1f} ms",
         "p99 <= 100 ms", middle["p99_ms"] <= 100),
        ("votes per second", f"{middle['votes_per_s']:.0f}", "-", True),
        ("dashboard lag p50 / p99", f"{middle['dashboard_lag_p50_ms']:.0f} / {middle['dashboard_lag_p99_ms']:.0f} ms", "-", True),
        ("dashboard tallies == database count", f"{shows[-1]['dashboard_tallies']} vs {end['database_count']}", "equal",
         all(t == end["database_count"] for t in shows[-1]["dashboard_tallies"])),
        ("bare endpoint: votes per second, p99", f"{bare_middle['votes_per_s']:.0f}, {bare_middle['p99_ms']:.1f} ms", "-", True),
        ("show throughput / bare throughput, same round", f"{ratio:.2f}", f">= {floor}", ratio >= floor),
        ("server RSS: idle / peak", f"{end['rss_idle_mb']:.0f} / {end['rss_peak_mb']:.0f} MB", "peak <= 250 MB",
         end["rss_peak_mb"] <= 250),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000, help="phones a round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds each, taking turns (default 3)")
    parser.add_argument("--dashboards", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32, help="phones in flight at once (default 32)")
    parser.add_argument("--phone-sockets", type=int, default=0, help="phone sockets listening to the results (default none)")
    parser.add_argument("--one-address", action="store_true",
                        help="every phone from 127.0.0.1, to the room the presenter's own browser (as before 2026-12-06)")
    parser.add_argument("--json", default="benchmarks/results/load.json")
    args = parser.parse_args()
    console = Console()
    load_before = os.getloadavg()  # others' work on this machine shows in the figures: say how busy it was
    logs = ROOT / "benchmarks" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        with console.status("starting the show and the bare endpoint...") as status:
            end, shows, bares = measure(args.phones, args.rounds, args.dashboards, args.concurrency, logs,
                                        args.phone_sockets,
                                        lambda number, who: status.update(f"round {number} of {args.rounds}: {who} under load..."),
                                        args.one_address)
    except WorkshopError as error:
        console.print(f"[red]{error}[/red]")
        return 1
    rows = verdicts(end, shows, bares, args.phones)
    date, machine = provenance().values()
    console.print(rounds_table(shows, bares, f"Load: {args.rounds} rounds of {args.phones} phones each, taking turns "
                                             f"- {date} - {machine}"))
    addresses = "all from 127.0.0.1 (the presenter's)" if args.one_address else "each from its own address"
    table = Table(title=f"{args.phones} phones x (page + 2 votes), {args.concurrency} at a time, {args.dashboards} "
                        f"dashboards, {args.phone_sockets} phone sockets, {addresses}: the median round")
    for column in ("measure", "value", "target", "met"):
        table.add_column(column)
    for name, value, target, met in rows:
        table.add_row(name, value, target, "yes" if met else "NO")
    console.print(table)
    console.print(f"load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
                  f"after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    Path(args.json).write_text(json.dumps({"date": date, "machine": machine, "phones": args.phones, "rounds": args.rounds,
                                           "concurrency": args.concurrency, "dashboards": args.dashboards,
                                           "phone_sockets": args.phone_sockets,
                                           "phones_from": "127.0.0.1" if args.one_address else "one address each",
                                           "load_average": {"before": load_before, "after": os.getloadavg()},
                                           "show": end, "show_rounds": shows, "bare_rounds": bares,
                                           "verdicts": [{"measure": m, "value": v, "target": t, "met": ok}
                                                        for m, v, t, ok in rows],
                                           "all_targets_met": all(row[3] for row in rows)}, indent=2) + "\n")
    console.print(f"written to {args.json}")
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
