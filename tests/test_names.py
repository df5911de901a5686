"""Names typed with the honorific the format adds, and feedback typed with its arrow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from studylog.cli import app
from studylog.names import person_name

POST = "---\ntitle: day4\n---\n## 피어세션\n\n### 질문내용\n\n### 과제 리뷰\n\n## 회고록\n"


def _run(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result


def test_person_name_has_one_spelling() -> None:
    assert person_name("서광채님") == "서광채"
    assert person_name("  서광채 님 ") == "서광채"
    assert person_name("김 민수") == "김 민수"
    # A name that is only the honorific stays (it is not empty).
    assert person_name("님") == "님"


def test_honorific_and_arrow_are_not_doubled_and_stats_count_one_person(log_root: Path) -> None:
    post = log_root / "_posts" / "2021-08-05-day4.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(POST, encoding="utf-8")
    _run(log_root, "add-question", "--asker", "서광채님", "--question", "왜?")
    _run(log_root, "add-question", "--asker", "서광채", "--question", "또?")
    _run(
        log_root,
        "add-review",
        "--assignment",
        "과제 1",
        "--presenter",
        "지수 님",
        "--feedback",
        "→ 좋았다",
        "--feedback",
        "->는 그대로",
    )
    text = post.read_text(encoding="utf-8")
    assert "1. 서광채님 질문 : 왜?\n" in text
    assert "2. 서광채님 질문 : 또?\n" in text
    assert "- 과제 1 (발표자 : 지수)\n\n  → 좋았다\n\n  → ->는 그대로\n" in text
    assert "님님" not in text and "→ →" not in text
    stats = json.loads(_run(log_root, "stats", "--json").stdout)
    assert stats["askers"] == [{"name": "서광채", "questions": 2}]


def test_new_writes_participants_and_moderator_without_the_honorific(log_root: Path) -> None:
    _run(
        log_root,
        "new",
        "day1",
        "--date",
        "2021-08-02",
        "--moderator",
        "김준태님",
        "--participant",
        "강재현님",
        "--participant",
        "김준태",
    )
    text = (log_root / "_posts" / "2021-08-02-day1.md").read_text(encoding="utf-8")
    assert "참가자 : 강재현, 김준태\n" in text
    assert "모더레이터 : 김준태\n" in text
