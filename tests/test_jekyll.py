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

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build_file_tree

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
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        message = "jekyll is not installed; apt-get install jekyll jekyll-theme-minima"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the real build).")
        pytest.skip(message)
    return jekyll


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


@pytest.mark.corpus
def test_corpus_posts_with_entries_still_build(tmp_path: Path) -> None:
    """A question and a review added to each of the 152 real posts render in their lists.

    The posts are copied into a site in tmp_path (never into the project),
    built before and after the appends (through the core, for speed: 300
    subprocesses would take a minute): each new entry is in a list item with
    its answer or feedback, no code block appears, and every heading the post
    had is still there, in order.
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
    studylog(site, "init")
    before_dir = jekyll_build(site, destination=tmp_path / "before")

    log = open_log(root=site)
    added: dict[int, Path] = {}
    refused: list[str] = []
    for index, post in enumerate(posts):
        path = site / "_posts" / post.name
        question = Question("검증", f"corpusq{index} 질문", (f"corpusa{index} 답",))
        review = Review(f"corpusr{index} 과제", "검증", "주제", (f"corpusf{index} 피드백",))
        try:
            append_question(log, path, question)
            append_review(log, path, review)
        except StudylogError as err:
            refused.append(f"{post.name}: {err}")
            continue
        added[index] = path
    # studylog may refuse a post it can't change safely, but not many real ones.
    print(f"corpus: {len(added)} added, {len(refused)} refused", refused)
    assert len(added) >= 0.9 * len(posts), refused
    after_dir = jekyll_build(site, destination=tmp_path / "after")

    pages = {
        page: page.read_text(encoding="utf-8")
        for page in after_dir.rglob("*.html")
        if page.name != "index.html" or page.parent != after_dir
    }
    problems: list[str] = []
    for index in added:
        found = [page for page, html in pages.items() if f"corpusq{index} " in html]
        assert len(found) == 1, f"post {posts[index].name}: {found}"
        page = found[0]
        after = post_content(parse_html(page))
        before = post_content(parse_html(before_dir / page.relative_to(after_dir)))
        name = posts[index].name
        checks = [
            (f"corpusq{index}", f"corpusa{index}"),
            (f"corpusr{index}", f"corpusf{index}"),
        ]
        for entry, detail in checks:
            holders = [li for li in after.iter("li") if entry in li.text()]
            if not holders or detail not in holders[-1].text():
                problems.append(f"{name}: {detail!r} is not in the list item of {entry!r}")
        if len(after.iter("pre")) != len(before.iter("pre")):
            problems.append(f"{name}: the entries made a code block")
        old = [h.text() for h in before.iter() if h.tag[:1] == "h" and h.tag[1:].isdigit()]
        new = [h.text() for h in after.iter() if h.tag[:1] == "h" and h.tag[1:].isdigit()]
        kept = iter(new)
        if not all(any(text == later for later in kept) for text in old):
            problems.append(f"{name}: headings changed: {old} -> {new}")
    assert not problems, "\n".join(problems)


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
