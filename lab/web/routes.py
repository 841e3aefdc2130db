"""The audience's HTTP side: the projector dashboard, the phone vote page, voting, results.

Nothing served here contains the presenter secret.
"""

from collections import OrderedDict
from types import SimpleNamespace

from flask import Blueprint, Flask, current_app, jsonify, make_response, render_template, request

from lab.web.audience import qr_matrix, qr_svg, vote_url
from lab.web.phone_path import vote_answer
from lab.web.presenter import TOKEN_HEADER, token_problem
from lab.web.runtime import runtime_of
from lab.web.script import TAGLINE
from lab.web.voters import new_voter_id, remember_voter, voter_from

bp = Blueprint("audience", __name__)


@bp.get("/")
def dashboard():
    """The projector dashboard: stage, QR code, lifecycle feed and results."""
    runtime = runtime_of()
    url = vote_url(runtime.config.base_url)
    return render_template("dashboard.html", show=runtime.show, vote_url=url, qr=qr_svg(qr_matrix(url)), tagline=TAGLINE)


PAGES_KEPT = 32
_pages: OrderedDict[tuple, str] = OrderedDict()  # (app, question, options, script root) -> the vote page


def _page_key(app: Flask, show, script_root: str) -> tuple:
    return app, show.question, tuple(show.options.items()), script_root


def rendered_vote_page(app: Flask, show, script_root: str) -> str | None:
    """The vote page already rendered for `show`'s question and options under `script_root`, or None."""
    return _pages.get(_page_key(app, show, script_root))


def vote_page_html(show) -> str:
    """The vote page: rendered once for each question, options and script root (its URLs), then served as it is.

    A thousand phones opening the page within a minute would otherwise render one template
    each, an eighth of the show's work for them (profiled with py-spy).
    """
    key = _page_key(current_app._get_current_object(), show, request.script_root)
    if key not in _pages:
        _pages[key] = render_template("vote.html", show=SimpleNamespace(question=show.question, options=show.options))
        while len(_pages) > PAGES_KEPT:
            _pages.popitem(last=False)
    return _pages[key]


@bp.get("/qr")
def vote_page():
    """The phone page the QR code opens; hands out a voter id if the phone has none.

    Once rendered, a phone's GET is answered before Flask (lab.web.phone_path) the same way.
    """
    response = make_response(vote_page_html(runtime_of().show))
    if voter_from(request) is None:
        remember_voter(response, request, new_voter_id())
    return response


@bp.post("/api/vote")
def vote():
    """Record a vote {"option": id} for the cookie's voter, in PostgreSQL and in the mock.

    A phone's vote is answered before Flask (lab.web.phone_path); this route answers the
    others (a chunked body, another content type) the same way, with `vote_answer`.
    """
    status, payload, headers = vote_answer(runtime_of().show, voter_from(request), request.get_json(silent=True))
    answer = jsonify(payload)
    answer.status_code = status
    answer.headers.extend(headers)
    return answer  # the cookie stays as the vote page set it: signing it again on every vote bought nothing


@bp.get("/api/results")
def results():
    """The tallies, real and fantasy; per option once the presenter shows them (or asks, with the secret)."""
    presenter_asks = TOKEN_HEADER in request.headers and token_problem() is None
    return jsonify(runtime_of().show.results(reveal=presenter_asks))


@bp.get("/favicon.ico")
def favicon():
    """The show's icon, for browsers that ask for it by the old name."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
def health():
    """A liveness answer for scripts waiting on the server."""
    return jsonify(status="ok")
