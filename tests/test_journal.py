"""The commit journal: `commit` after studylog's own writes runs `git commit` alone.

Every git process the commit starts is logged by a `git` on PATH that
notes its arguments and runs the real git, so each test can say whether
the commit scanned (`git status`) or took the journal's word. Each way
out of the journal (missing, stale, damaged, a file changed by hand, the
index changed) is proven to scan, and to commit what the scan finds.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import build_file_tree, git
from studylog import journal
from studylog.entries import Question, Review, append_question, append_review
from studylog.errors import CommitRejectedError
from studylog.log import open_log
from studylog.scaffold import NewPostRequest, create_post
from studylog.vcs import CommitResult, commit_posts

DAY1 = "_posts/2021-08-02-day1.md"
DAY2 = "_posts/2021-08-03-day2.md"


def post_text(day: int) -> str:
    return (
        f'---\ntitle: "Day{day}"\ndate: 2021-08-0{day + 1}\ntags: []\n---\n\n'
        "## 피어세션\n\n### 과제 리뷰\n\n### 질문내용\n\n"
        "1. 민수님 질문 : 처음 질문\n\n    답변 : 처음 답\n"
    )


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` first on PATH that appends each call's arguments to the returned file."""
    folder = tmp_path / "git-bin"
    folder.mkdir()
    calls = tmp_path / "git-calls"
    real = shutil.which("git")
    assert real is not None
    wrapper = folder / "git"
    # The first three words hold the subcommand; a message (-m) may span lines.
    script = f'#!/bin/sh\necho "$1 $2 $3" >> "{calls}"\nexec "{real}" "$@"\n'
    wrapper.write_text(script, "utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return calls


def subcommands(calls: Path) -> list[str]:
    """The git subcommands logged so far (options before them skipped), and empty the log."""
    if not calls.exists():
        return []
    found = []
    for line in calls.read_text(encoding="utf-8").splitlines():
        words = [w for w in line.split() if not w.startswith("-")]
        found.append(words[0] if words else "")
    calls.unlink()
    return found


@pytest.fixture
def log(log_root: Path) -> Path:
    """A log with two committed posts, committed once by studylog (so its journal has begun)."""
    build_file_tree(log_root, {DAY1: post_text(1), DAY2: post_text(2)})
    result = commit_posts(open_log(root=log_root))
    assert result is not None
    assert (log_root / ".git" / journal.JOURNAL_NAME).is_file()
    return log_root


def add_question(root: Path, post: str, text: str = "왜 그런가요?") -> None:
    append_question(open_log(root=root), root / post, Question("지수", text, ("그래서",)))


def commit(root: Path) -> CommitResult:
    result = commit_posts(open_log(root=root))
    assert result is not None
    return result


def message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B").strip()


def test_commit_after_studylog_writes_runs_git_commit_alone(log: Path, git_calls: Path) -> None:
    add_question(log, DAY2)
    add_question(log, DAY2, "두 번째")
    append_review(open_log(root=log), log / DAY1, Review("과제 1", "장동건", "GD"))
    subcommands(git_calls)
    result = commit(log)
    assert subcommands(git_calls) == ["commit"]
    assert result.paths == [DAY1, DAY2]
    assert message(log) == (
        "Update 2 study logs: +2 questions, +1 review\n\n- day1: +1 review\n- day2: +2 questions"
    )
    assert git(log, "status", "--porcelain") == ""


def test_new_post_is_added_with_intent_to_add_and_commit(log: Path, git_calls: Path) -> None:
    path = create_post(open_log(root=log), NewPostRequest("day3", date=dt.date(2021, 8, 4)))
    add_question(log, DAY1)
    subcommands(git_calls)
    result = commit(log)
    assert subcommands(git_calls) == ["add", "commit"]
    relative = path.relative_to(log).as_posix()
    assert result.paths == [DAY1, relative]
    assert message(log) == (
        "Update 2 study logs: +1 question\n\n- day1: +1 question\n- Add day3 study log"
    )
    assert git(log, "status", "--porcelain") == ""


def _twin(log: Path, tmp_path: Path) -> Path:
    """A copy of the log's folder, git and all, whose commit will scan (no journal)."""
    twin = tmp_path / "twin"
    shutil.copytree(log, twin, symlinks=True)
    journal.drop(twin / ".git")
    return twin


def test_journal_and_scan_make_the_same_commit(log: Path, tmp_path: Path) -> None:
    twin = _twin(log, tmp_path)
    for root in (log, twin):
        create_post(open_log(root=root), NewPostRequest("day3", date=dt.date(2021, 8, 4)))
        add_question(root, DAY1)
        add_question(root, DAY2)
        append_review(open_log(root=root), root / DAY2, Review("과제 2", "민수"))
    ours, theirs = commit(log), commit(twin)
    assert ours.message == theirs.message
    assert ours.paths == theirs.paths
    assert git(log, "show", "--stat", "--format=%B") == git(twin, "show", "--stat", "--format=%B")


# --- every way out of the journal scans, and commits what the scan finds -----------


def test_missing_journal_scans(log: Path, git_calls: Path) -> None:
    add_question(log, DAY1)
    journal.drop(log / ".git")
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    assert message(log) == "day1: +1 question"
    # The scan's commit starts the journal again: the next one needs no scan.
    add_question(log, DAY2)
    subcommands(git_calls)
    commit(log)
    assert subcommands(git_calls) == ["commit"]


def test_damaged_journal_scans(log: Path, git_calls: Path) -> None:
    add_question(log, DAY1)
    path = log / ".git" / journal.JOURNAL_NAME
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    assert message(log) == "day1: +1 question"


def test_a_commit_made_outside_studylog_makes_the_journal_stale(log: Path, git_calls: Path) -> None:
    add_question(log, DAY1)
    git(log, "commit", "-q", "-m", "by hand", "--", DAY1)
    add_question(log, DAY2)
    subcommands(git_calls)
    result = commit(log)
    # The journal still names day1, committed by hand: only the scan knows.
    assert "status" in subcommands(git_calls)
    assert result.paths == [DAY2]
    assert message(log) == "day2: +1 question"


def test_a_post_edited_by_hand_after_studylog_wrote_it_scans(log: Path, git_calls: Path) -> None:
    add_question(log, DAY1)
    with (log / DAY1).open("a", encoding="utf-8") as handle:
        handle.write("\n2. 지수님 질문 : 손으로 쓴 질문\n")
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    assert message(log) == "day1: +2 questions"


def test_another_post_edited_by_hand_scans_and_goes_in_too(log: Path, git_calls: Path) -> None:
    add_question(log, DAY1)
    with (log / DAY2).open("a", encoding="utf-8") as handle:
        handle.write("\n2. 지수님 질문 : 손으로 쓴 질문\n")
    subcommands(git_calls)
    result = commit(log)
    assert "status" in subcommands(git_calls)
    assert result.paths == [DAY1, DAY2]


def test_a_hand_edit_before_a_studylog_write_drops_the_journal(log: Path, git_calls: Path) -> None:
    with (log / DAY1).open("a", encoding="utf-8") as handle:
        handle.write("\n2. 지수님 질문 : 손으로 쓴 질문\n")
    add_question(log, DAY1)
    assert not (log / ".git" / journal.JOURNAL_NAME).exists()
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    # Counted against HEAD, not against the text studylog found.
    assert message(log) == "day1: +2 questions"


@pytest.mark.parametrize("change", ["create", "delete", "rename"])
def test_a_post_added_removed_or_renamed_by_hand_scans(
    log: Path, git_calls: Path, change: str
) -> None:
    add_question(log, DAY2)
    if change == "create":
        build_file_tree(log, {"_posts/2021-08-05-day4.md": post_text(4)})
    elif change == "delete":
        (log / DAY1).unlink()
    else:
        (log / DAY1).rename(log / "_posts/2021-08-02-first.md")
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    assert git(log, "status", "--porcelain") == ""


def test_a_post_created_by_hand_in_a_new_subfolder_scans(log: Path, git_calls: Path) -> None:
    add_question(log, DAY2)
    build_file_tree(log, {"_posts/2021/2021-08-05-day4.md": post_text(4)})
    subcommands(git_calls)
    result = commit(log)
    assert "status" in subcommands(git_calls)
    assert "_posts/2021/2021-08-05-day4.md" in result.paths


@pytest.mark.parametrize("name", [".studylog.yml", ".gitattributes", "_templates/mine.md"])
def test_a_set_up_file_changed_by_hand_scans_and_goes_in(
    log: Path, git_calls: Path, name: str
) -> None:
    add_question(log, DAY2)
    path = log / name
    path.parent.mkdir(exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" if name != "_templates/mine.md" else "---\ntitle: x\n---\n")
    subcommands(git_calls)
    result = commit(log)
    assert "status" in subcommands(git_calls)
    assert name in result.paths


def test_the_index_changed_by_hand_scans(log: Path, git_calls: Path) -> None:
    add_question(log, DAY2)
    git(log, "rm", "-q", "--cached", DAY1)  # the file stays; git forgets it
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)


def test_an_ignored_post_written_by_studylog_is_left_to_the_scan(
    log: Path, git_calls: Path
) -> None:
    build_file_tree(log, {".gitignore": "_posts/2021-08-05-day4.md\n"})
    git(log, "add", ".gitignore")
    git(log, "commit", "-q", "-m", "ignore day4")
    commit_posts(open_log(root=log))  # nothing to commit: starts the journal
    build_file_tree(log, {"_posts/2021-08-05-day4.md": post_text(4)})
    journal.drop(log / ".git")
    assert commit_posts(open_log(root=log)) is None
    add_question(log, "_posts/2021-08-05-day4.md")
    subcommands(git_calls)
    # The journal names it; git refuses the path before any hook runs; the
    # scan, as before, finds nothing to commit.
    assert commit_posts(open_log(root=log)) is None
    assert "status" in subcommands(git_calls)


def test_a_hook_that_edits_a_post_makes_the_next_commit_scan(log: Path, git_calls: Path) -> None:
    hook = log / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\necho '<br>' >> '{log / DAY1}'\n", encoding="utf-8")
    hook.chmod(0o755)
    add_question(log, DAY2)
    commit(log)
    hook.unlink()
    add_question(log, DAY2, "다음")
    subcommands(git_calls)
    result = commit(log)
    # The hook's edit came after the commit began: the journal can't vouch for day1.
    assert "status" in subcommands(git_calls)
    assert result.paths == [DAY1, DAY2]


def test_a_rejecting_hook_is_reported_from_the_journal_path_too(log: Path) -> None:
    hook = log / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'no, not today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    add_question(log, DAY2)
    with pytest.raises(CommitRejectedError, match="no, not today"):
        commit_posts(open_log(root=log))
    assert git(log, "status", "--porcelain") == f" M {DAY2}\n"


def test_a_user_message_skips_counting(log: Path, git_calls: Path) -> None:
    add_question(log, DAY2)
    subcommands(git_calls)
    commit_posts(open_log(root=log), message="my words")
    assert subcommands(git_calls) == ["commit"]
    assert message(log) == "my words"


def test_git_dir_in_the_environment_means_no_journal(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_DIR", str(log / ".git"))
    assert journal.git_folder(log) is None


def test_a_post_named_by_a_relative_path_is_journaled_too(
    log: Path, git_calls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(log)
    append_question(open_log(root=log), Path(DAY2), Question("지수", "상대 경로?"))
    subcommands(git_calls)
    commit(log)
    assert subcommands(git_calls) == ["commit"]
    assert message(log) == "day2: +1 question"


def test_a_git_folder_the_journal_cant_be_written_in_still_commits(
    log: Path, git_calls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(journal, "_save", refuse)
    add_question(log, DAY2)
    subcommands(git_calls)
    commit(log)
    assert "status" in subcommands(git_calls)
    assert message(log) == "day2: +1 question"


# --- the message is worded while git commit runs -----------------------------------


@pytest.fixture
def order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened first: git commit started ('commit') or the entries counted ('count')."""
    from studylog import vcs

    events: list[str] = []
    starting, counting = vcs._start_git, vcs._count_changes

    def start(folder: Path, *args: str) -> Any:
        events.append(next(a for a in args if not a.startswith("-")))
        return starting(folder, *args)

    def count(*args: Any, **kwargs: Any) -> Any:
        events.append("count")
        return counting(*args, **kwargs)

    monkeypatch.setattr(vcs, "_start_git", start)
    monkeypatch.setattr(vcs, "_count_changes", count)
    return events


def test_the_entries_are_counted_while_git_commit_runs(log: Path, order: list[str]) -> None:
    add_question(log, DAY2)
    commit(log)
    # git reads the index and the work tree while the message is worded.
    assert order == ["commit", "count"]
    assert message(log) == "day2: +1 question"


def test_many_paths_go_on_standard_input_and_the_message_is_worded_first(
    log: Path, git_calls: Path, order: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from studylog import vcs

    monkeypatch.setattr(vcs, "_MAX_PATH_ARGUMENTS", 0)
    create_post(open_log(root=log), NewPostRequest("day3", date=dt.date(2021, 8, 4)))
    add_question(log, DAY1)
    subcommands(git_calls)
    result = commit(log)
    assert order == ["count", "commit"]
    assert subcommands(git_calls) == ["add", "commit"]
    assert result.paths == [DAY1, "_posts/2021-08-04-day3.md"]
    assert message(log) == (
        "Update 2 study logs: +1 question\n\n- day1: +1 question\n- Add day3 study log"
    )
    assert git(log, "status", "--porcelain") == ""


def test_a_failure_while_wording_commits_nothing_and_leaves_the_index_as_it_was(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studylog import vcs

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("counting broke")

    monkeypatch.setattr(vcs, "_count_changes", broken)
    head = git(log, "rev-parse", "HEAD")
    create_post(open_log(root=log), NewPostRequest("day3", date=dt.date(2021, 8, 4)))
    add_question(log, DAY1)
    status = git(log, "status", "--porcelain")
    with pytest.raises(RuntimeError, match="counting broke"):
        commit_posts(open_log(root=log))
    # git gave up on the empty message: no commit, no lock left, the new post untracked again.
    assert git(log, "rev-parse", "HEAD") == head
    assert not (log / ".git" / "index.lock").exists()
    assert git(log, "status", "--porcelain") == status
    monkeypatch.undo()
    commit(log)
    assert message(log) == (
        "Update 2 study logs: +1 question\n\n- day1: +1 question\n- Add day3 study log"
    )


def test_a_hook_that_reads_its_input_doesnt_take_the_message(log: Path) -> None:
    hook = log / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ncat > /dev/null\n", encoding="utf-8")
    hook.chmod(0o755)
    add_question(log, DAY2)
    commit(log)
    assert message(log) == "day2: +1 question"
