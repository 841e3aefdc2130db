"""Engine benchmark: start-up and recovery of PostgreSQL and Redis on Docker and on the embedded engine.

    python benchmarks/engines.py [--starts 5] [--suite-runs 3] [--json benchmarks/results/engines.json]

For each engine that can run here: seconds until a new server answers (median of --starts),
seconds for a killed durable PostgreSQL to answer again, and the wall time of
`pytest tests/test_reality.py --engine ENGINE` (servers included). Prints a table, writes JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from rich.console import Console
from rich.table import Table

from benchmarks.harness import provenance
from lab.errors import WorkshopError
from lab.servers.engines import select_engine

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("docker", "embedded")
MEASURES = [
    ("postgres_ready_s", "PostgreSQL ready (throwaway)"),
    ("durable_postgres_ready_s", "PostgreSQL ready (durable, for the show)"),
    ("redis_ready_s", "Redis ready"),
    ("postgres_recover_after_kill_s", "killed PostgreSQL answers again"),
    ("reality_suite_s", "pytest tests/test_reality.py (wall, servers included)"),
]


def figure(values: list[float]) -> dict:
    """The median and every value."""
    return {"median": statistics.median(values), "all": values}


def time_starts(engine, role: str, runs: int, **options) -> list[float]:
    """Start and remove a `role` server `runs` times; the seconds until each answered."""
    seconds = []
    for _ in range(runs):
        service = engine.start(role, **options)
        seconds.append(service.startup_seconds)
        service.remove()
    return seconds


def time_recoveries(engine, runs: int) -> list[float]:
    """Kill a durable PostgreSQL `runs` times; the seconds until it answered again each time."""
    service = engine.start_postgres(durable=True)
    try:
        seconds = []
        for _ in range(runs):
            service.kill()
            seconds.append(service.recover())
        return seconds
    finally:
        service.remove()


def time_suite(engine_name: str, runs: int) -> list[float]:
    """Wall seconds of the reality file on one engine, `runs` times."""
    walls = []
    for _ in range(runs):
        required = "1" if engine_name == "docker" else ""
        env = {**os.environ, "TCMAGIC_ENGINE": engine_name, "TCMAGIC_REQUIRE_DOCKER": required}
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pytest", "tests/test_reality.py", "-q", "-p", "no:cacheprovider"],
                             cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - started)
        if run.returncode != 0:
            raise SystemExit(f"tests/test_reality.py failed on {engine_name}: fix it before benchmarking.\n"
                             f"{run.stdout[-2000:]}")
    return walls


def measure_engine(name: str, starts: int, suite_runs: int) -> dict:
    """Every figure for one engine, or why it could not run here."""
    try:
        engine = select_engine(name, purpose="benchmark")
    except WorkshopError as error:
        return {"unavailable": str(error)}
    return {
        "describe": engine.describe() if hasattr(engine, "describe") else "Docker containers",
        "postgres_ready_s": figure(time_starts(engine, "postgres", starts)),
        "durable_postgres_ready_s": figure(time_starts(engine, "postgres", starts, durable=True)),
        "redis_ready_s": figure(time_starts(engine, "redis", starts)),
        "postgres_recover_after_kill_s": figure(time_recoveries(engine, starts)),
        "reality_suite_s": figure(time_suite(name, suite_runs)),
    }


def build_table(figures: dict) -> Table:
    """Median seconds per measure, one column per engine."""
    table = Table(title=f"Engines - {figures['date']} - {figures['machine']}")
    table.add_column("median seconds")
    for name in ENGINES:
        table.add_column(name, justify="right")
    for key, label in MEASURES:
        cells = []
        for name in ENGINES:
            engine = figures["engines"][name]
            cells.append("n/a" if "unavailable" in engine else f"{engine[key]['median']:.3f}")
        table.add_row(label, *cells)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="server starts per measure (default 5)")
    parser.add_argument("--suite-runs", type=int, default=3, help="runs of the reality file per engine (default 3)")
    parser.add_argument("--json", default="benchmarks/results/engines.json", help="where to write the figures")
    args = parser.parse_args()
    console = Console()
    figures: dict[str, Any] = {
        **provenance(),
        "engines": {name: measure_engine(name, args.starts, args.suite_runs) for name in ENGINES},
    }
    console.print(build_table(figures))
    for name, engine in figures["engines"].items():
        console.print(f"{name}: {engine.get('describe') or engine['unavailable']}", markup=False, highlight=False)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    console.print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
