"""reality_engine.py: the presenter's live show. Not built yet (issue 3)."""

import sys

if __name__ == "__main__":
    sys.exit("reality_engine.py (the presenter's live show) is not built yet: follow issue 3; meanwhile run `pytest`.")
