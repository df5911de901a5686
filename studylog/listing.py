"""`list`: a summary of every post, fast, from a cache where the file hasn't changed.

`list` reads 10,000 posts within twice the time of `grep -rl`, so nothing
here parses YAML or imports markdown-it: `title` and `date` are read from
the front matter with a regex (`post.summarize_front_matter`), counts come
from `extraction.count_entries`, and a cache keyed by each file's size and
modification time skips the posts that haven't changed. The git state
beside each post comes from `git_status.git_states`.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from studylog.config import RACY_NS, Settings, cache_file, read_cache, write_cache
from studylog.errors import PostReadError
from studylog.log import POST_NAME, PostRef, walk_post_folders


class PostSummary(NamedTuple):
    """What `list` shows of a post: file-name facts, title, date and counts.

    A named tuple of plain strings rather than a `PostRef`: `list` makes
    10,000 of them, and building a `Path` and a frozen dataclass for each
    would cost more than reading the cache they come from.
    """

    date: str
    slug: str
    path: str
    title: str | None
    front_matter_date: str | None
    questions: int
    reviews: int


def summarize_post(ref: PostRef, settings: Settings) -> PostSummary:
    """Title, front-matter date and entry counts of a post, without YAML or markdown-it."""
    # The post reader and the entry counter only when a post is read, not
    # when the cache answers: importing them is ~12 ms of a warm `list`.
    from studylog.markdown.extraction import count_entries
    from studylog.post import read_post, summarize_front_matter

    post = read_post(ref.path, strict=False)
    summary = summarize_front_matter(post.front_matter)
    counts = count_entries(post.text, settings)
    return PostSummary(
        ref.date.isoformat(),
        ref.slug,
        str(ref.path),
        summary.title,
        summary.date,
        counts.questions,
        counts.reviews,
    )


# --- listing every post fast ------------------------------------------------------

# Bump when the reader counts entries differently, so cached counts are redone
# (and the open questions `new` carries, cached by `studylog.open_questions`).
READER_VERSION = 5  # 5: a heading's escapes and entities are part of its text


def post_cache_path(kind: str, settings: Settings) -> Path | None:
    """The cache file of one kind of per-post record (`list`, `open`) for this log."""
    # zlib only when a cache file is named.
    import zlib

    # crc32 rather than hashlib: importing OpenSSL costs more than it buys here.
    digest = f"{zlib.crc32(str(settings.root).encode('utf-8')):08x}"
    return cache_file(f"{kind}-{settings.root.name}-{digest}.marshal")


def reader_fingerprint(settings: Settings) -> str:
    """What a cached record read from a post depends on: the reader, the sections, the formats."""
    return repr((READER_VERSION, sorted(settings.sections.items()), settings.entry_formats))


def read_post_cache(path: Path | None, fingerprint: str) -> dict[str, Any]:
    """Everything `save_post_cache` kept under `fingerprint` ({} for any other or none)."""
    if path is None:
        return {}
    # marshal only when the cache is read or written.
    import marshal

    stored = read_cache(path)
    if stored is None:
        return {}
    try:
        data = marshal.loads(stored)
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return {}
    return data


def load_post_cache(path: Path | None, fingerprint: str) -> dict[str, tuple[Any, ...]]:
    """The records `save_post_cache` kept under `fingerprint` ({} for any other or none)."""
    posts = read_post_cache(path, fingerprint).get("posts")
    return posts if isinstance(posts, dict) else {}


def save_post_cache(
    path: Path | None,
    fingerprint: str,
    posts: dict[str, tuple[Any, ...]],
    extra: dict[str, Any] | None = None,
) -> None:
    """Keep `posts` (path -> record), and what `extra` holds beside them, atomically.

    A cache that can't be written is not kept.
    """
    if path is None:
        return
    # marshal only when the cache is read or written.
    import marshal

    write_cache(path, marshal.dumps({**(extra or {}), "fingerprint": fingerprint, "posts": posts}))


# --- the list cache -------------------------------------------------------------------
#
# One file per log: each post's record by path, the order of every post
# listed when it was written (newest first), and the files listed then that
# are not posts by their names (`notes.md`). A record is `(mtime_ns, size,
# title, front_matter_date, questions, reviews, line)`, `line` being the
# post's `summary_line`, so a `list` in a pipe over posts that haven't
# changed formats nothing. The order and the others hold names, not
# content: they stand for as long as the same files are there, whatever the
# records say. Every record's path is in the order (`_save`), so "every file
# listed has a record or is a known other, and there are as many as then"
# means "the same files as then".

# Bump when the record or the cache's shape changes.
LIST_CACHE_FORMAT = 2

Record = tuple[Any, ...]


class PostLines(NamedTuple):
    """Every post, newest first: its path and its `summary_line`, in two lists."""

    paths: list[str]
    lines: list[str]


class _ListCache(NamedTuple):
    path: Path | None
    fingerprint: str
    records: dict[str, Record]
    order: list[str]
    others: list[str]


def summary_line(date: str, slug: str, title: str | None, questions: int, reviews: int) -> str:
    """A post as `list` prints it in a pipe, without the git state: tab-separated, one line."""
    return f"{date}\t{slug}\t{' '.join((title or '').split())}\t{questions}\t{reviews}"


def list_summaries(settings: Settings) -> list[PostSummary]:
    """Summaries of every post, newest first, from a cache where the file hasn't changed.

    The cache (under `$XDG_CACHE_HOME/studylog/`, off with
    `STUDYLOG_NO_CACHE=1`) keeps each post's title, date and counts with
    its size and modification time, so a second `list` over 10,000 posts
    reads no post that hasn't changed. Anything off (a changed file, other
    section settings, a new studylog) is read again.
    """
    order, records = _every_post(settings)
    return [_summary(path, records[path]) for path in order]


def list_lines(settings: Settings) -> PostLines:
    """Every post's `summary_line`, newest first: what `list` prints in a pipe.

    Through the same cache as `list_summaries`; when no post changed and
    none came or went, the lines and their order come from it as they are.
    """
    order, records = _every_post(settings)
    return PostLines(order, [records[path][6] for path in order])


def newest_summaries(settings: Settings, count: int) -> tuple[list[PostSummary], int]:
    """The `count` newest posts' summaries, and how many posts there are in all.

    What a terminal shows: the names of every post are listed, but only
    the newest are stamped and summarised (from the same cache), so the
    cost stays that of a screenful however long the log.
    """
    cache = _load(settings)
    order, others = cache.order, cache.others
    listed = [entry.path for _, posts in walk_post_folders(settings.posts_path) for entry in posts]
    known = set(order)
    known.update(others)
    reordered = len(listed) != len(known) or not known.issuperset(listed)
    if reordered:
        order, others = _newest_first((path, os.path.basename(path)) for path in listed)
    newest = order[: max(count, 0)]
    records: dict[str, Record] = {}
    kept: dict[str, Record] = {}
    for path in newest:
        try:
            info = os.stat(path)
        except OSError:
            continue
        record = cache.records.get(path)
        if record is None or record[0] != info.st_mtime_ns or record[1] != info.st_size:
            record = _read(path, info, settings, kept)
            if record is None:
                continue
        records[path] = record
    if reordered or kept:
        # The other posts' records stay for the next `list`.
        _save(cache, {**cache.records, **kept}, order, others)
    return [_summary(path, records[path]) for path in newest if path in records], len(order)


def _load(settings: Settings) -> _ListCache:
    """The list cache of this log (empty when there is none, or it is off or damaged)."""
    path = post_cache_path("list", settings)
    fingerprint = f"{reader_fingerprint(settings)} list {LIST_CACHE_FORMAT}"
    data = read_post_cache(path, fingerprint)
    records, order, others = data.get("posts"), data.get("order"), data.get("others")
    if not (isinstance(records, dict) and isinstance(order, list) and isinstance(others, list)):
        return _ListCache(path, fingerprint, {}, [], [])
    return _ListCache(path, fingerprint, records, order, others)


def _save(
    cache: _ListCache, records: dict[str, Record], order: list[str], others: list[str]
) -> None:
    """Keep `order`, `others` and the records of the posts in the order (none outside it)."""
    listed = set(order)
    kept = {path: record for path, record in records.items() if path in listed}
    save_post_cache(cache.path, cache.fingerprint, kept, {"order": order, "others": others})


def _every_post(settings: Settings) -> tuple[list[str], dict[str, Record]]:
    """Every post's path, newest first, and each one's record (read where the cache is stale).

    One `stat` and one look-up per file when nothing changed; when anything
    did, the cache is rewritten with just the files listed (a deleted post
    leaves it).
    """
    # The collector off while the cache is loaded and the posts stamped: the
    # ~70,000 objects made here hold no cycles, and their allocation set off
    # ~28 collections (~2 ms) on a warm `list` over 10,000 posts.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _stamp_every_post(settings)
    finally:
        if paused:
            gc.enable()


def _stamp_every_post(settings: Settings) -> tuple[list[str], dict[str, Record]]:
    cache = _load(settings)
    folders = list(walk_post_folders(settings.posts_path))
    get = cache.records.get
    stale: dict[str, os.stat_result | None] = {}
    listed = 0
    for _, posts in folders:
        listed += len(posts)
        for entry in posts:
            try:
                info = entry.stat()
            except OSError:
                stale[entry.path] = None
                continue
            record = get(entry.path)
            if record is None or record[0] != info.st_mtime_ns or record[1] != info.st_size:
                stale[entry.path] = info
    if stale and cache.others:
        for path in cache.others:
            stale.pop(path, None)
    if not stale and listed == len(cache.order) + len(cache.others):
        # Every file has its record or is a known other, and there are as
        # many as then: the same files.
        return cache.order, cache.records
    order, others = _newest_first(
        (entry.path, entry.name) for _, posts in folders for entry in posts
    )
    records: dict[str, Record] = {}
    kept: dict[str, Record] = {}
    for path in order:
        if path not in stale:
            records[path] = kept[path] = cache.records[path]
            continue
        stamp = stale[path]
        record = None if stamp is None else _read(path, stamp, settings, kept)
        if record is not None:
            records[path] = record
    order = [path for path in order if path in records]
    _save(cache, kept, order, others)
    return order, records


def _newest_first(named: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Of `(path, file name)`: the posts' paths newest first (date, slug, path), and the others."""
    keys: list[tuple[str, str, str]] = []
    others: list[str] = []
    for path, name in named:
        parts = _post_name(name)
        if parts is None:
            others.append(path)
        else:
            keys.append((parts[0], parts[1], path))
    keys.sort(reverse=True)
    return [path for _, _, path in keys], others


def _post_name(name: str) -> tuple[str, str] | None:
    """(date, slug) of a post's file name, None when it is not Jekyll's `YYYY-MM-DD-slug.md`."""
    parts = POST_NAME.match(name)
    if parts is None:
        return None
    try:
        dt.date(int(parts[1]), int(parts[2]), int(parts[3]))
    except ValueError:
        return None
    return name[:10], parts[4]


def _read(
    path: str, info: os.stat_result, settings: Settings, kept: dict[str, Record]
) -> Record | None:
    """The record of a post read now (None: unreadable), kept unless racy."""
    # time only when a post is read.
    import time

    date, slug = _date_slug(path)
    try:
        summary = summarize_post(PostRef(dt.date.fromisoformat(date), slug, Path(path)), settings)
    except PostReadError:
        return None
    line = summary_line(date, slug, summary.title, summary.questions, summary.reviews)
    record = (info.st_mtime_ns, info.st_size, *summary[3:], line)
    # git's "racily clean" rule: a file changed within RACY_NS of this scan may
    # change again within the same timestamp tick (1 s on some file systems)
    # at the same size, so it is read now but not remembered.
    if info.st_mtime_ns < time.time_ns() - RACY_NS:
        kept[path] = record
    return record


def _summary(path: str, record: Record) -> PostSummary:
    return PostSummary(*_date_slug(path), path, *record[2:6])


def _date_slug(path: str) -> tuple[str, str]:
    """The date and slug of a path in the order, whose name was checked on the way in."""
    parts = _post_name(os.path.basename(path))
    assert parts is not None, path
    return parts
