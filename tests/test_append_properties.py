"""Property tests: any entry text, any surrounding Markdown, nothing else changes.

Posts are assembled from the kinds of blocks real posts hold (headings
with emoji and numbers, fences with `#` lines, HTML blocks, lists,
separators, footers, indented code, quotes) with random line endings, BOM,
trailing spaces and final newline; entries hold arbitrary text. Every
append must keep the invariants `assert_only_inserted` checks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_append_corpus import assert_only_inserted

from studylog.config import PROFILE_FORMATS, PROFILE_SECTIONS
from studylog.entries import (
    Note,
    Question,
    Review,
    TextEdit,
    add_to_text,
    render_note,
    render_qa_question,
    render_question,
    render_review,
)
from studylog.errors import EntryInvalidError, EntryPlacementError
from studylog.markdown.items import QaStyle
from studylog.markdown.placement import as_bullet
from studylog.post import split_post

KO = {spec.key: spec for spec in PROFILE_SECTIONS["ko"]}
FORMATS = PROFILE_FORMATS["ko"]
TODAY = dt.date(2030, 1, 2)

HEADINGS = [
    "## 학습 내용",
    "## 피어세션 👨\u200d👨\u200d👦\u200d👦 👨\u200d👨\u200d👦",
    "# 4. 피어 세션",
    "### 추가안건",
    "### 과제 리뷰",
    "### 질문내용",
    "### 5-1. 질문 내용",
    "## 🌞마스터 클래스🌞",
    "## 회고록",
    "# Today I Felt",
    "#### 세부",
    "Setext 회고록\n-------",
    "   ## 회고록",
    "## 과제 리뷰",
    "## 질문 내용",
    "## 추가안건",
    "  ### 질문내용",
]
BLOCKS = [
    "<br>",
    "<br>\n<hr>\n<br>",
    "---",
    "```\n💡 footer\n```",
    "```python\n# not a heading\n## 질문내용\n```",
    "<div>\n## 질문내용 in html\n</div>",
    "1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답",
    "3. q\n    1. sub\n        more\n\n    2. sub2",
    "- 과제 1 (발표자 : 지수)\n    → 좋았다",
    "- a\n- b\n  - c",
    "    indented code\n    # still code",
    "> quote\n> ## quoted heading",
    "plain text with trailing spaces  ",
    "**bold** line\nsecond line",
    "\t탭 줄",
    "\u3000",
    "* * *",
    "1) other delimiter",
    "   <br>",
    "  ---",
    "<!-- a comment\n\n## 질문내용 -->",
    "10. ten\n\n    답변 : x",
    # Hand-written Q./A. blocks: a question continues them as one more block.
    "Q. 왜?\n\nA. 그래서",
    "Q: 왜?\nA: 그래서",
    "**Q1. 굵게?**\n- 목록 답",
]
TEXT_PIECES = st.sampled_from(
    [
        "#",
        "## h",
        "---",
        "===",
        "```",
        "~~~",
        "- ",
        "* ",
        "1. ",
        "2) ",
        "> ",
        "<!--",
        "-->",
        "<div>",
        "</div>",
        "    ",
        "\t",
        "<br>",
        "|a|b|",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        " ",
        "질문",
        "word",
        "\\",
        "`",
        "*",
        "_",
        "[x]",
        "\u200b",
        "👨\u200d👩",
        "\u3000",
    ]
)
free_text = st.one_of(
    st.lists(TEXT_PIECES, min_size=1, max_size=12).map("".join),
    # Control characters other than tab and line breaks are refused (test_values.py).
    st.text(
        st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"),
        min_size=1,
        max_size=40,
    ),
)
one_line = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t"),
    min_size=1,
    max_size=15,
)


@st.composite
def posts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(HEADINGS + BLOCKS), max_size=14))
    gaps = draw(st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n  \n", "\n"]), min_size=len(pieces)))
    body = ""
    for piece, gap in zip(pieces, gaps, strict=False):
        body += piece + gap
    fm_last = draw(
        st.sampled_from(["", "last_modified_at: 2021-08-05\n", "last_modified_at: '2021-08-05'\n"])
    )
    text = "---\ntitle: x\ntags:\n  - []\n" + fm_last + "---\n" + body
    if draw(st.booleans()):
        text = text.rstrip("\n")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


ENTRIES = st.one_of(
    st.builds(
        lambda a, q, ans: ("questions", Question(a, q, tuple(ans))),
        one_line,
        free_text,
        st.lists(free_text, max_size=3),
    ),
    st.builds(
        lambda a, p, t, f: ("reviews", Review(a, p, t, tuple(f))),
        one_line,
        one_line,
        st.one_of(st.just(""), one_line),
        st.lists(free_text, max_size=2),
    ),
    st.builds(
        lambda s, t: (s, Note(t)),
        st.sampled_from(["retrospective", "agenda", "peer", "study"]),
        free_text,
    ),
)


def _render_qa(entry: object) -> Callable[[QaStyle], list[str]] | None:
    if isinstance(entry, Question):
        return lambda style: render_qa_question(entry, style, FORMATS)
    return None


def _first_line(entry: object, result: TextEdit) -> tuple[str, bool]:
    """The entry's first line as written, and whether it is a `Q.` block."""
    first = _render(entry, result.number)[0]
    if isinstance(entry, Question):
        label = first.split(" ", 1)[1]
        block = re.search(r"^(?:\*\*)?Q\d*[ \t]*[.:] " + re.escape(label), result.inserted, re.M)
        if block is not None:
            return block[0], True
    if as_bullet([first])[0] in result.inserted:
        first = as_bullet([first])[0]  # a section whose entries are bullets
    return first, False


def _render(entry: object, number: int) -> list[str]:
    if isinstance(entry, Question):
        return render_question(entry, number, FORMATS)
    if isinstance(entry, Review):
        return render_review(entry, FORMATS)
    assert isinstance(entry, Note)
    return render_note(entry)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=posts(), bom=st.booleans(), pick=ENTRIES)
def test_any_entry_in_any_post_changes_nothing_else(
    text: str, bom: bool, pick: tuple[str, object]
) -> None:
    section, entry = pick
    try:
        _render(entry, 1)
    except EntryInvalidError:
        assume(False)
    post = split_post(Path("p.md"), ("\ufeff" if bom else "") + text)
    result = add_to_text(post, section, KO, lambda n: _render(entry, n), TODAY, _render_qa(entry))
    first, block = _first_line(entry, result)
    assert_only_inserted(
        post.text,
        result.text,
        result.offset,
        result.inserted,
        first,
        section,
        result.created,
        TODAY.isoformat(),
        blocks=block,
    )


RAW_PIECES = st.sampled_from(
    [
        "## 질문내용\n",
        "### 과제 리뷰\n",
        "## 피어세션\n",
        "# 회고록\n",
        "\n",
        "\r\n",
        "  ",
        "```\n",
        "~~~\n",
        "<!--",
        "-->",
        "<div>\n",
        "<br>\n",
        "---\n",
        "- ",
        "1. ",
        "    ",
        "> ",
        "text ",
        "#",
        "\t",
        "===\n",
        "[ref]: /url\n",
        "Q. ",
        "A: ",
    ]
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(RAW_PIECES, max_size=30).map("".join),
    pick=ENTRIES,
)
def test_arbitrary_markdown_is_never_broken(body: str, pick: tuple[str, object]) -> None:
    """Any body at all: the append keeps the invariants or refuses with a clear error."""
    section, entry = pick
    try:
        _render(entry, 1)
    except EntryInvalidError:
        assume(False)
    post = split_post(Path("p.md"), "---\ntitle: x\n---\n" + body)
    try:
        result = add_to_text(
            post, section, KO, lambda n: _render(entry, n), TODAY, _render_qa(entry)
        )
    except EntryPlacementError:
        return  # refused: nothing would be written
    first, block = _first_line(entry, result)
    assert_only_inserted(
        post.text,
        result.text,
        result.offset,
        result.inserted,
        first,
        section,
        result.created,
        blocks=block,
    )
