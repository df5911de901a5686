"""markdown-it's block tokens without markdown-it, for the posts this module fully understands.

Importing markdown-it costs ~17–20 ms (its package imports the inline rules
and the renderer even for a block parse), more than the rest of an append.
`scan_blocks` follows markdown-it-py's CommonMark block rules (4.x:
`parser_block`, `rules_block`) step by step for what posts are made of:
headings, paragraphs, lists, fences, indented code, HTML blocks, rules and
blank lines. For a text holding anything else (a tab, a block quote, a
possible link reference definition, a setext heading, lists nested past
markdown-it's limit) it returns None and markdown-it, which stays the judge,
parses it. `tests/test_blockscan.py` proves the tokens equal markdown-it's
on every corpus post and on the property tests' post grammar.

Only block tokens are made: an `inline` token holds its source in `content`
and has no children, as with `MarkdownIt("commonmark").disable("inline")`.
"""

from __future__ import annotations

import re

# markdown-it's CommonMark preset nests blocks at most this deep.
_MAX_NESTING = 20

# CommonMark's white space, as markdown-it trims it (`common.utils.MD_TRIM_CHARS`).
_TRIM = "".join(
    chr(code)
    for code in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)

# A line whose first character, after spaces and list markers, could open a
# block quote (`>`) or a link reference definition (`[label]:`): the rules
# this module leaves to markdown-it. It matches more lines than those rules do.
_QUOTE_OR_LABEL = re.compile(r"^ *(?:(?:[-+*]|\d+[.)]) +)*([>\[])", re.MULTILINE)
# A label's definition can't run past a blank line.
_BLANK_LINE = re.compile(r"\n *(?:\n|$)")

# markdown-it's HTML block starts and ends (`rules_block/html_block.py`,
# `common/html_blocks.py`, `common/html_re.py`), in its order.
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|"
    "noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    "thead|title|tr|track|ul"
)
_ATTRIBUTE = (
    "(?:\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^\"'=<>`\\x00-\\x20]+|'[^']*'|\"[^\"]*\"))?)"
)
_OPEN_TAG = "<[A-Za-z][A-Za-z0-9\\-]*" + _ATTRIBUTE + "*\\s*\\/?>"
_CLOSE_TAG = "<\\/[A-Za-z][A-Za-z0-9\\-]*\\s*>"
_BLANK_END = re.compile(r"^$")
# (start, end, can interrupt a paragraph)
_HTML_BLOCKS: tuple[tuple[re.Pattern[str], re.Pattern[str], bool], ...] = (
    (
        re.compile(r"^<(?a:(script|pre|style|textarea))(?=(\s|>|$))", re.IGNORECASE),
        re.compile(r"<\/(?a:(script|pre|style|textarea))>", re.IGNORECASE),
        True,
    ),
    (re.compile(r"^<!--"), re.compile(r"-->"), True),
    (re.compile(r"^<\?"), re.compile(r"\?>"), True),
    (re.compile(r"^<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"^<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (
        re.compile("^</?(?a:(" + _BLOCK_NAMES + "))(?=(\\s|/?>|$))", re.IGNORECASE),
        _BLANK_END,
        True,
    ),
    (re.compile("^(?:" + _OPEN_TAG + "|" + _CLOSE_TAG + ")\\s*$"), _BLANK_END, False),
)


class BlockToken:
    """One block token: the fields of markdown-it's `Token` that a block parse sets."""

    __slots__ = ("content", "info", "level", "map", "markup", "nesting", "tag", "type")

    def __init__(self, type_: str, tag: str, nesting: int, level: int) -> None:
        self.type = type_
        self.tag = tag
        self.nesting = nesting
        self.level = level
        self.map: list[int] | None = None
        self.info = ""
        self.markup = ""
        self.content = ""


class _Unsure(Exception):
    """The text holds a construct this module leaves to markdown-it."""


def scan_blocks(text: str) -> list[BlockToken] | None:
    """markdown-it's CommonMark block tokens for `text`, or None when it must parse it."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    if "\t" in text:
        return None  # tab stops: markdown-it's column arithmetic, not ported
    if "]:" in text or ">" in text:
        for match in _QUOTE_OR_LABEL.finditer(text):
            if match[1] == ">" or _may_define_label(text, match.start(1)):
                return None
    if not text:
        return []
    state = _State(text)
    try:
        state.tokenize(0, state.line_max)
    except _Unsure:
        return None
    return state.tokens


def _may_define_label(text: str, start: int) -> bool:
    """Whether the `[` at `start` may open a link reference definition (`[label]: url`)."""
    blank = _BLANK_LINE.search(text, start)
    return "]:" in text[start : blank.start() if blank else len(text)]


class _State:
    """markdown-it's `StateBlock` for a text without tabs or block quotes."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.begins: list[int] = []  # markdown-it's bMarks
        self.ends: list[int] = []  # eMarks
        self.shift: list[int] = []  # tShift: the line's first non-space
        self.indent: list[int] = []  # sCount: its indentation in columns
        length = len(src)
        start = 0
        while start < length:
            end = src.find("\n", start)
            if end < 0:
                end = length
            pos = start
            while pos < end and src[pos] == " ":
                pos += 1
            if pos == end == length:
                break  # a last line of spaces only is not a line
            self.begins.append(start)
            self.ends.append(end)
            self.shift.append(pos - start)
            self.indent.append(pos - start)
            start = end + 1
        self.begins.append(length)
        self.ends.append(length)
        self.shift.append(0)
        self.indent.append(0)
        self.line_max = len(self.begins) - 1
        self.block_indent = 0
        self.list_indent = -1
        self.parent = "root"
        self.level = 0
        self.line = 0
        self.tokens: list[BlockToken] = []

    def push(self, type_: str, tag: str, nesting: int) -> BlockToken:
        if nesting < 0:
            self.level -= 1
        token = BlockToken(type_, tag, nesting, self.level)
        if nesting > 0:
            self.level += 1
        self.tokens.append(token)
        return token

    def is_empty(self, line: int) -> bool:
        return self.begins[line] + self.shift[line] >= self.ends[line]

    def is_code(self, line: int) -> bool:
        return self.indent[line] - self.block_indent >= 4

    def skip_spaces(self, pos: int) -> int:
        src = self.src
        while pos < len(src) and src[pos] == " ":
            pos += 1
        return pos

    def skip_char(self, pos: int, char: str) -> int:
        src = self.src
        while pos < len(src) and src[pos] == char:
            pos += 1
        return pos

    def get_lines(self, begin: int, end: int, indent: int, keep_last_newline: bool) -> str:
        """`StateBlock.getLines`: lines [begin, end), `indent` columns (or marker) cut."""
        src = self.src
        parts: list[str] = []
        for line in range(begin, end):
            first = line_start = self.begins[line]
            last = self.ends[line] + 1 if line + 1 < end or keep_last_newline else self.ends[line]
            line_indent = 0
            while first < last and line_indent < indent:
                if src[first] == " " or first - line_start < self.shift[line]:
                    line_indent += 1
                else:
                    break
                first += 1
            parts.append(src[first:last])
        return "".join(parts)

    # The block rules, in markdown-it's order; `silent` only asks whether one
    # would start at `start` (the terminator checks).

    def tokenize(self, line: int, end: int) -> None:
        """`ParserBlock.tokenize`, less the `tight` flags (they only hide tokens when rendering)."""
        while line < end:
            while line < self.line_max and self.is_empty(line):
                line += 1
            self.line = line
            if line >= end or self.indent[line] < self.block_indent:
                break
            if self.level >= _MAX_NESTING:
                raise _Unsure
            # markdown-it's order; block quotes and link reference definitions
            # can't occur here (scan_blocks), and paragraph() refuses a setext heading.
            if not (
                self.code(line, end)
                or self.fence(line, end, False)
                or self.hr(line, False)
                or self.list(line, end, False)
                or self.html_block(line, end, False)
                or self.heading(line, False)
            ):
                self.paragraph(line)
            line = self.line
            if line < end and self.is_empty(line):
                line += 1
                self.line = line

    def terminates(self, line: int, end: int, rules: str) -> bool:
        """Whether a block of markdown-it's terminator list `rules` starts at `line`."""
        if self.fence(line, end, True) or self.hr(line, True):
            return True
        if rules == "list":
            return False
        return (
            self.list(line, end, True)
            or self.html_block(line, end, True)
            or self.heading(line, True)
        )

    def code(self, start: int, end: int) -> bool:
        if not self.is_code(start):
            return False
        last = line = start + 1
        while line < end:
            if self.is_empty(line):
                line += 1
            elif self.is_code(line):
                line += 1
                last = line
            else:
                break
        self.line = last
        token = self.push("code_block", "code", 0)
        token.content = self.get_lines(start, last, 4 + self.block_indent, False) + "\n"
        token.map = [start, last]
        return True

    def fence(self, start: int, end: int, silent: bool) -> bool:
        src = self.src
        pos = self.begins[start] + self.shift[start]
        maximum = self.ends[start]
        if self.is_code(start) or pos + 3 > maximum:
            return False
        marker = src[pos]
        if marker not in "~`":
            return False
        mem = pos
        pos = self.skip_char(pos, marker)
        length = pos - mem
        if length < 3:
            return False
        markup = src[mem:pos]
        params = src[pos:maximum]
        if marker == "`" and "`" in params:
            return False
        if silent:
            return True
        line = start
        closed = False
        while True:
            line += 1
            if line >= end:
                break
            pos = mem = self.begins[line] + self.shift[line]
            maximum = self.ends[line]
            if pos < maximum and self.indent[line] < self.block_indent:
                break
            if pos >= len(src):
                break
            if src[pos] != marker or self.is_code(line):
                continue
            pos = self.skip_char(pos, marker)
            if pos - mem < length:
                continue
            if self.skip_spaces(pos) < maximum:
                continue
            closed = True
            break
        self.line = line + (1 if closed else 0)
        token = self.push("fence", "code", 0)
        token.info = params
        token.content = self.get_lines(start + 1, line, self.indent[start], True)
        token.markup = markup
        token.map = [start, self.line]
        return True

    def hr(self, start: int, silent: bool) -> bool:
        src = self.src
        pos = self.begins[start] + self.shift[start]
        maximum = self.ends[start]
        if self.is_code(start) or pos >= len(src):
            return False
        marker = src[pos]
        if marker not in "*-_":
            return False
        count = 1
        for char in src[pos + 1 : maximum]:
            if char == marker:
                count += 1
            elif char != " ":
                return False
        if count < 3:
            return False
        if silent:
            return True
        self.line = start + 1
        token = self.push("hr", "hr", 0)
        token.map = [start, self.line]
        token.markup = marker * (count + 1)
        return True

    def _bullet_end(self, line: int) -> int:
        """The position after a bullet marker (`-`, `+`, `*` then a space or the end), or -1."""
        src = self.src
        pos = self.begins[line] + self.shift[line]
        maximum = self.ends[line]
        if pos >= len(src) or src[pos] not in "*-+":
            return -1
        pos += 1
        if pos < maximum and src[pos] != " ":
            return -1
        return pos

    def _ordered_end(self, line: int) -> int:
        """The position after an ordered marker (1–9 digits, `.` or `)`, then a space), or -1."""
        src = self.src
        start = pos = self.begins[line] + self.shift[line]
        maximum = self.ends[line]
        if pos + 1 >= maximum or not "0" <= src[pos] <= "9":
            return -1
        pos += 1
        while True:
            if pos >= maximum:
                return -1
            char = src[pos]
            pos += 1
            if "0" <= char <= "9":
                if pos - start >= 10:
                    return -1
                continue
            if char in ").":
                break
            return -1
        if pos < maximum and src[pos] != " ":
            return -1
        return pos

    def list(self, start: int, end: int, silent: bool) -> bool:
        src = self.src
        if self.is_code(start):
            return False
        if (
            self.list_indent >= 0
            and self.indent[start] - self.list_indent >= 4
            and self.indent[start] < self.block_indent
        ):
            return False
        interrupts = (
            silent and self.parent == "paragraph" and self.indent[start] >= self.block_indent
        )
        after = self._ordered_end(start)
        first = self.begins[start] + self.shift[start]
        if after >= 0:
            ordered = True
            if interrupts and int(src[first : after - 1]) != 1:
                return False
        else:
            after = self._bullet_end(start)
            if after < 0:
                return False
            ordered = False
        if interrupts and self.skip_spaces(after) >= self.ends[start]:
            return False
        marker = src[after - 1]
        if silent:
            return True
        kind, tag = ("ordered_list", "ol") if ordered else ("bullet_list", "ul")
        opened = self.push(kind + "_open", tag, 1)
        opened.map = list_lines = [start, 0]
        opened.markup = marker
        line = start
        old_parent = self.parent
        self.parent = "list"
        while line < end:
            maximum = self.ends[line]
            first = self.begins[line] + self.shift[line]
            initial = self.indent[line] + after - first
            pos = self.skip_spaces(after)
            offset = initial + pos - after
            content_start = pos
            gap = 1 if content_start >= maximum else offset - initial
            if gap > 4:
                gap = 1
            item = self.push("list_item_open", "li", 1)
            item.markup = marker
            item.map = item_lines = [start, 0]
            if ordered:
                item.info = src[first : after - 1]
            old_shift, old_indent = self.shift[start], self.indent[start]
            old_list_indent = self.list_indent
            self.list_indent = self.block_indent
            self.block_indent = initial + gap
            self.shift[start] = content_start - self.begins[start]
            self.indent[start] = offset
            if content_start >= maximum and self.is_empty(start + 1):
                self.line = min(self.line + 2, end)
            else:
                self.tokenize(start, end)
            self.block_indent = self.list_indent
            self.list_indent = old_list_indent
            self.shift[start], self.indent[start] = old_shift, old_indent
            closed = self.push("list_item_close", "li", -1)
            closed.markup = marker
            line = start = self.line
            item_lines[1] = line
            if line >= end or self.indent[line] < self.block_indent or self.is_code(line):
                break
            if self.terminates(line, end, "list"):
                break
            after = self._ordered_end(line) if ordered else self._bullet_end(line)
            if after < 0 or marker != src[after - 1]:
                break
        closing = self.push(kind + "_close", tag, -1)
        closing.markup = marker
        list_lines[1] = line
        self.line = line
        self.parent = old_parent
        return True

    def html_block(self, start: int, end: int, silent: bool) -> bool:
        pos = self.begins[start] + self.shift[start]
        maximum = self.ends[start]
        if self.is_code(start) or pos >= len(self.src) or self.src[pos] != "<":
            return False
        text = self.src[pos:maximum]
        found = next((kind for kind in _HTML_BLOCKS if kind[0].search(text)), None)
        if found is None:
            return False
        if silent:
            return found[2]
        closing = found[1]
        ends_on_blank = closing is _BLANK_END
        line = start + 1
        if not closing.search(text):
            while line < end:
                if self.indent[line] < self.block_indent and (
                    ends_on_blank or not self.is_empty(line)
                ):
                    break
                text = self.src[self.begins[line] + self.shift[line] : self.ends[line]]
                if closing.search(text):
                    if text:
                        line += 1
                    break
                line += 1
        self.line = line
        token = self.push("html_block", "", 0)
        token.map = [start, line]
        token.content = self.get_lines(start, line, self.block_indent, True)
        return True

    def heading(self, start: int, silent: bool) -> bool:
        src = self.src
        pos = self.begins[start] + self.shift[start]
        maximum = self.ends[start]
        if self.is_code(start) or pos >= len(src) or src[pos] != "#" or pos >= maximum:
            return False
        level = 1
        pos += 1
        while pos < len(src) and src[pos] == "#" and pos < maximum and level <= 6:
            level += 1
            pos += 1
        if level > 6 or (pos < maximum and src[pos] != " "):
            return False
        if silent:
            return True
        while maximum > pos and src[maximum - 1] == " ":
            maximum -= 1
        hashes = maximum
        while hashes > pos and src[hashes - 1] == "#":
            hashes -= 1
        if hashes > pos and src[hashes - 1] == " ":
            maximum = hashes
        self.line = start + 1
        tag = f"h{level}"
        opened = self.push("heading_open", tag, 1)
        opened.markup = "#" * level
        opened.map = [start, self.line]
        inline = self.push("inline", "", 0)
        inline.content = src[pos:maximum].strip(_TRIM)
        inline.map = [start, self.line]
        closed = self.push("heading_close", tag, -1)
        closed.markup = "#" * level
        return True

    def paragraph(self, start: int) -> None:
        """A paragraph; a setext heading (markdown-it's `lheading`, tried first) is left to it."""
        end = self.line_max
        old_parent = self.parent
        self.parent = "paragraph"
        line = start + 1
        while line < end and not self.is_empty(line):
            if self.indent[line] - self.block_indent > 3:
                line += 1
                continue
            if self.is_underline(line):
                raise _Unsure
            if self.terminates(line, end, "paragraph"):
                break
            line += 1
        self.parent = old_parent
        self.line = line
        opened = self.push("paragraph_open", "p", 1)
        opened.map = [start, line]
        inline = self.push("inline", "", 0)
        inline.content = self.get_lines(start, line, self.block_indent, False).strip(_TRIM)
        inline.map = [start, line]
        self.push("paragraph_close", "p", -1)

    def is_underline(self, line: int) -> bool:
        """A setext underline (`===` or `---`) for the paragraph above `line`."""
        if self.indent[line] < self.block_indent:
            return False
        pos = self.begins[line] + self.shift[line]
        maximum = self.ends[line]
        if pos >= maximum or self.src[pos] not in "-=":
            return False
        return self.skip_spaces(self.skip_char(pos, self.src[pos])) >= maximum
