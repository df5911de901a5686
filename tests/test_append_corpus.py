"""Every real post in ../shared/corpus takes a question and a review, and nothing else changes.

For each of the 152 posts: the file minus the inserted text (and the
`last_modified_at` line) is byte-identical to before; the entry sits inside
the intended section when the result is parsed again; the document's
top-level headings are unchanged or gain exactly the created sections.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from conftest import CORPUS, corpus_posts
from studylog.config import PROFILE_FORMATS, PROFILE_SECTIONS, SectionSpec
from studylog.entries import (
    Note,
    Question,
    Review,
    add_to_text,
    append_note,
    append_question,
    append_review,
    render_question,
)
from studylog.log import open_log
from studylog.markdown.document import parse_document, split_lines
from studylog.markdown.headings import matcher_for, spec_names
from studylog.post import split_post

KO = {spec.key: spec for spec in PROFILE_SECTIONS["ko"]}
FORMATS = PROFILE_FORMATS["ko"]


def assert_only_inserted(
    old: str,
    new: str,
    offset: int,
    inserted: str,
    entry_first_line: str,
    section_key: str,
    created: tuple[str, ...],
    today: str | None = None,
    sections: Mapping[str, SectionSpec] | None = None,
    blocks: bool = False,
) -> None:
    """Check the invariants of one append on texts without BOM.

    `old` and `new` are the texts before and after; `offset`/`inserted`
    what the append reports; `entry_first_line` the entry's first line as
    rendered; `section_key` the section it was meant for; `blocks`: the
    entry is top-level blocks (a `Q.` block), not one list item.
    """
    specs = sections or KO
    # 1. The insertion is whole lines, and removing it gives back the old text
    #    apart from last_modified_at.
    assert new[offset : offset + len(inserted)] == inserted
    assert offset == 0 or new[offset - 1] in "\r\n" or inserted[:1] in ("\r", "\n")
    assert inserted.endswith(("\n", "\r")) or offset + len(inserted) == len(new)
    rest = new[:offset] + new[offset + len(inserted) :]
    old_lines, rest_lines = old.split("\n"), rest.split("\n")
    assert len(old_lines) == len(rest_lines)
    old_post = split_post(Path("old.md"), old)
    fm_end_line = old[: old_post.body_start].count("\n")
    for i, (a, b) in enumerate(zip(old_lines, rest_lines, strict=True)):
        if a != b:
            assert i < fm_end_line and a.startswith("last_modified_at"), (i, a, b)
            if today is not None:
                assert today in b
    # 2. The headings: the old ones, plus exactly the created ones in the new lines.
    new_post = split_post(Path("new.md"), new)
    before = parse_document(old_post.body)
    after = parse_document(new_post.body)
    body_offset = offset - new_post.body_start
    if body_offset < 0:
        # Inserted right after a closing fence that ended the file: the
        # first newline belongs to the fence line.
        inserted = inserted[-body_offset:]
        body_offset = 0
    first_new = len(split_lines(new_post.body[:body_offset]))
    last_new = len(split_lines(new_post.body[: body_offset + len(inserted)]))
    added = [h for h in after.headings if first_new <= h.line < last_new]
    kept = [h for h in after.headings if not first_new <= h.line < last_new]
    assert [(h.level, h.text) for h in kept] == [(h.level, h.text) for h in before.headings]
    assert tuple(h.text for h in added) == created
    # 3. The entry starts a list item (or a top-level block) inside the section.
    marker, _, rest_of_line = entry_first_line.partition(" ")
    # The gap after the list marker may have been widened (see sections.fit_marker).
    found = re.search(re.escape(marker) + " {1,4}" + re.escape(rest_of_line), inserted)
    assert found, (entry_first_line, inserted)
    start = body_offset + found.start()
    entry_line = len(split_lines(new_post.body[:start]))
    owner = [h for h in after.headings if h.line < entry_line][-1]
    spec = specs[section_key]
    # The section the heading matchers name (`### 질문사항`, `## 코드 리뷰 - 과제 2`
    # match by containing a name), the one the reader reads entries from.
    assert matcher_for(specs).key_for(owner.text) == section_key, (owner.text, section_key)
    if spec.parent and created:
        # A created subsection sits below its parent (after the parent's other
        # subsections), or beside it, after subsections written at its level.
        parent_names = spec_names(specs[spec.parent])
        earlier = [h for h in after.headings if h.line < owner.line and h.level <= owner.level]
        while earlier and earlier[-1].level == owner.level and earlier[-1].key not in parent_names:
            earlier.pop()
        assert earlier and earlier[-1].key in parent_names, (owner.text, earlier[-1:])
    next_heading = [h.line for h in after.headings if h.line > entry_line]
    entry_end = len(split_lines(new_post.body[: body_offset + len(inserted.rstrip())]))
    assert not next_heading or entry_end <= next_heading[0]
    starts = [
        t
        for t in after.tokens
        if t.map
        and t.map[0] == entry_line
        and t.nesting != -1
        and (t.level == 0 or (t.level == 1 and t.type == "list_item_open"))
    ]
    assert starts, f"no block starts at the entry's line {entry_line}"
    if blocks:
        # Every top-level block from the entry's first line on ends inside it.
        inside = [b for b in after.blocks if entry_line <= b.start < entry_end]
        assert inside and inside[0].start == entry_line
        assert all(b.end <= entry_end for b in inside), (inside, entry_end)
        return
    item = starts[-1]
    assert item.map is not None
    item_end = item.map[1]
    while item_end > entry_line + 1 and after.is_blank(item_end - 1):
        item_end -= 1
    assert item_end == entry_end, (item_end, entry_end)


# One test per post, listed at collection. Without the corpus the one
# "missing" test stands in, so the `corpus` marker skips it (or fails it under
# CI=true) instead of pytest quietly collecting nothing.
POST_PATHS = (
    sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md") if CORPUS.is_dir() else []
)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "post", POST_PATHS or [None], ids=lambda p: f"{p.parent.name}/{p.name}" if p else "missing"
)
def test_corpus_post_takes_a_question_and_a_review(post: Path | None, tmp_path: Path) -> None:
    assert post is not None
    # A bare log (no git repository): the append needs nothing more.
    log_root = tmp_path
    (log_root / ".studylog.yml").write_text("profile: ko\n", encoding="utf-8")
    (log_root / "_posts").mkdir()
    path = log_root / "_posts" / post.name
    shutil.copyfile(post, path)
    log = open_log(root=log_root)
    today = log.today().isoformat()
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")

    def text() -> str:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") == bom
        return data.decode("utf-8").removeprefix("\ufeff")

    old = text()
    question = Question(
        "민수", "왜 그런가요?\n## not a heading\n---", ("see below\n```py\nx = 1\n```",)
    )
    result = append_question(log, path, question)
    new = text()
    first = f"{result.number}. 민수님 질문 : 왜 그런가요?"
    qa_block = re.search(
        r"^(?:\*\*)?Q\d*[ \t]*[.:] 민수님 질문 : 왜 그런가요\?", result.inserted, re.M
    )
    if qa_block is not None:
        # A post whose last question is a hand-written `Q.` block gets one more.
        first = qa_block[0]
    elif first not in result.inserted:
        # A post whose questions are bullets gets the next bullet.
        first = "- 민수님 질문 : 왜 그런가요?"
    assert_only_inserted(
        old,
        new,
        result.offset,
        result.inserted,
        first,
        "questions",
        result.created,
        today,
        blocks=qa_block is not None,
    )
    result = append_review(log, path, Review("과제 1", "지수", "GD", ("좋았다\n- 그리고",)))
    newer = text()
    assert_only_inserted(
        new,
        newer,
        result.offset,
        result.inserted,
        "- 과제 1 (GD, 발표자 : 지수)",
        "reviews",
        result.created,
        today,
    )
    result = append_note(log, path, "retrospective", Note("오늘은\n# 여기도 항목 안"))
    assert_only_inserted(
        newer, text(), result.offset, result.inserted, "- 오늘은", "retrospective", result.created
    )


@pytest.mark.corpus
@pytest.mark.parametrize(
    "post", POST_PATHS or [None], ids=lambda p: f"{p.parent.name}/{p.name}" if p else "missing"
)
def test_corpus_post_with_crlf_and_bom_keeps_them(post: Path | None) -> None:
    assert post is not None
    text = post.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    parsed = split_post(post, "\ufeff" + text)
    question = Question("민수", "Q\n```\nunclosed fence", ("A",))
    edit = add_to_text(parsed, "questions", KO, lambda n: render_question(question, n, FORMATS))
    assert "\n" not in edit.text.replace("\r\n", "")
    first = f"{edit.number}. 민수님 질문 : Q"
    if first not in edit.inserted:
        first = "- 민수님 질문 : Q"  # the post's questions are bullets
    assert_only_inserted(
        text, edit.text, edit.offset, edit.inserted, first, "questions", edit.created
    )


@pytest.mark.corpus
def test_the_whole_corpus_is_there() -> None:
    assert len(corpus_posts()) == len(POST_PATHS) == 152


def test_the_checker_catches_a_misplaced_entry() -> None:
    old = "---\nt: x\n---\n## 피어세션\n\n### 질문내용\n\n## 회고록\n"
    entry = "1. 민수님 질문 : Q\n"
    offset = old.index("## 회고록\n") + len("## 회고록\n")
    new = old[:offset] + "\n" + entry
    with pytest.raises(AssertionError):
        assert_only_inserted(old, new, offset, "\n" + entry, entry.strip(), "questions", ())
    changed = new.replace("t: x", "t: y")
    with pytest.raises(AssertionError):
        assert_only_inserted(old, changed, offset, "\n" + entry, entry.strip(), "retrospective", ())
