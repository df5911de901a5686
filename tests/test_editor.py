"""`--edit` without $VISUAL/$EDITOR: git's fallbacks, and the form kept when no editor runs."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from studylog.cli import app

POST = "---\ntitle: day4\n---\n## 피어세션\n\n### 질문내용\n\n## 회고록\n"


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No $VISUAL/$EDITOR, a PATH of one empty folder, temp files under tmp_path."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return bin_dir


def _post(root: Path) -> Path:
    path = root / "_posts" / "2021-08-05-day4.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST, encoding="utf-8")
    return path


def _add(root: Path) -> Any:
    return CliRunner().invoke(
        app, ["--root", str(root), "add-question", "--asker", "민수", "--edit"]
    )


def _script(bin_dir: Path, name: str, text: str) -> None:
    script = bin_dir / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        f"p.write_text(p.read_text(encoding='utf-8').replace('#! question\\n\\n', "
        f"'#! question\\n{text}\\n'), encoding='utf-8')\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


def test_without_editor_variables_editor_then_vi_is_run(log_root: Path, bare_env: Path) -> None:
    path = _post(log_root)
    _script(bare_env, "vi", "from vi")
    result = _add(log_root)
    assert result.exit_code == 0, result.output
    assert "1. 민수님 질문 : from vi\n" in path.read_text(encoding="utf-8")
    _script(bare_env, "editor", "from editor")
    result = _add(log_root)
    assert result.exit_code == 0, result.output
    assert "2. 민수님 질문 : from editor\n" in path.read_text(encoding="utf-8")


def test_with_no_editor_at_all_the_form_is_kept_and_named(log_root: Path, bare_env: Path) -> None:
    path = _post(log_root)
    result = _add(log_root)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: No editor found ($VISUAL and $EDITOR are unset")
    kept = re.search(r"the entry's form is kept in (\S+)\.$", message)
    assert kept is not None, message
    form = Path(kept[1])
    assert form.is_file()
    assert "#! question" in form.read_text(encoding="utf-8")
    assert "민수" in form.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == POST


def test_an_editor_that_cannot_start_keeps_the_form(
    log_root: Path, bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post(log_root)
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    result = _add(log_root)
    assert result.exit_code == 1
    assert "Can't start the editor 'no-such-editor-here'" in result.stderr
    kept = re.search(r"the entry's form is kept in (\S+)\.$", result.stderr.strip())
    assert kept is not None and Path(kept[1]).is_file()


def test_a_fallback_vi_that_fails_without_a_terminal_keeps_the_form(
    log_root: Path, bare_env: Path
) -> None:
    """No $VISUAL/$EDITOR, no terminal: git's fallback vi exits 1 at once; nothing is lost."""
    path = _post(log_root)
    vi = bare_env / "vi"
    vi.write_text("#!/bin/sh\necho 'Vim: Warning: Input is not from a terminal' >&2\nexit 1\n")
    vi.chmod(0o755)
    result = _add(log_root)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith(
        "Error: The editor 'vi' exited with 1 (there is no terminal for it; set $VISUAL or "
        "$EDITOR); nothing was added; the entry's form is kept in "
    ), message
    kept = re.search(r"the entry's form is kept in (\S+)\.$", message)
    assert kept is not None, message
    form = Path(kept[1])
    assert form.is_file() and "민수" in form.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == POST


def test_a_configured_editor_that_fails_keeps_the_form_without_the_terminal_hint(
    log_root: Path, bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post(log_root)
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    result = _add(log_root)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: The editor 'false' exited with 1; nothing was added;")
    kept = re.search(r"the entry's form is kept in (\S+)\.$", message)
    assert kept is not None and Path(kept[1]).is_file()
