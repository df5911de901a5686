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
from dataclasses import dataclass, field

from studylog.config import EntryFormats, Settings
from studylog.headings import QUESTIONS, REVIEWS, find_headings, matcher_for
from studylog.post import split_front_matter


@dataclass(frozen=True)
class EntryCounts:
    """How many questions and reviews a post holds."""

    questions: int
    reviews: int


@dataclass(frozen=True)
class Section:
    """The text between one heading and the next (of any level).

    `key` is the configured section key the heading matches (`questions`,
    `retrospective`, …) or None; `text` is the section's own text without
    its heading line; `line` is the heading's line in the file (0 for the
    text before the first heading).
    """

    key: str | None
    heading: str
    level: int
    line: int
    text: str


@dataclass(frozen=True)
class QuestionEntry:
    """One question read from a question section.

    `number` is the number the author wrote (`3.`), else its position in
    the section; `asker` is None when the post does not say who asked;
    `line` is the 1-based line of the question in the file.
    """

    number: int
    asker: str | None
    question: str
    answers: tuple[str, ...]
    line: int
    section: str = ""
    end_line: int = 0
    numbered: bool = False


@dataclass(frozen=True)
class ReviewEntry:
    """One homework review read from a review section."""

    number: int
    assignment: str
    topic: str | None
    presenter: str | None
    feedback: tuple[str, ...]
    line: int
    section: str = ""
    end_line: int = 0
    numbered: bool = False


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

    first_heading_line = headings[0].line + line_offset if headings else 1 << 62
    if body[:first].strip() and wanted(line_offset + 1, first_heading_line - 1):
        sections.append(Section(None, "", 0, 0, body[:first]))
    for index, heading in enumerate(headings):
        following = headings[index + 1] if index + 1 < len(headings) else None
        line = heading.line + line_offset
        last = following.line + line_offset - 1 if following else 1 << 62
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

_LIST_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,4}[.)])(?:[ \t]+|$)(?P<rest>.*)$"
)
_SEPARATOR = re.compile(
    r"^[ \t]*(?:(?:<(?:br|hr)[ \t]*/?>[ \t]*)+|-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$", re.IGNORECASE
)
_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_QA_QUESTION = re.compile(
    r"^(?:[-*+][ \t]+|\d{1,4}[.)][ \t]+)?(?:\*\*)?Q\d*[ \t]*[.:)：](?P<rest>.*)$"
)
_QA_ANSWER = re.compile(r"^(?:[-*+][ \t]+)?(?:\*\*)?A\d*[ \t]*[.:)：](?P<rest>.*)$")
_ARROW = re.compile(r"^(?:→|->|=>|⇒|➡️?|➜)[ \t]*(?P<rest>.*)$")
_GENERIC_ANSWER = re.compile(
    r"^(?:\*\*)?(?:답변|답|대답|answer|a)(?:\*\*)?[ \t]*[:：](?:\*\*)?[ \t]*(?P<rest>.*)$",
    re.IGNORECASE,
)
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


# Marks a line of a Q./A. block as the start of an answer (never typed by anyone).
_ANSWER_MARK = "\x00A"


@dataclass
class _Item:
    """A top-level list item (or Q./A. block) with its following lines."""

    line: int
    number: int | None
    head: str
    body: list[tuple[int, str]] = field(default_factory=list)
    answered: bool = False
    # A numbered item in the log's own question format inside a Q./A.
    # section (what `add-question` writes there): read as a list item.
    written: bool = False


def _expand(line: str) -> str:
    """Tabs in the indentation become spaces (for list levels); tabs in the text stay."""
    if "\t" not in line:
        return line
    text = line.lstrip(" \t")
    return line[: len(line) - len(text)].expandtabs(4) + text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _unwrap(text: str) -> str:
    text = text.strip()
    if len(text) > 4 and text.startswith("**") and text.endswith("**"):
        text = text[2:-2].strip()
    elif text.startswith("**") and text.count("**") == 1:
        text = text[2:].strip()
    elif text.endswith("**") and text.count("**") == 1:
        text = text[:-2].strip()
    return text


def _format_regex(template: str, fields: dict[str, str]) -> re.Pattern[str] | None:
    """A regex that reads back a line written from an entry format."""
    parts = re.split(r"(\{\w+\})", template.strip())
    pattern = ""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if name not in fields:
                return None
            pattern += fields[name]
        else:
            # Spaces the author may have typed differently around ':'.
            for chunk in re.split(r"(\s+)", part):
                if not chunk:
                    continue
                pattern += r"[ \t]*" if chunk.isspace() else re.escape(chunk).replace(":", "[:：]")
    try:
        return re.compile("^" + pattern + "$", re.IGNORECASE)
    except re.error:
        return None


@dataclass(frozen=True)
class _Formats:
    question: re.Pattern[str] | None
    answer: re.Pattern[str] | None
    review: re.Pattern[str] | None
    review_no_topic: re.Pattern[str] | None
    feedback: re.Pattern[str] | None
    answers: AnswerMatcher


_FORMAT_CACHE: dict[EntryFormats, _Formats] = {}


def _answer_starts(formats: EntryFormats) -> AnswerMatcher:
    patterns = []
    first: str | None = _ANSWER_FIRST
    for template, name in ((formats.answer, "answer"), (formats.feedback, "feedback")):
        pattern = _format_regex(template, {name: r"(?P<rest>.*?)"})
        if pattern is None:
            continue
        patterns.append(pattern)
        lead = template.strip()[:1]
        if first is not None:
            first = None if lead in ("", "{") else first + lead + lead.upper() + lead.lower()
    return AnswerMatcher(tuple(patterns), first)


def _formats(formats: EntryFormats) -> _Formats:
    cached = _FORMAT_CACHE.get(formats)
    if cached is None:
        text = r"(?P<{0}>.+?)"
        cached = _Formats(
            question=_format_regex(
                formats.question,
                {
                    "n": r"(?P<n>\d+)[.)]?",
                    "asker": text.format("asker"),
                    "question": r"(?P<question>.*?)",
                },
            ),
            answer=_format_regex(formats.answer, {"answer": r"(?P<rest>.*?)"}),
            review=_format_regex(
                formats.review,
                {
                    "assignment": text.format("assignment"),
                    "topic": text.format("topic"),
                    "presenter": text.format("presenter"),
                },
            ),
            review_no_topic=_format_regex(
                formats.review_no_topic,
                {"assignment": text.format("assignment"), "presenter": text.format("presenter")},
            ),
            feedback=_format_regex(formats.feedback, {"feedback": r"(?P<rest>.*?)"}),
            answers=_answer_starts(formats),
        )
        _FORMAT_CACHE[formats] = cached
    return cached


def _numbered_lines(text: str, first_line: int) -> list[tuple[int, str]]:
    return [(first_line + i, _expand(line.rstrip("\r"))) for i, line in enumerate(text.split("\n"))]


def _is_qa_section(lines: list[tuple[int, str]]) -> bool:
    questions = answers = 0
    for _, line in lines:
        stripped = line.strip()
        head = stripped[:10]
        # Only a line with a Q or A near its start can be one.
        if "Q" in head and _QA_QUESTION.match(stripped):
            questions += 1
        elif "A" in head and _QA_ANSWER.match(stripped):
            answers += 1
    return questions > 0 and answers > 0


def _qa_items(lines: list[tuple[int, str]], written: re.Pattern[str] | None) -> list[_Item]:
    """Items of a section written as `Q. …` / `A. …` paragraphs.

    A numbered question at the margin in the `written` format (the log's
    own, as `add-question` appends it) is an item of its own.
    """
    items: list[_Item] = []
    current: _Item | None = None
    fence: str | None = None
    for number, line in lines:
        stripped = line.strip()
        if fence is not None:
            if current is not None:
                current.body.append((number, line))
            if stripped.startswith(fence):
                fence = None
            continue
        opening = _FENCE_LINE.match(line)
        if opening:
            fence = opening[1]
            if current is not None:
                current.body.append((number, line))
            continue
        if _SEPARATOR.match(line):
            current = None
            continue
        if written is not None and line[:1].isdigit() and written.match(stripped):
            item = _LIST_ITEM.match(line)
            if item is not None:
                marker = item["marker"]
                current = _Item(number, int(marker[:-1]), item["rest"], written=True)
                items.append(current)
                continue
        question = _QA_QUESTION.match(stripped)
        if question:
            head = re.match(r"^(\d{1,4})[.)]", stripped)
            current = _Item(number, int(head[1]) if head else None, _unwrap(question["rest"]))
            items.append(current)
            continue
        if current is not None:
            answer = _QA_ANSWER.match(stripped)
            if answer:
                current.body.append((number, _ANSWER_MARK + answer["rest"].strip()))
            else:
                current.body.append((number, line))
    return items


def _list_items(lines: list[tuple[int, str]], answer_starts: AnswerMatcher) -> list[_Item]:
    """The top-level list items of a section, each with its continuation lines.

    A top-level item ends at the next top-level item, at a separator
    (`<br>`, `---`, `<hr>`), at a top-level code fence, or at unindented
    text after a blank line (unless that text starts an answer, as
    hand-written posts often put `→ answer` at the margin).
    """
    items: list[_Item] = []
    current: _Item | None = None
    base: int | None = None
    fence: str | None = None
    blank_before = False
    for number, line in lines:
        stripped = line.strip()
        if fence is not None:
            if current is not None:
                current.body.append((number, line))
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if not stripped:
            blank_before = True
            if current is not None:
                current.body.append((number, ""))
            continue
        indent = _indent(line)
        lead = stripped[0]
        opening = _FENCE_LINE.match(line) if lead in "`~" else None
        if opening:
            if current is not None and base is not None and indent > base:
                current.body.append((number, line))
                fence = opening[1]
            else:
                current = None
                fence = opening[1]
            blank_before = False
            continue
        if lead in "<-*_=" and _SEPARATOR.match(line):
            current = None
            blank_before = False
            continue
        item = _LIST_ITEM.match(line) if lead in "-*+" or lead.isdigit() else None
        if item and (base is None or indent <= base + 1):
            if base is None:
                base = indent
            marker = item["marker"]
            current = _Item(number, int(marker[:-1]) if marker[0].isdigit() else None, item["rest"])
            items.append(current)
        elif current is not None:
            starts_answer = not current.answered and answer_starts.match(stripped) is not None
            if base is not None and (
                indent > base
                or not blank_before
                or starts_answer
                or current.answered
                or current.head == ""
            ):
                current.body.append((number, line))
                current.answered = current.answered or starts_answer
            else:
                current = None
        blank_before = False
    return items


# The characters a built-in answer marker can start with (`→`, `->`, `=>`,
# `답변 :`, `A.`, `**A.`): lines starting otherwise skip the regexes.
_ANSWER_FIRST = "→-=⇒➡➜*답대aA"


@dataclass(frozen=True)
class AnswerMatcher:
    """Recognises the line that starts an answer (or a review's feedback).

    `first` holds every character such a line can start with, or is None
    when a configured format starts with a field (then every line is tried).
    """

    configured: tuple[re.Pattern[str], ...]
    first: str | None = _ANSWER_FIRST

    def match(self, stripped: str) -> str | None:
        """The answer text after the marker, or None if the line starts no answer."""
        if self.first is not None and stripped[:1] not in self.first:
            return None
        for pattern in self.configured:
            found = pattern.match(stripped)
            if found:
                return found["rest"].strip()
        for pattern in (_ARROW, _GENERIC_ANSWER):
            found = pattern.match(stripped)
            if found:
                return found["rest"].strip()
        return None


def _split_body(body: list[tuple[int, str]], answers: AnswerMatcher) -> tuple[list[str], list[str]]:
    """Split an item's continuation lines into (head continuation, answers).

    With answer markers (`답변 :`, `→`, `A.`), text before the first marker
    continues the head and each marker starts an answer; an answer marker
    with nothing after it takes the list items below it as one answer each
    (several answers written as numbered sub-points). Without markers, the
    first level of nested list items are the answers.
    """
    lines = [(n, line) for n, line in body if line.strip()]
    if not lines:
        return [], []
    has_marker = any(answers.match(line.strip()) is not None for _, line in lines)
    head_extra: list[str] = []
    found: list[list[str]] = []
    current: list[str] | None = None
    if has_marker:
        sub_indent: int | None = None
        for _, line in lines:
            stripped = line.strip()
            text = answers.match(stripped)
            if text is not None:
                current = [text] if text else []
                found.append(current)
                sub_indent = None
                continue
            if current is None:
                head_extra.append(
                    stripped[1:].strip() if stripped.startswith((":", "：")) else stripped
                )
                continue
            item = _LIST_ITEM.match(line)
            if item and (sub_indent is None or _indent(line) <= sub_indent):
                if sub_indent is None and current:
                    # A list under an answer that already has text: part of it.
                    current.append(stripped)
                    continue
                sub_indent = _indent(line)
                if current:
                    current = [item["rest"].strip()]
                    found.append(current)
                else:
                    current.append(item["rest"].strip())
                continue
            current.append(stripped)
    else:
        level = min((_indent(line) for _, line in lines if _LIST_ITEM.match(line)), default=None)
        for _, line in lines:
            stripped = line.strip()
            item = _LIST_ITEM.match(line)
            if item and level is not None and _indent(line) == level:
                current = [item["rest"].strip()]
                found.append(current)
            elif current is None:
                head_extra.append(
                    stripped[1:].strip() if stripped.startswith((":", "：")) else stripped
                )
            else:
                current.append(stripped)
    return head_extra, [
        "\n".join(part for part in answer if part) for answer in found if any(answer)
    ]


def _end_line(item: _Item) -> int:
    """The last non-blank line of an item."""
    for number, line in reversed(item.body):
        if line.strip():
            return number
    return item.line


def _strip_colon(text: str) -> str:
    # `- 이름님 질문` with the question on the next line after a colon.
    return text[1:].strip() if text.startswith((":", "：")) else text


def _answer_matcher(formats: _Formats) -> AnswerMatcher:
    return formats.answers


def _question_from_item(
    item: _Item, position: int, formats: _Formats, section: Section
) -> QuestionEntry:
    head = _unwrap(item.head)
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
    head_extra, answers = _split_body(item.body, _answer_matcher(formats))
    text = "\n".join(part for part in (question, *head_extra) if part)
    return QuestionEntry(
        number,
        asker,
        text,
        tuple(answers),
        item.line,
        section.heading,
        _end_line(item),
        item.number is not None,
    )


def _qa_question(item: _Item, position: int, section: Section) -> QuestionEntry:
    question_lines = [item.head] if item.head else []
    answers: list[list[str]] = []
    for _, line in item.body:
        stripped = line.strip()
        if not stripped:
            continue
        if line.startswith(_ANSWER_MARK):
            text = line[len(_ANSWER_MARK) :].strip()
            answers.append([text] if text else [])
        elif answers:
            answers[-1].append(stripped)
        else:
            question_lines.append(stripped)
    number = item.number if item.number is not None else position
    texts = tuple("\n".join(p for p in answer if p) for answer in answers if any(answer))
    return QuestionEntry(
        number,
        None,
        "\n".join(question_lines),
        texts,
        item.line,
        section.heading,
        _end_line(item),
        item.number is not None,
    )


def _review_from_item(
    item: _Item, position: int, formats: _Formats, section: Section
) -> ReviewEntry:
    head = _unwrap(item.head)
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
    head_extra, feedback = _split_body(item.body, _answer_matcher(formats))
    if head_extra:
        # Plain paragraphs under a review are its feedback too.
        feedback = ["\n".join(head_extra), *feedback]
    return ReviewEntry(
        number,
        assignment,
        topic,
        presenter,
        tuple(feedback),
        item.line,
        section.heading,
        _end_line(item),
        item.number is not None,
    )


def _section_items(section: Section, settings: Settings) -> tuple[list[_Item], bool]:
    """The items of an entry section, and whether they are Q./A. blocks."""
    formats = _formats(settings.entry_formats)
    lines = _numbered_lines(section.text, section.line + 1)
    if section.key == QUESTIONS and _is_qa_section(lines):
        return _qa_items(lines, formats.question), True
    return _list_items(lines, _answer_matcher(formats)), False


def _touches(item: _Item, lines: set[int] | None) -> bool:
    if lines is None:
        return True
    end = _end_line(item)
    return any(item.line <= line <= end for line in lines)


def questions_in(
    section: Section, settings: Settings, lines: set[int] | None = None
) -> list[QuestionEntry]:
    """The questions written in one section's text.

    With `lines`, only the questions that span one of those file lines are
    built (what `search` needs after finding the lines that match).
    """
    formats = _formats(settings.entry_formats)
    items, qa = _section_items(section, settings)
    if qa:
        return [
            _question_from_item(item, i, formats, section)
            if item.written
            else _qa_question(item, i, section)
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
    formats = _formats(settings.entry_formats)
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
            key, heading.text, heading.level, heading.line + offset, body[heading.end + 1 : end]
        )
        # Every item becomes one entry, so counting items is enough.
        items, _ = _section_items(section, settings)
        if key == QUESTIONS:
            questions += len(items)
        else:
            reviews += len(items)
    return EntryCounts(questions, reviews)
