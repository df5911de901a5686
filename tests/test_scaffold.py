"""`init_log` and `create_post` in the core: files, defaults, and refusals."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import SAMPLE_POST, SITE_CONFIG_FIXTURE, corpus_file, git
from studylog.errors import PostExistsError, PostWriteError, TemplateRenderError
from studylog.log import open_log
from studylog.scaffold import NewPostRequest, create_post, init_log, make_title

EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u200d\ufe0f]")


def headings(text: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(text)
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            title = EMOJI.sub("", tokens[i + 1].content).strip()
            found.append((int(token.tag[1]), title))
    return found


def front_matter(path: Path) -> tuple[str, dict[str, object]]:
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    return body, yaml.safe_load(fm)


def test_ko_post_has_the_shape_students_write_by_hand(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    init_log(root, profile="ko", course="boostcourse")
    log = open_log(root=root)
    path = create_post(log, NewPostRequest("day4", date=dt.date(2021, 8, 5)))
    assert path == root.resolve() / "_posts" / "2021-08-05-day4.md"
    body, data = front_matter(path)
    example_body, example = front_matter(SAMPLE_POST)
    # The hand-written post's keys, but `defaults:` (meaningful only in _config.yml) is
    # not copied: with no _config.yml giving posts a layout, the post names one.
    assert list(data) == ["layout", *(key for key in example if key != "defaults")]
    assert data["layout"] == "post"
    assert data["categories"] == example["categories"] == ["boostcourse"]
    assert data["tags"] == []
    assert data["date"] == data["last_modified_at"] == dt.date(2021, 8, 5)
    assert data["title"] == "[boostcourse] Day4 학습기록"
    # The hand-written post has one section of its own (멘토링); the rest is the template's.
    expected = [h for h in headings(example_body) if h[1] != "멘토링"]
    assert len(expected) == len(headings(example_body)) - 1
    assert headings(body) == expected
    assert "모더레이터 :" in body and "참가자 :" in body


def test_en_post_has_the_same_shape_in_english(tmp_path: Path) -> None:
    init_log(tmp_path, profile="en")
    log = open_log(root=tmp_path)
    ko_root = tmp_path / "ko"
    init_log(ko_root, profile="ko")
    en_body, en = front_matter(create_post(log, NewPostRequest("day1", date=dt.date(2021, 8, 1))))
    ko_body, ko = front_matter(
        create_post(open_log(root=ko_root), NewPostRequest("day1", date=dt.date(2021, 8, 1)))
    )
    assert list(en) == list(ko)
    assert en["title"] == "Day 1 study log"
    assert [level for level, _ in headings(en_body)] == [level for level, _ in headings(ko_body)]
    assert [t for _, t in headings(en_body)] == [
        "What I studied",
        "Peer session",
        "Agenda",
        "Homework review",
        "Questions",
        "Retrospective",
    ]


def test_title_pattern() -> None:
    date = dt.date(2021, 8, 5)
    assert (
        make_title("[boostcourse] Day{n} 학습기록", "day12", date) == "[boostcourse] Day12 학습기록"
    )
    assert make_title("[{course}] Day{n} 학습기록", "day3", date, "AI") == "[AI] Day3 학습기록"
    # No course: no brackets and no space left behind.
    assert make_title("[{course}] Day{n} 학습기록", "day3", date) == "Day3 학습기록"
    assert make_title("Day{n} ({course})", "day3", date) == "Day3"
    assert make_title("Day {n}", "retro", date) == "retro"
    assert make_title("{slug} on {date}", "retro", date) == "retro on 2021-08-05"


def test_participants_and_moderator_come_from_the_previous_post(log_root: Path) -> None:
    log = open_log(root=log_root)
    create_post(
        log,
        NewPostRequest(
            "day1", date=dt.date(2021, 8, 2), moderator="김준태", participants=("강재현", "김준태")
        ),
    )
    path = create_post(log, NewPostRequest("day2", date=dt.date(2021, 8, 3)))
    body = path.read_text(encoding="utf-8")
    assert "참가자 : 강재현, 김준태\n" in body
    assert "모더레이터 : 김준태\n" in body


def test_roster_and_moderator_rotation(log_root: Path) -> None:
    config = log_root / ".studylog.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("roster: []", "roster: [민수, 지수, 영희]")
        .replace("moderators: []", "moderators: [민수, 지수, 영희]"),
        encoding="utf-8",
    )
    log = open_log(root=log_root)
    first = create_post(log, NewPostRequest("day1", date=dt.date(2021, 8, 2)))
    second = create_post(log, NewPostRequest("day2", date=dt.date(2021, 8, 3)))
    assert "모더레이터 : 민수\n" in first.read_text(encoding="utf-8")
    text = second.read_text(encoding="utf-8")
    assert "모더레이터 : 지수\n" in text
    assert "참가자 : 민수, 지수, 영희\n" in text


def test_existing_slug_at_any_date_is_refused(log_root: Path) -> None:
    log = open_log(root=log_root)
    create_post(log, NewPostRequest("day5", date=dt.date(2021, 8, 5)))
    with pytest.raises(PostExistsError, match="already exists"):
        create_post(log, NewPostRequest("day5", date=dt.date(2021, 9, 1)))
    assert sorted(p.name for p in (log_root / "_posts").iterdir()) == ["2021-08-05-day5.md"]


def test_read_only_posts_folder_is_refused_without_a_file(log_root: Path) -> None:
    posts = log_root / "_posts"
    posts.chmod(0o555)
    try:
        with pytest.raises(PostWriteError, match="read-only"):
            create_post(open_log(root=log_root), NewPostRequest("day5"))
        assert list(posts.iterdir()) == []
    finally:
        posts.chmod(0o755)


def test_broken_template_writes_nothing(log_root: Path) -> None:
    own = log_root / "_templates"
    own.mkdir()
    (own / "bad.md").write_text("---\ntitle: {{ nope }}\n---\n", encoding="utf-8")
    with pytest.raises(TemplateRenderError, match="line 2"):
        create_post(open_log(root=log_root), NewPostRequest("day5", template="bad"))
    assert list((log_root / "_posts").iterdir()) == []


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(SITE_CONFIG_FIXTURE, id="fixture"),
        pytest.param("hongsusoo/_config.yml", id="corpus", marks=pytest.mark.corpus),
    ],
)
def test_init_in_jekyll_site_reads_config_and_never_rewrites_it(
    tmp_path: Path, config: Path | str
) -> None:
    source = config if isinstance(config, Path) else corpus_file(config)
    site_config = source.read_text(encoding="utf-8") + (
        "\njekyll_compose:\n  default_front_matter:\n    posts:\n"
        "      author: me\n      toc: false\n"
    )
    (tmp_path / "_config.yml").write_text(site_config, encoding="utf-8")
    before = (tmp_path / "_config.yml").read_bytes()
    result = init_log(tmp_path)
    assert result.timezone == "Asia/Seoul"
    assert result.created_config and result.created_repository and result.created_posts_dir
    assert (tmp_path / "_config.yml").read_bytes() == before
    path = create_post(open_log(root=tmp_path), NewPostRequest("day1", date=dt.date(2021, 8, 1)))
    _, data = front_matter(path)
    assert data["author"] == "me"
    assert data["toc"] is False  # the configured default wins, as in jekyll-compose
    assert list(data).count("toc") == 1


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    init_log(tmp_path, profile="en")
    snapshot = {
        p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    second = init_log(tmp_path, profile="ko")
    assert not second.changed
    after = {
        p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    assert after == snapshot


def test_init_inside_an_existing_repository_does_not_nest_one(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    blog = tmp_path / "blog"
    result = init_log(blog)
    assert not result.created_repository
    assert not (blog / ".git").exists()


def test_new_file_respects_umask(log_root: Path) -> None:
    old = os.umask(0o027)
    try:
        path = create_post(open_log(root=log_root), NewPostRequest("day5"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_post_without_names_has_no_trailing_spaces(tmp_path: Path, profile: str) -> None:
    init_log(tmp_path, profile=profile)
    path = create_post(open_log(root=tmp_path), NewPostRequest("day1"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line != line.rstrip()] == []


@pytest.mark.parametrize(
    ("config", "layout"),
    [
        ("", "post"),
        ("theme: minima\n", "post"),
        ("remote_theme: mmistakes/minimal-mistakes@4.24.0\n", "single"),
        ("theme: minimal-mistakes-jekyll\n", "single"),
        ("defaults:\n  - scope: {path: '', type: posts}\n    values: {layout: single}\n", None),
        ("defaults:\n  - scope: {path: _posts}\n    values: {layout: post}\n", None),
        # Defaults for pages, or without a layout, leave posts without one.
        ("defaults:\n  - scope: {type: pages}\n    values: {layout: page}\n", "post"),
        ("defaults:\n  - scope: {type: posts}\n    values: {comments: true}\n", "post"),
    ],
)
def test_layout_only_when_config_gives_posts_none(
    tmp_path: Path, config: str, layout: str | None
) -> None:
    """`layout:` is written only when _config.yml's defaults give posts none."""
    root = tmp_path / "site"
    root.mkdir()
    if config:
        (root / "_config.yml").write_text(config, encoding="utf-8")
    init_log(root)
    _, data = front_matter(create_post(open_log(root=root), NewPostRequest("day1")))
    assert data.get("layout") == layout
    assert "defaults" not in data


def test_no_course_means_no_category_and_no_brackets(log_root: Path) -> None:
    text = (log_root / ".studylog.yml").read_text(encoding="utf-8")
    assert 'course: ""' in text
    path = create_post(open_log(root=log_root), NewPostRequest("day2"))
    _, data = front_matter(path)
    assert data["categories"] == []
    assert data["title"] == "Day2 학습기록"


def test_course_is_the_category_and_title_prefix(tmp_path: Path) -> None:
    init_log(tmp_path, course='AI "Tech": 7기')
    _, data = front_matter(create_post(open_log(root=tmp_path), NewPostRequest("day2")))
    assert data["categories"] == ['AI "Tech": 7기']
    assert data["title"] == '[AI "Tech": 7기] Day2 학습기록'


def test_course_of_several_lines_is_refused(tmp_path: Path) -> None:
    from studylog.errors import ConfigError

    with pytest.raises(ConfigError, match="one line"):
        init_log(tmp_path / "x", course="a\nb")
    assert not (tmp_path / "x").exists()
