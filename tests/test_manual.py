"""`studylog docs`: the manual ships with the program, and help texts point into it."""

from __future__ import annotations

import re
from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

from conftest import REPO
from studylog.cli import app
from studylog.manual import find_page, list_pages, manual_path


def _help_texts(command: Any, path: str = "studylog") -> list[tuple[str, str]]:
    """Every help text of the app: each command's and each of its options'."""
    found = [(path, command.help or ""), (path, command.epilog or "")]
    for param in command.params:
        found.append((f"{path} {param.name}", getattr(param, "help", None) or ""))
    for name, sub in getattr(command, "commands", {}).items():
        found += _help_texts(sub, f"{path} {name}")
    return found


def test_help_names_no_file_the_wheel_lacks_and_every_page_it_names_exists() -> None:
    texts = _help_texts(get_command(app))
    assert not [(where, text) for where, text in texts if "docs/" in text]
    named = {m for _, text in texts for m in re.findall(r"studylog docs (\w+)", text)}
    assert named >= {"reading", "team"}
    for page in named:
        assert find_page(page).is_file()


def test_docs_lists_and_prints_the_pages() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["docs"])
    assert result.exit_code == 0
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert names == sorted(p.stem for p in (REPO / "docs").glob("*.md"))
    assert "reading\tReading the log: list, show, search, check, stats, export" in result.stdout
    assert dict(list_pages())["cli"] == "`studylog`"
    result = runner.invoke(app, ["docs", "reading"])
    assert result.stdout == (REPO / "docs" / "reading.md").read_text(encoding="utf-8")
    for spelling in ("reading.md", "docs/reading.md"):
        result = runner.invoke(app, ["docs", spelling, "--path"])
        assert result.stdout == f"{manual_path() / 'reading.md'}\n"


def test_an_unknown_page_is_one_sentence_naming_the_pages() -> None:
    for name in ("nope", "../README", ".hidden"):
        result = CliRunner().invoke(app, ["docs", name])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: No page '{name}' in the manual; the pages are: ")
        assert "reading" in result.stderr and result.stderr.count("\n") == 1
