"""Export the log's questions and answers: JSON, CSV, Anki cards or a Markdown digest.

Every format is built from the same records (`question_records`,
`review_records`), so a question reads the same in each. The Anki format is
Anki's own text import (File > Import): tab-separated fields with `#`
header lines that tell Anki the separator, that fields are HTML and which
column holds the tags (tests/anki.py reads such a file back, as Anki does).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.errors import PathOutsideLogError, PostWriteError
from studylog.log import Log
from studylog.reader import ReadPost

FORMATS = ("json", "csv", "anki", "md")
# Bump when a field of the JSON export changes meaning or disappears.
JSON_VERSION = 1


def _post_fields(post: ReadPost) -> dict[str, Any]:
    return {
        "date": post.ref.date.isoformat(),
        "slug": post.ref.slug,
        "title": post.title,
        "path": post.ref.path.name,
    }


def question_records(posts: Iterable[ReadPost]) -> list[dict[str, Any]]:
    """One mapping per question: the post's date, slug, title, file, then the entry."""
    records: list[dict[str, Any]] = []
    for post in posts:
        for question in post.entries.questions:
            records.append(
                {
                    **_post_fields(post),
                    "number": question.number,
                    "asker": question.asker,
                    "question": question.question,
                    "answers": list(question.answers),
                }
            )
    return records


def review_records(posts: Iterable[ReadPost]) -> list[dict[str, Any]]:
    """One mapping per homework review, like `question_records`."""
    records: list[dict[str, Any]] = []
    for post in posts:
        for review in post.entries.reviews:
            records.append(
                {
                    **_post_fields(post),
                    "number": review.number,
                    "assignment": review.assignment,
                    "topic": review.topic,
                    "presenter": review.presenter,
                    "feedback": list(review.feedback),
                }
            )
    return records


def to_json(posts: list[ReadPost]) -> str:
    """`{"version": 1, "questions": [...], "reviews": [...]}` (see docs/reading.md)."""
    document = {
        "version": JSON_VERSION,
        "questions": question_records(posts),
        "reviews": review_records(posts),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("date", "slug", "title", "number", "asker", "question", "answers")


def to_csv(posts: list[ReadPost]) -> str:
    """The questions as CSV (RFC 4180, header row); several answers share one cell, one a line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in question_records(posts):
        row = dict(record, answers="\n".join(record["answers"]))
        writer.writerow(["" if row[column] is None else row[column] for column in CSV_COLUMNS])
    return buffer.getvalue()


@dataclass(frozen=True)
class Card:
    """One Anki note: the question, its answers, and space-free tags."""

    front: str
    back: str
    tags: tuple[str, ...]


ANKI_HEADER = "#separator:tab\n#html:true\n#notetype:Basic\n#tags column:3\n"


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def anki_cards(posts: Iterable[ReadPost]) -> list[Card]:
    """A card per answered question (a card without a back can't be studied)."""
    cards: list[Card] = []
    for record in question_records(posts):
        answers = record["answers"]
        if not answers:
            continue
        if len(answers) == 1:
            back = answers[0]
        else:
            back = "\n".join(f"{i}. {answer}" for i, answer in enumerate(answers, 1))
        tags = ["studylog", _tag(record["slug"])]
        if record["asker"]:
            tags.append(_tag(record["asker"]))
        cards.append(Card(record["question"], back, tuple(tags)))
    return cards


def _anki_field(text: str) -> str:
    escaped = html.escape(text.replace("\r", ""), quote=False)
    escaped = escaped.replace("\t", "&#9;").replace("\n", "<br>")
    # A line starting with '#' could be read as a header line.
    return "&#35;" + escaped[1:] if escaped.startswith("#") else escaped


def to_anki(posts: list[ReadPost]) -> str:
    """Anki's tab-separated text import, with its header lines."""
    return cards_to_anki(anki_cards(posts))


def cards_to_anki(cards: Iterable[Card]) -> str:
    """Serialise cards in Anki's text-import format."""
    lines = [ANKI_HEADER.rstrip("\n")]
    for card in cards:
        lines.append(
            "\t".join((_anki_field(card.front), _anki_field(card.back), " ".join(card.tags)))
        )
    return "\n".join(lines) + "\n"


def _indent_rest(text: str, prefix: str) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0], *(prefix + line if line else line for line in lines[1:])])


def to_markdown(posts: list[ReadPost], heading: str = "Study log digest") -> str:
    """A Markdown digest: per post (oldest first), its questions with answers and its reviews."""
    out = [f"# {heading}", ""]
    for post in sorted(posts, key=lambda p: (p.ref.date, p.ref.slug)):
        entries = post.entries
        if not entries.questions and not entries.reviews:
            continue
        title = post.title or post.ref.slug
        out += [f"## {post.ref.date.isoformat()} · {title}", ""]
        if entries.questions:
            out += ["### Questions", ""]
            for question in entries.questions:
                who = f"**{question.asker}**: " if question.asker else ""
                out.append(f"{question.number}. {who}{_indent_rest(question.question, '   ')}")
                for answer in question.answers:
                    out.append(f"   - {_indent_rest(answer, '     ')}")
            out.append("")
        if entries.reviews:
            out += ["### Reviews", ""]
            for review in entries.reviews:
                details = ", ".join(
                    part
                    for part in (
                        review.topic,
                        f"presenter: {review.presenter}" if review.presenter else None,
                    )
                    if part
                )
                suffix = f" ({details})" if details else ""
                out.append(f"- {review.assignment}{suffix}")
                for item in review.feedback:
                    out.append(f"  - {_indent_rest(item, '    ')}")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def export_posts(posts: list[ReadPost], fmt: str) -> str:
    """The export of these posts in `fmt` (one of `FORMATS`)."""
    builders = {"json": to_json, "csv": to_csv, "anki": to_anki, "md": to_markdown}
    return builders[fmt](posts)


def export_target(log: Log, output: Path) -> Path:
    """The file `export -o OUTPUT` may write: an ordinary file that is not a post.

    A symlink is followed only when it stays inside the log (the file it
    names is written, not the link replaced); a FIFO, device, socket or
    folder, a post, and any file in the posts folder are refused.

    Raises:
        PathOutsideLogError: OUTPUT is one of those.
        PostWriteError: its folder does not exist.
    """
    from studylog.confine import is_inside, is_special

    target = output.expanduser()
    if target.is_symlink():
        if not is_inside(target, log.root):
            raise PathOutsideLogError(
                f"{target} is a symlink that leads outside the log; give -o a plain file name."
            )
        target = target.resolve()
    if target.is_dir():
        raise PostWriteError(f"{target} is a folder; give a file name to -o.")
    if is_special(target):
        raise PathOutsideLogError(
            f"{target} is not an ordinary file (a FIFO, device or socket); "
            "give -o a plain file name."
        )
    if is_inside(target, log.posts_path):
        raise PathOutsideLogError(
            f"{target} is in the posts folder, where it would replace or become a post; "
            "write the export elsewhere."
        )
    if not target.parent.is_dir():
        raise PostWriteError(f"The folder {target.parent} does not exist; create it first.")
    return target
