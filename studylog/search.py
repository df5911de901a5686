"""Search the log: questions, answers, reviews and the rest of the text.

Matching is case-insensitive and Unicode-normalised: both the query and the
text are NFKC-normalised and case-folded, so composed and decomposed Hangul
(what macOS file names and some editors produce) match each other.

Speed: before a post is parsed into entries, a cheap prefilter has to find
the query in its raw bytes. With ripgrep on PATH the prefilter is one
`rg -l` over the posts folder, whose finds are searched as they come
(`search_log`); without it, each file's bytes are searched for the query's
NFC and NFD forms, ASCII case folded (`search_posts`). Only the posts that
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
from studylog.errors import SearchQueryError, StudylogError
from studylog.log import POST_SUFFIXES, Log, PostRef, filter_posts, in_window, post_ref
from studylog.markdown.extraction import (
    QuestionEntry,
    ReviewEntry,
    Section,
    questions_in,
    reviews_in,
    split_sections,
)
from studylog.markdown.headings import QUESTIONS, REVIEWS
from studylog.post import find_key, front_matter_title, read_post, split_front_matter

SCOPES = ("questions", "reviews", "all")


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


def _bytes_needles(query: str) -> list[bytes] | None:
    """Needles for a bytes search, or None when bytes can't decide (non-ASCII case)."""
    for char in query:
        if not char.isascii() and char.lower() != char.upper():
            return None
    return [needle.lower().encode("utf-8") for needle in _needles(query)]


def _start_rg(rg: str, query: str, folder: Path) -> subprocess.Popen[bytes] | None:
    command = [rg, "-l", "-0", "-i", "-F", "-L", "--no-ignore", "--hidden", "--no-messages"]
    # The files `log.walk_post_files` takes: post suffixes, no hidden names.
    for suffix in POST_SUFFIXES:
        command += ["-g", f"*{suffix}"]
    command += ["-g", "!.*"]
    for needle in _needles(query):
        command += ["-e", needle]
    command += ["--", str(folder)]
    try:
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
    except OSError:
        return None


def _in_real_folders(path: str, folder: str) -> bool:
    """Whether `path` lies under `folder` without passing a linked subfolder.

    `Log.iter_posts` does not follow linked subfolders; ripgrep's `-L` does
    (it has to, for linked posts), so its extra finds are dropped here.
    """
    parent = os.path.dirname(path)
    while len(parent) > len(folder):
        if os.path.islink(parent):
            return False
        parent = os.path.dirname(parent)
    return True


def search_log(
    settings: Settings, query: SearchQuery, use_rg: bool | None = None
) -> list[SearchHit]:
    """Every hit for `query` in the log's posts, newest post first.

    With ripgrep, the posts are never listed one by one: ripgrep names the
    files that contain the query and only those become posts, each searched
    as soon as ripgrep names it (while it is still looking for more).
    Without ripgrep, every post is listed and prefiltered in Python (see
    `search_posts`).
    """
    rg = shutil.which("rg") if use_rg is not False else None
    process = _start_rg(rg, query.text.strip(), settings.posts_path) if rg else None
    if process is None or process.stdout is None:
        return _search_all(settings, query)
    folder = os.path.normpath(settings.posts_path)
    hits: list[SearchHit] = []
    pending = b""
    while True:
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        *names, pending = (pending + chunk).split(b"\0")
        for name in names:
            hits.extend(_search_named(name, folder, settings, query))
    process.stdout.close()
    if process.wait() not in (0, 1):
        return _search_all(settings, query)
    if pending:
        hits.extend(_search_named(pending, folder, settings, query))
    hits.sort(key=lambda h: (h.ref.date, h.ref.slug, str(h.ref.path)), reverse=True)
    return hits


def _search_all(settings: Settings, query: SearchQuery) -> list[SearchHit]:
    return search_posts(list(Log(settings).iter_posts()), settings, query)


def _search_named(
    raw: bytes, folder: str, settings: Settings, query: SearchQuery
) -> list[SearchHit]:
    """The hits in one file ripgrep named, if it is a post in the window."""
    path = os.path.normpath(os.fsdecode(raw))
    if not raw or not _in_real_folders(path, folder):
        return []
    ref = post_ref(Path(path))
    if ref is None:
        return []
    if not in_window(ref.date, query.since, query.until):
        return []
    try:
        text = read_post(ref.path, strict=False).text
    except StudylogError:
        return []
    return search_text(ref, text, settings, query)


def candidate_posts(refs: list[PostRef], query: str) -> list[PostRef]:
    """The posts that may contain `query` (raw text): every post that does, and maybe a few more.

    This is the prefilter without ripgrep (`search_log` streams ripgrep's finds instead).
    """
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


def _matched_lines(folded: str, needle: str, start: int) -> set[int]:
    """1-based line numbers of the needle's occurrences at or after `start`."""
    lines: set[int] = set()
    position = folded.find(needle, start)
    counted, line = 0, 1
    while position >= 0:
        line += folded.count("\n", counted, position)
        counted = position
        lines.add(line)
        position = folded.find(needle, position + len(needle))
    return lines


def _title_line(front_matter: str | None) -> int:
    """The 1-based file line of the `title:` key (the front matter starts on line 2)."""
    found = find_key(front_matter, "title")
    return 2 + (front_matter or "").count("\n", 0, found.start()) if found else 1


def search_text(ref: PostRef, text: str, settings: Settings, query: SearchQuery) -> list[SearchHit]:
    """The hits in one post's text, in the order they appear.

    The whole text is folded once to find the lines that match; only the
    sections holding such a line are read into entries, so a post that
    mentions the query once costs one section's parse, not the post's.
    """
    needle = normalize(query.text.strip())
    asker = normalize(query.asker.strip()) if query.asker else None
    shown = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    folded = normalize(shown)
    front_matter, body_start = split_front_matter(shown)
    title = front_matter_title(front_matter)
    hits: list[SearchHit] = []
    everything = query.scope == "all" and asker is None
    if everything and title:
        title_text, spans = find_spans(needle, title)
        if spans:
            match = FieldMatch("title", 0, title_text, spans)
            hits.append(
                SearchHit(ref, title, "title", "", _title_line(front_matter), None, (match,))
            )
    # Folding can change lengths (ß -> ss); then offsets don't map and every
    # section is examined.
    lines = _matched_lines(folded, needle, body_start) if len(folded) == len(shown) else None
    if lines is not None and not lines:
        return hits
    offset = shown.count("\n", 0, body_start)
    for section in split_sections(shown[body_start:], settings, offset, lines):
        first = section.line + 1 if section.line else offset + 1
        covered: set[int] = set()
        if section.key == QUESTIONS:
            for question in questions_in(section, settings, lines):
                covered.update(range(question.line, question.end_line + 1))
                hit = _question_hit(ref, title, question, needle, asker, query.scope)
                if hit is not None:
                    hits.append(hit)
        elif section.key == REVIEWS:
            for review in reviews_in(section, settings, lines):
                covered.update(range(review.line, review.end_line + 1))
                if query.scope != "questions" and asker is None:
                    hit = _review_hit(ref, title, review, needle)
                    if hit is not None:
                        hits.append(hit)
        if everything:
            hits.extend(_text_hits(ref, title, section, first, needle, covered, lines))
    hits.sort(key=lambda hit: hit.line)
    return hits


def _question_hit(
    ref: PostRef,
    title: str | None,
    question: QuestionEntry,
    needle: str,
    asker: str | None,
    scope: str,
) -> SearchHit | None:
    if scope == "reviews":
        return None
    if asker is not None and (question.asker is None or asker not in normalize(question.asker)):
        return None
    fields = [("question", 0, question.question), ("asker", 0, question.asker)]
    fields += [("answer", i, answer) for i, answer in enumerate(question.answers)]
    matches = _entry_matches(needle, fields)
    if not matches:
        return None
    return SearchHit(ref, title, "question", question.section, question.line, question, matches)


def _review_hit(
    ref: PostRef, title: str | None, review: ReviewEntry, needle: str
) -> SearchHit | None:
    fields = [
        ("assignment", 0, review.assignment),
        ("topic", 0, review.topic),
        ("presenter", 0, review.presenter),
    ]
    fields += [("feedback", i, item) for i, item in enumerate(review.feedback)]
    matches = _entry_matches(needle, fields)
    if not matches:
        return None
    return SearchHit(ref, title, "review", review.section, review.line, review, matches)


def _text_hits(
    ref: PostRef,
    title: str | None,
    section: Section,
    first: int,
    needle: str,
    covered: set[int],
    lines: set[int] | None,
) -> Iterator[SearchHit]:
    if section.heading and (lines is None or section.line in lines):
        shown, spans = find_spans(needle, section.heading)
        if spans:
            match = FieldMatch("heading", 0, shown, spans)
            yield SearchHit(ref, title, "text", section.heading, section.line, None, (match,))
    for offset, line in enumerate(section.text.split("\n")):
        number = first + offset
        if number in covered or (lines is not None and number not in lines):
            continue
        shown, spans = find_spans(needle, line.rstrip("\r"))
        if spans:
            match = FieldMatch("text", 0, shown.strip(), _shift(shown, spans))
            yield SearchHit(ref, title, "text", section.heading, number, None, (match,))


def _shift(shown: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Spans in `shown.strip()` rather than `shown`."""
    lead = len(shown) - len(shown.lstrip())
    return tuple((start - lead, end - lead) for start, end in spans)


def search_posts(refs: list[PostRef], settings: Settings, query: SearchQuery) -> list[SearchHit]:
    """Every hit for `query` across `refs`, newest post first, without ripgrep.

    Posts outside `--since`/`--until` (by the date in their file name) are
    skipped before any file is read.
    """
    window = filter_posts(refs, query.since, query.until)
    candidates = candidate_posts(window, query.text.strip())
    candidates.sort(key=lambda r: (r.date, r.slug, str(r.path)), reverse=True)
    hits: list[SearchHit] = []
    for ref in candidates:
        try:
            text = read_post(ref.path, strict=False).text
        except StudylogError:
            continue
        hits.extend(search_text(ref, text, settings, query))
    return hits
