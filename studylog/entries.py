"""Entries — questions, homework reviews, free notes — and how each joins a post.

An entry is rendered as Markdown lines with the log's `EntryFormats`, then
inserted into the right section of the post (see `studylog.markdown.placement`).
Only the inserted lines change, plus `last_modified_at` in the front matter
when the post has that key; the write is locked and atomic
(`studylog.post.update_post`).

Text a person types may span lines and hold anything (`#`, `---`, fences,
list markers): every line after the first is indented to the list item's
text column, so it stays inside the entry whatever it contains.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.config import EntryFormats, SectionSpec
from studylog.errors import ConfigError, EntryInvalidError

if TYPE_CHECKING:
    from studylog.log import Log, PostRef
    from studylog.post import PostText

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BULLET = re.compile(r"^[-*+][ \t]+(?=\S)")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


@dataclass(frozen=True)
class Question:
    """A peer-session question: who asked, what, and zero or more answers."""

    asker: str
    question: str
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    """A homework review: the assignment, its topic (optional), presenter and feedback."""

    assignment: str
    presenter: str
    topic: str = ""
    feedback: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """Free text, written as one list item."""

    text: str


@dataclass(frozen=True)
class AppendResult:
    """What an append did.

    `number` is the question's number (None for other entries); `created`
    the headings of sections that had to be created; `offset` and
    `inserted` say where in the file's text (BOM excluded) which text went.
    """

    path: Path
    kind: str
    section: str
    number: int | None
    created: tuple[str, ...]
    offset: int
    inserted: str


def text_lines(value: str, what: str, required: bool = True) -> list[str]:
    """`value` as lines: line breaks unified, trailing space and blank edges dropped.

    Raises:
        EntryInvalidError: `required` and nothing but white space.
        TextInvalidError: a NUL or other control character (tab aside).
    """
    from studylog.values import check_characters

    check_characters(value, what)
    lines = [line.rstrip() for line in _LINE_BREAK.split(value)]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        if required:
            raise EntryInvalidError(f"The {what} is empty; give some text.")
        return []
    lines[0] = lines[0].lstrip()
    return lines


def one_line_value(value: str, what: str, required: bool = True) -> str:
    """`value` as a single line with its surrounding space removed.

    Raises:
        EntryInvalidError: empty (when `required`) or more than one line.
    """
    lines = text_lines(value, what, required)
    if len(lines) > 1:
        raise EntryInvalidError(f"The {what} must be one line; put the rest in the text.")
    return lines[0] if lines else ""


def _fill(formats: EntryFormats, name: str, **values: object) -> str:
    template: str = getattr(formats, name)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError) as err:
        fields = ", ".join("{" + key + "}" for key in values)
        raise ConfigError(
            f"The entry format formats.{name} ({template!r}) can't be filled in; "
            f"use only the fields {fields} in .studylog.yml."
        ) from err


def _indent_for(first_line: str) -> str:
    from studylog.markdown.placement import list_content_column

    return " " * max(4, list_content_column(first_line))


def _block(first: str, rest: list[str], indent: str) -> list[str]:
    return [first, *[indent + line if line.strip() else "" for line in rest]]


def render_question(question: Question, number: int, formats: EntryFormats) -> list[str]:
    """The Markdown lines of a numbered question (no line endings).

    One answer goes under the question after a blank line (`답변 : …`);
    several become numbered sub-points, as in the example post.
    """
    asker = one_line_value(question.asker, "asker's name")
    text = text_lines(question.question, "question")
    answers = [text_lines(a, "answer") for a in question.answers]
    first = _fill(formats, "question", n=number, asker=asker, question=text[0])
    indent = _indent_for(first)
    lines = _block(first, text[1:], indent)
    if len(answers) == 1:
        lines += ["", *render_answer(question.answers[0], first, formats)]
    elif answers:
        for i, answer in enumerate(answers, start=1):
            marker = f"{i}. "
            if i > 1:
                lines.append("")
            sub_indent = indent + " " * max(4, len(marker))
            lines += _block(indent + marker + answer[0], answer[1:], sub_indent)
    return lines


def render_answer(answer: str, question_line: str, formats: EntryFormats) -> list[str]:
    """The lines of one `답변 : …` answer under the question whose first line is `question_line`.

    Indented to the question's text column, every line of it, so it stays
    inside the question's list item (`add-question` and `answer` both write
    answers with this).
    """
    text = text_lines(answer, "answer")
    indent = _indent_for(question_line)
    return _block(indent + _fill(formats, "answer", answer=text[0]), text[1:], indent)


def render_review(review: Review, formats: EntryFormats) -> list[str]:
    """The Markdown lines of a homework review, each feedback on its own `→` line."""
    assignment = one_line_value(review.assignment, "assignment")
    presenter = one_line_value(review.presenter, "presenter's name")
    topic = one_line_value(review.topic, "topic", required=False)
    if topic:
        first = _fill(formats, "review", assignment=assignment, topic=topic, presenter=presenter)
    else:
        first = _fill(formats, "review_no_topic", assignment=assignment, presenter=presenter)
    indent = _indent_for(first)
    lines = [first]
    for feedback in review.feedback:
        text = text_lines(feedback, "feedback")
        lines += _block(indent + _fill(formats, "feedback", feedback=text[0]), text[1:], indent)
    return lines


def render_note(note: Note) -> list[str]:
    """The Markdown lines of a free-text note: one bullet item."""
    text = text_lines(note.text, "text")
    # A note typed as a bullet ("- item") is that item, not a list inside one.
    text[0] = _BULLET.sub("", text[0], count=1) or text[0]
    first = "- " + text[0]
    if _THEMATIC_BREAK.match(first):
        # "- ---" would be a horizontal rule, not an item: escape the text's
        # first character (it renders the same).
        first = "- \\" + text[0]
    return _block(first, text[1:], _indent_for(first))


@dataclass(frozen=True)
class TextEdit:
    """The result of adding an entry to a post's text, before it is written."""

    text: str
    offset: int
    inserted: str
    section: str
    number: int
    created: tuple[str, ...]


def add_to_text(
    post: PostText,
    section: str,
    sections: Mapping[str, SectionSpec],
    render: Callable[[int], list[str]],
    today: dt.date | None = None,
) -> TextEdit:
    """Add an entry to a post's text; nothing is read or written here.

    `render(n)` gives the entry's lines for list number `n` (the number
    after the last one in the section). The post's front matter must be
    valid YAML; with `today`, `last_modified_at` is set to it.

    Raises:
        FrontMatterError: no front matter, or not YAML.
        SectionNotFoundError: `section` is neither a key nor a heading of the post.
        EntryPlacementError: the entry can't go in without changing other Markdown.
    """
    from studylog.markdown.document import parse_document
    from studylog.markdown.placement import (
        build_insertion,
        check_insertion,
        plan_insert,
        resolve_target,
    )
    from studylog.post import parse_front_matter, touch_last_modified

    parse_front_matter(post)
    body = post.body
    doc = parse_document(body)
    target = resolve_target(doc, section, sections, post.path.name)
    point = plan_insert(doc, target, sections)
    entry = render(point.number)
    at_line_start = post.body_start == 0 or post.text[post.body_start - 1] in "\r\n"
    insertion = build_insertion(doc, point, entry, post.newline, at_line_start)
    new_body = body[: insertion.offset] + insertion.text + body[insertion.offset :]
    parsed_body = new_body
    if not at_line_start:
        # The first newline ends the front matter's closing fence, not a body line.
        parsed_body = new_body[2:] if new_body.startswith("\r\n") else new_body[1:]
    body_line = post.text[: post.body_start].count("\n") + 1
    check_insertion(doc, parse_document(parsed_body), insertion, post.path.name, body_line)
    head = post.text[: post.body_start]
    if today is not None:
        head = touch_last_modified(post, head, today)
    if target.heading is not None:
        name = doc.headings[target.heading].text
    else:
        name = point.create[-1][1].heading
    return TextEdit(
        text=head + new_body,
        offset=len(head) + insertion.offset,
        inserted=insertion.text,
        section=name,
        number=point.number,
        created=tuple(text for _, text in insertion.created),
    )


def _post_path(post: PostRef | Path) -> Path:
    return post if isinstance(post, Path) else post.path


def append_entry(
    log: Log,
    post: PostRef | Path,
    section: str,
    render: Callable[[int], list[str]],
    kind: str,
) -> AppendResult:
    """Add an entry to `section` of a post on disk, under the lock, atomically.

    Raises:
        PathOutsideLogError: the post resolves outside the posts folder.
        PostReadError, PostWriteError, FrontMatterError, SectionNotFoundError,
        EntryPlacementError: the post is left byte for byte as it was.
    """
    from studylog.post import update_post

    path = _post_path(post)
    log.check_inside_posts(path)
    # Write through a symlink to the real file, so the link stays a link.
    real = path.resolve() if path.is_symlink() else path
    today = log.today()
    # Render once before taking the lock, so a bad value fails before any I/O.
    render(1)
    edits: list[TextEdit] = []

    def edit(text: PostText) -> str:
        result = add_to_text(text, section, log.settings.sections, render, today)
        edits.append(result)
        return result.text

    update_post(real, edit)
    done = edits[-1]
    return AppendResult(
        path=path,
        kind=kind,
        section=done.section,
        number=done.number if kind == "question" else None,
        created=done.created,
        offset=done.offset,
        inserted=done.inserted,
    )


def append_question(log: Log, post: PostRef | Path, question: Question) -> AppendResult:
    """Add a numbered question to the post's questions section (created if missing)."""
    formats = log.settings.entry_formats
    return append_entry(
        log, post, "questions", lambda n: render_question(question, n, formats), "question"
    )


def append_review(log: Log, post: PostRef | Path, review: Review) -> AppendResult:
    """Add a homework review to the post's reviews section (created if missing)."""
    formats = log.settings.entry_formats
    return append_entry(log, post, "reviews", lambda n: render_review(review, formats), "review")


def append_note(log: Log, post: PostRef | Path, section: str, note: Note) -> AppendResult:
    """Add free text as a list item to a section named by key or heading text."""
    return append_entry(log, post, section, lambda n: render_note(note), "note")


def check_appendable(path: Path) -> None:
    """Fail early, before asking for an entry, when the post can't take one.

    Raises:
        PostReadError, PostWriteError, FrontMatterError, PostConflictError:
            what is wrong with it.
    """
    from studylog.post import check_no_conflict, check_writable, parse_front_matter, read_post

    post = read_post(path)
    check_no_conflict(post)
    parse_front_matter(post)
    check_writable(path)
