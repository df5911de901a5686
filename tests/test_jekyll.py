"""A real `jekyll build` of posts studylog wrote: what the reader of the blog sees.

Debian's jekyll 4.3 (kramdown) builds a small site with the `minima` theme in
safe mode with only whitelisted plugins, as GitHub Pages does. The posts are
made by real `studylog` subprocesses in both profiles, with the clock set to
00:30 in Seoul (15:30 UTC the day before) through the `STUDYLOG_NOW` testing
hook, on a machine whose TZ is UTC. The HTML is read with the standard
library's parser: the URL's date, the title, the headings, every question,
answer and review inside its own list item, and no Markdown left as text or
turned into a code block. The 152 corpus posts, each given a question and a
review, must build too. Under CI=true a missing `jekyll` fails these tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build_file_tree, require_program

pytestmark = pytest.mark.slow

STUDYLOG = [sys.executable, "-m", "studylog"]

# 00:30 on 1 March 2024 in Seoul is 15:30 on 29 February in UTC (the system's TZ
# here): another day and another month. Past dates, because Jekyll skips future posts.
SEOUL_0030 = "2024-02-29T15:30:00+00:00"
# 01:00 on 2 March in Seoul is 16:00 on 1 March in UTC.
SEOUL_0100_NEXT_DAY = "2024-03-01T16:00:00+00:00"

SITE_CONFIG = """\
title: Study log
timezone: Asia/Seoul
markdown: kramdown
theme: minima
# GitHub Pages builds in safe mode with whitelisted plugins; minima needs these two.
plugins: [jekyll-feed, jekyll-seo-tag]
whitelist: [jekyll-feed, jekyll-seo-tag]
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
"""

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    """An HTML element: tag, attributes, children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """All the text inside, with runs of white space made one space."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        # Joined as written: syntax highlighting splits code into adjacent spans.
        return " ".join("".join(parts).split())

    def iter(self, tag: str | None = None) -> list[Element]:
        """Every descendant element (document order), optionally of one tag."""
        found: list[Element] = []
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    found.append(child)
                found.extend(child.iter(tag))
        return found

    def ancestors(self) -> list[Element]:
        """The enclosing elements, nearest first."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def texts(self) -> list[tuple[str, Element]]:
        """Every text node inside, with the element that directly holds it."""
        found: list[tuple[str, Element]] = []
        for child in self.children:
            if isinstance(child, str):
                found.append((child, self))
            else:
                found.extend(child.texts())
        return found


class TreeBuilder(HTMLParser):
    """Build an `Element` tree with html.parser (Jekyll's output is well formed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(path: Path) -> Element:
    """The document tree of one generated page."""
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def require_jekyll() -> str:
    """The jekyll program; under CI=true its absence fails the test instead of skipping."""
    return require_program("jekyll", "apt-get install jekyll jekyll-theme-minima")


def studylog(site: Path, *args: str, now: str = SEOUL_0030) -> str:
    """Run studylog in the site with a fixed clock; return stdout, fail on error."""
    env = {**os.environ, "STUDYLOG_NOW": now, "STUDYLOG_NO_PROMPT": "1"}
    result = subprocess.run(
        [*STUDYLOG, *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"studylog {' '.join(args)}: {result.stderr}"
    return result.stdout


def jekyll_build(site: Path, destination: Path | None = None) -> Path:
    """`jekyll build --safe` the site into `destination` (default `_site`); return it."""
    jekyll = require_jekyll()
    destination = destination or site / "_site"
    result = subprocess.run(
        [
            jekyll,
            "build",
            "--safe",
            "--disable-disk-cache",
            "--source",
            str(site),
            "--destination",
            str(destination),
        ],
        cwd=site,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and "minima" in output and os.environ.get("CI") != "true":
        pytest.skip("the minima theme is not installed (apt-get install jekyll-theme-minima)")
    assert result.returncode == 0, f"jekyll build failed:\n{output}"
    assert "Error" not in output and "Warning" not in output, output
    return destination


def post_content(page: Element) -> Element:
    """minima's article body: the Markdown of the post, rendered."""
    for div in page.iter("div"):
        if "post-content" in div.attrs.get("class", "").split():
            return div
    raise AssertionError("no post-content in the page")


MARKDOWN_START = re.compile(r"^(#{1,6}\s|[-*+]\s|\d+\.\s|```|~~~|>\s|<br)")


def assert_no_stray_markdown(content: Element, labels: tuple[str, ...]) -> None:
    """Nothing studylog wrote came out as a code block or as literal Markdown.

    A code block is only allowed inside a list item (an answer may hold a
    fenced snippet) and never holds an entry's label (`답변 :` in a <pre> means
    an indented answer fell out of its list item). Outside list items, no text
    may start with a Markdown marker, which would mean a heading, list or
    separator was not parsed as one.
    """
    for pre in content.iter("pre"):
        assert any(a.tag == "li" for a in pre.ancestors()), f"code block: {pre.text()!r}"
        for label in labels:
            assert label not in pre.text(), f"{label!r} inside a code block: {pre.text()!r}"
    for text, holder in content.texts():
        if any(a.tag in {"li", "pre"} for a in (holder, *holder.ancestors())):
            continue
        for line in text.strip().splitlines():
            assert not MARKDOWN_START.match(line.strip()), (
                f"literal Markdown in <{holder.tag}>: {line!r}"
            )
    assert "&lt;br" not in "".join(t for t, _ in content.texts())


def section_list(content: Element, heading: str, tag: str) -> Element:
    """The list (`ol`/`ul`) that follows the heading `heading` before the next heading."""
    blocks = [c for c in content.children if isinstance(c, Element)]
    start = next(i for i, b in enumerate(blocks) if b.tag[0] == "h" and b.text() == heading)
    for block in blocks[start + 1 :]:
        if block.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            break
        if block.tag == tag:
            return block
    raise AssertionError(f"no <{tag}> under the heading {heading!r}")


def items(lst: Element) -> list[Element]:
    """The list's own items (not those of nested lists)."""
    return [c for c in lst.children if isinstance(c, Element) and c.tag == "li"]


def make_site(tmp_path: Path, profile: str) -> Path:
    """A Jekyll site made a study log by `studylog init`, with a template of its own."""
    site = build_file_tree(
        tmp_path / f"site-{profile}",
        {
            "_config.yml": SITE_CONFIG,
            "index.md": "---\nlayout: home\n---\n",
        },
    )
    studylog(site, "init", "--profile", profile, "--course", PROFILES[profile]["category"])
    # The log's own templates must not be published.
    build_file_tree(site, {"_templates/short.md": "---\ntitle: {{ title | yaml }}\n---\nhi\n"})
    return site


PROFILES = {
    "ko": {
        "title": "[boostcourse] Day1 학습기록",
        "category": "boostcourse",
        "h2": ["학습 내용", "피어세션", "회고록"],
        "h3": ["추가안건", "과제 리뷰", "질문내용"],
        "moderator": "모더레이터 : 서광채",
        "participants": "참가자 : 서광채, 장동건, 김민수",
        "labels": ("답변 :", "님 질문 :", "발표자 :", "→"),
        "question": "{asker}님 질문 : {question}",
        "answer": "답변 : {answer}",
        "review": "{assignment} ({topic}, 발표자 : {presenter})",
        "review_no_topic": "{assignment} (발표자 : {presenter})",
    },
    "en": {
        "title": "Day 1 study log",
        "category": "study-log",
        "h2": ["What I studied", "Peer session", "Retrospective"],
        "h3": ["Agenda", "Homework review", "Questions"],
        "moderator": "Moderator: 서광채",
        "participants": "Participants: 서광채, 장동건, 김민수",
        "labels": ("Answer:", "Question from", "presenter:", "→"),
        "question": "Question from {asker}: {question}",
        "answer": "Answer: {answer}",
        "review": "{assignment} ({topic}, presenter: {presenter})",
        "review_no_topic": "{assignment} (presenter: {presenter})",
    },
}


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_new_posts_build_with_jekyll(tmp_path: Path, profile: str) -> None:
    """`new` at 00:30 in Seoul gives that day's URL, the title and the template's headings."""
    expected = PROFILES[profile]
    site = make_site(tmp_path, profile)
    names = ["--participant", "서광채", "--participant", "장동건", "--participant", "김민수"]
    path1 = studylog(site, "new", "day1", "--moderator", "서광채", *names).strip()
    assert path1 == "_posts/2024-03-01-day1.md"
    path2 = studylog(site, "new", "day2", now=SEOUL_0100_NEXT_DAY).strip()
    assert path2 == "_posts/2024-03-02-day2.md"

    out = jekyll_build(site)

    # Jekyll dates the URL in the site's timezone: the day it was in Seoul.
    page1 = out / expected["category"] / "2024" / "03" / "01" / "day1.html"
    page2 = out / expected["category"] / "2024" / "03" / "02" / "day2.html"
    assert page1.is_file(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    assert page2.is_file()
    assert not (out / ".studylog.yml").exists()
    assert not (out / "_templates").exists() and not list(out.rglob("short*"))

    page = parse_html(page1)
    titles = [h.text() for h in page.iter("h1") if "post-title" in h.attrs.get("class", "")]
    assert titles == [expected["title"]]
    assert page.iter("title")[0].text().startswith(expected["title"])
    times = [t.attrs.get("datetime", "") for t in page.iter("time")]
    assert times and times[0].startswith("2024-03-01T00:00:00+09:00")

    content = post_content(page)
    headings = [(h.tag, h.text()) for h in content.iter() if h.tag in {"h2", "h3"}]
    h2 = [text for tag, text in headings if tag == "h2"]
    h3 = [text for tag, text in headings if tag == "h3"]
    assert h2 == expected["h2"]
    assert h3 == expected["h3"]
    # The table of contents links to the headings by id: each needs a distinct one.
    ids = [h.attrs.get("id", "") for h in content.iter() if h.tag in {"h2", "h3"}]
    assert all(ids) and len(set(ids)) == len(ids)
    paragraphs = [p.text() for p in content.iter("p")]
    assert expected["moderator"] in paragraphs
    assert expected["participants"] in paragraphs
    assert_no_stray_markdown(content, expected["labels"])


# Questions as people ask them in a peer session: the example's own, one with
# two answers, answers holding a code snippet, a `#` comment, a list and a
# separator, and enough of them that the numbers reach two digits.
QUESTIONS = [
    (
        "서광채",
        "batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지",
        ["True로 설정하면 나왔던 숫자가 또 나올 수 있는데, False면 중복 없이 뽑는다"],
    ),
    (
        "장동건",
        "Adam과 SGD 중 무엇을 써야 하나요?",
        ["데이터가 적으면 SGD", "대부분은 Adam으로 시작"],
    ),
    (
        "김민수",
        "np.random.choice 예시가 있나요?",
        ["예시 코드:\n\n```python\n# 복원추출\nnp.random.choice(10, 3, replace=True)\n```\n끝"],
    ),
    ("이지수", "정리하면?", ["정리하면\n- 복원추출: True\n- 비복원추출: False\n---\n# 이상"]),
    *[(f"참가자{n}", f"질문 번호 {n}", [f"답 번호 {n}"]) for n in range(5, 11)],
]
REVIEWS = [
    (
        "선택과제 1",
        "Gradient Descent",
        "장동건",
        ["발표 후 과제 내 수식의 코딩 관련해 피드백", "변수명 정리"],
    ),
    ("필수과제 2", None, "서광채", []),
]

NOTES = [
    ("agenda", "다음 주 발표 순서 정하기"),
    ("retrospective", "오늘은 Gradient Descent를 직접 구현했다"),
    ("retrospective", "내일은 Adam을 정리하자"),
]


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_entries_build_with_jekyll(tmp_path: Path, profile: str) -> None:
    """Each question, answer, review and note added by the commands shows in its own list item."""
    expected = PROFILES[profile]
    site = make_site(tmp_path, profile)
    studylog(site, "new", "day1", "--moderator", "서광채", "--participant", "서광채")
    for asker, question, answers in QUESTIONS:
        args = ["add-question", "--asker", asker, "--question", question]
        for answer in answers:
            args += ["--answer", answer]
        studylog(site, *args)
    for assignment, topic, presenter, feedback in REVIEWS:
        args = ["add-review", "--assignment", assignment, "--presenter", presenter]
        args += ["--topic", topic] if topic else []
        for line in feedback:
            args += ["--feedback", line]
        studylog(site, *args)
    for key, text in NOTES:
        studylog(site, "add", key, text)

    out = jekyll_build(site)
    page = out / expected["category"] / "2024" / "03" / "01" / "day1.html"
    assert page.is_file(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    content = post_content(parse_html(page))

    # The headings are the template's, in order: no answer line became a heading.
    headings = [
        (h.tag, h.text()) for h in content.iter() if h.tag[:1] == "h" and h.tag[1:].isdigit()
    ]
    h2, h3 = expected["h2"], expected["h3"]
    assert headings == [
        ("h2", h2[0]),
        ("h2", h2[1]),
        ("h3", h3[0]),
        ("h3", h3[1]),
        ("h3", h3[2]),
        ("h2", h2[2]),
    ]
    assert content.iter("hr") == []

    questions = items(section_list(content, h3[2], "ol"))
    assert len(questions) == len(QUESTIONS)
    for index, (item, (asker, question, answers)) in enumerate(
        zip(questions, QUESTIONS, strict=True)
    ):
        text = item.text()
        assert expected["question"].format(asker=asker, question=question) in text
        if len(answers) == 1 and "\n" not in answers[0]:
            assert expected["answer"].format(answer=answers[0]) in text
        for answer in answers:
            for line in answer.splitlines():
                words = line.lstrip("#-` ").strip()
                if words and not words.startswith(("python", "---")):
                    assert words in text, f"question {index + 1}: {words!r} not in its item"
        # An answer belongs to its own question only.
        for other, (_, other_question, _) in enumerate(QUESTIONS):
            if other != index:
                assert other_question not in text
    snippet = [pre for pre in content.iter("pre") if "np.random.choice" in pre.text()]
    assert len(snippet) == 1 and questions[2] in snippet[0].ancestors()
    assert "# 복원추출" in snippet[0].text()

    reviews = items(section_list(content, h3[1], "ul"))
    assert len(reviews) == len(REVIEWS)
    for item, (assignment, topic, presenter, feedback) in zip(reviews, REVIEWS, strict=True):
        if topic:
            line = expected["review"].format(
                assignment=assignment, topic=topic, presenter=presenter
            )
        else:
            line = expected["review_no_topic"].format(assignment=assignment, presenter=presenter)
        assert item.text().startswith(line)
        for note in feedback:
            assert f"→ {note}" in item.text()
    agenda = items(section_list(content, h3[0], "ul"))
    assert [li.text() for li in agenda] == [NOTES[0][1]]
    retrospective = items(section_list(content, h2[2], "ul"))
    assert [li.text() for li in retrospective] == [NOTES[1][1], NOTES[2][1]]
    assert_no_stray_markdown(content, expected["labels"])


# minima with no `defaults:`: the post itself must name its layout.
BARE_MINIMA = SITE_CONFIG[: SITE_CONFIG.index("defaults:")]


@pytest.mark.parametrize("course", ["", "AI Tech"])
def test_new_post_renders_in_the_theme(tmp_path: Path, course: str) -> None:
    """With minima and no defaults, a new post is a whole page: <html>, title and CSS."""
    site = build_file_tree(
        tmp_path / "site", {"_config.yml": BARE_MINIMA, "index.md": "---\nlayout: home\n---\n"}
    )
    studylog(site, "init", "--course", course)
    assert studylog(site, "new", "day1").strip() == "_posts/2024-03-01-day1.md"
    out = jekyll_build(site)
    folder = out / "ai tech" if course else out
    page_path = folder / "2024" / "03" / "01" / "day1.html"
    assert page_path.is_file(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    page = parse_html(page_path)
    assert [e.attrs.get("lang") for e in page.iter("html")] == ["en"]
    title = "[AI Tech] Day1 학습기록" if course else "Day1 학습기록"
    assert page.iter("title")[0].text() == f"{title} | Study log"
    sheets = [
        link.attrs["href"] for link in page.iter("link") if link.attrs.get("rel") == "stylesheet"
    ]
    assert sheets == ["/assets/main.css"]
    assert (out / "assets" / "main.css").is_file()
    assert [h.text() for h in page.iter("h1")] == [title]
    assert "defaults" not in page_path.read_text(encoding="utf-8")


def canonical(node: Element | str, pre: bool = False) -> object:
    """An element as nested tuples: tag, sorted attributes, children; layout white space dropped.

    kramdown indents its HTML by nesting depth, and a browser shows a run of
    white space as one space: outside `<pre>` text is compared with its runs
    of white space made one space and its ends trimmed; code exactly.
    """
    if isinstance(node, str):
        return node if pre else " ".join(node.split())
    inside = pre or node.tag == "pre"
    children = [canonical(c, inside) for c in node.children]
    children = [c for c in children if c != ""]
    attrs = dict(node.attrs)
    if node.tag == "script" and attrs.get("type") == "application/ld+json":
        # jekyll-seo-tag prints last_modified_at, which an append sets to today.
        data = json.loads("".join(c for c in node.children if isinstance(c, str)))
        data.pop("dateModified", None)
        children = [json.dumps(data, sort_keys=True)]
    return (node.tag, tuple(sorted(attrs.items())), tuple(children))


def drop(element: Element) -> None:
    """Take `element` out of its parent (by identity: elements compare by value)."""
    assert element.parent is not None
    element.parent.children = [c for c in element.parent.children if c is not element]


def remove_entry(page: Element, markers: tuple[str, ...]) -> list[str]:
    """Take out of `page` the HTML that holds the `markers` (a new entry); say what was taken.

    A marker's entry is its nearest list item, or, for a `Q.` block, each of
    its paragraphs; a list left empty goes too.
    """
    taken: list[str] = []
    for marker in markers:
        holders = [(t, h) for t, h in page.texts() if marker in t]
        if not holders:
            continue
        _, holder = holders[0]
        chain = [holder, *holder.ancestors()]
        block = next((e for e in chain if e.tag == "li"), None)
        if block is None:
            block = next(e for e in chain if e.tag == "p")
        parent = block.parent
        assert parent is not None
        drop(block)
        taken.append(block.tag)
        if block.tag == "li" and not any(
            isinstance(c, Element) and c.tag == "li" for c in parent.children
        ):
            drop(parent)
            taken.append(parent.tag)
    return taken


def remove_created_headings(before: Element, after: Element, created: tuple[str, ...]) -> None:
    """Take out of `after` the headings an append created (the ones `before` lacks)."""
    for text in created:
        old = {h.attrs.get("id") for h in before.iter() if h.tag[:1] == "h" and h.text() == text}
        new = [
            h
            for h in after.iter()
            if h.tag[:1] == "h" and h.tag[1:].isdigit() and h.text() == text
            if h.attrs.get("id") not in old
        ]
        assert len(new) == 1, f"created heading {text!r}: {len(new)} new in the page"
        drop(new[0])


# What else changes on a corpus page, measured, each for a reason. No post is
# refused: all 152 take a question and a review.
#
# A section whose list holds one item: entries are separated by a blank line (as
# in the example post), so kramdown wraps that item's text in <p> (a paragraph
# margin; the text and the structure stay). A longer list keeps its own style.
ONE_ITEM_LISTS = {
    "2021-02-17-bcaitech-ustage-day18.md",
    "2021-02-26-bcaitech-ustage-day25.md",
    "2021-08-04-boostcamp-main-Ustage_Day_2.md",
    "2021-08-12-boostcamp-main-Ustage_Day_9.md",
}
# `### 3-2. [금일 과제 분석]` is written right under a list item with no blank line:
# kramdown's GFM parser reads it into that item (markdown-it, GitHub and studylog
# see a heading). The entry added at the end of section 3-1 ends the list, so
# the heading shows as a heading, and the list after it becomes a list of its own.
SWALLOWED_HEADING = ("2021-08-18-boostcamp-main-Ustage_Day_12.md", "3-2. [금일 과제 분석]")


def unwrap_item_paragraphs(tree: Element) -> None:
    """Replace the <p> that starts a list item by its content (kramdown's loose items)."""
    for li in tree.iter("li"):
        first = next((c for c in li.children if canonical(c) != ""), None)
        if isinstance(first, Element) and first.tag == "p":
            at = next(i for i, c in enumerate(li.children) if c is first)
            li.children[at : at + 1] = first.children


@pytest.mark.corpus
def test_corpus_pages_change_only_by_the_new_entries(tmp_path: Path) -> None:
    """Each of the 152 real posts built before and after one question and one review.

    The posts are copied into one site in tmp_path (never into the project)
    and built twice with real Jekyll: before, and after one question (with an
    answer) and one review (with feedback) were added through the core (300
    subprocesses would take a minute). On every page, the new entries' HTML
    (their list items or `Q.` paragraphs, and any heading created for them)
    is taken out again: what is left must be the page as it was, element for
    element and text for text (only jekyll-seo-tag's dateModified may move,
    with `last_modified_at`). The answer and the feedback sit inside their
    entry's list item or paragraphs.
    """
    from conftest import corpus_posts
    from studylog.entries import Question, Review, append_question, append_review
    from studylog.errors import StudylogError
    from studylog.log import open_log

    posts = corpus_posts()
    site = build_file_tree(tmp_path / "corpus-site", {"_config.yml": SITE_CONFIG})
    (site / "_posts").mkdir()
    for post in posts:
        shutil.copyfile(post, site / "_posts" / post.name)
        (site / "_posts" / post.name).chmod(0o644)
    studylog(site, "init")
    before_dir = jekyll_build(site, destination=tmp_path / "before")

    log = open_log(root=site)
    added: dict[str, tuple[int, tuple[str, ...]]] = {}
    refused: dict[str, str] = {}
    for index, post in enumerate(posts):
        path = site / "_posts" / post.name
        question = Question("검증", f"corpusq{index} 질문", (f"corpusa{index} 답",))
        review = Review(f"corpusr{index} 과제", "검증", "주제", (f"corpusf{index} 피드백",))
        try:
            created = append_question(log, path, question).created
            created += append_review(log, path, review).created
        except StudylogError as err:
            refused[post.name] = str(err)
            continue
        added[post.name] = (index, created)
    assert refused == {}
    after_dir = jekyll_build(site, destination=tmp_path / "after")

    pages = {
        page: page.read_text(encoding="utf-8")
        for page in after_dir.rglob("*.html")
        if page.name != "index.html" or page.parent != after_dir
    }
    problems: list[str] = []
    for name, (index, created) in added.items():
        found = [page for page, html in pages.items() if f"corpusq{index} " in html]
        assert len(found) == 1, f"post {name}: {found}"
        after = parse_html(found[0])
        before = parse_html(before_dir / found[0].relative_to(after_dir))
        for entry, detail in (
            (f"corpusq{index}", f"corpusa{index}"),
            (f"corpusr{index}", f"corpusf{index}"),
        ):
            holders = [li for li in post_content(after).iter("li") if entry in li.text()]
            paragraphs = [p.text() for p in post_content(after).iter("p")]
            in_item = bool(holders) and detail in holders[-1].text()
            in_block = any(entry in text for text in paragraphs) and any(
                detail in text for text in paragraphs
            )
            if not (in_item or in_block):
                problems.append(f"{name}: {detail!r} is not in the entry of {entry!r}")
        markers = (f"corpusq{index}", f"corpusa{index}", f"corpusr{index}", f"corpusf{index}")
        remove_entry(after, markers)
        remove_created_headings(before, after, created)
        if name == SWALLOWED_HEADING[0]:
            holders = [h for h in before.iter("h3") if h.text() == SWALLOWED_HEADING[1]]
            assert [h.parent.tag for h in holders if h.parent] == ["li"]
            shown = [h for h in after.iter("h3") if h.text() == SWALLOWED_HEADING[1]]
            assert [h.parent is post_content(after) for h in shown] == [True]
            continue
        if name in ONE_ITEM_LISTS:
            assert canonical(after) != canonical(before), f"{name} no longer changes"
            unwrap_item_paragraphs(before)
            unwrap_item_paragraphs(after)
        if canonical(after) != canonical(before):
            problems.append(f"{name}: {first_difference(before, after)}")
    print(f"corpus: {len(added)} posts took a question and a review; {len(problems)} changed more")
    assert not problems, f"{len(problems)} pages changed beyond the new entries:\n" + "\n".join(
        problems
    )


def first_difference(before: Element, after: Element) -> str:
    """Where two page trees first differ, for the failure message."""
    old = [c for c in before.children if canonical(c) != ""]
    new = [c for c in after.children if canonical(c) != ""]
    for a, b in zip(old, new, strict=False):
        if canonical(a) == canonical(b):
            continue
        if (
            isinstance(a, Element)
            and isinstance(b, Element)
            and (a.tag, a.attrs) == (b.tag, b.attrs)
        ):
            return first_difference(a, b)
        shown = [x if isinstance(x, str) else f"<{x.tag}> {x.text()[:70]}" for x in (a, b)]
        return f"in <{before.tag}>: {shown[0]!r} became {shown[1]!r}"
    return f"<{before.tag}> had {len(old)} children, has {len(new)}: {after.text()[:100]!r}"


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), (None, pytest.skip.Exception)]
)
def test_missing_jekyll_fails_under_ci(
    ci: str | None, outcome: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without jekyll on PATH the build tests fail under CI=true and skip elsewhere."""
    monkeypatch.setenv("PATH", str(tmp_path))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="jekyll is not installed"):
        require_jekyll()


def test_jekyll_timezone_dates_the_post_when_studylog_yml_has_none(tmp_path: Path) -> None:
    """A site whose timezone is only in `_config.yml` (set after `init`) still dates in Seoul."""
    site = build_file_tree(tmp_path / "site", {"_config.yml": SITE_CONFIG.replace("timezone", "#")})
    studylog(site, "init", "--course", "boostcourse")
    assert "\ntimezone:" not in (site / ".studylog.yml").read_text(encoding="utf-8")
    # The timezone is set in Jekyll's config after init, as a user would add it later.
    (site / "_config.yml").write_text(SITE_CONFIG, encoding="utf-8")
    assert studylog(site, "new", "day1").strip() == "_posts/2024-03-01-day1.md"
    out = jekyll_build(site)
    assert (out / "boostcourse" / "2024" / "03" / "01" / "day1.html").is_file()


def test_unknown_jekyll_timezone_is_one_sentence(tmp_path: Path) -> None:
    site = build_file_tree(tmp_path / "site", {"_config.yml": "title: x\n"})
    studylog(site, "init")
    (site / "_config.yml").write_text("timezone: Asia/Nowhere\n", encoding="utf-8")
    result = subprocess.run(
        [*STUDYLOG, "new", "day1"], cwd=site, capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Asia/Nowhere" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((site / "_posts").iterdir()) == []
