"""The cache of sections and entries behind `search`: the answers it gives, never stale."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, corpus_posts
from studylog import entry_cache
from studylog.config import Settings, cache_folder, read_cache, settings_from_mapping, write_cache
from studylog.entry_cache import EntryCache
from studylog.log import PostRef, post_ref
from studylog.markdown.extraction import split_sections
from studylog.post import read_post
from studylog.search import SearchQuery, search_posts

QUERIES = ("질문", "피드백", "GAN", "Transformer", "답변", "과제", "the", "zzz-nothing")


def _log(tmp_path: Path, posts: list[Path]) -> tuple[list[PostRef], Settings]:
    folder = tmp_path / "blog" / "_posts"
    folder.mkdir(parents=True)
    for path in posts:
        (folder / path.name).symlink_to(path)
    settings = settings_from_mapping(tmp_path / "blog", {}, source="test")
    refs = [ref for ref in (post_ref(p) for p in folder.iterdir()) if ref is not None]
    return refs, settings


def _records() -> list[Path]:
    folder = cache_folder() / "entries"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _no_reading(*args: object, **kwargs: object) -> None:
    raise AssertionError("the post was read into entries; the cache should have answered")


@pytest.mark.corpus
def test_cached_and_uncached_search_give_the_same_hits_on_the_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refs, settings = _log(tmp_path, corpus_posts())
    cases = [SearchQuery(text) for text in QUERIES] + [
        SearchQuery("질문", scope="questions"),
        SearchQuery("피드백", scope="reviews"),
        SearchQuery("질문", asker="김"),
        SearchQuery("답변", context=2),
    ]
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    uncached = [search_posts(refs, settings, query) for query in cases]
    assert not _records()
    monkeypatch.delenv("STUDYLOG_NO_CACHE")
    # The first run reads the posts and keeps their records; the second is
    # answered from the records alone (reading a post into entries fails it).
    assert [search_posts(refs, settings, query) for query in cases] == uncached
    assert len(_records()) >= len({hit.ref.path for hits in uncached for hit in hits})
    monkeypatch.setattr(entry_cache, "split_sections", _no_reading)
    assert [search_posts(refs, settings, query) for query in cases] == uncached
    assert sum(len(hits) for hits in uncached) > 100


@pytest.mark.corpus
def test_every_section_and_entry_of_every_corpus_post_comes_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = _log(tmp_path, [])
    for path in corpus_posts():
        post = read_post(path, strict=False)
        monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
        read = EntryCache(settings).sections_touching(path, post.text, post.body_start, None)
        monkeypatch.delenv("STUDYLOG_NO_CACHE")
        stored = EntryCache(settings).sections_touching(path, post.text, post.body_start, None)
        from_cache = EntryCache(settings).sections_touching(path, post.text, post.body_start, None)
        assert stored == read, path.name
        assert from_cache == read, path.name


def _hand_edit(path: Path, old: str, new: str) -> None:
    """Change `old` to `new` (same length in bytes) and put the file's times back exactly."""
    info = path.stat()
    data = path.read_bytes()
    assert len(old.encode()) == len(new.encode()) and old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode(), 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (info.st_size, info.st_mtime_ns)


def test_a_post_edited_by_hand_to_the_same_size_and_time_is_never_served_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "blog" / "_posts"
    folder.mkdir(parents=True)
    post = folder / SAMPLE_POST.name
    post.write_bytes(SAMPLE_POST.read_bytes())
    settings = settings_from_mapping(tmp_path / "blog", {}, source="test")
    ref = post_ref(post)
    assert ref is not None
    query = SearchQuery("픽셀")
    before = search_posts([ref], settings, query)
    assert before and _records()
    # Same size, same modification time to the nanosecond, other bytes: the
    # answer that held the word now holds another of the same length.
    _hand_edit(post, "픽셀", "화소")
    reads: list[int] = []

    def counting(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return split_sections(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(entry_cache, "split_sections", counting)
    after = search_posts([ref], settings, query)
    renamed = search_posts([ref], settings, SearchQuery("화소"))
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    assert after == search_posts([ref], settings, query)
    assert renamed == search_posts([ref], settings, SearchQuery("화소"))
    assert reads, "the edited post was not read again"
    assert not after
    assert len(renamed) == len(before)
    assert renamed[0].entry is not None and "화소" in str(renamed[0].entry)


def test_damaged_foreign_or_outdated_records_are_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "blog" / "_posts"
    folder.mkdir(parents=True)
    post = folder / SAMPLE_POST.name
    post.write_bytes(SAMPLE_POST.read_bytes())
    other = folder / "2021-08-13-other.md"
    other.write_text("---\ntitle: other\n---\n## 묻기\n\n1. 픽셀 크기는?\n", encoding="utf-8")
    settings = settings_from_mapping(tmp_path / "blog", {}, source="test")
    refs = [ref for ref in (post_ref(folder / name) for name in sorted(os.listdir(folder))) if ref]
    query = SearchQuery("픽셀")
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    expected = search_posts(refs, settings, query)
    monkeypatch.delenv("STUDYLOG_NO_CACHE")
    assert search_posts(refs, settings, query) == expected
    first, second = _records()
    # A record under another post's name (two paths may share a crc32).
    first.write_bytes(second.read_bytes())
    assert search_posts(refs, settings, query) == expected
    # A flipped byte.
    data = bytearray(first.read_bytes())
    data[-3] ^= 0x01
    first.write_bytes(bytes(data))
    assert search_posts(refs, settings, query) == expected
    # Not a record at all.
    second.write_bytes(b"not a record")
    assert search_posts(refs, settings, query) == expected
    # The right post, text and reader, but sections of another shape.
    for record in _records():
        stored = marshal.loads(read_cache(record) or b"")
        write_cache(record, marshal.dumps((*stored[:3], [("only", "two")])))
    assert search_posts(refs, settings, query) == expected
    # Records of other section settings: with the questions heading renamed
    # to the other post's `## 묻기`, the same text holds another question.
    renamed = settings_from_mapping(
        tmp_path / "blog", {"sections": {"questions": {"heading": "묻기"}}}, source="test"
    )
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    expected_renamed = search_posts(refs, renamed, SearchQuery("픽셀", scope="questions"))
    monkeypatch.delenv("STUDYLOG_NO_CACHE")
    assert expected_renamed != search_posts(refs, settings, SearchQuery("픽셀", scope="questions"))
    assert search_posts(refs, renamed, SearchQuery("픽셀", scope="questions")) == expected_renamed


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "blog" / "_posts"
    folder.mkdir(parents=True)
    (folder / SAMPLE_POST.name).write_bytes(SAMPLE_POST.read_bytes())
    settings = settings_from_mapping(tmp_path / "blog", {}, source="test")
    ref = post_ref(folder / SAMPLE_POST.name)
    assert ref is not None
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    assert search_posts([ref], settings, SearchQuery("픽셀"))
    assert not (cache_folder() / "entries").exists()
