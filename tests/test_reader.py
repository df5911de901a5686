"""The reader: front matter without YAML, sections, and entries in every style."""

from __future__ import annotations

from pathlib import Path

import pytest

from studylog.config import Settings, settings_from_mapping
from studylog.reader import (
    EntryCounts,
    count_entries,
    read_entries,
)
from tests.conftest import CORPUS, EXAMPLE, corpus_posts


@pytest.fixture
def ko() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {}, source="test")


@pytest.fixture
def en() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {"profile": "en"}, source="test")


def corpus_text(name: str) -> str:
    corpus_posts()  # fails under CI when the corpus is missing
    return (CORPUS / name).read_text(encoding="utf-8")


# --- count_entries ------------------------------------------------------------


def test_count_entries_in_the_example_post(ko: Settings) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert count_entries(text, ko) == EntryCounts(questions=3, reviews=2)


def test_count_entries_in_what_studylog_writes(ko: Settings) -> None:
    text = (
        "---\ntitle: x\n---\n## 피어세션\n\n### 과제 리뷰\n\n"
        "- 선택과제 1 (GD, 발표자 : 지수)\n    → 좋았다\n\n"
        "- 필수과제 2 (발표자 : 민수)\n\n"
        "### 질문내용\n\n"
        "1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답\n\n"
        "2. 민수님 질문 : 둘째\n\n    답변 : 하나\n\n    답변 : 둘\n\n<br>\n\n"
        "## 회고록\n\n- 1. 아님\n"
    )
    assert count_entries(text, ko) == EntryCounts(questions=2, reviews=2)


def test_count_entries_in_the_english_format(en: Settings) -> None:
    text = (
        "## Peer session\n\n### Homework review\n\n- HW 1 (Trees, presenter: Ann)\n    → ok\n\n"
        "### Questions\n\n1. Question from Ann: why?\n\n    Answer: because\n\n"
        "2. Question from Bob: how?\n\n    Answer: so\n"
    )
    assert count_entries(text, en) == EntryCounts(questions=2, reviews=1)


def test_count_entries_ignores_headings_and_lists_inside_fences(ko: Settings) -> None:
    text = "```\n### 질문내용\n1. 가님 질문 : 아님\n```\n\n## 회고록\n\n1. 가님 질문 : 아님\n"
    assert count_entries(text, ko) == EntryCounts(questions=0, reviews=0)


def test_count_entries_of_an_empty_scaffolded_section(ko: Settings) -> None:
    text = "### 과제 리뷰\n\n<br>\n\n### 질문내용\n\n<br>\n\n## 회고록\n\n<br>\n"
    assert count_entries(text, ko) == EntryCounts(0, 0)


def test_count_entries_does_not_count_the_footer_fence(ko: Settings) -> None:
    text = corpus_text("hongsusoo/2021-08-05-BoostCourse_day4.md")
    assert count_entries(text, ko) == EntryCounts(3, 2)
    entries = read_entries(text, ko)
    assert "💡" not in entries.questions[-1].answers[-1]


def test_count_entries_matches_read_entries_on_every_corpus_post(ko: Settings) -> None:
    total = EntryCounts(0, 0)
    for path in corpus_posts():
        text = path.read_text(encoding="utf-8")
        counts = count_entries(text, ko)
        assert counts == read_entries(text, ko).counts, path.name
        total = EntryCounts(total.questions + counts.questions, total.reviews + counts.reviews)
    # The corpus holds dozens of peer-session questions and reviews.
    assert total.questions >= 80
    assert total.reviews >= 15
