"""Writers, `sync` and `commit` at the same time, and a sync killed half way.

Real processes, real repositories and a bare remote on disk. The window is
made to happen on purpose, never by timing luck: a `post-checkout` hook
stops `git pull --rebase` in the middle of its rebase until the test
creates a file, and a second command is started only once it has said it
is waiting for the log's lock.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import build_file_tree, git, interruptible
from studylog.unfinished import SYNC_MARKER

DAY5 = "_posts/2021-08-05-day5.md"
DAY6 = "_posts/2021-08-06-day6.md"
HEADER = '---\ntitle: "Day5"\ndate: 2021-08-05\n---\n## 피어세션\n\n### 질문내용\n\n'
FOOTER = "<br>\n\n## 회고록\n\n좋았다.\n"
WAITING = "Waiting for another studylog command to finish"
WAIT_LIMIT = 60.0  # seconds: only a broken test waits this long


def question(n: int, who: str, text: str) -> str:
    return f"{n}. {who}님 질문 : {text}\n\n"


def post(*questions: str, retrospective: str = "좋았다.") -> str:
    return HEADER + "".join(questions) + FOOTER.replace("좋았다.", retrospective)


@pytest.fixture
def repo(log_root: Path, tmp_path: Path) -> Path:
    """The log with day5 committed and pushed to a bare remote (its upstream)."""
    build_file_tree(log_root, {DAY5: post()})
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "Start the log")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(log_root, "remote", "add", "origin", str(bare))
    git(log_root, "push", "-q", "-u", "origin", "main")
    return log_root


def push_from_elsewhere(repo: Path, tmp_path: Path, text: str) -> None:
    """A teammate (a second clone) commits `text` as day5 and pushes it."""
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(other))
    (other / DAY5).write_text(text, encoding="utf-8")
    git(other, "commit", "-q", "-am", "day5: +1 question")
    git(other, "push", "-q")


def studylog(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start `studylog ARGS` in the log, in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "studylog", *args],
        cwd=root,
        env={**os.environ, "STUDYLOG_NO_PROMPT": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    process = studylog(root, *args)
    stdout, stderr = process.communicate(timeout=WAIT_LIMIT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def wait_for_file(path: Path, process: subprocess.Popen[str]) -> None:
    """Block until `path` exists; fail at once if `process` ended first."""
    deadline = time.monotonic() + WAIT_LIMIT
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def wait_for_notice(process: subprocess.Popen[str]) -> None:
    """Block until the command says it waits for the lock (its first stderr line)."""
    assert process.stderr is not None
    line = process.stderr.readline()
    assert WAITING in line, line


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=WAIT_LIMIT)
    return process.returncode, stdout, stderr


@pytest.fixture
def paused_rebase(repo: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A post-checkout hook that stops the rebase until `go` exists; yields (paused, go).

    git runs post-checkout once the rebase has detached HEAD onto the
    remote's commit, with the rebase state (and its autostash) on disk.
    """
    paused, go = tmp_path / "paused", tmp_path / "go"
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(
        f"#!/bin/sh\ntouch '{paused}'\nwhile [ ! -e '{go}' ]; do sleep 0.02; done\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    yield paused, go
    go.touch()  # never leave a hook spinning


def test_an_entry_added_during_sync_waits_and_lands_on_the_pulled_post(
    repo: Path, tmp_path: Path, paused_rebase: tuple[Path, Path]
) -> None:
    paused, go = paused_rebase
    push_from_elsewhere(repo, tmp_path, post(question(1, "지수", "pulled")))
    # A local commit of its own, so the pull rebases instead of fast-forwarding.
    (repo / DAY6).write_text(post(), encoding="utf-8")
    git(repo, "add", DAY6)
    git(repo, "commit", "-q", "-m", "Add day6 study log")
    sync = studylog(repo, "sync")
    wait_for_file(paused, sync)  # sync holds the lock, its rebase half done
    adding = studylog(repo, "add-question", "-a", "민수", "-q", "local")
    wait_for_notice(adding)
    go.touch()

    assert finish(sync)[0] == 0
    code, _, stderr = finish(adding)
    assert code == 0, stderr
    assert "Added question 2" in stderr
    # The pulled question is kept and the new one comes after it.
    expected = post(question(1, "지수", "pulled"), question(2, "민수", "local"))
    assert (repo / DAY5).read_bytes() == expected.encode()
    assert git(repo, "log", "-2", "--format=%s") == "Add day6 study log\nday5: +1 question\n"
    assert git(repo, "status", "--porcelain") == f" M {DAY5}\n"


@pytest.mark.slow
def test_a_commit_during_sync_waits_and_survives_the_rollback(
    repo: Path, tmp_path: Path, paused_rebase: tuple[Path, Path]
) -> None:
    paused, go = paused_rebase
    push_from_elsewhere(repo, tmp_path, post(retrospective="remote"))
    (repo / DAY5).write_text(post(retrospective="local"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "local")
    local = git(repo, "rev-parse", "HEAD").strip()
    (repo / DAY6).write_text(post(), encoding="utf-8")  # a new post, not yet committed

    sync = studylog(repo, "sync")
    wait_for_file(paused, sync)
    committing = studylog(repo, "commit")
    wait_for_notice(committing)
    go.touch()

    code, _, stderr = finish(sync)
    assert code == 1 and "conflict with origin/main" in stderr
    code, stdout, stderr = finish(committing)
    assert code == 0, stderr
    # The commit went on top of the branch as it was, not into the rebase
    # the rollback threw away.
    assert git(repo, "log", "-2", "--format=%s") == "Add day6 study log\nlocal\n"
    assert git(repo, "rev-parse", "HEAD~1").strip() == local
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "rebase-merge").exists()


def test_an_entry_waits_for_a_held_lock_and_goes_into_what_was_written_meanwhile(
    repo: Path,
) -> None:
    fd = os.open(repo, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        adding = studylog(repo, "add-question", "-a", "민수", "-q", "second")
        wait_for_notice(adding)
        # What another writer does while it holds the lock.
        (repo / DAY5).write_text(post(question(1, "지수", "first")), encoding="utf-8")
    finally:
        os.close(fd)
    code, _, stderr = finish(adding)
    assert code == 0, stderr
    expected = post(question(1, "지수", "first"), question(2, "민수", "second"))
    assert (repo / DAY5).read_bytes() == expected.encode()


def test_an_answer_waiting_for_the_lock_refuses_the_rebase_started_meanwhile(
    repo: Path,
) -> None:
    (repo / DAY5).write_text(post(question(1, "지수", "first")), encoding="utf-8")
    before = (repo / DAY5).read_bytes()
    fd = os.open(repo, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        answering = studylog(repo, "answer", "1", "--answer", "late", "--post", DAY5)
        wait_for_notice(answering)
        # What a sync killed while the answer waited leaves behind: the
        # check made before waiting passed, the one under the lock must not.
        (repo / ".git" / "rebase-merge").mkdir()
    finally:
        os.close(fd)
    code, _, stderr = finish(answering)
    assert code == 1
    assert stderr.endswith(
        f"Error: A rebase is in progress in {repo}; finish it with `git rebase --continue` "
        "or undo it with `git rebase --abort`, then add the answer again.\n"
    )
    assert (repo / DAY5).read_bytes() == before


# --- a sync that was killed half way -----------------------------------------------


def kill_sync_mid_rebase(repo: Path, tmp_path: Path, paused: Path) -> None:
    """Start a sync that conflicts, and SIGKILL it (git too) inside its rebase."""
    push_from_elsewhere(repo, tmp_path, post(retrospective="remote"))
    (repo / DAY5).write_text(post(retrospective="local"), encoding="utf-8")
    git(repo, "commit", "-q", "-m", "local", "--", DAY5)
    sync = studylog(repo, "sync")
    wait_for_file(paused, sync)
    os.killpg(sync.pid, signal.SIGKILL)
    sync.communicate(timeout=WAIT_LIMIT)
    assert (repo / ".git" / "rebase-merge").is_dir()
    assert (repo / ".git" / SYNC_MARKER).exists()
    assert git(repo, "status", "--porcelain", "--", ".studylog.yml") == "", "not autostashed"


def dirty(repo: Path) -> bytes:
    """An uncommitted edit to a tracked file, which the sync's autostash takes."""
    config = repo / ".studylog.yml"
    config.write_text(config.read_text(encoding="utf-8") + "# my edit\n", encoding="utf-8")
    return config.read_bytes()


@pytest.mark.parametrize(
    "command",
    [
        ["add-question", "-a", "민수", "-q", "Q"],
        ["add-review", "--assignment", "과제", "--presenter", "지수"],
        ["add", "retrospective", "text"],
        ["new", "day7", "--date", "2021-08-07"],
        ["commit", "--all"],
    ],
)
@pytest.mark.slow
def test_after_a_killed_sync_commands_refuse_and_the_advice_restores_everything(
    repo: Path, tmp_path: Path, paused_rebase: tuple[Path, Path], command: list[str]
) -> None:
    paused, go = paused_rebase
    edited = dirty(repo)
    before = git(repo, "rev-parse", "HEAD").strip()
    kill_sync_mid_rebase(repo, tmp_path, paused)
    go.touch()
    mid = {path: (repo / path).read_bytes() for path in (DAY5, ".studylog.yml")}

    done = run(repo, *command)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: ")
    assert "A `studylog sync` was interrupted during its rebase" in done.stderr
    assert "run `git rebase --abort` to put your branch and your uncommitted edits back" in (
        done.stderr
    )
    assert {path: (repo / path).read_bytes() for path in mid} == mid
    assert not (repo / "_posts" / "2021-08-07-day7.md").exists()

    git(repo, "rebase", "--abort")  # the advice, word for word
    local = git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "rev-parse", "HEAD~1").strip() == before
    assert (repo / ".studylog.yml").read_bytes() == edited
    assert (repo / DAY5).read_bytes() == post(retrospective="local").encode()
    again = run(repo, "add-question", "-a", "민수", "-q", "after")
    assert again.returncode == 0, again.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == local
    assert not (repo / ".git" / SYNC_MARKER).exists()


@pytest.mark.slow
def test_after_a_killed_sync_and_rebase_quit_the_advice_restores_everything(
    repo: Path, tmp_path: Path, paused_rebase: tuple[Path, Path]
) -> None:
    paused, go = paused_rebase
    edited = dirty(repo)
    kill_sync_mid_rebase(repo, tmp_path, paused)
    go.touch()
    local = git(repo, "rev-parse", "main").strip()
    git(repo, "rebase", "--quit")  # HEAD stays detached; the autostash goes to the stash

    done = run(repo, "add-question", "-a", "민수", "-q", "Q")
    assert done.returncode == 1
    message = done.stderr
    assert "its rebase was quit" in message
    assert "run `git switch --discard-changes main`" in message
    assert "and `git stash pop` to get your uncommitted edits back" in message

    git(repo, "switch", "-q", "--discard-changes", "main")
    git(repo, "stash", "pop", "-q")
    assert git(repo, "rev-parse", "HEAD").strip() == local
    assert (repo / ".studylog.yml").read_bytes() == edited
    assert (repo / DAY5).read_bytes() == post(retrospective="local").encode()
    again = run(repo, "add-question", "-a", "민수", "-q", "after")
    assert again.returncode == 0, again.stderr
    assert not (repo / ".git" / SYNC_MARKER).exists()


def test_ctrl_c_during_sync_undoes_its_rebase(
    repo: Path, tmp_path: Path, paused_rebase: tuple[Path, Path]
) -> None:
    paused, go = paused_rebase
    edited = dirty(repo)
    push_from_elsewhere(repo, tmp_path, post(question(1, "지수", "pulled")))
    (repo / DAY6).write_text(post(), encoding="utf-8")
    git(repo, "add", DAY6)
    git(repo, "commit", "-q", "-m", "Add day6 study log")
    before = git(repo, "rev-parse", "HEAD").strip()
    sync = studylog(repo, "sync")
    wait_for_file(paused, sync)
    os.killpg(sync.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's group
    go.touch()
    code, _, _ = finish(sync)
    assert code != 0
    assert not (repo / ".git" / "rebase-merge").exists()
    assert not (repo / ".git" / SYNC_MARKER).exists()
    assert git(repo, "rev-parse", "HEAD").strip() == before
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert (repo / ".studylog.yml").read_bytes() == edited
    assert (repo / DAY5).read_bytes() == post().encode()


# --- a rebase, merge, cherry-pick or revert of the user's own --------------------


def stop_on_conflict(repo: Path, operation: str) -> None:
    """Leave `operation` stopped on a conflict in day5."""
    git(repo, "checkout", "-q", "-b", "side")
    (repo / DAY5).write_text(post(retrospective="side"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "side")
    git(repo, "checkout", "-q", "main")
    (repo / DAY5).write_text(post(retrospective="main"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main")
    if operation == "revert":
        # Reverting main's parent change conflicts once main changed the line again.
        (repo / DAY5).write_text(post(retrospective="main again"), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "again")
        args = ["revert", "--no-edit", "HEAD~1"]
    else:
        args = {"rebase": ["rebase", "side"], "merge": ["merge", "side"]}.get(
            operation, ["cherry-pick", "side"]
        )
    stopped = subprocess.run(["git", *args], cwd=repo, capture_output=True)
    assert stopped.returncode != 0


@pytest.mark.parametrize("operation", ["rebase", "merge", "cherry-pick", "revert"])
@pytest.mark.parametrize(
    "command",
    [
        ["add-question", "-a", "민수", "-q", "Q"],
        ["add-review", "--assignment", "과제", "--presenter", "지수"],
        ["add", "retrospective", "text"],
        ["new", "day7", "--date", "2021-08-07"],
    ],
)
def test_writers_refuse_while_an_operation_is_in_progress(
    repo: Path, operation: str, command: list[str]
) -> None:
    stop_on_conflict(repo, operation)
    in_conflict = (repo / DAY5).read_bytes()
    done = run(repo, *command, "--post", DAY5) if command[0] != "new" else run(repo, *command)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: A {operation} is in progress in {repo}; finish it with "
        f"`git {operation} --continue` or undo it with `git {operation} --abort`, then "
        + ("run `studylog new`" if command[0] == "new" else "add the entry")
        + " again.\n"
    )
    assert (repo / DAY5).read_bytes() == in_conflict
    assert not (repo / "_posts" / "2021-08-07-day7.md").exists()
