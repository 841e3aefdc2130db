"""Gives the exercises their fixtures when you run `python3 -m pytest exercises/` yourself.

The hands-on's `catalog`, and the track's (`votes_table`, `ballot_import`, `window_limiter`, `show`...):
run this way, each uses the right code only and starts its own servers. The checker
(`python3 workshop.py --lesson 4`, `--exercise N`) also runs them against buggy versions.
"""

from lab.course.exercise_plugin import catalog, exercise_postgres  # noqa: F401
from lab.course.track.plugin import (  # noqa: F401
    ballot_import,
    postgres_connection,
    postgres_container,
    redis_client,
    redis_container,
    redis_server,
    show,
    timed_limiter,
    track_postgres,
    vote_limiter,
    votes,
    votes_table,
    window_limiter,
)
