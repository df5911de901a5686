"""One heading matcher for both sides: what `add-question` writes to is what `list` reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import corpus_posts
from studylog.config import Settings, settings_from_mapping
from studylog.entries import Question, add_to_text, render_question
from studylog.markdown.document import parse_document
from studylog.markdown.extraction import count_entries, read_entries
from studylog.markdown.headings import QUESTIONS, heading_key, matcher_for, normalize_heading
from studylog.markdown.placement import find_section
from studylog.post import split_post


@pytest.fixture
def ko() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {}, source="test")


def test_exact_names_win_over_contained_names(ko: Settings) -> None:
    matcher = matcher_for(ko.sections)
    # `질문 리뷰`-like headings contain `질문` but name reviews exactly when configured so.
    assert matcher.key_for("### 과제 리뷰") == "reviews"
    assert matcher.key_for("질문사항") == "questions"
    assert matcher.key_for("4-2. [금일 질문 목록]:") == "questions"
    assert matcher.key_for("## 코드 리뷰 - 과제 2") == "reviews"
    # The contains rule is for entry sections only.
    assert matcher.key_for("팀 회고록 정리") is None
    assert matcher.key_for("Today I Felt") == "retrospective"
    assert matcher.named("금일 질문 목록") is None


def test_a_bare_number_before_words_is_a_word() -> None:
    assert normalize_heading("2021 회고") == "2021 회고"
    assert normalize_heading("1.Extraction-based MRC") == "extraction-based mrc"
    assert heading_key("-. 3) 질문 :") == "질문"


def test_insert_side_finds_the_section_the_read_side_reads(ko: Settings) -> None:
    body = "## 피어세션\n\n### 질문사항\n\n1. 가님 질문 : 하나\n\n## 회고록\n"
    doc = parse_document(body)
    index = find_section(doc, ko.sections[QUESTIONS], ko.sections)
    assert index is not None and doc.headings[index].text == "질문사항"
    assert [s.heading for s in read_entries(body, ko).sections if s.key == QUESTIONS] == [
        "질문사항"
    ]


@pytest.mark.slow
@pytest.mark.corpus
def test_every_corpus_post_gets_its_question_where_the_reader_reads_questions(
    ko: Settings,
) -> None:
    question = Question("민수", "헤딩 매칭 확인 질문입니다", ("네",))
    formats = ko.entry_formats
    today = dt.date(2026, 1, 1)
    appended = created = 0
    for path in corpus_posts():
        post = split_post(path, path.read_text(encoding="utf-8"))
        before = read_entries(post.text, ko)
        read_as_questions = {heading_key(s.heading) for s in before.sections if s.key == QUESTIONS}
        edit = add_to_text(
            post, QUESTIONS, ko.sections, lambda n: render_question(question, n, formats), today
        )
        after = read_entries(edit.text, ko)
        if not edit.created:
            # Appended to a section the post has: one the reader reads questions from.
            assert heading_key(edit.section) in read_as_questions, (path.name, edit.section)
            appended += 1
        else:
            # A created section is read as questions too. (The post may have a
            # question section outside the peer section, such as a master
            # session's `## QnA`: a peer question goes under the peer section.)
            created += 1
        new = [q for q in after.questions if q.question == question.question]
        assert len(new) == 1, path.name
        assert heading_key(new[0].section) == heading_key(edit.section), path.name
        was, now = count_entries(post.text, ko), count_entries(edit.text, ko)
        assert (now.questions, now.reviews) == (was.questions + 1, was.reviews), path.name
    # Both paths are exercised by the corpus.
    assert appended > 0 and created > 0
