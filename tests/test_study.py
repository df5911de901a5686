"""The course calendar: study days, day numbers, streaks; `new` with no slug; day checks.

The expected numbers below were worked out by hand on a paper calendar
(March 2024: the 6th is a Wednesday, the 11th a Monday).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studylog.check import check_posts
from studylog.cli import app
from studylog.config import load_settings, settings_from_mapping
from studylog.errors import ConfigError, PostExistsError, StudyDayError
from studylog.log import open_log
from studylog.scaffold import NewPostRequest, create_post
from studylog.study import EVERY_DAY, Calendar, current_streak, parse_calendar, slug_day, streaks
from tests.conftest import build_file_tree, corpus_posts

D = dt.date
# From Wednesday 2024-03-06, Monday to Friday, Monday 2024-03-11 off.
MIDWEEK = Calendar(start=D(2024, 3, 6), holidays=(D(2024, 3, 11),))


@pytest.mark.parametrize(
    ("date", "number"),
    [
        (D(2024, 3, 6), 1),  # the start is day 1, though it is a Wednesday
        (D(2024, 3, 7), 2),
        (D(2024, 3, 8), 3),
        (D(2024, 3, 12), 4),  # Sat, Sun and the holiday Monday don't count
        (D(2024, 3, 15), 7),
        (D(2024, 3, 18), 8),
        (D(2024, 4, 1), 18),  # 8 + two full weeks of five
    ],
)
def test_day_numbers_count_study_days_from_the_start(date: dt.date, number: int) -> None:
    assert MIDWEEK.day_number(date) == number


@pytest.mark.parametrize(
    ("date", "words"),
    [
        (D(2024, 3, 5), "before the course starts"),
        (D(2024, 3, 9), "a Saturday"),
        (D(2024, 3, 11), "a holiday"),
    ],
)
def test_a_date_with_no_study_day_number_says_why(date: dt.date, words: str) -> None:
    with pytest.raises(StudyDayError, match=words):
        MIDWEEK.day_number(date)


def test_other_study_days_and_holiday_ranges() -> None:
    calendar = parse_calendar(
        {
            "start": D(2024, 1, 1),
            "days": ["mon", "Wed", "friday"],
            "holidays": ["2024-01-08..2024-01-10", D(2024, 1, 19)],
        },
        "t",
    )
    assert calendar.days == (0, 2, 4)
    # Jan 2024: Mon 1 = 1, Wed 3 = 2, Fri 5 = 3, Mon 8 and Wed 10 off, Fri 12 = 4,
    # Mon 15 = 5, Wed 17 = 6, Fri 19 off, Mon 22 = 7.
    assert [calendar.day_number(D(2024, 1, d)) for d in (1, 3, 5, 12, 15, 17, 22)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    assert calendar.study_days_between(D(2024, 1, 6), D(2024, 1, 11)) == 0
    assert calendar.study_days_between(D(2024, 1, 11), D(2024, 1, 6)) == 0


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ([], "must be a mapping"),
        ({"begin": "2024-01-01"}, "unknown key 'calendar.begin'"),
        ({"start": "March 6"}, "calendar.start must be a date"),
        ({"days": ["mon", "funday"]}, "calendar.days holds 'funday'"),
        ({"days": []}, "calendar.days is empty"),
        ({"days": "mon"}, "calendar.days must be a list"),
        ({"holidays": ["2024-03-10..2024-03-01"]}, "must run forwards"),
        ({"holidays": ["2020-01-01..2024-01-01"]}, "at most 366 days"),
        ({"holidays": [5]}, "calendar.holidays must be a date"),
    ],
)
def test_a_bad_calendar_is_an_error_naming_the_key(raw: object, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        settings_from_mapping(Path("/x"), {"calendar": raw}, source="cfg")


def test_the_calendar_is_read_from_the_file_and_again_from_the_cache(log_root: Path) -> None:
    config = log_root / ".studylog.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "calendar:\n  start: 2024-03-06\n  holidays: [2024-03-11]\n",
        encoding="utf-8",
    )
    # Old enough for the settings cache to keep it (a fresh file may still change).
    stamp = dt.datetime(2024, 1, 1).timestamp()
    import os

    os.utime(config, (stamp, stamp))
    first = load_settings(log_root)
    second = load_settings(log_root)
    assert first.calendar == second.calendar == MIDWEEK
    assert any((Path(os.environ["XDG_CACHE_HOME"]) / "studylog").glob("settings-*"))


@pytest.mark.parametrize(
    ("slug", "number"),
    [
        ("day5", 5),
        ("Day12", 12),
        ("BoostCourse_day3", 3),
        ("bcaitech-ustage-day25", 25),
        ("day-7", 7),
        ("week3", None),
        ("today5", None),
        ("day5-notes", None),
    ],
)
def test_slug_day_reads_only_a_trailing_day_number(slug: str, number: int | None) -> None:
    assert slug_day(slug) == number


def test_weekends_and_holidays_do_not_break_a_streak() -> None:
    # Mon-Fri posts for three weeks from Wednesday 6 March, the holiday skipped.
    posted = [D(2024, 3, d) for d in (6, 7, 8, 12, 13, 14, 15, 18, 19, 20, 21, 22)]
    runs = streaks(posted, MIDWEEK)
    assert [(r.days, r.start, r.end) for r in runs] == [(12, D(2024, 3, 6), D(2024, 3, 22))]
    # Without a calendar every day counts: the weekends break it.
    assert [r.days for r in streaks(posted, EVERY_DAY)] == [3, 4, 5]


def test_a_missed_study_day_breaks_a_streak_and_a_weekend_post_joins_it() -> None:
    posted = [D(2024, 3, d) for d in (6, 7, 8, 9, 12, 14, 15)]  # 9 is a Saturday, 13 missed
    assert [(r.days, r.end) for r in streaks(posted, MIDWEEK)] == [
        (5, D(2024, 3, 12)),
        (2, D(2024, 3, 15)),
    ]


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (D(2024, 3, 15), 2),  # Friday, posted
        (D(2024, 3, 18), 2),  # Monday, no post yet: the day isn't over
        (D(2024, 3, 19), 0),  # Tuesday: Monday was missed
    ],
)
def test_the_current_streak_lasts_over_the_weekend(today: dt.date, days: int) -> None:
    runs = streaks([D(2024, 3, 14), D(2024, 3, 15)], MIDWEEK)
    assert current_streak(runs, today, MIDWEEK).days == days


def _calendar_log(root: Path, calendar: str) -> Path:
    config = root / ".studylog.yml"
    config.write_text(config.read_text(encoding="utf-8") + calendar, encoding="utf-8")
    return root


CALENDAR_YML = "calendar:\n  start: 2024-03-06\n  holidays: [2024-03-11]\n"


def test_new_without_a_slug_numbers_the_post_by_study_day(log_root: Path) -> None:
    log = open_log(_calendar_log(log_root, CALENDAR_YML))
    path = create_post(log, NewPostRequest(date=D(2024, 3, 12)))
    assert path.name == "2024-03-12-day4.md"
    assert "Day4" in path.read_text(encoding="utf-8")
    with pytest.raises(StudyDayError, match="a holiday"):
        create_post(log, NewPostRequest(date=D(2024, 3, 11)))
    with pytest.raises(StudyDayError, match="before the course starts"):
        create_post(log, NewPostRequest(date=D(2024, 3, 1)))
    assert sorted(p.name for p in log.posts_path.iterdir()) == ["2024-03-12-day4.md"]


def test_new_without_a_calendar_takes_the_last_day_number_plus_one(log_root: Path) -> None:
    build_file_tree(
        log_root / "_posts",
        {
            "2024-03-01-BoostCourse_day6.md": "---\ntitle: a\n---\n",
            "2024-03-04-week1.md": "---\ntitle: b\n---\n",
            "2024-03-20-day30.md": "---\ntitle: later\n---\n",  # after the date: not "last"
        },
    )
    log = open_log(log_root)
    assert create_post(log, NewPostRequest(date=D(2024, 3, 5))).name == "2024-03-05-day7.md"
    assert create_post(log, NewPostRequest(date=D(2024, 3, 6))).name == "2024-03-06-day8.md"


def test_new_without_a_slug_refuses_a_day_number_that_has_a_post(log_root: Path) -> None:
    _calendar_log(log_root, CALENDAR_YML)
    build_file_tree(log_root / "_posts", {"2024-03-12-BoostCourse_day4.md": "---\ntitle: a\n---\n"})
    with pytest.raises(PostExistsError, match="Day 4 already has a post"):
        create_post(open_log(log_root), NewPostRequest(date=D(2024, 3, 12)))


def test_the_new_command_with_no_slug_prints_the_path(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _calendar_log(log_root, CALENDAR_YML)
    monkeypatch.chdir(log_root)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T09:00:00+00:00")
    runner = CliRunner()
    result = runner.invoke(app, ["new"])
    assert (result.exit_code, result.stdout) == (0, "_posts/2024-03-08-day3.md\n")
    result = runner.invoke(app, ["new", "--date", "2024-03-09"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 2024-03-09 is a Saturday, not a study day")


def _post(root: Path, name: str) -> None:
    build_file_tree(root / "_posts", {name: "---\ntitle: t\n---\n"})


def test_check_flags_repeated_and_skipped_day_numbers(log_root: Path) -> None:
    for name in ("2024-03-04-day1.md", "2024-03-05-day2.md", "2024-03-06-day2-b.md"):
        _post(log_root, name)
    for name in ("2024-03-07-BoostCourse_day2.md", "2024-03-08-day5.md", "2024-03-11-day6.md"):
        _post(log_root, name)
    log = open_log(log_root)
    found = [
        (f.rule, f.path.name, f.message)
        for f in check_posts(log.posts(), log.settings)
        if f.rule.startswith("day-")
    ]
    assert found == [
        (
            "day-gap",
            "2024-03-08-day5.md",
            "day 5 follows day 2 (2024-03-07-BoostCourse_day2.md); days 3-4 missing.",
        ),
        (
            "day-repeat",
            "2024-03-07-BoostCourse_day2.md",
            "day 2 again: 2024-03-05-day2.md has it too; renumber.",
        ),
    ]


def test_with_a_calendar_check_compares_each_day_number_with_its_date(log_root: Path) -> None:
    _calendar_log(log_root, CALENDAR_YML)
    # day3 on Friday is right; Monday the 11th is a holiday; day4 on the 13th is study day 5
    # (a missed day is no gap when the calendar says which day it is).
    for name in ("2024-03-08-day3.md", "2024-03-11-day4.md", "2024-03-13-day5.md"):
        _post(log_root, name)
    log = open_log(log_root)
    found = [(f.rule, f.path.name) for f in check_posts(log.posts(), log.settings)]
    assert [f for f in found if f[0].startswith("day-")] == [("day-gap", "2024-03-11-day4.md")]


@pytest.mark.corpus
def test_a_real_blogs_89_weekday_posts_match_the_korean_calendar(log_root: Path) -> None:
    """hongsusoo's posts, day1 on Monday 2 August 2021 to day89 on 10 December.

    Korea's holidays of that autumn (Liberation Day's substitute, Chuseok,
    and the substitutes for National Foundation and Hangul Day) are the only
    weekdays without a number; every post's number is its study day.
    """
    posts = [p for p in corpus_posts() if p.parent.name == "hongsusoo"]
    assert len(posts) == 89
    for post in posts:
        shutil.copy(post, log_root / "_posts" / post.name)
    _calendar_log(
        log_root,
        "calendar:\n  start: 2021-08-02\n  holidays:\n    - 2021-08-16\n"
        "    - 2021-09-20..2021-09-22\n    - 2021-10-04\n    - 2021-10-11\n",
    )
    log = open_log(log_root)
    assert [f for f in check_posts(log.posts(), log.settings) if f.rule.startswith("day-")] == []
    from studylog.reader import load_post
    from studylog.stats import compute_stats

    read = [load_post(ref, log.settings) for ref in log.posts()]
    result = compute_stats(read, D(2021, 12, 13), log.settings.calendar)
    assert (result.longest_streak.days, result.current_streak.days) == (89, 89)
    without = compute_stats(read, D(2021, 12, 13))
    assert without.longest_streak.days == 5
