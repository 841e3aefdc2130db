"""The phones' vote page, rendered once per show and question, then served as it is."""

from collections import OrderedDict
from types import SimpleNamespace

from flask import render_template


class VotePages:
    """One show's vote page, rendered once for each question, options and script root (its URLs), then served as it is.

    A thousand phones opening the page within a minute would otherwise render one template
    each, an eighth of the show's work for them (profiled with py-spy). The last `kept` are kept.
    """

    def __init__(self, kept: int = 32) -> None:
        self.kept = kept
        self._pages: OrderedDict[tuple, str] = OrderedDict()

    def rendered(self, show, script_root: str) -> str | None:
        """The vote page already rendered for `show`'s question and options under `script_root`, or None."""
        return self._pages.get(self._key(show, script_root))

    def render(self, show, script_root: str) -> str:
        """The vote page for `show` under `script_root`, rendered now if it never was (needs an app context)."""
        key = self._key(show, script_root)
        if key not in self._pages:
            self._pages[key] = render_template("vote.html", show=SimpleNamespace(question=show.question, options=show.options))
            while len(self._pages) > self.kept:
                self._pages.popitem(last=False)
        return self._pages[key]

    @staticmethod
    def _key(show, script_root: str) -> tuple:
        return show.question, tuple(show.options.items()), script_root
