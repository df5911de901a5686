"""Reading posts back: front matter, sections and the entries they hold.

The read side has to be fast over thousands of posts (`list` over 10,000
posts has a budget of twice `grep -rl`), so nothing here imports
markdown-it or parses YAML unless a caller asks for it:

- headings are found with one regular expression over the text, skipping
  fenced code blocks (a `#` comment in a fence is not a heading);
- `title` and `date` are read from the front matter with a regex per key;
  `front_matter_mapping()` does the full YAML parse when a command needs it;
- entries are read from the lines of the question and review sections only.

Entries are read in the formats studylog writes (`config.PROFILE_FORMATS`
or the log's own `formats`) and in the hand-written styles of real logs:
numbered `N. 이름님 질문 : …` items with an indented `답변 : …`, bullets
whose answers start with `→`, and `Q.`/`A.` paragraphs. What can't be read
as an entry stays in its section's text, which `search` still searches.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from studylog.config import EntryFormats, Settings
from studylog.errors import PostReadError
from studylog.headings import QUESTIONS, REVIEWS, find_headings, matcher_for
from studylog.log import POST_NAME, PostRef


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

_FM_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str | None, int]:
    """The front-matter text (between the fences) and the offset where the body starts.

    Returns `(None, 0)` for a post without front matter (or without a
    closing fence), after a BOM if there is one.
    """
    opening = _FM_OPEN.match(text)
    if opening is None:
        return None, 1 if text.startswith("\ufeff") else 0
    close = _FM_CLOSE.search(text, opening.end())
    if close is None:
        return None, 1 if text.startswith("\ufeff") else 0
    body = close.end()
    if text.startswith("\r\n", body):
        body += 2
    elif text.startswith("\n", body):
        body += 1
    return text[opening.end() : close.start()], body


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


def front_matter_mapping(front_matter: str) -> dict[str, Any]:
    """Parse front-matter text with YAML (for commands that need every value).

    Raises:
        yaml.YAMLError: the text is not YAML.
        ValueError: it is YAML but not a mapping.
    """
    import yaml

    data = yaml.safe_load(front_matter)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data


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


@dataclass(frozen=True)
class ReadPost:
    """A post read for its content: text, front matter and entries."""

    ref: PostRef
    text: str
    front_matter: str | None
    body_start: int
    summary: FrontMatterSummary
    entries: PostEntries

    @property
    def title(self) -> str | None:
        """The front-matter title, if it is a one-line value."""
        return self.summary.title

    @property
    def body(self) -> str:
        """The text after the front matter."""
        return self.text[self.body_start :]


def read_text(path: Path, strict: bool = False) -> str:
    """A post's text, BOM removed; undecodable bytes become U+FFFD unless `strict`.

    Read commands keep going past one bad file (`check` reports it), so
    only `strict` raises on bytes that are not UTF-8.

    Raises:
        PostReadError: the file can't be read (or, with `strict`, is not UTF-8).
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise PostReadError(f"Can't read {path} ({err.strerror}); check its permissions.") from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        if strict:
            raise PostReadError(
                f"{path} is not UTF-8 text (byte {err.start}); save it as UTF-8 and try again."
            ) from err
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


def load_post(ref: PostRef, settings: Settings, text: str | None = None) -> ReadPost:
    """Read a post with all its sections and entries."""
    if text is None:
        text = read_text(ref.path)
    front_matter, body_start = split_front_matter(text)
    return ReadPost(
        ref,
        text,
        front_matter,
        body_start,
        summarize_front_matter(front_matter),
        read_entries(text, settings),
    )


def filter_posts(
    refs: list[PostRef], since: dt.date | None = None, until: dt.date | None = None
) -> list[PostRef]:
    """The posts dated (by file name) from `since` to `until`, both included."""
    return [
        ref
        for ref in refs
        if (since is None or ref.date >= since) and (until is None or ref.date <= until)
    ]


# --- listing every post fast ------------------------------------------------------

# Bump when the reader counts entries differently, so cached counts are redone.
READER_VERSION = 1


def _cache_path(settings: Settings) -> Path | None:
    if os.environ.get("STUDYLOG_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    import zlib

    # crc32 rather than hashlib: importing OpenSSL costs more than it buys here.
    digest = f"{zlib.crc32(str(settings.root).encode('utf-8')):08x}"
    return Path(base) / "studylog" / f"list-{settings.root.name}-{digest}.marshal"


def _fingerprint(settings: Settings) -> str:
    return repr((READER_VERSION, sorted(settings.sections.items()), settings.entry_formats))


def _load_cache(path: Path | None, fingerprint: str) -> dict[str, tuple[Any, ...]]:
    if path is None:
        return {}
    import marshal

    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
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
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".list-", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps({"fingerprint": fingerprint, "posts": posts}))
        os.replace(tmp, path)
    except OSError:
        return


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
    cache_path = _cache_path(settings)
    fingerprint = _fingerprint(settings)
    cache = _load_cache(cache_path, fingerprint)
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
