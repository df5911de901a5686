"""jekyll-compose parity: `draft`, `publish`, `edit` and `path` (issue 15, item 13)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree
from studylog import drafts
from studylog.cli import app

STUDYLOG = [sys.executable, "-m", "studylog"]


def run(root: Path, *args: str, **env: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], env=env or None)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the drafts and posts folders, by relative path."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for folder in ("_drafts", "_posts")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def test_draft_writes_drafts_slug_from_the_template(log_root: Path) -> None:
    result = run(log_root, "draft", "gd-notes", "--participant", "민수")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{log_root / '_drafts' / 'gd-notes.md'}\n"
    text = (log_root / "_drafts" / "gd-notes.md").read_text(encoding="utf-8")
    assert text.startswith("---\n") and "## 피어세션" in text and "참가자 : 민수" in text
    assert list((log_root / "_posts").iterdir()) == []


def test_draft_of_a_title_slugifies_it_and_keeps_it_as_the_title(log_root: Path) -> None:
    # jekyll-compose: `jekyll draft "GD notes"` -> _drafts/gd-notes.md, title "GD notes".
    result = run(log_root, "draft", "GD notes")
    assert result.exit_code == 0, result.output
    text = (log_root / "_drafts" / "GD-notes.md").read_text(encoding="utf-8")
    assert 'title: "GD notes"\n' in text


def test_draft_never_overwrites(log_root: Path) -> None:
    build_file_tree(log_root, {"_drafts/gd.md": "mine\n"})
    result = run(log_root, "draft", "gd")
    assert result.exit_code == 1
    assert "A draft 'gd' already exists" in result.stderr
    assert (log_root / "_drafts" / "gd.md").read_text() == "mine\n"


def test_draft_refuses_a_slug_a_post_has(log_root: Path) -> None:
    build_file_tree(log_root, {"_posts/2021-08-05-day4.md": "---\ntitle: x\n---\n"})
    result = run(log_root, "draft", "day4")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert not (log_root / "_drafts" / "day4.md").exists()


DRAFT = (
    "---\r\n"
    'title: "GD: notes"   # kept as typed\r\n'
    "date: 2020-01-01\r\n"
    "last_modified_at: '2020-01-02'\r\n"
    "tags: []\r\n"
    "---\r\n"
    "body  \r\n"
    "no final newline"
)


def test_publish_moves_the_draft_and_sets_only_its_dates(log_root: Path) -> None:
    (log_root / "_drafts").mkdir()
    (log_root / "_drafts" / "gd.md").write_bytes(b"\xef\xbb\xbf" + DRAFT.encode())
    result = run(log_root, "publish", "gd", "--date", "2021-08-05")
    assert result.exit_code == 0, result.output
    target = log_root / "_posts" / "2021-08-05-gd.md"
    assert result.stdout == f"{target}\n"
    assert not (log_root / "_drafts" / "gd.md").exists()
    expected = DRAFT.replace("2020-01-01", "2021-08-05").replace("2020-01-02", "2021-08-05")
    # BOM, CRLF, the comment, the quotes, trailing spaces, no final newline: all kept.
    assert target.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


def test_publish_defaults_to_today_in_the_logs_timezone(log_root: Path) -> None:
    build_file_tree(log_root, {"_drafts/gd.md": "---\ntitle: x\n---\nbody\n"})
    # 23:30 UTC on 4 August is 5 August in Seoul.
    (log_root / ".studylog.yml").write_text(
        (log_root / ".studylog.yml")
        .read_text()
        .replace("# timezone: Asia/Seoul", "timezone: Asia/Seoul")
    )
    result = run(log_root, "publish", "_drafts/gd.md", STUDYLOG_NOW="2021-08-04T23:30:00+00:00")
    assert result.exit_code == 0, result.output
    # A draft with no date gets one, after its other keys.
    assert (log_root / "_posts" / "2021-08-05-gd.md").read_text() == (
        "---\ntitle: x\ndate: 2021-08-05\n---\nbody\n"
    )


def test_publish_gives_a_draft_without_front_matter_one(log_root: Path) -> None:
    build_file_tree(log_root, {"_drafts/gd.md": "# plain\n"})
    result = run(
        log_root, "publish", "gd", "--date", "-1", STUDYLOG_NOW="2021-08-06T12:00:00+00:00"
    )
    assert result.exit_code == 0, result.output
    text = (log_root / "_posts" / "2021-08-05-gd.md").read_text()
    assert text == "---\ndate: 2021-08-05\n---\n# plain\n"


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"_posts/2021-08-05-gd.md": "---\ntitle: old\n---\n"},
            ["gd", "--date", "2021-08-05"],
            "2021-08-05-gd.md already exists, so the draft was not published",
        ),
        (
            {"_posts/2021-08-01-gd.md": "---\ntitle: old\n---\n"},
            ["gd", "--date", "2021-08-05"],
            "A post for 'gd' already exists",
        ),
        (
            {"_posts/2021-08-05-day4.md": "---\ntitle: day4\n---\n"},
            ["gd", "--date", "2021-08-05"],
            "2021-08-05 already has a post (2021-08-05-day4.md)",
        ),
        ({}, ["nope"], "No draft 'nope' in"),
        ({}, ["gd", "--date", "someday"], "someday"),
    ],
)
def test_publish_refuses_in_one_sentence_and_changes_nothing(
    log_root: Path, files: dict[str, str], args: list[str], message: str
) -> None:
    build_file_tree(log_root, {"_drafts/gd.md": "---\ntitle: x\ndate: 2020-01-01\n---\n", **files})
    before = snapshot(log_root)
    result = run(log_root, "publish", *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert snapshot(log_root) == before


def test_publish_force_allows_a_second_post_on_the_date(log_root: Path) -> None:
    build_file_tree(
        log_root,
        {"_drafts/gd.md": "---\ntitle: x\n---\n", "_posts/2021-08-05-day4.md": "---\n---\n"},
    )
    result = run(log_root, "publish", "gd", "--date", "2021-08-05", "--force")
    assert result.exit_code == 0, result.output
    assert (log_root / "_posts" / "2021-08-05-gd.md").exists()


@pytest.mark.parametrize(
    "front_matter",
    ["date: &d 2020-01-01\nlast: *d\n", "date:\n  2020-01-01\n", "date: !!str 2020-01-01\n"],
)
def test_publish_refuses_a_date_it_cannot_set_in_place(log_root: Path, front_matter: str) -> None:
    build_file_tree(log_root, {"_drafts/gd.md": f"---\n{front_matter}---\nbody\n"})
    before = snapshot(log_root)
    result = run(log_root, "publish", "gd", "--date", "2021-08-05")
    assert result.exit_code == 1
    assert "its date can't be set because" in result.stderr
    assert snapshot(log_root) == before


def test_publish_refuses_a_path_outside_the_drafts_folder(log_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\n---\n")
    build_file_tree(log_root, {"notes/gd.md": "---\n---\n"})
    (log_root / "_drafts").mkdir()
    os.symlink(outside, log_root / "_drafts" / "link.md")
    for name in (str(outside), "notes/gd.md", "_drafts/link.md", "link"):
        result = run(log_root, "publish", name)
        assert result.exit_code == 1, name
        assert result.stderr.startswith("Error: "), result.stderr
    assert outside.read_text() == "---\n---\n"
    assert list((log_root / "_posts").iterdir()) == []


def test_a_draft_saved_while_publishing_is_not_lost(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves the draft between the read and the removal: publishing is undone."""
    build_file_tree(log_root, {"_drafts/gd.md": "---\ntitle: x\n---\nfirst\n"})
    from studylog import post

    real_write = post.write_atomic

    def write_then_editor_saves(path: Path, data: bytes, exclusive: bool = False) -> None:
        real_write(path, data, exclusive)
        (log_root / "_drafts" / "gd.md").write_text("---\ntitle: x\n---\nsecond\n")

    monkeypatch.setattr(post, "write_atomic", write_then_editor_saves)
    result = run(log_root, "publish", "gd", "--date", "2021-08-05")
    assert result.exit_code == 1
    assert "changed while it was being published" in result.stderr
    assert (log_root / "_drafts" / "gd.md").read_text().endswith("second\n")
    assert list((log_root / "_posts").iterdir()) == []


def test_path_prints_a_post_for_every_post_form(log_root: Path) -> None:
    build_file_tree(
        log_root,
        {
            "_posts/2021-08-04-day3.md": "---\n---\n",
            "_posts/2021-08-05-day4.md": "---\n---\n",
            "_drafts/gd.md": "---\n---\n",
        },
    )
    day4 = log_root / "_posts" / "2021-08-05-day4.md"
    for spec in ([], ["day4"], ["2021-08-05"], ["today"], [str(day4)]):
        result = run(log_root, "path", *spec, STUDYLOG_NOW="2021-08-05T12:00:00+00:00")
        assert result.exit_code == 0, (spec, result.output)
        assert result.stdout == f"{day4}\n"
    result = run(log_root, "path", "gd")
    assert result.stdout == f"{log_root / '_drafts' / 'gd.md'}\n"
    result = run(log_root, "path", "day9")
    assert result.exit_code == 1 and "No post 'day9'" in result.stderr


def test_path_in_a_command_substitution(log_root: Path) -> None:
    """`cat $(studylog path day4)` from inside the log: a path relative to the current folder."""
    build_file_tree(log_root, {"_posts/2021-08-05-day4.md": "---\ntitle: 넷째 날\n---\n"})
    result = subprocess.run(
        ["sh", "-c", f'cat "$({" ".join(STUDYLOG)} path day4)"'],
        cwd=log_root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "---\ntitle: 넷째 날\n---\n"


def _editor(tmp_path: Path) -> Path:
    """A small editor: appends a line and records the file it was given."""
    script = tmp_path / "fake-editor"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "p.write_text(p.read_text() + 'edited\\n')\n"
        f"pathlib.Path({str(tmp_path / 'opened')!r}).write_text(sys.argv[-1])\n"
    )
    script.chmod(0o755)
    return script


def test_edit_opens_the_post_in_the_editor(log_root: Path, tmp_path: Path) -> None:
    build_file_tree(
        log_root, {"_posts/2021-08-05-day4.md": "---\n---\n", "_drafts/gd.md": "---\n---\n"}
    )
    editor = _editor(tmp_path)
    env = {**os.environ, "EDITOR": f"{editor} --wait"}
    for spec, expected in (
        ([], "_posts/2021-08-05-day4.md"),
        (["day4"], "_posts/2021-08-05-day4.md"),
        (["gd"], "_drafts/gd.md"),
    ):
        result = subprocess.run(
            [*STUDYLOG, "edit", *spec], cwd=log_root, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "opened").read_text() == str(log_root / expected)
    assert (log_root / "_posts/2021-08-05-day4.md").read_text() == "---\n---\nedited\nedited\n"


def test_edit_refuses_a_post_that_links_out_and_a_failing_editor(
    log_root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "bashrc"
    outside.write_text("x\n")
    os.symlink(outside, log_root / "_posts" / "2021-08-05-day4.md")
    result = run(log_root, "edit", "day4", EDITOR=str(_editor(tmp_path)))
    assert result.exit_code == 1 and "outside the posts folder" in result.stderr
    assert outside.read_text() == "x\n"
    build_file_tree(log_root, {"_posts/2021-08-06-day5.md": "---\n---\n"})
    result = run(log_root, "edit", "day5", EDITOR="false")
    assert result.exit_code == 1
    assert "The editor 'false' exited with 1" in result.stderr


def test_find_post_or_draft_prefers_the_post(log_root: Path) -> None:
    from studylog.log import open_log

    build_file_tree(
        log_root, {"_posts/2021-08-05-gd.md": "---\n---\n", "_drafts/gd.md": "---\n---\n"}
    )
    ref = drafts.find_post_or_draft(open_log(log_root), "gd")
    assert ref.path == log_root / "_posts" / "2021-08-05-gd.md"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("jekyll") is None, reason="needs jekyll")
def test_a_published_draft_builds_at_its_date(tmp_path: Path) -> None:
    """As a Jekyll reader: the draft shows with --drafts, the published post at its date's URL."""
    site = build_file_tree(
        tmp_path / "site",
        {
            "_config.yml": "title: t\nmarkdown: kramdown\ntheme: minima\n"
            "plugins: [jekyll-feed, jekyll-seo-tag]\nwhitelist: [jekyll-feed, jekyll-seo-tag]\n",
            "index.md": "---\n---\nhome\n",
        },
    )
    env = {**os.environ, "STUDYLOG_NOW": "2024-03-01T03:00:00+00:00"}

    def studylog(*args: str) -> str:
        done = subprocess.run([*STUDYLOG, *args], cwd=site, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    studylog("init", "--course", "")
    studylog("draft", "GD notes", "--no-carry")
    built = subprocess.run(
        ["jekyll", "build", "--drafts", "--safe"], cwd=site, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert list((site / "_site").rglob("GD-notes.html"))
    studylog("publish", "GD-notes", "--date", "2024-02-28")
    shutil.rmtree(site / "_site")
    built = subprocess.run(["jekyll", "build", "--safe"], cwd=site, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    page = site / "_site" / "2024" / "02" / "28" / "GD-notes.html"
    assert page.is_file(), sorted(str(p) for p in (site / "_site").rglob("*.html"))
    assert "GD notes" in page.read_text(encoding="utf-8")


def test_commit_takes_a_tracked_drafts_removal_but_never_adds_a_draft(log_root: Path) -> None:
    from conftest import git

    build_file_tree(log_root, {"_drafts/gd.md": "---\ntitle: x\n---\n"})
    git(log_root, "add", "_drafts/gd.md")
    git(log_root, "commit", "-qm", "a draft")
    assert run(log_root, "publish", "gd", "--date", "2021-08-05").exit_code == 0
    build_file_tree(log_root, {"_drafts/secret.md": "---\ntitle: not yet\n---\n"})
    result = run(log_root, "commit")
    assert result.exit_code == 0, result.output
    status = git(log_root, "status", "--porcelain", "--untracked-files=all")
    assert status == "?? _drafts/secret.md\n"
    shown = git(log_root, "show", "--no-renames", "--name-status", "--format=%s", "HEAD")
    assert "D\t_drafts/gd.md" in shown and "A\t_posts/2021-08-05-gd.md" in shown
