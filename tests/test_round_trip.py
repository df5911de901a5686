"""What `add-question` received is what `show --json`, `search --json` and `export` give back.

Values hold what the writer has to rewrite for kramdown (code indented inside
a fence, blank lines in it, nested and ordered lists, a quote, pipes, a
leading colon, a `---` line, Liquid) and go through the real command line
into three shapes of questions section: numbered (the template's), a
numbered list followed by a paragraph written by hand (the entry then
carries `{: start="N"}`), and hand-written `Q.`/`A.` blocks. Every reader
returns each value exactly as it was typed: no indentation added or lost,
no escape, no raw tag.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree
from studylog.cli import app

QUESTION = "x | y 는 무엇인가요? {{ name }} 과 {% if user %}"
ANSWERS = (
    "코드로 보면:\n\n```python\ndef f(x):\n    if x:\n        return x\n\n    return 0\n```\n\n"
    "- 목록\n  - 안쪽 목록\n\n1. 첫째\n2. 둘째\n\n> 인용 | 파이프",
    ": 콜론으로 시작\n정리\n---\nA. 답처럼 보이는 줄",
)
SECTIONS = {
    "numbered": "1. 가님 질문 : 하나\n\n   답변 : 일\n",
    "after-paragraph": "1. 가님 질문 : 하나\n\n손으로 쓴 문단.\n",
    "q-blocks": "Q. 하나?\n\nA. 일\n",
}


def _run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("shape", list(SECTIONS))
def test_every_reader_gives_back_what_was_typed(log_root: Path, shape: str) -> None:
    body = "---\ntitle: t\n---\n## 피어세션\n\n### 질문내용\n\n" + SECTIONS[shape]
    build_file_tree(log_root, {"_posts/2024-03-01-day1.md": body})
    args = ["add-question", "--post", "day1", "-a", "민수", "-q", QUESTION]
    for answer in ANSWERS:
        args += ["--answer", answer]
    _run(log_root, *args)
    text = (log_root / "_posts" / "2024-03-01-day1.md").read_text(encoding="utf-8")
    assert "{% raw %}" in text and "\\|" in text  # the writer did rewrite the values
    if shape == "after-paragraph":
        assert '{: start="2"}' in text
    if shape == "q-blocks":
        assert "\nQ. 민수님 질문 : " in text

    typed = ("민수", QUESTION, list(ANSWERS))

    def mine(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(e["asker"], e["question"], e["answers"]) for e in entries if e["asker"] == "민수"]

    shown = json.loads(_run(log_root, "show", "day1", "--json"))
    assert mine(shown["questions"]) == [typed]
    exported = json.loads(_run(log_root, "export", "--format", "json"))
    assert mine(exported["questions"]) == [typed]
    found = _run(log_root, "search", "안쪽 목록", "--json")
    hits = (
        json.loads(found)
        if found.lstrip().startswith("[")
        else [json.loads(line) for line in found.splitlines() if line.strip()]
    )
    assert hits and mine([hit["entry"] for hit in hits]) == [typed]
