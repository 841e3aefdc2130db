"""workshop.py: the self-paced terminal course, plus the classroom's --check, pack and unpack."""

import argparse
import sys

from lab.classroom import fix_venv  # the standard library only

fix_venv.guard(sys.argv)  # before any package is imported: `--fix-venv` repairs .venv; missing packages, one sentence

from rich.console import Console

from lab.course.registry import COURSE_MINUTES, LESSONS
from lab.course.runner import run_workshop
from lab.servers.engines import CHOICES, ENGINE_VARIABLE


def parse_args(argv=None) -> argparse.Namespace:
    """The command line; each flag's help fits one line of an 80-column terminal (a test holds it to that)."""
    parser = argparse.ArgumentParser(description=f"TestContainers Magic: a course in your terminal ({len(LESSONS)} lessons, "
                                     f"about {COURSE_MINUTES} minutes), then an exercise track where you write the "
                                     "container code. `python3 workshop.py` starts or resumes the course.")
    parser.add_argument("--list", action="store_true", help="the lessons, which are done, and the track's state")
    parser.add_argument("--lesson", type=int, metavar="N", help=f"run lesson N only (1 to {len(LESSONS)})")
    parser.add_argument("--reset", action="store_true", help="forget lessons' and track's progress (files stay)")
    parser.add_argument("--auto", action="store_true", help="no questions: run straight through (tests, CI)")
    parser.add_argument("--check", action="store_true", help="pre-flight checks for this machine, then exit")
    track = parser.add_argument_group("the exercise track (you write the container code)")
    track.add_argument("--exercises", action="store_true", help="list the track's exercises and their state")
    track.add_argument("--exercise", type=int, metavar="N", help="check exercise N once (with --watch: start at N)")
    track.add_argument("--watch", action="store_true", help="re-check on every save, move on when it passes")
    track.add_argument("--reset-exercise", type=int, metavar="N", help="put exercise N's starter back (yours is "
                       "kept)")
    fix_venv.add_flag(parser)
    parser.add_argument("--engine", choices=CHOICES, metavar="ENGINE", help="docker, embedded or auto "
                        f"({ENGINE_VARIABLE}, else auto)")
    commands = parser.add_subparsers(dest="command", metavar="{pack,unpack}")
    pack = commands.add_parser("pack", help="save the workshop's images into one tar (USB stick)")
    pack.add_argument("--out", default="tcmagic-images.tar", help="the tar to write (default tcmagic-images.tar)")
    unpack = commands.add_parser("unpack", help="load the images of a pack into Docker")
    unpack.add_argument("file", help="the tar written by `python3 workshop.py pack`")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    console = Console()
    if args.check or args.command:
        from lab.classroom import cli as classroom_cli  # the classroom's commands load only when asked for

        if args.check:
            return classroom_cli.check_command(None, console, engine=args.engine)  # the course serves no port
        if args.command == "pack":
            return classroom_cli.pack_command(args.out, console)
        return classroom_cli.unpack_command(args.file, console)
    if args.exercises or args.exercise is not None or args.watch or args.reset_exercise is not None:
        from lab.course.track.commands import run_track

        return run_track(console, list_only=args.exercises, number=args.exercise, watch_mode=args.watch,
                         reset=args.reset_exercise, engine=args.engine)
    return run_workshop(console, sys.stdin, number=args.lesson, list_only=args.list, reset=args.reset, auto=args.auto,
                        engine=args.engine)


if __name__ == "__main__":
    sys.exit(main())
