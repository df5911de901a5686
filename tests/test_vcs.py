"""studylog.vcs and studylog.sync on real repositories: commit, push, sync, and git failing.

Each failure is made for real (a hook script that exits 1, a second clone
that pushes first, a rebase stopped on a conflict, ...) and the test checks
the repository afterwards: which commits exist, what the index and the work
tree hold, that the post's bytes are intact.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, build_file_tree, git
from studylog.errors import (
    CommitRejectedError,
    GitError,
    PushRejectedError,
    SyncConflictError,
)
from studylog.log import open_log
from studylog.sync import push_branch, sync_branch
from studylog.vcs import (
    FileChange,
    commit_message,
    commit_posts,
    describe_change,
)

DAY5 = "_posts/2021-08-05-day5.md"
DAY6 = "_posts/2021-08-06-day6.md"


def post_text(questions: int = 0, reviews: int = 0, note: str = "오늘은 RNN") -> str:
    """A ko post with `questions` questions and `reviews` reviews in their sections."""
    lines = ["---", 'title: "[boostcourse] Day5 학습기록"', "date: 2021-08-05", "---", "<br>", ""]
    lines += ["## 학습 내용", "", note, "", "## 피어세션", "", "모더레이터 : 김준태", ""]
    lines += ["### 과제 리뷰", ""]
    for n in range(1, reviews + 1):
        lines += [f"- 선택과제 {n} (Gradient Descent, 발표자 : 장동건)", "    → 피드백", ""]
    lines += ["### 질문내용", ""]
    for n in range(1, questions + 1):
        lines += [f"{n}. 서광채님 질문 : 질문 {n}", "", f"    답변 : 답변 {n}", ""]
    lines += ["## 회고록", "", "좋았다.", ""]
    return "\n".join(lines)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def status(root: Path) -> str:
    return git(root, "-c", "core.quotePath=false", "status", "--porcelain", "--untracked-files=all")


def committed_files(root: Path, rev: str = "HEAD") -> list[str]:
    out = git(
        root, "-c", "core.quotePath=false", "show", "--no-renames", "--name-only", "--format=", rev
    )
    return sorted(line for line in out.splitlines() if line)


def message(root: Path, rev: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%B", rev).strip()


@pytest.fixture
def repo(log_root: Path) -> Path:
    """The log with one commit holding .studylog.yml and day5 (no entries yet)."""
    build_file_tree(log_root, {DAY5: post_text()})
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "Start the log")
    return log_root


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    """A bare remote on disk that has the log's main branch, set as its upstream."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "-u", "origin", "main")
    return bare


def clone(bare: Path, where: Path) -> Path:
    """A second machine: a clone of the remote with the test identity."""
    git(where.parent, "clone", "-q", str(bare), str(where))
    return where


def add_hook(root: Path, name: str, output: str) -> None:
    hook = root / ".git" / "hooks" / name
    hook.write_text(f"#!/bin/sh\necho '{output}' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)


def commit_in(root: Path) -> object:
    return commit_posts(open_log(root=root))


# ---------------------------------------------------------------- messages


def test_describe_change_for_each_kind() -> None:
    assert describe_change(FileChange(DAY5, "added", True)) == "Add day5 study log"
    assert describe_change(FileChange(DAY5, "deleted", True)) == "Remove day5 study log"
    assert (
        describe_change(FileChange(DAY5, "modified", True, questions=2, reviews=1))
        == "day5: +2 questions, +1 review"
    )
    assert describe_change(FileChange(DAY5, "modified", True, questions=-1)) == "day5: -1 question"
    assert describe_change(FileChange(DAY5, "modified", True)) == "Update day5 study log"
    assert describe_change(FileChange("README.md", "modified", False)) == "Update README.md"
    renamed = FileChange(DAY6, "renamed", True, old_path=DAY5)
    assert describe_change(renamed) == "Rename day5 to day6 study log"


def test_commit_message_for_several_posts_has_a_summary_and_a_line_each() -> None:
    text = commit_message(
        [
            FileChange(DAY5, "modified", True, questions=2, reviews=1),
            FileChange(DAY6, "added", True),
            FileChange("_config.yml", "modified", False),
        ]
    )
    assert text == (
        "Update 2 study logs and 1 other file: +2 questions, +1 review\n\n"
        "- day5: +2 questions, +1 review\n- Add day6 study log\n- Update _config.yml"
    )
    assert commit_message(
        [FileChange(DAY5, "added", True), FileChange(DAY6, "added", True)]
    ).startswith("Add 2 study logs\n\n")


# ---------------------------------------------------------------- commit


def test_new_post_is_committed_alone_with_an_add_message(repo: Path) -> None:
    build_file_tree(repo, {DAY6: post_text(), "notes.txt": "private", "_posts/img.png": b"\x89PNG"})
    build_file_tree(repo, {"staged.txt": "staged by the user"})
    git(repo, "add", "staged.txt")

    result = commit_in(repo)

    assert result is not None
    assert message(repo) == "Add day6 study log"
    assert committed_files(repo) == [DAY6]
    assert result.paths == [DAY6]  # type: ignore[attr-defined]
    assert head(repo).startswith(result.commit)  # type: ignore[attr-defined]
    # Unrelated files are untouched: the staged one stays staged, the others untracked.
    assert status(repo).splitlines() == ["A  staged.txt", "?? _posts/img.png", "?? notes.txt"]


def test_added_entries_are_counted_against_head(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=2, reviews=1), encoding="utf-8")
    commit_in(repo)
    assert message(repo) == "day5: +2 questions, +1 review"
    assert git(repo, "show", f"HEAD:{DAY5}") == post_text(questions=2, reviews=1)
    assert status(repo) == ""


def test_a_change_that_adds_no_entry_is_an_update(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(note="RNN, LSTM"), encoding="utf-8")
    commit_in(repo)
    assert message(repo) == "Update day5 study log"


def test_hand_written_post_counts_one_more_question(repo: Path) -> None:
    path = repo / "_posts" / "2021-08-05-day4.md"
    original = SAMPLE_POST.read_bytes()
    path.write_bytes(original)
    commit_in(repo)
    assert message(repo) == "Add day4 study log"
    marker = "\n\n## 🌙멘토링🌙".encode()
    added = "\n\n4. 박하준님 질문 : LSTM?".encode()
    edited = original.replace(marker, added + b"\n\n    " + "답변 : 게이트".encode() + marker, 1)
    assert edited != original
    path.write_bytes(edited)
    commit_in(repo)
    assert message(repo) == "day4: +1 question"
    assert path.read_bytes() == edited


def test_several_posts_get_a_summary_line_and_a_line_per_post(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    build_file_tree(repo, {DAY6: post_text()})
    commit_in(repo)
    assert message(repo) == (
        "Update 2 study logs: +1 question\n\n- day5: +1 question\n- Add day6 study log"
    )
    assert committed_files(repo) == [DAY5, DAY6]


def test_named_post_only_and_user_message(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    build_file_tree(repo, {DAY6: post_text()})
    log = open_log(root=repo)
    commit_posts(log, [repo / DAY6], message="My own words")
    assert message(repo) == "My own words"
    assert committed_files(repo) == [DAY6]
    assert status(repo).splitlines() == [f" M {DAY5}"]


def test_everything_commits_other_files_too(repo: Path) -> None:
    build_file_tree(repo, {"_config.yml": "title: blog\n", DAY6: post_text()})
    commit_posts(open_log(root=repo), everything=True)
    assert committed_files(repo) == ["_config.yml", DAY6]
    assert status(repo) == ""


def test_deleted_post_and_literal_names(repo: Path) -> None:
    odd = "_posts/2021-08-07-[day7] 질문*.md"
    build_file_tree(repo, {odd: post_text()})
    (repo / DAY5).unlink()
    commit_in(repo)
    assert committed_files(repo) == [DAY5, odd]
    assert message(repo).splitlines()[0] == "Update 2 study logs"
    assert git(repo, "ls-files", "-z", "_posts").split("\0") == [odd, ""]


def test_nothing_to_commit_returns_none_and_makes_no_commit(repo: Path) -> None:
    build_file_tree(repo, {"notes.txt": "not a post"})
    before = head(repo)
    assert commit_in(repo) is None
    assert head(repo) == before


def test_first_commit_in_an_empty_repository(log_root: Path) -> None:
    build_file_tree(log_root, {DAY5: post_text()})
    result = commit_in(log_root)
    assert result is not None
    assert commit_count(log_root) == 1
    # The log's set-up files go with the first post, so a clone is a working log.
    assert message(log_root) == (
        "Add day5 study log and 2 other files\n\n"
        "- Add .gitattributes\n- Add .studylog.yml\n- Add day5 study log"
    )
    assert committed_files(log_root) == [".gitattributes", ".studylog.yml", DAY5]


# ---------------------------------------------------------------- commit failures


def test_not_a_repository(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    build_file_tree(root, {".studylog.yml": "profile: ko\n", DAY5: post_text()})
    with pytest.raises(GitError, match="not in a git repository; run `git init`"):
        commit_in(root)
    assert not (root / ".git").exists()


def test_no_identity_names_both_commands_and_changes_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.delenv("EMAIL", raising=False)
    build_file_tree(repo, {DAY6: post_text()})
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    before = head(repo)

    with pytest.raises(GitError) as caught:
        commit_in(repo)

    text = str(caught.value)
    assert "git config --global user.name" in text and "git config --global user.email" in text
    assert head(repo) == before
    assert status(repo).splitlines() == [f" M {DAY5}", f"?? {DAY6}"]
    assert (repo / DAY5).read_text(encoding="utf-8") == post_text(questions=1)


def test_detached_head_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    build_file_tree(repo, {DAY6: post_text()})
    before = head(repo)
    with pytest.raises(GitError, match="HEAD is detached.*git switch"):
        commit_in(repo)
    assert head(repo) == before
    assert status(repo).splitlines() == [f"?? {DAY6}"]


def test_rebase_in_progress_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    (repo / DAY5).write_text(post_text(note="side"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "side")
    git(repo, "checkout", "-q", "main")
    (repo / DAY5).write_text(post_text(note="main"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main")
    stopped = subprocess.run(["git", "rebase", "side"], cwd=repo, capture_output=True)
    assert stopped.returncode != 0
    in_conflict = (repo / DAY5).read_bytes()

    with pytest.raises(GitError, match="A rebase is in progress.*git rebase --abort"):
        commit_in(repo)

    assert (repo / ".git" / "rebase-merge").is_dir()
    assert (repo / DAY5).read_bytes() == in_conflict


@pytest.mark.parametrize(
    ("command", "marker"),
    [
        (["merge", "side"], "MERGE_HEAD"),
        (["cherry-pick", "side"], "CHERRY_PICK_HEAD"),
    ],
)
def test_merge_or_cherry_pick_in_progress_is_refused(
    repo: Path, command: list[str], marker: str
) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    (repo / DAY5).write_text(post_text(note="side"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "side")
    git(repo, "checkout", "-q", "main")
    (repo / DAY5).write_text(post_text(note="main"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main")
    stopped = subprocess.run(["git", *command], cwd=repo, capture_output=True)
    assert stopped.returncode != 0
    before, in_conflict = head(repo), (repo / DAY5).read_bytes()
    with pytest.raises(GitError, match=f"A {command[0]} is in progress.*git {command[0]} --abort"):
        commit_in(repo)
    assert head(repo) == before
    assert (repo / ".git" / marker).exists()
    assert (repo / DAY5).read_bytes() == in_conflict


@pytest.mark.parametrize("hook", ["pre-commit", "commit-msg"])
def test_rejecting_hook_shows_its_output_and_leaves_the_index_alone(repo: Path, hook: str) -> None:
    add_hook(repo, hook, "lint: day6 has no title")
    build_file_tree(repo, {DAY6: post_text()})
    (repo / DAY5).write_text(post_text(questions=2), encoding="utf-8")
    before = head(repo)

    with pytest.raises(CommitRejectedError) as caught:
        commit_in(repo)

    assert f"The {hook} hook rejected the commit" in str(caught.value)
    assert "lint: day6 has no title" in str(caught.value)
    assert head(repo) == before
    # New stays untracked, modified stays unstaged: the index is as before.
    assert status(repo).splitlines() == [f" M {DAY5}", f"?? {DAY6}"]
    assert (repo / DAY5).read_text(encoding="utf-8") == post_text(questions=2)


def test_staged_state_of_other_files_survives_a_rejected_commit(repo: Path) -> None:
    add_hook(repo, "pre-commit", "no")
    build_file_tree(repo, {"staged.txt": "x"})
    git(repo, "add", "staged.txt")
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    with pytest.raises(CommitRejectedError):
        commit_in(repo)
    assert status(repo).splitlines() == [f" M {DAY5}", "A  staged.txt"]


# ---------------------------------------------------------------- push


def test_first_push_sets_the_upstream(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))

    result = push_branch(repo)

    assert result.set_upstream and result.commits == 1
    assert git(bare, "rev-parse", "main").strip() == head(repo)
    assert git(repo, "rev-parse", "--abbrev-ref", "main@{upstream}").strip() == "origin/main"


def test_push_sends_the_new_commit(repo: Path, remote: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    result = push_branch(repo)
    assert result.commits == 1 and not result.set_upstream
    assert git(remote, "rev-parse", "main").strip() == head(repo)
    assert push_branch(repo).commits == 0


def test_push_without_a_remote_keeps_the_commit(repo: Path) -> None:
    build_file_tree(repo, {DAY6: post_text()})
    commit_in(repo)
    committed = head(repo)
    with pytest.raises(GitError, match="has no remote; add one with `git remote add origin URL`"):
        push_branch(repo)
    assert head(repo) == committed


def test_several_remotes_and_no_upstream(repo: Path, tmp_path: Path) -> None:
    for name in ("github", "backup"):
        git(tmp_path, "init", "-q", "--bare", str(tmp_path / f"{name}.git"))
        git(repo, "remote", "add", name, str(tmp_path / f"{name}.git"))
    with pytest.raises(GitError, match="no upstream.*git push -u REMOTE main"):
        push_branch(repo)
    assert git(tmp_path / "github.git", "branch", "--list") == ""


def test_rejected_push_keeps_the_local_commit(repo: Path, remote: Path, tmp_path: Path) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {DAY6: post_text()})
    git(other, "add", DAY6)
    git(other, "commit", "-q", "-m", "from the laptop")
    git(other, "push", "-q")
    remote_head = git(remote, "rev-parse", "main").strip()

    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    local = head(repo)

    with pytest.raises(PushRejectedError, match="kept locally, run `studylog sync`"):
        push_branch(repo)

    assert head(repo) == local
    assert git(remote, "rev-parse", "main").strip() == remote_head
    assert (repo / DAY5).read_text(encoding="utf-8") == post_text(questions=1)


def test_remote_hook_rejection_is_reported(repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    local = head(repo)
    with pytest.raises(PushRejectedError, match="origin refused the push"):
        push_branch(repo)
    assert head(repo) == local
    assert git(remote, "rev-parse", "main").strip() != local


# ---------------------------------------------------------------- sync


def test_sync_pulls_and_pushes_with_a_linear_history(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {DAY6: post_text()})
    git(other, "add", DAY6)
    git(other, "commit", "-q", "-m", "from the laptop")
    git(other, "push", "-q")
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    build_file_tree(repo, {"_posts/draft.md": "wip"})  # untracked, must survive
    (repo / ".studylog.yml").write_text(
        (repo / ".studylog.yml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"
    )  # uncommitted edit: autostashed and restored

    result = sync_branch(repo)

    assert (result.pulled, result.pushed) == (1, 1)
    assert git(remote, "rev-parse", "main").strip() == head(repo)
    log = git(repo, "log", "--format=%s").splitlines()
    assert log == ["day5: +1 question", "from the laptop", "Start the log"]
    assert git(repo, "rev-list", "--merges", "--count", "HEAD").strip() == "0"
    assert (repo / DAY6).exists() and (repo / "_posts/draft.md").read_text() == "wip"
    assert (repo / ".studylog.yml").read_text(encoding="utf-8").endswith("# edited\n")
    assert git(repo, "stash", "list") == ""


def test_sync_conflict_is_rolled_back(repo: Path, remote: Path, tmp_path: Path) -> None:
    other = clone(remote, tmp_path / "laptop")
    (other / DAY5).write_text(post_text(note="노트북에서 쓴 줄"), encoding="utf-8")
    git(other, "commit", "-q", "-am", "laptop edits the same line")
    git(other, "push", "-q")

    (repo / DAY5).write_text(post_text(note="데스크톱에서 쓴 줄"), encoding="utf-8")
    commit_in(repo)
    local = head(repo)
    post_bytes = (repo / DAY5).read_bytes()
    (repo / ".studylog.yml").write_text("profile: ko\n# uncommitted\n", encoding="utf-8")
    build_file_tree(repo, {"notes.txt": "untracked"})
    before_status = status(repo)

    with pytest.raises(SyncConflictError, match=f"conflict with origin/main in {DAY5}"):
        sync_branch(repo)

    assert head(repo) == local
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert not (repo / ".git" / "rebase-merge").exists()
    assert not (repo / ".git" / "rebase-apply").exists()
    assert (repo / DAY5).read_bytes() == post_bytes
    assert (repo / ".studylog.yml").read_text() == "profile: ko\n# uncommitted\n"
    assert status(repo) == before_status
    assert git(repo, "stash", "list") == ""
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert b"<<<<<<<" not in path.read_bytes(), path
    # The remote is untouched: the laptop's commit is still its tip.
    assert git(remote, "log", "-1", "--format=%s", "main").strip() == "laptop edits the same line"


def test_sync_conflict_with_uncommitted_edits_is_rolled_back(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    other = clone(remote, tmp_path / "laptop")
    (other / DAY5).write_text(post_text(note="노트북"), encoding="utf-8")
    git(other, "commit", "-q", "-am", "laptop")
    git(other, "push", "-q")
    local = head(repo)
    (repo / DAY5).write_text(post_text(note="아직 커밋 안 함"), encoding="utf-8")
    git(repo, "add", DAY5)

    with pytest.raises(SyncConflictError, match="uncommitted edits"):
        sync_branch(repo)

    assert head(repo) == local
    assert (repo / DAY5).read_text(encoding="utf-8") == post_text(note="아직 커밋 안 함")
    assert status(repo).splitlines() == [f"M  {DAY5}"]
    assert git(repo, "stash", "list") == ""


def test_sync_on_first_use_pushes_and_sets_the_upstream(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    result = sync_branch(repo)
    assert result.set_upstream and result.pushed == 1 and result.pulled == 0
    assert git(bare, "rev-parse", "main").strip() == head(repo)


def test_sync_without_a_remote(repo: Path) -> None:
    before = head(repo)
    with pytest.raises(GitError, match="no remote"):
        sync_branch(repo)
    assert head(repo) == before


def test_sync_with_an_unreachable_remote(repo: Path, tmp_path: Path) -> None:
    git(repo, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    before = head(repo)
    with pytest.raises(GitError, match="Can't reach origin"):
        sync_branch(repo)
    assert git(repo, "for-each-ref", "refs/remotes") == ""
    assert head(repo) == before


def test_sync_without_identity_keeps_the_local_commit(
    repo: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {DAY6: post_text()})
    git(other, "add", DAY6)
    git(other, "commit", "-q", "-m", "laptop")
    git(other, "push", "-q")
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    commit_in(repo)
    local = head(repo)
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.delenv("EMAIL", raising=False)

    with pytest.raises(GitError, match="doesn't know who you are"):
        sync_branch(repo)

    assert head(repo) == local
    assert not (repo / ".git" / "rebase-merge").exists()
    assert status(repo) == ""


def test_sync_blocked_by_an_untracked_file_changes_nothing(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {DAY6: post_text(questions=3)})
    git(other, "add", DAY6)
    git(other, "commit", "-q", "-m", "laptop adds day6")
    git(other, "push", "-q")
    build_file_tree(repo, {DAY6: post_text(reviews=2)})  # the same name, not yet committed
    local = head(repo)

    with pytest.raises(GitError, match="untracked working tree files.*2021-08-06-day6.md"):
        sync_branch(repo)

    assert head(repo) == local
    assert (repo / DAY6).read_text(encoding="utf-8") == post_text(reviews=2)
    assert status(repo).splitlines() == [f"?? {DAY6}"]
    assert not (repo / ".git" / "rebase-merge").exists()
