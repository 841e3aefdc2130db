"""The checks that need nothing installed: Python's version and the pinned requirements."""

from lab.classroom.checks import check_python, pinned_requirements


def test_python_older_than_311_fails_with_the_fix():
    assert check_python((3, 11, 7)).ok and check_python((3, 13, 0)).ok
    old = check_python((3, 9, 18))

    assert not old.ok and old.blocking
    assert old.detail == "Python 3.9.18 is too old (supported: 3.11-3.13)"
    assert old.fix == "Install Python 3.11-3.13 and make the venv with it (`python3.13 -m venv .venv`), or use the Codespace."


def test_python_newer_than_313_is_a_warning_with_the_way_back():
    new = check_python((3, 14, 1))

    assert not new.ok and not new.blocking
    assert new.detail == "Python 3.14.1 is newer than the supported 3.11-3.13"
    assert new.fix == "If a requirement fails to install, make the venv with `python3.13 -m venv .venv` instead."


def test_requirements_are_read_from_the_pins():
    text = "# pins\nflask==3.1.3\nDocker == 7.2.0  # sdk\npytest\ngevent[recommended]==25.5.1 ; python_version < '4'\n"
    assert pinned_requirements(text) == {"flask": "3.1.3", "docker": "7.2.0", "gevent": "25.5.1"}
