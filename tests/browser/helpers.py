"""What the browser tests share besides fixtures: how a phone's browser is opened, and voters without one."""

import http.cookiejar
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
SHOOT_DOCS = "TCMAGIC_SHOOT_DOCS"  # =1: the screenshots go to docs/images, re-shooting the docs' pictures


def picture(name: str) -> Path:
    """Where a screenshot named `name` goes: docs/images with TCMAGIC_SHOOT_DOCS=1, else a scratch folder.

    A plain `pytest` never changes a file the repository tracks.
    """
    folder = DOCS_IMAGES if os.environ.get(SHOOT_DOCS) == "1" else Path(tempfile.gettempdir()) / "tcmagic-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


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
