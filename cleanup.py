"""cleanup.py: removing what the workshop started. Not built yet (issue 5)."""

import sys

if __name__ == "__main__":
    sys.exit("cleanup.py (removing what the workshop started) is not built yet: follow issue 5; meanwhile run `pytest`.")
