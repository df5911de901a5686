"""`list`'s cache: what it answers alone, and each way back to reading the posts.

A warm `list` stamps every file and takes each post's line from the cache;
when every file has its record and the same files are there as last time,
it keeps the order it saved too. These tests make each of the other cases
happen (a post gone, renamed, swapped for a file that is not a post, one
that can't be read for a moment, a terminal listing in between) and check
the answer against the posts on disk.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import studylog.listing as listing
from studylog.config import Settings, load_settings, read_cache
from studylog.errors import PostReadError
from studylog.listing import (
    list_lines,
    list_summaries,
    newest_summaries,
    post_cache_path,
    reader_fingerprint,
    save_post_cache,
)

POST = "---\ntitle: {title}\n---\n## 피어세션\n\n### 질문내용\n\n1. 가님 질문 : 하나\n"


def age(path: Path, seconds: float = 10) -> None:
    """Make a file look written `seconds` ago, past the racy window."""
    stamp = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))


def write_post(root: Path, name: str, title: str) -> Path:
    path = root / "_posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(title=title), encoding="utf-8")
    age(path)
    return path


@pytest.fixture
def three(log_root: Path) -> Settings:
    """A log of three old posts, listed once (the cache is warm)."""
    for day in (1, 2, 3):
        write_post(log_root, f"2021-08-0{day}-day{day}.md", f"Day {day}")
    settings = load_settings(log_root)
    list_lines(settings)
    return settings


def slugs_and_titles(settings: Settings) -> list[tuple[str, str | None]]:
    return [(s.slug, s.title) for s in list_summaries(settings)]


def test_a_warm_list_reads_no_post_and_gives_the_same_lines(
    three: Settings, reads: list[str]
) -> None:
    first = list_lines(three)
    assert [line.split("\t")[:3] for line in first.lines] == [
        ["2021-08-03", "day3", "Day 3"],
        ["2021-08-02", "day2", "Day 2"],
        ["2021-08-01", "day1", "Day 1"],
    ]
    assert list_lines(three) == first and reads == []


def test_a_deleted_post_leaves_the_list(three: Settings, reads: list[str]) -> None:
    (three.posts_path / "2021-08-02-day2.md").unlink()
    assert slugs_and_titles(three) == [("day3", "Day 3"), ("day1", "Day 1")]
    assert reads == []
    assert [line.split("\t")[1] for line in list_lines(three).lines] == ["day3", "day1"]


def test_a_renamed_post_is_listed_under_its_new_name(three: Settings, reads: list[str]) -> None:
    old = three.posts_path / "2021-08-02-day2.md"
    old.rename(three.posts_path / "2021-08-09-day9.md")
    assert slugs_and_titles(three) == [("day9", "Day 2"), ("day3", "Day 3"), ("day1", "Day 1")]
    assert reads == ["day9"]


def test_a_post_swapped_for_a_file_that_is_not_a_post(three: Settings, reads: list[str]) -> None:
    """As many files as before, none of them unknown to the cache but one: not the same files."""
    (three.posts_path / "2021-08-02-day2.md").unlink()
    (three.posts_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    assert slugs_and_titles(three) == [("day3", "Day 3"), ("day1", "Day 1")]
    assert reads == []


def test_files_that_are_not_posts_do_not_turn_the_cache_off(
    three: Settings, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (three.posts_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    (three.posts_path / "2021-13-01-baddate.md").write_text("x\n", encoding="utf-8")
    list_lines(three)
    cache = post_cache_path("list", three)
    assert cache is not None
    written = cache.stat().st_mtime_ns
    # Nothing changed: the answer comes from the cache, which is not rewritten.
    monkeypatch.setattr(listing, "save_post_cache", lambda *a: pytest.fail("rewritten"))
    assert [s.slug for s in list_summaries(three)] == ["day3", "day2", "day1"]
    assert reads == [] and cache.stat().st_mtime_ns == written
    # One of them gone, a post in its place: the post is read and listed.
    monkeypatch.undo()
    (three.posts_path / "notes.md").unlink()
    write_post(three.root, "2021-08-04-day4.md", "Day 4")
    assert [s.slug for s in list_summaries(three)] == ["day4", "day3", "day2", "day1"]


def test_a_post_edited_by_hand_shows_its_new_title(three: Settings, reads: list[str]) -> None:
    post = three.posts_path / "2021-08-02-day2.md"
    post.write_text(POST.format(title="Day 2, edited by hand"), encoding="utf-8")
    assert list_lines(three).lines[1].startswith("2021-08-02\tday2\tDay 2, edited by hand\t")
    assert reads == ["day2"]


def test_a_post_that_could_not_be_read_is_not_remembered_as_gone(
    three: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (three.posts_path / "2021-08-02-day2.md").write_text(POST.format(title="New"), "utf-8")
    age(three.posts_path / "2021-08-02-day2.md")
    summarize = listing.summarize_post

    def unreadable(ref: object, settings: Settings) -> object:
        if ref.slug == "day2":  # type: ignore[attr-defined]
            raise PostReadError("Can't read it (Permission denied); check its permissions.")
        return summarize(ref, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(listing, "summarize_post", unreadable)
    assert [s.slug for s in list_summaries(three)] == ["day3", "day1"]
    # Readable again with the same size and time: it is back.
    monkeypatch.undo()
    assert slugs_and_titles(three) == [("day3", "Day 3"), ("day2", "New"), ("day1", "Day 1")]


def test_a_terminal_listing_between_two_pipes_keeps_them_true(
    three: Settings, reads: list[str]
) -> None:
    """The terminal reads the newest posts into the cache; the next pipe must agree with disk."""
    post = three.posts_path / "2021-08-03-day3.md"
    post.write_text(POST.format(title="Day 3, edited"), encoding="utf-8")
    age(post)
    (three.posts_path / "2021-08-01-day1.md").unlink()
    write_post(three.root, "2021-08-05-day5.md", "Day 5")
    shown, total = newest_summaries(three, 2)
    assert [(s.slug, s.title) for s in shown] == [("day5", "Day 5"), ("day3", "Day 3, edited")]
    assert total == 3
    assert reads == ["day5", "day3"]
    lines = list_lines(three)
    assert [line.split("\t")[1:3] for line in lines.lines] == [
        ["day5", "Day 5"],
        ["day3", "Day 3, edited"],
        ["day2", "Day 2"],
    ]
    assert reads == ["day5", "day3"]
    assert lines.paths == [str(three.posts_path / f"2021-08-0{d}-day{d}.md") for d in (5, 3, 2)]


def test_a_racy_post_is_read_again_until_it_is_old(log_root: Path, reads: list[str]) -> None:
    post = log_root / "_posts" / "2021-08-01-day1.md"
    post.write_text(POST.format(title="Fresh"), encoding="utf-8")
    settings = load_settings(log_root)
    assert slugs_and_titles(settings) == [("day1", "Fresh")]
    assert slugs_and_titles(settings) == [("day1", "Fresh")]
    assert reads == ["day1", "day1"]
    age(post)
    list_lines(settings)
    list_lines(settings)
    assert reads == ["day1", "day1", "day1"]


def test_a_cache_of_another_shape_is_not_used(log_root: Path, reads: list[str]) -> None:
    """A cache with records but no order (the shape before this one) is a miss, not a crash."""
    post = write_post(log_root, "2021-08-01-day1.md", "Real")
    settings = load_settings(log_root)
    info = post.stat()
    record = (info.st_mtime_ns, info.st_size, "Stale", None, 0, 0)
    save_post_cache(
        post_cache_path("list", settings), reader_fingerprint(settings), {str(post): record}
    )
    assert slugs_and_titles(settings) == [("day1", "Real")]
    assert reads == ["day1"]


def test_the_saved_order_holds_every_record(three: Settings) -> None:
    """The invariant the warm path leans on: no record outside the order."""
    (three.posts_path / "2021-08-02-day2.md").unlink()
    newest_summaries(three, 1)
    list_lines(three)
    cache = post_cache_path("list", three)
    assert cache is not None
    stored = read_cache(cache)
    assert stored is not None
    data = marshal.loads(stored)
    assert set(data["posts"]) <= set(data["order"])
    assert data["order"] == [str(three.posts_path / f"2021-08-0{d}-day{d}.md") for d in (3, 1)]


def test_no_cache_lists_the_same(three: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = list_lines(three)
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    assert list_lines(three) == cached
    assert newest_summaries(three, 5)[0] == list_summaries(three)


def test_piped_output_with_and_without_git_states(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines a pipe gets: `-` outside git, `clean` or the state inside it."""
    write_post(log_root, "2021-08-01-day1.md", "  Spaced\tout  title ")
    write_post(log_root, "2021-08-02-day2.md", "Two")

    def listed() -> str:
        result = subprocess.run(
            [sys.executable, "-m", "studylog", "--root", str(log_root), "list"],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    expected = "2021-08-02\tday2\tTwo\t1\t0\t{}\n2021-08-01\tday1\tSpaced out title\t1\t0\t{}\n"
    # git can't find the repository: no git column to fill, `-` on every line.
    monkeypatch.setenv("GIT_DIR", str(log_root / "no-repository-here"))
    assert listed() == expected.format("-", "-")
    monkeypatch.delenv("GIT_DIR")
    subprocess.run(["git", "add", "_posts"], cwd=log_root, check=True)
    subprocess.run(["git", "commit", "-qm", "posts"], cwd=log_root, check=True)
    assert listed() == expected.format("clean", "clean")
    (log_root / "_posts" / "2021-08-02-day2.md").write_text(POST.format(title="Two"), "utf-8")
    with (log_root / "_posts" / "2021-08-02-day2.md").open("a", encoding="utf-8") as post:
        post.write("\n")
    assert listed() == expected.format("modified", "clean")
