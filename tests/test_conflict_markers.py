"""A post holding git's conflict markers: every writer refuses it, `check` flags it.

The conflicted post is made by git itself (a `git merge` of two edits of one
line, through studylog's driver), not typed in, so the markers are exactly
what users get.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree, git
from studylog.check import check_post
from studylog.cli import app
from studylog.errors import PostConflictError
from studylog.log import open_log, post_ref
from studylog.post import PostText, conflict_marker_line, edit_post, read_post_for_edit

DAY5 = "_posts/2021-08-05-day5.md"
POST = """\
---
title: "Day5"
date: 2021-08-05
---

## 학습 내용

오늘은 RNN

## 피어세션

### 질문내용

1. 민수님 질문 : 왜?

## 회고록
"""


@pytest.fixture
def conflicted(log_root: Path) -> Path:
    """The log after a `git merge` that left markers in day5, committed so."""
    build_file_tree(log_root, {DAY5: POST})
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "start")
    git(log_root, "switch", "-q", "-c", "laptop")
    (log_root / DAY5).write_text(POST.replace("오늘은 RNN", "노트북"), encoding="utf-8")
    git(log_root, "commit", "-q", "-am", "laptop")
    git(log_root, "switch", "-q", "main")
    (log_root / DAY5).write_text(POST.replace("오늘은 RNN", "데스크톱"), encoding="utf-8")
    git(log_root, "commit", "-q", "-am", "desk")
    merged = subprocess.run(
        ["git", "merge", "-q", "laptop"], cwd=log_root, capture_output=True, check=False
    )
    assert merged.returncode != 0
    # studylog's driver found a real conflict and left git's markers.
    assert "\n<<<<<<< ours: " in (log_root / DAY5).read_text(encoding="utf-8")
    # Committed as they are (writers refuse anything while the merge itself
    # is under way; test_races.py covers that): the markers alone must stop them.
    git(log_root, "commit", "-q", "-am", "merge, markers and all")
    return log_root


@pytest.mark.parametrize(
    "args",
    [
        ["add-question", "--asker", "지수", "--question", "새 질문"],
        ["add-review", "--assignment", "과제", "--presenter", "지수"],
        ["add", "retrospective", "좋았다"],
    ],
)
def test_every_writer_refuses_a_conflicted_post(conflicted: Path, args: list[str]) -> None:
    before = (conflicted / DAY5).read_bytes()

    done = CliRunner().invoke(app, ["--root", str(conflicted), *args, "--post", "day5"])

    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    assert "conflict markers (line 8)" in done.stderr and "git rebase --abort" in done.stderr
    assert (conflicted / DAY5).read_bytes() == before


@dataclass(frozen=True)
class Edited:
    text: str


def test_the_write_path_refuses_too(conflicted: Path) -> None:
    path = conflicted / DAY5
    before = path.read_bytes()
    with pytest.raises(PostConflictError, match="resolve the conflict"):
        read_post_for_edit(path)
    # Markers that arrive after the read (a merge meanwhile) are caught under the lock.
    path.write_text(POST, encoding="utf-8")
    clean = read_post_for_edit(path)

    def append(post: PostText) -> Edited:
        if post.text == POST:
            path.write_bytes(before)
        return Edited(post.text + "more\n")

    with pytest.raises(PostConflictError, match="resolve the conflict"):
        edit_post(clean, append, root=conflicted, action="add the entry")
    assert path.read_bytes() == before


def test_check_flags_the_markers_as_an_error(conflicted: Path) -> None:
    log = open_log(root=conflicted)
    ref = post_ref(conflicted / DAY5)
    assert ref is not None
    findings = [f for f in check_post(ref, log.settings) if f.rule == "conflict-markers"]
    assert [(f.severity, f.line) for f in findings] == [("error", 8)]

    done = CliRunner().invoke(app, ["--root", str(conflicted), "check", "day5"])
    assert done.exit_code == 1 and "conflict-markers" in done.output


def test_a_resolved_post_is_written_again(conflicted: Path) -> None:
    (conflicted / DAY5).write_text(POST, encoding="utf-8")
    done = CliRunner().invoke(
        app, ["--root", str(conflicted), "add-question", "--asker", "지수", "--question", "q"]
    )
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> laptop\n", 2),
        ("a\r\n<<<<<<< ours\r\nb\r\n||||||| base\r\n=======\r\n>>>>>>> theirs\r\n", 2),
        # Shown in a code block (a post about git), or only part of the set: no conflict.
        ("```\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n```\n", None),
        ("<<<<<<< HEAD\nb\n", None),
        ("<<<<<<<<< long\n=======\n>>>>>>> x\n", None),
        ("title\n=======\n", None),
    ],
)
def test_what_counts_as_markers(text: str, line: int | None) -> None:
    assert conflict_marker_line(text) == line
