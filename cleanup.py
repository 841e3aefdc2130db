"""cleanup.py: removes what the workshop started, found by label and pid file, nothing else."""

import argparse
import sys
from pathlib import Path

from lab.classroom.fix_venv import guard  # the standard library only

guard(sys.argv)  # before any package is imported: `--fix-venv` repairs .venv; missing packages, one sentence

from rich.console import Console

from lab.tools.janitor import apply, plan, summary_table
from lab.testruns.runner import ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Remove the workshop's and testcontainers' containers, "
                                     "their networks and volumes, pytest caches, and a running show.")
    parser.add_argument("--dry-run", action="store_true", help="list what would go, remove nothing")
    parser.add_argument("--run-id", help="only the containers of one run (label dev.tcmagic.run-id)")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout whose caches and pid file to clean")
    args = parser.parse_args(argv)
    console = Console()
    items, notes = plan(args.project, args.run_id)
    results = apply(items, args.dry_run)
    console.print(summary_table(results, args.dry_run))
    for note in notes:
        console.print(note, markup=False, highlight=False)
    return 1 if notes or any(result.startswith("failed") for _, result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
