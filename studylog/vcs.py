"""Git: make a repository, stage posts, commit, push and sync.

Named `vcs` so that `import git` always means GitPython. Everything goes
through the `git` program; GitPython is imported only by the functions
that commit, push or sync, never at module import.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from studylog.errors import GitError


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as err:
        raise GitError("The `git` program is not installed; install git and try again.") from err


def is_inside_repository(folder: Path) -> bool:
    """True when `folder` is inside a git work tree."""
    return _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"


def init_repository(folder: Path) -> None:
    """`git init` in `folder`.

    Raises:
        GitError: git is missing or refused.
    """
    result = _git(folder, "init", "-q")
    if result.returncode != 0:
        raise GitError(f"`git init` failed in {folder}: {result.stderr.strip()}")
