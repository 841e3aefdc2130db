"""The show's Socket.IO rooms: who hears what. Every emit names a room; nothing goes to every socket.

A socket that says it is a phone (connect auth {"role": "phone"}) joins PHONES and nothing
else; every other socket is a screen (a projector, the presenter's own dashboard) and joins
DASHBOARDS.
"""

DASHBOARDS = "dashboards"  # stage, feed, results, status, test runs: everything a screen draws
PHONES = "phones"  # the audience's phones: phone-sized results only, at most twice a second
