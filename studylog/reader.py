"""A post read whole for its content: text, front matter and entries.

What `show`, `search`, `stats` and `export` work on. The pieces live in
`listing` (the text and the front matter, read fast) and `extraction` (the
sections and entries); `list` needs only `listing`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from studylog.config import Settings
from studylog.listing import FrontMatterSummary, read_text, summarize_front_matter
from studylog.log import PostRef
from studylog.markdown.extraction import PostEntries, read_entries
from studylog.post import split_front_matter


@dataclass(frozen=True)
class ReadPost:
    """A post read for its content: text, front matter and entries."""

    ref: PostRef
    text: str
    front_matter: str | None
    body_start: int
    summary: FrontMatterSummary
    entries: PostEntries

    @property
    def title(self) -> str | None:
        """The front-matter title, if it is a one-line value."""
        return self.summary.title

    @property
    def body(self) -> str:
        """The text after the front matter."""
        return self.text[self.body_start :]


def load_post(ref: PostRef, settings: Settings, text: str | None = None) -> ReadPost:
    """Read a post with all its sections and entries."""
    if text is None:
        text = read_text(ref.path)
    front_matter, body_start = split_front_matter(text)
    return ReadPost(
        ref,
        text,
        front_matter,
        body_start,
        summarize_front_matter(front_matter),
        read_entries(text, settings),
    )


def filter_posts(
    refs: list[PostRef], since: dt.date | None = None, until: dt.date | None = None
) -> list[PostRef]:
    """The posts dated (by file name) from `since` to `until`, both included."""
    return [
        ref
        for ref in refs
        if (since is None or ref.date >= since) and (until is None or ref.date <= until)
    ]
