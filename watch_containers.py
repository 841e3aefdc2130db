"""watch_containers.py: the live container monitor. Not built yet (issue 5)."""

import sys

if __name__ == "__main__":
    sys.exit("watch_containers.py (the live container monitor) is not built yet: follow issue 5; meanwhile run `pytest`.")
