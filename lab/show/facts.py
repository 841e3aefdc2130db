"""What the dashboard draws but never decides: the engine's words, how many feed lines it keeps, the bot's burst.

They reach the page in the snapshot (`facts`), so the template holds no copy that could
drift from the server; the stage list, budgets and limits travel with the stage and status.
"""

# keyed by lab.servers.engines.server_kind: how the room hears about the servers
ENGINE_WORDS = {
    "container": {"reality": "real servers in throwaway containers", "feed": "Docker + app events"},
    "embedded process": {"reality": "real servers as local processes", "feed": "app events (local processes)"},
}


def show_facts(kind: str, feed_length: int, bot_attempts: int) -> dict:
    """The snapshot's `facts` for a show whose servers are of `kind` ("container" or "embedded process")."""
    return {"engine": kind, "words": ENGINE_WORDS[kind], "feed_length": feed_length, "bot_attempts": bot_attempts}
