"""`git status` for `list`, started with posix_spawn: every way it can end."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import git
from studylog.config import Settings, load_settings
from studylog.git_status import git_states, parse_status, start_git_status


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


@pytest.fixture
def settings(log_root: Path) -> Settings:
    return load_settings(log_root)


def test_more_output_than_a_pipe_holds(settings: Settings) -> None:
    """git blocks on a full pipe until it is read: the reader must take all of it."""
    names = [f"2021-01-01-{'x' * 80}-{n:04d}.md" for n in range(1500)]  # ~140 KB of status
    for name in names:
        (settings.posts_path / name).write_text("x\n", encoding="utf-8")
    before = open_fds()
    states = git_states(start_git_status(settings), settings)
    assert states is not None
    assert {Path(path).name for path, state in states.items() if state == "new"} == set(names)
    assert open_fds() == before


def test_outside_a_repository_there_are_no_states(tmp_path: Path) -> None:
    from studylog.scaffold import init_log

    root = tmp_path / "plain"
    init_log(root, profile="ko")
    shutil.rmtree(root / ".git")
    settings = load_settings(root)
    assert git_states(start_git_status(settings), settings) is None


def test_without_git_on_path_there_are_no_states(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    before = open_fds()
    assert start_git_status(settings) is None
    assert git_states(None, settings) is None
    assert open_fds() == before


def test_a_git_that_fails_gives_no_states(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text("#!/bin/sh\necho '?? _posts/2021-01-01-x.md'\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert git_states(start_git_status(settings), settings) is None


def test_git_runs_in_the_log_whatever_the_current_folder(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (settings.posts_path / "2021-01-01-a.md").write_text("a\n", encoding="utf-8")
    git(settings.root, "add", "_posts")
    monkeypatch.chdir(tmp_path)
    states = git_states(start_git_status(settings), settings)
    assert states == {str(settings.posts_path / "2021-01-01-a.md"): "staged"}


def test_parse_status_reads_renames_and_odd_names() -> None:
    output = "R  _posts/new.md\0_posts/old.md\0?? _posts/a\nb.md\0 M _posts/[day5].md\0"
    assert [tuple(line) for line in parse_status(output)] == [
        ("R ", "_posts/new.md", "_posts/old.md"),
        ("??", "_posts/a\nb.md", None),
        (" M", "_posts/[day5].md", None),
    ]
