"""reality_engine.py: the presenter's live show. A room of phones votes into a real PostgreSQL.

    python3 reality_engine.py [--port 5001] [--public-url URL] [--question Q] [--options 'A,B,C'] [--check]
                             [--engine docker|embedded|auto] [--resume]
"""

import sys

from lab.classroom import fix_venv  # the standard library only

fix_venv.guard(sys.argv)  # before any package is imported: `--fix-venv` repairs .venv; missing packages, one sentence

from gevent import monkey

monkey.patch_all()  # first of all: sockets, threads and locks imported below must cooperate

import argparse

from rich.console import Console

from lab.errors import run_reporting
from lab.servers.engines import CHOICES, ENGINE_VARIABLE
from lab.web.config import DEFAULT_OPTIONS, DEFAULT_QUESTION
from lab.web.server import ShowOptions, port_number, run_show


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The live show: projector dashboard, QR voting into a real PostgreSQL.")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    parser.add_argument("--port", type=port_number, default=5001, help="port to listen on, 1-65535 (default: 5001)")
    parser.add_argument("--public-url", help="the URL phones use to reach this machine, e.g. https://show.example.org")
    parser.add_argument("--question", default=DEFAULT_QUESTION, help="the question on the screen and the phones")
    parser.add_argument("--options", default=",".join(DEFAULT_OPTIONS), help="the answers, comma-separated")
    parser.add_argument("--check", action="store_true", help="run the pre-flight checks only, then exit")
    fix_venv.add_flag(parser)
    parser.add_argument("--engine", choices=CHOICES, help="what runs PostgreSQL and Redis: docker, embedded (local "
                        f"processes) or auto (Docker when it answers, else embedded); default {ENGINE_VARIABLE}, else auto")
    parser.add_argument("--resume", action="store_true", help="carry on the show a crash interrupted: its votes, "
                        "its question, its voters' cookies")
    args = parser.parse_args(argv)
    console = Console()
    return run_reporting(lambda: run_show(ShowOptions(**vars(args)), console), console,
                         failed="Cannot start the show:", stopped="Stopped before the show started.")


if __name__ == "__main__":
    sys.exit(main())
