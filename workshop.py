"""workshop.py: the self-paced terminal course. Not built yet (issue 5)."""

import sys

if __name__ == "__main__":
    sys.exit("workshop.py (the self-paced terminal course) is not built yet: follow issue 5; meanwhile run `pytest`.")
