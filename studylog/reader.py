"""A post read whole for its content: text, front matter and entries.

What `show`, `stats` and `export` work on: the post read by `post.read_post`,
its front matter summarised by regex (`post.summarize_front_matter`) and its
entries from `markdown.extraction`.
"""

from __future__ import annotations

from dataclasses import dataclass

from studylog.config import Settings
from studylog.log import PostRef
from studylog.markdown.extraction import PostEntries, read_entries
from studylog.post import FrontMatterSummary, PostText, read_post, summarize_front_matter


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


def load_post(ref: PostRef, settings: Settings, strict: bool = False) -> ReadPost:
    """Read a post with all its sections and entries.

    Raises:
        PostReadError: see `post.read_post` (`strict`: bytes that are not UTF-8 too).
    """
    return content_of(ref, read_post(ref.path, strict), settings)


def content_of(ref: PostRef, post: PostText, settings: Settings) -> ReadPost:
    """A post's content from its text as read (its front matter summarised, its entries)."""
    return ReadPost(
        ref,
        post.text,
        post.front_matter,
        post.body_start,
        summarize_front_matter(post.front_matter),
        read_entries(post.text, settings),
    )
