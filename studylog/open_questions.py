"""Open questions: the questions of a log that have no answer yet.

`studylog open` lists them oldest first, and `studylog new` carries the
recent ones into the new post's open-questions section, each linked to the
post that asked it, so a question asked on Tuesday is still in view on
Thursday. A question counts as answered once its item holds an answer
(`답변 : …`, `→ …`, numbered sub-points), however it was written.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from studylog.config import RACY_NS
from studylog.errors import StudylogError
from studylog.listing import (
    load_post_cache,
    post_cache_path,
    reader_fingerprint,
    save_post_cache,
)
from studylog.log import post_ref

if TYPE_CHECKING:
    from studylog.log import Log
    from studylog.reader import ReadPost

# How far back `new` looks for open questions to carry: four weeks of posts
# is a course module, and keeps `new` as fast with 10,000 posts as with 10.
CARRY_DAYS = 28


class OpenQuestion(NamedTuple):
    """A question with no answer: where it is and what it asks.

    A NamedTuple, defined on every `new`: ~0.05 ms, a frozen dataclass ~0.35.
    """

    path: Path
    date: dt.date
    slug: str
    number: int
    asker: str | None
    question: str
    line: int


def open_questions(posts: Iterable[ReadPost]) -> list[OpenQuestion]:
    """The unanswered questions of these posts, oldest first (date, slug, number)."""
    return _oldest_first(question for post in posts for question in _open_in(post))


def _open_in(post: ReadPost) -> list[OpenQuestion]:
    return [
        OpenQuestion(
            post.ref.path,
            post.ref.date,
            post.ref.slug,
            question.number,
            question.asker,
            question.question,
            question.line,
        )
        for question in post.entries.questions
        if not question.answers
    ]


def _oldest_first(found: Iterable[OpenQuestion]) -> list[OpenQuestion]:
    return sorted(found, key=lambda q: (q.date, q.slug, q.number, q.line))


def recent_open_questions(
    log: Log, before: dt.date, files: list[tuple[str, str]] | None = None
) -> list[OpenQuestion]:
    """The open questions of the posts of the `CARRY_DAYS` days before `before`.

    Only those posts are looked at (their names say their dates); one that
    can't be read is left out, as `studylog check` reports it. `files` is a
    `Log.post_files()` listing to reuse. Each post's open questions are kept
    in a cache (`$XDG_CACHE_HOME/studylog/open-*.marshal`, off with
    `STUDYLOG_NO_CACHE=1`) with its size and modification time, as `list`
    keeps its summaries, so a daily `new` reads only the posts that changed
    since the last one (reading and parsing them costs ~20 ms of imports alone).
    """
    first = (before - dt.timedelta(days=CARRY_DAYS)).isoformat()
    last = before.isoformat()
    cache_path = post_cache_path("open", log.settings)
    fingerprint = reader_fingerprint(log.settings)
    cache = load_post_cache(cache_path, fingerprint)
    # git's "racily clean" rule, as for `list`: a post changed within RACY_NS
    # may change again within its timestamp's tick at the same size.
    racy_after = time.time_ns() - RACY_NS
    fresh: dict[str, tuple[Any, ...]] = {}
    found: list[OpenQuestion] = []
    for folder, name in log.post_files() if files is None else files:
        # An ISO date sorts as text: only the window's names become posts.
        ref = post_ref(Path(folder, name)) if first <= name[:10] < last else None
        if ref is None:
            continue
        key = str(ref.path)
        try:
            info = os.stat(ref.path)
        except OSError:
            continue  # gone, or a dangling link: unreadable, as below
        cached = _cached_questions(cache.get(key), info)
        if cached is not None:
            fresh[key] = cache[key]
            found += [OpenQuestion(ref.path, ref.date, ref.slug, *q) for q in cached]
            continue
        # The reader (and the entry extraction under it, ~20 ms) only when a
        # post must be read.
        from studylog.reader import load_post

        try:
            questions = _open_in(load_post(ref, log.settings))
        except StudylogError:
            continue
        found += questions
        if info.st_mtime_ns < racy_after:
            fresh[key] = (
                info.st_mtime_ns,
                info.st_size,
                tuple((q.number, q.asker, q.question, q.line) for q in questions),
            )
    if fresh != cache:
        # Only the window's posts are kept: the cache stays small however long the log.
        save_post_cache(cache_path, fingerprint, fresh)
    return _oldest_first(found)


def _cached_questions(
    cached: Any, info: os.stat_result
) -> list[tuple[int, str | None, str, int]] | None:
    """The open questions a cache record holds for a file with this stat, or None (a miss).

    A record of another shape (a cache written by hand, or by a studylog
    that stored something else under the same fingerprint) is a miss, not a crash.
    """
    if not isinstance(cached, tuple) or len(cached) != 3:
        return None
    mtime, size, questions = cached
    if mtime != info.st_mtime_ns or size != info.st_size or not isinstance(questions, tuple):
        return None
    for question in questions:
        if not (
            isinstance(question, tuple)
            and len(question) == 4
            and isinstance(question[0], int)
            and isinstance(question[1], str | None)
            and isinstance(question[2], str)
            and isinstance(question[3], int)
        ):
            return None
    return list(questions)


def render_carried(questions: Iterable[OpenQuestion]) -> list[str]:
    """The open-questions section's list: one item per question, linked to its post.

    The link is Jekyll's `post_url` tag, which follows the site's permalink
    setting (and fails the build loudly if the post is renamed, rather than
    linking to nothing). The question's text goes through the note writer,
    so it shows as typed.
    """
    # entries only when a question is carried over.
    from studylog.entries import Note, render_note

    lines: list[str] = []
    for question in questions:
        who = f"{question.asker}: " if question.asker else ""
        first, _, rest = question.question.partition("\n")
        more = " …" if rest.strip() else ""
        stem = f"{question.date.isoformat()}-{question.slug}"
        link = f"[{question.slug} #{question.number}]({{% post_url {stem} %}})"
        item = render_note(Note(f"{who}{first}{more}" or "?"))
        # The link goes after the bullet, outside the text the note writer escaped.
        lines += [f"{item[0][:2]}{link} {item[0][2:]}", *item[1:]]
    return lines
