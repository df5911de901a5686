"""stats: streaks, the week-by-day calendar and who asked how many questions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import corpus_posts
from studylog.config import settings_from_mapping
from studylog.log import PostRef, post_ref
from studylog.post import split_post
from studylog.reader import content_of, load_post
from studylog.stats import DayCount, build_weeks, compute_stats

SETTINGS = settings_from_mapping(Path("/nonexistent"), {}, source="test")


def post(day: str, text: str = "---\ntitle: x\n---\n") -> object:
    ref = PostRef(dt.date.fromisoformat(day), "p", Path(f"{day}-p.md"))
    return content_of(ref, split_post(ref.path, text), SETTINGS)


QUESTIONS = (
    "---\ntitle: x\n---\n### 질문내용\n\n"
    "1. 민수님 질문 : a\n\n2. 지수님 질문 : b\n\n3. 민수님 질문 : c\n"
)


def test_streaks_count_consecutive_days() -> None:
    days = ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-05", "2024-03-06"]
    stats = compute_stats([post(d) for d in days], today=dt.date(2024, 3, 7))  # type: ignore[misc]
    assert stats.longest_streak.days == 3
    assert stats.longest_streak.start == dt.date(2024, 3, 1)
    # No post yet today: the streak that ended yesterday still counts.
    assert stats.current_streak.days == 2
    assert stats.current_streak.end == dt.date(2024, 3, 6)
    later = compute_stats([post(d) for d in days], today=dt.date(2024, 3, 9))  # type: ignore[misc]
    assert later.current_streak.days == 0


def test_two_posts_on_a_day_count_once_for_the_streak() -> None:
    stats = compute_stats([post("2024-03-01"), post("2024-03-01")], dt.date(2024, 3, 1))  # type: ignore[list-item]
    assert stats.posts == 2
    assert stats.current_streak.days == 1
    assert stats.days == (DayCount(dt.date(2024, 3, 1), 2, 0, 0),)


def test_questions_per_person_and_entries_per_day() -> None:
    stats = compute_stats([post("2024-03-04", QUESTIONS)], dt.date(2024, 3, 4))  # type: ignore[list-item]
    assert stats.askers == (("민수", 2), ("지수", 1))
    assert stats.days[0].entries == 3


def test_weeks_start_on_monday_and_cover_the_range() -> None:
    days = [DayCount(dt.date(2024, 3, 6), 1, 2, 0), DayCount(dt.date(2024, 3, 12), 1, 0, 1)]
    weeks = build_weeks(days)
    assert [w.start for w in weeks] == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]
    first = weeks[0].days
    assert first[0] is None and first[1] is None  # before the first post
    assert first[2] == days[0]
    assert first[3] == DayCount(dt.date(2024, 3, 7), 0, 0, 0)
    assert weeks[1].days[1] == days[1]
    assert weeks[1].days[2] is None  # after the last post


@pytest.mark.corpus
def test_stats_of_the_corpus() -> None:
    posts = [load_post(post_ref(p), SETTINGS) for p in corpus_posts()]  # type: ignore[arg-type]
    stats = compute_stats(posts, today=dt.date(2022, 1, 1))
    assert stats.posts == 152
    assert stats.first == dt.date(2021, 1, 18)
    assert stats.last == dt.date(2021, 12, 10)
    assert stats.questions == sum(len(p.entries.questions) for p in posts)
    assert dict(stats.askers)["서광채"] >= 2
    assert sum(d.posts for d in stats.days) == 152
    assert stats.longest_streak.days >= 5
