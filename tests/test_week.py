"""`studylog week [N]`: the weekly KPT retrospective, pre-filled from the week's posts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studylog.cli import app
from studylog.errors import WeekInvalidError
from studylog.log import open_log
from studylog.week import week_span
from tests.conftest import build_file_tree
from tests.test_jekyll import SITE_CONFIG, jekyll_build, parse_html, post_content, studylog

D = dt.date
runner = CliRunner()


def _log(root: Path, config: str = "profile: ko\n") -> Path:
    build_file_tree(root, {".studylog.yml": config})
    (root / "_posts").mkdir(exist_ok=True)
    return root


CALENDAR = "profile: ko\ncalendar:\n  start: 2024-03-06\n"


@pytest.mark.parametrize(
    ("config", "number", "today", "span"),
    [
        # Week 1 starts on the course's start, a Wednesday: seven days from there.
        (CALENDAR, None, D(2024, 3, 6), (1, D(2024, 3, 6), D(2024, 3, 12))),
        (CALENDAR, None, D(2024, 3, 12), (1, D(2024, 3, 6), D(2024, 3, 12))),
        (CALENDAR, None, D(2024, 3, 13), (2, D(2024, 3, 13), D(2024, 3, 19))),
        (CALENDAR, 3, D(2024, 3, 6), (3, D(2024, 3, 20), D(2024, 3, 26))),
        # Without a calendar: ISO weeks (Monday to Sunday) of the current year.
        ("profile: ko\n", None, D(2024, 3, 6), (10, D(2024, 3, 4), D(2024, 3, 10))),
        ("profile: ko\n", 1, D(2024, 3, 6), (1, D(2024, 1, 1), D(2024, 1, 7))),
    ],
)
def test_week_spans(
    tmp_path: Path, config: str, number: int | None, today: dt.date, span: tuple[object, ...]
) -> None:
    found = week_span(open_log(_log(tmp_path, config)), number, today)
    assert (found.number, found.start, found.end) == span


@pytest.mark.parametrize(
    ("config", "number", "words"),
    [
        (CALENDAR, 0, "Week 0 doesn't exist"),
        (CALENDAR, 10**9, "would end after the year 9999"),
        ("profile: ko\n", 53, "2024 has ISO weeks 1 to 52, not 53"),
        (CALENDAR.replace("2024-03-06", "2024-04-01"), None, "The course starts on 2024-04-01"),
    ],
)
def test_bad_weeks_are_one_sentence(
    tmp_path: Path, config: str, number: int | None, words: str
) -> None:
    with pytest.raises(WeekInvalidError, match=words):
        week_span(open_log(_log(tmp_path, config)), number, D(2024, 3, 6))


DAY1 = (
    "---\ntitle: Day1\n---\n## 학습 내용\n\n### PyTorch 기초\n\n### Tensor 연산\n\n"
    "## 피어세션\n\n### 과제 리뷰\n\n- 선택과제 1 (GD, 발표자 : 지수)\n\n"
    "### 질문내용\n\n1. 민수님 질문 : 왜 {{ x }} 인가\n    둘째 줄\n\n    답변 : 그래서\n\n"
    "2. 지수님 질문 : 열린 [질문]\n"
)
DAY2 = (
    "---\ntitle: 'Day2 [두 번째]'\n---\n## 학습 내용\n\n- 역전파\n- 최적화\n\n"
    "### 질문내용\n\n1. 민수님 질문 : 또 묻기\n"
)


def test_the_week_post_lists_the_weeks_posts_questions_and_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _log(tmp_path, CALENDAR)
    build_file_tree(
        root,
        {
            "_posts/2024-03-06-day1.md": DAY1,
            "_posts/2024-03-07-day2.md": DAY2,
            "_posts/2024-03-13-day6.md": DAY2,  # next week
        },
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T18:00:00+00:00")
    result = runner.invoke(app, ["week"])
    assert (result.exit_code, result.stdout) == (0, "_posts/2024-03-08-week1.md\n"), result.output
    text = (root / "_posts/2024-03-08-week1.md").read_text(encoding="utf-8")
    assert 'title: "1주차 회고"' in text
    assert (
        "## 이번 주 글 (2024-03-06 – 2024-03-12)\n\n"
        "- [day1]({% post_url 2024-03-06-day1 %}) Day1 (2024-03-06)\n"
        "- [day2]({% post_url 2024-03-07-day2 %}) Day2 [두 번째] (2024-03-07)\n\n"
    ) in text
    assert (
        "- [day1]({% post_url 2024-03-06-day1 %}) PyTorch 기초, Tensor 연산\n"
        "- [day2]({% post_url 2024-03-07-day2 %}) 역전파, 최적화\n"
    ) in text
    assert "### 답이 나온 것 (1)\n\n- [day1 #1]({% post_url 2024-03-06-day1 %}) 민수: 왜 " in text
    assert "### 아직 답을 찾는 중 (2)\n\n- [day1 #2]" in text
    assert "- [day2 #1]({% post_url 2024-03-07-day2 %}) 민수: 또 묻기\n" in text
    assert "### 누가 물었나\n\n- 민수: 2개\n- 지수: 1개\n" in text
    assert "- [day1]({% post_url 2024-03-06-day1 %}) 선택과제 1 (GD) — 발표 : 지수\n" in text
    for heading in ("## Keep : 잘한 점", "## Problem : 아쉬운 점", "## Try : 다음 주에 해 볼 것"):
        assert heading in text
    assert "day6" not in text
    # The lists are no entries of the week post: stats, open and check don't count them.
    opened = runner.invoke(app, ["open", "--json"])
    assert all("week1" not in item["path"] for item in json.loads(opened.stdout))
    checked = runner.invoke(app, ["check", "week1", "--json"])
    assert json.loads(checked.stdout)["findings"] == []
    # A second run is refused: the retrospective is the user's to edit now.
    again = runner.invoke(app, ["week"])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_the_en_week_post_and_an_empty_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _log(tmp_path, "profile: en\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T18:00:00+00:00")
    result = runner.invoke(app, ["week", "2"])
    assert result.exit_code == 0, result.output
    text = (root / result.stdout.strip()).read_text(encoding="utf-8")
    assert 'title: "Week 2 retrospective"' in text
    assert "## This week's posts (2024-01-08 – 2024-01-14)\n\n<br>\n" in text
    for heading in ("## Keep: ", "## Problem: ", "## Try: "):
        assert heading in text


@pytest.mark.slow
def test_the_week_post_builds_with_jekyll_and_links_the_days(tmp_path: Path) -> None:
    site = build_file_tree(
        tmp_path / "site", {"_config.yml": SITE_CONFIG, "index.md": "---\nlayout: home\n---\n"}
    )
    studylog(site, "init", "--profile", "ko")
    with (site / ".studylog.yml").open("a", encoding="utf-8") as config:
        config.write("calendar:\n  start: 2024-02-26\n")
    # 00:30 on Friday 1 March in Seoul: day1 (Monday) and day4 (Thursday) exist.
    studylog(site, "new", "--date", "2024-02-26")
    studylog(site, "new", "--date", "2024-02-29")
    studylog(site, "add-question", "--post", "day1", "--asker", "민수", "--question", "왜?")
    studylog(site, "add-question", "--post", "day4", "--asker", "지수", "--question", "열린 질문")
    studylog(site, "answer", "1", "--post", "day1", "--answer", "나중에 답")
    assert studylog(site, "week").strip() == "_posts/2024-03-01-week1.md"
    out = jekyll_build(site)
    # The permalinks follow the site's settings (a category when `course` is set).
    url = {
        name: "/" + next(out.rglob(f"{name}.html")).relative_to(out).as_posix()
        for name in ("day1", "day4", "week1")
    }
    assert url["week1"].endswith("/2024/03/01/week1.html")
    content = post_content(parse_html(out / url["week1"].lstrip("/")))
    links = {a.text().strip(): a.attrs["href"] for a in content.iter("a")}
    assert links["day1"] == links["day1 #1"] == url["day1"]
    assert links["day4"] == links["day4 #1"] == url["day4"]
    assert url["day1"].endswith("/2024/02/26/day1.html")
    headings = [h.text().strip() for tag in ("h2", "h3") for h in content.iter(tag)]
    assert "Keep : 잘한 점, 계속할 것" in headings and "아직 답을 찾는 중 (1)" in headings
    assert "답이 나온 것 (1)" in headings


def test_new_with_the_week_template_points_to_studylog_week(tmp_path: Path) -> None:
    # The week template's `week` variable comes from `studylog week` only; `new`
    # used to fail inside the template ("'None' has no attribute 'start'").
    root = _log(tmp_path / "blog", CALENDAR)
    result = runner.invoke(app, ["--root", str(root), "new", "w1", "--template", "week"])
    assert result.exit_code == 1
    assert "run that instead of `studylog new --template week`" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((root / "_posts").iterdir()) == []
