"""`check --fix`: what is safe is repaired through the one write path; nothing else moves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_POST, build_file_tree, corpus_file, git
from studylog.cli import app
from studylog.log import open_log
from studylog.markdown.extraction import read_entries
from studylog.repair import repair_posts

runner = CliRunner()

BODY = (
    "## 학습 내용\n\n<br>\n\n## 피어세션\n\n### 추가안건\n\n<br>\n\n### 과제 리뷰\n\n<br>\n\n"
    "### 질문내용\n\n1. 가님 질문 : 하나\n\n    답변 : 둘\n\n## 회고록\n\n<br>\n"
)


def _log(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return build_file_tree(tmp_path / "blog", {".studylog.yml": "timezone: UTC\n", **files})


def check(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--root", str(root), "check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("newline", "bom"), [("\n", ""), ("\r\n", ""), ("\n", "\ufeff")])
def test_fix_rewrites_empty_lists_and_nothing_else(tmp_path: Path, newline: str, bom: str) -> None:
    front = (
        'title: "x"\ncategories:\n  - []\ntags:\n  - []\n  - python\n  - ""\n'
        "excerpt: keep  \nlast_modified_at: 2021-08-05\n"
    )
    text = bom + f"---\n{front}---\n{BODY}".replace("\n", newline)
    root = _log(tmp_path, {"_posts/2021-08-05-day4.md": text.encode()})
    post = root / "_posts/2021-08-05-day4.md"
    code, out, err = check(root, "--fix")
    assert code == 0, out + err
    assert err.splitlines()[:2] == [
        "Fixed _posts/2021-08-05-day4.md:3: 'categories' held only empty items; it is now "
        "`categories: []`.",
        "Fixed _posts/2021-08-05-day4.md:5: removed the empty item(s) from 'tags'.",
    ]
    expected = (
        bom + f'---\ntitle: "x"\ncategories: []\ntags:\n  - python\n'
        f"excerpt: keep  \nlast_modified_at: 2021-08-05\n---\n{BODY}"
    ).replace("\n", newline)
    # The BOM, line endings, trailing spaces and last_modified_at stay as they were.
    assert post.read_bytes() == expected.encode()
    assert "empty-" not in out
    # Run again: nothing left to fix, nothing written.
    before = post.stat().st_mtime_ns
    assert check(root, "--fix")[2].startswith("Fixed") is False
    assert post.stat().st_mtime_ns == before


def test_fix_renumbers_and_moves_answers_with_a_wider_number(tmp_path: Path) -> None:
    questions = "".join(f"{n}. 가님 질문 : q{n}\n\n   답변 : a{n}\n\n" for n in range(1, 10))
    # A second 9: it becomes 10, and its answer moves to the new text column.
    questions += "9. 나님 질문 : q10\n\n   답변 : a10\n   더 : b10\n\n2. 다님 질문 : q11\n"
    body = BODY.replace("1. 가님 질문 : 하나\n\n    답변 : 둘\n", questions)
    root = _log(tmp_path, {"_posts/2021-08-05-day4.md": f"---\ntitle: x\n---\n{body}"})
    post = root / "_posts/2021-08-05-day4.md"
    settings = open_log(root).settings
    before = read_entries(post.read_text(encoding="utf-8"), settings).questions
    code, out, err = check(root, "--fix", "--json")
    assert code == 0
    assert [line.split(": ", 1)[1] for line in err.splitlines()[:2]] == [
        "renumbered 9 to 10.",
        "renumbered 2 to 11.",
    ]
    text = post.read_text(encoding="utf-8")
    assert "10. 나님 질문 : q10\n\n    답변 : a10\n    더 : b10\n\n11. 다님 질문 : q11\n" in text
    after = read_entries(text, settings).questions
    assert [q.number for q in after] == list(range(1, 12))
    assert [(q.asker, q.question, q.answers) for q in after] == [
        (q.asker, q.question, q.answers) for q in before
    ]
    import json

    assert [f["rule"] for f in json.loads(out)["fixed"]] == ["numbering-gap"] * 2


def test_bad_input_never_changes_a_file(tmp_path: Path) -> None:
    gap = BODY.replace("1. 가님", "3. 가님")
    files: dict[str, str | bytes] = {
        # Not YAML: `check` reports it, `--fix` leaves the file alone.
        "_posts/2021-08-05-day4.md": f"---\ntitle: [x\ntags:\n  - []\n---\n{gap}",
        # Conflict markers.
        "_posts/2021-08-06-day5.md": (
            f"---\ntitle: x\ntags:\n  - []\n---\n{gap}<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n"
        ),
    }
    root = _log(tmp_path, files)
    code, out, err = check(root, "--fix")
    assert code == 1
    assert "front-matter-yaml" in out and "conflict-markers" in out
    assert "Not fixed:" in err and "Fixed" not in err.replace("Not fixed", "")
    for name, content in files.items():
        assert (root / name).read_text(encoding="utf-8") == content
    # A post named that is not in the log: refused before anything is read.
    assert check(root, "--fix", "day999")[0] == 1
    assert check(root, "--fix", "--rules")[0] == 2


def test_fix_goes_through_the_write_path(tmp_path: Path) -> None:
    """edit_post refuses under a rebase in progress; so does --fix, leaving the post."""
    text = f"---\ntitle: x\ntags:\n  - []\n---\n{BODY}"
    root = _log(tmp_path, {"_posts/2021-08-05-day4.md": text})
    git(root, "init", "-q")
    (root / ".git" / "rebase-merge").mkdir()
    log = open_log(root)
    repairs, failures = repair_posts(log, log.posts())
    assert repairs == []
    assert len(failures) == 1 and "rebase" in failures[0].reason
    assert (root / "_posts/2021-08-05-day4.md").read_text(encoding="utf-8") == text
    (root / ".git" / "rebase-merge").rmdir()
    repairs, failures = repair_posts(log, log.posts())
    assert (len(repairs), failures) == (1, [])


def test_a_post_outside_the_posts_folder_is_not_fixed(tmp_path: Path) -> None:
    outside = build_file_tree(
        tmp_path / "elsewhere", {"x.md": "---\ntitle: x\ntags:\n  - []\n---\n"}
    )
    root = _log(tmp_path, {})
    (root / "_posts").mkdir()
    (root / "_posts/2021-08-05-day4.md").symlink_to(outside / "x.md")
    log = open_log(root)
    repairs, failures = repair_posts(log, log.posts())
    assert repairs == [] and "outside the posts folder" in failures[0].reason
    assert (outside / "x.md").read_text(encoding="utf-8") == "---\ntitle: x\ntags:\n  - []\n---\n"


def test_the_pre_commit_hook_lets_a_post_that_builds_through(tmp_path: Path) -> None:
    """A real commit with `studylog check` as the pre-commit hook (.pre-commit-hooks.yaml)."""
    root = _log(tmp_path, {})
    git(root, "init", "-q")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        "posts=$(git diff --cached --name-only --diff-filter=ACM -- '_posts/*.md')\n"
        f'[ -z "$posts" ] || exec "{sys.executable}" -m studylog check $posts\n',
        encoding="utf-8",
    )
    hook.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    # The sample post has `tags: - []` (a warning): the commit goes through.
    (root / "_posts").mkdir()
    shutil.copyfile(SAMPLE_POST, root / "_posts" / SAMPLE_POST.name)
    git(root, "add", ".")
    ok = subprocess.run(["git", "commit", "-qm", "day9"], cwd=root, env=env, capture_output=True)
    assert ok.returncode == 0, ok.stderr
    assert b"warning empty-list-item" in ok.stdout + ok.stderr
    # Liquid Jekyll can't run fails its build: that commit is stopped.
    (root / "_posts/2021-08-13-day10.md").write_text(
        f"---\ntitle: x\n---\n{BODY}\n{{% foo %}}\n", encoding="utf-8"
    )
    git(root, "add", ".")
    bad = subprocess.run(["git", "commit", "-qm", "day10"], cwd=root, env=env, capture_output=True)
    assert bad.returncode != 0
    assert b"liquid-unprotected" in bad.stdout + bad.stderr


# --- the real blogs -------------------------------------------------------------------


def _corpus_blog(tmp_path: Path, blog: str) -> Path:
    """A writable copy of one corpus blog (its posts and _config.yml) as a log."""
    source = corpus_file(blog)
    root = tmp_path / blog
    (root / "_posts").mkdir(parents=True)
    for path in sorted(source.glob("20*.md")):
        shutil.copyfile(path, root / "_posts" / path.name)
    shutil.copyfile(source / "_config.yml", root / "_config.yml")
    (root / ".studylog.yml").write_text("", encoding="utf-8")
    return root


@pytest.mark.corpus
@pytest.mark.parametrize("blog", ["hongsusoo", "jjonhwa", "Heeseok-Jeong"])
def test_each_corpus_blog_passes_check_and_fix_changes_only_empty_tags(
    tmp_path: Path, blog: str
) -> None:
    root = _corpus_blog(tmp_path, blog)
    code, out, err = check(root)
    # Every one of these posts builds with Jekyll: no error, so no hook blocks them.
    assert code == 0, out
    assert " error " not in out
    before = {p.name: p.read_text(encoding="utf-8") for p in (root / "_posts").iterdir()}
    code, out, err = check(root, "--fix")
    assert code == 0
    fixed = [line for line in err.splitlines() if line.startswith("Fixed")]
    changed = {
        name
        for name, text in before.items()
        if (root / "_posts" / name).read_text(encoding="utf-8") != text
    }
    assert len(fixed) == len(changed)
    for name in changed:
        after = (root / "_posts" / name).read_text(encoding="utf-8")
        # The one change: `tags:` + `  - []` became `tags: []`.
        assert after == before[name].replace("tags:\n  - []\n", "tags: []\n", 1)
    assert "empty-list-item" not in out
    assert (len(changed) > 0) == (blog == "hongsusoo")


@pytest.mark.slow
def test_what_jekyll_builds_of_empty_list_items(tmp_path: Path) -> None:
    """A real `jekyll build`: `tags: - []` builds as no tag; `categories: - []` is in the URL."""
    from test_jekyll import SITE_CONFIG, jekyll_build

    post = "---\ntitle: x\n{}---\n{}"
    root = build_file_tree(
        tmp_path / "site",
        {
            "_config.yml": SITE_CONFIG,
            ".studylog.yml": "",
            "_posts/2021-08-05-tags.md": post.format("date: 2021-08-05\ntags:\n  - []\n", BODY),
            "_posts/2021-08-06-cats.md": post.format(
                "date: 2021-08-06\ncategories:\n  - []\n", BODY
            ),
        },
    ).resolve()
    site = jekyll_build(root)
    assert (site / "2021/08/05/tags.html").is_file()
    assert (site / "[]/2021/08/06/cats.html").is_file()
    code, out, _ = check(root)
    assert code == 1
    # Newest post first.
    assert [line.split(": ")[1] for line in out.splitlines()] == [
        "error empty-category",
        "warning empty-list-item",
    ]
    assert check(root, "--fix")[0] == 0
    shutil.rmtree(site)
    site = jekyll_build(root)
    # After the fix: the same pages, the category page at its date's address.
    assert (site / "2021/08/05/tags.html").is_file()
    assert (site / "2021/08/06/cats.html").is_file()
    assert not (site / "[]").exists()
