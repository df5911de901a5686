"""Nothing escapes the log (issue 11, item 2): posts, folders, `export -o`, `--root`, FIFOs.

Each case runs `studylog` as a real process, as a user (or a teammate's
pushed file) would trigger it, and checks that nothing outside the log or
no special file was written, opened blocking, or replaced.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studylog.config import load_settings
from studylog.confine import is_inside, read_regular
from studylog.errors import ConfigError

POST = (
    "---\ntitle: day4\ndate: 2021-08-05\n---\n"
    "## 피어세션\n\n### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n## 회고록\n"
)


def studylog(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def one_sentence(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.fixture
def day4(log_root: Path) -> Path:
    path = log_root / "_posts" / "2021-08-05-day4.md"
    path.write_text(POST, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".git" not in p.parts
    }


# --- a post to write must be inside the posts folder -----------------------------


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlinked"])
def test_a_post_outside_the_posts_folder_is_not_written(
    log_root: Path, day4: Path, how: str
) -> None:
    outside = log_root.parent / "2021-08-06-x.md"
    outside.write_text(POST, encoding="utf-8")
    if how == "absolute":
        spec = str(outside)
    elif how == "dotdot":
        spec = "../2021-08-06-x.md"
    else:
        link = log_root / "_posts" / "2021-08-06-x.md"
        link.symlink_to(outside)
        spec = "2021-08-06"
    before = snapshot(log_root)
    result = studylog(
        "add-question", "--post", spec, "--asker", "a", "--question", "q", cwd=log_root
    )
    assert "outside the posts folder" in one_sentence(result)
    answered = studylog("answer", "1", "--post", spec, "--answer", "a", cwd=log_root)
    assert "outside the posts folder" in one_sentence(answered)
    assert outside.read_text(encoding="utf-8") == POST
    assert snapshot(log_root) == before


def test_reading_a_symlinked_post_still_works(log_root: Path) -> None:
    """Reads are not writes: `show` of a post linked from elsewhere is harmless."""
    outside = log_root.parent / "kept.md"
    outside.write_text(POST, encoding="utf-8")
    (log_root / "_posts" / "2021-08-06-kept.md").symlink_to(outside)
    result = studylog("--root", str(log_root), "show", "kept", "--json")
    assert result.returncode == 0, result.stderr
    assert "첫 질문" in result.stdout


# --- folders in .studylog.yml ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("posts_dir: .git", "posts_dir"),
        ("posts_dir: .git/hooks", "posts_dir"),
        ("posts_dir: /etc", "posts_dir"),
        ("posts_dir: ../elsewhere", "posts_dir"),
        ("posts_dir: linked", "posts_dir"),
        ("posts_dir: .", "posts_dir"),
        ("templates_dir: /etc", "templates_dir"),
        ("templates_dir: ../x", "templates_dir"),
        ("templates_dir: .git", "templates_dir"),
        ("templates_dir: linked", "templates_dir"),
    ],
)
def test_folders_must_be_inside_the_log_and_outside_git(
    log_root: Path, line: str, key: str
) -> None:
    (log_root / "linked").symlink_to(log_root.parent)
    (log_root / ".studylog.yml").write_text(f"{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"'{key}' must be a folder inside the log"):
        load_settings(log_root)
    result = studylog("--root", str(log_root), "new", "day9")
    assert f"'{key}'" in one_sentence(result)
    assert not list(log_root.parent.glob("*day9*"))


def test_a_folder_linked_inside_the_log_is_fine(log_root: Path) -> None:
    (log_root / "real_posts").mkdir()
    (log_root / "posts_link").symlink_to(log_root / "real_posts")
    (log_root / ".studylog.yml").write_text("posts_dir: posts_link\n", encoding="utf-8")
    assert load_settings(log_root).posts_dir == "posts_link"


# --- export -o ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("device", "not an ordinary file"),
        ("fifo", "not an ordinary file"),
        ("symlink_out", "symlink that leads outside the log"),
        ("post", "in the posts folder"),
        ("new_in_posts", "in the posts folder"),
        ("symlink_to_post", "in the posts folder"),
    ],
)
def test_export_output_refuses_special_files_links_out_and_posts(
    log_root: Path, day4: Path, make: str, message: str
) -> None:
    outside = log_root.parent / "precious.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    target: Path
    if make == "device":
        target = Path("/dev/null")
    elif make == "fifo":
        target = log_root / "out.json"
        os.mkfifo(target)
    elif make == "symlink_out":
        target = log_root / "out.json"
        target.symlink_to(outside)
    elif make == "post":
        target = day4
    elif make == "new_in_posts":
        target = log_root / "_posts" / "2021-08-09-export.md"
    else:
        target = log_root / "out.json"
        target.symlink_to(day4)
    before = snapshot(log_root)
    result = studylog("--root", str(log_root), "export", "-o", str(target), timeout=30)
    assert message in one_sentence(result)
    assert snapshot(log_root) == before
    assert outside.read_text(encoding="utf-8") == "keep me\n"
    assert Path("/dev/null").is_char_device()
    if make == "symlink_out":
        assert target.is_symlink()


def test_export_writes_a_plain_file_and_through_a_link_inside_the_log(
    log_root: Path, day4: Path
) -> None:
    result = studylog("--root", str(log_root), "export", "-o", str(log_root.parent / "q.json"))
    assert result.returncode == 0, result.stderr
    assert "첫 질문" in (log_root.parent / "q.json").read_text(encoding="utf-8")
    (log_root / "exports").mkdir()
    (log_root / "exports" / "q.csv").write_text("old\n", encoding="utf-8")
    (log_root / "latest.csv").symlink_to(log_root / "exports" / "q.csv")
    result = studylog("--root", str(log_root), "export", "-f", "csv", "-o", "latest.csv",
                      cwd=log_root)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (log_root / "latest.csv").is_symlink()
    assert "첫 질문" in (log_root / "exports" / "q.csv").read_text(encoding="utf-8")


# --- --root must be a log ------------------------------------------------------------


def test_root_that_is_not_a_log_is_refused_and_gets_no_posts_folder(tmp_path: Path) -> None:
    plain = tmp_path / "Downloads"
    plain.mkdir()
    for args in (["new", "day1"], ["add-question", "--asker", "a", "--question", "q"], ["list"]):
        result = studylog("--root", str(plain), *args)
        assert "is not a study log" in one_sentence(result)
    result = studylog("new", "day1", env={"STUDYLOG_ROOT": str(plain)})
    assert "studylog init" in one_sentence(result)
    assert list(plain.iterdir()) == []


# --- special files in the posts folder: skipped, never opened blocking -------------


@pytest.mark.slow
def test_a_fifo_named_like_the_newest_post_hangs_nothing(log_root: Path, day4: Path) -> None:
    fifo = log_root / "_posts" / "2099-12-31-trap.md"
    os.mkfifo(fifo)
    listed = studylog("--root", str(log_root), "list", "--json", timeout=30)
    assert listed.returncode == 0, listed.stderr
    assert "trap" not in listed.stdout and "day4" in listed.stdout
    shown = studylog("--root", str(log_root), "show", timeout=30)
    assert shown.returncode == 0 and "첫 질문" in shown.stdout
    added = studylog(
        "--root", str(log_root), "add-question", "--asker", "a", "--question", "q", timeout=30
    )
    assert added.returncode == 0, added.stderr
    assert "a님 질문 : q" in day4.read_text(encoding="utf-8")
    assert "No post 'trap'" in one_sentence(studylog("--root", str(log_root), "show", "trap"))
    named = studylog("--root", str(log_root), "show", str(fifo), timeout=30)
    assert "not an ordinary file" in one_sentence(named)
    for command in (["search", "질문"], ["check"], ["stats"], ["export"]):
        result = studylog("--root", str(log_root), *command, timeout=30)
        assert "Traceback" not in result.stderr, (command, result.stderr)
    assert fifo.exists() and not fifo.is_file()


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(fifo)


def test_is_inside_follows_symlinks(tmp_path: Path) -> None:
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "out").symlink_to(tmp_path)
    assert is_inside(tmp_path / "log" / "a" / "new.md", tmp_path / "log")
    assert not is_inside(tmp_path / "log" / "out" / "x.md", tmp_path / "log")
    assert not is_inside(tmp_path / "log" / ".." / "x.md", tmp_path / "log")
