"""`studylog commit` and `studylog sync` from the command line: exit codes, stdout, stderr.

The repositories are real; the failure cases check the repository's state
afterwards as well as the one-sentence error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import test_vcs
from test_vcs import DAY5, DAY6, add_hook, clone, head, message, post_text, status
from typer.testing import CliRunner

from conftest import build_file_tree, git
from studylog.cli import app

# The same repository and bare remote as the core tests: pytest finds fixtures
# by their name in this module.
repo = test_vcs.repo
remote = test_vcs.remote

runner = CliRunner()


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--root", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_commit_prints_the_hash_and_files_on_stdout(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=2, reviews=1), encoding="utf-8")
    build_file_tree(repo, {DAY6: post_text()})

    code, out, err = run(repo, "commit")

    assert code == 0
    short, *files = out.splitlines()
    assert head(repo).startswith(short)
    assert [Path(f).resolve() for f in files] == [repo / DAY5, repo / DAY6]
    assert "Committed" in err and "Update 2 study logs: +2 questions, +1 review" in err
    assert message(repo).splitlines()[2:] == [
        "- day5: +2 questions, +1 review",
        "- Add day6 study log",
    ]


def test_commit_named_post_with_message(repo: Path) -> None:
    (repo / DAY5).write_text(post_text(questions=1), encoding="utf-8")
    build_file_tree(repo, {DAY6: post_text()})
    code, out, _ = run(repo, "commit", "day6", "-m", "Day six")
    assert code == 0
    assert message(repo) == "Day six"
    assert status(repo).splitlines() == [f" M {DAY5}"]
    assert Path(out.splitlines()[1]).resolve() == repo / DAY6


def test_commit_all_takes_other_files(repo: Path) -> None:
    build_file_tree(repo, {"about.md": "# about\n"})
    code, out, _ = run(repo, "commit", "--all")
    assert code == 0
    assert message(repo) == "Add about.md"
    assert status(repo) == ""


def test_nothing_to_commit_is_not_an_error(repo: Path) -> None:
    before = head(repo)
    code, out, err = run(repo, "commit")
    assert (code, out) == (0, "")
    assert "Nothing to commit" in err
    assert head(repo) == before


def test_empty_message_is_a_usage_error(repo: Path) -> None:
    build_file_tree(repo, {DAY6: post_text()})
    code, out, _ = run(repo, "commit", "-m", " ")
    assert code == 2 and out == ""
    assert status(repo).splitlines() == [f"?? {DAY6}"]


def test_unknown_post_is_one_sentence(repo: Path) -> None:
    code, out, err = run(repo, "commit", "day99")
    assert code == 1 and out == ""
    assert err.startswith("Error: No post 'day99'") and err.count("\n") == 1


def test_rejecting_hook_exit_1_with_its_output(repo: Path) -> None:
    add_hook(repo, "pre-commit", "check: day6 front matter is broken")
    build_file_tree(repo, {DAY6: post_text()})
    before = head(repo)
    code, out, err = run(repo, "commit")
    assert code == 1 and out == ""
    assert err.startswith("Error: The pre-commit hook rejected the commit")
    assert "check: day6 front matter is broken" in err
    assert "Traceback" not in err
    assert head(repo) == before and status(repo).splitlines() == [f"?? {DAY6}"]


def test_commit_push_sets_the_upstream_on_first_push(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    build_file_tree(repo, {DAY6: post_text()})
    code, _, err = run(repo, "commit", "--push")
    assert code == 0
    assert "Pushed 2 commits to origin/main (upstream set)." in err
    assert git(bare, "rev-parse", "main").strip() == head(repo)


def test_commit_push_rejected_keeps_the_commit(repo: Path, remote: Path, tmp_path: Path) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {"_posts/2021-08-07-day7.md": post_text()})
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "laptop")
    git(other, "push", "-q")
    build_file_tree(repo, {DAY6: post_text()})

    code, out, err = run(repo, "commit", "--push")

    assert code == 1
    assert head(repo).startswith(out.splitlines()[0])  # the commit was made and printed
    assert message(repo) == "Add day6 study log"
    assert "Error: The push to origin/main was rejected" in err and "studylog sync" in err


def test_sync_reports_pulled_and_pushed(repo: Path, remote: Path, tmp_path: Path) -> None:
    other = clone(remote, tmp_path / "laptop")
    build_file_tree(other, {"_posts/2021-08-07-day7.md": post_text()})
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "laptop")
    git(other, "push", "-q")
    build_file_tree(repo, {DAY6: post_text()})
    run(repo, "commit")

    code, out, err = run(repo, "sync")

    assert (code, out) == (0, "")
    assert "Pulled 1 commit and pushed 1 commit with origin/main." in err
    assert git(remote, "rev-parse", "main").strip() == head(repo)
    code, _, err = run(repo, "sync")
    assert code == 0 and "Already in sync with origin/main." in err


def test_sync_conflict_exit_1_and_nothing_changed(repo: Path, remote: Path, tmp_path: Path) -> None:
    # Appends on both sides merge (test_merge.py); two edits of one line don't.
    other = clone(remote, tmp_path / "laptop")
    (other / DAY5).write_text(post_text(questions=1, note="노트북"), encoding="utf-8")
    git(other, "commit", "-q", "-am", "laptop adds a question")
    git(other, "push", "-q")
    (repo / DAY5).write_text(post_text(reviews=1, questions=2, note="데스크톱"), encoding="utf-8")
    run(repo, "commit")
    local, post = head(repo), (repo / DAY5).read_bytes()

    code, out, err = run(repo, "sync")

    assert code == 1 and out == ""
    assert err.startswith("Error: Your commits conflict with origin/main") and "undone" in err
    assert head(repo) == local and (repo / DAY5).read_bytes() == post
    assert status(repo) == ""


def test_sync_without_remote_says_what_to_do(repo: Path) -> None:
    code, _, err = run(repo, "sync")
    assert code == 1
    assert "git remote add origin URL" in err and err.count("\n") == 1


def test_detached_head_through_a_real_process(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    build_file_tree(repo, {DAY6: post_text()})
    before = head(repo)
    done = subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(repo), "commit"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("Error: HEAD is detached") and "Traceback" not in done.stderr
    assert head(repo) == before


def test_commit_through_a_real_process_does_not_import_gitpython(repo: Path) -> None:
    build_file_tree(repo, {DAY6: post_text()})
    code = (
        "import os, sys\n"
        "def exit_here(code):\n    raise SystemExit(code)\n"
        "os._exit = exit_here\n"  # the dispatcher's os._exit would skip the check below
        "from studylog.cli import main\n"
        "sys.argv = ['studylog', '--root', sys.argv[1], 'commit']\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "assert 'git' not in sys.modules, 'GitPython was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert message(repo) == "Add day6 study log"


def test_hook_output_of_a_passing_hook_is_shown(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint: 2 warnings' >&2\nexit 0\n", encoding="utf-8")
    hook.chmod(0o755)
    build_file_tree(repo, {DAY6: post_text()})
    code, out, err = run(repo, "commit")
    assert code == 0 and "lint: 2 warnings" in err and "lint" not in out
    assert message(repo) == "Add day6 study log"


def test_log_in_a_subfolder_of_a_bigger_repository(tmp_path: Path) -> None:
    from studylog.scaffold import init_log

    site = tmp_path / "site"
    build_file_tree(site, {"index.html": "<h1>home</h1>\n"})
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "site")
    init_log(site / "blog", profile="ko")
    build_file_tree(site / "blog", {DAY5: post_text(), "notes.txt": "x"})
    code, out, _ = run(site / "blog", "commit")
    assert code == 0
    # The log's set-up files go with its first post (a clone is a working log);
    # the site's other files stay out.
    blog = site / "blog"
    assert sorted(Path(p).resolve() for p in out.splitlines()[1:]) == [
        blog / ".gitattributes",
        blog / ".studylog.yml",
        blog / DAY5,
    ]
    assert sorted(git(site, "show", "--name-only", "--format=", "HEAD").split()) == [
        "blog/.gitattributes",
        "blog/.studylog.yml",
        f"blog/{DAY5}",
    ]
    assert message(site).splitlines()[0] == "Add day5 study log and 2 other files"


def test_not_a_repository_is_one_sentence(tmp_path: Path) -> None:
    root = build_file_tree(tmp_path / "plain", {".studylog.yml": "profile: ko\n", DAY5: "x"})
    code, out, err = run(root, "commit")
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and "not in a git repository; run `git init`" in err
    assert err.count("\n") == 1 and not (root / ".git").exists()


def test_no_identity_names_the_two_commands(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.delenv("EMAIL", raising=False)
    build_file_tree(repo, {DAY6: post_text()})
    before = head(repo)
    code, out, err = run(repo, "commit")
    assert code == 1 and out == ""
    assert 'git config --global user.name "Your Name"' in err
    assert "git config --global user.email you@example.com" in err
    assert head(repo) == before and status(repo).splitlines() == [f"?? {DAY6}"]
