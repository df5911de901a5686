"""What Jekyll will render: values written so kramdown shows them as typed, and read back.

markdown-it (CommonMark) decides what a value's structure is; Jekyll's
readers see Liquid's, then kramdown's, rendering of it. Where the two differ,
`layout_value` rewrites the value so kramdown agrees with CommonMark, and
`read_value` removes exactly those rewrites again:

- blocks a value's author typed without a blank line between them get one
  (kramdown continues a paragraph or a list item lazily over a quote or a
  fence, and plain kramdown over a list or a heading);
- characters only kramdown reads are escaped with a backslash outside code:
  `|` (a table row), a leading `:` (a definition), `{:` (attributes), `$$`
  (math), `[^` (a footnote), `*[` at a line's start (an abbreviation), a lone
  `^` line (end of block), and what its typography would change: `--`, `---`
  (dashes), `...`, `<<`, `>>`, `"` and `'` (curly quotes); headings,
  setext underlines and rules a value holds are shown as text too (a `#`
  line in an answer would become a heading of the post, in its table of
  contents);
- `{{` and `{%` are wrapped in `{% raw %}`…`{% endraw %}`, since Jekyll runs
  Liquid over the whole post first (an unknown tag fails the site's build, an
  unknown variable renders as nothing), unless the log says `liquid: keep`;
- for plain kramdown input, a backtick fence is written with tildes (plain
  kramdown reads backtick fences as inline code).

docs/entries.md lists these rules for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studylog.jekyll import GFM, KRAMDOWN


@dataclass(frozen=True)
class Dialect:
    """How to write for one site: its renderer and whether Liquid is protected."""

    renderer: str = GFM
    protect_liquid: bool = True


@dataclass(frozen=True)
class Value:
    """A value laid out for kramdown: lines with their own relative indentation.

    `lines[0]` is what goes on the label's line (or on a list marker's
    line); `starts_with_block` says it is not paragraph text, so after a
    label with text of its own it must start a block of its own below it.
    Blank lines are empty strings.
    """

    lines: tuple[str, ...]
    starts_with_block: bool


# The characters a backslash makes literal in both kramdown and CommonMark
# that the writer may escape (an escape it added is removed on reading).
_ESCAPED = "|:{$[*^-.<>\"'#=_+)"
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]*)*")
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_RULE_LINE = re.compile(r"^(?:(?:-[ \t]*)+|(?:=[ \t]*)+|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
# Inline pieces the escapes never touch: an escape already typed, a code
# span, an HTML tag or an autolink (an attribute's quotes must stay quotes).
_VERBATIM = re.compile(
    r"\\[!-/:-@\[-`{-~]"
    r"|(?P<ticks>`+)(?:.*?[^`])?(?P=ticks)(?!`)"
    r"|<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*|[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*|!--.*?--)>"
)
_INLINE = re.compile(r"\||\{:|\$\$|\[\^|-{2,}|\.{3,}|<<|>>|\"|'")
_LIQUID = re.compile(r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)")
_ENDRAW = re.compile(r"\{%(?=-?[ \t]*endraw)")
_RAW_OPEN = "{% raw %}"
_RAW_CLOSE = "{% endraw %}"
# `{%` written outside raw: Liquid prints the string.
_LIQUID_OPENER = '{{ "{%" }}'
_BACKTICK_FENCE = re.compile(r"^(?P<prefix>[ \t]*(?:>[ \t]?)*[ \t]*)(?P<fence>`{3,})(?P<info>.*)$")


def escape_inline(text: str) -> str:
    """One line of text with kramdown's own inline syntax and typography escaped."""
    out: list[str] = []
    at = 0
    for verbatim in _VERBATIM.finditer(text):
        out.append(_escape_plain(text[at : verbatim.start()]))
        out.append(verbatim[0])
        at = verbatim.end()
    out.append(_escape_plain(text[at:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    return _INLINE.sub(lambda m: "".join("\\" + c for c in m[0]), text)


def escape_line(line: str, continuation: bool = False) -> str:
    """A text line (not code) escaped, line-start rules included.

    `continuation`: the line continues a paragraph, where CommonMark reads
    `2. x` as text but kramdown as a new list.
    """
    quote = _QUOTE_PREFIX.match(line)
    head = quote[0] if quote else ""
    rest = line[len(head) :]
    if _RULE_LINE.match(rest):
        # A heading underline or a rule: every mark shown as itself.
        return head + re.sub(r"([-=*_])", r"\\\1", rest)
    marker = _LIST_MARKER.match(rest)
    if marker and continuation and rest[0].isdigit():
        digits = marker[0].rstrip(" \t")
        return head + digits[:-1] + "\\" + digits[-1] + escape_inline(rest[len(digits) :])
    if marker:
        head += marker[0]
        rest = rest[len(marker[0]) :]
    if not rest:
        return line
    if rest[0] in ":#" or rest == "^" or rest.startswith("*["):
        return head + "\\" + rest[0] + escape_inline(rest[1:])
    return head + escape_inline(rest)


# What starts a block at the beginning of a list item's content.
_BLOCK_START = re.compile(r"[#>:^]|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")


def escape_item_start(line: str) -> str:
    """A list item's first line (`1. …`, `- …`) whose content can't start a block.

    An entry format may put a one-line value first (`{n}. {asker}님 질문`,
    `- {assignment} (…)`): a name typed as `# 민수` or `- 민수` there would
    make the item a heading or a nested list. Its first character is escaped
    (the reader removes the backslash, as for every escape it adds).
    """
    marker = _LIST_MARKER.match(line)
    if marker is None:
        return line
    head, rest = line[: marker.end()], line[marker.end() :]
    start = _BLOCK_START.match(rest)
    if start is None:
        return line
    at = start.end() - 1 if rest[0].isdigit() else 0
    return head + rest[:at] + "\\" + rest[at:]


def protect_liquid(line: str) -> str:
    """`{{ … }}` and `{% … %}` in a line wrapped in raw tags, so Liquid prints them."""
    if "{{" not in line and "{%" not in line:
        return line

    def wrap(match: re.Match[str]) -> str:
        inner = _ENDRAW.sub(_RAW_CLOSE + _LIQUID_OPENER + _RAW_OPEN, match[0])
        return _RAW_OPEN + inner + _RAW_CLOSE

    return _LIQUID.sub(wrap, line)


def unprotect_liquid(text: str) -> str:
    """What Liquid prints for the writer's raw tags: their text as it was typed."""
    if _RAW_OPEN not in text and _LIQUID_OPENER not in text:
        return text
    out: list[str] = []
    at = 0
    while True:
        raw = text.find(_RAW_OPEN, at)
        opener = text.find(_LIQUID_OPENER, at)
        if raw < 0 and opener < 0:
            out.append(text[at:])
            return "".join(out)
        if raw < 0 or 0 <= opener < raw:
            out.append(text[at:opener] + "{%")
            at = opener + len(_LIQUID_OPENER)
            continue
        close = text.find(_RAW_CLOSE, raw + len(_RAW_OPEN))
        if close < 0:
            out.append(text[at:])
            return "".join(out)
        out.append(text[at:raw] + text[raw + len(_RAW_OPEN) : close])
        at = close + len(_RAW_CLOSE)


_UNESCAPE = re.compile(r"\\([" + re.escape(_ESCAPED) + r"])")


def unescape_line(line: str) -> str:
    """A text line with the writer's backslash escapes removed (code spans untouched)."""
    if "\\" not in line:
        return line
    out: list[str] = []
    at = 0
    for span in re.finditer(r"(?P<ticks>`+)(?:.*?[^`])?(?P=ticks)(?!`)", line):
        out.append(_UNESCAPE.sub(r"\1", line[at : span.start()]))
        out.append(span[0])
        at = span.end()
    out.append(_UNESCAPE.sub(r"\1", line[at:]))
    return "".join(out)


def layout_value(lines: list[str], dialect: Dialect) -> Value:
    """A typed value (its lines, first one not indented) written for the site's renderer."""
    # The block parse only when a value is written (the read side imports this module).
    from studylog.markdown.document import block_tokens

    code: set[int] = set()
    continuation: set[int] = set()
    fences: list[tuple[int, int]] = []
    for token in block_tokens("\n".join(lines) + "\n"):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block", "html_block"):
            code.update(range(start, end))
            if token.type == "fence" and token.markup.startswith("`"):
                fences.append((start, end))
        elif token.type == "inline":
            continuation.update(range(start + 1, end))
    converted = [
        line if index in code or not line.strip() else escape_line(line, index in continuation)
        for index, line in enumerate(lines)
    ]
    if dialect.renderer == KRAMDOWN:
        for start, end in fences:
            _tilde_fence(converted, lines, start, end)
    # What the escaped value is made of decides where blocks need a blank line.
    blank_before: set[int] = set()
    first_block = ""
    previous: str | None = None
    for token in block_tokens("\n".join(converted) + "\n"):
        if token.map is None or token.nesting < 0:
            continue
        start = token.map[0]
        if token.level == 0:
            first_block = first_block or token.type
            adjacent = start > 0 and converted[start - 1].strip()
            if previous is not None and adjacent and _needs_blank(previous, dialect.renderer):
                blank_before.add(start)
            previous = token.type
        elif token.type == "fence" and start > 0 and converted[start - 1].strip():
            # A fence nested in a list item right under its text: plain
            # kramdown would read it as that paragraph's text.
            line = converted[start].lstrip()
            if not line.startswith(">") and not _LIST_MARKER.match(line):
                blank_before.add(start)
    written: list[str] = []
    for index, line in enumerate(converted):
        if index in blank_before:
            written.append("")
        written.append(protect_liquid(line) if dialect.protect_liquid else line)
    return Value(tuple(written), first_block not in ("", "paragraph_open"))


def _needs_blank(previous: str, renderer: str) -> bool:
    """Whether a block right after a `previous` block needs a blank line between them.

    kramdown continues a list item or a quote lazily over the next block
    (CommonMark ends them); GFM input lets any block interrupt a paragraph,
    as CommonMark does, but plain kramdown needs the blank line there too.
    After a fence or a code block, the next block starts by itself.
    """
    if previous in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
        return True
    return previous == "paragraph_open" and renderer == KRAMDOWN


def _tilde_fence(converted: list[str], lines: list[str], start: int, end: int) -> None:
    """Write the backtick fence on lines start..end-1 with tildes (for plain kramdown)."""
    opening = _BACKTICK_FENCE.match(lines[start])
    if opening is None:
        return
    longest = max(
        (len(m[0]) for m in (re.search(r"~{3,}", b) for b in lines[start + 1 : end]) if m),
        default=0,
    )
    # Longer than any tilde run in the code, so none of its lines closes it.
    tildes = "~" * max(len(opening["fence"]), longest + 1)
    info = opening["info"].strip()
    converted[start] = opening["prefix"] + tildes + (" " + info if info else "")
    closing = _BACKTICK_FENCE.match(lines[end - 1]) if end - 1 > start else None
    if closing is not None and not closing["info"].strip():
        converted[end - 1] = closing["prefix"] + tildes


def read_value(lines: list[str]) -> list[str]:
    """A written value's lines (relative indentation) as they were typed.

    Most values hold neither a backslash nor Liquid: they are returned
    without parsing (search and export read thousands).
    """
    if not any("\\" in line or "{%" in line or "{{" in line for line in lines):
        return lines
    text = [unprotect_liquid(line) for line in lines]
    if not any("\\" in line for line in text):
        return text
    # The block parse only for a value with a backslash (search and export read thousands).
    from studylog.markdown.document import block_tokens

    code: set[int] = set()
    for token in block_tokens("\n".join(text) + "\n"):
        if token.map is not None and token.type in ("fence", "code_block", "html_block"):
            code.update(range(*token.map))
    return [line if i in code else unescape_line(line) for i, line in enumerate(text)]


def read_inline(text: str) -> str:
    """One written line (a name, a title) as it was typed."""
    return unescape_line(unprotect_liquid(text))
