"""The cache of sections and entries behind `search`: the answers it gives, never stale."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, build_file_tree, corpus_posts
from studylog.config import Settings, cache_folder, read_cache, settings_from_mapping, write_cache
from studylog.entry_cache import PRUNE_EVERY_NS, EntryCache
from studylog.log import PostRef, post_ref
from studylog.markdown import extraction
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
    # A folder per log, a record per post in it.
    return sorted((cache_folder() / "entries").glob("*/*.marshal"))


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
    monkeypatch.setattr(extraction, "split_sections", _no_reading)
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

    monkeypatch.setattr(extraction, "split_sections", counting)
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


def test_a_search_answered_from_the_cache_never_imports_the_reader(tmp_path: Path) -> None:
    files = {
        f"_posts/2021-08-0{day}-day{day}.md": (
            "---\ntitle: x\n---\n### 질문내용\n\n"
            f"1. 민수님 질문 : 드롭아웃 {day}\n\n    답변 : 네\n"
        )
        for day in range(1, 4)
    }
    root = build_file_tree(tmp_path, files)
    # A fresh interpreter each time: what `studylog search` imports, seen from inside.
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from studylog.config import settings_from_mapping\n"
        "from studylog.search import SearchQuery, search_log\n"
        f"settings = settings_from_mapping(Path({str(root)!r}), {{}}, source='test')\n"
        "hits = search_log(settings, SearchQuery('드롭아웃'))\n"
        "print([(h.ref.slug, h.line, h.entry.answers) for h in hits])\n"
        "print('studylog.markdown.extraction' in sys.modules)\n"
    )

    def search() -> tuple[str, bool]:
        done = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        )
        hits, imported = done.stdout.splitlines()
        return hits, imported == "True"

    first, read = search()
    assert read  # no records yet: the posts were read into entries
    assert "('day3', 6, ('네',))" in first
    assert search() == (first, False)
    # A changed post (same size) is read again, the reader imported for it alone.
    post = root / "_posts/2021-08-02-day2.md"
    post.write_text(post.read_text(encoding="utf-8").replace("네", "예"), encoding="utf-8")
    changed, read = search()
    assert read
    assert changed == first.replace("('day2', 6, ('네',))", "('day2', 6, ('예',))")
    assert changed != first
    assert search() == (changed, False)


def _stamp_days_ago(folder: Path, days: int) -> None:
    stamp = folder / ".pruned"
    when = time.time_ns() - days * PRUNE_EVERY_NS
    os.utime(stamp, ns=(when, when))


def test_records_of_deleted_posts_are_pruned_once_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"_posts/2021-08-0{day}-day{day}.md": (
            f"---\ntitle: x\n---\n## 질문내용\n\n1. 드롭아웃 {day}?\n"
        )
        for day in range(1, 5)
    }
    root = build_file_tree(tmp_path, files)
    settings = settings_from_mapping(root, {}, source="test")
    query = SearchQuery("드롭아웃")

    def search() -> list[str]:
        refs = [ref for ref in (post_ref(p) for p in (root / "_posts").iterdir()) if ref]
        return [hit.ref.slug for hit in search_posts(refs, settings, query)]

    assert search() == ["day4", "day3", "day2", "day1"]
    records = _records()
    assert len(records) == 4
    folder = records[0].parent
    (root / "_posts/2021-08-01-day1.md").unlink()
    (root / "_posts/2021-08-02-day2.md").rename(root / "_posts/2021-08-02-moved.md")
    # Pruned a moment ago: the stale records stay (nothing is walked for them).
    assert search() == ["day4", "day3", "moved"]
    assert len(_records()) == 5
    # A day later, a search that writes a record prunes the two gone posts'.
    _stamp_days_ago(folder, 1)
    (root / "_posts/2021-08-03-day3.md").write_text(
        "---\ntitle: y\n---\n## 질문내용\n\n1. 드롭아웃 again?\n", encoding="utf-8"
    )
    assert search() == ["day4", "day3", "moved"]
    remaining = _records()
    assert len(remaining) == 3
    assert set(records) - set(remaining) == {
        folder / f"{zlib.crc32(str(root / '_posts' / name).encode()):08x}.marshal"
        for name in ("2021-08-01-day1.md", "2021-08-02-day2.md")
    }
    # A search answered wholly from the records prunes nothing, however late.
    (root / "_posts/2021-08-04-day4.md").unlink()
    _stamp_days_ago(folder, 2)
    assert search() == ["day3", "moved"]
    assert len(_records()) == 3


@pytest.mark.parametrize(
    ("body", "query", "folds_to_itself"),
    [
        # NFKC folds ① to 1: the unfolded text doesn't hold the query.
        ("## 질문내용\n\n1. ①번 드롭아웃은?\n\n## 회고록\n\n①등\n", "1", False),
        # ß folds to ss: offsets don't map, every section is examined.
        ("## 질문내용\n\n1. Straße 드롭아웃은?\n\n## 회고록\n\n드롭아웃 정리\n", "드롭아웃", False),
        # Plain text that folds to itself: searched unfolded once recorded.
        (
            "## 질문내용\n\n1. 드롭아웃 2번은?\n\n    답변 : 2번\n\n## 회고록\n\n2번 정리\n",
            "2번",
            True,
        ),
    ],
)
def test_the_unfolded_look_up_is_taken_only_where_it_finds_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    query: str,
    folds_to_itself: bool,
) -> None:
    root = build_file_tree(tmp_path, {"_posts/2021-08-01-day1.md": f"---\ntitle: x\n---\n{body}"})
    settings = settings_from_mapping(root, {}, source="test")
    ref = post_ref(root / "_posts/2021-08-01-day1.md")
    assert ref is not None
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    expected = search_posts([ref], settings, SearchQuery(query))
    monkeypatch.delenv("STUDYLOG_NO_CACHE")
    assert expected
    assert search_posts([ref], settings, SearchQuery(query)) == expected  # records it
    text = read_post(ref.path).text
    assert EntryCache(settings).folds_to_itself(ref.path, text) is folds_to_itself
    assert search_posts([ref], settings, SearchQuery(query)) == expected  # from the record


def test_every_markdown_module_the_reader_loads_is_in_the_fingerprint(tmp_path: Path) -> None:
    # A module of the reader left out of the stamp would let a changed reader
    # serve the records of the old one (document.py and blockscan.py were,
    # until a heading's text changed in document.py). An answer with a
    # backslash makes the reader parse its blocks, as a real post's may.
    from studylog import entry_cache

    post = tmp_path / "2026-01-05-day5.md"
    post.write_text(
        "---\ntitle: day5\n---\n\n## 피어세션\n\n### 질문내용\n\n"
        "1. 민수님 질문 : 별표는?\n\n    답변 : 별표 \\* 하나\n",
        encoding="utf-8",
    )
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from studylog.config import settings_from_mapping\n"
        "from studylog.markdown.extraction import read_entries\n"
        "settings = settings_from_mapping(Path('/nonexistent'), {}, source='test')\n"
        "entries = read_entries(Path(sys.argv[1]).read_text(encoding='utf-8'), settings)\n"
        "assert [q.answers for q in entries.questions] == [('별표 * 하나',)], entries\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('studylog.markdown.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(post)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = {f"markdown/{name.rsplit('.', 1)[1]}.py" for name in done.stdout.split()}
    assert {"markdown/document.py", "markdown/blockscan.py"} <= loaded
    assert loaded <= set(entry_cache._READER_FILES)
    assert "post.py" in entry_cache._READER_FILES
