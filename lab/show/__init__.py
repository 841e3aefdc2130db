"""The show's own logic: stages and clocks, the two ballots, the feed, broadcasts, the backing servers.

Nothing here knows Flask or Socket.IO: `lab.web` builds the app around these pieces and hands
them the functions they call (emit, start a task, sleep).
"""
