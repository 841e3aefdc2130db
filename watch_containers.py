"""watch_containers.py: a live table of the workshop's containers, driven by Docker events."""

import argparse
import sys

from lab.classroom import fix_venv  # the standard library only

fix_venv.guard(sys.argv)  # before any package is imported: `--fix-venv` repairs .venv; missing packages, one sentence

from rich.console import Console

from lab.tools.monitor import Monitor


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Watch the containers of the workshop and of testcontainers, live.")
    parser.add_argument("--all", action="store_true", help="show every container, not only ours")
    parser.add_argument("--once", action="store_true", help="print one snapshot and exit")
    fix_venv.add_flag(parser)
    args = parser.parse_args(argv)
    monitor = Monitor(Console(), show_all=args.all)
    return monitor.once() if args.once else monitor.run()


if __name__ == "__main__":
    sys.exit(main())
