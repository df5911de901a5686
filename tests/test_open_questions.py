"""`studylog open`: the questions with no answer yet, oldest first."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree
from studylog.cli import app

runner = CliRunner()

DAY4 = (
    "---\ntitle: d4\n---\n### 질문내용\n\n"
    "1. 가님 질문 : 답이 있는 질문\n\n    답변 : 있다\n\n"
    "2. 나님 질문 : 열린 질문\n    둘째 줄\n"
    "3. 다님 질문 : 화살표로 답한 질문\n    → 답\n"
)
DAY5 = "---\ntitle: d5\n---\n### 질문내용\n\n1. 라님 질문 : 오늘 열린 질문\n\n## 회고록\n"
DAY3 = "---\ntitle: d3\n---\n### 질문내용\n\n- 누가 묻지 않은 질문\n"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_file_tree(
        tmp_path,
        {
            ".studylog.yml": "profile: ko\n",
            "_posts/2024-03-07-day4.md": DAY4,
            "_posts/2024-03-08-day5.md": DAY5,
            "_posts/2024-03-06-day3.md": DAY3,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_open_lists_unanswered_questions_oldest_first(log: Path) -> None:
    result = runner.invoke(app, ["open"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "_posts/2024-03-06-day3.md:6: 1. 누가 묻지 않은 질문",
        "_posts/2024-03-07-day4.md:10: 2. 나: 열린 질문 둘째 줄",
        "_posts/2024-03-08-day5.md:6: 1. 라: 오늘 열린 질문",
    ]


def test_open_json_has_the_documented_fields(log: Path) -> None:
    result = runner.invoke(app, ["open", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "path": "_posts/2024-03-06-day3.md",
            "date": "2024-03-06",
            "number": 1,
            "asker": None,
            "question": "누가 묻지 않은 질문",
        },
        {
            "path": "_posts/2024-03-07-day4.md",
            "date": "2024-03-07",
            "number": 2,
            "asker": "나",
            "question": "열린 질문\n둘째 줄",
        },
        {
            "path": "_posts/2024-03-08-day5.md",
            "date": "2024-03-08",
            "number": 1,
            "asker": "라",
            "question": "오늘 열린 질문",
        },
    ]


def test_an_answer_closes_a_question(log: Path) -> None:
    result = runner.invoke(app, ["answer", "2", "--post", "2024-03-07", "--answer", "이제 답"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["open", "--json"])
    assert [(q["date"], q["number"]) for q in json.loads(result.stdout)] == [
        ("2024-03-06", 1),
        ("2024-03-08", 1),
    ]


# --- carried into `new` --------------------------------------------------------

OLD = "---\ntitle: old\n---\n### 질문내용\n\n1. 마님 질문 : 한 달 전 질문\n"


def test_new_carries_the_recent_open_questions_before_the_peer_session(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(log, {"_posts/2024-02-01-day1.md": OLD})
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    result = runner.invoke(app, ["new", "day6"])
    assert result.exit_code == 0, result.output
    text = (log / "_posts/2024-03-11-day6.md").read_text(encoding="utf-8")
    section = text[text.index("## 이어서 볼 질문") : text.index("## 피어세션")]
    assert section == (
        "## 이어서 볼 질문\n\n"
        "- [day3 #1]({% post_url 2024-03-06-day3 %}) 누가 묻지 않은 질문\n"
        "- [day4 #2]({% post_url 2024-03-07-day4 %}) 나: 열린 질문 …\n"
        "- [day5 #1]({% post_url 2024-03-08-day5 %}) 라: 오늘 열린 질문\n\n"
    )
    assert text.index("## 학습 내용") < text.index("## 이어서 볼 질문")
    # The carried list is no question of the new post.
    assert json.loads(runner.invoke(app, ["open", "--json"]).stdout)[-1]["date"] == "2024-03-08"


def test_carried_questions_come_from_the_cache_until_their_post_changes(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import studylog.reader

    for post in (log / "_posts").iterdir():
        stamp = time.time_ns() - 60 * 10**9  # past the racy window: cacheable
        os.utime(post, ns=(stamp, stamp))
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    new_post = log / "_posts/2024-03-11-day6.md"
    assert runner.invoke(app, ["new", "day6"]).exit_code == 0
    read_whole = new_post.read_text(encoding="utf-8")
    new_post.unlink()
    with monkeypatch.context() as patch:
        patch.setattr(studylog.reader, "load_post", lambda *a: pytest.fail("read again"))
        assert runner.invoke(app, ["new", "day6"]).exit_code == 0
    assert new_post.read_text(encoding="utf-8") == read_whole
    new_post.unlink()
    # day5's question gets an answer (by hand, dated in the past): read again, no longer carried.
    day5 = log / "_posts/2024-03-08-day5.md"
    day5.write_text(DAY5.replace("열린 질문\n", "열린 질문\n\n    답변 : 이제 있다\n"), "utf-8")
    os.utime(day5, ns=(stamp, stamp))
    assert runner.invoke(app, ["new", "day6"]).exit_code == 0
    carried = new_post.read_text(encoding="utf-8")
    assert "day4 #2" in carried and "day5 #1" not in carried
    new_post.unlink()
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    assert runner.invoke(app, ["new", "day6"]).exit_code == 0
    assert new_post.read_text(encoding="utf-8") == carried


@pytest.mark.parametrize(
    "record",
    [
        "not a tuple",
        (1, 2),
        ("mtime", "size", ()),
        (None, None, [(1, None, "list, not tuple", 3)]),
        (None, None, ((1, None, "three fields"),)),
        (None, None, (("one", None, "number as text", 3),)),
    ],
)
def test_a_cache_record_of_another_shape_is_read_again(
    log: Path, monkeypatch: pytest.MonkeyPatch, record: object
) -> None:
    from studylog.listing import post_cache_path, reader_fingerprint, save_post_cache
    from studylog.log import open_log

    day5 = log / "_posts/2024-03-08-day5.md"
    stamp = time.time_ns() - 60 * 10**9
    os.utime(day5, ns=(stamp, stamp))
    if isinstance(record, tuple) and len(record) == 3 and record[0] is None:
        record = (stamp, day5.stat().st_size, record[2])  # the right stamp, a wrong payload
    opened = open_log(root=log)
    cache = post_cache_path("open", opened.settings)
    assert cache is not None
    save_post_cache(cache, reader_fingerprint(opened.settings), {str(day5): record})
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    result = runner.invoke(app, ["new", "day6"])
    assert result.exit_code == 0, result.output
    text = (log / "_posts/2024-03-11-day6.md").read_text(encoding="utf-8")
    assert "- [day5 #1]({% post_url 2024-03-08-day5 %}) 라: 오늘 열린 질문\n" in text


def test_no_carry_and_carry_open_false_turn_it_off(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    assert runner.invoke(app, ["new", "day6", "--no-carry"]).exit_code == 0
    assert "이어서 볼 질문" not in (log / "_posts/2024-03-11-day6.md").read_text(encoding="utf-8")
    (log / ".studylog.yml").write_text("profile: ko\ncarry_open: false\n", encoding="utf-8")
    assert runner.invoke(app, ["new", "day7", "--date", "2024-03-12"]).exit_code == 0
    assert "이어서 볼 질문" not in (log / "_posts/2024-03-12-day7.md").read_text(encoding="utf-8")
    (log / ".studylog.yml").write_text("profile: ko\ncarry_open: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "day8", "--date", "2024-03-13"])
    assert result.exit_code == 1 and "'carry_open' must be true or false" in result.stderr


def test_a_template_with_the_open_heading_gets_the_list_there(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(
        log,
        {
            "_templates/mine.md": (
                "---\ntitle: {{ title | yaml }}\n---\n## 질문내용\n\n## 해야할 일\n\n<br>\n"
            ),
        },
    )
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    result = runner.invoke(app, ["new", "day6", "--template", "mine"])
    assert result.exit_code == 0, result.output
    text = (log / "_posts/2024-03-11-day6.md").read_text(encoding="utf-8")
    assert text.endswith(
        "## 해야할 일\n\n- [day3 #1]({% post_url 2024-03-06-day3 %}) 누가 묻지 않은 질문\n"
        "- [day4 #2]({% post_url 2024-03-07-day4 %}) 나: 열린 질문 …\n"
        "- [day5 #1]({% post_url 2024-03-08-day5 %}) 라: 오늘 열린 질문\n\n<br>\n"
    )


def test_a_template_whose_front_matter_is_not_yaml_is_named(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(log, {"_templates/bad.md": "---\ntitle: [x\n---\n## 해야할 일\n"})
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-11T09:00:00+00:00")
    result = runner.invoke(app, ["new", "day6", "--template", "bad"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: The template 'bad' gives front matter that is not ")
    assert "--no-carry" in result.stderr
    assert not (log / "_posts/2024-03-11-day6.md").exists()


@pytest.mark.slow
def test_carried_questions_link_to_their_posts_in_a_jekyll_build(tmp_path: Path) -> None:
    from tests.test_jekyll import (
        SEOUL_0100_NEXT_DAY,
        SITE_CONFIG,
        jekyll_build,
        parse_html,
        post_content,
        studylog,
    )

    site = build_file_tree(
        tmp_path / "site", {"_config.yml": SITE_CONFIG, "index.md": "---\nlayout: home\n---\n"}
    )
    studylog(site, "init", "--profile", "ko")
    studylog(site, "new", "day1")
    studylog(site, "add-question", "--asker", "민수", "--question", "열린 질문")
    studylog(site, "add-question", "--asker", "지수", "--question", "답한 질문", "--answer", "답")
    assert studylog(site, "new", "day2", now=SEOUL_0100_NEXT_DAY).strip() == (
        "_posts/2024-03-02-day2.md"
    )
    out = jekyll_build(site)
    content = post_content(parse_html(next(out.rglob("day2.html"))))
    day1_url = "/" + next(out.rglob("day1.html")).relative_to(out).as_posix()
    headings = [h.text().strip() for h in content.iter("h2")]
    assert headings[:3] == ["학습 내용", "이어서 볼 질문", "피어세션"]
    items = [li for li in content.iter("li") if li.iter("a")]
    assert len(items) == 1
    assert items[0].iter("a")[0].attrs["href"] == day1_url
    assert day1_url.endswith("/2024/03/01/day1.html")
    assert " ".join(items[0].text().split()) == "day1 #1 민수: 열린 질문"
