"""What the browser tests share besides fixtures: how a phone's browser is opened, and voters without one."""

import http.cookiejar
import json
import urllib.error
import urllib.request

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


class HttpVoter:
    """An audience member without a browser: opens the vote page (its cookie) and votes, as a phone's requests do."""

    def __init__(self, show) -> None:
        self.show = show
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(show.vote_url, timeout=10) as page:
            page.read()

    def vote(self, option: str) -> int:
        """POST a vote for `option` (an id); the HTTP status."""
        request = urllib.request.Request(f"{self.show.url}/api/vote", data=json.dumps({"option": option}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code
