"""The items of an entry section: list items and Q./A. blocks, with their answers.

An entry section (questions, reviews) is read as items: its top-level list
items, or its `Q. …`/`A. …` paragraphs, each with the lines under it; then
each item's lines are split into the item's own text and its answers (or a
review's feedback), marked by `답변 :`, `→`, `A.`, the log's own formats, or
written as nested list items. `extraction` turns the items into entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studylog.config import EntryFormats
from studylog.markdown.kramdown import unprotect_liquid

_LIST_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,4}[.)])(?:[ \t]+|$)(?P<rest>.*)$"
)
_SEPARATOR = re.compile(
    r"^[ \t]*(?:(?:<(?:br|hr)[ \t]*/?>[ \t]*)+|-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$", re.IGNORECASE
)
_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# A kramdown block attribute list (`{: start="3"}`): markup, never shown (a typed
# one is escaped as `\{:` by the writer).
_BLOCK_IAL = re.compile(r"^ {0,3}\{:[^}]*\}[ \t]*$")
_QA_QUESTION = re.compile(
    r"^(?:[-*+][ \t]+|\d{1,4}[.)][ \t]+)?(?:\*\*)?Q\d*[ \t]*[.:)：](?P<rest>.*)$"
)
_QA_ANSWER = re.compile(r"^(?:[-*+][ \t]+)?(?:\*\*)?A\d*[ \t]*[.:)：](?P<rest>.*)$")
_ARROW = re.compile(r"^(?:→|->|=>|⇒|➡️?|➜)[ \t]*(?P<rest>.*)$")
_GENERIC_ANSWER = re.compile(
    r"^(?:\*\*)?(?:답변|답|대답|answer|a)(?:\*\*)?[ \t]*[:：](?:\*\*)?[ \t]*(?P<rest>.*)$",
    re.IGNORECASE,
)
# Marks a line of a Q./A. block as the start of an answer (never typed by anyone).
ANSWER_MARK = "\x00A"
# A top-level numbered list item's first line: indent, number, `.` or `)`.
NUMBERED_ITEM = re.compile(r"^( {0,3})(\d{1,9})([.)])(?=[ \t]|$)")


@dataclass
class Item:
    """A top-level list item (or Q./A. block) with its following lines."""

    line: int
    number: int | None
    head: str
    body: list[tuple[int, str]] = field(default_factory=list)
    answered: bool = False
    # A numbered item in the log's own question format inside a Q./A.
    # section (what `add-question` writes there): read as a list item.
    written: bool = False
    # Where the item's text starts: its later lines are read relative to it.
    column: int = 0


def _expand(line: str) -> str:
    """Tabs in the indentation become spaces (for list levels); tabs in the text stay."""
    if "\t" not in line:
        return line
    text = line.lstrip(" \t")
    return line[: len(line) - len(text)].expandtabs(4) + text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _text_column(line: str, item: re.Match[str]) -> int:
    """The column of a list item's text (after the marker and one to four spaces)."""
    if not item["rest"]:
        return len(item["indent"]) + len(item["marker"]) + 1
    gap = len(line) - len(item["rest"]) - len(item["indent"]) - len(item["marker"])
    # Five or more spaces after the marker: the text is indented code, the column is one.
    return len(item["indent"]) + len(item["marker"]) + (gap if gap <= 4 else 1)


def unwrap(text: str) -> str:
    """`text` stripped of space and of the `**` bold around it (or left open at one end)."""
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
class FormatPatterns:
    """The log's entry formats as regexes that read back what they wrote (None: unreadable)."""

    question: re.Pattern[str] | None
    answer: re.Pattern[str] | None
    review: re.Pattern[str] | None
    review_no_topic: re.Pattern[str] | None
    feedback: re.Pattern[str] | None
    answers: AnswerMatcher


_FORMAT_CACHE: dict[EntryFormats, FormatPatterns] = {}


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


def format_patterns(formats: EntryFormats) -> FormatPatterns:
    """The (cached) regexes for these entry formats."""
    cached = _FORMAT_CACHE.get(formats)
    if cached is None:
        text = r"(?P<{0}>.+?)"
        cached = FormatPatterns(
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


def numbered_lines(text: str, first_line: int) -> list[tuple[int, str]]:
    """`text`'s lines with their file line numbers, indentation tabs expanded."""
    return [(first_line + i, _expand(line.rstrip("\r"))) for i, line in enumerate(text.split("\n"))]


def is_qa_section(lines: list[tuple[int, str]]) -> bool:
    """True when the lines hold both a `Q.` line and an `A.` line."""
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


def qa_items(lines: list[tuple[int, str]], written: re.Pattern[str] | None) -> list[Item]:
    """Items of a section written as `Q. …` / `A. …` paragraphs.

    A numbered question at the margin in the `written` format (the log's
    own, as `add-question` appends it) is an item of its own.
    """
    items: list[Item] = []
    current: Item | None = None
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
        if _BLOCK_IAL.match(line):
            continue
        if _SEPARATOR.match(line):
            # Indented into a question add-question wrote, it is answer text.
            if current is not None and current.written and _indent(line) > 1:
                current.body.append((number, line))
            else:
                current = None
            continue
        if written is not None and line[:1].isdigit() and written.match(stripped):
            item = _LIST_ITEM.match(line)
            if item is not None:
                marker = item["marker"]
                current = Item(
                    number,
                    int(marker[:-1]),
                    item["rest"],
                    written=True,
                    column=_text_column(line, item),
                )
                items.append(current)
                continue
        question = _QA_QUESTION.match(stripped)
        if question:
            head = re.match(r"^(\d{1,4})[.)]", stripped)
            current = Item(number, int(head[1]) if head else None, unwrap(question["rest"]))
            items.append(current)
            continue
        if current is not None:
            answer = _QA_ANSWER.match(stripped)
            if answer:
                current.body.append((number, ANSWER_MARK + answer["rest"].strip()))
            else:
                current.body.append((number, line))
    return items


_QA_MARKER = re.compile(r"^(?P<bold>\*\*)?Q(?P<number>\d*)(?P<mark>[ \t]*[.:)：])")
_QA_ANSWER_MARKER = re.compile(r"^(?:\*\*)?A\d*(?P<mark>[ \t]*[.:)：])")
# A line of a value that qa_items would take for a new question or answer.
_QA_LOOKALIKE = re.compile(
    r"^(?P<lead>[ \t]*(?:[-*+][ \t]+|\d{1,4}[.)][ \t]+)?(?:\*\*)?[QA]\d*[ \t]*)(?P<mark>[.:])"
)


@dataclass(frozen=True)
class QaStyle:
    """How a section's hand-written `Q.`/`A.` blocks look, so a new one can match them.

    `question` and `answer` are the markers as written (`Q.`, `Q :`, `A:`);
    `numbered` says the questions are numbered (`Q1.`), `number` is the next
    question's number as the section is read; `glued` that an answer starts
    on the line right under its question (one paragraph), and `bold` that the
    question line is wrapped in `**`.
    """

    question: str
    answer: str
    number: int
    numbered: bool = False
    glued: bool = False
    bold: bool = False

    def question_marker(self) -> str:
        """The marker that starts the new question (`Q.`, or `Q4.` when they are numbered)."""
        if not self.numbered:
            return self.question
        return "Q" + str(self.number) + self.question[1:]


def is_qa_question(line: str) -> bool:
    """Whether `line` starts a hand-written question block (`Q.`, `Q:`, `Q1.`, `**Q.`)."""
    return _QA_MARKER.match(line.strip()) is not None


def is_qa_block(line: str) -> bool:
    """Whether `line` starts a hand-written question or answer (`Q.`, `A:`, …)."""
    stripped = line.strip()
    return _QA_MARKER.match(stripped) is not None or _QA_ANSWER_MARKER.match(stripped) is not None


def qa_style(lines: list[str], last_question: int) -> QaStyle | None:
    """The style of the `Q.` block starting at `lines[last_question]`, the section's last.

    `lines` are the section's lines; None when that line is no `Q.` line.
    """
    found = _QA_MARKER.match(lines[last_question].strip())
    if found is None:
        return None
    answer = "A" + found["mark"]
    for line in reversed(lines):
        marked = _QA_ANSWER_MARKER.match(line.strip())
        if marked is not None:
            answer = "A" + marked["mark"]
            break
    below = lines[last_question + 1] if last_question + 1 < len(lines) else ""
    items = qa_items(numbered_lines("\n".join(lines), 0), None)
    numbered = bool(found["number"])
    last_number = items[-1].number if numbered and items else None
    if numbered:
        last_number = int(found["number"])
    return QaStyle(
        question="Q" + found["mark"],
        answer=answer,
        number=(last_number or len(items)) + 1,
        numbered=numbered,
        glued=_QA_ANSWER_MARKER.match(below.strip()) is not None,
        bold=found["bold"] is not None and lines[last_question].rstrip().endswith("**"),
    )


def escape_qa_lookalikes(lines: list[str]) -> list[str]:
    """Lines of a value with a leading `Q.`/`A:` escaped (`Q\\.`), outside code fences.

    In a `Q.`/`A.` section such a line would be read as the start of the
    next question or answer; kramdown shows the escaped one as typed.
    """
    fenced = _fenced_lines(lines)
    return [
        line if i in fenced else _QA_LOOKALIKE.sub(r"\g<lead>\\\g<mark>", line, count=1)
        for i, line in enumerate(lines)
    ]


def list_items(lines: list[tuple[int, str]], answer_starts: AnswerMatcher) -> list[Item]:
    """The top-level list items of a section, each with its continuation lines.

    A top-level item ends at the next top-level item, at a separator
    (`<br>`, `---`, `<hr>`), at a top-level code fence, or at unindented
    text after a blank line (unless that text starts an answer, as
    hand-written posts often put `→ answer` at the margin).
    """
    items: list[Item] = []
    current: Item | None = None
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
        if lead == "{" and _BLOCK_IAL.match(line):
            continue
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
            # Indented into an item, it is the item's text (an answer typed
            # with a `---` line), not the separator that ends the section.
            if current is not None and base is not None and indent > base + 1:
                current.body.append((number, line))
            else:
                current = None
            blank_before = False
            continue
        item = _LIST_ITEM.match(line) if lead in "-*+" or lead.isdigit() else None
        if item and (base is None or indent <= base + 1):
            if base is None:
                base = indent
            marker = item["marker"]
            current = Item(
                number,
                int(marker[:-1]) if marker[0].isdigit() else None,
                item["rest"],
                column=_text_column(line, item),
            )
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


def split_body(
    body: list[tuple[int, str]], answers: AnswerMatcher, column: int = 0
) -> tuple[list[str], list[list[str]]]:
    """Split an item's continuation lines into (head continuation, answers).

    With answer markers (`답변 :`, `→`, `A.`), text before the first marker
    continues the head and each marker starts an answer; an answer marker
    with nothing after it takes the list items right below it as one answer
    each (several answers written as numbered sub-points), unless a blank
    line separates them: then the list is that one answer, as studylog
    writes an answer that starts with a block. Without markers, the first
    level of nested list items are the answers.

    Lines come back relative to the text they belong to (the item's
    `column`, a marker line's indentation, a sub-item's text column), blank
    lines inside kept; lines in code fences are never taken for markers.
    """
    lines = [line for _, line in body]
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(line.strip() for line in lines):
        return [], []
    fenced = _fenced_lines(lines)
    marked = [
        i
        for i, line in enumerate(lines)
        if i not in fenced and answers.match(line.strip()) is not None
    ]
    if marked:
        head = [_dedent(line, column) for line in lines[: marked[0]]]
        found: list[list[str]] = []
        for n, start in enumerate(marked):
            end = marked[n + 1] if n + 1 < len(marked) else len(lines)
            marker_line = lines[start]
            indent = _indent(marker_line)
            text = answers.match(marker_line.strip()) or ""
            rest = lines[start + 1 : end]
            if not text and rest and rest[0].strip() and _LIST_ITEM.match(rest[0]):
                # `답변 :` right above a list: each item is an answer.
                found.extend(_sub_items(rest, fenced, start + 1))
                continue
            below = unindent_loosely([_dedent(line, indent) for line in rest])
            found.append([text, *below] if text else below)
        return trim_blank_edges(unindent_loosely(head)), [
            a for a in (trim_blank_edges(x) for x in found) if a
        ]
    level = min(
        (
            _indent(line)
            for i, line in enumerate(lines)
            if i not in fenced and _LIST_ITEM.match(line)
        ),
        default=None,
    )
    if level is None:
        return trim_blank_edges(unindent_loosely([_dedent(line, column) for line in lines])), []
    first = next(
        i
        for i, line in enumerate(lines)
        if i not in fenced and _LIST_ITEM.match(line) and _indent(line) == level
    )
    head = unindent_loosely([_dedent(line, column) for line in lines[:first]])
    subs = _sub_items(lines[first:], fenced, first)
    return trim_blank_edges(head), [a for a in (trim_blank_edges(x) for x in subs) if a]


def _sub_items(lines: list[str], fenced: set[int], offset: int) -> list[list[str]]:
    """Nested list items at the first one's level, each as its text's lines."""
    level = _indent(lines[0])
    found: list[list[str]] = []
    text_column = 0
    for i, line in enumerate(lines):
        item = _LIST_ITEM.match(line) if i + offset not in fenced else None
        if item and _indent(line) == level:
            text_column = _text_column(line, item)
            found.append([item["rest"]])
        elif found:
            found[-1].append(_dedent(line, text_column))
    return [[sub[0], *unindent_loosely(sub[1:])] for sub in found]


def unindent_loosely(lines: list[str]) -> list[str]:
    """Lines without the one to three spaces of indentation they all share.

    Hand-written posts often indent an item's text a little further than
    its column, which Markdown ignores; four spaces or more would be code.
    """
    common = min((_indent(line) for line in lines if line.strip()), default=0)
    if not 0 < common < 4:
        return lines
    return [line[common:] for line in lines]


def _fenced_lines(lines: list[str]) -> set[int]:
    """The indexes of lines inside code fences (the fence lines themselves included)."""
    inside: set[int] = set()
    fence: str | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if fence is not None:
            inside.add(i)
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        opening = _FENCE_LINE.match(line)
        if opening:
            fence = opening[1]
            inside.add(i)
    return inside


def displayed_markdown(text: str) -> str:
    """`text` without the markup Jekyll consumes: for drawing a post on a terminal.

    The writer's `{% raw %}` tags and kramdown's block attribute lines
    (`{: start="3"}`) never reach a reader of the site; drawn as Markdown on
    a terminal they would show as text. Lines inside code fences are kept.
    """
    lines = text.split("\n")
    fenced = _fenced_lines(lines)
    kept = [line for i, line in enumerate(lines) if i in fenced or not _BLOCK_IAL.match(line)]
    return unprotect_liquid("\n".join(kept))


def _dedent(line: str, column: int) -> str:
    """`line` without up to `column` leading spaces (its own indentation beyond stays)."""
    if not line.strip():
        return ""
    return line[min(column, _indent(line)) :]


def trim_blank_edges(lines: list[str]) -> list[str]:
    """Lines without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def end_line(item: Item) -> int:
    """The last non-blank line of an item."""
    for number, line in reversed(item.body):
        if line.strip():
            return number
    return item.line


def renumber_item(lines: list[str], at: int, end: int, old: int, new: int) -> bool:
    """Give the numbered item at `lines[at]` the number `new`; `lines[at + 1:end]` are its own.

    `9.` becoming `10.` moves the item's text one column right: lines indented
    to the old column (its answers) move too, or they would fall out of it.
    The lines may keep their line endings or not. Returns False, changing
    nothing, when `lines[at]` is not an item numbered `old`.
    """
    match = NUMBERED_ITEM.match(lines[at])
    if match is None or int(match[2]) != old:
        return False
    column = len(lines[at]) - len(lines[at][match.end() :].lstrip(" "))
    lines[at] = match[1] + str(new) + match[3] + lines[at][match.end() :]
    grow = len(str(new)) - len(str(old))
    if grow <= 0:
        return True
    for index in range(at + 1, end):
        line = lines[index]
        if len(line) - len(line.lstrip(" ")) >= column and line.strip():
            lines[index] = " " * grow + line
    return True
