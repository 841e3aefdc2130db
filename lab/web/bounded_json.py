"""JSON from clients with a bounded nesting depth: a body 1,000 levels deep is a 400, not a crash.

Python's decoder recurses once per level and ends in RecursionError (not a ValueError, so
Flask's `get_json(silent=True)` would let it through as a 500). Everything the show accepts
is a flat object, so anything nested deeper than MAX_DEPTH is refused before it is decoded,
both in HTTP bodies (BoundedJSONProvider) and in Socket.IO packets (`socketio_json`).
"""

import json

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32


class TooDeep(ValueError):
    """A JSON text nested deeper than MAX_DEPTH (a ValueError, as every malformed JSON is)."""


def nesting_depth(text: str | bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings don't count)."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", errors="replace")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def may_nest_deeper(text: str | bytes, depth: int) -> bool:
    """False when `text` can't nest deeper than `depth`: it opens no more arrays and objects than that."""
    if isinstance(text, (bytes, bytearray)):
        return text.count(b"[") + text.count(b"{") > depth
    return text.count("[") + text.count("{") > depth


def bounded_loads(text: str | bytes, **kwargs):
    """json.loads, refusing a text nested deeper than MAX_DEPTH with TooDeep."""
    if may_nest_deeper(text, MAX_DEPTH) and nesting_depth(text) > MAX_DEPTH:  # the count first: C speed
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, **kwargs)
    except RecursionError as error:  # belt and braces: never a 500 for a client's JSON
        raise TooDeep("JSON nested too deeply") from error


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, decoding request bodies with `bounded_loads`."""

    def loads(self, s: str | bytes, **kwargs):
        return bounded_loads(s, **kwargs)


class socketio_json:
    """The JSON module Socket.IO decodes packets with: `dumps` as usual, `loads` bounded."""

    dumps = staticmethod(json.dumps)
    loads = staticmethod(bounded_loads)
