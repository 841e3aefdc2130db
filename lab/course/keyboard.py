"""Keys typed while the course is busy: not echoed into a spinner, and thrown away when it ends.

A learner who types during "Starting PostgreSQL..." would otherwise see the keys printed
into the spinner's line, and an Enter typed there would skip the next "Press Enter".
"""

import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

try:
    import termios
except ImportError:  # Windows: no terminal settings to change, the keys are simply echoed
    termios = None  # type: ignore[assignment]  # checked before every use


def terminal_fd(stream: TextIO) -> int | None:
    """The file descriptor of `stream` when it is a terminal whose settings we can change, else None."""
    if termios is None:
        return None
    try:
        fd = stream.fileno()
        termios.tcgetattr(fd)
    except (AttributeError, OSError, ValueError, termios.error):
        return None
    return fd if os.isatty(fd) else None


@contextlib.contextmanager
def keys_held(stream: TextIO) -> Iterator[None]:
    """While inside: what is typed is not echoed; on the way out it is discarded and echo comes back."""
    fd = terminal_fd(stream)
    if fd is None:
        yield
        return
    saved = termios.tcgetattr(fd)
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)  # TCSAFLUSH drops the keys typed meanwhile
