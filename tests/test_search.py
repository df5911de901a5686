"""Search: normalised, case-insensitive matching; each hit names its post and entry."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, build_file_tree, corpus_file, corpus_posts
from studylog.config import Settings, settings_from_mapping
from studylog.errors import SearchQueryError
from studylog.log import PostRef, post_ref
from studylog.markdown.extraction import QuestionEntry, ReviewEntry
from studylog.search import (
    SearchQuery,
    find_spans,
    is_caseless,
    iter_search_log,
    normalize,
    search_log,
    search_posts,
)

HAS_RG = shutil.which("rg") is not None


@pytest.fixture
def corpus_log(tmp_path: Path) -> tuple[list[PostRef], Settings]:
    """Every corpus post, linked into one posts folder."""
    posts = tmp_path / "blog" / "_posts"
    posts.mkdir(parents=True)
    for path in corpus_posts():
        (posts / path.name).symlink_to(path)
    settings = settings_from_mapping(tmp_path / "blog", {}, source="test")
    refs = [ref for ref in (post_ref(p) for p in posts.iterdir()) if ref is not None]
    return refs, settings


def run(refs: list[PostRef], settings: Settings, text: str, **kwargs: object) -> list:  # type: ignore[type-arg]
    return search_posts(refs, settings, SearchQuery(text, **kwargs))  # type: ignore[arg-type]


@pytest.mark.corpus
def test_known_phrase_is_found_in_the_right_post_and_entry(
    corpus_log: tuple[list[PostRef], Settings],
) -> None:
    refs, settings = corpus_log
    hits = run(refs, settings, "replace에서 True")
    assert len(hits) == 1
    (hit,) = hits
    assert hit.ref.path.name == "2021-08-05-BoostCourse_day4.md"
    assert hit.kind == "question"
    assert isinstance(hit.entry, QuestionEntry)
    assert (hit.entry.number, hit.entry.asker) == (1, "서광채")
    assert hit.line == 64
    assert hit.text[slice(*hit.spans[0])] == "replace에서 True"


@pytest.mark.corpus
def test_matching_ignores_case_and_hangul_composition(
    corpus_log: tuple[list[PostRef], Settings],
) -> None:
    refs, settings = corpus_log
    plain = run(refs, settings, "복원추출")
    decomposed = run(refs, settings, unicodedata.normalize("NFD", "복원추출"))
    assert plain and [(h.ref, h.line) for h in decomposed] == [(h.ref, h.line) for h in plain]
    upper = run(refs, settings, "REPLACE에서 TRUE")
    assert [h.ref.path.name for h in upper] == ["2021-08-05-BoostCourse_day4.md"]


def test_decomposed_text_in_a_post_matches_a_composed_query(tmp_path: Path) -> None:
    body = unicodedata.normalize("NFD", "### 질문내용\n\n1. 민수님 질문 : 드롭아웃은 언제 끄나요\n")
    root = build_file_tree(tmp_path, {"_posts/2021-08-05-day4.md": "---\ntitle: x\n---\n" + body})
    settings = settings_from_mapping(root, {}, source="test")
    refs = [post_ref(root / "_posts" / "2021-08-05-day4.md")]
    for use_rg in [True, False] if HAS_RG else [False]:
        hits = search_log(settings, SearchQuery("드롭아웃"), use_rg=use_rg)
        assert hits == search_posts(refs, settings, SearchQuery("드롭아웃"))  # type: ignore[arg-type]
        assert [h.kind for h in hits] == ["question"], use_rg
        assert hits[0].entry.asker == "민수"  # type: ignore[union-attr]
        # The hit shows NFC text, and the span covers the word.
        assert hits[0].text[slice(*hits[0].spans[0])] == "드롭아웃"


@pytest.mark.corpus
@pytest.mark.skipif(not HAS_RG, reason="ripgrep is not installed")
def test_search_log_finds_the_same_with_and_without_ripgrep(
    corpus_log: tuple[list[PostRef], Settings],
) -> None:
    refs, settings = corpus_log
    # A linked subfolder is not part of the log (Log.iter_posts skips it),
    # even though ripgrep follows links to find linked posts.
    (settings.posts_path / "linked").symlink_to(corpus_file("hongsusoo"))
    for text in ("replace", "피드백", "질문", "GAN", "Transformer", "zzz-nothing"):
        query = SearchQuery(text)
        with_rg = search_log(settings, query, use_rg=True)
        without = search_log(settings, query, use_rg=False)
        assert with_rg == without, text
        assert with_rg == search_posts(refs, settings, query), text
        # The streaming form (search --json) gives the same hits in the same order.
        assert list(iter_search_log(settings, query, use_rg=True)) == with_rg, text
        assert list(iter_search_log(settings, query, use_rg=False)) == with_rg, text
        assert all(hit.ref.path.parent == settings.posts_path for hit in with_rg)


@pytest.mark.corpus
def test_answers_reviews_and_plain_text_are_searched(
    corpus_log: tuple[list[PostRef], Settings],
) -> None:
    refs, settings = corpus_log
    day4 = [r for r in refs if r.path.name == "2021-08-05-BoostCourse_day4.md"]
    answer = run(day4, settings, "비복원추출")
    # The answer's own line (66), not the question's (64).
    assert [(h.kind, h.line, h.entry.number) for h in answer] == [("question", 66, 1)]
    review = run(day4, settings, "최대가능도 함수")
    assert review[0].kind == "review"
    assert isinstance(review[0].entry, ReviewEntry)
    assert review[0].entry.presenter == "홍요한"
    text = run(day4, settings, "dive into deep learning")
    assert [(h.kind, h.section) for h in text] == [("text", "🌞마스터 클래스🌞")]


@pytest.mark.corpus
def test_scope_asker_and_dates_filter(corpus_log: tuple[list[PostRef], Settings]) -> None:
    refs, settings = corpus_log
    everything = run(refs, settings, "과제")
    reviews = run(refs, settings, "과제", scope="reviews")
    questions = run(refs, settings, "과제", scope="questions")
    assert {h.kind for h in reviews} == {"review"}
    assert {h.kind for h in questions} <= {"question"}
    assert len(everything) > len(reviews) + len(questions)
    asked = run(refs, settings, "이유", asker="마루찬")
    assert asked and all("마루찬" in h.entry.asker for h in asked)
    august = run(refs, settings, "과제", since=dt.date(2021, 8, 4), until=dt.date(2021, 8, 5))
    assert {h.ref.date for h in august} <= {dt.date(2021, 8, 4), dt.date(2021, 8, 5)}
    assert august
    # Newest post first.
    dates = [h.ref.date for h in everything]
    assert dates == sorted(dates, reverse=True)


def test_bad_queries_are_refused() -> None:
    with pytest.raises(SearchQueryError):
        SearchQuery("   ")
    with pytest.raises(SearchQueryError):
        SearchQuery("x", scope="everywhere")
    with pytest.raises(SearchQueryError):
        SearchQuery("x", since=dt.date(2021, 2, 1), until=dt.date(2021, 1, 1))


def test_find_spans_maps_folded_text_back() -> None:
    shown, spans = find_spans(normalize("STRASSE"), "Die Straße ist lang")
    assert shown[slice(*spans[0])] == "Straße"
    shown, spans = find_spans(normalize("abc"), "xABCyabc")
    assert spans == ((1, 4), (5, 8))
    assert find_spans("zzz", "abc") == ("abc", ())


def test_only_date_named_files_are_posts() -> None:
    assert post_ref(SAMPLE_POST.with_name("README.md")) is None
    ref = post_ref(SAMPLE_POST)
    assert ref is not None
    assert (ref.date.isoformat(), ref.slug) == ("2021-08-12", "boostcourse-day9")


@pytest.mark.corpus
def test_titles_and_headings_are_searched(corpus_log: tuple[list[PostRef], Settings]) -> None:
    refs, settings = corpus_log
    day4 = [r for r in refs if r.path.name == "2021-08-05-BoostCourse_day4.md"]
    hits = run(day4, settings, "Day4 학습기록")
    # The title's own line in the front matter, so `path:line:` opens there (not line 0).
    assert [(h.kind, h.line) for h in hits] == [("title", 13)]
    assert hits[0].text.startswith("title:")
    heading = run(day4, settings, "마스터 클래스")
    assert ("text", 79, "마스터 클래스") in [
        (h.kind, h.line, h.text[slice(*h.spans[0])]) for h in heading
    ]
    # --in questions leaves titles and text out.
    assert run(day4, settings, "Day4 학습기록", scope="questions") == []


LONG_ANSWER_POST = """---
title: day3
---
### 질문내용

1. 민수님 질문 : 드롭아웃은 언제 끄나요

    답변 : 평가할 때 끕니다.
    model.eval()을 부르면 드롭아웃이 꺼지고
    배치 정규화도 평가 모드가 됩니다.
    학습으로 돌아갈 때는 model.train()을 부릅니다.

2. 지수님 질문 : 배치 크기는?

    답변 : 메모리에 맞게.

### 회고록

- 드롭아웃 복습하기
"""


def _long_answer_log(tmp_path: Path) -> tuple[list[PostRef], Settings]:
    root = build_file_tree(tmp_path, {"_posts/2021-08-03-day3.md": LONG_ANSWER_POST})
    settings = settings_from_mapping(root, {}, source="test")
    return [post_ref(root / "_posts" / "2021-08-03-day3.md")], settings  # type: ignore[list-item]


def test_each_matching_line_is_a_hit_with_its_own_line_number(tmp_path: Path) -> None:
    refs, settings = _long_answer_log(tmp_path)
    hits = run(refs, settings, "드롭아웃")
    assert [(h.kind, h.line) for h in hits] == [("question", 6), ("question", 9), ("text", 19)]
    # Each hit is the line as written, not the whole answer run together.
    assert hits[1].text == "    model.eval()을 부르면 드롭아웃이 꺼지고"
    assert hits[1].text[slice(*hits[1].spans[0])] == "드롭아웃"
    # The entry the line belongs to, read whole.
    assert hits[0].entry == hits[1].entry
    assert isinstance(hits[1].entry, QuestionEntry)
    assert hits[1].entry.asker == "민수"
    assert (hits[2].section, hits[2].entry) == ("회고록", None)


def test_context_lines_come_with_each_hit(tmp_path: Path) -> None:
    refs, settings = _long_answer_log(tmp_path)
    (hit,) = run(refs, settings, "배치 정규화", context=2)
    assert hit.line == 10
    assert hit.before == (
        "    답변 : 평가할 때 끕니다.",
        "    model.eval()을 부르면 드롭아웃이 꺼지고",
    )
    assert hit.after == ("    학습으로 돌아갈 때는 model.train()을 부릅니다.", "")
    # At the end of the file, context stops at the last line.
    (last,) = run(refs, settings, "복습하기", context=3)
    assert (last.line, last.after) == (19, ())
    with pytest.raises(SearchQueryError):
        SearchQuery("x", context=-1)


@pytest.mark.parametrize("use_rg", [True, False] if HAS_RG else [False])
def test_the_streaming_search_reads_a_post_only_when_its_hits_are_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_rg: bool
) -> None:
    import studylog.search as search

    files = {
        f"_posts/2021-08-0{day}-day{day}.md": (
            f"---\ntitle: x\n---\n### 질문내용\n\n1. 민수님 질문 : 드롭아웃 {day}\n"
        )
        for day in range(1, 6)
    }
    root = build_file_tree(tmp_path, files)
    settings = settings_from_mapping(root, {}, source="test")
    read: list[str] = []
    reader = search.read_post

    def counting(path: Path, strict: bool = True) -> object:
        read.append(path.name)
        return reader(path, strict)

    monkeypatch.setattr(search, "read_post", counting)
    hits = iter_search_log(settings, SearchQuery("드롭아웃"), use_rg=use_rg)
    first = next(hits)
    # Newest first, and nothing read beyond the post that gave the first hit.
    assert first.ref.slug == "day5"
    assert [name for name in read if "day" in name] == ["2021-08-05-day5.md"]
    assert [hit.ref.slug for hit in hits] == ["day4", "day3", "day2", "day1"]


def test_no_character_folds_into_a_caseless_one() -> None:
    # What lets ripgrep run without -i, and a post whose record says it folds
    # to itself be searched unfolded, for a caseless query: a character whose
    # case mappings are itself is no other character's image, and no
    # character folds to nothing (so a fold that keeps the length is one for one).
    for code in range(0x110000):
        char = chr(code)
        assert char.casefold()
        images = {char.lower(), char.upper(), char.casefold(), char.title()} - {char}
        for image in images:
            assert len(image) > 1 or not is_caseless(image), (hex(code), image)
    assert is_caseless("드롭아웃 2.0") and is_caseless(unicodedata.normalize("NFD", "드롭아웃"))
    assert not is_caseless("GAN") and not is_caseless("드롭아웃ß")
