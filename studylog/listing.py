"""`list`: a summary of every post, fast, from a cache where the file hasn't changed.

`list` reads 10,000 posts within twice the time of `grep -rl`, so nothing
here parses YAML or imports markdown-it: `title` and `date` are read from
the front matter with a regex (`post.summarize_front_matter`), counts come
from `extraction.count_entries`, and a cache keyed by each file's size and
modification time skips the posts that haven't changed. The git state
beside each post comes from `vcs.git_states`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

from studylog.config import RACY_NS, Settings, cache_file, read_cache, write_cache
from studylog.errors import PostReadError
from studylog.log import PostRef, scan_posts
from studylog.post import read_post, summarize_front_matter


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
    # The entry reader only when a post is read, not when the cache answers:
    # importing it is ~10 ms of a warm `list`.
    from studylog.markdown.extraction import count_entries

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
READER_VERSION = 4


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


def load_post_cache(path: Path | None, fingerprint: str) -> dict[str, tuple[Any, ...]]:
    """The records `save_post_cache` kept under `fingerprint` ({} for any other or none)."""
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
    posts = data.get("posts")
    return posts if isinstance(posts, dict) else {}


def save_post_cache(path: Path | None, fingerprint: str, posts: dict[str, tuple[Any, ...]]) -> None:
    """Keep `posts` (path -> record) atomically; a cache that can't be written is not kept."""
    if path is None:
        return
    # marshal only when the cache is read or written.
    import marshal

    write_cache(path, marshal.dumps({"fingerprint": fingerprint, "posts": posts}))


def list_summaries(settings: Settings) -> list[PostSummary]:
    """Summaries of every post, newest first, from a cache where the file hasn't changed.

    The cache (under `$XDG_CACHE_HOME/studylog/`, off with
    `STUDYLOG_NO_CACHE=1`) keeps each post's title, date and counts with
    its size and modification time, so a second `list` over 10,000 posts
    reads no post that hasn't changed. Anything off (a changed file, other
    section settings, a new studylog) is read again.
    """
    return _summaries(settings, scan_posts(settings), whole=True)


def newest_summaries(settings: Settings, count: int) -> tuple[list[PostSummary], int]:
    """The `count` newest posts' summaries, and how many posts there are in all.

    What a terminal shows: the names of every post are listed, but only
    the newest are stamped and summarised (from the same cache), so the
    cost stays that of a screenful however long the log.
    """
    # os only to stamp the few posts shown.
    import os

    names = scan_posts(settings, stat=False)
    posts = []
    for date, slug, path, _, _ in names[: max(count, 0)]:
        try:
            info = os.stat(path)
        except OSError:
            continue
        posts.append((date, slug, path, info.st_mtime_ns, info.st_size))
    return _summaries(settings, posts, whole=False), len(names)


def _summaries(
    settings: Settings, posts: list[tuple[str, str, str, int, int]], whole: bool
) -> list[PostSummary]:
    """Summaries of `posts` (from `scan_posts`), through the cache.

    With `whole` the posts are all the log's, and the cache is rewritten
    with just them (a deleted post leaves it); otherwise the new summaries
    are added to what it holds.
    """
    # time only to date the cache.
    import time

    cache_path = post_cache_path("list", settings)
    fingerprint = reader_fingerprint(settings)
    cache = load_post_cache(cache_path, fingerprint)
    # git's "racily clean" rule: a file changed within RACY_NS of this scan may
    # change again within the same timestamp tick (1 s on some file systems)
    # at the same size, so it is read now but not remembered.
    racy_after = time.time_ns() - RACY_NS
    fresh: dict[str, tuple[Any, ...]] = {}
    summaries: list[PostSummary] = []
    changed = False
    for date, slug, path, mtime, size in posts:
        cached = cache.get(path)
        if cached is not None and cached[0] == mtime and cached[1] == size:
            fresh[path] = cached
            summaries.append(PostSummary(date, slug, path, *cached[2:]))
            continue
        ref = PostRef(dt.date.fromisoformat(date), slug, Path(path))
        try:
            summary = summarize_post(ref, settings)
        except PostReadError:
            continue
        changed = True
        if mtime < racy_after:
            fresh[path] = (mtime, size, *summary[3:])
        summaries.append(summary)
    if whole and (changed or len(fresh) != len(cache)):
        save_post_cache(cache_path, fingerprint, fresh)
    elif not whole and changed:
        save_post_cache(cache_path, fingerprint, {**cache, **fresh})
    return summaries
