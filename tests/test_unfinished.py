"""studylog.unfinished: the advice after a sync stopped between its rebase and its stash.

The states are made with real git commands in a real repository, then the
advice is followed word for word and must give back the user's edits.
`test_races.py` covers a sync killed inside its rebase, with real processes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import build_file_tree, git
from studylog.unfinished import (
    SYNC_MARKER,
    SyncMarker,
    find_git_dir,
    mark_sync,
    stash_count,
    unfinished_advice,
)

DAY5 = "_posts/2021-08-05-day5.md"


def _repo(root: Path) -> str:
    build_file_tree(root, {DAY5: "---\ntitle: x\n---\nline\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return git(root, "rev-parse", "HEAD").strip()


def _follow(root: Path, advice: str) -> None:
    """Run each `git ...` command the advice names, in order."""
    commands = [c for c in advice.split("`")[1::2] if c.startswith("git ")]
    assert commands
    for command in commands:
        git(root, *command.split()[1:])


def test_edits_left_in_the_stash_are_named_and_the_advice_brings_them_back(
    log_root: Path,
) -> None:
    head = _repo(log_root)
    mark_sync(log_root / ".git", SyncMarker("main", head, 0))
    (log_root / DAY5).write_text("---\ntitle: x\n---\nmine\n", encoding="utf-8")
    git(log_root, "stash", "-q")  # the autostash, not yet put back
    advice = unfinished_advice(log_root / ".git", log_root, "add the entry")
    assert advice == (
        f"A `studylog sync` was interrupted before putting back your uncommitted edits in "
        f"{log_root}; run `git stash pop --index` to get them back, then add the entry again"
    )
    _follow(log_root, advice)
    assert (log_root / DAY5).read_text(encoding="utf-8").endswith("mine\n")
    assert unfinished_advice(log_root / ".git", log_root, "x") is None
    assert not (log_root / ".git" / SYNC_MARKER).exists()


def test_a_conflicting_autostash_is_undone_to_the_state_before_the_sync(log_root: Path) -> None:
    head = _repo(log_root)
    mark_sync(log_root / ".git", SyncMarker("main", head, 0))
    (log_root / DAY5).write_text("---\ntitle: x\n---\nmine\n", encoding="utf-8")
    git(log_root, "stash", "-q")
    # What the rebase brought in changes the same line; re-applying conflicts.
    (log_root / DAY5).write_text("---\ntitle: x\n---\ntheirs\n", encoding="utf-8")
    git(log_root, "commit", "-q", "-am", "theirs")
    popped = subprocess.run(["git", "stash", "pop"], cwd=log_root, capture_output=True)
    assert popped.returncode != 0 and stash_count(log_root / ".git") == 1
    advice = unfinished_advice(log_root / ".git", log_root, "add the entry")
    assert advice is not None
    assert f"run `git reset --hard {head[:12]}` and `git stash pop --index`" in advice
    _follow(log_root, advice)
    assert git(log_root, "rev-parse", "HEAD").strip() == head
    assert (log_root / DAY5).read_text(encoding="utf-8").endswith("mine\n")
    assert unfinished_advice(log_root / ".git", log_root, "x") is None


def test_a_marker_left_by_a_sync_that_got_through_is_removed(log_root: Path) -> None:
    head = _repo(log_root)
    mark_sync(log_root / ".git", SyncMarker("main", head, 0))
    assert unfinished_advice(log_root / ".git", log_root, "x") is None
    assert not (log_root / ".git" / SYNC_MARKER).exists()


def test_the_git_folder_of_a_linked_worktree_is_its_own(log_root: Path, tmp_path: Path) -> None:
    _repo(log_root)
    other = tmp_path / "linked"
    git(log_root, "worktree", "add", "-q", str(other), "-b", "linked")
    found = find_git_dir(other / "_posts")
    assert found is not None
    assert found[0] == other
    assert found[1] == (log_root / ".git" / "worktrees" / "linked").resolve()
    assert find_git_dir(tmp_path / "nowhere") is None
