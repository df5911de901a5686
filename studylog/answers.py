"""Answering a question later: one more answer inside an existing question's item.

A question asked in Tuesday's peer session is often answered on Thursday.
`append_answer` finds question N of a post and adds the answer after the
answers it already has, inside the same list item, written by the same
entry writer as `add-question` (`studylog.entries.render_answer`). Given on
a later day than the post's, the answer says which day it came, for
example `(Day 6)`. As with every append, only the inserted lines (and
`last_modified_at`) change, and the write goes through
`studylog.post.edit_post`: locked, atomic, on the post as it is now. A
question written as a hand-written `Q.` block gets one more `A.` paragraph
below the block, with the section's answer marker.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.errors import EntryInvalidError, EntryPlacementError, QuestionNotFoundError

if TYPE_CHECKING:
    from studylog.config import Settings
    from studylog.log import Log, PostRef
    from studylog.markdown.document import Document
    from studylog.markdown.extraction import QuestionEntry
    from studylog.markdown.kramdown import Dialect
    from studylog.post import PostText


@dataclass(frozen=True)
class AnswerResult:
    """What `append_answer` did: which question, the day label, and the inserted text.

    `offset` is where in the file's text (BOM excluded) `inserted` went;
    `last_modified_skipped` why `last_modified_at` was left as it was
    (`studylog.last_modified`), None when it was set or the post has none.
    """

    path: Path
    number: int
    label: str | None
    offset: int
    inserted: str
    last_modified_skipped: str | None = None


@dataclass(frozen=True)
class AnswerEdit:
    """A post's text with the answer added, before it is written."""

    text: str
    offset: int
    inserted: str
    last_modified_skipped: str | None = None


def answer_label(log: Log, post_date: dt.date, today: dt.date) -> str | None:
    """How an answer given `today` to a post of `post_date` names its day, or None.

    None on the post's own day. Later: `Day N` with N today's study day in
    the calendar, else the day number of today's post (`day6` gives
    `Day 6`), else today's date.
    """
    if today <= post_date:
        return None
    # The course calendar only when an answer is dated.
    from studylog.study import slug_day

    calendar = log.settings.calendar
    if calendar is not None and calendar.start is not None and calendar.is_study_day(today):
        return f"Day {calendar.day_number(today)}"
    prefix = f"{today.isoformat()}-"
    for _, name in log.post_files():
        if name.startswith(prefix):
            number = slug_day(name[len(prefix) :].rsplit(".", 1)[0])
            if number is not None:
                return f"Day {number}"
    return today.isoformat()


def add_answer_to_text(
    post: PostText,
    number: int,
    answers: list[str],
    settings: Settings,
    label: str | None = None,
    today: dt.date | None = None,
    dialect: Dialect | None = None,
) -> AnswerEdit:
    """Add `answers` to question `number` of a post's text; nothing is read or written here.

    Raises:
        EntryInvalidError: no answer, or an empty one.
        QuestionNotFoundError: no question `number`, or several.
        EntryPlacementError: the question is neither a list item nor a `Q.` block, or the answer
            can't go in without changing other Markdown.

    The caller has checked the front matter (`post.read_post_for_edit`).
    """
    # The Markdown modules only when an answer is placed.
    from studylog.entries import render_answer, render_qa_answer
    from studylog.last_modified import set_last_modified_in_head
    from studylog.markdown.document import parse_document
    from studylog.markdown.extraction import read_entries
    from studylog.markdown.items import is_qa_question, qa_style
    from studylog.markdown.placement import list_content_column
    from studylog.post import parse_front_matter

    if not answers:
        raise EntryInvalidError("Give the answer with --answer (or '-' to read stdin).")
    mapping = parse_front_matter(post)
    where = post.path.name
    found = [q for q in read_entries(post.text, settings).questions if q.number == number]
    if not found:
        raise QuestionNotFoundError(
            f"{where} has no question {number}; `studylog show` lists its questions."
        )
    if len(found) > 1:
        lines = ", ".join(str(q.line) for q in found)
        raise QuestionNotFoundError(
            f"{where} has {len(found)} questions numbered {number} (lines {lines}); "
            "renumber them (`studylog check` shows where) and try again."
        )
    question = found[0]
    body = post.body
    doc = parse_document(body)
    # Question lines are 1-based file lines; the document counts body lines from 0.
    before_body = post.text[: post.body_start].count("\n")
    first = question.line - 1 - before_body
    point = question.end_line - before_body
    question_line = doc.lines[first].rstrip("\r\n") if 0 <= first < len(doc.lines) else ""
    # A hand-written `Q.` block is answered with one more `A.` paragraph below it.
    style = None
    if list_content_column(question_line) == 0:
        own = [line.rstrip("\r\n") for line in doc.lines[first:point]]
        style = qa_style(own, 0) if own and is_qa_question(question_line) else None
        if style is None:
            raise EntryPlacementError(
                f"Question {number} in {where} is neither a list item nor a 'Q.' block; "
                "add the answer by hand."
            )
    new: list[str] = []
    # Written for the site's renderer like every entry (GFM and protected Liquid by default).
    extra = (dialect,) if dialect is not None else ()
    for text in answers:
        labelled = _dated(text, label) if label else text
        if style is not None:
            new += ["", *render_qa_answer(labelled, style, *extra)]
        else:
            new += ["", *render_answer(labelled, question_line, settings.entry_formats, *extra)]
    if not doc.is_blank(point):
        new.append("")
    previous = doc.lines[point - 1]
    ending = previous[len(previous.rstrip("\r\n")) :]
    eol = ending or post.newline
    if point >= len(doc.lines) and not ending:
        # The file ends without a final newline: keep it that way.
        inserted = eol + eol.join(new)
    else:
        inserted = "".join(line + eol for line in new)
    offset = sum(len(line) for line in doc.lines[:point])
    new_body = body[:offset] + inserted + body[offset:]
    after = parse_document(new_body)
    if style is None:
        _check_answer(doc, after, first, point + len(new), where, number)
    else:
        new_text = post.text[: post.body_start] + new_body
        _check_qa_answer(doc, after, point, len(new), where, number)
        _check_read_back(new_text, settings, question, len(answers), where)
    head, skipped = post.text[: post.body_start], None
    if today is not None:
        head, skipped = set_last_modified_in_head(post, mapping, today)
    return AnswerEdit(head + new_body, len(head) + offset, inserted, skipped)


def _check_answer(
    before: Document, after: Document, first: int, last: int, where: str, number: int
) -> None:
    """The answer must end up inside the question's item, and nothing else may change shape."""
    same_headings = [(h.level, h.text) for h in after.headings] == [
        (h.level, h.text) for h in before.headings
    ]
    same_blocks = [b.kind for b in after.blocks] == [b.kind for b in before.blocks]
    while last > first and after.is_blank(last - 1):
        last -= 1
    for token in after.tokens:
        if token.type != "list_item_open" or token.map is None or token.map[0] != first:
            continue
        end = token.map[1]
        while end > first + 1 and after.is_blank(end - 1):
            end -= 1
        if end >= last and same_headings and same_blocks:
            return
    raise EntryPlacementError(
        f"Can't add the answer to question {number} in {where} without changing its other "
        "Markdown; check for an unclosed code block or HTML comment, or add it by hand."
    )


# A value starting with a block: a fence, a list item or a quote.
_STARTS_BLOCK = re.compile(r"^(?:`{3,}|~{3,}|[-*+][ \t]|\d{1,9}[.)][ \t]|>)")


def _dated(text: str, label: str) -> str:
    """An answer given on a later day, with `(Day 6)` before it.

    The label starts the answer's text; before a block (code, a list, a
    quote) it is a paragraph of its own, since glued to it a fence would
    become inline code and leave an unclosed one behind.
    """
    text = text.lstrip()
    if _STARTS_BLOCK.match(text):
        return f"({label})\n\n{text}"
    return f"({label}) {text}"


def _check_qa_answer(
    before: Document, after: Document, point: int, count: int, where: str, number: int
) -> None:
    """The answer's paragraphs must be new blocks of their own, and nothing else may change."""
    kept = [b.kind for b in before.blocks]
    at = sum(1 for b in before.blocks if b.start < point)
    added = [b for b in after.blocks if point <= b.start < point + count]
    same = [(h.level, h.text) for h in after.headings] == [
        (h.level, h.text) for h in before.headings
    ]
    if (
        same
        and added
        and all(b.end <= point + count for b in added)
        and [b.kind for b in after.blocks] == [*kept[:at], *(b.kind for b in added), *kept[at:]]
    ):
        return
    raise EntryPlacementError(
        f"Can't add the answer to question {number} in {where} without changing its other "
        "Markdown; check for an unclosed code block or HTML comment, or add it by hand."
    )


def _check_read_back(
    text: str, settings: Settings, question: QuestionEntry, added: int, where: str
) -> None:
    """The question must read back with its answers and the new ones (the `A.` it now holds)."""
    from studylog.markdown.extraction import read_entries  # already loaded by the caller

    found = [q for q in read_entries(text, settings).questions if q.line == question.line]
    if len(found) != 1 or len(found[0].answers) != len(question.answers) + added:
        raise EntryPlacementError(
            f"Can't add the answer to question {question.number} in {where} so that it reads "
            "back as that question's; add it by hand."
        )


def append_answer(
    log: Log, post: PostRef, number: int, answers: list[str], text: PostText | None = None
) -> AnswerResult:
    """Add answers to question `number` of a post on disk, under the lock, atomically.

    `text` is the post already read by `post.read_post_for_edit`; without
    it, the post is read here.

    Raises:
        PathOutsideLogError: the post resolves outside the posts folder.
        EntryInvalidError, QuestionNotFoundError, EntryPlacementError,
        PostReadError, PostWriteError, FrontMatterError, PostConflictError,
        OperationInProgressError: the post is left byte for byte as it was.
    """
    # entries and post only when an answer is written.
    from studylog.entries import site_dialect, text_lines
    from studylog.post import edit_post, read_post_for_edit

    for answer in answers:
        text_lines(answer, "answer")  # an empty answer fails before any I/O
    log.check_inside_posts(post.path)
    if text is None:
        text = read_post_for_edit(post.path)
    today = log.today()
    label = answer_label(log, post.date, today)
    dialect = site_dialect(log)
    settings = log.settings
    done = edit_post(
        text,
        lambda read: add_answer_to_text(read, number, answers, settings, label, today, dialect),
        root=log.root,
        action="add the answer",
    )
    return AnswerResult(
        post.path, number, label, done.offset, done.inserted, done.last_modified_skipped
    )
