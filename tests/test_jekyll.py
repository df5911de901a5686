"""A real `jekyll build` of posts studylog wrote: what the reader of the blog sees.

Debian's jekyll 4.3 (kramdown) builds a small site with the `minima` theme in
safe mode with only whitelisted plugins, as GitHub Pages does. The posts are
made by real `studylog` subprocesses in both profiles, with the clock set to
00:30 in Seoul (15:30 UTC the day before) through the `STUDYLOG_NOW` testing
hook, on a machine whose TZ is UTC. The HTML is read with the standard
library's parser: the URL's date, the title, the headings, every question,
answer and review inside its own list item, and no Markdown left as text or
turned into a code block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import build_file_tree

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
        return " ".join(" ".join(parts).split())

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


def jekyll_build(site: Path) -> Path:
    """`jekyll build --safe` the site; return the generated folder."""
    jekyll = require_jekyll()
    result = subprocess.run(
        [
            jekyll,
            "build",
            "--safe",
            "--disable-disk-cache",
            "--source",
            str(site),
            "--destination",
            str(site / "_site"),
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
    return site / "_site"


def post_content(page: Element) -> Element:
    """minima's article body: the Markdown of the post, rendered."""
    for div in page.iter("div"):
        if "post-content" in div.attrs.get("class", "").split():
            return div
    raise AssertionError("no post-content in the page")


def assert_no_stray_markdown(content: Element) -> None:
    """Nothing the user wrote came out as a code block or as literal Markdown."""
    assert content.iter("pre") == [], "a code block: an indented line fell out of its list item"
    assert content.iter("code") == []
    for text, holder in content.texts():
        stripped = text.strip()
        if not stripped:
            continue
        for marker in ("<br", "```", "**", "](", "{:"):
            assert marker not in stripped, f"literal Markdown {marker!r} in {stripped!r}"
        first = stripped.splitlines()[0]
        assert not first.startswith(("# ", "## ", "### ", "- ", "* ")) or holder.tag == "li", (
            f"literal Markdown in <{holder.tag}>: {stripped!r}"
        )


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
    studylog(site, "init", "--profile", profile)
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
    },
    "en": {
        "title": "Day 1 study log",
        "category": "study-log",
        "h2": ["What I studied", "Peer session", "Retrospective"],
        "h3": ["Agenda", "Homework review", "Questions"],
        "moderator": "Moderator: 서광채",
        "participants": "Participants: 서광채, 장동건, 김민수",
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
    assert_no_stray_markdown(content)
