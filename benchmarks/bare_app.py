"""The bare endpoint the load benchmark compares the show against.

Same server stack (gevent's WSGI server with TCP_NODELAY as the show's, psycopg2 made
cooperative) and the same INSERT through the same store, but no Socket.IO, no feed, no
fantasy store, no signed cookies.

    TCMAGIC_BARE_DSN=postgresql://... python benchmarks/bare_app.py PORT
"""

from gevent import monkey

monkey.patch_all()

import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from flask import Flask, jsonify, make_response, request
from psycogreen.gevent import patch_psycopg

from lab.settings import PostgresSettings
from lab.votes import Outcome
from lab.votes.postgres import PostgresVoteStore
from lab.web.transport.capacity import PromptServer

STATUS = {Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 409, Outcome.INVALID: 400, Outcome.UNAVAILABLE: 503}


def create_app(store: PostgresVoteStore) -> Flask:
    """/qr hands out a voter cookie, /api/vote inserts, /api/results counts."""
    app = Flask(__name__)

    @app.get("/qr")
    def page():
        response = make_response("<button>vote</button>")
        response.set_cookie("voter", secrets.token_hex(16), httponly=True, samesite="Lax")
        return response

    @app.post("/api/vote")
    def vote():
        result = store.vote(request.cookies.get("voter"), (request.get_json(silent=True) or {}).get("option"))
        return jsonify(status=result.outcome.value), STATUS[result.outcome]

    @app.get("/healthz")
    def health():
        return jsonify(status="ok")

    return app


if __name__ == "__main__":
    patch_psycopg()
    settings = PostgresSettings.from_url(os.environ["TCMAGIC_BARE_DSN"])
    store = PostgresVoteStore(settings, pool_size=20, wait_timeout=5.0)
    store.reset(options=True)
    for option_id in os.environ.get("TCMAGIC_BARE_OPTIONS", "mocks,real-containers,prayer").split(","):
        store.add_option(option_id, option_id)
    store.pool.warm()
    PromptServer(("127.0.0.1", int(sys.argv[1])), create_app(store), log=None).serve_forever()
