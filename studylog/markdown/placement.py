"""Placement: where a new entry goes in a post, and proof it went only there.

Which section a heading is comes from `headings.matcher_for`, the same
matcher the read side uses, so an entry goes to the section `list` counts
it in: `## 4. 피어 세션 👨‍👨‍👦` is the `peer` section, and `### 질문사항` or
`### 4-2. [금일 질문 목록]:` the questions section.

Line numbers are 0-based body lines, as in `document`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from studylog.config import SectionSpec
from studylog.errors import EntryPlacementError, SectionNotFoundError
from studylog.markdown.document import Block, Document, is_blank_line
from studylog.markdown.headings import heading_key, matcher_for
from studylog.markdown.items import QaStyle, is_qa_block, is_qa_question, qa_style

_SEPARATOR_HTML = re.compile(r"^(?:\s*<\s*/?\s*(?:br|hr)\s*/?\s*>)+\s*$", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^( {0,3})([-+*]|\d{1,9}[.)])( {1,4})(?=\S)")


def parent_spec(spec: SectionSpec, sections: Mapping[str, SectionSpec]) -> SectionSpec | None:
    """The section `spec` sits under, or None (also when `.studylog.yml` makes parents loop)."""
    parent = sections.get(spec.parent) if spec.parent else None
    seen = {spec.key}
    current = parent
    while current is not None:
        if current.key in seen:
            return None
        seen.add(current.key)
        current = sections.get(current.parent) if current.parent else None
    return parent


def find_section(
    doc: Document, spec: SectionSpec, sections: Mapping[str, SectionSpec]
) -> int | None:
    """The index in `doc.headings` of the section `spec`, or None when the post lacks it.

    A subsection (a spec with a parent, like the questions under `peer`) is
    looked for below its parent's heading when the post has that parent,
    else anywhere; the first match wins. A post written by hand may put
    the subsections beside their parent (`## 피어세션` then `## 질문내용`):
    the headings right after the parent's section, at its level, that are
    all its subsections count too.
    """
    matcher = matcher_for(sections)
    candidates: Sequence[int] = range(len(doc.headings))
    parent = parent_spec(spec, sections)
    if parent is not None:
        parent_index = find_section(doc, parent, sections)
        if parent_index is not None:
            end = doc.section_end(parent_index)
            candidates = [
                i for i in range(parent_index + 1, len(doc.headings)) if doc.headings[i].line < end
            ]
            candidates += _sibling_subsections(doc, parent_index, parent, sections)
    for i in candidates:
        if matcher.key_for(doc.headings[i].text) == spec.key:
            return i
    return None


def _sibling_subsections(
    doc: Document, parent_index: int, parent: SectionSpec, sections: Mapping[str, SectionSpec]
) -> list[int]:
    family = {other.key for other in sections.values() if parent_spec(other, sections) == parent}
    matcher = matcher_for(sections)
    level = doc.headings[parent_index].level
    end = doc.section_end(parent_index)
    found: list[int] = []
    for i in range(parent_index + 1, len(doc.headings)):
        heading = doc.headings[i]
        if heading.line < end or heading.level > level:
            continue
        if heading.level < level or matcher.key_for(heading.text) not in family:
            break
        found.append(i)
    return found


@dataclass(frozen=True)
class Target:
    """Where an entry is to go: an existing section, or a section to create."""

    spec: SectionSpec | None
    heading: int | None


def resolve_target(
    doc: Document, name: str, sections: Mapping[str, SectionSpec], post_name: str = "the post"
) -> Target:
    """Turn a section key or heading text into a `Target`.

    A key (`questions`, `retrospective`, …) names a configured section, found
    by its heading or aliases or else created; any other name must match a
    heading of the post.

    Raises:
        SectionNotFoundError: neither a key nor a heading of the post.
    """
    spec = sections.get(name)
    if spec is None:
        wanted = heading_key(name)
        # Only a name the log configures picks a section by name; any other
        # text names one heading of the post, even one that would match a
        # section by containing its name (`금일 질문 목록`).
        named = matcher_for(sections).named(name)
        spec = sections.get(named) if named is not None else None
        if spec is None:
            for i, heading in enumerate(doc.headings):
                if wanted and heading.key == wanted:
                    return Target(None, i)
            keys = ", ".join(sections)
            raise SectionNotFoundError(
                f"No section '{name}' in {post_name}; name a section key ({keys}) "
                "or a heading of the post."
            )
    return Target(spec, find_section(doc, spec, sections))


@dataclass(frozen=True)
class InsertPoint:
    """Where an entry goes, as decided from a parsed body.

    `line` is the body line before which the new lines go; `create` the
    sections to write first (heading level, spec), outermost first;
    `number` the next number in the section's numbered list; `heading`
    the index of the existing section (None when it is created).
    """

    line: int
    number: int
    create: tuple[tuple[int, SectionSpec], ...]
    heading: int | None
    # The section's entries are a bullet list: a numbered entry continues it as a bullet.
    bullet: bool = False
    # The section's last entry is a hand-written `Q.` block: a question continues that style.
    qa: QaStyle | None = None
    # A numbered entry starts a new list (the section's list is followed by other
    # text): kramdown numbers every list from 1, so it needs `{: start="N"}`.
    restart: bool = False
    # The entry joins the list right under its last item, with no blank line: a
    # blank line there would make kramdown wrap that item's text in <p>.
    tight: bool = False


def _is_separator(block: Block) -> bool:
    if block.kind == "hr":
        return True
    if block.kind in ("html_block", "paragraph"):
        return bool(_SEPARATOR_HTML.match(block.content.strip()))
    return False


def content_end(doc: Document, start: int, end: int) -> int:
    """The line after the last entry in lines [start, end), or `start` when there is none.

    Trailing separators (`<br>`, `<hr>`, `---`) are not entries; at the end
    of the document neither is a footer: a block (a fence or HTML) that
    follows a separator and ends the document.
    """
    inside = [b for b in doc.blocks if start <= b.start < end]
    at_document_end = end >= len(doc.lines)
    while inside and _is_separator(inside[-1]):
        inside.pop()
    if (
        at_document_end
        and len(inside) >= 2
        and inside[-1].kind in ("fence", "html_block", "code_block")
        and _is_separator(inside[-2])
    ):
        inside.pop()
        while inside and _is_separator(inside[-1]):
            inside.pop()
    if not inside:
        return start
    return max(b.end for b in inside)


def section_close(doc: Document, start: int, end: int) -> int:
    """Where a section created at the end of lines [start, end) goes.

    After the last entry (`content_end`), but when the range ends the
    document, also before a closing rule (`---`, `***`) followed only by a
    references block or a footer: those close the post.
    """
    line = content_end(doc, start, end)
    if end < len(doc.lines):
        return line
    inside = [b for b in doc.blocks if start <= b.start < line]
    rules = [i for i, block in enumerate(inside) if block.kind == "hr"]
    if not rules or not _closes_post(doc, inside[rules[-1] + 1 :]):
        return line
    first = rules[-1]
    while first > 0 and _is_separator(inside[first - 1]):
        first -= 1
    return inside[first].start


def _closes_post(doc: Document, tail: list[Block]) -> bool:
    """Whether the blocks after a post's last rule are a footer or references, not content.

    A footer is one fenced or HTML block; references are a few paragraphs and
    lists that hold links (and a one-line caption). Anything else (a `Q.` question, notes) is
    the section's own content, after which a new section goes.
    """
    blocks = [b for b in tail if not _is_separator(b)]
    if len(blocks) == 1 and blocks[0].kind in ("fence", "html_block"):
        return True
    if not blocks or len(blocks) > 3:
        return False
    linked = False
    for block in blocks:
        text = "".join(doc.lines[block.start : block.end])
        if block.kind not in ("paragraph", "bullet_list", "ordered_list"):
            return False
        if "http://" in text or "https://" in text or "](" in text:
            linked = True
        elif block.kind != "paragraph" or block.end - block.start > 1:
            return False  # only a one-line caption ("**참고 자료**") may lack a link
    return linked


def _trailing_bullets(doc: Document, start: int, end: int) -> int:
    """How many items the bullet list ending lines [start, end) holds (0: it ends otherwise)."""
    inside = [b for b in doc.blocks if start <= b.start < end and not _is_separator(b)]
    if not inside or inside[-1].kind != "bullet_list":
        return 0
    last = inside[-1]
    return sum(
        1
        for token in doc.tokens
        if token.type == "list_item_open"
        and token.level == 1
        and token.map is not None
        and last.start <= token.map[0] < last.end
    )


def _kramdown_join(doc: Document, start: int, end: int) -> str:
    """How an item joins the list that ends lines [start, end) without changing its HTML.

    kramdown wraps a list item's first paragraph in <p> unless nothing but
    its next item follows it directly; the last item copies the items before
    it (<p> when all of them have one). So a new last item can change how
    the old last item shows: "blank" (a blank line before the new item) keeps
    it, or "tight" (no blank line, when it shows without <p> in a list whose
    items are written so), or "apart": neither does (its paragraph is
    followed directly by more content, in a list whose items all have <p>),
    and the entry must start a list of its own.
    """
    inside = [b for b in doc.blocks if start <= b.start < end and not _is_separator(b)]
    if not inside or inside[-1].kind not in ("bullet_list", "ordered_list"):
        return "blank"
    block = inside[-1]
    firsts: list[tuple[int, str, int]] = []  # per item: its first line, first child, child's end
    for index, token in enumerate(doc.tokens):
        if token.type != "list_item_open" or token.level != 1 or token.map is None:
            continue
        if not block.start <= token.map[0] < block.end:
            continue
        child = doc.tokens[index + 1] if index + 1 < len(doc.tokens) else None
        kind = child.type if child is not None and child.map is not None else ""
        child_end = child.map[1] if child is not None and child.map is not None else token.map[1]
        firsts.append((token.map[0], kind, child_end))
    if not firsts or firsts[-1][1] != "paragraph_open":
        return "blank"  # the last item's HTML has no paragraph of its own to wrap
    starts = [first for first, _, _ in firsts[1:]]
    earlier_tight = [
        kind != "paragraph_open" or child_end >= nxt or not doc.is_blank(child_end)
        for (_, kind, child_end), nxt in zip(firsts[:-1], starts, strict=True)
    ]
    mirrors_loose = bool(earlier_tight) and not any(earlier_tight)
    last_end = firsts[-1][2]
    blank_after = last_end < block.end and doc.is_blank(last_end)
    more_after = last_end < block.end
    shown_bare = not (blank_after and more_after) and not mirrors_loose
    bare_after_blank = more_after and not blank_after
    if bare_after_blank == shown_bare or not earlier_tight:
        # A list of one item has no style of its own yet: entries are separated
        # by a blank line, as in the example post (that item then gets its <p>).
        return "blank"
    return "apart" if mirrors_loose else "tight"


def _ends_with(doc: Document, start: int, end: int, kind: str) -> bool:
    """Whether the last block in lines [start, end), separators aside, is of `kind`."""
    inside = [b for b in doc.blocks if start <= b.start < end and not _is_separator(b)]
    return bool(inside) and inside[-1].kind == kind


def _trailing_qa(doc: Document, start: int, end: int) -> QaStyle | None:
    """The style of the section's `Q.` blocks when its last entry is one (None otherwise).

    The last entry is the last list, or paragraph starting with `Q.`/`Q:`/`Q1.`,
    in lines [start, end): the answers, code and links after a `Q.` block
    belong to it, and so does a list right under its `Q.` or `A.` line.
    """
    blocks = [b for b in doc.blocks if start <= b.start < end]
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.kind in ("bullet_list", "ordered_list"):
            above = blocks[index - 1] if index else None
            # A list right under a `Q.` or `A.` line (no blank line) is its answer.
            if (
                above is None
                or above.kind != "paragraph"
                or above.end != block.start
                or not is_qa_block(doc.lines[above.start])
            ):
                return None
            continue
        if block.kind != "paragraph":
            continue
        if not is_qa_question(doc.lines[block.start]):
            continue
        lines = [line.rstrip("\r\n") for line in doc.lines[start:end]]
        # Its last `Q.` line: a paragraph may hold several (`Q. …` / `A. …` lines).
        last = max(i for i in range(block.start, block.end) if is_qa_question(doc.lines[i]))
        return qa_style(lines, last - start)
    return None


def as_bullet(lines: list[str]) -> list[str]:
    """A numbered entry (`3. …`) as a bullet (`- …`), its other lines moved to the new column."""
    match = re.match(r"\d+[.)] +", lines[0]) if lines else None
    if match is None:
        return lines
    shift = len(match[0]) - 2
    rest = [line[shift:] if not line[:shift].strip() else line for line in lines[1:]]
    return ["- " + lines[0][match.end() :], *rest]


def _last_number(doc: Document, start: int, end: int) -> int:
    """The number of the last item of the last top-level numbered list in [start, end)."""
    last = 0
    depth = 0
    in_range_list = False
    for token in doc.tokens:
        if token.type == "ordered_list_open" and token.level == 0 and token.map is not None:
            in_range_list = start <= token.map[0] < end
            depth = 1
        elif token.type == "ordered_list_close" and token.level == 0:
            depth = 0
        elif (
            depth
            and in_range_list
            and token.type == "list_item_open"
            and token.level == 1
            and token.info.isdigit()
        ):
            last = int(token.info)
    return last


def _created_level(doc: Document, spec: SectionSpec) -> int:
    return min((h.level for h in doc.headings), default=spec.level)


def plan_insert(doc: Document, target: Target, sections: Mapping[str, SectionSpec]) -> InsertPoint:
    """Decide where an entry for `target` goes and which sections to create.

    An existing section gets the entry after its last entry (before its
    first subsection, trailing separators and a document-ending footer).
    A missing subsection is created where the profile's order puts it
    among its parent's subsections (before the first one that comes after
    it, else last); a missing top-level section likewise among the
    top-level sections.
    """
    if target.heading is not None:
        heading = doc.headings[target.heading]
        end = doc.own_end(target.heading)
        line = content_end(doc, heading.end_line, end)
        qa = _trailing_qa(doc, heading.end_line, line)
        if qa is not None:
            return InsertPoint(line, qa.number, (), target.heading, qa=qa)
        bullets = _trailing_bullets(doc, heading.end_line, line)
        join = _kramdown_join(doc, heading.end_line, line)
        if bullets:
            # Two bullet lists need a block between them: "apart" can't be written.
            tight = join == "tight"
            return InsertPoint(line, bullets + 1, (), target.heading, bullet=True, tight=tight)
        number = _last_number(doc, heading.end_line, line) + 1
        ends_list = _ends_with(doc, heading.end_line, line, "ordered_list")
        restart = number > 1 and (not ends_list or join == "apart")
        return InsertPoint(
            line, number, (), target.heading, restart=restart, tight=ends_list and join == "tight"
        )
    spec = target.spec
    assert spec is not None  # a Target names a heading or a spec
    parent = parent_spec(spec, sections)
    if parent is not None:
        parent_index = find_section(doc, parent, sections)
        if parent_index is not None:
            siblings = _sibling_subsections(doc, parent_index, parent, sections)
            later = _later_subsection(
                doc, siblings or doc.children(parent_index), spec, parent, sections
            )
            if later is not None:
                # Where the template puts it: before the subsections it comes before.
                level = doc.headings[later].level
                return InsertPoint(doc.headings[later].line, 1, ((level, spec),), None)
            if siblings:
                # The post keeps its subsections beside the parent: follow suit.
                last = doc.headings[siblings[-1]]
                line = content_end(doc, last.end_line, doc.section_end(siblings[-1]))
                return InsertPoint(line, 1, ((last.level, spec),), None)
            children = doc.children(parent_index)
            parent_level = doc.headings[parent_index].level
            level = doc.headings[children[-1]].level if children else parent_level + 1
            heading = doc.headings[parent_index]
            line = section_close(doc, heading.end_line, doc.section_end(parent_index))
            return InsertPoint(line, 1, ((min(level, 6), spec),), None)
        outer = _plan_top_level(doc, parent, sections)
        level = min(outer.create[0][0] + 1, 6)
        return InsertPoint(outer.line, 1, (*outer.create, (level, spec)), None)
    return _plan_top_level(doc, spec, sections)


def _later_subsection(
    doc: Document,
    existing: list[int],
    spec: SectionSpec,
    parent: SectionSpec,
    sections: Mapping[str, SectionSpec],
) -> int | None:
    """The first of the `existing` subsection headings that the profile orders after `spec`."""
    family = [s.key for s in sections.values() if parent_spec(s, sections) == parent]
    after = set(family[family.index(spec.key) + 1 :]) if spec.key in family else set()
    matcher = matcher_for(sections)
    for index in existing:
        if matcher.key_for(doc.headings[index].text) in after:
            return index
    return None


def _plan_top_level(
    doc: Document, spec: SectionSpec, sections: Mapping[str, SectionSpec]
) -> InsertPoint:
    order = [s for s in sections.values() if parent_spec(s, sections) is None]
    keys = [s.key for s in order]
    position = keys.index(spec.key) if spec.key in keys else len(keys)
    found = {s.key: find_section(doc, s, sections) for s in order if s.key != spec.key}
    levels = [doc.headings[i].level for i in found.values() if i is not None]
    level = levels[0] if levels else _created_level(doc, spec)
    for later in keys[position + 1 :]:
        index = found.get(later)
        if index is not None:
            return InsertPoint(doc.headings[index].line, 1, ((level, spec),), None)
    for earlier in reversed(keys[:position]):
        index = found.get(earlier)
        if index is not None:
            heading = doc.headings[index]
            line = section_close(doc, heading.end_line, doc.section_end(index))
            return InsertPoint(line, 1, ((level, spec),), None)
    return InsertPoint(section_close(doc, 0, len(doc.lines)), 1, ((level, spec),), None)


def next_indent(doc: Document, line: int) -> int:
    """The indentation of the first non-blank line at or after `line` (0 at the end)."""
    for text in doc.lines[line:]:
        if not is_blank_line(text):
            expanded = text.expandtabs(4)
            return len(expanded) - len(expanded.lstrip(" "))
    return 0


def list_content_column(line: str) -> int:
    """The column where a list item's text starts (0 when `line` is not a list item)."""
    match = _LIST_MARKER.match(line)
    return len(match[0]) if match else 0


def fit_marker(lines: list[str], indent_after: int) -> list[str]:
    """Widen the space after the first line's list marker when needed.

    A line indented as far as the item's text would otherwise be pulled
    into the new item; a wider marker gap (rendered the same) keeps it out.
    """
    if not lines:
        return lines
    match = _LIST_MARKER.match(lines[0])
    if match is None or len(match[0]) > indent_after:
        return lines
    gap = indent_after + 1 - len(match[1]) - len(match[2])
    if gap > 4:
        return lines
    # The item's content column moves right: its other lines move with it,
    # so they stay inside it and code keeps its own indentation.
    shift = " " * (len(match[1]) + len(match[2]) + gap - len(match[0]))
    rest = [shift + line if line else line for line in lines[1:]]
    return [match[1] + match[2] + " " * gap + lines[0][match.end() :], *rest]


@dataclass(frozen=True)
class Insertion:
    """Text to insert into a body: at character `offset`, the string `text`.

    The new lines occupy body lines [`line`, `line + line_count`) after the
    insertion; the entry itself starts at `entry_line` and has
    `entry_lines` lines; `created` names the headings written for it.
    """

    offset: int
    text: str
    line: int
    line_count: int
    entry_line: int
    entry_lines: int
    created: tuple[tuple[int, str], ...]


def build_insertion(
    doc: Document, point: InsertPoint, entry: list[str], newline: str, at_line_start: bool = True
) -> Insertion:
    """The text that puts `entry` (lines without endings) at `point`.

    `at_line_start` is False when the text before the body does not end
    with a newline (a front matter fence at the very end of the file).
    """
    entry = fit_marker(entry, next_indent(doc, point.line))
    new: list[str] = []
    if point.line > 0 and not doc.is_blank(point.line - 1) and not point.tight:
        new.append("")
    created: list[tuple[int, str]] = []
    for level, spec in point.create:
        new += ["#" * level + " " + spec.heading, ""]
        created.append((level, spec.heading))
    numbered = re.match(r" {0,3}(\d{1,9})[.)]", entry[0]) if entry else None
    if point.restart and numbered is not None and int(numbered[1]) == point.number:
        # kramdown starts every list at 1 whatever its first number says; an
        # attribute list, alone between blank lines, gives the list its start.
        new += [f'{{: start="{point.number}"}}', ""]
    entry_start = len(new)
    new += entry
    if point.line < len(doc.lines) and not doc.is_blank(point.line):
        new.append("")
    offset = sum(len(line) for line in doc.lines[: point.line])
    previous = doc.lines[point.line - 1] if point.line > 0 else ""
    ending = previous[len(previous.rstrip("\r\n")) :]
    eol = ending or newline
    at_end = point.line >= len(doc.lines)
    if at_end and ((previous and not ending) or (not doc.lines and not at_line_start)):
        # The text ends without a final newline: keep it that way by
        # putting the newline before the new lines instead of after.
        text = eol + eol.join(new)
    else:
        text = "".join(line + eol for line in new)
    return Insertion(
        offset, text, point.line, len(new), point.line + entry_start, len(entry), tuple(created)
    )


def check_insertion(
    before: Document,
    after: Document,
    insertion: Insertion,
    where: str = "the post",
    first_line: int = 1,
    blocks: bool = False,
) -> None:
    """Make sure an insertion changed nothing but added the entry (and created sections).

    `where` names the post and `first_line` is the file's line number of
    the body's first line, for the message. The entry is one list item, or
    with `blocks` (a `Q.` block) top-level blocks that start at its first
    line and all end within it.

    Raises:
        EntryPlacementError: the entry would merge into or swallow other
            Markdown, or the post's headings would change.
    """
    first_new, last_new = insertion.line, insertion.line + insertion.line_count
    added = [(h.level, h.text) for h in after.headings if first_new <= h.line < last_new]
    kept = [(h.level, h.text) for h in after.headings if not first_new <= h.line < last_new]
    if kept == [(h.level, h.text) for h in before.headings] and added == list(insertion.created):
        first = insertion.entry_line
        last = first + insertion.entry_lines
        while last > first and after.is_blank(last - 1):
            last -= 1
        if blocks:
            if _blocks_within(after, first, last):
                return
            raise EntryPlacementError(_placement_problem(before, insertion.line, where, first_line))
        for token in after.tokens:
            if token.map is None or token.nesting == -1 or token.map[0] != first:
                continue
            if token.level > 1 or (token.level == 1 and token.type != "list_item_open"):
                continue
            end = token.map[1]
            while end > first + 1 and after.is_blank(end - 1):
                end -= 1
            if end == last:
                return
    raise EntryPlacementError(_placement_problem(before, insertion.line, where, first_line))


def _blocks_within(doc: Document, first: int, last: int) -> bool:
    """Whether a top-level block starts at `first` and all those in [first, last) end by `last`."""
    touching = [b for b in doc.blocks if b.start < last and b.end > first]
    return bool(touching) and touching[0].start == first and all(b.end <= last for b in touching)


_BLOCK_NAMES = {"fence": "code block", "html_block": "HTML block"}


def _placement_problem(doc: Document, line: int, where: str, first_line: int) -> str:
    # The culprit is the block that runs up to (or past) the insertion point.
    culprit = next(
        (b for b in reversed(doc.blocks) if b.start < line <= b.end and b.kind in _BLOCK_NAMES),
        None,
    )
    if culprit is not None:
        return (
            f"Can't add the entry to {where} without changing its other Markdown: the "
            f"{_BLOCK_NAMES[culprit.kind]} at line {first_line + culprit.start} seems never "
            "closed; close it, or add the entry by hand."
        )
    return (
        f"Can't add the entry to {where} without changing its other Markdown; "
        "check the post for an unclosed code block or HTML comment, or add the entry by hand."
    )
