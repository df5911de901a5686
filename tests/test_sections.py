"""The document's headings, its sections and the insertion point (studylog.markdown)."""

from __future__ import annotations

import pytest

from studylog.config import PROFILE_SECTIONS, SectionSpec
from studylog.errors import SectionNotFoundError
from studylog.markdown.document import parse_document, split_lines
from studylog.markdown.headings import heading_key
from studylog.markdown.placement import (
    content_end,
    find_section,
    fit_marker,
    list_content_column,
    plan_insert,
    resolve_target,
)

KO = {spec.key: spec for spec in PROFILE_SECTIONS["ko"]}
EN = {spec.key: spec for spec in PROFILE_SECTIONS["en"]}


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("피어세션 👨\u200d👨\u200d👦\u200d👦 👨\u200d👨\u200d👦", "피어세션"),
        ("4. 피어 세션", "피어세션"),
        ("5-1. 질문 내용", "질문내용"),
        ("3) 회고록", "회고록"),
        ("🌞마스터 클래스🌞", "마스터클래스"),
        ("질문\u200b내용", "질문내용"),
        ("  Peer   Session  ", "peersession"),
        ("과제 리뷰 :", "과제리뷰"),
        ("1.2 Questions", "questions"),
        ("️⃣ Q&A", "q&a"),
        ("2021 회고", "2021회고"),
    ],
)
def test_heading_key_ignores_emoji_numbers_and_space(heading: str, expected: str) -> None:
    assert heading_key(heading) == expected


def test_split_lines_counts_like_markdown_it() -> None:
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("a\u2028b\x0cc\n") == ["a\u2028b\x0cc\n"]
    assert split_lines("") == []


def test_document_headings_skip_code_html_lists_and_quotes() -> None:
    text = (
        "# Title\n\n"
        "```python\n# a comment, not a heading\n```\n\n"
        "<div>\n\n# inside html? no: a blank line ends the HTML block\n</div>\n\n"
        "<pre>\n## in pre\n</pre>\n\n"
        "- item\n\n  ## heading inside a list item\n\n"
        "> ## quoted heading\n\n"
        "    ## indented code\n\n"
        "Setext\n------\n\n"
        "## **Bold** `code` [link](x) 🎉\n"
    )
    headings = parse_document(text).headings
    assert [(h.level, h.text) for h in headings] == [
        (1, "Title"),
        (1, "inside html? no: a blank line ends the HTML block"),
        (2, "Setext"),
        (2, "Bold code link 🎉"),
    ]
    setext = headings[2]
    assert (setext.line, setext.end_line) == (text.split("\n").index("Setext"), setext.line + 2)
    assert text[setext.start : setext.end] == "Setext\n------"
    assert text[headings[3].start : headings[3].end] == "## **Bold** `code` [link](x) 🎉"


@pytest.mark.parametrize(
    ("heading", "shown"),
    [
        ("## Q&amp;A", "Q&A"),
        ("## \\# not a heading mark", "# not a heading mark"),
        ("## 1\\. 질문", "1. 질문"),
        ("## $$\\beta$$ and &#44536;", "$$\\beta$$ and 그"),
    ],
)
def test_a_heading_reads_as_the_page_shows_it(heading: str, shown: str) -> None:
    # Escapes and entities are characters of the heading, not markup to drop.
    assert [h.text for h in parse_document(heading + "\n").headings] == [shown]


def test_find_section_by_alias_inside_parent_first() -> None:
    text = (
        "## 질문\n\nnot the peer questions\n\n"
        "## 4. 피어 세션 👨\u200d👨\u200d👦\n\n### 5-1. 질문 내용\n\n1. q\n\n## 회고\n"
    )
    doc = parse_document(text)
    index = find_section(doc, KO["questions"], KO)
    assert index is not None
    assert doc.headings[index].text == "5-1. 질문 내용"
    assert doc.headings[find_section(doc, KO["retrospective"], KO) or 0].text == "회고"


def test_find_section_without_parent_searches_everywhere() -> None:
    doc = parse_document("# Notes\n\n## Q&A\n\n- x\n")
    index = find_section(doc, EN["questions"], EN)
    assert index is not None and doc.headings[index].text == "Q&A"


def test_missing_section_is_none() -> None:
    doc = parse_document("## 학습 내용\n\n## 피어세션\n\n### 과제 리뷰\n")
    assert find_section(doc, KO["questions"], KO) is None


def test_resolve_target_by_key_heading_text_or_error() -> None:
    doc = parse_document("## 🌞마스터 클래스🌞\n\ntext\n\n## 회고록\n")
    assert resolve_target(doc, "마스터 클래스", KO).heading == 0
    assert resolve_target(doc, "회고", KO).spec == KO["retrospective"]
    target = resolve_target(doc, "agenda", KO)
    assert target.spec == KO["agenda"] and target.heading is None
    with pytest.raises(SectionNotFoundError, match="No section 'nothing here'"):
        resolve_target(doc, "nothing here", KO)


def _lines(text: str) -> list[str]:
    return [line.rstrip("\n") for line in split_lines(text)]


def test_content_end_skips_separators_and_a_final_footer() -> None:
    text = (
        "### 질문내용\n\n1. q\n\n    답변 : a\n\n<br>\n\n---\n\n<br>\n<hr>\n<br>\n\n"
        "```\n💡 footer\n```\n"
    )
    doc = parse_document(text)
    assert content_end(doc, 1, len(doc.lines)) == _lines(text).index("    답변 : a") + 1


def test_a_code_block_that_is_content_is_not_a_footer() -> None:
    text = "## 회고록\n\ntext\n\n```\ncode\n```\n\n<br>\n"
    doc = parse_document(text)
    assert content_end(doc, 1, len(doc.lines)) == _lines(text).index("```", 5) + 1


def test_empty_section_inserts_right_after_heading() -> None:
    doc = parse_document("### 질문내용\n\n<br>\n\n## 회고록\n")
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert (point.line, point.number, point.create) == (1, 1, ())


def test_numbering_continues_from_last_item_of_last_list() -> None:
    text = "### 질문내용\n\n1. a\n\n2. b\n\n7. c\n   more\n\n<br>\n\n## 회고록\n"
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert point.number == 8
    assert point.line == _lines(text).index("   more") + 1


def test_missing_subsection_goes_last_in_parent_at_sibling_level() -> None:
    text = (
        "# 학습 내용\n\nx\n\n# 피어 세션\n\n## 토의 내용\n\n- a\n\n<br>\n<hr>\n<br>\n\n"
        "# Today I Felt\n"
    )
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert point.line == _lines(text).index("- a") + 1
    assert [(level, spec.key) for level, spec in point.create] == [(2, "questions")]


@pytest.mark.parametrize(
    ("text", "key", "before"),
    [
        # The template's order under 피어세션 is 추가안건, 과제 리뷰, 질문내용.
        ("## 피어세션\n\nx\n\n### 질문내용\n\n1. q\n\n## 회고록\n", "reviews", "### 질문내용"),
        ("## 피어세션\n\n### 과제 리뷰\n\n- a\n\n### 질문내용\n", "agenda", "### 과제 리뷰"),
        ("## 피어세션\n\nx\n\n## 질문 내용\n\n1. q\n\n## 회고록\n", "reviews", "## 질문 내용"),
    ],
    ids=["reviews-before-questions", "agenda-before-reviews", "beside-the-parent"],
)
def test_missing_subsection_goes_before_the_ones_the_template_puts_after_it(
    text: str, key: str, before: str
) -> None:
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, key, KO), KO)
    assert point.line == _lines(text).index(before)
    level = before.count("#")
    assert [(lvl, spec.key) for lvl, spec in point.create] == [(level, key)]


def test_missing_parent_is_created_in_profile_order() -> None:
    text = "## 학습 내용\n\nx\n\n## 🌞마스터 클래스🌞\n\ny\n\n## 회고록\n\nz\n"
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert point.line == _lines(text).index("## 회고록")
    assert [(level, spec.key) for level, spec in point.create] == [(2, "peer"), (3, "questions")]


def test_missing_top_level_section_after_earlier_one_when_no_later() -> None:
    text = "# 학습 내용\n\nx\n\n# Other\n\ny\n\n<br>\n\n```\nfooter\n```\n"
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "retrospective", KO), KO)
    # 학습 내용's own section ends at "# Other" (same level): after its text.
    assert point.line == _lines(text).index("x") + 1
    assert point.create[0][0] == 1


def test_no_profile_section_at_all_goes_before_the_footer() -> None:
    text = "# Something\n\ntext\n\n<br>\n\n```\nfooter\n```\n"
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "peer", KO), KO)
    assert point.line == _lines(text).index("text") + 1


def test_list_content_column_and_fit_marker() -> None:
    assert list_content_column("1. x") == 3
    assert list_content_column("10. x") == 4
    assert list_content_column("- x") == 2
    assert list_content_column("text") == 0
    assert fit_marker(["1. x", "    y"], 0) == ["1. x", "    y"]
    assert fit_marker(["1. x"], 3) == ["1.  x"]
    assert fit_marker(["- x"], 2) == ["-  x"]


def test_custom_section_spec_is_found_by_alias() -> None:
    sections = {**KO, "notes": SectionSpec("notes", "메모", 2, ("노트",))}
    doc = parse_document("## 노트 📝\n\n- a\n")
    assert find_section(doc, sections["notes"], sections) == 0


def test_parents_that_loop_are_treated_as_top_level() -> None:
    sections = {
        "a": SectionSpec("a", "A", 2, (), parent="b"),
        "b": SectionSpec("b", "B", 2, (), parent="a"),
    }
    doc = parse_document("## B\n\n## A\n")
    assert find_section(doc, sections["a"], sections) == 1
    other = parse_document("## C\n")
    point = plan_insert(other, resolve_target(other, "a", sections), sections)
    assert [spec.key for _, spec in point.create] == ["a"]


def test_subsections_written_beside_their_parent_are_found() -> None:
    text = "## 피어세션\n\nx\n\n## 과제 리뷰\n\n- a\n\n## 질문 내용\n\n1. q\n\n## 회고록\n"
    doc = parse_document(text)
    assert doc.headings[find_section(doc, KO["questions"], KO) or 0].text == "질문 내용"
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert (point.create, point.number) == ((), 2)


def test_a_sibling_after_an_unrelated_section_is_not_a_subsection() -> None:
    doc = parse_document("## 피어세션\n\nx\n\n## 🌞마스터 클래스🌞\n\n## 질문\n\n- q\n")
    assert find_section(doc, KO["questions"], KO) is None


def test_missing_subsection_joins_siblings_written_beside_the_parent() -> None:
    text = "## 피어세션\n\nx\n\n## 과제 리뷰\n\n- a\n\n<br>\n\n## 회고록\n"
    doc = parse_document(text)
    point = plan_insert(doc, resolve_target(doc, "questions", KO), KO)
    assert point.line == _lines(text).index("- a") + 1
    assert [(level, spec.key) for level, spec in point.create] == [(2, "questions")]
