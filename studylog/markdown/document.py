"""A post's body as a document: markdown-it's block tokens and their line maps.

A post's structure comes from markdown-it-py's token stream and its line
maps, never from a scan for lines starting with `#`: a `#` inside a fenced
code block, an HTML block or a list item is not a section heading. Only
headings at the top level of the document (not inside a list or a quote)
are its headings. The tokens come from `blockscan` for a text it fully
understands (the same tokens, proven in tests; no markdown-it import) and
from markdown-it for any other.

Line numbers here are 0-based and count lines the way markdown-it does
(`\\r\\n`, `\\r` and `\\n` each end a line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from studylog.markdown.blockscan import BlockToken, scan_blocks
from studylog.markdown.headings import Heading

if TYPE_CHECKING:
    from markdown_it.token import Token

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def is_blank_line(line: str) -> bool:
    """CommonMark's blank line: spaces and tabs only (U+3000 is not blank)."""
    return not line.strip(" \t\r\n")


def split_lines(text: str) -> list[str]:
    """`text` cut into lines the way markdown-it counts them, endings kept."""
    return _LINE.findall(text)


@dataclass(frozen=True)
class Block:
    """A top-level block: its token type and its lines, trailing blank lines trimmed."""

    kind: str
    start: int
    end: int
    content: str = ""


@dataclass(frozen=True)
class Document:
    """A Markdown text parsed once: its lines, blocks and top-level headings."""

    lines: list[str]
    blocks: list[Block]
    headings: list[Heading]
    tokens: Sequence[Token | BlockToken]

    def section_end(self, index: int) -> int:
        """The line where heading `index`'s section ends (subsections included)."""
        level = self.headings[index].level
        for heading in self.headings[index + 1 :]:
            if heading.level <= level:
                return heading.line
        return len(self.lines)

    def own_end(self, index: int) -> int:
        """The line where heading `index`'s own text ends (at its first subheading)."""
        if index + 1 < len(self.headings):
            return self.headings[index + 1].line
        return len(self.lines)

    def children(self, index: int) -> list[int]:
        """Indexes of the headings directly below heading `index` (one level down or more)."""
        level = self.headings[index].level
        end = self.section_end(index)
        found: list[int] = []
        child_level: int | None = None
        for i in range(index + 1, len(self.headings)):
            heading = self.headings[i]
            if heading.line >= end:
                break
            if child_level is None or heading.level <= child_level:
                child_level = heading.level
            if heading.level == child_level and heading.level > level:
                found.append(i)
        return found

    def is_blank(self, line: int) -> bool:
        """True when `line` is past the end or holds only white space."""
        return line >= len(self.lines) or is_blank_line(self.lines[line])


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        # markdown-it only once a document is parsed (TID253: ~17 ms to import).
        from markdown_it import MarkdownIt

        # Block structure is all a section needs: inline parsing of every
        # paragraph would cost more than the rest of an append, so it is
        # done for heading texts only (see _heading_text).
        _PARSER = MarkdownIt("commonmark").disable("inline")
    return _PARSER


def block_tokens(text: str, env: dict[str, Any] | None = None) -> Sequence[Token | BlockToken]:
    """markdown-it's CommonMark block tokens for `text`, with markdown-it only when needed.

    `inline` tokens hold their source in `content` but have no children.
    `env` receives the link reference definitions markdown-it finds (a text
    that may hold one is never scanned).
    """
    tokens = scan_blocks(text)
    if tokens is None:
        parsed: list[Token] = _parser().parse(text, {} if env is None else env)
        return parsed
    return tokens


def parse_document(text: str) -> Document:
    """Parse Markdown `text` (a post's body, without front matter)."""
    env: dict[str, Any] = {}
    tokens = block_tokens(text, env)
    lines = split_lines(text)
    blocks: list[Block] = []
    headings: list[Heading] = []
    offsets: list[int] | None = None
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        while end > start + 1 and is_blank_line(lines[end - 1]):
            end -= 1
        kind = token.type.removesuffix("_open")
        content = token.content
        if kind == "paragraph":
            content = tokens[i + 1].content
        if kind == "heading":
            level = int(token.tag[1:])
            text_of = _heading_text(tokens[i + 1].content, env)
            if offsets is None:
                offsets = list(accumulate(map(len, lines), initial=0))
            after = token.map[1]
            last = lines[after - 1]
            stop = offsets[after] - (len(last) - len(last.rstrip("\r\n")))
            headings.append(Heading(level, text_of, start, after, offsets[start], stop))
        blocks.append(Block(kind, start, end, content))
    return Document(lines, blocks, headings, tokens)


# What may make inline Markdown of a heading more than its text: escapes, code,
# emphasis, HTML and autolinks, entities, links and images, line breaks (a
# setext heading's lines).
_INLINE_MARKUP = re.compile(r"[\\`*<\n]|&[#A-Za-z]|\]\(|(?<![^\W_])_|_(?![^\W_])")


def _heading_text(source: str, env: dict[str, Any]) -> str:
    """A heading's plain text: its inline Markdown parsed, markup dropped.

    A heading with none of the characters inline markup needs is its own
    text, without markdown-it: brackets are text when no `](` follows and
    the post defines no link labels (`env` is empty), and `_` is text
    between two letters or digits (it can neither open nor close emphasis).
    """
    if not env and _INLINE_MARKUP.search(source) is None:
        return source.strip()
    md = _parser()
    children: list[Token] = []
    md.inline.parse(source, md, env, children)
    return _plain_text(children)


def _plain_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        # `text_special` is an escaped character or an entity (`\#`, `&amp;`):
        # markdown-it's core joins it into the text around it, a rule that the
        # inline parse alone doesn't run, so it is text here too.
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child.children or []))
    return "".join(parts).strip()
