"""`check --fix`: the repairs that are safe to make without asking.

Two problems are repaired, each only when the result can be proved to mean
what the author meant:

- a front-matter list holding empty items (`tags:` then `- []`, which
  Jekyll builds as no tag, or `categories:` then `- []`, which puts `/[]/`
  into the post's URL): the empty items are removed, and a list left empty
  becomes `key: []`. The front matter is edited as text (never
  re-serialised), and the new front matter must parse to the old mapping
  with only those items gone;
- numbered questions and reviews whose numbers skip or repeat: each gets
  the number after the one before it (the first is 1), as `check`'s
  `numbering-gap` expects; the entries must read back the same but for
  their numbers.

Every repair goes through the one write path of an edit
(`post.edit_post`: the writers' lock, compare-and-swap, an atomic write),
and a post whose front matter is not valid YAML, or that holds conflict
markers, is not touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.check import empty_item_rule
from studylog.config import Settings
from studylog.errors import StudylogError
from studylog.log import Log, PostRef
from studylog.markdown.extraction import PostEntries, read_entries
from studylog.markdown.items import renumber_item
from studylog.post import PostText

# A block-list item on one line: `  - []`, `- ""`, `-`.
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]+(?P<value>.*?))?[ \t]*\r?$")
# What a YAML item holds when it is empty: an empty list or mapping, an empty
# string, or nothing (null).
_EMPTY_VALUES = {"", "[]", "{}", '""', "''", "~", "null", "Null", "NULL"}
# A top-level key whose value is the block below it: `tags:`.
_BLOCK_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*\r?$")


@dataclass(frozen=True)
class Repair:
    """One change `check --fix` made: where, for which rule, and what it did."""

    path: Path
    line: int
    rule: str
    description: str


@dataclass(frozen=True)
class RepairedText:
    """A post's text after the repairs, and the repairs (an edit for `edit_post`)."""

    text: str
    repairs: tuple[Repair, ...]


@dataclass(frozen=True)
class RepairFailure:
    """A post that needed a repair and was left as it was, and why."""

    path: Path
    reason: str


def repair_text(post: PostText, settings: Settings) -> RepairedText:
    """The post's text with its safe repairs made (the same text when none applies)."""
    text, repairs = _repair_empty_items(post)
    text, renumbered = _repair_numbering(post.path, text, settings)
    return RepairedText(text, repairs + renumbered)


def repair_posts(log: Log, refs: Iterable[PostRef]) -> tuple[list[Repair], list[RepairFailure]]:
    """Repair every post in `refs` that needs it; what was done, and what could not be.

    A post that can't be edited (not valid YAML, conflict markers, read-only,
    outside the posts folder, a rebase under way) is reported as a failure
    and not changed.
    """
    settings = log.settings
    # The write path only when something is repaired.
    from studylog.post import edit_post, read_post, read_post_for_edit

    repairs: list[Repair] = []
    failures: list[RepairFailure] = []
    for ref in refs:
        try:
            # A cheap look first: most posts need nothing, and those are not
            # checked for writing (a read-only post that is fine is fine).
            preview = read_post(ref.path)
        except StudylogError:
            continue  # `check` reports a post it can't read
        if not repair_text(preview, settings).repairs:
            continue
        try:
            log.check_inside_posts(ref.path)
            post = read_post_for_edit(ref.path)
            done = edit_post(
                post,
                lambda read: repair_text(read, settings),
                root=settings.root,
                action="fix the post",
            )
        except StudylogError as err:
            failures.append(RepairFailure(ref.path, str(err)))
            continue
        repairs.extend(done.repairs)
    return repairs, failures


# --- empty list items in the front matter -----------------------------------------


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _repair_empty_items(post: PostText) -> tuple[str, tuple[Repair, ...]]:
    text, front_matter = post.text, post.front_matter
    if not front_matter:
        return text, ()
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    try:
        before = yaml.safe_load(front_matter)
    except (yaml.YAMLError, ValueError, OverflowError, AttributeError, TypeError):
        return text, ()
    if not isinstance(before, dict):
        return text, ()
    lines = front_matter.split("\n")
    repairs: list[Repair] = []
    fixed: set[str] = set()
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _BLOCK_KEY.match(lines[index])
        value = before.get(match["key"]) if match else None
        if match is None or not isinstance(value, list) or not any(map(_is_empty, value)):
            out.append(lines[index])
            index += 1
            continue
        items, end = _block_items(lines, index + 1)
        kept = [line for line in items if not _holds_empty_value(line)]
        if len(kept) == len(items) or len(items) != len(value):
            # Not one item per line as the YAML reads them: left to the author.
            out.extend(lines[index:end])
            index = end
            continue
        key = match["key"]
        if kept:
            out.append(lines[index])
            out.extend(kept)
            done = f"removed the empty item(s) from '{key}'"
        else:
            ending = "\r" if lines[index].endswith("\r") else ""
            out.append(f"{key}: []{ending}")
            done = f"'{key}' held only empty items; it is now `{key}: []`"
        # +2: the opening fence is the file's line 1.
        repairs.append(Repair(post.path, index + 2, empty_item_rule(key, value), done))
        fixed.add(key)
        index = end
    if not repairs:
        return text, ()
    new_front = "\n".join(out)
    try:
        after = yaml.safe_load(new_front)
    except yaml.YAMLError:
        return text, ()
    # The proof: the same mapping, but for the empty items of the keys repaired.
    expected = {
        key: [item for item in value if not _is_empty(item)] if key in fixed else value
        for key, value in before.items()
    }
    if after != expected:
        return text, ()
    start = post.front_matter_start
    return text[:start] + new_front + text[start + len(front_matter) :], tuple(repairs)


def _block_items(lines: list[str], start: int) -> tuple[list[str], int]:
    """The one-line items of the block list starting at `start`, and where it ends."""
    items: list[str] = []
    indent: str | None = None
    index = start
    while index < len(lines):
        match = _ITEM.match(lines[index])
        if match is None or (indent is not None and match["indent"] != indent):
            break
        indent = match["indent"]
        items.append(lines[index])
        index += 1
    return items, index


def _holds_empty_value(line: str) -> bool:
    match = _ITEM.match(line)
    return match is not None and (match["value"] or "") in _EMPTY_VALUES


# --- numbering ----------------------------------------------------------------------


def _numbered_groups(entries: PostEntries) -> list[list[tuple[int, int, int]]]:
    """(line, end line, number) of the numbered entries, per kind and section."""
    groups: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for kind, items in (("question", entries.questions), ("review", entries.reviews)):
        for entry in items:
            if entry.numbered:
                groups.setdefault((kind, entry.section), []).append(
                    (entry.line, max(entry.line, entry.end_line), entry.number)
                )
    return list(groups.values())


def _repair_numbering(path: Path, text: str, settings: Settings) -> tuple[str, tuple[Repair, ...]]:
    entries = read_entries(text, settings)
    lines = text.split("\n")
    repairs: list[Repair] = []
    for group in _numbered_groups(entries):
        expected = 1
        for line, end, number in group:
            if number != expected and renumber_item(lines, line - 1, end, number, expected):
                repairs.append(
                    Repair(path, line, "numbering-gap", f"renumbered {number} to {expected}")
                )
                number = expected
            expected = number + 1
    if not repairs:
        return text, ()
    new_text = "\n".join(lines)
    if not _same_but_numbers(entries, read_entries(new_text, settings)):
        return text, ()
    return new_text, tuple(repairs)


def _same_but_numbers(before: PostEntries, after: PostEntries) -> bool:
    """Whether the entries read back the same, numbers aside, and are numbered in order."""

    def shape(entries: PostEntries) -> list[tuple[Any, ...]]:
        questions = [(q.asker, q.question, q.answers, q.section) for q in entries.questions]
        reviews = [(r.assignment, r.topic, r.presenter, r.feedback) for r in entries.reviews]
        return [*questions, *reviews]

    if shape(before) != shape(after):
        return False
    return all(
        number == position
        for group in _numbered_groups(after)
        for position, (_, _, number) in enumerate(group, 1)
    )
