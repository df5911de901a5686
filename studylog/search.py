"""Search the log: questions, answers, reviews and the rest of the text.

Matching is case-insensitive and Unicode-normalised: both the query and the
text are NFKC-normalised and case-folded, so composed and decomposed Hangul
(what macOS file names and some editors produce) match each other.

Speed: before a post is parsed into entries, a cheap prefilter has to find
the query in its raw bytes. With ripgrep on PATH the prefilter is one
`rg -l` over the posts folder; without it, each file's bytes are searched
for the query's NFC and NFD forms (ASCII case folded). Only the posts that
pass are read into entries.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from studylog.config import Settings
from studylog.errors import StudylogError
from studylog.log import PostRef
from studylog.reader import QuestionEntry, ReadPost, ReviewEntry, load_post, read_text

SCOPES = ("questions", "reviews", "all")


class SearchQueryError(StudylogError):
    """The search query or a filter can't be used."""


def normalize(text: str) -> str:
    """NFKC-normalise and case-fold `text` for comparison."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class FieldMatch:
    """Where the query matched inside one field of a hit.

    `text` is the field's text (NFC-normalised); `spans` are the
    `(start, end)` offsets of each match in that text, for highlighting.
    `index` tells which answer or feedback item matched (else 0).
    """

    field: str
    index: int
    text: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SearchHit:
    """One entry (or line of text) that matched, and the post it is in.

    `kind` is `question`, `review`, `text` or `title`; `entry` is the
    question or review for entry hits, else None.
    """

    ref: PostRef
    title: str | None
    kind: str
    section: str
    line: int
    entry: QuestionEntry | ReviewEntry | None
    matches: tuple[FieldMatch, ...]


@dataclass(frozen=True)
class SearchQuery:
    """What to look for and where."""

    text: str
    scope: str = "all"
    asker: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise SearchQueryError("The search query is empty; give a word or phrase to look for.")
        if self.scope not in SCOPES:
            raise SearchQueryError(f"--in must be questions, reviews or all, not '{self.scope}'.")
        if self.since and self.until and self.since > self.until:
            raise SearchQueryError(
                f"--since {self.since} is after --until {self.until}; swap them."
            )


def find_spans(needle: str, text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The NFC form of `text` and the spans in it where the normalised `needle` occurs.

    `needle` must already be normalised (see `normalize`).
    """
    shown = unicodedata.normalize("NFC", text)
    folded = normalize(shown)
    if needle not in folded:
        return shown, ()
    if len(folded) == len(shown):
        index_map = None
    else:
        # Folding changed lengths (ß -> ss, ㎏ -> kg): map folded offsets back
        # to the shown text character by character.
        index_map = []
        for position, char in enumerate(shown):
            index_map.extend([position] * len(normalize(char)))
        index_map.append(len(shown))
        if len(index_map) != len(folded) + 1:
            return shown, ((0, len(shown)),)
    spans: list[tuple[int, int]] = []
    start = folded.find(needle)
    while start >= 0:
        end = start + len(needle)
        if index_map is None:
            spans.append((start, end))
        else:
            spans.append((index_map[start], max(index_map[end - 1] + 1, index_map[start] + 1)))
        start = folded.find(needle, end)
    return shown, tuple(spans)


def _needles(query: str) -> list[str]:
    forms = {unicodedata.normalize(form, query) for form in ("NFC", "NFD", "NFKC")}
    return sorted(forms)


def _prefilter_rg(rg: str, query: str, folder: Path) -> set[str] | None:
    """Paths of the files under `folder` whose bytes contain the query (ripgrep)."""
    # -L: a post may be a symbolic link; the paths are matched against the posts anyway.
    command = [rg, "-l", "-0", "-i", "-F", "-L", "--no-ignore", "--hidden", "--no-messages"]
    command += ["-g", "*.md", "-g", "*.markdown", "-g", "!.*"]
    for needle in _needles(query):
        command += ["-e", needle]
    command += ["--", str(folder)]
    try:
        result = subprocess.run(command, capture_output=True, check=False)
    except OSError:
        return None
    if result.returncode not in (0, 1):
        return None
    return {os.fsdecode(part) for part in result.stdout.split(b"\0") if part}


def _bytes_needles(query: str) -> list[bytes] | None:
    """Needles for a bytes search, or None when bytes can't decide (non-ASCII case)."""
    for char in query:
        if not char.isascii() and char.lower() != char.upper():
            return None
    return [needle.lower().encode("utf-8") for needle in _needles(query)]


def candidate_posts(
    refs: list[PostRef], query: str, folder: Path, use_rg: bool | None = None
) -> list[PostRef]:
    """The posts that may contain `query`: every post that does, and maybe a few more.

    Args:
        refs: the posts to consider.
        query: the raw query text.
        folder: the posts folder (what ripgrep searches).
        use_rg: force ripgrep on or off; None uses it when it is on PATH.
    """
    if not refs:
        return []
    rg = shutil.which("rg") if use_rg is not False else None
    if rg is not None:
        found = _prefilter_rg(rg, query, folder)
        if found is not None:
            found = {os.path.normpath(path) for path in found}
            return [ref for ref in refs if os.path.normpath(ref.path) in found]
    needles = _bytes_needles(query)
    if needles is None:
        return list(refs)
    kept: list[PostRef] = []
    for ref in refs:
        try:
            data = ref.path.read_bytes().lower()
        except OSError:
            continue
        if any(needle in data for needle in needles):
            kept.append(ref)
    return kept


def _entry_matches(
    needle: str, fields: Iterable[tuple[str, int, str | None]]
) -> tuple[FieldMatch, ...]:
    found: list[FieldMatch] = []
    for name, index, value in fields:
        if not value:
            continue
        shown, spans = find_spans(needle, value)
        if spans:
            found.append(FieldMatch(name, index, shown, spans))
    return tuple(found)


def search_post(post: ReadPost, query: SearchQuery) -> list[SearchHit]:
    """The hits in one post, in the order they appear."""
    needle = normalize(query.text.strip())
    asker = normalize(query.asker.strip()) if query.asker else None
    hits: list[SearchHit] = []
    covered: set[int] = set()
    title = post.title
    entries = post.entries
    if query.scope == "all" and asker is None and title:
        shown, spans = find_spans(needle, title)
        if spans:
            hits.append(
                SearchHit(
                    post.ref, title, "title", "", 0, None, (FieldMatch("title", 0, shown, spans),)
                )
            )
    for question in entries.questions:
        covered.update(range(question.line, question.end_line + 1))
        if query.scope == "reviews":
            continue
        if asker is not None and (question.asker is None or asker not in normalize(question.asker)):
            continue
        fields = [("question", 0, question.question), ("asker", 0, question.asker)]
        fields += [("answer", i, answer) for i, answer in enumerate(question.answers)]
        matches = _entry_matches(needle, fields)
        if matches:
            hits.append(
                SearchHit(
                    post.ref, title, "question", question.section, question.line, question, matches
                )
            )
    for review in entries.reviews:
        covered.update(range(review.line, review.end_line + 1))
        if query.scope == "questions" or asker is not None:
            continue
        fields = [
            ("assignment", 0, review.assignment),
            ("topic", 0, review.topic),
            ("presenter", 0, review.presenter),
        ]
        fields += [("feedback", i, item) for i, item in enumerate(review.feedback)]
        matches = _entry_matches(needle, fields)
        if matches:
            hits.append(
                SearchHit(post.ref, title, "review", review.section, review.line, review, matches)
            )
    if query.scope == "all" and asker is None:
        hits.extend(_text_hits(post, needle, covered))
    hits.sort(key=lambda hit: hit.line)
    return hits


def _text_hits(post: ReadPost, needle: str, covered: set[int]) -> Iterator[SearchHit]:
    for section in post.entries.sections:
        first = section.line + 1 if section.line else post.text.count("\n", 0, post.body_start) + 1
        for offset, line in enumerate(section.text.split("\n")):
            number = first + offset
            if number in covered or not line.strip():
                continue
            shown, spans = find_spans(needle, line.rstrip("\r"))
            if spans:
                yield SearchHit(
                    post.ref,
                    post.title,
                    "text",
                    section.heading,
                    number,
                    None,
                    (FieldMatch("text", 0, shown.strip(), _shift(shown, spans)),),
                )
        if section.heading:
            shown, spans = find_spans(needle, section.heading)
            if spans and section.line not in covered:
                yield SearchHit(
                    post.ref,
                    post.title,
                    "text",
                    section.heading,
                    section.line,
                    None,
                    (FieldMatch("heading", 0, shown, spans),),
                )


def _shift(shown: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Spans in `shown.strip()` rather than `shown`."""
    lead = len(shown) - len(shown.lstrip())
    return tuple((start - lead, end - lead) for start, end in spans)


def search_posts(
    refs: list[PostRef],
    settings: Settings,
    query: SearchQuery,
    use_rg: bool | None = None,
) -> list[SearchHit]:
    """Every hit for `query` across `refs`, newest post first.

    Posts outside `--since`/`--until` (by the date in their file name) are
    skipped before any file is read.
    """
    window = [
        ref
        for ref in refs
        if (query.since is None or ref.date >= query.since)
        and (query.until is None or ref.date <= query.until)
    ]
    candidates = candidate_posts(window, query.text.strip(), settings.posts_path, use_rg)
    candidates.sort(key=lambda r: (r.date, r.slug), reverse=True)
    hits: list[SearchHit] = []
    for ref in candidates:
        try:
            post = load_post(ref, settings, read_text(ref.path))
        except StudylogError:
            continue
        hits.extend(search_post(post, query))
    return hits
