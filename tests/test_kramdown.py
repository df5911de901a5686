"""The kramdown writer: values render in Jekyll as typed, and read back as typed.

The unit tests pin the escapes; the property tests check that reading undoes
writing for any value of the grammar below; the slow tests build real Jekyll
sites (kramdown with GFM input and with plain kramdown input) holding twelve
generated questions each, and read the HTML: the site builds, each value sits
inside its own question's <li>, code is byte-exact in its <pre>, and text
(pipes, colons, `---`, quotes, Liquid) is shown literally.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studylog.jekyll import GFM, KRAMDOWN
from studylog.markdown.kramdown import (
    Dialect,
    escape_inline,
    layout_value,
    protect_liquid,
    read_inline,
    read_value,
    unprotect_liquid,
)

# --- the escapes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("x | y", "x \\| y"),
        ("`a | b` and a|b", "`a | b` and a\\|b"),
        ('it\'s "q"', 'it\\\'s \\"q\\"'),
        ("a -- b --- c", "a \\-\\- b \\-\\-\\- c"),
        ("wait...", "wait\\.\\.\\."),
        ("<< a >>", "\\<\\< a \\>\\>"),
        ("$$x$$", "\\$\\$x\\$\\$"),
        ("note[^1] {: .x}", "note\\[\\^1] \\{\\: .x}"),
        ('<span class="k">kept</span>', '<span class="k">kept</span>'),
        ("already \\| escaped", "already \\| escaped"),
    ],
)
def test_escape_inline(typed: str, written: str) -> None:
    assert escape_inline(typed) == written


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (": not a definition", "\\: not a definition"),
        ("# not a heading", "\\# not a heading"),
        ("#hashtag", "\\#hashtag"),
        ("---", "\\-\\-\\-"),
        ("===", "\\=\\=\\="),
        ("* * *", "\\* \\* \\*"),
        ("*[HTML]: abbreviation", "\\*[HTML]: abbreviation"),
        ("^", "\\^"),
    ],
)
def test_line_start_escapes(typed: str, written: str) -> None:
    value = layout_value([typed], Dialect())
    assert value.lines == (written,)
    assert read_value(list(value.lines)) == [typed]


def test_liquid_is_shown_literally() -> None:
    line = "{{ name }} and {% if ok %} and {%- for x in y -%} and {{a: 1"
    protected = protect_liquid(line)
    assert protected == (
        "{% raw %}{{ name }}{% endraw %} and {% raw %}{% if ok %}{% endraw %} and "
        "{% raw %}{%- for x in y -%}{% endraw %} and {% raw %}{{a: 1{% endraw %}"
    )
    assert unprotect_liquid(protected) == line
    # `{% endraw %}` typed in a value can't end the writer's raw block early.
    tricky = "{% endraw %} then {% raw %}"
    assert unprotect_liquid(protect_liquid(tricky)) == tricky
    assert read_inline(escape_inline("a | {{ b }}")) == "a | {{ b }}"


def test_a_value_starting_with_a_block_is_marked() -> None:
    assert layout_value(["```py", "x", "```"], Dialect()).starts_with_block
    assert layout_value(["- a", "- b"], Dialect()).starts_with_block
    assert layout_value(["> quoted"], Dialect()).starts_with_block
    # Escaped, a heading-looking line is text: it may share the label's line.
    assert not layout_value(["# text"], Dialect()).starts_with_block


def test_plain_kramdown_gets_tilde_fences_and_blank_lines() -> None:
    typed = ["text", "- item", "```py", "~~~ inside", "```"]
    gfm = layout_value(typed, Dialect(GFM))
    # GFM input lets a list interrupt a paragraph, as CommonMark does; a
    # fence after a list item needs a blank line (kramdown would continue
    # the item lazily).
    assert gfm.lines == ("text", "- item", "", "```py", "~~~ inside", "```")
    plain = layout_value(typed, Dialect(KRAMDOWN))
    assert plain.lines == ("text", "", "- item", "", "~~~~ py", "~~~ inside", "~~~~")


def test_keep_writes_liquid_as_typed() -> None:
    value = layout_value(["{{ site.title }}"], Dialect(protect_liquid=False))
    assert value.lines == ("{{ site.title }}",)


# --- the grammar of values ------------------------------------------------------

WORDS = st.sampled_from(
    [
        "텐서",
        "모양은",
        "어떻게",
        "바꾸나요",
        "batch_idx",
        "x | y",
        "a: b",
        "{{ name }}",
        "{% if user %}",
        "{%- for x in y -%}",
        'f"{{x}}"',
        "--",
        "it's",
        '"quoted"',
        "wait...",
        "🙂",
        "👨‍👩‍👧",
        "&",
        "$$",
        "100%",
    ]
)
LINE = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
# A line that kramdown or CommonMark would read as structure if it were not escaped.
TRICKY_LINE = st.sampled_from(["---", ": 콜론으로 시작", "# 제목처럼", "=== 강조", "{: .class}"])
PARAGRAPH = st.tuples(LINE, st.lists(st.one_of(LINE, TRICKY_LINE), max_size=2)).map(
    lambda t: [t[0], *t[1]]
)
CODE_LINE = st.tuples(
    st.sampled_from(["", "  ", "    ", "        ", "\t"]),
    st.sampled_from(
        [
            "x = torch.arange(6)",
            "# 들여쓰기 유지",
            "{{ raw }} | {% tag %}",
            "if a --- b:",
            "return 'é' \"q\"",
            "- not a list",
            "> not a quote",
            "~~~",
        ]
    ),
).map("".join)
FENCE = st.tuples(
    st.sampled_from(["python", "", "sh"]), st.lists(CODE_LINE, min_size=1, max_size=4)
).map(lambda t: [f"```{t[0]}", *t[1], "```"])
BULLETS = st.lists(LINE, min_size=1, max_size=3).map(
    lambda items: [
        f"- {items[0]}",
        *[f"  - {i}" for i in items[1:2]],
        *[f"- {i}" for i in items[2:]],
    ]
)
ORDERED = st.lists(LINE, min_size=2, max_size=3).map(
    lambda items: [f"{n}. {item}" for n, item in enumerate(items, start=1)]
)
QUOTE = st.lists(LINE, min_size=1, max_size=2).map(lambda lines: [f"> {line}" for line in lines])
BLOCK = st.one_of(PARAGRAPH, FENCE, BULLETS, ORDERED, QUOTE)


def _join(blocks: list[list[str]]) -> str:
    return "\n\n".join("\n".join(block) for block in blocks)


VALUE = st.lists(BLOCK, min_size=1, max_size=3).map(_join)


@settings(max_examples=150, deadline=None)
@given(value=VALUE, renderer=st.sampled_from([GFM, KRAMDOWN]))
def test_reading_undoes_writing(value: str, renderer: str) -> None:
    """What was typed comes back (GFM; plain kramdown changes only fence characters)."""
    written = layout_value(value.split("\n"), Dialect(renderer))
    back = "\n".join(read_value(list(written.lines)))
    if renderer == GFM:
        assert back == value
    else:
        # Plain kramdown has no backtick fences, and needs a blank line
        # before a block that follows a paragraph: the rest reads back as typed.
        def content(text: str) -> list[str]:
            return [
                line
                for line in text.split("\n")
                if line and line.lstrip("`~ ") not in ("", "python", "sh")
            ]

        assert content(back) == content(value)


# --- a real Jekyll build --------------------------------------------------------------


def _site_config(renderer: str) -> str:
    from tests.test_jekyll import SITE_CONFIG

    if renderer == KRAMDOWN:
        return SITE_CONFIG + "kramdown:\n  input: kramdown\n"
    return SITE_CONFIG + "kramdown:\n  input: GFM\n  hard_wrap: false\n"


def _raw_text(element: object) -> str:
    from tests.test_jekyll import Element

    assert isinstance(element, Element)
    return "".join(c if isinstance(c, str) else _raw_text(c) for c in element.children)


def _code_blocks(value: str) -> list[str]:
    blocks, current = [], None
    for line in value.split("\n"):
        if current is None and line.startswith("```"):
            current = []
        elif current is not None and line == "```":
            blocks.append("".join(code + "\n" for code in current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _texts(value: str) -> list[str]:
    """The words a reader must see, as typed: every line outside code, without its marker."""
    found, fenced = [], False
    for line in value.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or not line.strip():
            continue
        for marker in ("- ", "  - ", "> ", "1. ", "2. ", "3. "):
            if line.startswith(marker):
                line = line[len(marker) :]
                break
        found.append(" ".join(line.split()))
    return found


def _build_and_check(
    tmp_path: Path, renderer: str, questions: list[str], answers: list[str]
) -> None:
    from studylog.entries import Question, append_question
    from studylog.log import open_log
    from studylog.scaffold import NewPostRequest, create_post, init_log
    from tests.conftest import build_file_tree
    from tests.test_jekyll import items, jekyll_build, parse_html, post_content, section_list

    site = build_file_tree(tmp_path / f"site-{renderer}", {"_config.yml": _site_config(renderer)})
    init_log(site, course="course")
    log = open_log(root=site)
    path = create_post(log, NewPostRequest("day1", date=dt.date(2024, 3, 1)))
    for question, answer in zip(questions, answers, strict=True):
        append_question(log, path, Question("민수", question, (answer,)))
    out = jekyll_build(site, tmp_path / f"out-{renderer}")
    page = parse_html(out / "course" / "2024" / "03" / "01" / "day1.html")
    content = post_content(page)
    lis = items(section_list(content, "질문내용", "ol"))
    assert len(lis) == len(questions)
    for number, (li, question, answer) in enumerate(zip(lis, questions, answers, strict=True), 1):
        text = " ".join(html.unescape(_raw_text(li)).split())
        where = f"question {number} ({renderer})"
        assert f"민수님 질문 : {' '.join(question.split())}" in text, where
        for words in _texts(answer):
            assert words in text, f"{where}: {words!r} not shown as typed in {text!r}"
        codes = sorted(_raw_text(pre) for pre in li.iter("pre"))
        assert codes == sorted(_code_blocks(answer)), where
    headings = [h.text() for h in content.iter() if h.tag[:1] == "h" and h.tag[1:].isdigit()]
    assert headings == ["학습 내용", "피어세션", "추가안건", "과제 리뷰", "질문내용", "회고록"]
    assert content.iter("table") == [] and content.iter("dl") == [] and content.iter("hr") == []


@pytest.mark.slow
@pytest.mark.parametrize("renderer", [GFM, KRAMDOWN])
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_answers_render_as_typed_in_jekyll(
    tmp_path_factory: pytest.TempPathFactory, renderer: str, data: st.DataObject
) -> None:
    """Twelve questions (numbers 1 to 12, so the content column changes) per site."""
    answers = data.draw(st.lists(VALUE, min_size=12, max_size=12), label="answers")
    questions = data.draw(st.lists(LINE, min_size=12, max_size=12, unique=True), label="questions")
    _build_and_check(tmp_path_factory.mktemp("jekyll"), renderer, questions, answers)


@pytest.mark.slow
@pytest.mark.parametrize("renderer", [GFM, KRAMDOWN])
def test_the_issue_s_examples_render_as_typed(tmp_path: Path, renderer: str) -> None:
    """The measured failures of issue 12, each under its own question."""
    answers = [
        '{% if user %} {% include x %} {%- for x in y -%} {{ x }} {{a: 1}} f"{{x}}"',
        "```python\ndef f():\n    return 1\n```",
        "정리하면\n\n- 비트 연산\n  - 정수끼리\n- 집합\n\n1. 먼저\n2. 그다음\n\n> 인용\n> 둘째 줄",
        "x | y\n: 콜론\n정리\n---",
    ] * 3
    questions = [f"질문 {n} | 파이프" for n in range(1, 13)]
    _build_and_check(tmp_path, renderer, questions, answers)


# --- a value a format puts first in the item (issue 15, item 12) ------------------------


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ("1. # 민수님 질문 : ", "1. \\# 민수님 질문 : "),
        ("10. - 민수님 질문 : ", "10. \\- 민수님 질문 : "),
        ("1. 2. 민수님 질문 : ", "1. 2\\. 민수님 질문 : "),
        ("- 3) HW (발표자 : p)", "- 3\\) HW (발표자 : p)"),
        ("- > HW (발표자 : p)", "- \\> HW (발표자 : p)"),
        ("- : HW", "- \\: HW"),
        ("1. 민수님 질문 : ", "1. 민수님 질문 : "),
        ("1. **민수** 질문", "1. **민수** 질문"),
        ("1. #1 민수", "1. \\#1 민수"),
        ("no marker # here", "no marker # here"),
    ],
)
def test_a_list_item_never_starts_with_a_block(line: str, written: str) -> None:
    from studylog.markdown.kramdown import escape_item_start

    assert escape_item_start(line) == written


NAMES_THAT_LOOK_LIKE_BLOCKS = ["# 민수", "- 민수", "1. 민수", "> 민수", ": 민수", "3) 민수"]


def test_names_that_look_like_blocks_read_back_as_typed(log_root: Path) -> None:
    from studylog.entries import Question, Review, append_question, append_review
    from studylog.log import open_log
    from studylog.reader import load_post
    from studylog.scaffold import NewPostRequest, create_post

    log = open_log(log_root)
    path = create_post(log, NewPostRequest("day1", date=dt.date(2024, 3, 1), carry=False))
    for name in NAMES_THAT_LOOK_LIKE_BLOCKS:
        append_question(log, path, Question(name, "q", ()))
        append_review(log, path, Review(name, presenter=name, topic="# t", feedback=("# f",)))
    ref = log.find_post("day1")
    entries = load_post(ref, log.settings).entries
    assert [q.asker for q in entries.questions] == NAMES_THAT_LOOK_LIKE_BLOCKS
    assert [r.assignment for r in entries.reviews] == NAMES_THAT_LOOK_LIKE_BLOCKS
    assert [r.presenter for r in entries.reviews] == NAMES_THAT_LOOK_LIKE_BLOCKS


@pytest.mark.slow
def test_heading_looking_values_render_as_text_in_jekyll(tmp_path: Path) -> None:
    """`add study "# 제목"`, names like `# 민수`: text in their item, never a heading or block."""
    import subprocess
    import sys

    from tests.conftest import build_file_tree
    from tests.test_jekyll import items, jekyll_build, parse_html, post_content, section_list

    site = build_file_tree(tmp_path / "site", {"_config.yml": _site_config(GFM)})

    def studylog(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "studylog", "--root", str(site), *args],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr

    studylog("init", "--course", "course")
    studylog("new", "day1", "--date", "2024-03-01", "--no-carry")
    studylog("add", "study", "# 제목")
    studylog("add", "study", "첫 줄\n# 둘째 줄\n## 셋째 줄")
    for name in NAMES_THAT_LOOK_LIKE_BLOCKS:
        studylog("add-question", "--asker", name, "--question", "# 질문", "--answer", "## 답")
    studylog("add-review", "--assignment", "# HW", "--topic", "# t", "--presenter", "# p",
             "--feedback", "# f")  # fmt: skip
    out = jekyll_build(site, tmp_path / "out")
    content = post_content(parse_html(out / "course" / "2024" / "03" / "01" / "day1.html"))
    headings = [h.text() for h in content.iter() if h.tag[:1] == "h" and h.tag[1:].isdigit()]
    assert headings == ["학습 내용", "피어세션", "추가안건", "과제 리뷰", "질문내용", "회고록"]
    assert content.iter("blockquote") == [] and content.iter("dl") == []
    study = [li.text() for li in items(section_list(content, "학습 내용", "ul"))]
    assert study == ["# 제목", "첫 줄 # 둘째 줄 ## 셋째 줄"]
    questions = items(section_list(content, "질문내용", "ol"))
    for li, name in zip(questions, NAMES_THAT_LOOK_LIKE_BLOCKS, strict=True):
        assert li.text() == f"{name}님 질문 : # 질문 답변 : ## 답"
        assert li.iter("ol") == [] and li.iter("ul") == []
    (review,) = items(section_list(content, "과제 리뷰", "ul"))
    assert review.text() == "# HW (# t, 발표자 : # p) → # f"
