"""`studylog open`: the questions with no answer yet, oldest first."""

from __future__ import annotations

import json
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
