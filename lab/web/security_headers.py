"""What every answer of the show carries so a browser keeps the page to itself: CSP and friends.

Scripts come only from the show's own /static (no inline script, no eval), nobody may put
the dashboard or the vote page in a frame (clickjacking a phone into voting), a browser
never guesses a content type, and no URL leaks to another site in a Referer header.
"""

CONTENT_SECURITY_POLICY = "; ".join((  # noqa: FLY002 - one directive a line, each with room for its reason
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",  # the dashboard's Socket.IO, same origin (ws: and wss: included)
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """WSGI middleware: the security headers on every answer, Socket.IO's and errors included."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present]
            return start_response(status, [*headers, *extra], exc_info)

        return self.wsgi_app(environ, start)
