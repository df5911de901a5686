"""`studylog new`: slugs made like jekyll-compose's, one post per date, the title's day number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from studylog.cli import app
from studylog.log import slugify

NOW = {"STUDYLOG_NOW": "2024-03-12T09:00:00+09:00"}


def _new(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), "new", *args], env=NOW)


def _posts(root: Path) -> list[str]:
    return sorted(path.name for path in (root / "_posts").glob("*.md"))


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("day 11", "day-11"),
        ("  Q&A: 정리!  ", "Q-A-정리"),
        ("BoostCourse_day12", "BoostCourse_day12"),
        ("week3-day2", "week3-day2"),
        ("a -- b", "a-b"),
    ],
)
def test_slugify_turns_spaces_and_punctuation_into_one_hyphen(typed: str, slug: str) -> None:
    assert slugify(typed) == slug


def test_new_makes_a_slug_without_spaces(log_root: Path) -> None:
    result = _new(log_root, "day 11")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("_posts/2024-03-12-day-11.md")
    assert _posts(log_root) == ["2024-03-12-day-11.md"]


def test_a_slug_of_only_punctuation_is_refused(log_root: Path) -> None:
    result = _new(log_root, "!!!")
    assert result.exit_code == 1
    assert "slug is empty" in result.stderr
    assert not (log_root / "_posts").exists() or _posts(log_root) == []


def test_a_second_post_for_a_date_needs_force(log_root: Path) -> None:
    assert _new(log_root, "day9").exit_code == 0
    result = _new(log_root, "day10")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: 2024-03-12 already has a post (2024-03-12-day9.md); add to it with --post, "
        "or pass --force to make another post for that date."
    )
    assert _posts(log_root) == ["2024-03-12-day9.md"]
    assert _new(log_root, "day10", "--force").exit_code == 0
    assert _posts(log_root) == ["2024-03-12-day10.md", "2024-03-12-day9.md"]
    # Another date is free.
    assert _new(log_root, "day11", "--date", "2024-03-13").exit_code == 0


def _title(root: Path, name: str) -> str:
    text = (root / "_posts" / name).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("title:"))


def test_the_title_takes_the_slugs_last_day_number(log_root: Path) -> None:
    assert _new(log_root, "week3-day2").exit_code == 0
    assert "Day2 " in _title(log_root, "2024-03-12-week3-day2.md")
    assert _new(log_root, "lecture-2-3", "--date", "2024-03-13").exit_code == 0
    assert "Day3 " in _title(log_root, "2024-03-13-lecture-2-3.md")


def test_with_a_calendar_a_slug_without_a_day_number_gets_the_study_day(log_root: Path) -> None:
    config = log_root / ".studylog.yml"
    calendar = "calendar:\n  start: 2024-03-06\n  holidays: [2024-03-11]\n"
    config.write_text(config.read_text(encoding="utf-8") + calendar, encoding="utf-8")
    # 2024-03-12 is the 4th study day (6, 7, 8, holiday 11, 12).
    assert _new(log_root, "pandas-week2").exit_code == 0
    assert "Day4 " in _title(log_root, "2024-03-12-pandas-week2.md")
    # A `day` number in the slug is what the user chose; it stays.
    assert _new(log_root, "week3-day2", "--date", "2024-03-13").exit_code == 0
    assert "Day2 " in _title(log_root, "2024-03-13-week3-day2.md")
