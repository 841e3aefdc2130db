"""Our label namespace: every container and volume the workshop starts carries these.

The monitor, the janitor and the show find what is ours by label, never by name.
A durable volume carries them too, but never testcontainers' session label, so Ryuk
(which reaps by that label) leaves it alone when our program dies. The Ryuk we start
names the process it serves (LABEL_OWNER), so cleanup can tell a live session's Ryuk
without seeing that process's connection to it.
"""

import os
import socket
import uuid

import psutil

LABEL_NAMESPACE = "dev.tcmagic"
LABEL_MANAGED = f"{LABEL_NAMESPACE}.managed"
LABEL_ROLE = f"{LABEL_NAMESPACE}.role"
LABEL_RUN = f"{LABEL_NAMESPACE}.run-id"
LABEL_PURPOSE = f"{LABEL_NAMESPACE}.purpose"
LABEL_DURABLE = f"{LABEL_NAMESPACE}.durable"
LABEL_PORT = f"{LABEL_NAMESPACE}.port"  # where a server on the host's network listens: it publishes no port
LABEL_OWNER = f"{LABEL_NAMESPACE}.owner"  # "<host> <pid> <start time>": the process a container serves

RUN_ID = uuid.uuid4().hex[:12]


def our_labels(role: str, purpose: str, run_id: str = RUN_ID) -> dict[str, str]:
    """The labels in our namespace that every container we start carries."""
    return {LABEL_MANAGED: "true", LABEL_ROLE: role, LABEL_RUN: run_id, LABEL_PURPOSE: purpose}


def owner_label() -> dict[str, str]:
    """The label naming this process: its machine, pid and start time (a reused pid has another start time)."""
    started = psutil.Process().create_time()
    return {LABEL_OWNER: f"{socket.gethostname()} {os.getpid()} {started:.2f}"}
