"""Numbers about the log: streaks, a calendar of posts and entries, who asked what.

`compute_stats` takes the posts already read (see `studylog.reader`) and
returns plain values; `studylog.cli.render` draws the heatmap.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from studylog.names import person_name
from studylog.reader import ReadPost
from studylog.study import EVERY_DAY, Calendar, Streak, current_streak, streaks

__all__ = ["DayCount", "Stats", "Streak", "Week", "build_weeks", "compute_stats"]


@dataclass(frozen=True)
class DayCount:
    """What was logged on one day."""

    date: dt.date
    posts: int
    questions: int
    reviews: int

    @property
    def entries(self) -> int:
        """Questions plus reviews."""
        return self.questions + self.reviews


@dataclass(frozen=True)
class Week:
    """Seven days from a Monday; `days[0]` is Monday (None for days outside the range)."""

    start: dt.date
    days: tuple[DayCount | None, ...]


@dataclass(frozen=True)
class Stats:
    """Everything `studylog stats` reports."""

    posts: int
    questions: int
    reviews: int
    first: dt.date | None
    last: dt.date | None
    current_streak: Streak
    longest_streak: Streak
    days: tuple[DayCount, ...]
    weeks: tuple[Week, ...]
    askers: tuple[tuple[str, int], ...]
    presenters: tuple[tuple[str, int], ...]


def compute_stats(
    posts: Iterable[ReadPost], today: dt.date, calendar: Calendar | None = None
) -> Stats:
    """Streaks, per-day counts, weeks and per-person counts of these posts.

    Streaks count study days of `calendar` (without one, every day is a
    study day): a weekend or holiday without a post doesn't break them. The
    current streak counts back from today, or from the study day before
    when there is no post yet today (the day isn't over).
    """
    per_day: dict[dt.date, list[int]] = {}
    askers: Counter[str] = Counter()
    presenters: Counter[str] = Counter()
    total = questions = reviews = 0
    for post in posts:
        total += 1
        counts = per_day.setdefault(post.ref.date, [0, 0, 0])
        counts[0] += 1
        counts[1] += len(post.entries.questions)
        counts[2] += len(post.entries.reviews)
        questions += len(post.entries.questions)
        reviews += len(post.entries.reviews)
        for question in post.entries.questions:
            if question.asker:
                askers[person_name(question.asker)] += 1
        for review in post.entries.reviews:
            if review.presenter:
                for name in review.presenter.replace("，", ",").split(","):
                    if name.strip():
                        presenters[person_name(name)] += 1
    dates = sorted(per_day)
    days = tuple(DayCount(day, *per_day[day]) for day in dates)
    study_days = calendar or EVERY_DAY
    runs = streaks(dates, study_days)
    longest = max(
        runs, key=lambda run: (run.days, run.end or dt.date.min), default=Streak(0, None, None)
    )
    current = current_streak(runs, today, study_days)
    return Stats(
        posts=total,
        questions=questions,
        reviews=reviews,
        first=dates[0] if dates else None,
        last=dates[-1] if dates else None,
        current_streak=current,
        longest_streak=longest,
        days=days,
        # Future posts (Jekyll doesn't publish them yet) stay out of the grid:
        # one dated 9999-12-31 would make it 416,000 weeks long.
        weeks=build_weeks(day for day in days if day.date <= today),
        askers=tuple(sorted(askers.items(), key=lambda item: (-item[1], item[0]))),
        presenters=tuple(sorted(presenters.items(), key=lambda item: (-item[1], item[0]))),
    )


def build_weeks(days: Iterable[DayCount]) -> tuple[Week, ...]:
    """Monday-to-Sunday weeks from the first day's week to the last day's week."""
    by_date = {day.date: day for day in days}
    if not by_date:
        return ()
    first = min(by_date)
    last = max(by_date)
    start = first - dt.timedelta(days=first.weekday())
    weeks: list[Week] = []
    while True:
        row: list[DayCount | None] = []
        for offset in range(7):
            if offset > (last - start).days:
                row.append(None)  # after the last day (and maybe after 9999-12-31)
                continue
            day = start + dt.timedelta(days=offset)
            if day < first:
                row.append(None)
            else:
                row.append(by_date.get(day, DayCount(day, 0, 0, 0)))
        weeks.append(Week(start, tuple(row)))
        if last - start < dt.timedelta(days=7):
            break  # the last week: stepping on would overflow after 9999-12-31
        start += dt.timedelta(days=7)
    return tuple(weeks)
