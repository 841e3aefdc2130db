"""Every answer carries the security headers: CSP without inline script, no framing, nosniff, no referrer."""

import pytest

from lab.web.presenter import TOKEN_HEADER

PATHS = [
    ("GET", "/"), ("GET", "/qr"), ("GET", "/healthz"), ("GET", "/api/results"), ("GET", "/static/dashboard.js"),
    ("GET", "/nowhere"), ("POST", "/api/vote"), ("POST", "/api/presenter/reset"), ("DELETE", "/qr"),
    ("GET", "/socket.io/?EIO=4&transport=polling"),
]


@pytest.mark.parametrize("method, path", PATHS)
def test_every_answer_carries_the_security_headers(offline_app, method, path):
    with offline_app.test_client().open(path, method=method) as answer:
        headers = answer.headers

    policy = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_pages_hold_no_inline_script_the_policy_would_block(offline_app):
    client = offline_app.test_client()

    for path in ("/", "/qr"):
        page = client.get(path).text
        scripts = page.split("<script")[1:]
        assert scripts and all(script.lstrip().startswith("src=") for script in scripts), path
        assert "style=" not in page, path


def test_an_error_answer_with_the_secret_still_carries_them(offline_app):
    answer = offline_app.test_client().post("/api/presenter/nope", headers={TOKEN_HEADER: "wrong"})

    assert answer.status_code in (403, 429)
    assert answer.headers["X-Frame-Options"] == "DENY"
