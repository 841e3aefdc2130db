"""Where the workshop keeps things on disk, and the one check whether a pid still runs.

Everything the product writes lives under the checkout's `.tcmagic/` folder, so
`cleanup.py` knows where to look and `git status` stays clean (.gitignore lists it).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR_NAME = ".tcmagic"
STATE_DIR = ROOT / STATE_DIR_NAME
SHOW_PID_FILE_NAME = Path(STATE_DIR_NAME) / "reality_engine.pid"  # relative: cleanup looks under any checkout
EMBEDDED_PID_DIR_NAME = Path(STATE_DIR_NAME) / "embedded"
SHOW_PID_FILE = ROOT / SHOW_PID_FILE_NAME
EMBEDDED_PID_DIR = ROOT / EMBEDDED_PID_DIR_NAME
PROGRESS_FILE = STATE_DIR / "progress.json"
REQUIREMENTS = ROOT / "requirements.txt"


def pid_alive(pid: int) -> bool:
    """True when `pid` is a running process (a zombie waiting to be reaped is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except (FileNotFoundError, IndexError, OSError):
        return True  # no /proc (macOS): the signal test is all there is
