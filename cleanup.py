"""cleanup.py: removes what the workshop started, found by label and pid file, nothing else.

What a running show or course still uses is listed as "in use by pid N" and kept unless --force.
"""

import argparse
import sys
from pathlib import Path

from lab.classroom import fix_venv  # the standard library only

fix_venv.guard(sys.argv)  # before any package is imported: `--fix-venv` repairs .venv; missing packages, one sentence

from rich.console import Console

from lab.paths import ROOT
from lab.tools.janitor import apply, kept_note, plan, summary_table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Remove the workshop's and testcontainers' containers, their "
                                     "networks and volumes, pytest caches, a show, and a crashed show's resume file and "
                                     "durable data, unless a live process uses them.")
    parser.add_argument("--dry-run", action="store_true", help="list what would go, remove nothing")
    parser.add_argument("--run-id", help="only what belongs to one run (label dev.tcmagic.run-id); no caches")
    parser.add_argument("--force", action="store_true", help="remove even what a running show or course uses")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout whose caches and pid file to clean")
    fix_venv.add_flag(parser)
    args = parser.parse_args(argv)
    console = Console()
    items, notes = plan(args.project, args.run_id)
    results = apply(items, args.dry_run, force=args.force)
    console.print(summary_table(results, args.dry_run))
    for note in [kept_note(results), *notes]:
        if note:
            console.print(note, markup=False, highlight=False)
    return 1 if notes or any(result.startswith("failed") for _, result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
