"""Bad bytes and bad values (issue 11, items 5 and 6): refused in one sentence, nothing written.

Each case runs `studylog` as a real process where a user would meet it: a
NUL byte piped into stdin, an escape sequence in an argument, an EUC-KR
terminal, a slug too long for a file name, front matter YAML can't build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from studylog.config import load_settings
from studylog.errors import ConfigError, TextInvalidError
from studylog.values import check_characters, check_single_line

POST = (
    "---\ntitle: day4\ndate: 2021-08-05\n---\n"
    "## 피어세션\n\n### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n## 회고록\n"
)


def studylog(
    root: Path, *args: str | bytes, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(root), *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, "STUDYLOG_NO_PROMPT": "1", **(env or {})},
        timeout=60,
        check=False,
    )


def one_sentence(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    err = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == code, err
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    err = result.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in err and result.returncode in (0, 1), err


@pytest.fixture
def day4(log_root: Path) -> Path:
    path = log_root / "_posts" / "2021-08-05-day4.md"
    path.write_text(POST, encoding="utf-8")
    return path


# --- control characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["--asker", "민수", "--question", "-"], b"nul \x00 here\n"),
        (["--asker", "민수", "--question", "q", "--answer", "-"], b"line\n\x00\n"),
        (["--asker", "민\x1b[2J수", "--question", "q"], None),
        (["--asker", "민수", "--question", "bell \x07"], None),
        (["--asker", "민수", "--question", "del \x7f"], None),
        (["--asker", "민수", "--question", "c1 \x9b31m"], None),
    ],
)
def test_control_characters_are_refused_in_entries(
    log_root: Path, day4: Path, args: list[str], stdin: bytes | None
) -> None:
    result = studylog(log_root, "add-question", *args, stdin=stdin)
    assert "control character" in one_sentence(result)
    assert day4.read_text(encoding="utf-8") == POST


def test_control_characters_are_refused_in_answers(log_root: Path, day4: Path) -> None:
    result = studylog(log_root, "answer", "1", "--answer", "-", stdin=b"esc \x1b]0;pwned\x07\n")
    assert "control character" in one_sentence(result)
    assert day4.read_text(encoding="utf-8") == POST


def test_tabs_and_line_breaks_stay_allowed(log_root: Path, day4: Path) -> None:
    result = studylog(
        log_root, "add-question", "--asker", "민수", "--question", "q", "--answer", "-",
        stdin=b"a\tb\r\nsecond line\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "a\tb" in day4.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--participant", "민수\n## 회고록", "must be one line"),
        ("--participant", "민수\r지수", "must be one line"),
        ("--title", "Day 5\n---", "must be one line"),
        ("--moderator", "민수\u2028지수", "must be one line"),
        ("--title", "bad \x1b[31m", "control character"),
        ("--moderator", "a\x01", "control character"),
    ],
)
def test_new_refuses_line_breaks_and_control_characters_in_single_line_values(
    log_root: Path, option: str, value: str, message: str
) -> None:
    result = studylog(log_root, "new", "day5", option, value)
    assert message in one_sentence(result)
    assert list((log_root / "_posts").iterdir()) == []


def test_value_checks() -> None:
    assert check_characters("탭\t줄\n바꿈\r\n", "answer") == "탭\t줄\n바꿈\r\n"
    with pytest.raises(TextInvalidError, match=r"U\+0000\) at position 2"):
        check_characters("a\x00", "answer")
    with pytest.raises(TextInvalidError, match="not valid UTF-8"):
        check_characters("a\udcb9", "answer")
    with pytest.raises(TextInvalidError, match="one line"):
        check_single_line("a\x85b", "asker")


# --- slugs -----------------------------------------------------------------------------


def test_nfd_and_nfc_spellings_of_a_slug_are_one_post(log_root: Path) -> None:
    nfc = "하루기록"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    made = studylog(log_root, "new", nfd, "--date", "2021-08-05")
    assert made.returncode == 0, made.stderr
    (post,) = (log_root / "_posts").iterdir()
    assert post.name == f"2021-08-05-{nfc}.md"
    again = studylog(log_root, "new", nfc, "--date", "2021-08-06")
    assert "already exists" in one_sentence(again)
    added = studylog(log_root, "add-question", "--post", nfd, "--asker", "a", "--question", "q")
    assert added.returncode == 0, added.stderr


def test_a_post_named_in_nfd_on_disk_is_found_by_the_nfc_slug(log_root: Path) -> None:
    nfd = unicodedata.normalize("NFD", "하루")
    (log_root / "_posts" / f"2021-08-05-{nfd}.md").write_text(POST, encoding="utf-8")
    again = studylog(log_root, "new", "하루")
    assert "already exists" in one_sentence(again)
    shown = studylog(log_root, "show", "하루", "--json")
    assert shown.returncode == 0 and "첫 질문" in shown.stdout.decode()


def test_a_slug_too_long_for_a_file_name_is_one_sentence(log_root: Path) -> None:
    result = studylog(log_root, "new", "a" * 300)
    assert "keep it under 200 bytes" in one_sentence(result)
    hangul = studylog(log_root, "new", "가" * 80)  # 240 bytes in UTF-8
    assert "240 bytes" in one_sentence(hangul)
    assert list((log_root / "_posts").iterdir()) == []


def test_invalid_utf8_arguments_from_an_euc_kr_terminal(log_root: Path, day4: Path) -> None:
    euc_kr = "민수".encode("euc-kr")
    for args in (
        [b"add-question", b"--asker", euc_kr, b"--question", b"q"],
        [b"new", euc_kr],
        [b"search", euc_kr],
    ):
        result = studylog(log_root, *args)
        assert "is not valid UTF-8" in one_sentence(result, code=2)
    assert day4.read_text(encoding="utf-8") == POST
    assert [p.name for p in (log_root / "_posts").iterdir()] == [day4.name]


# --- titles and formats ----------------------------------------------------------------


def test_a_title_pattern_with_a_number_format_and_a_slug_without_a_number(
    log_root: Path,
) -> None:
    (log_root / ".studylog.yml").write_text('title: "Day {n:02d}"\n', encoding="utf-8")
    made = studylog(log_root, "new", "intro", "--date", "2021-08-01")
    assert made.returncode == 0, made.stderr
    assert 'title: "intro"' in (log_root / "_posts" / "2021-08-01-intro.md").read_text()
    made = studylog(log_root, "new", "day7", "--date", "2021-08-07")
    assert 'title: "Day 07"' in (log_root / "_posts" / "2021-08-07-day7.md").read_text()


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ('formats:\n  question: "{n:>999999999}. {asker}: {question}"\n', "formats.question"),
        ('formats:\n  answer: "{answer:.999999}"\n', "formats.answer"),
        ('formats:\n  answer: "{answer.__class__}"\n', "formats.answer"),
        ('formats:\n  answer: "{answer:{n}}"\n', "formats.answer"),
        ('formats:\n  answer: "{answer"\n', "formats.answer"),
        ('title: "Day {n:>999999999}"\n', "title"),
        ('title: "Day {0}"\n', "title"),
    ],
)
def test_formats_with_huge_widths_or_odd_fields_are_refused_by_key(
    log_root: Path, day4: Path, config: str, key: str
) -> None:
    (log_root / ".studylog.yml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(log_root)
    result = studylog(log_root, "add-question", "--asker", "a", "--question", "q")
    assert key in one_sentence(result)
    assert day4.read_text(encoding="utf-8") == POST


# --- front matter YAML parses but can't build ------------------------------------------


@pytest.mark.parametrize(
    "date", ["2021-02-30", "2021-13-45", "!!timestamp 99999-01-01", "!!timestamp x"]
)
@pytest.mark.slow
def test_front_matter_dates_that_do_not_exist(log_root: Path, day4: Path, date: str) -> None:
    text = POST.replace("date: 2021-08-05", f"date: {date}")
    day4.write_text(text, encoding="utf-8")
    for command in (
        ["list"], ["list", "--json"], ["show"], ["show", "--json"], ["search", "질문"],
        ["search", "질문", "--json"], ["export"], ["stats"],
        ["add-question", "--asker", "a", "--question", "q"],
    ):  # fmt: skip
        no_traceback(studylog(log_root, *command))
    checked = studylog(log_root, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr.decode()
    assert "can't build" in checked.stdout.decode() + checked.stderr.decode()


@pytest.mark.slow
def test_a_lone_surrogate_in_the_title(log_root: Path, day4: Path, tmp_path: Path) -> None:
    day4.write_text(POST.replace("title: day4", 'title: "\\udc80 x"'), encoding="utf-8")
    for command in (
        ["list"], ["list", "--json"], ["show"], ["show", "--json"], ["search", "질문"],
        ["search", "질문", "--json"], ["export"], ["export", "-f", "csv"], ["export", "-f", "md"],
        ["export", "-o", str(tmp_path / "out.json")], ["stats"], ["check"],
        ["add-question", "--asker", "a", "--question", "q"],
    ):  # fmt: skip
        no_traceback(studylog(log_root, *command))
