"""Front matter in the plain shapes posts use, read without PyYAML.

Importing PyYAML costs ~10–16 ms, most of an append's front-matter work
(libyaml parses a post's front matter in ~0.1 ms). Posts' front matter is
nearly always the same few shapes: `key: value` lines with plain, quoted
or date values, lists of such values (`- item` lines or `[a, b]`), and
Jekyll's `defaults:` blocks of nested mappings. `load` reads exactly those
and returns None for anything else (a tab, an anchor, a tag, a block or
multi-line scalar, a value YAML would read as a number other than a plain
integer or decimal, a timestamp with a time, a key written twice, …), and
PyYAML, which stays the judge, reads it. tests/test_plain_front_matter.py
proves the mappings equal PyYAML's (libyaml's loader, as `post.yaml_loader`
picks) on every corpus post and on generated front matter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# YAML 1.1 words PyYAML reads as booleans and null (its implicit resolvers).
_BOOLEANS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = ("~", "null", "Null", "NULL")
_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
# A mapping entry (`key: value`, `key :`) and a sequence item (`- value`),
# matched from the line's first character; trailing spaces are not the value's.
_ENTRY = re.compile(r"( *)(" + _KEY + r") *:(?: +(.*?))? *")
_ITEM = re.compile(r"( *)- +(.*?) *")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Characters YAML reads as something else than text when they start a plain
# value (indicators), or start a number or a timestamp.
_SPECIAL_START = set("-?:,[]{}#&*!|>'\"%@`+.~<=0123456789")
# Characters this module leaves to PyYAML: tabs, the line breaks YAML 1.1
# knows besides `\n`, what libyaml refuses as unprintable, and the byte
# order mark. (A negated class of the printable ones costs ~3 ms to compile.)
_REFUSED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\u2028\u2029]")


def value_span(text: str, key: str) -> tuple[int, int] | None:
    """Where the top-level `key`'s value is in `text`, when it is a plain or quoted one-liner.

    None when `load` can't read the text or the value is anything else (a
    list, a mapping, empty): PyYAML's events then say where and what it is.
    The span holds a quoted value's quotes, as PyYAML's marks do.
    """
    if load(text) is None:
        return None
    offset = 0
    for line in text.split("\n"):
        entry = _ENTRY.fullmatch(line.removesuffix("\r"))
        if entry is not None and entry[1] == "" and entry[2] == key:
            value = entry[3]
            if not value or value[0] == "[":
                return None
            return offset + entry.start(3), offset + entry.end(3)
        offset += len(line) + 1
    return None


class _NotPlain(Exception):
    """The front matter steps outside the shapes read here."""


def load(text: str) -> dict[str, Any] | None:
    """The front matter's mapping as PyYAML builds it, or None when PyYAML must read it."""
    if "\r" in text:
        if "\r" in text.replace("\r\n", ""):
            return None  # a lone carriage return: YAML's line break, not this module's
        text = text.replace("\r\n", "\n")
    if _REFUSED.search(text) is not None:
        return None
    lines = [
        (line, len(line) - len(line.lstrip(" ")))
        for line in text.split("\n")
        if line.strip(" ") and not line.lstrip(" ").startswith("#")
    ]
    if not lines:
        return {}
    try:
        mapping, end = _mapping(lines, 0, 0)
    except _NotPlain:
        return None
    return mapping if end == len(lines) else None


def _mapping(
    lines: list[tuple[str, int]], at: int, indent: int, first: int | None = None
) -> tuple[dict[str, Any], int]:
    """The block mapping whose keys start at column `indent`, from line `at`.

    `first` is the first key's column on its line when that line starts
    with a sequence's `- ` (the mapping is the item).
    """
    mapping: dict[str, Any] = {}
    while at < len(lines):
        line, column = lines[at]
        if first is not None:
            column, first = first, None
        if column < indent:
            break
        entry = _ENTRY.fullmatch(line, column) if column == indent else None
        if entry is None:
            if column == indent and line.startswith("-", column):
                break  # a sequence at the parent key's column (`key:` then `- a`)
            raise _NotPlain
        key, value = entry[2], entry[3]
        if key in mapping or key in _BOOLEANS or key in _NULLS:
            raise _NotPlain
        at += 1
        if value:
            mapping[key] = _inline_value(value)
        else:
            mapping[key], at = _block_value(lines, at, indent)
    return mapping, at


def _block_value(lines: list[tuple[str, int]], at: int, indent: int) -> tuple[Any, int]:
    """A key's value written on the lines below it (None when there are none)."""
    if at >= len(lines):
        return None, at
    line, column = lines[at]
    if _ITEM.fullmatch(line, column) is not None and column >= indent:
        return _sequence(lines, at, column)
    if column > indent:
        return _mapping(lines, at, column)
    return None, at


def _sequence(lines: list[tuple[str, int]], at: int, indent: int) -> tuple[list[Any], int]:
    """The block sequence whose `- ` items start at column `indent`, from line `at`."""
    items: list[Any] = []
    while at < len(lines):
        line, column = lines[at]
        item = _ITEM.fullmatch(line, column) if column == indent else None
        if item is None:
            if column > indent:
                raise _NotPlain
            break
        content = item[2]
        if not content or content.startswith("-"):
            raise _NotPlain  # an empty item, or a sequence in a sequence
        if _ENTRY.fullmatch(line, item.start(2)) is None:
            items.append(_inline_value(content))
            at += 1
        else:
            # `- key: value` opens a mapping whose keys sit at the first key's column.
            mapping, at = _mapping(lines, at, item.start(2), first=item.start(2))
            items.append(mapping)
    return items, at


def _inline_value(raw: str) -> Any:
    """A value written after `key: ` or `- ` on its line."""
    value = raw
    first = value[0]
    if first == '"':
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
            raise _NotPlain
        return inner
    if first == "'":
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotPlain
        return inner.replace("''", "'")
    if first == "[":
        if value == "[]":
            return []
        if value[-1] != "]" or "[" in value[1:] or "]" in value[1:-1] or "{" in value:
            raise _NotPlain
        return [_plain(item.strip(" "), flow=True) for item in value[1:-1].split(",")]
    return _plain(value, flow=False)


def _plain(value: str, flow: bool) -> Any:
    """A plain (unquoted) scalar as PyYAML resolves it, or _NotPlain."""
    if not value or ": " in value or " #" in value or value.endswith(":"):
        raise _NotPlain
    if flow and ("," in value or "{" in value or "}" in value or ":" in value or "#" in value):
        raise _NotPlain
    if value in _BOOLEANS:
        return _BOOLEANS[value]
    if value in _NULLS:
        return None
    if value[0] in _SPECIAL_START:
        if _INT.fullmatch(value):
            return int(value)
        if _DECIMAL.fullmatch(value):
            return float(value)
        date = _DATE.fullmatch(value)
        if date is not None:
            try:
                return dt.date(int(date[1]), int(date[2]), int(date[3]))
            except ValueError:
                raise _NotPlain from None  # PyYAML fails on it, with its message
        raise _NotPlain
    return value
