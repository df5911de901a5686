"""A new question continues the style of the section it joins, and renders with its number.

A section whose last question is a hand-written `Q.` block gets one more
`Q.` block of the same shape (marker, answer marker, blank line or not,
bold); a bullet list gets the next bullet; a numbered question that can't
continue the section's list (a paragraph the user wrote sits between) gets
a kramdown attribute list, because kramdown numbers every list from 1
whatever its first number says. The fast tests check the Markdown and that
it reads back as given; the slow one builds the posts with a real
`jekyll build` (GFM and plain kramdown input) and reads the HTML.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_file_tree
from studylog.config import PROFILE_FORMATS, PROFILE_SECTIONS, settings_from_mapping
from studylog.entries import (
    Question,
    Review,
    add_to_text,
    render_qa_question,
    render_question,
    render_review,
)
from studylog.markdown.extraction import read_entries
from studylog.post import split_post

KO = {spec.key: spec for spec in PROFILE_SECTIONS["ko"]}
FORMATS = PROFILE_FORMATS["ko"]
SETTINGS = settings_from_mapping(Path("/nonexistent"), {}, source="test")
HEAD = "---\ntitle: t\n---\n## 피어세션\n\n### 질문내용\n\n"
ASKED = Question("민수", "어떻게?", ("이렇게",))


def _add(body: str, question: Question = ASKED) -> tuple[str, str, int]:
    """The post's new text, the inserted text and the question's number."""
    post = split_post(Path("2024-03-01-day1.md"), HEAD + body)
    edit = add_to_text(
        post,
        "questions",
        KO,
        lambda n: render_question(question, n, FORMATS),
        render_qa=lambda style: render_qa_question(question, style, FORMATS),
    )
    return edit.text, edit.inserted, edit.number


@pytest.mark.parametrize(
    ("body", "entry"),
    [
        ("Q. 왜?\n\nA. 그래서\n", "Q. 민수님 질문 : 어떻게?\n\nA. 이렇게\n"),
        ("Q: 왜?\n\nA: 그래서\n", "Q: 민수님 질문 : 어떻게?\n\nA: 이렇게\n"),
        ("Q : 왜?\n\nA : 그래서\n", "Q : 민수님 질문 : 어떻게?\n\nA : 이렇게\n"),
        # The answer on the line right under the question, as jjonhwa writes them.
        ("Q. 왜?\nA. 그래서\nQ. 또?\nA. 또\n", "Q. 민수님 질문 : 어떻게?\nA. 이렇게\n"),
        ("Q1. 왜?\n\nA. 그래서\n", "Q2. 민수님 질문 : 어떻게?\n\nA. 이렇게\n"),
        ("**Q. 왜?**\n\nA. 그래서\n", "**Q. 민수님 질문 : 어떻게?**\n\nA. 이렇게\n"),
        # A list right under the `Q.` line is its answer, not the section's entries.
        ("Q. 왜?\n- 그래서\n- 그리고\n", "Q. 민수님 질문 : 어떻게?\n\nA. 이렇게\n"),
        # What follows a `Q.` block (a picture, code, a link) belongs to it.
        (
            "Q. 왜?\n\n```python\nx = 1\n```\n\nA. 그래서\n\n[참고](https://example.com)\n",
            "Q. 민수님 질문 : 어떻게?\n\nA. 이렇게\n",
        ),
    ],
)
def test_a_question_after_q_blocks_is_a_q_block(body: str, entry: str) -> None:
    text, inserted, number = _add(body)
    assert inserted == "\n" + entry
    assert text == HEAD + body + "\n" + entry
    questions = read_entries(text, SETTINGS).questions
    assert (questions[-1].number, questions[-1].asker) == (number, "민수")
    assert (questions[-1].question, questions[-1].answers) == ("어떻게?", ("이렇게",))
    assert number == len(questions)


def test_a_q_block_keeps_code_and_lookalike_lines_as_typed() -> None:
    answer = (
        "Q. 이건 답의 한 줄\nA: 이것도\n- A. 목록 안\n\n```py\nQ. 코드\n  x = 1\n\n  y = 2\n```"
    )
    question = Question("민수", "어떻게?\nA. 질문의 둘째 줄", (answer, "둘째 답"))
    text, inserted, _ = _add("Q. 왜?\n\nA. 그래서\n", question)
    # A line that would start another question or answer is escaped; code is not.
    assert "\nA. Q. 이건 답의 한 줄\nA\\: 이것도\n- A\\. 목록 안\n" in inserted
    assert "\nA\\. 질문의 둘째 줄\n" in inserted and "\nQ. 코드\n" in inserted
    last = read_entries(text, SETTINGS).questions[-1]
    assert (last.asker, last.question, last.answers) == (
        "민수",
        question.question,
        question.answers,
    )


def test_a_code_fence_left_open_in_a_q_block_is_closed() -> None:
    # At the margin it would run to the end of the post (found by the property test).
    question = Question("민수", "코드:\n```python\nx = 1", ("~~~\ny",))
    text, inserted, _ = _add("Q. 왜?\n\nA. 그래서\n\n## 회고록\n", question)
    assert inserted == "\nQ. 민수님 질문 : 코드:\n```python\nx = 1\n```\n\nA.\n\n~~~\ny\n~~~\n"
    assert text.endswith("\n## 회고록\n")
    last = read_entries(text, SETTINGS).questions[-1]
    assert (last.question, last.answers) == ("코드:\n```python\nx = 1\n```", ("~~~\ny\n~~~",))


def test_a_question_after_bullets_is_the_next_bullet() -> None:
    body = "- 가님 질문 : 하나\n  → 일\n\n- 나님 질문 : 둘\n"
    text, inserted, number = _add(body)
    assert inserted == "\n- 민수님 질문 : 어떻게?\n\n  답변 : 이렇게\n"
    assert number == 3
    assert [q.asker for q in read_entries(text, SETTINGS).questions] == ["가", "나", "민수"]


# How kramdown 2.4 shows the list's last item before and after the append (its
# first paragraph bare, or in <p>), and the Markdown that keeps it so.
@pytest.mark.parametrize(
    ("body", "joined"),
    [
        # A tight list: its last item shows bare; a blank line would give it <p>.
        ("1. 가님 질문 : 하나\n2. 나님 질문 : 둘\n", "2. 나님 질문 : 둘\n3. 민수님"),
        ("- 가님 질문 : 하나\n- 나님 질문 : 둘\n", "- 나님 질문 : 둘\n- 민수님"),
        # A loose list: every item has <p>, the new one comes after a blank line.
        ("1. 가님 질문 : 하나\n\n2. 나님 질문 : 둘\n", "2. 나님 질문 : 둘\n\n3. 민수님"),
        # Items with answers hold a blank line: <p> whatever follows.
        (
            "1. 가님 질문 : 하나\n2. 나님 질문 : 둘\n\n   답변 : 이\n",
            "   답변 : 이\n\n3. 민수님",
        ),
        # One item: no style yet; a blank line, as the example post separates entries.
        ("1. 가님 질문 : 하나\n", "1. 가님 질문 : 하나\n\n2. 민수님"),
        # A loose list whose last item's text is followed directly by a nested
        # list (the example post's question 3): it shows in <p> as the last item,
        # bare once it is not; the new question starts a list of its own.
        (
            "1. 가님 질문 : 하나\n\n2. 나님 질문 : 둘\n   1. 첫째\n   2. 둘째\n",
            '   2. 둘째\n\n{: start="3"}\n\n3. 민수님',
        ),
    ],
)
def test_the_list_s_last_item_keeps_its_html(body: str, joined: str) -> None:
    text, _, _ = _add(body)
    assert joined in text
    assert len(read_entries(text, SETTINGS).questions) == body.count("님 질문") + 1


NUMBERED_THEN_TEXT = "1. 가님 질문 : 하나\n\n   답변 : 일\n\n2. 나님 질문 : 둘\n\n손으로 쓴 문단.\n"


def test_a_numbered_question_after_a_paragraph_gets_its_start() -> None:
    text, inserted, number = _add(NUMBERED_THEN_TEXT)
    assert number == 3
    assert inserted == '\n{: start="3"}\n\n3. 민수님 질문 : 어떻게?\n\n   답변 : 이렇게\n'
    # The next one continues that list: no second attribute list.
    post = split_post(Path("2024-03-01-day1.md"), text)
    again = add_to_text(post, "questions", KO, lambda n: render_question(ASKED, n, FORMATS))
    assert again.number == 4
    assert again.inserted == "\n4. 민수님 질문 : 어떻게?\n\n   답변 : 이렇게\n"
    questions = read_entries(again.text, SETTINGS).questions
    assert [(q.number, q.asker) for q in questions] == [
        (1, "가"),
        (2, "나"),
        (3, "민수"),
        (4, "민수"),
    ]
    assert all("{:" not in q.question + "".join(q.answers) for q in questions)


@pytest.mark.parametrize(
    ("config", "start"),
    [("title: blog\n", True), ("markdown: CommonMarkGhPages\n", False)],
)
def test_the_start_is_written_only_for_kramdown(log_root: Path, config: str, start: bool) -> None:
    # CommonMark starts a list at its first number, and would show the line as text.
    from studylog.entries import append_question
    from studylog.log import open_log

    build_file_tree(
        log_root, {"_config.yml": config, "_posts/2024-03-01-day1.md": HEAD + NUMBERED_THEN_TEXT}
    )
    result = append_question(open_log(root=log_root), log_root / "_posts/2024-03-01-day1.md", ASKED)
    assert result.number == 3
    assert ('{: start="3"}' in result.inserted) is start
    assert result.inserted.endswith("\n3. 민수님 질문 : 어떻게?\n\n   답변 : 이렇게\n")


@pytest.mark.parametrize(
    "body",
    [
        "1. 가님 질문 : 하나\n2. 나님 질문 : 둘\n",  # the list is last: the entry continues it
        "1. 가님 질문 : 하나\n\n<br>\n",  # a separator is no entry
        "손으로 쓴 문단.\n",  # question 1 needs no start
    ],
)
def test_a_question_that_continues_or_starts_at_one_has_no_start(body: str) -> None:
    _, inserted, _ = _add(body)
    assert "{:" not in inserted


def test_a_review_is_never_given_a_start() -> None:
    # A review is a bullet: the section's numbered list has nothing to do with it.
    head = "---\ntitle: t\n---\n## 피어세션\n\n### 과제 리뷰\n\n1. 과제 하나\n\n문단.\n"
    post = split_post(Path("2024-03-01-day1.md"), head)
    review = Review("과제 2", "지수")
    edit = add_to_text(post, "reviews", KO, lambda n: render_review(review, FORMATS))
    assert edit.inserted == "\n- 과제 2 (발표자 : 지수)\n"


# --- a real Jekyll build ------------------------------------------------------------

POSTS = {
    "qa": "Q. 왜?\n\nA. 그래서\n",
    "glued": "Q. 왜?\nA. 그래서\n",
    "bullets": "- 가님 질문 : 하나\n\n  → 일\n",
    "numbered": NUMBERED_THEN_TEXT,
}


@pytest.mark.slow
@pytest.mark.parametrize("kramdown_input", ["GFM", "kramdown"])
def test_each_style_renders_in_jekyll(tmp_path: Path, kramdown_input: str) -> None:
    from test_jekyll import (
        SITE_CONFIG,
        Element,
        items,
        jekyll_build,
        parse_html,
        post_content,
    )

    config = SITE_CONFIG + f"kramdown:\n  input: {kramdown_input}\n  hard_wrap: false\n"
    files = {"_config.yml": config}
    for day, (name, body) in enumerate(POSTS.items(), 1):
        files[f"_posts/2024-03-0{day}-{name}.md"] = HEAD + body
    site = build_file_tree(tmp_path / "site", files)
    env = {**os.environ, "STUDYLOG_NO_PROMPT": "1", "STUDYLOG_NOW": "2024-03-09T00:00:00+00:00"}

    def studylog(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "studylog", *args],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    studylog("init")
    for name in POSTS:
        message = studylog("add-question", "--post", name, "-a", "민수", "-q", "어떻게?")
        assert message.startswith(f"Added question {3 if name == 'numbered' else 2} ")
    studylog("add-question", "--post", "numbered", "-a", "지수", "-q", "또?", "--answer", "또")
    out = jekyll_build(site, tmp_path / "out")

    def content(day: int, name: str) -> list[Element]:
        """The blocks under the post's questions heading."""
        page = out / "2024" / "03" / f"0{day}" / f"{name}.html"
        body = post_content(parse_html(page))
        assert "{:" not in "".join(text for text, _ in body.texts())
        blocks = [c for c in body.children if isinstance(c, Element)]
        return blocks[[b.tag for b in blocks].index("h3") + 1 :]

    qa = content(1, "qa")
    assert [b.tag for b in qa] == ["p"] * 3
    assert qa[2].text() == "Q. 민수님 질문 : 어떻게?"
    glued = content(2, "glued")
    assert [b.tag for b in glued] == ["p", "p"]
    assert glued[1].text() == "Q. 민수님 질문 : 어떻게?"
    bullets = content(3, "bullets")
    assert [b.tag for b in bullets] == ["ul"]
    assert [li.text() for li in items(bullets[0])][1] == "민수님 질문 : 어떻게?"
    numbered = [b for b in content(4, "numbered") if b.tag == "ol"]
    assert [ol.attrs.get("start") for ol in numbered] == [None, "3"]
    assert [li.text().split(" :")[0] for li in items(numbered[1])] == ["민수님 질문", "지수님 질문"]
