"""The default post when several share the newest date: the one written last."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from studylog.cli import app
from studylog.log import open_log

POST = "---\ntitle: {slug}\n---\n## 피어세션\n\n### 질문내용\n\n## 회고록\n"


def _write(root: Path, slug: str, mtime: int) -> Path:
    path = root / "_posts" / f"2021-08-05-{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(slug=slug), encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))
    return path


def _newest(root: Path) -> Path | None:
    ref = open_log(root).newest()
    return ref.path if ref is not None else None


def test_the_post_written_last_is_the_default_not_the_last_slug_as_text(log_root: Path) -> None:
    base = 1_700_000_000 * 10**9
    day9 = _write(log_root, "day9", base)
    day10 = _write(log_root, "day10", base + 60 * 10**9)
    _write(log_root, "day8", base - 60 * 10**9)
    older = log_root / "_posts" / "2021-08-04-day99.md"
    older.write_text(POST.format(slug="day99"), encoding="utf-8")
    os.utime(older, ns=(base + 120 * 10**9,) * 2)  # written later, but an older date
    assert _newest(log_root) == day10
    result = CliRunner().invoke(
        app, ["--root", str(log_root), "add-question", "--asker", "민수", "--question", "Q"]
    )
    assert result.exit_code == 0, result.output
    assert "민수님 질문 : Q" in day10.read_text(encoding="utf-8")
    assert "민수" not in day9.read_text(encoding="utf-8")
    # Written to since, day9 is now the one written last.
    later = day10.stat().st_mtime_ns + 60 * 10**9
    os.utime(day9, ns=(later, later))
    assert _newest(log_root) == day9
