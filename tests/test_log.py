"""Finding the log, listing posts by file name, picking a post, reading DATE and SLUG."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from studylog.errors import (
    DateInvalidError,
    LogNotFoundError,
    PostAmbiguousError,
    PostNotFoundError,
    SlugInvalidError,
)
from studylog.listing import list_summaries
from studylog.log import check_slug, open_log, parse_date
from studylog.scaffold import open_or_create_log

TODAY = dt.date(2021, 8, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-08-01", dt.date(2021, 8, 1)),
        ("today", TODAY),
        ("Yesterday", dt.date(2021, 8, 4)),
        ("tomorrow", dt.date(2021, 8, 6)),
        ("+3", dt.date(2021, 8, 8)),
        ("-5", dt.date(2021, 7, 31)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2021-02-30", "next week", "5", "2021/08/05", ""])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(DateInvalidError, match="YYYY-MM-DD"):
        parse_date(text, TODAY)


@pytest.mark.parametrize("slug", ["day5", "day-5", "회고", "week1_day2"])
def test_good_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", ["a/b", "../x", ".hidden", "a\x00b", "tab\there", "", " day5", "a\\b"]
)
def test_bad_slugs(slug: str) -> None:
    with pytest.raises(SlugInvalidError):
        check_slug(slug)


def test_open_log_finds_config_upwards(log_root: Path) -> None:
    inner = log_root / "_posts"
    log = open_log(cwd=inner)
    assert log.root == log_root.resolve()
    assert not log.created


def test_open_log_without_log_and_without_create_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LogNotFoundError, match="studylog init"):
        open_log(cwd=tmp_path)


def test_open_or_create_log_makes_default_log_in_studylog_home(
    tmp_path: Path, isolated_env: Path
) -> None:
    log = open_or_create_log(cwd=tmp_path)
    assert log.created
    assert log.root == isolated_env / "studylog"
    assert (log.root / ".studylog.yml").is_file()
    assert (log.root / ".git").is_dir()
    assert (log.root / "_posts").is_dir()
    # Second time: found, not created again.
    assert not open_or_create_log(cwd=tmp_path).created


def test_root_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(LogNotFoundError, match="not a folder") as info:
        open_log(root=tmp_path / "missing")
    # The value may come from the environment: the message names both sources.
    assert "STUDYLOG_ROOT" in str(info.value)


def _touch(log_root: Path, *names: str) -> None:
    for name in names:
        path = log_root / "_posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")


def test_posts_are_listed_newest_first_including_subfolders(log_root: Path) -> None:
    _touch(
        log_root,
        "2021-08-02-day1.md",
        "boostcourse/2021-08-04-day3.md",
        "2021-08-03-day2.markdown",
        "notes.md",
        ".2021-08-09-hidden.md",
        "2021-13-01-baddate.md",
    )
    log = open_log(root=log_root)
    assert [ref.slug for ref in log.posts()] == ["day3", "day2", "day1"]


def test_list_and_the_log_walk_the_same_posts(log_root: Path, tmp_path: Path) -> None:
    # One walker: `list`'s scan (with stat) and `Log.posts` take the same files.
    _touch(
        log_root,
        "2021-08-02-day1.md",
        "boostcourse/2021-08-04-day3.md",
        "2021-08-03-day2.markdown",
        "notes.md",
        ".2021-08-09-hidden.md",
        ".drafts/2021-08-10-draft.md",
        "2021-13-01-baddate.md",
        "2021-08-05-folder.md/2021-08-06-inside.md",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2021-08-07-linked.md").write_text("x\n", encoding="utf-8")
    (log_root / "_posts" / "linked").symlink_to(elsewhere)
    log = open_log(root=log_root)
    walked = [summary.path for summary in list_summaries(log.settings)]
    assert walked == [str(ref.path) for ref in log.posts()]
    assert [Path(path).name for path in walked] == [
        "2021-08-06-inside.md",
        "2021-08-04-day3.md",
        "2021-08-03-day2.markdown",
        "2021-08-02-day1.md",
    ]


def test_find_post_by_slug_date_path_and_newest(log_root: Path) -> None:
    _touch(log_root, "2021-08-02-day1.md", "2021-08-03-day2.md")
    log = open_log(root=log_root)
    assert log.find_post(None).slug == "day2"
    assert log.find_post("day1").date == dt.date(2021, 8, 2)
    assert log.find_post("2021-08-02").slug == "day1"
    assert log.find_post(str(log_root / "_posts" / "2021-08-02-day1.md")).slug == "day1"
    assert log.find_post("_posts/2021-08-03-day2.md").slug == "day2"
    with pytest.raises(PostNotFoundError, match="studylog list"):
        log.find_post("day9")


def test_a_date_with_several_posts_asks_for_the_slug(log_root: Path) -> None:
    # Picking one of them silently would add an entry to a post the user didn't mean.
    _touch(log_root, "2021-08-02-day1.md", "2021-08-02-special.md", "2021-08-03-day2.md")
    log = open_log(root=log_root)
    with pytest.raises(PostAmbiguousError, match="day1, special") as info:
        log.find_post("2021-08-02")
    assert "slug" in str(info.value)
    assert log.find_post("2021-08-03").slug == "day2"
    assert log.find_post("special").date == dt.date(2021, 8, 2)


def test_find_post_in_empty_log_says_how_to_start(log_root: Path) -> None:
    with pytest.raises(PostNotFoundError, match="studylog new"):
        open_log(root=log_root).find_post(None)


def test_today_uses_the_log_timezone(tmp_path: Path) -> None:
    (tmp_path / ".studylog.yml").write_text("timezone: Pacific/Kiritimati\n", encoding="utf-8")
    log = open_log(root=tmp_path)
    utc_today = dt.datetime.now(dt.UTC).date()
    # UTC+14: the log's day is always today or tomorrow in UTC, and its offset is +14h.
    assert log.today() in (utc_today, utc_today + dt.timedelta(days=1))
    assert log.now().utcoffset() == dt.timedelta(hours=14)
