"""Headings: the one Heading model, finding headings fast, and which section each is.

This is the one place that decides which section a heading belongs to, for
both sides of studylog: the read side (`list`, `search`, `check`, `stats`,
`export`, commit messages) and the insert side (`add-question`,
`add-review`, `add`). Both ask `matcher_for(sections).key_for(text)`, so
`add-question` appends to the very section that `list` counts questions in.

Nothing here imports markdown-it: `find_headings` is one regular
expression over the text that skips fenced code blocks, fast enough to run
on every post for `list`. The insert side finds its headings in
markdown-it's block tokens (`document.parse_document`), as the same
`Heading`, and borrows the matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studylog.config import SectionSpec

QUESTIONS = "questions"
REVIEWS = "reviews"
# The sections whose headings also match when they merely contain a
# configured name (`## 수업 질문`, `### 4-2. [금일 질문 목록]:`): authors
# title their question lists freely, and an entry section missed is a
# question lost from `list` and a duplicate section made by `add-question`.
ENTRY_SECTIONS = (QUESTIONS, REVIEWS)


# --- normalising heading text ---------------------------------------------------

# Zero-width characters and variation selectors (emoji presentation).
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Characters that carry no words: emoji and other symbols, their modifiers
# and enclosing marks (keycaps), joiners, private use, unassigned.
_DROP_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co", "Cf", "Cc", "Cn", "Mn", "Me"})
# Emphasis, code, brackets and colons anywhere in a heading are markup, not words.
_DECORATION = re.compile(r"[*_`\[\]<>:：]+")
# A section number: `4.`, `3)`, `5-1.`, `1.2`, or a heading that is only a
# number. A bare number followed by words (`2021 회고`) is a word, kept.
_NUMBERING = re.compile(r"^(?:\d+(?:[-.]\d+)+[.)]?|\d+[.)]|\d+$)\s*")
# Punctuation at either end: `-. 금일 질문`, `과제 리뷰 :`, `| 회고 |`.
_EDGE_PUNCT = re.compile(r"^[\s:：\-–—|*_#~.·]+|[\s:：\-–—|*_#~.·]+$")


def normalize_heading(text: str) -> str:
    """Heading text reduced to its words, as matching compares them.

    NFKC (so decomposed Hangul reads as composed) and case-folded; a link
    becomes its text; emoji, zero-width characters, emphasis, brackets,
    colons, punctuation at either end and leading section numbers (`4.`,
    `5-1.`, `3)`) are dropped; runs of white space become one space.
    `"4. 피어 세션 👨‍👨‍👦"` gives `"피어 세션"`.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = "".join(
        ch
        for ch in text
        if ch.isalnum() or ch.isspace() or unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    text = _DECORATION.sub(" ", text)
    while True:
        # `-. 1. 질문`: punctuation and numbers may take turns at the start.
        stripped = _NUMBERING.sub("", _EDGE_PUNCT.sub("", text), count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.casefold().split())


def heading_key(text: str) -> str:
    """The normalised heading without any space: what names are compared by.

    `"피어 세션"` and `"피어세션"` are the same section, so spaces never count:
    `"4. 피어 세션 👨‍👨‍👦"` and `"피어세션"` both give `"피어세션"`.
    """
    return "".join(normalize_heading(text).split())


# --- finding headings without a Markdown parser --------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading of a Markdown text.

    `text` is its plain text, without `#` marks; `line` is its first line,
    counted from 0, and `end_line` the line after it (a setext heading spans
    two); `start`/`end` are the character offsets of its lines in the text,
    `end` before the line break.
    """

    level: int
    text: str
    line: int
    end_line: int
    start: int
    end: int

    @property
    def key(self) -> str:
        """The text names are compared by (see `heading_key`)."""
        return heading_key(self.text)


_BLOCK = re.compile(
    r"^[ ]{0,3}(?:(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)"
    r"|(?P<hashes>#{1,6})(?:[ \t]+(?P<text>[^\n]*?))?[ \t]*)\r?$",
    re.MULTILINE,
)
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")


def find_headings(text: str) -> list[Heading]:
    """The ATX headings of `text`, skipping those inside fenced code blocks."""
    headings: list[Heading] = []
    fence: str | None = None
    line = 0
    counted = 0
    for match in _BLOCK.finditer(text):
        marker = match["fence"]
        if fence is not None:
            # Inside a fence only a closing fence (same character, at least
            # as long, nothing after it) matters.
            if marker and marker[0] == fence[0] and len(marker) >= len(fence):
                if not match["info"].strip():
                    fence = None
            continue
        if marker:
            if marker[0] == "`" and "`" in match["info"]:
                continue  # not a fence: an inline code span at line start
            fence = marker
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        title = _CLOSING_HASHES.sub("", match["text"] or "").strip()
        level = len(match["hashes"])
        headings.append(Heading(level, title, line, line + 1, match.start(), match.end()))
    return headings


# --- which section a heading is ----------------------------------------------------


def spec_names(spec: SectionSpec) -> set[str]:
    """The heading keys (see `heading_key`) of a section's heading and aliases."""
    return {heading_key(name) for name in (spec.heading, *spec.aliases)} - {""}


@dataclass(frozen=True)
class SectionMatcher:
    """Maps heading text to a section key by the log's headings and aliases.

    An exact match over every section's heading and aliases (ignoring
    spaces, emoji, numbering and case) wins; the first section to name a
    text keeps it. Failing that, for the entry sections only (questions,
    reviews), a heading that contains a configured name matches, longest
    name first, so `### 질문사항` is the questions section and
    `### 4-2. [금일 질문 목록]:` is too.
    """

    exact: dict[str, str]
    contains: tuple[tuple[str, str], ...]
    # Headings repeat across posts; matching each text once keeps `list` fast.
    cache: dict[str, str | None] = field(default_factory=dict, compare=False)

    @classmethod
    def for_sections(cls, specs: Iterable[SectionSpec]) -> SectionMatcher:
        """Build the matcher from section specs, in the log's order."""
        exact: dict[str, str] = {}
        contains: list[tuple[str, str]] = []
        for spec in specs:
            for name in (spec.heading, *spec.aliases):
                key = heading_key(name)
                if not key:
                    continue
                exact.setdefault(key, spec.key)
                if spec.key in ENTRY_SECTIONS:
                    contains.append((key, spec.key))
        # Longest name first, so "질문내용" is tried before "질문" (a stable
        # sort: between names of one length, the log's order decides).
        contains.sort(key=lambda item: -len(item[0]))
        return cls(exact, tuple(contains))

    def named(self, text: str) -> str | None:
        """The key of the section whose heading or alias `text` is, or None (no contains rule)."""
        return self.exact.get(heading_key(text))

    def key_for(self, heading: str) -> str | None:
        """The section key for this heading text, or None."""
        try:
            return self.cache[heading]
        except KeyError:
            pass
        key = self._key_for(heading)
        if len(self.cache) < 10_000:
            self.cache[heading] = key
        return key

    def _key_for(self, heading: str) -> str | None:
        compact = heading_key(heading)
        if not compact:
            return None
        found = self.exact.get(compact)
        if found is not None:
            return found
        for name, key in self.contains:
            if name in compact:
                return key
        return None


_MATCHERS: dict[tuple[SectionSpec, ...], SectionMatcher] = {}


def matcher_for(sections: Mapping[str, SectionSpec]) -> SectionMatcher:
    """The (cached) section matcher for these sections (`Settings.sections`)."""
    # Keyed by the specs themselves (frozen, hashable), never by id(): a
    # new Settings may reuse a freed object's id.
    key = tuple(sections.values())
    cached = _MATCHERS.get(key)
    if cached is None:
        cached = SectionMatcher.for_sections(key)
        if len(_MATCHERS) > 8:
            _MATCHERS.clear()
        _MATCHERS[key] = cached
    return cached
