"""Export the log's questions and answers: JSON, CSV, Anki cards or a Markdown digest.

Every format is built from the same records (`question_records`,
`review_records`), so a question reads the same in each. The Anki format is
Anki's own text import (File > Import): tab-separated fields with `#`
header lines that tell Anki the separator, that fields are HTML and which
column holds the tags (tests/anki.py reads such a file back, as Anki does).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.confine import is_inside, is_special
from studylog.errors import ExportOptionError, PathOutsideLogError, PostWriteError
from studylog.log import Log
from studylog.reader import ReadPost

FORMATS = ("json", "csv", "anki", "md")
BOM = "\ufeff"
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
    return "".join(json_chunks(posts))


def _json_item(record: dict[str, Any]) -> str:
    # An item two levels deep in `json.dumps(document, indent=2)`: four spaces more.
    return "    " + json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def json_chunks(posts: Iterable[ReadPost]) -> Iterator[str]:
    """`to_json`'s text piece by piece, a post at a time: the same bytes as `json.dumps`.

    The questions go out as each post is read; the reviews come after them
    in the document, so their text waits in a temporary file (in memory up
    to 1 MB) until the questions are done.
    """
    # tempfile only for a JSON export: it pulls in random.
    import tempfile

    yield f'{{\n  "version": {JSON_VERSION},\n  "questions": ['
    first = True
    reviews = 0
    # surrogatepass: a lone surrogate in a title comes back out as it went in.
    with tempfile.SpooledTemporaryFile(
        max_size=1 << 20, mode="w+", encoding="utf-8", errors="surrogatepass"
    ) as spool:
        for post in posts:
            for record in question_records([post]):
                yield ("\n" if first else ",\n") + _json_item(record)
                first = False
            for record in review_records([post]):
                spool.write(("\n" if not reviews else ",\n") + _json_item(record))
                reviews += 1
        yield "]" if first else "\n  ]"
        yield ',\n  "reviews": '
        if not reviews:
            yield "[]"
        else:
            yield "["
            spool.seek(0)
            while chunk := spool.read(1 << 16):
                yield chunk
            yield "\n  ]"
    yield "\n}\n"


CSV_COLUMNS = ("date", "slug", "title", "number", "asker", "question", "answers")


def to_csv(posts: list[ReadPost], excel: bool = False) -> str:
    """The questions as CSV (RFC 4180, header row); several answers share one cell, one a line.

    Rows end in CRLF (RFC 4180, and what Excel writes). With `excel`, the
    text starts with a byte order mark: Excel opens a `.csv` without one in
    the system's ANSI code page (cp949 on a Korean Windows, cp1252 in
    western Europe), which garbles Hangul; with it, as UTF-8. Line breaks
    inside a cell stay LF (the reader gives values with LF, whatever the
    post's line endings), which is the in-cell break Excel itself writes.
    Also with `excel`, a text cell that starts with `=`, `+`, `-`, `@` or a
    tab gets a leading `'`: Excel would run it as a formula (a teammate's
    pushed `=HYPERLINK(…)` question), and shows the text without the `'`.
    """
    return "".join(csv_chunks(posts, excel))


def csv_chunks(posts: Iterable[ReadPost], excel: bool = False) -> Iterator[str]:
    """`to_csv`'s text piece by piece: the header, then each post's rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield (BOM if excel else "") + buffer.getvalue()
    for post in posts:
        buffer.seek(0)
        buffer.truncate()
        for record in question_records([post]):
            row = dict(record, answers="\n".join(record["answers"]))
            cells = ["" if row[column] is None else row[column] for column in CSV_COLUMNS]
            writer.writerow([_as_excel_text(cell) for cell in cells] if excel else cells)
        yield buffer.getvalue()


# What makes Excel read a cell as a formula (or as one when it strips a tab).
_FORMULA_START = ("=", "+", "-", "@", "\t")


def _as_excel_text(cell: object) -> object:
    """A cell Excel shows as typed: text that would start a formula gets the `'` text mark."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Card:
    """One Anki note: a stable id, the question and its answers (Markdown), space-free tags."""

    guid: str
    front: str
    back: str
    tags: tuple[str, ...]


ANKI_HEADER = "#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#tags column:4\n"


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def card_guid(date: str, slug: str, number: int) -> str:
    """A card's id from its post and question number: re-importing updates the card."""
    return _tag(f"studylog:{date}:{slug}:q{number}")


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
            back = "\n\n".join(
                f"{i}. " + _indent_rest(answer, " " * len(f"{i}. "))
                for i, answer in enumerate(answers, 1)
            )
        tags = ["studylog", _tag(record["slug"])]
        if record["asker"]:
            tags.append(_tag(record["asker"]))
        guid = card_guid(record["date"], record["slug"], record["number"])
        cards.append(Card(guid, record["question"], back, tuple(tags)))
    return cards


_PRE = re.compile(r"(<pre><code[^>]*>.*?</code></pre>)", re.DOTALL)


def card_html(markdown: str) -> str:
    """A field's HTML: the Markdown rendered (raw HTML shown as text), on one line.

    Code keeps its lines (as `<br>` inside `<pre><code>`), a line break in a
    paragraph is a `<br>`; the newlines between tags go, and a tab becomes
    `&#9;`, since both would end the field.
    """
    # markdown-it only once a document is parsed (TID253: ~17 ms to import).
    from markdown_it import MarkdownIt

    # A line break typed inside a paragraph is kept as one (`breaks`).
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    rendered = md.render(markdown.replace("\r", ""))
    parts = []
    for i, part in enumerate(_PRE.split(rendered)):
        if i % 2:
            head, _, code = part.partition(">")
            code = code.removesuffix("</code></pre>").removesuffix("\n")
            parts.append(head + ">" + code.replace("\n", "<br>") + "</code></pre>")
        else:
            parts.append(part.replace("\n", ""))
    return "".join(parts).replace("\t", "&#9;")


def to_anki(posts: list[ReadPost], deck: str | None = None) -> str:
    """Anki's tab-separated text import, with its header lines."""
    return cards_to_anki(anki_cards(posts), deck)


def cards_to_anki(cards: Iterable[Card], deck: str | None = None) -> str:
    """Serialise cards in Anki's text-import format (into `deck` when given)."""
    return "".join(anki_chunks(cards, deck))


def anki_chunks(cards: Iterable[Card], deck: str | None = None) -> Iterator[str]:
    """`cards_to_anki`'s text piece by piece: the header lines, then a line per card."""
    yield ANKI_HEADER
    if deck:
        yield f"#deck:{one_line_deck(deck)}\n"
    for card in cards:
        fields = (card.guid, card_html(card.front), card_html(card.back), " ".join(card.tags))
        yield "\t".join(fields) + "\n"


def one_line_deck(deck: str) -> str:
    """A deck name fit for the header line.

    Raises:
        ExportOptionError: it is empty or holds a line break or a tab.
    """
    name = deck.strip()
    if not name or any(c in name for c in "\r\n\t"):
        raise ExportOptionError(
            "The deck name must be one line of text (use :: for a sub-deck, like Study::Day4)."
        )
    return name


def _indent_rest(text: str, prefix: str) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0], *(prefix + line if line else line for line in lines[1:])])


def to_markdown(posts: list[ReadPost], heading: str = "Study log digest") -> str:
    """A Markdown digest: per post (oldest first), its questions with answers and its reviews."""
    ordered = sorted(posts, key=lambda p: (p.ref.date, p.ref.slug))
    return "".join(markdown_chunks(ordered, heading))


def markdown_chunks(posts: Iterable[ReadPost], heading: str = "Study log digest") -> Iterator[str]:
    """`to_markdown`'s text piece by piece, for posts already in order (oldest first).

    The text is the lines joined by line breaks, with the line breaks at its
    very end made one: a run of them is held back until more text follows.
    """
    held = ""
    first = True
    for line in _markdown_lines(posts, heading):
        piece = held + ("" if first else "\n") + line
        first = False
        kept = piece.rstrip("\n")
        if kept:
            yield kept
        held = piece[len(kept) :]
    yield "\n"


def _markdown_lines(posts: Iterable[ReadPost], heading: str) -> Iterator[str]:
    yield f"# {heading}"
    yield ""
    for post in posts:
        entries = post.entries
        if not entries.questions and not entries.reviews:
            continue
        title = post.title or post.ref.slug
        yield from (f"## {post.ref.date.isoformat()} · {title}", "")
        if entries.questions:
            yield from ("### Questions", "")
            for question in entries.questions:
                who = f"**{question.asker}**: " if question.asker else ""
                yield f"{question.number}. {who}{_indent_rest(question.question, '   ')}"
                for answer in question.answers:
                    yield f"   - {_indent_rest(answer, '     ')}"
            yield ""
        if entries.reviews:
            yield from ("### Reviews", "")
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
                yield f"- {review.assignment}{suffix}"
                for item in review.feedback:
                    yield f"  - {_indent_rest(item, '    ')}"
            yield ""


def export_posts(posts: list[ReadPost], fmt: str, deck: str | None = None) -> str:
    """The export of these posts in `fmt` (one of `FORMATS`)."""
    return build_export(posts, fmt, deck).text


@dataclass(frozen=True)
class Export:
    """An export's text, and how many of the posts' questions it holds.

    `written` counts what the format writes per question: every question
    in json, csv and md, only the answered ones as Anki cards (a card with
    no back can't be studied), so the two numbers differ there.
    """

    text: str
    questions: int
    written: int
    unit: str  # "question" or "card"

    @property
    def skipped(self) -> int:
        """Questions the format left out (unanswered ones, for Anki)."""
        return self.questions - self.written


def build_export(
    posts: list[ReadPost], fmt: str, deck: str | None = None, excel: bool = False
) -> Export:
    """Export these posts in `fmt` (one of `FORMATS`); `excel` is for csv (see `to_csv`)."""
    pieces: list[str] = []
    counts = write_export(posts, fmt, pieces.append, deck, excel)
    return Export("".join(pieces), counts.questions, counts.written, counts.unit)


@dataclass
class ExportCounts:
    """What `write_export` wrote: posts read, their questions, and what the format kept of them."""

    posts: int = 0
    questions: int = 0
    written: int = 0
    unit: str = "question"

    @property
    def skipped(self) -> int:
        """Questions the format left out (unanswered ones, for Anki)."""
        return self.questions - self.written


def write_export(
    posts: Iterable[ReadPost],
    fmt: str,
    write: Callable[[str], object],
    deck: str | None = None,
    excel: bool = False,
) -> ExportCounts:
    """Export `posts` (in the order given) in `fmt`, passing the text to `write` piece by piece.

    A post at a time: the posts are read as the text goes out, so an export
    of 10,000 posts holds one post, not all of them (see `json_chunks` for
    the one thing kept to the end).
    """
    counts = ExportCounts(unit="card" if fmt == "anki" else "question")

    def counted() -> Iterator[ReadPost]:
        for post in posts:
            counts.posts += 1
            counts.questions += len(post.entries.questions)
            yield post

    if fmt == "anki":

        def cards() -> Iterator[Card]:
            for post in counted():
                found = anki_cards([post])
                counts.written += len(found)
                yield from found

        chunks = anki_chunks(cards(), deck)
    elif fmt == "csv":
        chunks = csv_chunks(counted(), excel)
    elif fmt == "json":
        chunks = json_chunks(counted())
    else:
        chunks = markdown_chunks(counted())
    for chunk in chunks:
        write(chunk)
    if fmt != "anki":
        counts.written = counts.questions
    return counts


def export_target(log: Log, output: Path, option: str = "-o") -> Path:
    """The file `export -o OUTPUT` (or `stats --svg`, named by `option`) may write.

    That is an ordinary file that is not a post.

    A symlink is followed only when it stays inside the log (the file it
    names is written, not the link replaced); a FIFO, device, socket or
    folder, a post, and any file in the posts folder are refused.

    Raises:
        PathOutsideLogError: OUTPUT is one of those.
        PostWriteError: its folder does not exist.
    """

    target = output.expanduser()
    if target.is_symlink():
        if not is_inside(target, log.root):
            raise PathOutsideLogError(
                f"{target} is a symlink that leads outside the log; "
                f"give {option} a plain file name."
            )
        target = target.resolve()
    if target.is_dir():
        raise PostWriteError(f"{target} is a folder; give a file name to {option}.")
    if is_special(target):
        raise PathOutsideLogError(
            f"{target} is not an ordinary file (a FIFO, device or socket); "
            f"give {option} a plain file name."
        )
    if is_inside(target, log.posts_path):
        raise PathOutsideLogError(
            f"{target} is in the posts folder, where it would replace or become a post; "
            "write it elsewhere."
        )
    if not target.parent.is_dir():
        raise PostWriteError(f"The folder {target.parent} does not exist; create it first.")
    return target
