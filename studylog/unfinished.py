"""Unfinished git work in a log's repository, and the advice that gets out of it.

A rebase, merge, cherry-pick or revert under way means the work tree is
git's, not the user's: `git rebase --abort` resets it, so an entry written
then would be thrown away. Writers, `commit` and `sync` refuse until it is
finished, with advice that works in the state the repository is really in.

`studylog sync` leaves a marker in the git folder while it pulls, so that
after it was killed (Ctrl-C twice, a closed terminal) the advice can name
what happened: its rebase still under way, its rebase quit with
`git rebase --quit` (HEAD detached, the uncommitted edits in the stash as
`autostash`), or its stashed edits not yet put back.

Everything here reads files only (no `git` process): writers check this on
every entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from studylog.errors import OperationInProgressError

SYNC_MARKER = "studylog-sync"


def find_git_dir(folder: Path) -> tuple[Path, Path] | None:
    """(work tree's top, its git folder) for the repository holding `folder`, or None.

    The git folder is a linked worktree's own, where its rebase state lives.
    """
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return candidate, dot_git
        if dot_git.is_file():
            # A linked worktree or a submodule: ".git" is a "gitdir: PATH" file.
            try:
                line = dot_git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if line.startswith("gitdir:"):
                return candidate, (candidate / line[len("gitdir:") :].strip()).resolve()
            return None
    return None


def operation_in_progress(git_dir: Path) -> str | None:
    """'rebase', 'merge', 'cherry-pick' or 'revert' when one is under way."""
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
        return "rebase"
    for name, operation in (
        ("MERGE_HEAD", "merge"),
        ("CHERRY_PICK_HEAD", "cherry-pick"),
        ("REVERT_HEAD", "revert"),
    ):
        if (git_dir / name).exists():
            return operation
    return None


class SyncMarker(NamedTuple):
    """What `sync` recorded before pulling: the branch, its commit, the stash's size."""

    branch: str
    head: str
    stashes: int


def mark_sync(git_dir: Path, marker: SyncMarker) -> None:
    """Record that a sync is pulling (removed by `end_sync` once it is done or undone)."""
    (git_dir / SYNC_MARKER).write_text(
        f"{marker.branch}\n{marker.head}\n{marker.stashes}\n", encoding="utf-8"
    )


def end_sync(git_dir: Path, top: Path) -> None:
    """Remove the marker, unless the sync left something for the next command to explain."""
    unfinished_advice(git_dir, top, "")


def _clear_sync(git_dir: Path) -> None:
    (git_dir / SYNC_MARKER).unlink(missing_ok=True)


def read_sync_marker(git_dir: Path) -> SyncMarker | None:
    """The marker an interrupted sync left, or None."""
    try:
        lines = (git_dir / SYNC_MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if len(lines) != 3 or not lines[2].isdigit():
        return None
    return SyncMarker(lines[0], lines[1], int(lines[2]))


def _head_branch(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def stash_count(git_dir: Path) -> int:
    """How many entries `git stash list` shows, read from refs/stash's reflog.

    A linked worktree shares the stash with the main git folder ("commondir").
    """
    common = git_dir
    try:
        common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except (OSError, UnicodeDecodeError):
        pass
    try:
        with open(common / "logs" / "refs" / "stash", "rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def _has_unmerged_files(top: Path) -> bool:
    # An index with unmerged entries is what conflict markers leave; reading
    # the index format is git's business, so ask it only in this rare case.
    import subprocess

    result = subprocess.run(
        ["git", "ls-files", "--unmerged"], cwd=top, capture_output=True, check=False
    )
    return bool(result.stdout.strip())


def unfinished_advice(git_dir: Path, top: Path, action: str) -> str | None:
    """What is unfinished in the repository and how to finish it, or None when nothing is.

    `action` ends the sentence: "then {action} again". A marker left by a
    sync that ended cleanly anyway is removed here.
    """
    operation = operation_in_progress(git_dir)
    marker = read_sync_marker(git_dir)
    if marker is None:
        if operation is None:
            return None
        return (
            f"A {operation} is in progress in {top}; finish it with "
            f"`git {operation} --continue` or undo it with `git {operation} --abort`, "
            f"then {action} again"
        )
    if operation == "rebase":
        return (
            f"A `studylog sync` was interrupted during its rebase in {top}; run "
            "`git rebase --abort` to put your branch and your uncommitted edits back as "
            f"they were before it, then {action} again"
        )
    if operation is not None:
        return (
            f"A {operation} is in progress in {top}; finish it with "
            f"`git {operation} --continue` or undo it with `git {operation} --abort`, "
            f"then {action} again"
        )
    stashed = stash_count(git_dir) > marker.stashes
    pop = " and `git stash pop` to get your uncommitted edits back" if stashed else ""
    if _head_branch(git_dir) is None:
        return (
            f"A `studylog sync` was interrupted and its rebase was quit in {top}, leaving HEAD "
            f"detached; run `git switch --discard-changes {marker.branch}` to return to your "
            f"branch as it was before the sync{pop}, then {action} again"
        )
    if stashed and _has_unmerged_files(top):
        return (
            f"A `studylog sync` was interrupted while putting back your uncommitted edits in "
            f"{top}; they are safe in the stash: run `git reset --hard {marker.head[:12]}` "
            "and `git stash pop --index` to put your branch and edits back as they were "
            f"before the sync, then {action} again"
        )
    if stashed:
        return (
            f"A `studylog sync` was interrupted before putting back your uncommitted edits in "
            f"{top}; run `git stash pop --index` to get them back, then {action} again"
        )
    # The sync got far enough that nothing is left half done.
    _clear_sync(git_dir)
    return None


def check_nothing_unfinished(folder: Path, action: str) -> None:
    """Refuse to go on while git work is unfinished in the repository holding `folder`.

    Not a repository: nothing to check.

    Raises:
        OperationInProgressError: a rebase, merge, cherry-pick or revert is
            under way, or a sync was interrupted; the message says how to finish.
    """
    found = find_git_dir(folder)
    if found is None:
        return
    advice = unfinished_advice(found[1], found[0], action)
    if advice is not None:
        raise OperationInProgressError(advice + ".")
