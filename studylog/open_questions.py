"""Open questions: the questions of a log that have no answer yet.

`studylog open` lists them oldest first, and `studylog new` carries the
recent ones into the new post's open-questions section, each linked to the
post that asked it, so a question asked on Tuesday is still in view on
Thursday. A question counts as answered once its item holds an answer
(`답변 : …`, `→ …`, numbered sub-points), however it was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.errors import StudylogError

if TYPE_CHECKING:
    from studylog.log import Log
    from studylog.reader import ReadPost

# How far back `new` looks for open questions to carry: four weeks of posts
# is a course module, and keeps `new` as fast with 10,000 posts as with 10.
CARRY_DAYS = 28


@dataclass(frozen=True)
class OpenQuestion:
    """A question with no answer: where it is and what it asks."""

    path: Path
    date: dt.date
    slug: str
    number: int
    asker: str | None
    question: str
    line: int


def open_questions(posts: Iterable[ReadPost]) -> list[OpenQuestion]:
    """The unanswered questions of these posts, oldest first (date, slug, number)."""
    found = [
        OpenQuestion(
            post.ref.path,
            post.ref.date,
            post.ref.slug,
            question.number,
            question.asker,
            question.question,
            question.line,
        )
        for post in posts
        for question in post.entries.questions
        if not question.answers
    ]
    return sorted(found, key=lambda q: (q.date, q.slug, q.number, q.line))


def recent_open_questions(
    log: Log, before: dt.date, files: list[tuple[str, str]] | None = None
) -> list[OpenQuestion]:
    """The open questions of the posts of the `CARRY_DAYS` days before `before`.

    Only those posts are opened (their names say their dates); one that
    can't be read is left out, as `studylog check` reports it. `files` is a
    `Log.post_files()` listing to reuse.
    """
    # The reader only when posts are read.
    from studylog.log import post_ref
    from studylog.reader import load_post

    first = (before - dt.timedelta(days=CARRY_DAYS)).isoformat()
    last = before.isoformat()
    posts = []
    for folder, name in log.post_files() if files is None else files:
        # An ISO date sorts as text: only the window's names become posts.
        ref = post_ref(Path(folder, name)) if first <= name[:10] < last else None
        if ref is None:
            continue
        try:
            posts.append(load_post(ref, log.settings))
        except StudylogError:
            continue
    return open_questions(posts)


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
