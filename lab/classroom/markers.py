"""PEP 508 environment markers, as a lock carries them (`sys_platform != 'win32'`), evaluated for this Python.

Standard library only, like lab.classroom.checks: the venv repair reads the lock before
anything (`packaging` included) is installed.
"""

import os
import platform
import re
import sys

MARKER_TOKEN = re.compile(r"""\s*(?:(?P<paren>[()])|(?P<join>and|or)\b|(?P<name>[a-z_]+)\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<quote>['"])(?P<value>.*?)(?P=quote))""")
VERSION_MARKERS = ("python_version", "python_full_version", "implementation_version")


def marker_environment() -> dict[str, str]:
    """The values of PEP 508's environment markers for this Python, as pip evaluates them."""
    return {"sys_platform": sys.platform, "platform_system": platform.system(), "os_name": os.name,
            "platform_machine": platform.machine(), "implementation_name": sys.implementation.name,
            "platform_python_implementation": platform.python_implementation(),
            "python_version": ".".join(platform.python_version_tuple()[:2]), "python_full_version": platform.python_version(),
            "implementation_version": platform.python_version()}


def marker_holds(marker: str, environment: dict[str, str]) -> bool:
    """Whether an environment marker such as `sys_platform != 'win32' and python_full_version < '3.12'` holds.

    The markers a lock carries: comparisons (==, !=, <, <=, >, >=) joined by `and`, `or` and
    parentheses. A marker or a name this does not know is taken to hold: the package is then
    expected, so a missing one is still reported.
    """
    tokens, position = [], 0
    while position < len(marker.rstrip()):
        token = MARKER_TOKEN.match(marker, position)
        if token is None:
            return True
        tokens.append(token)
        position = token.end()
    value, rest = _either(tokens, environment)
    return value if not rest else True


def _either(tokens: list, environment: dict[str, str]) -> tuple[bool, list]:
    value, tokens = _both(tokens, environment)
    while tokens and tokens[0]["join"] == "or":
        other, tokens = _both(tokens[1:], environment)
        value = value or other
    return value, tokens


def _both(tokens: list, environment: dict[str, str]) -> tuple[bool, list]:
    value, tokens = _one(tokens, environment)
    while tokens and tokens[0]["join"] == "and":
        other, tokens = _one(tokens[1:], environment)
        value = value and other
    return value, tokens


def _one(tokens: list, environment: dict[str, str]) -> tuple[bool, list]:
    if not tokens:
        return True, []
    first = tokens[0]
    if first["paren"] == "(":
        value, tokens = _either(tokens[1:], environment)
        return value, tokens[1:] if tokens and tokens[0]["paren"] == ")" else tokens
    if first["name"] not in environment:
        return True, tokens[1:]
    return _compare(first["name"], environment[first["name"]], first["op"], first["value"]), tokens[1:]


def _compare(name: str, here: str, op: str, wanted: str) -> bool:
    if name in VERSION_MARKERS:
        return _ordered(_release(here), op, _release(wanted))
    return _ordered(here, op, wanted)


def _release(version: str) -> tuple[int, ...]:
    """'3.11.3' -> (3, 11, 3, 0, 0): the release numbers, padded so that 3.11 == 3.11.0."""
    found = re.match(r"\d+(?:\.\d+)*", version)
    numbers = tuple(int(part) for part in found.group().split(".")) if found else ()
    return (numbers + (0,) * 5)[:5]


def _ordered(here, op: str, wanted) -> bool:
    return {"==": here == wanted, "!=": here != wanted, "<": here < wanted, "<=": here <= wanted,
            ">": here > wanted, ">=": here >= wanted}[op]
