"""`last_modified_at` is set only where that is safe; otherwise left alone with a warning.

Each front-matter shape the issue found corrupted (empty value, anchor with
an alias elsewhere, trailing comment, block scalar, the key twice) is
written through the real `studylog add-question` command and checked byte
for byte: the entry lands, and the front matter is exactly as expected.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from studylog.last_modified import set_last_modified

TODAY = dt.date(2026, 12, 1)
NOW = "2026-12-01T12:00:00+00:00"
BODY = "## 피어세션\n\n### 질문내용\n\n<br>\n"
ENTRY = "1. 민수님 질문 : Q\n\n"


def _set(front_matter: str) -> tuple[str, str | None]:
    update = set_last_modified(front_matter, yaml.safe_load(front_matter) or {}, TODAY)
    return update.front_matter, update.skipped


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("last_modified_at: 2021-08-05\n", "last_modified_at: 2026-12-01\n"),
        # Spacing, quotes and a trailing comment stay.
        (
            "last_modified_at:    2021-08-05   # by hand\n",
            "last_modified_at:    2026-12-01   # by hand\n",
        ),
        ("last_modified_at: '2021-08-05'\n", "last_modified_at: '2026-12-01'\n"),
        ('last_modified_at: "2021-08-05"#x\n', 'last_modified_at: "2026-12-01"#x\n'),
        ("last_modified_at: 2021-08-05 10:00:00 +09:00\n", "last_modified_at: 2026-12-01\n"),
        # CRLF, other keys around it, a flow mapping, a key spelled with an escape.
        (
            "title: 하루\r\nlast_modified_at: 2021-08-05\r\ndate: 2021-08-05\r\n",
            "title: 하루\r\nlast_modified_at: 2026-12-01\r\ndate: 2021-08-05\r\n",
        ),
        (
            "{title: x, last_modified_at: 2021-08-05}\n",
            "{title: x, last_modified_at: 2026-12-01}\n",
        ),
        ('"last_modified\\x5fat": 2021-08-05\n', '"last_modified\\x5fat": 2026-12-01\n'),
        # NaN is not equal to itself; the check still sees nothing else changed.
        ("x: .nan\nlast_modified_at: 2021-08-05\n", "x: .nan\nlast_modified_at: 2026-12-01\n"),
    ],
)
def test_a_one_line_scalar_is_rewritten_in_place(before: str, after: str) -> None:
    assert _set(before) == (after, None)


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("last_modified_at:\ntitle: x\n", "its value is empty"),
        ("last_modified_at:   # some day\ntitle: x\n", "its value is empty"),
        ("last_modified_at: &lm 2021-08-05\ndate: *lm\n", "its value carries an anchor (&lm)"),
        ("date: &d 2021-08-05\nlast_modified_at: *d\n", "its value is an alias (*d)"),
        ("last_modified_at: >-\n  2021-08-05\n  2020-01-01\n", "its value is a block scalar"),
        ("last_modified_at: |\n  2021-08-05\n", "its value is a block scalar"),
        (
            "last_modified_at: 2021-08-05\ntitle: x\nlast_modified_at: 2021-08-06\n",
            "the key appears 2 times",
        ),
        ("last_modified_at: !!timestamp 2021-08-05\n", "its value has a tag (!!timestamp)"),
        ("last_modified_at: 2021-08-05\n  2020-01-01\n", "its value spans several lines"),
        ("last_modified_at: '2021-08-05\n  x'\n", "its value spans several lines"),
        ("last_modified_at:\n  2021-08-05\n", "its value is not on the key's line"),
        ("last_modified_at: [2021-08-05]\n", "its value is a list or a mapping"),
        ("base: &b\n  last_modified_at: 2021-08-05\n<<: *b\n", "it comes from a merge key"),
    ],
)
def test_anything_else_is_left_alone_with_the_reason(front_matter: str, reason: str) -> None:
    text, skipped = _set(front_matter)
    assert text == front_matter
    assert skipped is not None and skipped.startswith(reason)


@pytest.mark.parametrize(
    "front_matter",
    [
        "title: x\n",
        # Only a top-level key counts: not one nested, not text inside another value.
        "seo:\n  last_modified_at: 2021-08-05\n",
        'title: "a\n  last_modified_at: 2021-08-05"\n',
        "notes: |\n  last_modified_at: 2021-08-05\n",
    ],
)
def test_a_front_matter_without_the_key_is_not_touched(front_matter: str) -> None:
    assert _set(front_matter) == (front_matter, None)


def test_a_rewrite_that_would_change_another_key_is_not_made() -> None:
    # The mapping the caller parsed disagrees with the text (as if the text
    # changed under it): the re-parse check catches the difference.
    front_matter = "title: x\nlast_modified_at: 2021-08-05\n"
    stale: dict[str, Any] = {"title": "y", "last_modified_at": dt.date(2021, 8, 5)}
    update = set_last_modified(front_matter, stale, TODAY)
    assert update.front_matter == front_matter
    assert update.skipped == "setting it would have changed other keys of the front matter"


# --- through the real command, byte for byte --------------------------------------


def _add_question(root: Path, front_matter: str) -> tuple[bytes, subprocess.CompletedProcess[str]]:
    (root / "_posts").mkdir(parents=True)
    (root / ".studylog.yml").write_text("profile: ko\ntimezone: UTC\n", encoding="utf-8")
    path = root / "_posts" / "2021-08-05-day4.md"
    path.write_bytes(f"---\n{front_matter}---\n{BODY}".encode())
    done = subprocess.run(
        [sys.executable, "-m", "studylog", "add-question", "-a", "민수", "-q", "Q"],
        cwd=root,
        env={**os.environ, "STUDYLOG_ROOT": str(root), "STUDYLOG_NOW": NOW},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return path.read_bytes(), done


def _expected(front_matter: str) -> bytes:
    return f"---\n{front_matter}---\n{BODY.replace('<br>', ENTRY + '<br>')}".encode()


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("title: day4\nlast_modified_at:\n", "its value is empty"),
        (
            "title: day4\nlast_modified_at: &lm 2021-08-05\ndate: *lm\n",
            "its value carries an anchor (&lm)",
        ),
        ("last_modified_at: >-\n  2021-08-05\n  2020-01-01\ntitle: day4\n", "its value is a block"),
        ("last_modified_at: 2021-08-05\ntitle: day4\nlast_modified_at: 2021-08-06\n", "the key"),
    ],
)
def test_add_question_leaves_an_unsafe_key_alone_and_says_so(
    tmp_path: Path, front_matter: str, reason: str
) -> None:
    data, done = _add_question(tmp_path / "log", front_matter)
    assert done.returncode == 0, done.stderr
    assert data == _expected(front_matter)
    assert (
        f"Warning: last_modified_at in _posts/2021-08-05-day4.md was left as it was because "
        f"{reason}"
    ) in done.stderr
    assert "update it by hand if it should change." in done.stderr


def test_add_question_keeps_the_spacing_and_the_comment(tmp_path: Path) -> None:
    front_matter = "title: day4\nlast_modified_at:   2021-08-05  # 마지막 수정\n"
    data, done = _add_question(tmp_path / "log", front_matter)
    assert done.returncode == 0, done.stderr
    assert data == _expected(front_matter.replace("2021-08-05", "2026-12-01"))
    assert "Warning: last_modified_at" not in done.stderr


def test_answer_leaves_an_unsafe_key_alone_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "log"
    (root / "_posts").mkdir(parents=True)
    (root / ".studylog.yml").write_text("profile: ko\ntimezone: UTC\n", encoding="utf-8")
    front_matter = "title: day4\nlast_modified_at: &lm 2021-08-05\ndate: *lm\n"
    path = root / "_posts" / "2021-08-05-day4.md"
    path.write_bytes(f"---\n{front_matter}---\n{BODY.replace('<br>', ENTRY + '<br>')}".encode())
    done = subprocess.run(
        [sys.executable, "-m", "studylog", "answer", "1", "--answer", "A"],
        cwd=root,
        env={**os.environ, "STUDYLOG_ROOT": str(root), "STUDYLOG_NOW": NOW},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert path.read_bytes().startswith(f"---\n{front_matter}---\n".encode())
    assert "답변 : (2026-12-01) A" in path.read_text(encoding="utf-8")
    assert (
        "Warning: last_modified_at in _posts/2021-08-05-day4.md was left as it was because "
        "its value carries an anchor (&lm)"
    ) in done.stderr
