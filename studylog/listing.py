"""Listing every post fast: front matter by regex, entry counts and a cache.

`list` reads 10,000 posts within twice the time of `grep -rl`, so nothing
here parses YAML or imports markdown-it unless a caller asks for it:
`title` and `date` are read from the front matter with a regex per key
(`post.parse_front_matter` does the full YAML parse when a command needs
it), counts come from `extraction.count_entries`, and a cache keyed by
each file's size and modification time skips the posts that haven't changed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from studylog.config import RACY_NS, Settings, cache_file, read_cache, write_cache
from studylog.errors import PostReadError
from studylog.log import POST_NAME, PostRef
from studylog.markdown.extraction import count_entries
from studylog.post import read_post, split_front_matter


@dataclass(frozen=True)
class FrontMatterSummary:
    """The few front-matter values a listing needs, read without a YAML parse.

    Values are the text as written (quotes removed); None when the key is
    missing or holds something that isn't a one-line scalar.
    """

    title: str | None = None
    date: str | None = None
    keys: tuple[str, ...] = field(default_factory=tuple)


# --- front matter ---------------------------------------------------------

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?$", re.MULTILINE)


def read_front_matter_text(path: Path) -> str | None:
    """Read only the front-matter block of a post (stops at the closing fence).

    Returns None when the file does not start with a front-matter fence or
    never closes it. Raises OSError/UnicodeDecodeError as `open()` does.
    """
    # Binary lines, decoded one by one: a text-mode read would decode a whole
    # buffer, body included, and fail on a body that is not UTF-8.
    with path.open("rb") as handle:
        first = handle.readline()
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        if first.rstrip(b"\r\n").rstrip(b" \t") != b"---":
            return None
        lines: list[bytes] = []
        for line in handle:
            if line.rstrip(b"\r\n").rstrip(b" \t") in (b"---", b"..."):
                return b"".join(lines).decode("utf-8")
            lines.append(line)
    return None


def summarize_front_matter(front_matter: str | None) -> FrontMatterSummary:
    """Read `title`, `date` and the top-level keys with a regex, not a YAML parse."""
    if not front_matter:
        return FrontMatterSummary()
    values: dict[str, str | None] = {}
    keys: list[str] = []
    for match in _TOP_KEY.finditer(front_matter):
        key = match[1]
        keys.append(key)
        if key in ("title", "date") and key not in values:
            values[key] = _scalar(match[2])
    return FrontMatterSummary(values.get("title"), values.get("date"), tuple(keys))


_TITLE = re.compile(r"^title[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?$", re.MULTILINE)


def front_matter_title(front_matter: str | None) -> str | None:
    """The front-matter title by one regex search (see `summarize_front_matter`)."""
    if not front_matter:
        return None
    match = _TITLE.search(front_matter)
    return _scalar(match[1]) if match else None


def _scalar(raw: str | None) -> str | None:
    """A one-line YAML scalar as text; None for block scalars, flows and empties."""
    if raw is None:
        return None
    value = raw.strip()
    if not value or value[0] in "|>[{&*!":
        return None
    if value[0] == '"':
        end = value.rfind('"')
        if end <= 0:
            return None
        inner = value[1:end]
        if "\\" in inner:
            import json

            try:
                decoded: str = json.loads(f'"{inner}"')
                return decoded
            except ValueError:
                return inner
        return inner
    if value[0] == "'":
        end = value.rfind("'")
        if end <= 0:
            return None
        return value[1:end].replace("''", "'")
    # A plain scalar ends before " #" (a YAML comment).
    comment = value.find(" #")
    if comment >= 0:
        value = value[:comment].rstrip()
    return value or None


# --- posts ----------------------------------------------------------------------


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


def read_text(path: Path, strict: bool = False) -> str:
    """A post's text, BOM removed; undecodable bytes become U+FFFD unless `strict`.

    Read commands keep going past one bad file (`check` reports it), so
    only `strict` raises on bytes that are not UTF-8.

    Raises:
        PostReadError: the file can't be read (or, with `strict`, is not UTF-8).
    """
    if strict:
        return read_post(path).text
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise PostReadError(f"Can't read {path} ({err.strerror}); check its permissions.") from err
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def summarize_post(ref: PostRef, settings: Settings, text: str | None = None) -> PostSummary:
    """Title, front-matter date and entry counts of a post, without YAML or markdown-it."""
    if text is None:
        text = read_text(ref.path)
    front_matter, _ = split_front_matter(text)
    summary = summarize_front_matter(front_matter)
    counts = count_entries(text, settings)
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

# Bump when the reader counts entries differently, so cached counts are redone.
READER_VERSION = 4


def _cache_path(settings: Settings) -> Path | None:
    import zlib

    # crc32 rather than hashlib: importing OpenSSL costs more than it buys here.
    digest = f"{zlib.crc32(str(settings.root).encode('utf-8')):08x}"
    return cache_file(f"list-{settings.root.name}-{digest}.marshal")


def _fingerprint(settings: Settings) -> str:
    return repr((READER_VERSION, sorted(settings.sections.items()), settings.entry_formats))


def _load_cache(path: Path | None, fingerprint: str) -> dict[str, tuple[Any, ...]]:
    if path is None:
        return {}
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


def _save_cache(path: Path | None, fingerprint: str, posts: dict[str, tuple[Any, ...]]) -> None:
    """Write the cache atomically; a cache that can't be written is simply not kept."""
    if path is None:
        return
    import marshal

    write_cache(path, marshal.dumps({"fingerprint": fingerprint, "posts": posts}))


def scan_posts(settings: Settings) -> list[tuple[str, str, str, int, int]]:
    """Every post file as `(date, slug, path, mtime_ns, size)`, newest first.

    The same files as `Log.iter_posts` (Jekyll's names, subfolders, no
    hidden files), read with one `scandir` and one `stat` each and kept as
    strings: this is the part of `list` that scales with the log.
    """
    found: list[tuple[str, str, str, int, int]] = []
    stack = [str(settings.posts_path)]
    match = POST_NAME.match
    date = dt.date
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                parts = match(name)
                try:
                    if parts is None or not entry.is_file():
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        continue
                    date(int(parts[1]), int(parts[2]), int(parts[3]))
                    stat = entry.stat()
                except (OSError, ValueError):
                    continue
                found.append((name[:10], parts[4], entry.path, stat.st_mtime_ns, stat.st_size))
    found.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
    return found


def list_summaries(settings: Settings) -> list[PostSummary]:
    """Summaries of every post, newest first, from a cache where the file hasn't changed.

    The cache (under `$XDG_CACHE_HOME/studylog/`, off with
    `STUDYLOG_NO_CACHE=1`) keeps each post's title, date and counts with
    its size and modification time, so a second `list` over 10,000 posts
    reads no post that hasn't changed. Anything off (a changed file, other
    section settings, a new studylog) is read again.
    """
    import time

    cache_path = _cache_path(settings)
    fingerprint = _fingerprint(settings)
    cache = _load_cache(cache_path, fingerprint)
    # git's "racily clean" rule: a file changed within RACY_NS of this scan may
    # change again within the same timestamp tick (1 s on some file systems)
    # at the same size, so it is read now but not remembered.
    racy_after = time.time_ns() - RACY_NS
    fresh: dict[str, tuple[Any, ...]] = {}
    summaries: list[PostSummary] = []
    changed = False
    for date, slug, path, mtime, size in scan_posts(settings):
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
    if changed or len(fresh) != len(cache):
        _save_cache(cache_path, fingerprint, fresh)
    return summaries


def start_git_status(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start `git status` on the posts folder in the background (see `git_states`)."""
    try:
        return subprocess.Popen(
            [
                "git",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                settings.posts_dir,
            ],
            cwd=settings.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None


def git_states(
    process: subprocess.Popen[bytes] | None, settings: Settings
) -> dict[str, str] | None:
    """Each changed post's git state by path: `new`, `modified`, `staged` or `deleted`.

    Posts not in the mapping are committed and unchanged. None when the log
    is not in a git repository (or git is missing). This runs the `git`
    program directly rather than GitPython, which `list` can't afford to import.
    """
    if process is None:
        return None
    out, _ = process.communicate()
    if process.returncode != 0:
        return None
    posts_dir = settings.posts_dir.strip("/")
    states: dict[str, str] = {}
    parts = out.split(b"\0")
    index = 0
    while index < len(parts):
        entry = parts[index]
        index += 1
        if len(entry) < 4:
            continue
        code = entry[:2].decode("ascii", "replace")
        name = os.fsdecode(entry[3:])
        if code[0] in "RC":
            index += 1  # the original name of a rename or copy follows
        # git prints paths from the top of the repository; the log may sit below it.
        at = name.find(posts_dir + "/")
        while at > 0 and name[at - 1] != "/":
            at = name.find(posts_dir + "/", at + 1)
        if at < 0:
            continue
        path = str(settings.root / name[at:])
        if code == "??":
            states[path] = "new"
        elif "D" in code:
            states[path] = "deleted"
        elif code[1] != " ":
            states[path] = "modified"
        else:
            states[path] = "staged"
    return states
