"""Fault benchmark: the load benchmark's phones while Redis dies, Redis freezes, or PostgreSQL dies.

    python benchmarks/faults.py [--phones 1000] [--outage 1.0] [--json benchmarks/results/faults.json]

The real show runs with the rate limit on. In each scenario, when half the phones are done
the chaos action fires, the outage lasts `--outage` seconds, then "recover". Reported: how
many requests failed and how (only 503s while PostgreSQL is down are acceptable; nothing at
all while Redis is down), time to detect (first 503, or the dashboard's degraded banner),
time to recover (first vote stored again, or the banner gone), and whether every vote
answered "accepted" is in the database.
"""

import argparse
import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from rich.console import Console
from rich.table import Table

from benchmarks.harness import provenance, start_show
from benchmarks.loadgen import Dashboard, phone, run_phones
from lab.waiting import wait_for

SCENARIOS = [("Redis killed", "kill-redis"), ("Redis paused", "pause-redis"), ("PostgreSQL killed, recovered", "kill-postgres")]


def first_after(moments: list[float], since: float) -> float | None:
    """Seconds from `since` to the first moment after it, or None."""
    later = [moment for moment in moments if moment >= since]
    return min(later) - since if later else None


def break_and_recover(show, action: str, outage: float, marks: dict) -> None:
    """Fire the chaos action, let the outage last, then recover; note when each happened."""
    marks["broken_at"] = time.perf_counter()
    marks["break"] = show.presenter("chaos", {"action": action})
    time.sleep(outage)  # the length of the outage is this benchmark's parameter, not a guess
    marks["recover_at"] = time.perf_counter()
    marks["recover"] = show.presenter("chaos", {"action": "recover"})
    marks["recovered_call_s"] = time.perf_counter() - marks["recover_at"]


def scenario(show, dashboard: Dashboard, action: str, phones: int, concurrency: int, outage: float) -> dict:
    """One run of the phones with `action` half-way; every figure of it."""
    assert show.presenter("reset")[0] == 200
    marks: dict = {}
    lock, done = threading.Lock(), [0]
    chaos = threading.Thread(target=break_and_recover, args=(show, action, outage, marks))

    def count(_number: int) -> None:
        with lock:
            done[0] += 1
            if done[0] == phones // 2:
                chaos.start()

    attempts, wall = run_phones(show.base, phones, show.options(), concurrency, on_phone_done=count)
    chaos.join()
    extra = 0
    if "kill-postgres" == action:  # the load may end before the database is back: keep voting until one is stored
        def stored_again() -> bool:
            nonlocal extra
            extra += 1
            more = phone(show.base, phones + extra, show.options()[0])
            attempts.extend(more)
            return any(a.status == 201 for a in more)

        wait_for(stored_again, "a vote stored after recover", timeout=30, interval=0.05)

    broken, recovered = marks["broken_at"], marks["recover_at"]
    if action == "kill-postgres":
        detect = first_after([a.finished_at for a in attempts if a.status == 503], broken)
        recover = first_after([a.finished_at for a in attempts if a.status == 201], recovered)
        back_at = recovered + (recover or 0)
        acceptable = {201, 409}
        down_503 = sum(1 for a in attempts if a.status == 503 and broken <= a.finished_at <= back_at + 0.5)
    else:
        degraded = [at for at, status in dashboard.statuses if status["rate_limit"]["degraded"]]
        healthy = [at for at, status in dashboard.statuses if not status["rate_limit"]["degraded"]]
        detect = first_after(degraded, broken)
        recover = first_after(healthy, recovered)
        acceptable, down_503 = {201, 409}, 0
    failed = [a for a in attempts if a.status not in acceptable]
    accepted = sum(1 for a in attempts if a.status == 201)
    return {
        "requests": len(attempts),
        "extra_probe_phones": extra,
        "wall_s": wall,
        "statuses": {str(code): sum(1 for a in attempts if a.status == code) for code in sorted({a.status for a in attempts})},
        "failed_unacceptably": len(failed) - down_503,
        "refused_503_while_down": down_503,
        "detect_s": detect,
        "recover_s": recover,
        "recover_call_s": marks["recovered_call_s"],
        "chaos_answer": marks["break"][0],
        "recover_answer": marks["recover"][0],
        "accepted": accepted,
        "in_database": show.database_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--outage", type=float, default=1.0, help="seconds between the chaos action and recover")
    parser.add_argument("--json", default="benchmarks/results/faults.json")
    args = parser.parse_args()
    console = Console()
    logs = ROOT / "benchmarks" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    show = start_show(logs / "faults_reality_engine.log")
    dashboard = Dashboard(show.base)
    results = {}
    try:
        dashboard.connect()
        status, answer = show.presenter("rate-limit", {"enabled": True})
        if status != 200:
            raise SystemExit(f"could not turn the rate limit on: {answer}")
        for name, action in SCENARIOS:
            with console.status(f"{name}: {args.phones} phones..."):
                results[name] = scenario(show, dashboard, action, args.phones, args.concurrency, args.outage)
    finally:
        dashboard.close()
        show.stop()
    date, machine = provenance().values()
    table = Table(title=f"Faults half-way through {args.phones} phones ({args.outage:g} s outage) - {date} - {machine}")
    for column in ("scenario", "requests", "failed (unacceptable)", "503 while down", "detect", "recover", "accepted = in DB"):
        table.add_column(column)
    ok = True
    for name, figures in results.items():
        seconds = lambda value: "-" if value is None else f"{value:.2f} s"
        consistent = figures["accepted"] == figures["in_database"]
        ok &= consistent and figures["failed_unacceptably"] == 0 and figures["detect_s"] is not None
        table.add_row(name, str(figures["requests"]), str(figures["failed_unacceptably"]), str(figures["refused_503_while_down"]),
                      seconds(figures["detect_s"]), seconds(figures["recover_s"]),
                      f"{figures['accepted']} = {figures['in_database']}" if consistent else
                      f"NO: {figures['accepted']} vs {figures['in_database']}")
    console.print(table)
    console.print("detect: first 503 (PostgreSQL) or the dashboard's degraded banner (Redis) after the chaos action; "
                  "recover: first vote stored (PostgreSQL) or the banner gone (Redis) after 'recover' was sent.")
    Path(args.json).write_text(json.dumps({"date": date, "machine": machine, "phones": args.phones,
                                           "outage_s": args.outage, "scenarios": results, "all_ok": ok}, indent=2) + "\n")
    console.print(f"written to {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
