"""The vote store as the show runs it: gevent monkey-patched, psycopg2 made cooperative.

A child process (monkey patching can't be undone inside pytest) sends 40 votes at once
through a pool of 2 connections. Each query yields to the other greenlets, so 38 wait
on the pool's semaphore at any moment: it must wait cooperatively (an unpatched one
would block the only thread until its timeout). Every vote stored, none refused.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.realdb, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent.parent

CHILD = """
from gevent import monkey
monkey.patch_all()
import json, sys, gevent
from lab.settings import PostgresSettings
from lab.votes.postgres import PostgresVoteStore
from lab.web.server import make_cooperative
make_cooperative()
store = PostgresVoteStore(PostgresSettings.from_url(sys.argv[1]), pool_size=2, wait_timeout=10)
store.reset(options=True)
store.add_option("a", "A")
jobs = [gevent.spawn(store.vote, f"greenlet-{n}", "a") for n in range(40)]
gevent.joinall(jobs, raise_error=True)
print(json.dumps({"outcomes": sorted({job.value.outcome.value for job in jobs}), "count": store.count()}))
store.reset(options=True)
"""


def test_forty_greenlets_share_two_connections_and_every_vote_is_stored(postgres_settings):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, postgres_settings.url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"outcomes": ["accepted"], "count": 40}
