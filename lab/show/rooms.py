"""The show's Socket.IO rooms: who hears what. Every emit names a room; nothing goes to every socket.

A socket that says it is a phone (connect auth {"role": "phone"}) joins PHONES and nothing
else. A screen that proves the presenter secret (connect auth {"token": <secret>}) joins
PRESENTER; every other screen (the projector, anyone who opened the audience URL without
`/qr`) joins DASHBOARDS. The two screen rooms hear the same broadcasts, except that the
presenter notes go to PRESENTER only (`for_dashboards`).
"""

DASHBOARDS = "dashboards"  # stage, feed, results, status, test runs: everything a screen draws
PHONES = "phones"  # the audience's phones: phone-sized results only, at most twice a second
PRESENTER = "presenter"  # the screen that proved the secret: what DASHBOARDS hear, and the notes
SCREENS = [DASHBOARDS, PRESENTER]  # feed, results, status, test runs: every screen


def for_dashboards(event: str, data: object) -> object:
    """What DASHBOARDS hear of an event PRESENTER hears whole: a stage (alone or in a snapshot) without its notes."""
    if event == "stage" and isinstance(data, dict):
        return {key: value for key, value in data.items() if key != "notes"}
    if event == "snapshot" and isinstance(data, dict) and "stage" in data:
        return {**data, "stage": for_dashboards("stage", data["stage"])}
    return data
