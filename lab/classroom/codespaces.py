"""GitHub Codespaces: is the show's port public, so phones in the room can reach it?

Codespaces forwards ports privately by default, and devcontainer.json cannot make one
public by itself; `gh codespace ports visibility` can, from inside the codespace.
"""

import json
import shutil
import subprocess

from lab.classroom.checks import CheckResult


def make_public_command(port: int, codespace: str) -> list[str]:
    """The gh command that makes `port` public in `codespace`."""
    return ["gh", "codespace", "ports", "visibility", f"{port}:public", "-c", codespace]


def port_visibility(port: int, codespace: str, run=subprocess.run) -> str | None:
    """'public', 'private' or 'org' for a forwarded port; None when it is not forwarded yet."""
    listed = run(
        ["gh", "codespace", "ports", "-c", codespace, "--json", "sourcePort,visibility"],
        capture_output=True, text=True, timeout=20, check=True,
    )
    for entry in json.loads(listed.stdout or "[]"):
        if int(entry.get("sourcePort", 0)) == port:
            return str(entry.get("visibility", "")).lower()
    return None


def make_port_public(port: int, env: dict[str, str], run=subprocess.run, which=shutil.which) -> str:
    """In a codespace with gh, make `port` public; return one line saying what happened."""
    codespace = env.get("CODESPACE_NAME")
    if not codespace or not which("gh"):
        return f"port {port}: not in a codespace with gh, nothing to do"
    try:
        done = run(make_public_command(port, codespace), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        done = subprocess.CompletedProcess([], 1, "", str(error))
    if done.returncode == 0:
        return f"port {port} is public: phones can reach the show"
    reason = ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1]
    return f"port {port} is still private ({reason[:100]}): in the Ports tab, right-click it > Port Visibility > Public"


def check_port_visibility(port: int, env: dict[str, str], run=subprocess.run, which=shutil.which) -> CheckResult:
    """In a codespace, the show's port is public (phones cannot log in to a private one)."""
    codespace = env["CODESPACE_NAME"]
    command = " ".join(make_public_command(port, "$CODESPACE_NAME"))
    by_hand = f"in the Ports tab, right-click port {port} > Port Visibility > Public"
    if not which("gh"):
        return CheckResult(
            "port visibility", False, "cannot tell: the gh command is not installed",
            f"Check it yourself: {by_hand}.", blocking=False,
        )
    try:
        visibility = port_visibility(port, codespace, run)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        return CheckResult(
            "port visibility", False, f"cannot tell: gh failed ({error.__class__.__name__})",
            f"Check it yourself: {by_hand}.", blocking=False,
        )
    if visibility == "public":
        return CheckResult("port visibility", True, f"{port} is public")
    if visibility is None:
        return CheckResult(
            "port visibility", False, f"{port} is not forwarded yet",
            f"Once the show runs, make sure it is public: `{command}`, or {by_hand}.", blocking=False,
        )
    return CheckResult(
        "port visibility", False, f"{port} is {visibility}: phones cannot reach it",
        f"Run `{command}`, or {by_hand}.",
    )
