"""The dispatcher answers the common lines exactly as typer would, and without typer.

The cases are generated from the Typer app's own parameters: every spelling
of every option of the commands the dispatcher answers, in every value
shape, so a new option or a changed one can't drift apart unnoticed. A line
the dispatcher hands on runs typer's own code, so only the lines it answers
need running both ways; that every other generated line is handed on is
checked for each of them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import build_file_tree, git
from studylog.cli.dispatch import COMMANDS, FAST_PATH_OFF, FLAG, REPEATED, VALUE, parse

POST = "_posts/2021-08-05-day4.md"
POST_TEXT = (
    '---\ntitle: "Day4"\ndate: 2021-08-05\ntags: []\n---\n\n## 피어세션\n\n'
    "### 과제 리뷰\n\n### 질문내용\n\n1. 민수님 질문 : 처음 질문\n\n"
    "    답변 : 처음 답\n\n## 회고록\n"
)
# A fixed clock and fixed commit dates: both ways must make byte-identical posts and commits.
FIXED = {
    "STUDYLOG_NOW": "2021-08-06T10:00:00+09:00",
    "GIT_AUTHOR_DATE": "2021-08-05T10:00:00+09:00",
    "GIT_COMMITTER_DATE": "2021-08-05T10:00:00+09:00",
    "TZ": "Asia/Seoul",
}
# What a value can look like on a command line.
VALUE_SHAPES = ["plain", "두 단어", "", "-", "-x", "줄\n바뀜", "a=b", "--answer"]
ARGUMENT_SHAPES = ["day5", "드롭아웃", "", "두 단어", "-", "-x", "../up", "2021-08-05", "--json"]
BASE = {
    "new": ["new", "day5"],
    "add-question": ["add-question", "--asker", "지수", "--question", "왜?"],
    "list": ["list"],
    "search": ["search", "질문"],
    "commit": ["commit"],
}


def typer_command(name: str) -> Any:
    """The Click command typer builds for `name`, with its parameters."""
    import typer.main

    from studylog.cli import app

    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


def option_params(name: str) -> list[Any]:
    return [p for p in typer_command(name).params if p.param_type_name == "option"]


def _without(line: list[str], param: Any) -> list[str]:
    """`line` without the option `param` (and its value), so the case can give it another way."""
    spellings = {*param.opts, *param.secondary_opts}
    kept: list[str] = []
    skip = False
    for word in line:
        if skip:
            skip = False
        elif word in spellings:
            skip = not param.is_flag
        else:
            kept.append(word)
    return kept


def generated_lines() -> list[list[str]]:
    """Every command line the cases are made of, from the Typer commands' parameters."""
    lines: list[list[str]] = []
    for name, base in BASE.items():
        lines.append(base)
        command = typer_command(name)
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        for _argument in arguments:
            for shape in ARGUMENT_SHAPES:
                lines.append([name, shape, *base[2:]] if name != "add-question" else [])
            lines.append([*base, "extra"])
        for param in option_params(name):
            base = _without(BASE[name], param)
            for spelling in [*param.opts, *param.secondary_opts]:
                if param.is_flag:
                    lines += [[*base, spelling], [*base, f"{spelling}=1"], [*base, spelling] * 2]
                    continue
                for shape in VALUE_SHAPES:
                    lines.append([*base, spelling, shape])
                    if spelling.startswith("--"):
                        lines.append([*base, f"{spelling}={shape}"])
                lines.append([*base, spelling])  # the value missing
                lines.append([*base, spelling, "one", spelling, "two"])
        base = BASE[name]
        for extra in (["-h"], ["--help"], ["--"], ["--nope"], ["-"]):
            lines.append([*base, *extra])
        lines.append(["--root", "."] + base)
        lines.append(["--root=."] + base)
        lines.append(["--root", "-x"] + base)
        lines.append(["--root="] + base)
    lines.append(["--version"])
    lines.append(["--version", "list"])
    return [line for line in lines if line]


def test_the_dispatcher_knows_each_option_as_typer_does() -> None:
    for name, command in COMMANDS.items():
        params = {
            spelling: param
            for param in option_params(name)
            for spelling in [*param.opts, *param.secondary_opts]
        }
        for spelling, (dest, kind) in command.options.items():
            param = params[spelling]
            assert param.name == dest, spelling
            expected = FLAG if param.is_flag else REPEATED if param.multiple else VALUE
            assert kind == expected, spelling
        arguments = [p for p in typer_command(name).params if p.param_type_name == "argument"]
        assert command.positionals <= sum(max(p.nargs, 1) for p in arguments), name


def test_every_line_outside_the_answered_shapes_is_handed_to_typer() -> None:
    for line in generated_lines():
        parsed = parse(line)
        if parsed is None:
            continue
        command = COMMANDS[parsed.command]
        words = line[line.index(parsed.command) + 1 :]
        # Only the dispatcher's own spellings, no value that starts with '-',
        # no '-' or '--' and nothing typer would have to judge.
        for word in words:
            if word.startswith("-"):
                assert word.partition("=")[0] in command.options, line
        assert "-h" not in words and "--help" not in words and "--" not in words


@pytest.fixture(scope="module")
def template_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed log with one post, copied for each run."""
    from studylog.scaffold import init_log

    root = tmp_path_factory.mktemp("template") / "blog"
    init_log(root, profile="ko")
    build_file_tree(root, {POST: POST_TEXT})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    # One changed post, so `commit` has something to commit.
    with (root / POST).open("a", encoding="utf-8") as handle:
        handle.write("\n2. 지수님 질문 : 손으로 쓴 질문\n")
    return root


def run_line(template: Path, where: Path, line: list[str], fast: bool) -> tuple[Any, ...]:
    """Run `line` in a fresh copy of the template; (exit code, stdout, stderr, post bytes, HEAD)."""
    root = where / "blog"
    shutil.copytree(template, root, symlinks=True)
    env = {**os.environ, **FIXED}
    env.pop(FAST_PATH_OFF, None)
    if not fast:
        env[FAST_PATH_OFF] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "studylog", *line],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    head = git(root, "rev-parse", "HEAD").strip()

    def scrub(data: bytes) -> bytes:
        return data.replace(os.fsencode(root), b"<LOG>").replace(os.fsencode(where), b"<TMP>")

    post = (root / POST).read_bytes()
    return done.returncode, scrub(done.stdout), scrub(done.stderr), post, head


def answered_lines() -> list[list[str]]:
    """The generated lines the dispatcher answers itself (each run both ways below)."""
    return [line for line in generated_lines() if line == ["--version"] or parse(line)]


@pytest.mark.slow  # two whole runs of studylog for each of ~80 command lines
@pytest.mark.parametrize("line", answered_lines(), ids=lambda line: " ".join(line)[:60])
def test_the_dispatcher_and_typer_give_the_same_output(
    template_log: Path, tmp_path: Path, line: list[str]
) -> None:
    fast = run_line(template_log, tmp_path / "fast", line, fast=True)
    typed = run_line(template_log, tmp_path / "typer", line, fast=False)
    assert fast == typed


@pytest.mark.parametrize("line", [*BASE.values(), ["--version"]], ids=lambda line: line[0])
def test_an_answered_line_never_imports_typer(
    template_log: Path, tmp_path: Path, line: list[str]
) -> None:
    root = tmp_path / "blog"
    shutil.copytree(template_log, root, symlinks=True)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "studylog", *line],
        cwd=root,
        env={**os.environ, **FIXED},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported = {row.rsplit("|", 1)[-1].strip() for row in done.stderr.splitlines() if "|" in row}
    assert "typer" not in imported and "click" not in imported
    # The same line handed to typer does import it: the check can fail.
    handed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "studylog", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "typer" in {row.rsplit("|", 1)[-1].strip() for row in handed.stderr.splitlines()}


@pytest.mark.parametrize("line", [["search", "질문"], ["list"]], ids=lambda line: line[0])
def test_a_pipe_closed_early_ends_both_ways_alike(
    template_log: Path, tmp_path: Path, line: list[str]
) -> None:
    root = tmp_path / "blog"
    shutil.copytree(template_log, root, symlinks=True)
    # Enough matching lines that the reader is gone before the writer is done.
    build_file_tree(
        root,
        {
            f"_posts/2021-07-{day:02d}-old{day}.md": "---\ntitle: x\n---\n"
            + "### 질문내용\n\n1. 민수님 질문 : 질문 하나\n" * 400
            for day in range(1, 29)
        },
    )
    results = []
    for fast in (True, False):
        env = {**os.environ, **FIXED}
        env.pop(FAST_PATH_OFF, None)
        if not fast:
            env[FAST_PATH_OFF] = "1"
        # The exit code of studylog itself, not of `head`.
        script = (
            f'"{sys.executable}" -m studylog "$@" | head -c 1 >/dev/null; echo "${{PIPESTATUS[0]}}"'
        )
        probe = subprocess.run(
            ["bash", "-c", script, "bash", *line],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        results.append((probe.stdout.strip(), probe.stderr))
    assert results[0] == results[1]
