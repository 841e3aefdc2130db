"""Ctrl+C benchmark: seconds from SIGINT to the show's exit, on each engine.

    python benchmarks/ctrl_c.py [--runs 8] [--engines docker,embedded]

Starts `reality_engine.py --engine ENGINE` --runs times, waits for "The show is live",
sends SIGINT (what Ctrl+C sends) and times the process until it has exited, having
removed its servers. Prints each figure, the worst, and the machine's load.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from lab.servers.containers import free_port
from lab.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
LIVE = "The show is live"


def one_exit(engine: str, log: Path, environ: dict[str, str]) -> tuple[float, int]:
    """Start a show on `engine`, Ctrl+C it once live; (seconds from SIGINT to exit, exit code)."""
    with open(log, "w") as output:
        show = subprocess.Popen([sys.executable, "reality_engine.py", "--engine", engine, "--port", str(free_port())],
                                cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: LIVE in log.read_text() or show.poll() is not None, "the show to start", timeout=120)
        if show.poll() is not None:
            raise SystemExit(f"The show did not start: see {log}")
        started = time.perf_counter()
        show.send_signal(signal.SIGINT)
        code = show.wait(timeout=60)
        return time.perf_counter() - started, code
    finally:
        if show.poll() is None:
            show.kill()
            show.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--engines", default="docker,embedded")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tcmagic-ctrl-c-"))
    environ = {**os.environ, "COLUMNS": "200", "TCMAGIC_RESUME_DIR": str(folder / "resume")}
    for engine in args.engines.split(","):
        figures = [one_exit(engine, folder / f"{engine}-{run}.log", environ) for run in range(args.runs)]
        seconds = ", ".join(f"{elapsed:.2f}" for elapsed, _ in figures)
        codes = sorted({code for _, code in figures})
        print(f"{engine}: {seconds} s; worst {max(e for e, _ in figures):.2f} s; exit codes {codes}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
