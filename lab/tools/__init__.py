"""The two side tools: the container monitor (watch_containers.py) and the janitor (cleanup.py)."""
