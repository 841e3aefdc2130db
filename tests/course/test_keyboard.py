"""Keys typed while the course is busy are not echoed into the spinner, and are dropped when it ends."""

import io
import os
import pty
import select
import termios

from rich.console import Console

from lab.course.context import Prompter
from lab.course.keyboard import keys_held, terminal_fd
from lab.waiting import wait_for


def test_keys_typed_while_busy_are_not_echoed_and_are_dropped_afterwards():
    main, side = pty.openpty()
    stream = os.fdopen(side, "r")
    try:
        assert termios.tcgetattr(side)[3] & termios.ECHO
        with keys_held(stream):
            assert not termios.tcgetattr(side)[3] & termios.ECHO
            os.write(main, b"q\n")  # the learner types a key and Enter during the spinner
            wait_for(lambda: select.select([side], [], [], 0)[0], "the typed line to reach the terminal")
        assert termios.tcgetattr(side)[3] & termios.ECHO
        assert select.select([side], [], [], 0)[0] == []  # nothing left for the next prompt to read
        assert select.select([main], [], [], 0)[0] == []  # and nothing was echoed to the screen
    finally:
        stream.close()
        os.close(main)


def test_without_a_terminal_nothing_is_touched():
    stream = io.StringIO("typed ahead\n")

    assert terminal_fd(stream) is None
    with keys_held(stream):
        pass
    assert stream.readline() == "typed ahead\n"


def test_the_prompters_spinner_holds_the_keys_of_its_terminal():
    main, side = pty.openpty()
    stream = os.fdopen(side, "r")
    try:
        prompt = Prompter(Console(file=io.StringIO()), stream)
        with prompt.busy("Starting postgres..."):
            assert not termios.tcgetattr(side)[3] & termios.ECHO
        assert termios.tcgetattr(side)[3] & termios.ECHO
    finally:
        stream.close()
        os.close(main)
