"""Search the log: questions, answers, reviews and the rest of the text.

Matching is case-insensitive and Unicode-normalised: both the query and the
text are NFKC-normalised and case-folded, so composed and decomposed Hangul
(what macOS file names and some editors produce) match each other.

Speed: before a post is parsed into entries, a cheap prefilter has to find
the query in its raw bytes. With ripgrep on PATH the prefilter is one
`rg -l` over the posts folder (`studylog.ripgrep`, started by
`start_prefilter` as soon as the log is known), whose finds are searched as
they come (`search_log`); without it, each file's bytes are searched for
the query's NFC and NFD forms, ASCII case folded (`search_posts`). Only the
posts that pass are read into entries, from a cache where they haven't
changed (`studylog.entry_cache`).
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from studylog.config import Settings
from studylog.errors import SearchQueryError, StudylogError
from studylog.log import Log, PostRef, filter_posts, in_window, post_ref
from studylog.post import (
    find_key,
    front_matter_title,
    read_post,
    read_post_bytes,
    split_front_matter,
)
from studylog.ripgrep import Ripgrep, start_ripgrep

if TYPE_CHECKING:
    from studylog.entry_cache import EntryCache
    from studylog.markdown.model import QuestionEntry, ReviewEntry, Section

SCOPES = ("questions", "reviews", "all")
# More context than this is reading the post: `studylog show` or an editor does that.
MAX_CONTEXT = 20


def normalize(text: str) -> str:
    """NFKC-normalise and case-fold `text` for comparison."""
    return unicodedata.normalize("NFKC", text).casefold()


class SearchHit(NamedTuple):
    """One line that matched, the entry it belongs to, and the post it is in.

    `line` is the matching line's own 1-based number in the file and `text`
    that line as written (NFC, without its line break); `spans` are the
    `(start, end)` offsets of each match in `text`, for highlighting (empty
    in the rare case where only the entry's unescaped text matches).
    `kind` is `question`, `review`, `text` or `title`; `entry` is the
    question or review the line belongs to, else None. `before` and
    `after` are up to `SearchQuery.context` lines around it.
    """

    ref: PostRef
    title: str | None
    kind: str
    section: str
    line: int
    text: str
    spans: tuple[tuple[int, int], ...]
    entry: QuestionEntry | ReviewEntry | None
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


class _Found(NamedTuple):
    """An entry, heading, title or line that matched, before it is cut into lines."""

    kind: str
    section: str
    first: int
    last: int
    entry: QuestionEntry | ReviewEntry | None


class _QueryFields(NamedTuple):
    text: str
    scope: str
    asker: str | None
    since: dt.date | None
    until: dt.date | None
    context: int


class SearchQuery(_QueryFields):
    """What to look for and where, checked when made (a named tuple: no `dataclasses` import)."""

    __slots__ = ()

    def __new__(
        cls,
        text: str,
        scope: str = "all",
        asker: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        context: int = 0,
    ) -> SearchQuery:
        if not text.strip():
            raise SearchQueryError("The search query is empty; give a word or phrase to look for.")
        if scope not in SCOPES:
            raise SearchQueryError(f"--in must be questions, reviews or all, not '{scope}'.")
        if since and until and since > until:
            raise SearchQueryError(f"--since {since} is after --until {until}; swap them.")
        if not 0 <= context <= MAX_CONTEXT:
            raise SearchQueryError(f"--context must be 0 to {MAX_CONTEXT} lines, not {context}.")
        return super().__new__(cls, text, scope, asker, since, until, context)


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


def is_caseless(text: str) -> bool:
    """Whether no character of `text` has another case (Hangul, CJK, digits, punctuation).

    No other character folds into such characters (tests/test_search.py
    checks it over all of Unicode), so a case-insensitive search for them
    finds exactly what a case-sensitive one does.
    """
    return all(char.lower() == char == char.upper() for char in text)


def start_prefilter(settings: Settings, query: str) -> Ripgrep | None:
    """ripgrep looking for `query` in the log's posts, or None without it.

    Started before the rest of a search is even imported (see
    `cli.bodies.search`): hand it to `search_log` or `iter_search_log`,
    which read and reap it, or `stop` it. Without `-i` for a caseless
    query: it would find nothing more, and ripgrep is faster without it.
    """
    needles = _needles(query.strip())
    ignore_case = not all(is_caseless(needle) for needle in needles)
    return start_ripgrep(needles, os.fspath(settings.posts_path), ignore_case)


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
    settings: Settings,
    query: SearchQuery,
    use_rg: bool | None = None,
    started: Ripgrep | None = None,
) -> list[SearchHit]:
    """Every hit for `query` in the log's posts, newest post first.

    With ripgrep, the posts are never listed one by one: ripgrep names the
    files that contain the query and only those become posts, each searched
    as soon as ripgrep names it (while it is still looking for more).
    `started` is ripgrep already looking (`start_prefilter`); without it,
    ripgrep is started here unless `use_rg` is False. Without ripgrep,
    every post is listed and prefiltered in Python (see `search_posts`).
    """
    finder = started or (start_prefilter(settings, query.text) if use_rg is not False else None)
    if finder is None:
        return _search_all(settings, query)
    folder = os.path.normpath(settings.posts_path)
    hits: list[SearchHit] = []
    try:
        entries = _entry_cache(settings)
        for name in finder.names():
            hits.extend(_search_named(name, folder, entries, query))
    finally:
        finder.stop()
    if finder.finish() not in (0, 1):
        return _search_all(settings, query)
    hits.sort(key=lambda h: (h.ref.date, h.ref.slug, str(h.ref.path)), reverse=True)
    return hits


def iter_search_log(
    settings: Settings,
    query: SearchQuery,
    use_rg: bool | None = None,
    started: Ripgrep | None = None,
) -> Iterator[SearchHit]:
    """`search_log`'s hits in the same order, a post at a time (for `search --json`).

    ripgrep's whole list of files comes first (names only), then each post is
    searched and its hits given out before the next is read: a query that
    matches most of 10,000 posts holds one post's hits, not all of them.
    """
    finder = started or (start_prefilter(settings, query.text) if use_rg is not False else None)
    if finder is not None:
        try:
            found = list(finder.names())
        finally:
            finder.stop()
    if finder is None or finder.finish() not in (0, 1):
        yield from iter_search_posts(list(Log(settings).iter_posts()), settings, query)
        return
    folder = os.path.normpath(settings.posts_path)
    refs = [ref for raw in found if (ref := _named_post(raw, folder, query))]
    yield from _search_newest_first(refs, settings, query)


def _search_newest_first(
    refs: list[PostRef], settings: Settings, query: SearchQuery
) -> Iterator[SearchHit]:
    """The hits in `refs` (posts that may match), newest post first, a post at a time."""
    refs.sort(key=lambda r: (r.date, r.slug, str(r.path)), reverse=True)
    entries = _entry_cache(settings)
    for ref in refs:
        try:
            text = read_post(ref.path, strict=False).text
        except StudylogError:
            continue
        yield from search_text(ref, text, settings, query, entries)


def _entry_cache(settings: Settings) -> EntryCache:
    # The entries' cache once ripgrep is already looking, so that the import
    # and ripgrep's walk overlap.
    from studylog.entry_cache import EntryCache

    return EntryCache(settings)


def _search_all(settings: Settings, query: SearchQuery) -> list[SearchHit]:
    return search_posts(list(Log(settings).iter_posts()), settings, query)


def _search_named(
    raw: bytes, folder: str, entries: EntryCache, query: SearchQuery
) -> list[SearchHit]:
    """The hits in one file ripgrep named, if it is a post in the window."""
    ref = _named_post(raw, folder, query)
    if ref is None:
        return []
    try:
        text = read_post(ref.path, strict=False).text
    except StudylogError:
        return []
    return search_text(ref, text, entries.settings, query, entries)


def _named_post(raw: bytes, folder: str, query: SearchQuery) -> PostRef | None:
    """The post ripgrep named, if it is one (not through a linked folder) in the window."""
    path = os.path.normpath(os.fsdecode(raw))
    if not raw or not _in_real_folders(path, folder):
        return None
    ref = post_ref(Path(path))
    if ref is None or not in_window(ref.date, query.since, query.until):
        return None
    return ref


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
            data = read_post_bytes(ref.path).lower()
        except StudylogError:
            continue
        if any(needle in data for needle in needles):
            kept.append(ref)
    return kept


def _entry_matches(needle: str, fields: Iterable[str | None]) -> bool:
    """Whether the needle is in one of an entry's fields (their text as read back)."""
    return any(value and needle in normalize(value) for value in fields)


def _matched_lines(folded: str, needle: str, start: int) -> dict[int, int]:
    """The 1-based lines where the needle occurs in `folded` at or after `start`.

    Each line number maps to where the first occurrence in it starts.
    """
    lines: dict[int, int] = {}
    position = folded.find(needle, start)
    counted, line = 0, 1
    while position >= 0:
        line += folded.count("\n", counted, position)
        counted = position
        lines.setdefault(line, position)
        position = folded.find(needle, position + len(needle))
    return lines


class _FileLines:
    """A post's lines by index (without line breaks), as `text.split("\\n")` minus a last "".

    A line where the query was found in the text itself is cut out around
    the find; any other line (context, the title) splits the whole text,
    once. Splitting ~5 KB was ~10 µs of each matching post.
    """

    def __init__(self, text: str, found_at: dict[int, int] | None) -> None:
        self._text = text
        self._found_at = found_at or {}
        self._split: list[str] | None = None
        self._count = text.count("\n") + (0 if text == "" or text.endswith("\n") else 1)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> str:
        at = self._found_at.get(index + 1)
        if at is not None:
            start = self._text.rfind("\n", 0, at) + 1
            end = self._text.find("\n", at)
            return self._text[start:] if end < 0 else self._text[start:end]
        if self._split is None:
            self._split = self._text.split("\n")
        return self._split[index]


def _title_line(front_matter: str | None) -> int:
    """The 1-based file line of the `title:` key (the front matter starts on line 2)."""
    found = find_key(front_matter, "title")
    return 2 + (front_matter or "").count("\n", 0, found.start()) if found else 1


def search_text(
    ref: PostRef,
    text: str,
    settings: Settings,
    query: SearchQuery,
    entries: EntryCache | None = None,
) -> list[SearchHit]:
    """The hits in one post's text, a hit per matching line, in file order.

    The whole text is folded once to find the lines that match; only the
    sections holding such a line are looked at, their entries from
    `entries` (the cache of a whole search; one is made when not given) or,
    with the cache off, read from just those sections.
    """
    needle = normalize(query.text.strip())
    asker = normalize(query.asker.strip()) if query.asker else None
    shown = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    front_matter, body_start = split_front_matter(shown)
    title = front_matter_title(front_matter)
    found: list[_Found] = []
    everything = query.scope == "all" and asker is None
    if everything and title and find_spans(needle, title)[1]:
        title_line = _title_line(front_matter)
        found.append(_Found("title", "", title_line, title_line, None))
    found_at: dict[int, int] | None = None
    lines: set[int] | None = None
    if entries is not None and is_caseless(needle) and entries.folds_to_itself(ref.path, shown):
        # The text folded is the text itself wherever this query can be:
        # look for it without folding (~20 µs a post).
        found_at = _matched_lines(shown, needle, body_start)
        lines = set(found_at)
    else:
        folded = normalize(shown)
        # Folding can change lengths (ß -> ss); then offsets don't map and
        # every section is examined.
        if len(folded) == len(shown):
            lines = set(_matched_lines(folded, needle, body_start))
    if lines is None or lines:
        found.extend(
            _found_in_body(
                ref.path,
                shown,
                body_start,
                entries or _entry_cache(settings),
                query,
                needle,
                asker,
                lines,
            )
        )
    if not found:
        return []
    file_lines = _FileLines(shown, found_at)
    hits = [
        hit
        for item in found
        for hit in _line_hits(ref, title, item, file_lines, needle, lines, query.context)
    ]
    hits.sort(key=lambda hit: hit.line)
    return hits


def _found_in_body(
    path: Path,
    shown: str,
    body_start: int,
    entries: EntryCache,
    query: SearchQuery,
    needle: str,
    asker: str | None,
    lines: set[int] | None,
) -> Iterator[_Found]:
    """The entries, headings and lines of text in the body that match."""
    everything = query.scope == "all" and asker is None
    offset = shown.count("\n", 0, body_start)
    for section, questions, reviews in entries.sections_touching(path, shown, body_start, lines):
        first = section.line + 1 if section.line else offset + 1
        # The lines each entry spans: a match there is the entry's, not text's.
        entry_lines: list[tuple[int, int]] = []
        for question in questions:
            entry_lines.append((question.line, question.end_line))
            if _question_matches(question, needle, asker, query.scope):
                yield _entry_found("question", question)
        for review in reviews:
            entry_lines.append((review.line, review.end_line))
            if query.scope != "questions" and asker is None and _review_matches(review, needle):
                yield _entry_found("review", review)
        if everything:
            yield from _text_found(section, first, needle, entry_lines, lines)


def _entry_found(kind: str, entry: QuestionEntry | ReviewEntry) -> _Found:
    return _Found(kind, entry.section, entry.line, max(entry.line, entry.end_line), entry)


def _question_matches(question: QuestionEntry, needle: str, asker: str | None, scope: str) -> bool:
    if scope == "reviews":
        return False
    if asker is not None and (question.asker is None or asker not in normalize(question.asker)):
        return False
    return _entry_matches(needle, [question.question, question.asker, *question.answers])


def _review_matches(review: ReviewEntry, needle: str) -> bool:
    fields = [review.assignment, review.topic, review.presenter, *review.feedback]
    return _entry_matches(needle, fields)


def _text_found(
    section: Section,
    first: int,
    needle: str,
    entry_lines: list[tuple[int, int]],
    lines: set[int] | None,
) -> Iterator[_Found]:
    if section.heading and (lines is None or section.line in lines):
        if find_spans(needle, section.heading)[1]:
            yield _Found("text", section.heading, section.line, section.line, None)
    text = section.text.split("\n")
    # Only the lines that hold a match, when they are known.
    end = first + len(text)
    numbers = range(first, end) if lines is None else sorted(n for n in lines if first <= n < end)
    for number in numbers:
        if any(start <= number <= last for start, last in entry_lines):
            continue
        if find_spans(needle, text[number - first])[1]:
            yield _Found("text", section.heading, number, number, None)


def _line_hits(
    ref: PostRef,
    title: str | None,
    item: _Found,
    file_lines: _FileLines,
    needle: str,
    lines: set[int] | None,
    context: int,
) -> Iterator[SearchHit]:
    """A hit for each line of `item` that holds the query, with its context lines."""
    numbers = range(item.first, min(item.last, len(file_lines)) + 1)
    matched = []
    for number in numbers:
        if lines is not None and number not in lines and item.kind != "title":
            continue
        spans = find_spans(needle, file_lines[number - 1].rstrip("\r"))[1]
        if spans:
            matched.append((number, spans))
    if not matched:
        # Only the entry's unescaped text matched (`\|` written for `|`):
        # point at the entry's first line, with nothing to highlight.
        matched = [(item.first, ())]
    for number, spans in matched:
        yield SearchHit(
            ref,
            title,
            item.kind,
            item.section,
            number,
            _file_line(file_lines, number),
            spans,
            item.entry,
            tuple(_file_line(file_lines, n) for n in range(max(1, number - context), number)),
            tuple(
                _file_line(file_lines, n)
                for n in range(number + 1, min(len(file_lines), number + context) + 1)
            ),
        )


def _file_line(file_lines: _FileLines, number: int) -> str:
    """Line `number` (1-based) without its line break, or "" past the end."""
    return file_lines[number - 1].rstrip("\r") if 0 < number <= len(file_lines) else ""


def search_posts(refs: list[PostRef], settings: Settings, query: SearchQuery) -> list[SearchHit]:
    """Every hit for `query` across `refs`, newest post first, without ripgrep.

    Posts outside `--since`/`--until` (by the date in their file name) are
    skipped before any file is read.
    """
    return list(iter_search_posts(refs, settings, query))


def iter_search_posts(
    refs: list[PostRef], settings: Settings, query: SearchQuery
) -> Iterator[SearchHit]:
    """`search_posts`, a post at a time."""
    window = filter_posts(refs, query.since, query.until)
    yield from _search_newest_first(candidate_posts(window, query.text.strip()), settings, query)
