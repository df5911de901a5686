"""The post merge driver: two machines appending to one post is not a conflict.

Git calls `studylog merge-post %O %A %B %P` for every post that changed on
both sides of a merge or rebase (`.gitattributes` says `merge=studylog`,
the repository's config says what that runs). `merge_posts` does the
three-way merge of what studylog's posts really hold:

- entries appended to the same place on both sides are all kept, each once,
  ours first, then theirs (an answer added inside an item goes before a new
  item added after it, so it stays with its question);
- a section that gained entries on both sides is renumbered 1..N without
  gaps, each question keeping its answers (they are lines inside its item);
- `last_modified_at` takes the later of the two dates;
- anything else git would merge cleanly merges the same way, and two
  different edits of the same lines stay a conflict: the driver then hands
  the file to `git merge-file`, which writes the markers git would write.

Lines are compared with their list number and line ending set aside, so a
question renumbered on one side is still the same line. The driver reads the
three files git names and writes only the one git expects the result in.
It never looks at the repository's state, so it works in the middle of the
rebase that `sync` runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.errors import GitError
from studylog.markdown.items import NUMBERED_ITEM, renumber_item

if TYPE_CHECKING:
    from studylog.markdown.document import Document

# Registering the driver is `merge_driver`'s (every command checks it); these
# names are kept here for the callers that know them from this module.
from studylog.merge_driver import (  # noqa: E402 - after the TYPE_CHECKING block
    ATTRIBUTE,
    DRIVER_NAME,
    attribute_lines,
    declare_attributes,
    driver_command,
    driver_registered,
    register_driver,
)

_LAST_MODIFIED = re.compile(r"^last_modified_at[ \t]*:")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")

OURS, THEIRS, BASE = "ours", "theirs", "base"


def _lines(text: str) -> list[str]:
    # The same line cutting as markdown-it (`\r\n`, `\r`, `\n`), so that the
    # token line maps used for renumbering point at these lines.
    from studylog.markdown.document import split_lines

    return split_lines(text)


def _strip_ending(line: str) -> str:
    return line.rstrip("\r\n")


def _front_matter_end(lines: list[str]) -> int:
    """The index of the closing front-matter fence, or 0 when there is none."""
    if not lines or _strip_ending(lines[0]).lstrip("\ufeff").rstrip(" \t") != "---":
        return 0
    for index in range(1, len(lines)):
        if _FENCE.match(_strip_ending(lines[index])):
            return index
    return 0


def _keys(lines: list[str]) -> list[str]:
    """What lines are compared by: no line ending, no list number, no modification date."""
    fm_end = _front_matter_end(lines)
    keys = []
    for index, line in enumerate(lines):
        key = _strip_ending(line)
        if 0 < index < fm_end:
            if _LAST_MODIFIED.match(key):
                key = "last_modified_at:"
        elif index > fm_end:
            key = NUMBERED_ITEM.sub(r"\1#\3", key, count=1)
        keys.append(key)
    return keys


@dataclass
class _Hunk:
    """One side's change: base lines [start, end) become `lines`."""

    side: str
    start: int
    end: int
    lines: list[str]
    keys: list[str]

    @property
    def insertion(self) -> bool:
        return self.start == self.end


@dataclass
class _Side:
    """One side of the merge against the base: its changes and its unchanged lines."""

    name: str
    lines: list[str]
    hunks: list[_Hunk] = field(default_factory=list)
    # base line index -> this side's line, for the lines it did not change
    same: dict[int, str] = field(default_factory=dict)


def _diff(name: str, base: list[str], base_keys: list[str], lines: list[str]) -> _Side:
    # difflib only when a merge has to compare lines.
    from difflib import SequenceMatcher

    keys = _keys(lines)
    side = _Side(name, lines)
    # The lines both ends share are matched directly: an append leaves all but
    # a few lines alike, and difflib on the middle alone is many times faster.
    shortest = min(len(base_keys), len(keys))
    head = 0
    while head < shortest and base_keys[head] == keys[head]:
        head += 1
    tail = 0
    while tail < shortest - head and base_keys[-1 - tail] == keys[-1 - tail]:
        tail += 1
    for k in range(head):
        side.same[k] = lines[k]
    for k in range(1, tail + 1):
        side.same[len(base_keys) - k] = lines[len(lines) - k]
    matcher = SequenceMatcher(
        None, base_keys[head : len(base_keys) - tail], keys[head : len(keys) - tail], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            for k in range(i2 - i1):
                side.same[i1 + k] = lines[j1 + k]
        else:
            side.hunks.append(_Hunk(name, i1, i2, lines[j1:j2], keys[j1:j2]))
    _slide_insertions(side, base_keys)
    return side


def _slide_insertions(side: _Side, base_keys: list[str]) -> None:
    """Move each pure insertion as far down as the same text allows.

    An entry appended after a blank line can be read as "blank line + entry"
    inserted before that blank or "entry + blank" inserted after it; both
    sides must say the same, or two appends at one place would look like
    appends at two places and escape renumbering.
    """
    for index, hunk in enumerate(side.hunks):
        if not hunk.insertion:
            continue
        # Up to the next change, or to the end of the file.
        limit = side.hunks[index + 1].start if index + 1 < len(side.hunks) else len(base_keys) + 1
        while hunk.start + 1 < limit and hunk.keys and hunk.keys[0] == base_keys[hunk.start]:
            at = hunk.start
            # The side's line matched to base line `at` is the one after the
            # insertion; the insertion's first line takes its place.
            moved = side.same[at]
            side.same[at] = hunk.lines[0]
            hunk.lines = [*hunk.lines[1:], moved]
            hunk.keys = [*hunk.keys[1:], base_keys[at]]
            hunk.start = hunk.end = at + 1


def _continues_item(hunk: _Hunk) -> bool:
    """True when the inserted text continues the item above (an indented answer)."""
    for line in hunk.keys:
        if line.strip():
            return line[:1] in (" ", "\t")
    return False


def _starts_block(keys: list[str], at: int) -> bool:
    """True when line `at` begins a block at the margin (or the lines end there)."""
    return at == len(keys) or (bool(keys[at].strip()) and keys[at][:1] not in (" ", "\t"))


def _shared_head(one: list[str], other: list[str]) -> int:
    """How many first lines two insertions share as whole blocks (0: none).

    Both sides creating the same missing section write the same headings
    before their own entries; both typing the same entry write the same
    lines. A shared first line alone (an entry's question with different
    answers) is not shared: the cut must fall where both go on with a new
    block at the margin, or end.
    """
    count = 0
    for mine, theirs in zip(one, other, strict=False):
        if mine != theirs:
            break
        count += 1
    while count and not (_starts_block(one, count) and _starts_block(other, count)):
        count -= 1
    return count


def _ending(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith(("\n", "\r")):
            return line[-1]
    return "\n"


@dataclass
class _Piece:
    """Some inserted lines of one side: a section's (heading first) or those before any."""

    side: str
    lines: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def _sections(hunk: _Hunk) -> tuple[_Piece, list[tuple[str, _Piece]]]:
    """An insertion cut at its headings: the lines before the first, then each section.

    Entry text never starts a line with `#` (the writer indents it), so an
    inserted heading line is a section the writer created.
    """
    before = _Piece(hunk.side)
    found: list[tuple[str, _Piece]] = []
    current = before
    for line, key in zip(hunk.lines, hunk.keys, strict=True):
        if _HEADING.match(key):
            current = _Piece(hunk.side)
            found.append((key.strip(), current))
        current.lines.append(line)
        current.keys.append(key)
    return before, found


def _join(out: _Output, first: _Piece, second: _Piece) -> None:
    """Two sides' lines for one place: their shared head once, then first's rest, then second's."""
    shared = _shared_head(first.keys, second.keys)
    rest = second.lines[shared:]
    lines = list(first.lines)
    if lines and rest and lines[-1].strip() and rest[0].strip():
        # Entries are blocks apart: keep a blank line between the two sides' texts.
        ending = _ending(lines)
        if not lines[-1].endswith(("\n", "\r")):
            lines[-1] += ending
        lines.append(ending)
    out.add(lines, first.side)
    out.add(rest, second.side)


def _add_both(out: _Output, first: _Hunk, second: _Hunk) -> None:
    """Both sides inserted at one place: merge what they wrote section by section.

    Both may have created the same missing sections (`## 피어세션`,
    `### 질문내용`) around their entries: each section is written once, with
    both sides' lines in it, in the order the sides wrote the sections.
    """
    first_before, first_sections = _sections(first)
    second_before, second_sections = _sections(second)
    firsts, seconds = dict(first_sections), dict(second_sections)
    if len(firsts) < len(first_sections) or len(seconds) < len(second_sections):
        # A heading twice in one insertion: no telling which is which.
        _join(
            out,
            _Piece(first.side, first.lines, first.keys),
            _Piece(second.side, second.lines, second.keys),
        )
        return
    order = [key for key, _ in first_sections]
    after = -1
    for key, _ in second_sections:
        if key in firsts:
            after = order.index(key)
        else:
            after += 1
            order.insert(after, key)
    _join(out, first_before, second_before)
    for key in order:
        mine, theirs = firsts.get(key), seconds.get(key)
        if mine is not None and theirs is not None:
            _join(out, mine, theirs)
        else:
            piece = mine or theirs
            assert piece is not None  # every key comes from one side or both
            out.add(piece.lines, piece.side)


def _later_date(ours: str, theirs: str) -> str:
    """The `last_modified_at` line with the later date (ours when they can't be compared)."""

    def value(line: str) -> dt.datetime | None:
        text = _strip_ending(line).split(":", 1)[1].strip().strip("\"'")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed

    mine, other = value(ours), value(theirs)
    if mine is not None and other is not None and other > mine:
        return theirs
    return ours


class _Conflict(Exception):
    """Two changes touch the same lines differently: git's merge takes over."""


@dataclass
class _Output:
    lines: list[str] = field(default_factory=list)
    # Output line index -> the side that changed it (absent: as in the base).
    changed: dict[int, str] = field(default_factory=dict)
    # Output positions where a side deleted lines (no line shows the change).
    deleted: list[tuple[int, str]] = field(default_factory=list)

    def add(self, lines: list[str], side: str | None) -> None:
        for line in lines:
            if side is not None:
                self.changed[len(self.lines)] = side
            self.lines.append(line)


def _check_overlaps(ours: list[_Hunk], theirs: list[_Hunk], fm_end: int) -> None:
    for mine in ours:
        for other in theirs:
            if other.start > mine.end or mine.start > other.end:
                continue
            if mine.insertion and other.insertion:
                if mine.start <= fm_end and mine.keys != other.keys:
                    # Two different lines added at one place in the front matter
                    # (a key each) can't both be kept blindly.
                    raise _Conflict
                continue
            if mine.insertion or other.insertion:
                insertion, change = (mine, other) if mine.insertion else (other, mine)
                if change.start < insertion.start < change.end:
                    raise _Conflict
                continue
            if mine.start < other.end and other.start < mine.end:
                if (mine.start, mine.end, mine.keys) != (other.start, other.end, other.keys):
                    raise _Conflict


def _pick_line(
    index: int, base: list[str], ours: _Side, theirs: _Side, fm_end: int
) -> tuple[str, str | None]:
    """Base line `index` as it ends up when neither side changed what it says."""
    original, mine, other = base[index], ours.same[index], theirs.same[index]
    if mine == other:
        return mine, None if mine == original else OURS
    if mine == original:
        return other, THEIRS
    if other == original:
        return mine, OURS
    if 0 < index < fm_end and _LAST_MODIFIED.match(mine):
        picked = _later_date(mine, other)
        return picked, OURS if picked is mine else THEIRS
    # Both changed only its number or line ending, differently: renumbering
    # settles the number.
    return mine, OURS


def _combine(base: list[str], ours: _Side, theirs: _Side) -> _Output:
    fm_end = _front_matter_end(base)
    _check_overlaps(ours.hunks, theirs.hunks, fm_end)
    out = _Output()
    starts: dict[int, list[_Hunk]] = {}
    for hunk in [*ours.hunks, *theirs.hunks]:
        starts.setdefault(hunk.start, []).append(hunk)
    index = 0
    while index <= len(base):
        here = starts.get(index, [])
        inserted = [h for h in here if h.insertion]
        if len(inserted) == 2:
            first, second = inserted
            if _continues_item(second) and not _continues_item(first):
                # An answer added to the item above goes before a new item.
                first, second = second, first
            _add_both(out, first, second)
        else:
            for hunk in inserted:
                out.add(hunk.lines, hunk.side)
        changes = [h for h in here if not h.insertion]
        if changes:
            # Overlapping changes were refused above: one change, or the same on both sides.
            change = changes[0]
            if not change.lines:
                out.deleted.append((len(out.lines), change.side))
            out.add(change.lines, change.side if len(changes) == 1 else OURS)
            index = change.end
            continue
        if index == len(base):
            break
        line, side = _pick_line(index, base, ours, theirs, fm_end)
        out.add([line], side)
        index += 1
    return out


def _renumber(out: _Output) -> list[str]:
    """Renumber the numbered items of each section both sides changed.

    From the first item a side touched (or the first out of sequence), each
    top-level numbered item gets the number after the one before it; items
    above that keep the numbers they had. The rest of each line stays.
    """
    lines = out.lines
    fm_end = _front_matter_end(lines)
    body_start = fm_end + 1 if fm_end else 0
    touched: dict[int, str] = dict(out.changed)
    for position, side in out.deleted:
        touched.setdefault(position, side)
    sides_at = {line: side for line, side in touched.items() if line >= body_start}
    if len(set(sides_at.values())) < 2:
        return lines
    # The Markdown document only when numbers are redone.
    from studylog.markdown.document import parse_document

    doc = parse_document("".join(lines[body_start:]))
    bounds = [0]
    for heading in doc.headings:
        bounds += [heading.line, heading.end_line]
    bounds.append(len(doc.lines) + 1)
    items = _numbered_items(doc)
    result = list(lines)
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        sides = {side for line, side in sides_at.items() if start <= line - body_start < end}
        if len(sides) < 2:
            continue
        section = [item for item in items if start <= item[0] < end]
        previous: int | None = None
        renumbering = False
        for line, item_end, number in section:
            at = line + body_start
            if not renumbering and previous is not None:
                renumbering = at in touched or number != previous + 1
            if renumbering and previous is not None:
                renumber_item(result, at, item_end + body_start, number, previous + 1)
                number = previous + 1
            previous = number
    return result


def _numbered_items(doc: Document) -> list[tuple[int, int, int]]:
    """(body line, end line, number) of every top-level item of a numbered list."""
    found: list[tuple[int, int, int]] = []
    in_ordered = False
    for token in doc.tokens:
        if token.level == 0 and token.type in ("ordered_list_open", "bullet_list_open"):
            in_ordered = token.type == "ordered_list_open"
        elif (
            in_ordered
            and token.type == "list_item_open"
            and token.level == 1
            and token.map is not None
            and token.info.isdigit()
        ):
            found.append((token.map[0], token.map[1], int(token.info)))
    return found


def merge_texts(base: str, ours: str, theirs: str) -> str | None:
    """The merged post, or None when the two sides really conflict."""
    if ours == theirs:
        return ours
    if not base:
        # Both sides created the file: nothing tells what they share.
        return None
    base_lines = _lines(base)
    base_keys = _keys(base_lines)
    mine = _diff(OURS, base_lines, base_keys, _lines(ours))
    other = _diff(THEIRS, base_lines, base_keys, _lines(theirs))
    try:
        out = _combine(base_lines, mine, other)
    except _Conflict:
        return None
    return "".join(_renumber(out))


@dataclass(frozen=True)
class MergeResult:
    """What the driver did: merged cleanly, or left git's conflict markers."""

    clean: bool
    conflicts: int = 0


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    except OSError as err:
        raise GitError(f"The merge driver can't read {path} ({err.strerror}).") from err


def _write(path: Path, text: str) -> None:
    # In place, and only this file: git reads the result from it. O_NOFOLLOW:
    # a symlink put there is refused rather than followed elsewhere.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise GitError(f"The merge driver can't write {path} ({err.strerror}).") from err
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))


def merge_post(base: Path, ours: Path, theirs: Path, name: str = "") -> MergeResult:
    """Merge a post the way git's merge driver protocol asks: the result goes into `ours`.

    A real conflict is left to `git merge-file`, which writes its markers into
    `ours` (nothing of either side is lost); the result then says how many.

    Raises:
        GitError: a file can't be read or written, or git can't be run.
    """
    texts = [_read(path) for path in (base, ours, theirs)]
    if texts[0] is not None and texts[1] is not None and texts[2] is not None:
        merged = merge_texts(texts[0], texts[1], texts[2])
        if merged is not None:
            if merged != texts[1]:
                _write(ours, merged)
            return MergeResult(True)
    label = name or ours.name
    try:
        done = subprocess.run(
            [
                "git",
                "merge-file",
                "-L",
                f"ours: {label}",
                "-L",
                f"base: {label}",
                "-L",
                f"theirs: {label}",
                "--",
                str(ours),
                str(base),
                str(theirs),
            ],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as err:
        raise GitError("The `git` program is not installed; install git and try again.") from err
    if done.returncode < 0 or done.returncode > 127:
        raise GitError(
            f"`git merge-file` failed on {label}: {done.stderr.decode('utf-8', 'replace').strip()}"
        )
    return MergeResult(done.returncode == 0, done.returncode)


__all__ = [
    "ATTRIBUTE",
    "DRIVER_NAME",
    "MergeResult",
    "attribute_lines",
    "declare_attributes",
    "driver_command",
    "driver_registered",
    "merge_post",
    "merge_texts",
    "register_driver",
]
