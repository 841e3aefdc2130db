"""The presenter secret: checked in constant time, and guessing it is slow, but never for the presenter.

Every presenter request (HTTP header or the dashboard socket's connect auth) goes through
`PresenterSecret.check`. A client (by address) with more than GUESSES wrong secrets in the
last WINDOW seconds is refused without a check until the oldest of them ages out, so
a guesser gets about ten tries a minute instead of hundreds a second.

Behind Codespaces' forwarding, a tunnel or a NAT every phone shares the presenter's address,
so one guesser would lock the presenter out. A browser that proved the secret once holds
a device proof (a cookie signed with the secret itself, OWASP's "device cookie"): its checks
skip the address's count, so ten wrong guesses from the room never refuse the presenter's
dashboard, its keys or its projector's socket. A guesser cannot make one without the secret.
"""

import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from itsdangerous import BadSignature, URLSafeSerializer

from lab.errors import WorkshopError
from lab.web.config import new_secret

MIN_LENGTH = 16
GUESSES, WINDOW = 10, 60.0
CLIENTS_KEPT = 10_000  # addresses remembered at most: the oldest are forgotten first
DEVICE_COOKIE = "tcmagic_presenter"  # the device proof of a browser that proved the secret
DEVICE_MAX_AGE = 12 * 3600


def checked_secret(secret: str) -> str:
    """`secret` if it is long enough to resist guessing; otherwise one sentence saying what to do."""
    if len(secret) < MIN_LENGTH:
        raise WorkshopError(f"PRESENTER_TOKEN is shorter than {MIN_LENGTH} characters: choose a longer secret, "
                            "or unset it and the show makes a random one.")
    return secret


def presenter_secret(environ) -> str:
    """The secret from PRESENTER_TOKEN (refused when too short), else a new random one."""
    chosen = environ.get("PRESENTER_TOKEN", "").strip()
    return checked_secret(chosen) if chosen else new_secret()


class PresenterSecret:
    """The secret and the wrong guesses each client made in the last WINDOW seconds."""

    def __init__(self, expected: str, guesses: int = GUESSES, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.expected = expected.encode()
        self.guesses = guesses
        self.window = window
        self.clock = clock
        self._wrong: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()
        self._devices = URLSafeSerializer(expected, salt="presenter-device")  # a new secret voids every proof

    def check(self, given: object, client: str, device: str | None = None) -> str:
        """"ok", "missing", "wrong", or "throttled" (too many wrong ones lately: not even compared).

        `device` is the device proof the browser sent; a valid one is never throttled and its
        wrong secrets (a typo of someone who knew it) are not counted against the address.
        """
        proven = self.proves_device(device)
        if not proven and self.retry_after(client):
            return "throttled"
        if not isinstance(given, str) or not given:
            return "missing"
        if hmac.compare_digest(given.encode(), self.expected):
            return "ok"
        if proven:
            return "wrong"
        with self._lock:
            self._wrong.setdefault(client, deque()).append(self.clock())
            self._wrong.move_to_end(client)
            while len(self._wrong) > CLIENTS_KEPT:
                self._wrong.popitem(last=False)
        return "wrong"

    def device_proof(self) -> str:
        """A new device proof, for a browser that has just proved the secret."""
        return self._devices.dumps(secrets.token_hex(8))

    def proves_device(self, device: str | None) -> bool:
        """True when `device` is a device proof this secret signed."""
        if not device:
            return False
        try:
            self._devices.loads(device)
        except BadSignature:
            return False
        return True

    def retry_after(self, client: str) -> int:
        """Whole seconds until `client` may try again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            wrong = self._wrong.get(client)
            if wrong is None:
                return 0
            while wrong and now - wrong[0] >= self.window:
                wrong.popleft()
            if not wrong:
                del self._wrong[client]
                return 0
            if len(wrong) < self.guesses:
                return 0
            return max(1, round(self.window - (now - wrong[-self.guesses])))
