"""The sections and entries of a post, for `search`, from a cache checked against the post's text.

`search` finds the lines of a post that hold the query, then needs the
sections and the questions and reviews around them. Reading those back out
of the post (`markdown.extraction`) was most of the ~0.3 ms `search` spent
on each matching post, so they are kept per post under
`$XDG_CACHE_HOME/studylog/entries/` (off with `STUDYLOG_NO_CACHE=1`, as
for `list`). The reader itself (~20 ms to import with the modules under
it) is imported only when a post has no usable record: a search answered
from the cache never loads it.

A record is used only for the very text it was read from: it holds a
blake2b digest of the post's text, and the post is read anyway (to find
the matching lines), so a post changed in any way, even by hand to the
same size within the same second, is read again. Size and modification
time, which `list`'s cache trusts, are not used at all: stamping the post
would cost about what the digest does, and promise less. The record also
holds the post's path (file names are a crc32 of it, which two posts may
share) and a fingerprint of the reader: its version, the log's section and
entry settings, and the size and modification time of the reader's source
files and this one's, so a changed reader never meets records of the old one (kept as a
16-byte digest of all that, not the ~1.5 KB it is made from). The record
also says whether the text is NFKC already and keeps its length when case
folded: then a caseless query (Hangul, digits) is looked for in the text
without folding it (`search.search_text`).
Anything that doesn't match, can't be read or doesn't unpack is a miss: the
post is read into entries as without the cache, and the record replaced.

Each log's records have a folder of their own, pruned when a search has
just written records and the last pruning is a day old: the records of
posts that are gone (deleted, renamed) are removed, so the folder holds
about one record per post that a search has matched.
"""

from __future__ import annotations

import marshal
import os
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

# blake2b without hashlib, whose import loads OpenSSL (~4 ms) for nothing here;
# CPython builds `_blake2` in, and hashlib is the fallback anywhere else.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from studylog.config import Settings, cache_file, read_cache, write_cache
from studylog.log import walk_post_files
from studylog.markdown.model import QuestionEntry, ReviewEntry, Section

# Bump when a record's layout changes. A change to the reader (or to this
# file) also changes the fingerprint: their sizes and times are in it.
RECORD_VERSION = 5
# The files whose code decides what a post's sections and entries are:
# stamped by name, so a search answered from the cache never imports them.
# The front-matter split (post.py) and the block parse (document.py with
# blockscan.py) are among them: a heading read differently is a different
# section.
_READER_FILES = (
    "post.py",
    "markdown/blockscan.py",
    "markdown/document.py",
    "markdown/extraction.py",
    "markdown/headings.py",
    "markdown/items.py",
    "markdown/kramdown.py",
    "markdown/model.py",
)
_QUESTION_FIELDS = QuestionEntry._fields
_REVIEW_FIELDS = ReviewEntry._fields
# split_sections' own "to the end of the post" line.
_LAST_LINE = 1 << 62
# How often a log's folder of records is pruned (only by a search that wrote one).
PRUNE_EVERY_NS = 24 * 3600 * 1_000_000_000
# The file whose modification time says when the folder was last pruned.
_PRUNED_STAMP = ".pruned"


class SectionEntries(NamedTuple):
    """A section of a post and the questions and reviews read from it."""

    section: Section
    questions: list[QuestionEntry]
    reviews: list[ReviewEntry]


class EntryCache:
    """The cache as one search uses it: where the records are and what they must be read with.

    Made once per search (`search.search_log` and the others), so the
    fingerprint and the folder are worked out once, not for each post.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        folder = _records_folder(settings)
        self._fingerprint = _fingerprint(settings) if folder is not None else None
        self._folder = folder
        self._pruned = False
        # The last record looked up, for the same post's next question.
        self._looked_up: tuple[str, str, tuple[Any, ...] | None] | None = None

    def folds_to_itself(self, path: Path, text: str) -> bool:
        """Whether the post's record says `text` is NFKC already and case folding keeps its length.

        Then the folded text is the text with each character folded on its
        own, one for one, and a query no character folds into (see
        `search.is_caseless`) can be looked for in the text as it is. False
        when there is no usable record: nothing is read or written for it.
        """
        record = self._record(path, text)
        return record is not None and record[4] is True

    def sections_touching(
        self, path: Path, text: str, body_start: int, lines: set[int] | None
    ) -> list[SectionEntries]:
        """The sections of a post's body holding one of `lines` (file lines), with their entries.

        `text` is the post's whole text and `body_start` where its body
        begins; with `lines` None, every section. Within a section only the
        entries spanning one of `lines` are given, as
        `extraction.questions_in` and `reviews_in` give them. The answer is
        the same with the cache or without it (tests/test_entry_cache.py
        proves it on the corpus).
        """
        settings = self.settings
        offset = text.count("\n", 0, body_start)
        if self._folder is None or self._fingerprint is None:
            return _read_touching(text[body_start:], settings, offset, lines)
        record = self._record(path, text)
        if record is not None:
            try:
                return _from_records(record[3], text[body_start:], lines)
            except (ValueError, EOFError, TypeError, IndexError):
                pass  # a record of another shape: a miss, read the post again
        key = os.fspath(path)
        records = _records(text[body_start:], settings, offset)
        if not self._pruned:
            self._pruned = True
            prune_records(settings, self._folder)
        stored = (self._fingerprint, key, _digest(text), records, _folds_to_itself(text))
        write_cache(Path(os.path.join(self._folder, _record_name(key))), marshal.dumps(stored))
        self._looked_up = None
        return _from_records(records, text[body_start:], lines)

    def _record(self, path: Path, text: str) -> tuple[Any, ...] | None:
        """The post's record if it was made from `text` with this reader, else None."""
        if self._folder is None or self._fingerprint is None:
            return None
        key = os.fspath(path)
        looked_up = self._looked_up
        if looked_up is not None and looked_up[0] == key and looked_up[1] is text:
            return looked_up[2]
        record = _load(os.path.join(self._folder, _record_name(key)))
        if record is None or record[:3] != (self._fingerprint, key, _digest(text)):
            record = None
        self._looked_up = (key, text, record)
        return record


def _folds_to_itself(text: str) -> bool:
    """Whether `text` is NFKC already and case folding keeps its length (see `folds_to_itself`)."""
    return unicodedata.is_normalized("NFKC", text) and len(text.casefold()) == len(text)


def _records_folder(settings: Settings) -> str | None:
    """The folder of this log's records, or None when caches are off."""
    # zlib only when a cache folder is named.
    import zlib

    root = os.fspath(settings.root)
    folder = cache_file("entries")
    if folder is None:
        return None
    crc = zlib.crc32(root.encode("utf-8", "surrogateescape"))
    return os.path.join(folder, f"{os.path.basename(root)}-{crc:08x}")


def _record_name(key: str) -> str:
    # zlib only when a record is named.
    import zlib

    return f"{zlib.crc32(key.encode('utf-8', 'surrogateescape')):08x}.marshal"


def prune_records(settings: Settings, folder: str, now_ns: int | None = None) -> bool:
    """Remove the records of posts that are gone, if the folder was last pruned a day ago or more.

    Returns whether it pruned. Costs one walk of the posts folder (a few
    milliseconds at 10,000 posts), so it runs at most once a day, and only
    from a search that is writing records anyway.
    """
    # time only when pruning may be due.
    import time

    stamp = os.path.join(folder, _PRUNED_STAMP)
    now_ns = time.time_ns() if now_ns is None else now_ns
    try:
        if now_ns - os.stat(stamp).st_mtime_ns < PRUNE_EVERY_NS:
            return False
    except OSError:
        pass  # never pruned (or a new folder): prune now
    try:
        kept = {
            _record_name(os.path.normpath(entry.path))
            for _, entry in walk_post_files(settings.posts_path)
        }
        os.makedirs(folder, exist_ok=True)
        with open(stamp, "wb"):
            pass
        os.utime(stamp, ns=(now_ns, now_ns))
        with os.scandir(folder) as scan:
            stale = [e.path for e in scan if e.name.endswith(".marshal") and e.name not in kept]
        for path in stale:
            os.unlink(path)
    except OSError:
        return False  # an unusable cache folder is simply not pruned
    return True


def _read_touching(
    body: str, settings: Settings, offset: int, lines: set[int] | None
) -> list[SectionEntries]:
    """Without the cache: only the sections and entries that matter are read."""
    # The reader only for a post the cache can't answer.
    from studylog.markdown.extraction import questions_in, reviews_in, split_sections
    from studylog.markdown.headings import QUESTIONS, REVIEWS

    return [
        SectionEntries(
            section,
            questions_in(section, settings, lines) if section.key == QUESTIONS else [],
            reviews_in(section, settings, lines) if section.key == REVIEWS else [],
        )
        for section in split_sections(body, settings, offset, lines)
    ]


def _records(body: str, settings: Settings, offset: int) -> list[tuple[Any, ...]]:
    """Every section of the body as plain values `marshal` can store.

    A section's text is kept as where it lies in the body (the body is the
    one the digest vouches for), and the range of file lines it spans as
    `split_sections` reckons it, so a hit can pick its sections unread.
    """
    # The reader only for a post the cache can't answer.
    from studylog.markdown.extraction import questions_in, reviews_in, split_sections
    from studylog.markdown.headings import QUESTIONS, REVIEWS

    sections = split_sections(body, settings, offset)
    records: list[tuple[Any, ...]] = []
    cursor = 0
    for index, section in enumerate(sections):
        # Any place the text occurs gives the same slice, so `find` is enough.
        start = body.find(section.text, cursor)
        cursor = start + len(section.text)
        following = sections[index + 1].line if index + 1 < len(sections) else _LAST_LINE
        first = section.line if section.line else offset + 1
        last = following - 1 if following != _LAST_LINE else _LAST_LINE
        questions = questions_in(section, settings) if section.key == QUESTIONS else []
        reviews = reviews_in(section, settings) if section.key == REVIEWS else []
        records.append(
            (
                section.key,
                section.heading,
                section.level,
                section.line,
                start,
                cursor,
                first,
                last,
                tuple(_stored(q, _QUESTION_FIELDS) for q in questions),
                tuple(_stored(r, _REVIEW_FIELDS) for r in reviews),
            )
        )
    return records


def _from_records(
    records: list[tuple[Any, ...]], body: str, lines: set[int] | None
) -> list[SectionEntries]:
    found = []
    for key, heading, level, line, start, end, first, last, questions, reviews in records:
        if lines is None:
            touching = None
        else:
            touching = [number for number in lines if first <= number <= last]
            if not touching:
                continue
        found.append(
            SectionEntries(
                Section(key, heading, level, line, body[start:end]),
                [
                    QuestionEntry(*marshal.loads(values))
                    for first_line, last_line, values in questions
                    if touching is None or any(first_line <= n <= last_line for n in touching)
                ],
                [
                    ReviewEntry(*marshal.loads(values))
                    for first_line, last_line, values in reviews
                    if touching is None or any(first_line <= n <= last_line for n in touching)
                ],
            )
        )
    return found


def _stored(entry: QuestionEntry | ReviewEntry, names: tuple[str, ...]) -> tuple[int, int, bytes]:
    """An entry's lines and its values packed apart, so a hit unpacks only the entries it needs.

    Unpacking a whole record (its entries' text decoded) was ~26 µs a post;
    a search needs one entry or two of the ~20 a post holds.
    """
    return entry.line, entry.end_line, marshal.dumps(tuple(getattr(entry, n) for n in names))


def _load(cache: str) -> tuple[Any, ...] | None:
    stored = read_cache(cache)
    if stored is None:
        return None
    try:
        record = marshal.loads(stored)
    except (ValueError, EOFError, TypeError):
        return None
    return record if isinstance(record, tuple) and len(record) == 5 else None


def _digest(text: str) -> bytes:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).digest()


def _fingerprint(settings: Settings) -> bytes | None:
    """What the records were read with, or None when the reader's files can't be stamped.

    A digest (16 bytes), not the text it is made from (~1.5 KB of settings),
    which every record would hold and every hit would read.
    """
    here = os.path.dirname(__file__)
    sources = [__file__, *(os.path.join(here, name) for name in _READER_FILES)]
    stamps = []
    for source in sources:
        try:
            info = os.stat(source)
        except OSError:
            return None
        stamps.append((info.st_size, info.st_mtime_ns))
    made_with = (RECORD_VERSION, stamps, sorted(settings.sections.items()), settings.entry_formats)
    return blake2b(repr(made_with).encode("utf-8"), digest_size=16).digest()
