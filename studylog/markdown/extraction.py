"""Reading entries back out of a post: its sections, questions and reviews.

The read side has to be fast over thousands of posts (`list` over 10,000
posts has a budget of twice `grep -rl`), so nothing here imports
markdown-it: headings are found by `headings.find_headings` (one regular
expression that skips code fences), and entries are read from the lines
of the question and review sections only.

Entries are read in the formats studylog writes (`config.PROFILE_FORMATS`
or the log's own `formats`) and in the hand-written styles of real logs:
numbered `N. 이름님 질문 : …` items with an indented `답변 : …`, bullets
whose answers start with `→`, and `Q.`/`A.` paragraphs. What can't be read
as an entry stays in its section's text, which `search` still searches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from studylog.config import Settings
from studylog.markdown.headings import QUESTIONS, REVIEWS, find_headings, matcher_for
from studylog.markdown.items import (
    ANSWER_MARK,
    FormatPatterns,
    Item,
    end_line,
    format_patterns,
    is_qa_section,
    list_items,
    numbered_lines,
    qa_items,
    split_body,
    trim_blank_edges,
    unindent_loosely,
    unwrap,
)
from studylog.markdown.kramdown import read_inline, read_value
from studylog.markdown.model import QuestionEntry as QuestionEntry
from studylog.markdown.model import ReviewEntry as ReviewEntry
from studylog.markdown.model import Section as Section
from studylog.post import split_front_matter


@dataclass(frozen=True)
class EntryCounts:
    """How many questions and reviews a post holds."""

    questions: int
    reviews: int


@dataclass(frozen=True)
class PostEntries:
    """Everything the reader got out of one post's body."""

    sections: tuple[Section, ...]
    questions: tuple[QuestionEntry, ...]
    reviews: tuple[ReviewEntry, ...]

    @property
    def counts(self) -> EntryCounts:
        """The number of questions and reviews."""
        return EntryCounts(len(self.questions), len(self.reviews))


# --- sections ---------------------------------------------------------------


def split_sections(
    body: str, settings: Settings, line_offset: int = 0, only_lines: set[int] | None = None
) -> list[Section]:
    """Cut a post body into sections at every heading.

    `line_offset` is the number of lines before `body` in the file, so that
    section lines are file lines. The text before the first heading is a
    section with an empty heading (kept only when it holds something).
    With `only_lines` (file lines), only the sections holding one of those
    lines (heading included) are returned; `search` uses it to skip the rest.
    """
    matcher = matcher_for(settings.sections)
    headings = find_headings(body)
    sections: list[Section] = []
    first = headings[0].start if headings else len(body)

    def wanted(start_line: int, end_line: int) -> bool:
        return only_lines is None or any(start_line <= n <= end_line for n in only_lines)

    first_heading_line = headings[0].line + 1 + line_offset if headings else 1 << 62
    if body[:first].strip() and wanted(line_offset + 1, first_heading_line - 1):
        sections.append(Section(None, "", 0, 0, body[:first]))
    for index, heading in enumerate(headings):
        following = headings[index + 1] if index + 1 < len(headings) else None
        # Heading lines count from 0 in the body; section lines are file lines.
        line = heading.line + 1 + line_offset
        last = following.line + line_offset if following else 1 << 62
        if not wanted(line, last):
            continue
        end = following.start if following else len(body)
        start = heading.end + 1 if heading.end < len(body) else heading.end
        sections.append(
            Section(
                matcher.key_for(heading.text), heading.text, heading.level, line, body[start:end]
            )
        )
    return sections


# --- entries ------------------------------------------------------------------

_ASKER_QUESTION = re.compile(
    r"^(?P<asker>[^\s:：()]{1,20}?)[ \t]*님[ \t]*(?:의[ \t]*)?질문"
    r"(?:[ \t]*[:：])?[ \t]*(?P<question>.*)$"
)
_ASKER_ONLY = re.compile(
    r"^(?P<asker>[^\s:：()]{1,20}?)[ \t]*님(?:[ \t]*[:：][ \t]*|[ \t]*$)(?P<question>.*)$"
)
_QUESTION_FROM = re.compile(
    r"^question[ \t]+from[ \t]+(?P<asker>[^:：]+?)[ \t]*[:：][ \t]*(?P<question>.*)$", re.IGNORECASE
)
_BARE_QUESTION = re.compile(
    r"^(?:질문|question|q)[ \t]*[:：][ \t]*(?P<question>.*)$", re.IGNORECASE
)
_REVIEW_PAREN = re.compile(
    r"^(?P<assignment>.+?)[ \t]*\((?:(?P<topic>[^()]*?)[ \t]*,[ \t]*)?"
    r"(?:발표자|발표|presenter|presented by)[ \t]*[:：]?[ \t]*"
    r"(?P<presenter>[^()]+?)[ \t]*\)[ \t]*$",
    re.IGNORECASE,
)
_REVIEW_COLON = re.compile(r"^(?P<assignment>[^:：]+?)[ \t]*[:：][ \t]*(?P<topic>.+)$")


def _question_from_item(
    item: Item, position: int, formats: FormatPatterns, section: Section
) -> QuestionEntry:
    head = unwrap(item.head)
    number = item.number if item.number is not None else position
    asker: str | None = None
    question = head
    full = f"{item.number}. {head}" if item.number is not None else head
    written = formats.question.match(full) if formats.question is not None else None
    if written is not None and written.groupdict().get("asker"):
        asker = written["asker"].strip()
        question = (written.groupdict().get("question") or "").strip()
    else:
        for pattern in (_ASKER_QUESTION, _QUESTION_FROM, _ASKER_ONLY):
            found = pattern.match(head)
            if found:
                asker = found["asker"].strip()
                question = found["question"].strip()
                break
        else:
            bare = _BARE_QUESTION.match(head)
            if bare:
                question = bare["question"].strip()
    head_extra, answers = split_body(item.body, formats.answers, item.column)
    return QuestionEntry(
        number,
        read_inline(asker) if asker is not None else None,
        _typed([question, *_colon_lines(head_extra)] if question else _colon_lines(head_extra)),
        tuple(_typed(answer) for answer in answers),
        item.line,
        section.heading,
        end_line(item),
        item.number is not None,
    )


def _typed(lines: list[str]) -> str:
    """A value's lines as the person typed them (the writer's escapes removed)."""
    return "\n".join(read_value(lines))


def _colon_lines(lines: list[str]) -> list[str]:
    # Hand-written posts continue a question with `: …` lines (the colon is
    # layout, not text); studylog itself writes a typed leading colon as `\:`.
    return [line.lstrip()[1:].strip() if line.lstrip()[:1] in ":：" else line for line in lines]


def _qa_question(
    item: Item, position: int, formats: FormatPatterns, section: Section
) -> QuestionEntry:
    question_lines = [item.head] if item.head else []
    answers: list[list[str]] = []
    for _, line in item.body:
        if line.startswith(ANSWER_MARK):
            text = line[len(ANSWER_MARK) :].strip()
            answers.append([text] if text else [])
        elif answers:
            answers[-1].append(line)
        else:
            question_lines.append(line)
    number = item.number if item.number is not None else position
    asker: str | None = None
    if question_lines and formats.question is not None:
        # A `Q.` block add-question wrote holds the log's question format, unnumbered.
        written = formats.question.match(f"{number}. {question_lines[0]}")
        if written is not None and written.groupdict().get("asker"):
            asker = read_inline(written["asker"].strip())
            question_lines[0] = (written.groupdict().get("question") or "").strip()
    # Lines keep their indentation (code in an answer) and the blank lines between them.
    texts = tuple(
        _typed(trim_blank_edges(unindent_loosely(a))) for a in answers if any(x.strip() for x in a)
    )
    return QuestionEntry(
        number,
        asker,
        _typed(trim_blank_edges(unindent_loosely(question_lines))),
        texts,
        item.line,
        section.heading,
        end_line(item),
        item.number is not None,
    )


def _review_from_item(
    item: Item, position: int, formats: FormatPatterns, section: Section
) -> ReviewEntry:
    head = unwrap(item.head)
    number = item.number if item.number is not None else position
    assignment, topic, presenter = head, None, None
    full = f"- {head}"
    for pattern in (formats.review, formats.review_no_topic):
        written = pattern.match(full) if pattern is not None else None
        if written is not None:
            groups = written.groupdict()
            assignment = groups["assignment"].strip()
            topic = (groups.get("topic") or "").strip() or None
            presenter = (groups.get("presenter") or "").strip() or None
            break
    else:
        paren = _REVIEW_PAREN.match(head)
        if paren:
            assignment = paren["assignment"].strip()
            topic = (paren["topic"] or "").strip() or None
            presenter = paren["presenter"].strip()
    if topic is None:
        # `선택과제 2 : Backpropagation (발표자 : …)`: the topic follows a colon.
        colon = _REVIEW_COLON.match(assignment)
        if colon:
            assignment, topic = colon["assignment"].strip(), colon["topic"].strip()
    head_extra, feedback = split_body(item.body, formats.answers, item.column)
    if head_extra:
        # Plain paragraphs under a review are its feedback too.
        feedback = [_colon_lines(head_extra), *feedback]
    return ReviewEntry(
        number,
        read_inline(assignment),
        read_inline(topic) if topic is not None else None,
        read_inline(presenter) if presenter is not None else None,
        tuple(_typed(lines) for lines in feedback),
        item.line,
        section.heading,
        end_line(item),
        item.number is not None,
    )


def _section_items(section: Section, settings: Settings) -> tuple[list[Item], bool]:
    """The items of an entry section, and whether they are Q./A. blocks."""
    formats = format_patterns(settings.entry_formats)
    lines = numbered_lines(section.text, section.line + 1)
    if section.key == QUESTIONS and is_qa_section(lines):
        return qa_items(lines, formats.question), True
    return list_items(lines, formats.answers), False


def _touches(item: Item, lines: set[int] | None) -> bool:
    if lines is None:
        return True
    end = end_line(item)
    return any(item.line <= line <= end for line in lines)


def questions_in(
    section: Section, settings: Settings, lines: set[int] | None = None
) -> list[QuestionEntry]:
    """The questions written in one section's text.

    With `lines`, only the questions that span one of those file lines are
    built (what `search` needs after finding the lines that match).
    """
    formats = format_patterns(settings.entry_formats)
    items, qa = _section_items(section, settings)
    if qa:
        return [
            _question_from_item(item, i, formats, section)
            if item.written
            else _qa_question(item, i, formats, section)
            for i, item in enumerate(items, 1)
            if _touches(item, lines)
        ]
    return [
        _question_from_item(item, i, formats, section)
        for i, item in enumerate(items, 1)
        if _touches(item, lines)
    ]


def reviews_in(
    section: Section, settings: Settings, lines: set[int] | None = None
) -> list[ReviewEntry]:
    """The homework reviews written in one section's text (see `questions_in`)."""
    formats = format_patterns(settings.entry_formats)
    items, _ = _section_items(section, settings)
    return [
        _review_from_item(item, i, formats, section)
        for i, item in enumerate(items, 1)
        if _touches(item, lines)
    ]


def _body_and_offset(text: str) -> tuple[str, int]:
    """The body in NFC (so decomposed Hangul reads like composed) and its first line's offset."""
    _, body_start = split_front_matter(text)
    body = text[body_start:]
    if not unicodedata.is_normalized("NFC", body):
        body = unicodedata.normalize("NFC", body)
    return body, text.count("\n", 0, body_start)


def read_entries(text: str, settings: Settings) -> PostEntries:
    """Sections, questions and reviews of a post's full text (front matter included)."""
    body, offset = _body_and_offset(text)
    sections = split_sections(body, settings, offset)
    questions: list[QuestionEntry] = []
    reviews: list[ReviewEntry] = []
    for section in sections:
        if section.key == QUESTIONS:
            questions.extend(questions_in(section, settings))
        elif section.key == REVIEWS:
            reviews.extend(reviews_in(section, settings))
    return PostEntries(tuple(sections), tuple(questions), tuple(reviews))


def count_entries(text: str, settings: Settings) -> EntryCounts:
    """Count the questions in the question sections and the reviews in the review sections.

    `text` is a post's full text. Only the entry sections are parsed, so
    this stays cheap enough to run on every post for `studylog list`.
    """
    body, offset = _body_and_offset(text)
    matcher = matcher_for(settings.sections)
    headings = find_headings(body)
    questions = reviews = 0
    for index, heading in enumerate(headings):
        key = matcher.key_for(heading.text)
        if key not in (QUESTIONS, REVIEWS):
            continue
        end = headings[index + 1].start if index + 1 < len(headings) else len(body)
        section = Section(
            key, heading.text, heading.level, heading.line + 1 + offset, body[heading.end + 1 : end]
        )
        # Every item becomes one entry, so counting items is enough.
        items, _ = _section_items(section, settings)
        if key == QUESTIONS:
            questions += len(items)
        else:
            reviews += len(items)
    return EntryCounts(questions, reviews)
