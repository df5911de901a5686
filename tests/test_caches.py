"""Caches are checked, not trusted (issue 11, item 7).

The settings cache and the list cache carry a checksum and obey git's
"racily clean" rule; an unusable cache folder means no cache, not a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studylog.config import cache_file, load_settings, read_cache, write_cache
from studylog.listing import list_summaries

POST = "---\ntitle: {title}\ndate: 2021-08-05\n---\n## 피어세션\n\n### 질문내용\n\n## 회고록\n"


def studylog(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def age(path: Path, seconds: float = 10) -> None:
    """Make a file look written `seconds` ago, past the racy window."""
    stamp = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))


def cache_files(prefix: str) -> list[Path]:
    folder = cache_file("x")
    assert folder is not None
    return sorted(folder.parent.glob(f"{prefix}-*.marshal"))


def flip_a_byte_in(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def test_a_flipped_byte_in_the_settings_cache_is_not_trusted(log_root: Path) -> None:
    (log_root / ".studylog.yml").write_text("posts_dir: _posts\n", encoding="utf-8")
    age(log_root / ".studylog.yml")
    load_settings(log_root)
    (cached,) = cache_files("settings")
    flip_a_byte_in(cached, b"_posts", b"_postz")
    assert load_settings(log_root).posts_dir == "_posts"
    (log_root / "_posts" / "2021-08-05-day4.md").write_text(POST.format(title="t"))
    listed = studylog(log_root, "list")
    assert listed.returncode == 0 and "day4" in listed.stdout, listed.stderr


def test_a_flipped_byte_in_the_list_cache_is_not_trusted(log_root: Path) -> None:
    post = log_root / "_posts" / "2021-08-05-day4.md"
    post.write_text(POST.format(title="Alpha"), encoding="utf-8")
    age(post)
    assert [s.title for s in list_summaries(load_settings(log_root))] == ["Alpha"]
    (cached,) = cache_files("list")
    flip_a_byte_in(cached, b"Alpha", b"Omega")
    assert [s.title for s in list_summaries(load_settings(log_root))] == ["Alpha"]


def test_a_same_size_edit_within_one_timestamp_tick_is_seen(log_root: Path) -> None:
    """A 1-second-timestamp file system: the edit keeps size and mtime; racy-git rule."""
    post = log_root / "_posts" / "2021-08-05-day4.md"
    tick = (time.time_ns() // 1_000_000_000) * 1_000_000_000
    post.write_text(POST.format(title="Alpha"), encoding="utf-8")
    os.utime(post, ns=(tick, tick))
    settings = load_settings(log_root)
    assert [s.title for s in list_summaries(settings)] == ["Alpha"]
    post.write_text(POST.format(title="Omega"), encoding="utf-8")
    os.utime(post, ns=(tick, tick))
    assert [s.title for s in list_summaries(settings)] == ["Omega"]


def test_an_old_unchanged_post_is_served_from_the_cache(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The racy rule must not turn the cache off: an old file is not read again."""
    import studylog.listing as listing

    post = log_root / "_posts" / "2021-08-05-day4.md"
    post.write_text(POST.format(title="Alpha"), encoding="utf-8")
    age(post)
    settings = load_settings(log_root)
    list_summaries(settings)
    monkeypatch.setattr(listing, "summarize_post", lambda *a: pytest.fail("re-read"))
    assert [s.title for s in list_summaries(settings)] == ["Alpha"]


def test_read_cache_refuses_torn_or_foreign_data(tmp_path: Path) -> None:
    cache = tmp_path / "c" / "x.marshal"
    write_cache(cache, b"payload")
    assert read_cache(cache) == b"payload"
    cache.write_bytes(cache.read_bytes()[:-1])
    assert read_cache(cache) is None
    cache.write_bytes(b"payload")
    assert read_cache(cache) is None


@pytest.mark.parametrize("how", ["file", "read-only"])
def test_an_unusable_cache_folder_means_no_cache(log_root: Path, how: str) -> None:
    folder = cache_file("x")
    assert folder is not None
    folder = folder.parent
    folder.parent.mkdir(parents=True, exist_ok=True)
    if how == "file":
        folder.write_text("not a folder\n", encoding="utf-8")
    else:
        folder.mkdir()
        folder.chmod(0o500)
    (log_root / "_posts" / "2021-08-05-day4.md").write_text(POST.format(title="t"))
    try:
        for args in (["list"], ["list"], ["new", "day9"], ["show"], ["stats"]):
            result = studylog(log_root, *args)
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    finally:
        if how == "read-only":
            folder.chmod(0o700)


def test_a_terminal_listing_reads_only_the_newest_posts_and_keeps_the_cache(
    log_root: Path, reads: list[str]
) -> None:
    import studylog.listing as listing

    for day in range(1, 8):
        post = log_root / "_posts" / f"2021-08-{day:02d}-day{day}.md"
        post.write_text(POST.format(title=f"Day {day}"), encoding="utf-8")
        age(post)
    settings = load_settings(log_root)
    read = reads
    shown, total = listing.newest_summaries(settings, 3)
    assert [s.slug for s in shown] == ["day7", "day6", "day5"] and total == 7
    assert read == ["day7", "day6", "day5"]
    # The whole list reads the other four, and the three from the cache.
    assert [s.slug for s in list_summaries(settings)][:4] == ["day7", "day6", "day5", "day4"]
    assert read[3:] == ["day4", "day3", "day2", "day1"]
    # A second terminal listing finds all three in the cache, and the whole
    # cache is still there for the next `list`.
    shown, _ = listing.newest_summaries(settings, 3)
    assert len(read) == 7 and len(shown) == 3
    list_summaries(settings)
    assert len(read) == 7
