"""`studylog init`, `new` and `templates` through the CLI: streams, exit codes, no stray files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studylog.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def files_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_new_prints_only_the_path(log_root: Path) -> None:
    code, out, err = run("--root", str(log_root), "new", "day5", "--date", "2021-08-05")
    assert code == 0, err
    path = Path(out.strip())
    assert out.count("\n") == 1
    assert path.name == "2021-08-05-day5.md"
    assert (path if path.is_absolute() else Path.cwd() / path).resolve() == (
        log_root / "_posts" / "2021-08-05-day5.md"
    ).resolve()


def test_new_options_reach_the_post(log_root: Path) -> None:
    code, out, err = run(
        "--root",
        str(log_root),
        "new",
        "retro",
        "--date",
        "2021-08-06",
        "--title",
        "Retro: week 1",
        "--moderator",
        "민수",
        "--participant",
        "민수",
        "--participant",
        "지수",
        "--template",
        "en",
    )
    assert code == 0, err
    text = (log_root / "_posts" / "2021-08-06-retro.md").read_text(encoding="utf-8")
    assert 'title: "Retro: week 1"' in text
    # The en template in this ko log writes the log's labels (template variables
    # moderator_label, participants_label), which the log's reader looks for.
    assert "\n모더레이터: 민수\n" in text
    assert "\n참가자: 민수, 지수\n" in text


def test_new_outside_any_log_creates_the_default_log_and_says_so(
    tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("new", "day1", "--date", "2021-08-02")
    assert code == 0
    home = isolated_env / "studylog"
    assert "Created a new study log in" in err and str(home) in err
    assert Path(out.strip()) == home / "_posts" / "2021-08-02-day1.md"
    assert (home / ".git").is_dir()
    code, out, err = run("new", "day2", "--date", "2021-08-03")
    assert code == 0 and "Created" not in err


def test_env_root_is_honoured(log_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYLOG_ROOT", str(log_root))
    code, _, _ = run("new", "day3", "--date", "2021-08-04")
    assert code == 0
    assert (log_root / "_posts" / "2021-08-04-day3.md").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "day5"], "already exists"),
        (["new", "../evil"], "can't hold"),
        (["new", ".hidden"], "can't start with a dot"),
        (["new", "day6", "--date", "someday"], "Can't read the date"),
        (["new", "day6", "--template", "weekly"], "No template 'weekly'"),
    ],
)
def test_bad_input_is_one_sentence_exit_1_and_changes_nothing(
    log_root: Path, args: list[str], message: str
) -> None:
    assert run("--root", str(log_root), "new", "day5", "--date", "2021-08-05")[0] == 0
    before = files_under(log_root)
    code, out, err = run("--root", str(log_root), *args)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert files_under(log_root) == before


def test_unknown_config_key_is_named(log_root: Path) -> None:
    (log_root / ".studylog.yml").write_text("profile: ko\nposts: _posts\n", encoding="utf-8")
    code, _, err = run("--root", str(log_root), "new", "day5")
    assert code == 1 and "unknown key 'posts'" in err
    assert list((log_root / "_posts").iterdir()) == []


def test_config_not_yaml(log_root: Path) -> None:
    (log_root / ".studylog.yml").write_text("profile: [ko\n", encoding="utf-8")
    code, _, err = run("--root", str(log_root), "new", "day5")
    assert code == 1 and "not valid YAML" in err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ ''.__class__.__mro__ }}\n", "unsafe"),
        ("ok\n{{ undefined_thing }}\n", "line 2"),
        ("{% for %}\n", "line 1"),
    ],
)
def test_bad_templates_are_refused_by_name(log_root: Path, source: str, message: str) -> None:
    (log_root / "_templates").mkdir()
    (log_root / "_templates" / "mine.md").write_text(source, encoding="utf-8")
    code, _, err = run("--root", str(log_root), "new", "day5", "--template", "mine")
    assert code == 1 and "'mine'" in err and message in err
    assert list((log_root / "_posts").iterdir()) == []


def test_usage_error_is_exit_2(log_root: Path) -> None:
    result = runner.invoke(app, ["--root", str(log_root), "new", "x", "--bogus"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["--root", str(log_root), "new", "x", "y"])
    assert result.exit_code == 2


def test_edit_opens_the_editor_on_the_new_post(
    log_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "edited\\n" >> "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    code, out, _ = run("--root", str(log_root), "new", "day5", "--edit")
    assert code == 0
    post = next((log_root / "_posts").iterdir())
    assert post.read_text(encoding="utf-8").endswith("edited\n")


def test_edit_without_editor_says_what_to_set(
    log_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No `editor` or `vi` to fall back to either.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run("--root", str(log_root), "new", "day5", "--edit")
    assert code == 1 and "$VISUAL or $EDITOR" in err
    assert out.strip().endswith("day5.md")  # the post is made; only the editor is missing


@pytest.mark.parametrize("editor", ["false", "/nonexistent/editor", 'vi "unclosed'])
def test_a_failing_editor_says_the_post_was_made(
    log_root: Path, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    # Retrying `new` would fail (the post exists): the error must not say "retry".
    monkeypatch.setenv("EDITOR", editor)
    code, out, err = run("--root", str(log_root), "new", "day5", "--edit")
    assert code == 1
    assert "was created" in err and "day5.md" in err and "retry" not in err
    assert len(err.strip().splitlines()) == 1
    assert (log_root / out.strip()).is_file() or Path(out.strip()).is_file()


def test_init_twice_says_nothing_changed(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "blog"), "--profile", "en")
    assert code == 0 and "Initialised" in err
    code, out, err = run("init", str(tmp_path / "blog"))
    assert code == 0 and "nothing changed" in err and out == ""


def test_init_rejects_unknown_profile(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "blog"), "--profile", "fr"])
    assert result.exit_code == 2
    assert not (tmp_path / "blog").exists()


def test_templates_lists_builtin_and_own(log_root: Path) -> None:
    (log_root / "_templates").mkdir()
    (log_root / "_templates" / "weekly.md").write_text("x\n", encoding="utf-8")
    code, out, _ = run("--root", str(log_root), "templates")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [
        ("en", "built-in"),
        ("ko", "built-in"),
        ("week", "built-in"),
        ("weekly", "log"),
    ]
    assert rows[1][2].endswith("(default)")


def test_python_dash_m_and_version(log_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studylog", "--version"],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert result.returncode == 0 and result.stdout.startswith("studylog ")
    result = subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(log_root), "new", "a/b"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_init_asks_for_the_course_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("studylog.cli.scaffold.is_interactive", lambda: True)
    result = runner.invoke(app, ["init", str(tmp_path / "blog")], input="AI Tech\n")
    assert result.exit_code == 0, result.output
    assert "Course" in result.stderr
    text = (tmp_path / "blog" / ".studylog.yml").read_text(encoding="utf-8")
    assert 'course: "AI Tech"' in text


def test_init_without_a_terminal_defaults_to_no_course(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "blog")])
    assert result.exit_code == 0, result.output
    assert 'course: ""' in (tmp_path / "blog" / ".studylog.yml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "two"), "--course", "boostcourse"])
    assert 'course: "boostcourse"' in (tmp_path / "two" / ".studylog.yml").read_text(
        encoding="utf-8"
    )
