"""The audience's HTTP side: the projector dashboard, the phone vote page, voting, results.

Nothing served here contains the presenter secret.
"""

from flask import Blueprint, current_app, jsonify, make_response, render_template, request

from lab.show.script import TAGLINE
from lab.web.join_link import qr_matrix, qr_svg, vote_url
from lab.web.presenter import TOKEN_HEADER, token_problem
from lab.web.runtime import runtime_of
from lab.web.vote_answers import vote_answer
from lab.web.voters import new_voter_id

bp = Blueprint("audience", __name__)


@bp.get("/")
def dashboard():
    """The projector dashboard: stage, QR code, lifecycle feed and results."""
    runtime = runtime_of()
    url = vote_url(runtime.config.base_url)
    return render_template("dashboard.html", show=runtime.show, vote_url=url, qr=qr_svg(qr_matrix(url)), tagline=TAGLINE)


@bp.get("/qr")
def vote_page():
    """The phone page the QR code opens; hands out a voter id if the phone has none.

    Once rendered, a phone's GET is answered before Flask (lab.web.transport.phone_path) the same way.
    """
    runtime = runtime_of()
    response = make_response(runtime.vote_pages.render(runtime.show, request.script_root))
    if runtime.voters.voter_from(request) is None:
        runtime.voters.remember_voter(response, request, new_voter_id())
    return response


@bp.post("/api/vote")
def vote():
    """Record a vote {"option": id} for the cookie's voter, in PostgreSQL and in the mock.

    A phone's vote is answered before Flask (lab.web.transport.phone_path); this route answers the
    others (a chunked body, another content type) the same way, with `vote_answer`.
    """
    runtime = runtime_of()
    status, payload, headers = vote_answer(runtime.show, runtime.voters.voter_from(request), request.get_json(silent=True))
    answer = jsonify(payload)
    answer.status_code = status
    answer.headers.extend(headers)
    return answer  # the cookie stays as the vote page set it: signing it again on every vote bought nothing


@bp.get("/api/results")
def results():
    """The tallies, real and fantasy; per option once the presenter shows them (or asks, with the secret).

    From the show's kept count, never a query; an address polling faster than the show's
    read pace waits its turn (lab.web.transport.read_pace).
    """
    runtime = runtime_of()
    runtime.results_pace.wait_turn(request.remote_addr or "")
    presenter_asks = TOKEN_HEADER in request.headers and token_problem() is None
    return jsonify(runtime.show.results(reveal=presenter_asks))


@bp.get("/favicon.ico")
def favicon():
    """The show's icon, for browsers that ask for it by the old name."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
def health():
    """A liveness answer for scripts waiting on the server."""
    return jsonify(status="ok")
