"""Shell completion: the script Typer prints, its protocol, and a real bash using it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from studylog.cli import app

STUDYLOG = [sys.executable, "-m", "studylog"]


def _command_names() -> set[str]:
    root = typer.main.get_command(app)
    return set(root.list_commands(typer.Context(root, info_name="studylog")))


def _complete(words: str, cword: int, cwd: Path) -> list[str]:
    """Ask studylog for completions the way the bash script does (env var protocol)."""
    env = {
        **os.environ,
        "_STUDYLOG_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    result = subprocess.run(STUDYLOG, env=env, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split()


def _in_bash(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` in a real bash with this checkout's `studylog` first on PATH.

    Typer detects the user's shell from the parent processes (shellingham), and
    the bash completion function runs `studylog` by name, so both need a real
    bash and a `studylog` program.
    """
    bash = shutil.which("bash")
    assert bash, "bash is needed for the completion tests"
    bin_dir = cwd / ".bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "studylog"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m studylog "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    # The trailing `exit` keeps bash from exec'ing a lone command, so bash
    # stays studylog's parent and is the shell Typer detects.
    return subprocess.run(
        [bash, "--norc", "--noprofile", "-c", f"{command}\nexit $?"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_show_completion_prints_a_bash_script(tmp_path: Path) -> None:
    result = _in_bash("studylog --show-completion", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "_STUDYLOG_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _studylog_completion studylog" in result.stdout
    # Printing the script must not make a log or touch the folder.
    assert [p.name for p in tmp_path.iterdir()] == [".bin"]
    assert not Path(os.environ["STUDYLOG_HOME"]).exists()


def test_completion_lists_every_subcommand(tmp_path: Path) -> None:
    names = _complete("studylog ", 1, tmp_path)
    assert set(names) == _command_names()
    assert {"init", "new", "add-question", "add-review", "commit", "templates"} <= set(names)


def test_completion_narrows_by_prefix(tmp_path: Path) -> None:
    assert _complete("studylog add-q", 1, tmp_path) == ["add-question"]
    assert sorted(_complete("studylog add-", 1, tmp_path)) == ["add-question", "add-review"]
    assert _complete("studylog tem", 1, tmp_path) == ["templates"]
    assert sorted(_complete("studylog new --t", 2, tmp_path)) == ["--template", "--title"]


def test_real_bash_completes_with_the_printed_script(tmp_path: Path) -> None:
    """Source the script in bash and call its function, as a shell does on <Tab>."""
    script = (
        'eval "$(studylog --show-completion)"\n'
        "COMP_WORDS=(studylog add-q); COMP_CWORD=1\n"
        "_studylog_completion studylog\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = _in_bash(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["add-question"]


def test_install_completion_writes_into_home(isolated_env: Path, tmp_path: Path) -> None:
    """--install-completion in bash adds the script under HOME and sources it from .bashrc."""
    result = _in_bash("studylog --install-completion", tmp_path)
    assert result.returncode == 0, result.stderr
    installed = isolated_env / ".bash_completions" / "studylog.sh"
    assert "_studylog_completion" in installed.read_text(encoding="utf-8")
    assert str(installed) in (isolated_env / ".bashrc").read_text(encoding="utf-8")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_does_not_open_a_log(shell: str, tmp_path: Path) -> None:
    """Completing outside any log neither fails nor creates the default log."""
    env = {**os.environ, "_STUDYLOG_COMPLETE": f"complete_{shell}"}
    # bash reads COMP_WORDS/COMP_CWORD; zsh and fish read _TYPER_COMPLETE_ARGS.
    env.update({"COMP_WORDS": "studylog ", "COMP_CWORD": "1", "_TYPER_COMPLETE_ARGS": "studylog "})
    env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = subprocess.run(STUDYLOG, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "new" in result.stdout
    assert not Path(os.environ["STUDYLOG_HOME"]).exists()


# --- values: posts, sections, templates, profiles, names ----------------------------


@pytest.fixture
def completion_log(tmp_path: Path) -> Path:
    from conftest import build_file_tree

    return build_file_tree(
        tmp_path / "blog",
        {
            ".studylog.yml": "timezone: UTC\nroster: [민수, 지수, Mina]\nmoderators: [Jun]\n",
            "_posts/2021-08-04-day3.md": "---\ntitle: x\n---\n",
            "_posts/2021-08-05-day4.md": "---\ntitle: x\n---\n",
            "_posts/2021-08-06-weekly.md": "---\ntitle: x\n---\n",
            "_templates/short.md": "---\ntitle: x\n---\n",
        },
    )


def test_post_values_complete_slugs_dates_and_words(completion_log: Path) -> None:
    got = _complete("studylog add-question --post ", 3, completion_log)
    # Newest first, then the dates, with today and yesterday.
    assert got == [
        "today",
        "yesterday",
        "weekly",
        "day4",
        "day3",
        "2021-08-06",
        "2021-08-05",
        "2021-08-04",
    ]
    assert _complete("studylog add-question --post d", 3, completion_log) == ["day4", "day3"]
    assert _complete("studylog answer 1 -p 2021-08-0", 4, completion_log) == [
        "2021-08-06",
        "2021-08-05",
        "2021-08-04",
    ]
    assert _complete("studylog show y", 2, completion_log) == ["yesterday"]


def test_root_option_names_the_log_to_complete_from(completion_log: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    words = f"studylog --root {completion_log} add-review --post da"
    assert _complete(words, 5, elsewhere) == ["day4", "day3"]


def test_section_template_profile_and_name_values(completion_log: Path) -> None:
    sections = _complete("studylog add ", 2, completion_log)
    assert {"agenda", "questions", "reviews", "retrospective", "study"} <= set(sections)
    assert _complete("studylog add re", 2, completion_log) == ["reviews", "retrospective"]
    # `week` is written by `studylog week`, never by `new`.
    assert _complete("studylog new --template ", 3, completion_log) == ["en", "ko", "short"]
    assert _complete("studylog init --profile ", 3, completion_log) == ["ko", "en"]
    assert _complete("studylog add-question --asker ", 3, completion_log) == [
        "민수",
        "지수",
        "Mina",
        "Jun",
    ]
    assert _complete("studylog add-review --presenter 지", 3, completion_log) == ["지수"]
    assert _complete("studylog new --participant M", 3, completion_log) == ["Mina"]


@pytest.mark.parametrize(
    "config",
    [
        "timezone: [broken\n",  # not YAML
        "no_such_key: 1\n",  # an unknown key
        b"\xff\xfe",  # not UTF-8
    ],
)
def test_a_broken_log_completes_quietly(tmp_path: Path, config: str | bytes) -> None:
    from conftest import build_file_tree

    root = build_file_tree(tmp_path / "blog", {".studylog.yml": config})
    # No candidates from the log, no message, exit 0: the Tab key keeps working.
    assert _complete("studylog add-question --post ", 3, root) == ["today", "yesterday"]
    assert _complete("studylog add-question --asker ", 3, root) == []
    # Section keys: the default profile's, as outside a log.
    assert "questions" in _complete("studylog add ", 2, root)


def test_completion_outside_a_log_does_not_create_one(tmp_path: Path) -> None:
    assert _complete("studylog add-question --post ", 3, tmp_path) == ["today", "yesterday"]
    assert _complete("studylog new --template ", 3, tmp_path) == ["en", "ko"]
    assert not Path(os.environ["STUDYLOG_HOME"]).exists()


def test_real_bash_completes_a_post_value(completion_log: Path) -> None:
    script = (
        'eval "$(studylog --show-completion)"\n'
        "COMP_WORDS=(studylog add-question --post d); COMP_CWORD=3\n"
        "_studylog_completion studylog\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = _in_bash(script, completion_log)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["day4", "day3"]


def test_check_and_commit_complete_posts_and_rules(completion_log: Path) -> None:
    assert _complete("studylog check day4 d", 3, completion_log) == ["day4", "day3"]
    assert _complete("studylog commit 2021-08-0", 2, completion_log) == [
        "2021-08-06",
        "2021-08-05",
        "2021-08-04",
    ]
    assert _complete("studylog check --ignore empty-", 3, completion_log) == [
        "empty-list-item",
        "empty-category",
    ]
