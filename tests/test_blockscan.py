"""The markdown-it-free block scanner gives markdown-it's tokens, or declines.

markdown-it is the judge: wherever `scan_blocks` answers, its tokens must
equal markdown-it's block tokens field by field, on every corpus post and on
generated posts (the property tests' grammar and Markdown made of the
pieces CommonMark's block rules turn on). A heading's text taken without
markdown-it must equal its inline parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_append_properties import BLOCKS, HEADINGS, TEXT_PIECES, free_text, posts
from test_speed import make_log, module_names, run_traced

from conftest import corpus_posts
from studylog.markdown import document
from studylog.markdown.blockscan import scan_blocks
from studylog.markdown.document import parse_document
from studylog.post import split_post

FIELDS = ("type", "tag", "nesting", "level", "map", "info", "markup", "content")
JUDGE = MarkdownIt("commonmark").disable("inline")


def fields(tokens: Sequence[Any]) -> list[tuple[object, ...]]:
    return [tuple(getattr(token, name) for name in FIELDS) for token in tokens]


def scanned_as_markdown_it(text: str) -> bool:
    """Whether the scanner answered for `text` (its tokens are then checked against markdown-it)."""
    tokens = scan_blocks(text)
    if tokens is None:
        return False
    assert fields(tokens) == fields(JUDGE.parse(text, {})), repr(text)
    return True


def inline_text(source: str, env: dict[str, Any] | None = None) -> str:
    """A heading's text from markdown-it's inline parse, as `document` reads it."""
    md = document._parser()
    children: list[Any] = []
    md.inline.parse(source, md, env or {}, children)
    return document._plain_text(children)


def headings_as_markdown_it(text: str) -> None:
    """Every heading's text, as `document` takes it, is what markdown-it's inline parse gives."""
    env: dict[str, Any] = {}
    tokens = JUDGE.parse(text, env)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open":
            assert document._heading_text(inline.content, env) == inline_text(inline.content, env)


@pytest.mark.corpus
def test_every_corpus_post_scans_as_markdown_it_parses_it() -> None:
    scanned = 0
    posts_ = corpus_posts()
    for path in posts_:
        body = split_post(path, path.read_text(encoding="utf-8")).body
        scanned += scanned_as_markdown_it(body)
        headings_as_markdown_it(body)
    # Not vacuous: most posts take the scanner's path (the rest have tabs or quotes).
    assert scanned > len(posts_) * 3 // 4


MARKDOWN_PIECES = st.sampled_from(
    [
        *("- ", "  - ", "    - ", "1. ", "  2. ", "10) ", "* ", "+ ", "-", "1."),
        *("```", "````", "~~~", "``` py`", "    ", "  ", "   ", "\n", "\n\n", "\r\n", "\r"),
        *("---", "***", "___", "- - -", "===", "#", "## x", "###### x", "####### x", "# x #"),
        *("#x", "<br>", "<br/>", "<div>", "</div>", "<!--", "-->", "<style>", "</style>"),
        *("<pre>", "<a href='x'>", "<a href=x y>", "<?", "?>", "<!X", "<![CDATA[", "]]>"),
        *("text", "질문", "[a]", "[a]: /u", "![i](x)", "\\", "`", "\u3000", "\u00a0", "\x00"),
    ]
)
LIST_SHAPES = [
    "- a\n\n  b",
    "1. a\n   - b\n\n     c",
    "- ```\n  x\n  ```",
    "-\n  foo",
    "- \n\n  foo",
    "  - a\n - b",
    "1. a\n2. b\n3) c",
    "- a\n+ b",
    "- a\nlazy",
    "1. a\n\n   ```\n   code\n```",
    "two\nlines\n---",
    "[a]: /u\n\n# [a]",
]
MARKDOWN = st.one_of(
    posts(),
    free_text,
    st.lists(st.one_of(TEXT_PIECES, MARKDOWN_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(HEADINGS + BLOCKS + LIST_SHAPES), max_size=12).map("\n".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=MARKDOWN)
def test_generated_markdown_scans_as_markdown_it_parses_it(text: str) -> None:
    scanned_as_markdown_it(text)
    headings_as_markdown_it(text)


@pytest.mark.slow
@settings(max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=MARKDOWN)
def test_much_generated_markdown_scans_as_markdown_it_parses_it(text: str) -> None:
    scanned_as_markdown_it(text)
    headings_as_markdown_it(text)


@pytest.mark.parametrize(
    "text",
    [
        "# a\n\n\tcode with a tab\n",
        "# a\n\n> quoted\n",
        "- item\n  > quoted in a list\n",
        "[label]: https://example.com\n\n# a\n",
        "- [label]:\n  https://example.com\n",
        "Setext heading\n---\n",
        "Setext heading\n===\n",
    ],
)
def test_what_the_scanner_does_not_port_goes_to_markdown_it(text: str) -> None:
    assert scan_blocks(text) is None
    assert parse_document(text).tokens == JUDGE.parse(text, {})


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("4. 피어 세션 👨\u200d👨\u200d👦", "4. 피어 세션 👨\u200d👨\u200d👦"),
        ("4-2. [금일 질문 목록]:", "4-2. [금일 질문 목록]:"),
        ("sort_values & argmax", "sort_values & argmax"),
        ("**굵게** 질문", "굵게 질문"),
        ("[링크](https://example.com) 질문", "링크 질문"),
        ("`code` 질문", "code 질문"),
        ("_강조_ 질문", "강조 질문"),
        ("두 줄\n제목", "두 줄 제목"),
    ],
)
def test_heading_text_with_and_without_inline_markup(source: str, text: str) -> None:
    assert document._heading_text(source, {}) == text == inline_text(source)


def test_add_question_on_a_plain_post_imports_no_markdown_it(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 2)
    trace = run_traced(root, "add-question", "--asker", "지수", "--question", "왜?")
    assert "markdown_it" not in module_names(trace)
    assert "2. 지수님 질문 : 왜?" in (root / "_posts/2021-01-03-day2.md").read_text("utf-8")


def test_add_question_on_a_post_with_a_quote_asks_markdown_it(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 2)
    post = root / "_posts/2021-01-03-day2.md"
    post.write_text(post.read_text("utf-8") + "\n> 인용\n> ## 인용 속 제목\n", "utf-8")
    trace = run_traced(root, "add-question", "--asker", "지수", "--question", "왜?")
    assert "markdown_it" in module_names(trace)
    text = post.read_text("utf-8")
    assert "2. 지수님 질문 : 왜?" in text and text.endswith("> ## 인용 속 제목\n")
