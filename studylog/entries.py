"""Entries — questions, homework reviews, free notes — and how each joins a post.

An entry is rendered as Markdown lines with the log's `EntryFormats`, then
inserted into the right section of the post (see `studylog.markdown.placement`).
Only the inserted lines change, plus `last_modified_at` in the front matter
when the post has that key. The post is read and checked once
(`post.read_post_for_edit`), the entry placed by `add_to_text`, and the
result written by `post.edit_post`, locked and atomic.

Text a person types may span lines and hold anything (`#`, `---`, fences,
list markers): every line after the first is indented to the list item's
text column, so it stays inside the entry whatever it contains.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.config import EntryFormats, SectionSpec
from studylog.errors import ConfigError, EntryInvalidError
from studylog.jekyll import COMMONMARK, read_site
from studylog.markdown.kramdown import Dialect, Value, escape_item_start

if TYPE_CHECKING:
    from studylog.log import Log, PostRef
    from studylog.markdown.items import QaStyle
    from studylog.post import PostText

# Entries written before the site's settings are known: GFM, Liquid protected.
PLAIN_GFM = Dialect()
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BULLET = re.compile(r"^[-*+][ \t]+(?=\S)")


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
    last_modified_skipped: str | None = None


def text_lines(value: str, what: str, required: bool = True) -> list[str]:
    """`value` as lines: line breaks unified, trailing space and blank edges dropped.

    Raises:
        EntryInvalidError: `required` and nothing but white space.
        TextInvalidError: a NUL or other control character (tab aside).
    """
    # The value rules only when an entry is written.
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


def _column(first_line: str) -> str:
    # The Markdown modules only when an entry is rendered.
    from studylog.markdown.placement import list_content_column

    # kramdown strips exactly the item's content column from the lines under
    # it: more would indent code by the difference.
    return " " * list_content_column(first_line)


def _indented(lines: Sequence[str], indent: str) -> list[str]:
    return [indent + line if line else "" for line in lines]


def _labelled(label: str, value: Value, indent: str) -> list[str]:
    """A label with text (`답변 : …`) and its value, the value's later lines at `indent`.

    A value that starts with a block (a fence, a list, a quote) can't share
    the label's line: the label ends its paragraph and the block follows
    after a blank line.
    """
    if value.starts_with_block:
        return [label.replace(_SLOT, "").rstrip(), "", *_indented(value.lines, indent)]
    return [label.replace(_SLOT, value.lines[0]), *_indented(value.lines[1:], indent)]


def _marked(marker: str, value: Value) -> list[str]:
    """A list item (`- `, `1. `) holding a value: any block may start on the marker's line."""
    return [marker + value.lines[0], *_indented(value.lines[1:], " " * len(marker))]


def _inline(value: str, what: str, dialect: Dialect, required: bool = True) -> str:
    # kramdown's escapes only when an entry is rendered.
    from studylog.markdown.kramdown import escape_inline, protect_liquid

    text = one_line_value(value, what, required)
    text = escape_inline(text)
    return protect_liquid(text) if dialect.protect_liquid else text


def _person(value: str, what: str, dialect: Dialect) -> str:
    """A name typed for an entry, in its one spelling (`서광채님` is `서광채`)."""
    from studylog.names import person_name  # needed only when an entry is written

    return person_name(_inline(value, what, dialect))


def _feedback(value: str, marker: str, dialect: Dialect) -> Value:
    """A feedback value; typed with the format's own marker (`→ 좋았다`), that marker goes."""
    from studylog.markdown.kramdown import layout_value  # the block parse: loaded only to write

    lines = text_lines(value, "feedback")
    if marker and lines[0].startswith(marker) and lines[0][len(marker) :].strip():
        lines[0] = lines[0][len(marker) :].lstrip()
    return layout_value(lines, dialect)


def _value(value: str, what: str, dialect: Dialect) -> Value:
    # kramdown's escapes only when an entry is rendered.
    from studylog.markdown.kramdown import layout_value

    return layout_value(text_lines(value, what), dialect)


# Stands for the value's first line in a filled-in format (never typed:
# text_lines refuses a NUL).
_SLOT = "\x00"


def _label(formats: EntryFormats, name: str, **values: object) -> str:
    """An entry format filled in, with `_SLOT` where the value's first line goes."""
    return _fill(formats, name, **{name: _SLOT, **values})


def render_question(
    question: Question, number: int, formats: EntryFormats, dialect: Dialect = PLAIN_GFM
) -> list[str]:
    """The Markdown lines of a numbered question (no line endings).

    One answer goes under the question after a blank line (`답변 : …`);
    several become numbered sub-points, as in the example post. Every
    value is written for the site's renderer (see studylog.markdown.kramdown).
    """
    asker = _person(question.asker, "asker's name", dialect)
    text = _value(question.question, "question", dialect)
    answers = [_value(a, "answer", dialect) for a in question.answers]
    label = escape_item_start(_label(formats, "question", n=number, asker=asker))
    indent = _column(label.replace(_SLOT, "x"))
    lines = _labelled(label, text, indent)
    if len(answers) == 1:
        lines += ["", *render_answer(question.answers[0], label, formats, dialect)]
    for i, answer in enumerate(answers if len(answers) > 1 else [], start=1):
        lines += ["", *_indented(_marked(f"{i}. ", answer), indent)]
    return lines


_LIST_MARK = re.compile(r"^\d{1,9}[.)][ \t]+")


def render_qa_question(
    question: Question, style: QaStyle, formats: EntryFormats, dialect: Dialect = PLAIN_GFM
) -> list[str]:
    """The lines of a question written as the section's hand-written `Q.` blocks are.

    The question format without its list number follows the section's
    marker (`Q. 서광채님 질문 : …`); each answer is a paragraph starting with
    the section's answer marker (`A. …`), right under the question when the
    section writes them so, else after a blank line. Everything sits at the
    margin, as the blocks around it do; a line of a value that would start
    another question or answer there is escaped (`Q\\.`).
    """
    from studylog.markdown.items import escape_qa_lookalikes  # only when a Q. block is written

    asker = _person(question.asker, "asker's name", dialect)
    text = _qa_safe(_value(question.question, "question", dialect), escape_qa_lookalikes)
    answers = [
        _qa_safe(_value(a, "answer", dialect), escape_qa_lookalikes) for a in question.answers
    ]
    label = _LIST_MARK.sub("", _label(formats, "question", n=style.number, asker=asker), count=1)
    lines = _labelled(style.question_marker() + " " + label, text, "")
    if style.bold and len(lines) == 1:
        lines = ["**" + lines[0] + "**"]
    # One paragraph of one-line values, as the section writes them; else a
    # blank line before each answer, so a block can't run into the text above.
    glued = style.glued and all(
        len(v.lines) == 1 and not v.starts_with_block for v in (text, *answers)
    )
    for answer in answers:
        lines += [*([] if glued else [""]), *_labelled(style.answer + " " + _SLOT, answer, "")]
    return lines


def render_qa_answer(answer: str, style: QaStyle, dialect: Dialect = PLAIN_GFM) -> list[str]:
    """The lines of one answer to a `Q.` block: a paragraph with the section's marker (`A. …`).

    `studylog answer` writes it below the block's last line, after a blank line.
    """
    from studylog.markdown.items import escape_qa_lookalikes  # only when a Q. block is answered

    value = _qa_safe(_value(answer, "answer", dialect), escape_qa_lookalikes)
    return _labelled(style.answer + " " + _SLOT, value, "")


_FENCE_OPENING = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})")


def _qa_safe(value: Value, escape: Callable[[list[str]], list[str]]) -> Value:
    # The first line follows a label unless the value starts with a block.
    keep = 0 if value.starts_with_block else 1
    lines = [*value.lines[:keep], *escape(list(value.lines[keep:]))]
    # At the margin, a code fence left open would run to the end of the post
    # (in a list item it ends with the item): it is closed where the value ends.
    fence: re.Match[str] | None = None
    for line in lines:
        found = _FENCE_OPENING.match(line)
        if fence is None:
            fence = found
        elif (
            found is not None
            and found["fence"].startswith(fence["fence"])
            and (not line[found.end() :].strip())
        ):
            fence = None
    if fence is not None:
        lines.append(fence["indent"] + fence["fence"])
    return Value(tuple(lines), value.starts_with_block)


def render_answer(
    answer: str, question_line: str, formats: EntryFormats, dialect: Dialect = PLAIN_GFM
) -> list[str]:
    """The lines of one `답변 : …` answer under the question whose first line is `question_line`.

    At the question's content column, every line of it, so it stays inside
    the question's list item (`add-question` and `answer` both write answers
    with this), and written for the site's renderer like every value.
    """
    indent = _column(question_line.replace(_SLOT, "x"))
    value = _value(answer, "answer", dialect)
    return _labelled(indent + _label(formats, "answer"), value, indent)


def render_review(review: Review, formats: EntryFormats, dialect: Dialect = PLAIN_GFM) -> list[str]:
    """The Markdown lines of a homework review, each feedback on its own `→` line.

    One short feedback sits right under the review line, as in the example
    post; several (or a longer one) are each a paragraph of their own, so
    they never run together on one line.
    """
    assignment = _inline(review.assignment, "assignment", dialect)
    presenter = _person(review.presenter, "presenter's name", dialect)
    topic = _inline(review.topic, "topic", dialect, required=False)
    if topic:
        first = _fill(formats, "review", assignment=assignment, topic=topic, presenter=presenter)
    else:
        first = _fill(formats, "review_no_topic", assignment=assignment, presenter=presenter)
    first = escape_item_start(first)
    indent = _column(first)
    marker = formats.feedback.partition("{feedback}")[0].strip()
    feedback = [_feedback(f, marker, dialect) for f in review.feedback]
    label = indent + _label(formats, "feedback")
    if len(feedback) == 1 and len(feedback[0].lines) == 1 and not feedback[0].starts_with_block:
        return [first, *_labelled(label, feedback[0], indent)]
    lines = [first]
    for value in feedback:
        lines += ["", *_labelled(label, value, indent)]
    return lines


def render_note(note: Note, dialect: Dialect = PLAIN_GFM) -> list[str]:
    """The Markdown lines of a free-text note: one bullet item."""
    text = text_lines(note.text, "text")
    # A note typed as a bullet ("- item") is that item, not a list inside one.
    text[0] = _BULLET.sub("", text[0], count=1) or text[0]
    # kramdown's escapes only when an entry is rendered.
    from studylog.markdown.kramdown import layout_value

    return _marked("- ", layout_value(text, dialect))


@dataclass(frozen=True)
class TextEdit:
    """The result of adding an entry to a post's text, before it is written."""

    text: str
    offset: int
    inserted: str
    section: str
    number: int
    created: tuple[str, ...]
    last_modified_skipped: str | None = None


def add_to_text(
    post: PostText,
    section: str,
    sections: Mapping[str, SectionSpec],
    render: Callable[[int], list[str]],
    today: dt.date | None = None,
    render_qa: Callable[[QaStyle], list[str]] | None = None,
    kramdown: bool = True,
) -> TextEdit:
    """Add an entry to a post's text; nothing is read or written here.

    `render(n)` gives the entry's lines for list number `n` (the number
    after the last one in the section); `render_qa(style)` those of a
    question in a section whose last entry is a hand-written `Q.` block
    (without it, such a section gets `render`'s lines). `kramdown`: the site
    renders with kramdown, which shows every list from 1 (a question that
    can't continue the section's list then needs `{: start="N"}`; a
    CommonMark site would show that line). The post's front matter must be
    valid YAML; with `today`, `last_modified_at` is set to it when that
    can be done safely (see `studylog.last_modified`).

    Raises:
        SectionNotFoundError: `section` is neither a key nor a heading of the post.
        EntryPlacementError: the entry can't go in without changing other Markdown.
    """
    # The Markdown modules only when an entry is placed.
    from studylog.last_modified import set_last_modified_in_head
    from studylog.markdown.document import parse_document
    from studylog.markdown.placement import (
        as_bullet,
        build_insertion,
        check_insertion,
        plan_insert,
        resolve_target,
    )
    from studylog.post import parse_front_matter  # PyYAML behind it: only when placing

    # Parsed again (~0.1 ms): the mapping is what the new front matter must equal.
    mapping = parse_front_matter(post)
    body = post.body
    doc = parse_document(body)
    target = resolve_target(doc, section, sections, post.path.name)
    point = plan_insert(doc, target, sections)
    if not kramdown:
        point = replace(point, restart=False)
    blocks = point.qa is not None and render_qa is not None
    if point.qa is not None and render_qa is not None:
        entry = render_qa(point.qa)
    else:
        entry = render(point.number)
    if point.bullet:
        entry = as_bullet(entry)
    at_line_start = post.body_start == 0 or post.text[post.body_start - 1] in "\r\n"
    insertion = build_insertion(doc, point, entry, post.newline, at_line_start)
    new_body = body[: insertion.offset] + insertion.text + body[insertion.offset :]
    parsed_body = new_body
    if not at_line_start:
        # The first newline ends the front matter's closing fence, not a body line.
        parsed_body = new_body[2:] if new_body.startswith("\r\n") else new_body[1:]
    body_line = post.text[: post.body_start].count("\n") + 1
    check_insertion(
        doc, parse_document(parsed_body), insertion, post.path.name, body_line, blocks=blocks
    )
    head, skipped = post.text[: post.body_start], None
    if today is not None:
        head, skipped = set_last_modified_in_head(post, mapping, today)
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
        last_modified_skipped=skipped,
    )


def append_entry(
    log: Log,
    post: PostRef | Path,
    section: str,
    render: Callable[[int], list[str]],
    kind: str,
    text: PostText | None = None,
    render_qa: Callable[[QaStyle], list[str]] | None = None,
    kramdown: bool = True,
) -> AppendResult:
    """Add an entry to `section` of a post on disk, under the lock, atomically.

    `text` is the post already read by `post.read_post_for_edit` (the CLI
    reads and checks it before asking for the entry); without it, the post
    is read here. `render_qa` writes the entry as a `Q.` block, and `kramdown`
    says the site renders with kramdown (see `add_to_text`).

    Raises:
        PathOutsideLogError: the post resolves outside the posts folder.
        PostReadError, PostWriteError, FrontMatterError, PostConflictError,
        SectionNotFoundError, EntryPlacementError, OperationInProgressError: the post is left
        byte for byte as it was.
    """
    # post's write path only when an entry is written.
    from studylog.post import edit_post, read_post_for_edit

    path = post if isinstance(post, Path) else post.path
    log.check_inside_posts(path)
    # Render once before reading, so a bad value fails before any I/O.
    render(1)
    if text is None:
        text = read_post_for_edit(path)
    today = log.today()
    sections = log.settings.sections
    done = edit_post(
        text,
        lambda read: add_to_text(read, section, sections, render, today, render_qa, kramdown),
        root=log.root,
        action="add the entry",
    )
    return AppendResult(
        path=path,
        kind=kind,
        section=done.section,
        number=done.number if kind == "question" else None,
        created=done.created,
        offset=done.offset,
        inserted=done.inserted,
        last_modified_skipped=done.last_modified_skipped,
    )


def site_dialect(log: Log) -> Dialect:
    """How entries are written for this log's site: its renderer, and the `liquid` setting.

    Raises:
        ConfigError: the site's `_config.yml` is not valid YAML.
    """
    site = read_site(log.root, log.settings.posts_dir)
    return Dialect(site.renderer, protect_liquid=log.settings.liquid != "keep")


def append_question(
    log: Log, post: PostRef | Path, question: Question, text: PostText | None = None
) -> AppendResult:
    """Add a numbered question to the post's questions section (created if missing)."""
    formats = log.settings.entry_formats
    dialect = site_dialect(log)
    return append_entry(
        log,
        post,
        "questions",
        lambda n: render_question(question, n, formats, dialect),
        "question",
        text,
        lambda style: render_qa_question(question, style, formats, dialect),
        dialect.renderer != COMMONMARK,
    )


def append_review(
    log: Log, post: PostRef | Path, review: Review, text: PostText | None = None
) -> AppendResult:
    """Add a homework review to the post's reviews section (created if missing)."""
    formats = log.settings.entry_formats
    dialect = site_dialect(log)
    return append_entry(
        log,
        post,
        "reviews",
        lambda n: render_review(review, formats, dialect),
        "review",
        text,
        kramdown=dialect.renderer != COMMONMARK,
    )


def append_note(
    log: Log, post: PostRef | Path, section: str, note: Note, text: PostText | None = None
) -> AppendResult:
    """Add free text as a list item to a section named by key or heading text."""
    dialect = site_dialect(log)
    return append_entry(
        log,
        post,
        section,
        lambda n: render_note(note, dialect),
        "note",
        text,
        kramdown=dialect.renderer != COMMONMARK,
    )
