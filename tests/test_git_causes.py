"""Git failures say their real cause (issue 11, item 8), with real repositories and hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_vcs import (  # noqa: F401 - remote and repo are fixtures
    DAY5,
    commit_in,
    post_text,
    remote,
    repo,
)

from conftest import git
from studylog.errors import CommitRejectedError, GitError, PushRejectedError
from studylog.sync import push_branch
from studylog.vcs import open_repository


def test_a_stale_index_lock_is_not_blamed_on_the_hook(repo: Path) -> None:  # noqa: F811
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    hook.chmod(0o755)
    lock = repo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    before = git(repo, "rev-parse", "HEAD")
    with pytest.raises(GitError) as err:
        commit_in(repo)
    assert not isinstance(err.value, CommitRejectedError)
    assert "index.lock exists" in str(err.value) and "hook" not in str(err.value)
    assert f"delete {lock}" in str(err.value)
    assert git(repo, "rev-parse", "HEAD") == before
    lock.unlink()
    commit_in(repo)
    assert git(repo, "rev-parse", "HEAD") != before


def test_a_stale_index_lock_while_adding_a_new_post(repo: Path) -> None:  # noqa: F811
    (repo / ".git" / "index.lock").write_text("", encoding="utf-8")
    (repo / "_posts" / "2021-08-06-day6.md").write_text(post_text(), encoding="utf-8")
    with pytest.raises(GitError, match="index.lock exists"):
        commit_in(repo)


def test_dubious_ownership_is_not_called_no_repository(
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # git's own switch for this check: the repository looks owned by someone else.
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    with pytest.raises(GitError) as err:
        open_repository(repo)
    message = str(err.value)
    assert "another user owns it" in message and "not in a git repository" not in message
    assert f"safe.directory {repo}" in message


def test_dubious_ownership_through_the_cli(repo: Path) -> None:  # noqa: F811
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(repo), "commit"],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "dubious ownership" in result.stderr and result.stderr.count("\n") == 1


def test_the_servers_pre_receive_text_is_shown(repo: Path, remote: Path) -> None:  # noqa: F811
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'main is protected: open a pull request' >&2\nexit 1\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    with pytest.raises(PushRejectedError) as err:
        push_branch(repo)
    assert "it said: main is protected: open a pull request" in str(err.value)
