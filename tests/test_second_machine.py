"""A plain `git clone` is a working log: the set-up files travel, a second init adds local parts.

Real repositories: a first laptop, a bare remote, a second laptop cloning it,
every step through the command line as the README tells it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree, git, publish_and_clone
from studylog.cli import app
from studylog.merge import driver_command

DAY1 = "_posts/2021-08-02-day1.md"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["--root", str(root), *args])
    return done.exit_code, done.stdout, done.stderr


def listed(root: Path, out: str) -> list[str]:
    """The committed files `commit` printed (after the hash), relative to the log."""
    return sorted(str(Path(line).relative_to(root)) for line in out.splitlines()[1:])


def tracked(root: Path) -> list[str]:
    return sorted(git(root, "ls-files").splitlines())


@pytest.fixture
def first(tmp_path: Path) -> Path:
    """The first laptop: `init`, `new day1`, nothing committed yet."""
    root = tmp_path / "blog"
    assert run(tmp_path, "init", str(root))[0] == 0
    assert run(root, "new", "day1", "--date", "2021-08-02")[0] == 0
    return root


def test_the_first_commit_carries_the_set_up_files(first: Path) -> None:
    code, out, err = run(first, "commit")

    assert code == 0, err
    assert tracked(first) == [".gitattributes", ".studylog.yml", DAY1]
    assert listed(first, out) == [".gitattributes", ".studylog.yml", DAY1]
    subject = git(first, "log", "-1", "--format=%s").strip()
    assert subject == "Add day1 study log and 2 other files"


def test_commit_takes_changed_set_up_files_and_names_them(first: Path) -> None:
    run(first, "commit")
    build_file_tree(first, {"_templates/short.md": "---\ntitle: {{ title }}\n---\n"})
    config = first / ".studylog.yml"
    config.write_text(config.read_text(encoding="utf-8") + "# roster later\n", encoding="utf-8")

    code, out, err = run(first, "commit")

    assert code == 0, err
    assert listed(first, out) == [".studylog.yml", "_templates/short.md"]
    config.write_text(config.read_text(encoding="utf-8") + "# more\n", encoding="utf-8")
    code, out, err = run(first, "commit", str(config))
    assert code == 0, err
    assert listed(first, out) == [".studylog.yml"]


def test_init_in_a_blog_with_posts_commits_the_set_up_alone(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    build_file_tree(blog, {"_posts/2021-08-01-hello.md": "---\ntitle: hi\n---\nhello\n"})
    git(blog, "init", "-q", "-b", "main")

    code, _, err = run(tmp_path, "init", str(blog))

    assert code == 0, err
    assert "committed them (" in err
    assert tracked(blog) == [".gitattributes", ".studylog.yml"]
    assert git(blog, "log", "--format=%s").strip() == (
        "Set up studylog: settings, merge driver, templates"
    )
    assert "?? _posts/2021-08-01-hello.md" in git(blog, "status", "--porcelain", "-uall")


def test_init_with_posts_and_no_identity_still_sets_up_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog = tmp_path / "blog"
    build_file_tree(blog, {"_posts/2021-08-01-hello.md": "---\ntitle: hi\n---\nhello\n"})
    git(blog, "init", "-q", "-b", "main")
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.delenv("EMAIL", raising=False)

    code, _, err = run(tmp_path, "init", str(blog))

    assert code == 0
    assert "The set-up files were not committed: Git doesn't know who you are" in err
    assert (blog / ".studylog.yml").is_file() and (blog / ".gitattributes").is_file()
    assert git(blog, "status", "--porcelain").count("??") == 3


def second_laptop(first: Path, tmp_path: Path) -> tuple[Path, Path]:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(first, "remote", "add", "origin", str(bare))
    assert run(first, "commit")[0] == 0
    assert run(first, "sync")[0] == 0
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(bare), str(laptop))
    return bare, laptop


def test_init_in_a_clone_only_sets_up_this_machine(first: Path, tmp_path: Path) -> None:
    _, laptop = second_laptop(first, tmp_path)
    config = (laptop / ".studylog.yml").read_bytes()

    code, out, err = run(tmp_path, "init", str(laptop))

    assert (code, out) == (0, "")
    assert "is already a study log (its .studylog.yml is kept)" in err
    assert "set up this machine: the post merge driver in .git/config." in err
    assert (laptop / ".studylog.yml").read_bytes() == config
    assert git(laptop, "config", "merge.studylog.driver").strip() == driver_command()
    assert git(laptop, "status", "--porcelain") == ""
    code, _, err = run(tmp_path, "init", str(laptop))
    assert "nothing changed" in err


def test_two_laptops_append_and_sync_through_the_readme_steps(first: Path, tmp_path: Path) -> None:
    _, laptop = second_laptop(first, tmp_path)
    assert run(tmp_path, "init", str(laptop))[0] == 0
    for root, who in ((first, "집"), (laptop, "학교")):
        assert run(root, "add-question", "--asker", who, "--question", f"{who} 질문")[0] == 0
        assert run(root, "commit")[0] == 0
    for root in (first, laptop, first):
        code, _, err = run(root, "sync")
        assert code == 0, err
    text = (first / DAY1).read_text(encoding="utf-8")
    assert (laptop / DAY1).read_text(encoding="utf-8") == text
    assert "1. 집님 질문 : 집 질문" in text and "2. 학교님 질문 : 학교 질문" in text


def test_sync_goes_through_an_untracked_copy_of_the_remote_settings(
    first: Path, tmp_path: Path
) -> None:
    # The second laptop cloned the blog before the first pushed its settings,
    # and ran init there: its own .studylog.yml is the same bytes.
    build_file_tree(first, {"README.md": "my blog\n"})
    git(first, "add", "README.md")
    git(first, "commit", "-q", "-m", "blog")
    laptop = publish_and_clone(first, tmp_path)
    assert run(tmp_path, "init", str(laptop))[0] == 0
    assert (laptop / ".studylog.yml").read_bytes() == (first / ".studylog.yml").read_bytes()
    assert run(first, "commit")[0] == 0
    assert run(first, "sync")[0] == 0

    code, _, err = run(laptop, "sync")

    assert code == 0, err
    assert "Pulled 1 commit" in err
    assert git(laptop, "status", "--porcelain") == ""
    assert (laptop / DAY1).is_file()
    assert git(laptop, "rev-parse", "HEAD") == git(first, "rev-parse", "HEAD")


def test_sync_still_refuses_an_untracked_file_that_differs(first: Path, tmp_path: Path) -> None:
    build_file_tree(first, {"README.md": "my blog\n"})
    git(first, "add", "README.md")
    git(first, "commit", "-q", "-m", "blog")
    laptop = publish_and_clone(first, tmp_path)
    assert run(tmp_path, "init", str(laptop), "--profile", "en")[0] == 0
    mine = (laptop / ".studylog.yml").read_bytes()
    before = git(laptop, "rev-parse", "HEAD")
    assert run(first, "commit")[0] == 0
    assert run(first, "sync")[0] == 0

    code, _, err = run(laptop, "sync")

    assert code == 1
    assert "untracked working tree files" in err and ".studylog.yml" in err
    assert (laptop / ".studylog.yml").read_bytes() == mine
    assert (laptop / ".gitattributes").is_file()
    assert git(laptop, "rev-parse", "HEAD") == before
