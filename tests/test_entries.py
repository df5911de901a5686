"""Entries: rendering, appending to a post on disk, and the add-* commands."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_POST, interruptible
from studylog.cli import app
from studylog.config import PROFILE_FORMATS
from studylog.entries import (
    Note,
    Question,
    Review,
    append_note,
    append_question,
    append_review,
    render_note,
    render_question,
    render_review,
)
from studylog.errors import ConfigError, EntryInvalidError
from studylog.log import open_log

KO = PROFILE_FORMATS["ko"]
EN = PROFILE_FORMATS["en"]

# --- rendering ---------------------------------------------------------------


def test_ko_question_is_written_as_in_the_example() -> None:
    question = Question(
        "서광채",
        "batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지",
        ("True로 설정하면 나왔던 숫자가 또 나올 수 있는데",),
    )
    # The answer starts at the item's content column (3 under "1. "), where
    # kramdown takes an item's text from.
    assert render_question(question, 1, KO) == [
        "1. 서광채님 질문 : batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지",
        "",
        "   답변 : True로 설정하면 나왔던 숫자가 또 나올 수 있는데",
    ]


def test_several_answers_become_numbered_sub_points() -> None:
    question = Question(
        "마루찬", "왜?", ("활성화 함수의 원인\n0에 수렴하기 때문에.", "w가 곱해져서")
    )
    assert render_question(question, 3, KO) == [
        "3. 마루찬님 질문 : 왜?",
        "",
        "   1. 활성화 함수의 원인",
        "      0에 수렴하기 때문에.",
        "",
        "   2. w가 곱해져서",
    ]


def test_question_without_answer_and_en_profile() -> None:
    assert render_question(Question("Ann", "Why?"), 12, EN) == ["12. Question from Ann: Why?"]
    lines = render_question(Question("Ann", "Why?", ("Because.",)), 2, EN)
    assert lines == ["2. Question from Ann: Why?", "", "   Answer: Because."]
    lines = render_question(Question("Ann", "Why?", ("Because.",)), 10, EN)
    assert lines == ["10. Question from Ann: Why?", "", "    Answer: Because."]


def test_ko_review_is_written_as_in_the_example() -> None:
    review = Review(
        "선택과제 1", "장동건", "Gradient Descent", ("발표 후 과제 내 수식의 코딩 관련해 피드백",)
    )
    assert render_review(review, KO) == [
        "- 선택과제 1 (Gradient Descent, 발표자 : 장동건)",
        "  → 발표 후 과제 내 수식의 코딩 관련해 피드백",
    ]
    # Several feedback lines are paragraphs of their own: never run together.
    assert render_review(Review("과제 2", "지수", feedback=("a", "b")), KO) == [
        "- 과제 2 (발표자 : 지수)",
        "",
        "  → a",
        "",
        "  → b",
    ]


def test_multi_line_text_is_indented_into_the_item_whatever_it_holds() -> None:
    answer = "see below\n## not a heading\n---\n```py\nx = 1\n```\n\n- a list\n"
    lines = render_question(Question("민수", "Q", (answer,)), 2, KO)
    assert lines == [
        "2. 민수님 질문 : Q",
        "",
        "   답변 : see below",
        "   \\## not a heading",
        "   \\-\\-\\-",
        "   ```py",
        "   x = 1",
        "   ```",
        "",
        "   - a list",
    ]
    assert render_note(Note("  first\r\nsecond  \r\n\n")) == ["- first", "  second"]
    assert render_note(Note("- already a bullet")) == ["- already a bullet"]
    assert render_note(Note("* - -")) == ["- \\- \\-"]
    # From number 100 on the item's text starts at column 5: indent that far.
    assert render_question(Question("a", "b\nc"), 100, KO)[1] == "     c"


def test_a_value_that_starts_with_a_block_starts_below_its_label() -> None:
    answer = "```python\nx = 1\n    y = 2\n```"
    assert render_question(Question("민수", "Q", (answer,)), 1, KO) == [
        "1. 민수님 질문 : Q",
        "",
        "   답변 :",
        "",
        "   ```python",
        "   x = 1",
        "       y = 2",
        "   ```",
    ]
    # Without a label of its own (a note, a sub-answer) the block starts on the marker's line.
    assert render_note(Note("> quoted\n> twice")) == ["- > quoted", "  > twice"]


def test_values_are_escaped_for_kramdown_and_liquid() -> None:
    from studylog.markdown.kramdown import Dialect

    question = Question("a|b", "x | y: {{ name }}", ("{% if ok %}yes{% endif %}",))
    assert render_question(question, 1, KO) == [
        "1. a\\|b님 질문 : x \\| y: {% raw %}{{ name }}{% endraw %}",
        "",
        "   답변 : {% raw %}{% if ok %}{% endraw %}yes{% raw %}{% endif %}{% endraw %}",
    ]
    keep = Dialect(protect_liquid=False)
    assert render_question(question, 1, KO, keep)[2] == "   답변 : {% if ok %}yes{% endif %}"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (Question("민수", "   \n  "), "question is empty"),
        (Question("", "Q"), "asker's name is empty"),
        (Question("민\n수", "Q"), "must be one line"),
        (Question("민수", "Q", ("",)), "answer is empty"),
    ],
)
def test_invalid_questions_are_refused(entry: Question, message: str) -> None:
    with pytest.raises(EntryInvalidError, match=message):
        render_question(entry, 1, KO)


def test_a_format_with_an_unknown_field_is_a_config_error() -> None:
    formats = KO._replace(question="{n}. {who} asked {question}")
    with pytest.raises(ConfigError, match=r"formats\.question"):
        render_question(Question("a", "b"), 1, formats)


# --- appending on disk ----------------------------------------------------------

POST = (
    "---\ntitle: day4\ndate: 2021-08-05\nlast_modified_at: 2021-08-05\n---\n"
    "## 피어세션\n\n### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답\n\n\n## 회고록\n"
)


def _post(root: Path, text: str | bytes, name: str = "2021-08-05-day4.md") -> Path:
    path = root / "_posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_append_question_continues_numbering_and_touches_last_modified(log_root: Path) -> None:
    path = _post(log_root, POST)
    log = open_log(root=log_root)
    result = append_question(log, path, Question("민수", "Q", ("A",)))
    assert (result.number, result.created, result.section) == (2, (), "질문내용")
    today = log.today().isoformat()
    assert path.read_text(encoding="utf-8") == POST.replace(
        "last_modified_at: 2021-08-05", f"last_modified_at: {today}"
    ).replace("    답변 : 첫 답\n", "    답변 : 첫 답\n\n2. 민수님 질문 : Q\n\n   답변 : A\n")


def test_today_is_in_the_logs_timezone(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    root = tmp_path / "log"
    (root / "_posts").mkdir(parents=True)
    (root / ".studylog.yml").write_text("profile: ko\ntimezone: Pacific/Kiritimati\n")
    path = _post(root, POST)
    append_review(open_log(root=root), path, Review("과제 1", "지수"))
    expected = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    assert f"last_modified_at: {expected}\n" in path.read_text(encoding="utf-8")


def test_crlf_bom_trailing_spaces_and_no_final_newline_are_kept(log_root: Path) -> None:
    text = POST.replace("## 회고록\n", "## 회고록\n\nend  ").replace("\n", "\r\n")
    path = _post(log_root, b"\xef\xbb\xbf" + text.encode("utf-8"))
    log = open_log(root=log_root)
    result = append_question(log, path, Question("민수", "Q", ("line 1\nline 2",)))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    new = data[3:].decode("utf-8")
    assert new.endswith("end  ")
    assert "\n" not in new.replace("\r\n", "")
    assert result.inserted == "\r\n2. 민수님 질문 : Q\r\n\r\n   답변 : line 1\r\n   line 2\r\n"
    removed = new[: result.offset] + new[result.offset + len(result.inserted) :]
    assert removed == text.replace(
        "last_modified_at: 2021-08-05", f"last_modified_at: {log.today()}"
    )


def test_append_at_the_very_end_keeps_the_missing_final_newline(log_root: Path) -> None:
    path = _post(log_root, "---\ntitle: x\n---\n## 회고록\n\nlast line")
    append_note(open_log(root=log_root), path, "retrospective", Note("more"))
    assert (
        path.read_text(encoding="utf-8") == "---\ntitle: x\n---\n## 회고록\n\nlast line\n\n- more"
    )


def test_missing_section_is_created_as_last_subsection_of_peer(log_root: Path) -> None:
    text = (
        "---\ntitle: x\n---\n## 피어세션\n\n### 과제 리뷰\n\n- 과제 1 (발표자 : 지수)\n\n"
        "## 회고록\n"
    )
    path = _post(log_root, text)
    result = append_question(open_log(root=log_root), path, Question("민수", "Q", ("A",)))
    assert result.created == ("질문내용",)
    assert path.read_text(encoding="utf-8") == text.replace(
        "- 과제 1 (발표자 : 지수)\n",
        "- 과제 1 (발표자 : 지수)\n\n### 질문내용\n\n1. 민수님 질문 : Q\n\n   답변 : A\n",
    )


def test_add_note_by_heading_text(log_root: Path) -> None:
    path = _post(log_root, SAMPLE_POST.read_text(encoding="utf-8"))
    result = append_note(open_log(root=log_root), path, "멘토링", Note("좋았다"))
    assert result.section == "🌙멘토링🌙"
    text = path.read_text(encoding="utf-8")
    assert "/cnn-filters.png)\n\n- 좋았다\n\n\n## 회고록" in text


# --- bad input leaves the file alone ------------------------------------------------

BAD_POSTS: dict[str, bytes] = {
    "not-yaml": "---\ntitle: [unclosed\ndate: 2021-08-05\n---\n### 질문내용\n".encode(),
    "no-front-matter": "## 질문내용\n\n1. a\n".encode(),
    "not-utf8": b"---\ntitle: x\n---\n## \xc1\xfa\xb9\xae\n",
}


def _run(args: list[str], root: Path, **kwargs: Any) -> Any:
    runner = CliRunner()
    return runner.invoke(app, ["--root", str(root), *args], **kwargs)


def _one_sentence_error(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    if result.exit_code == 2:
        # A usage error, in Click's one format: the usage line, the help hint, the sentence.
        assert lines[0].startswith("Usage: "), result.stderr
        lines = lines[-1:]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", sorted(BAD_POSTS))
def test_bad_posts_give_one_sentence_and_stay_unchanged(log_root: Path, kind: str) -> None:
    path = _post(log_root, BAD_POSTS[kind])
    result = _run(
        ["add-question", "--post", str(path), "--asker", "a", "--question", "q"], log_root
    )
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert path.read_bytes() == BAD_POSTS[kind]


def test_a_folder_is_not_a_post(log_root: Path) -> None:
    folder = log_root / "_posts" / "2021-08-05-day4.md"
    folder.mkdir(parents=True)
    result = _run(
        ["add-review", "--post", str(folder), "--assignment", "a", "--presenter", "b"], log_root
    )
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert "folder" in result.stderr


def test_read_only_post_is_refused(log_root: Path) -> None:
    path = _post(log_root, POST)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        result = _run(["add-question", "--asker", "a", "--question", "q"], log_root)
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert "read-only" in result.stderr
    assert path.read_text(encoding="utf-8") == POST


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["add", "nosuch", "text"], 1, "No section 'nosuch'"),
        (["add-question", "--asker", "a", "--question", "  "], 1, "question is empty"),
        (["add-question", "--asker", "a"], 2, "Missing --question: pass it,"),
        (["add-question"], 2, "Missing --asker, --question: pass them (one may"),
        (["add-review", "--assignment", "a"], 2, "Missing --presenter"),
        (["add", "retrospective"], 2, "Missing TEXT"),
        (["add-question", "--asker", "-", "--question", "-"], 2, "Only one option"),
    ],
)
def test_usage_and_value_errors(log_root: Path, args: list[str], code: int, needle: str) -> None:
    path = _post(log_root, POST)
    result = _run(args, log_root, input="")
    assert result.exit_code == code, result.output
    _one_sentence_error(result)
    assert needle in result.stderr
    assert path.read_text(encoding="utf-8") == POST


# --- the commands ------------------------------------------------------------------


def test_add_question_reports_number_and_created_section(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post(log_root, "---\ntitle: x\n---\n## 피어세션\n\n## 회고록\n")
    monkeypatch.chdir(log_root)
    monkeypatch.setenv("STUDYLOG_NOW", "2021-08-05T10:00:00+09:00")
    result = _run(["add-question", "--asker", "민수", "--question", "Q"], log_root)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Created section 질문내용",
        "Added question 1 to _posts/2021-08-05-day4.md",
    ]


def test_the_default_post_older_than_today_is_written_with_a_warning(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _post(log_root, POST)
    monkeypatch.chdir(log_root)
    monkeypatch.setenv("STUDYLOG_NOW", "2021-08-09T10:00:00+09:00")
    result = _run(["add-review", "--assignment", "과제", "--presenter", "지수"], log_root)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "Warning: the newest post, _posts/2021-08-05-day4.md, is from 2021-08-05, not today "
        "(2021-08-09); it was written there. Use `studylog new` for today's post, or --post."
    )
    assert "- 과제 (발표자 : 지수)" in path.read_text(encoding="utf-8")
    # Named outright (even as the same post), there is nothing to warn about.
    result = _run(["add", "retrospective", "x", "--post", "day4"], log_root)
    assert (result.exit_code, "Warning" in result.stderr) == (0, False)


def test_post_option_takes_today_yesterday_and_relative_days(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 00:30 on the 6th in Seoul is still the 5th in UTC: "today" is the log's.
    (log_root / ".studylog.yml").write_text("profile: ko\ntimezone: Asia/Seoul\n", "utf-8")
    yesterday = _post(log_root, POST, "2021-08-05-day4.md")
    today = _post(log_root, POST, "2021-08-06-day5.md")
    monkeypatch.setenv("STUDYLOG_NOW", "2021-08-05T15:30:00+00:00")
    for spec, path in (("today", today), ("yesterday", yesterday), ("-1", yesterday)):
        result = _run(["add", "retrospective", f"via {spec}", "--post", spec], log_root)
        assert result.exit_code == 0, result.output
        assert f"- via {spec}" in path.read_text(encoding="utf-8")
    before = today.read_bytes()
    result = _run(["add", "retrospective", "x", "--post", "tomorrow"], log_root)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No post for tomorrow (2021-08-07) in ")
    assert result.stderr.rstrip().endswith("create it with `studylog new --date 2021-08-07`.")
    assert today.read_bytes() == before
    result = _run(["show", "yesterday", "--json"], log_root)
    assert result.exit_code == 0 and "2021-08-05-day4.md" in result.stdout


def test_post_option_picks_by_slug_date_or_path_and_defaults_to_newest(log_root: Path) -> None:
    old = _post(log_root, POST, "2021-08-04-day3.md")
    new = _post(log_root, POST, "2021-08-05-day4.md")
    assert _run(["add", "retrospective", "newest"], log_root).exit_code == 0
    assert _run(["add", "retrospective", "by slug", "--post", "day3"], log_root).exit_code == 0
    assert _run(["add", "회고록", "by date", "--post", "2021-08-04"], log_root).exit_code == 0
    assert _run(["add", "retrospective", "by path", "--post", str(old)], log_root).exit_code == 0
    assert "- newest" in new.read_text(encoding="utf-8")
    old_text = old.read_text(encoding="utf-8")
    assert all(f"- by {how}" in old_text for how in ("slug", "date", "path"))


def test_dash_reads_a_long_answer_from_stdin(log_root: Path) -> None:
    path = _post(log_root, POST)
    answer = "first line\n\n```\ncode\n```\n"
    result = _run(
        ["add-question", "--asker", "민수", "--question", "Q", "--answer", "-"],
        log_root,
        input=answer,
    )
    assert result.exit_code == 0, result.output
    assert "   답변 : first line\n\n   ```\n   code\n   ```\n" in path.read_text(encoding="utf-8")


def test_prompts_on_a_terminal(log_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _post(log_root, POST)
    monkeypatch.setattr("studylog.cli.entries.is_interactive", lambda: True)
    result = _run(["add-review"], log_root, input="과제 3\nMLE\n홍요한\n좋았다\n\n\n")
    assert result.exit_code == 0, result.output
    assert "- 과제 3 (MLE, 발표자 : 홍요한)\n  → 좋았다\n" in path.read_text(encoding="utf-8")
    # The prompts are messages: stdout stays for data (`> file` gets no "Assignment:").
    # (CliRunner itself echoes the typed input to its stdout; a terminal doesn't.)
    assert "Assignment" not in result.stdout
    assert "Assignment" in result.stderr


def test_ctrl_c_at_a_prompt_exits_130_and_changes_nothing(log_root: Path) -> None:
    import pty
    import select
    import signal
    import time

    path = _post(log_root, POST)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "studylog", "add-question"],
        cwd=log_root,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={k: v for k, v in os.environ.items() if k != "STUDYLOG_NO_PROMPT"},
        preexec_fn=interruptible,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    # "Asker:" then input()'s own " ": after it, the process only reads stdin.
    while b"Asker: " not in seen and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            seen += os.read(master, 1024)
    assert b"Asker: " in seen
    # Wait until it sleeps in that read: a SIGINT that lands just before the
    # read starts is noted but raises nothing until a key is pressed (CPython
    # checks signals only when the read returns), so the test would hang.
    stat = Path(f"/proc/{proc.pid}/stat")
    while stat.exists() and stat.read_text().rpartition(")")[2].split()[0] != "S":
        assert time.monotonic() < deadline, "the prompt never waited for input"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 130
    os.close(master)
    assert path.read_text(encoding="utf-8") == POST


def test_edit_writes_the_entry_in_the_editor(
    log_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _post(log_root, POST)
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "t = t.replace('#! question\\n\\n', '#! question\\nline one\\n## kept inside\\n')\n"
        "t = t.replace('#! answer\\n\\n', '#! answer\\nA1\\n#!/bin/sh kept\\n#! answer\\nA2\\n')\n"
        "p.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = _run(["add-question", "--asker", "민수", "--edit"], log_root)
    assert result.exit_code == 0, result.output
    assert (
        "2. 민수님 질문 : line one\n   \\## kept inside\n\n"
        "   1. A1\n      \\#!/bin/sh kept\n\n   2. A2\n" in path.read_text(encoding="utf-8")
    )


def test_an_editor_command_that_does_not_parse_is_one_error(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _post(log_root, POST)
    monkeypatch.setenv("EDITOR", 'vim "unclosed')
    result = _run(["add-question", "--asker", "민수", "--edit"], log_root)
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert "$EDITOR" in result.stderr
    assert path.read_text(encoding="utf-8") == POST


def test_edit_left_empty_cancels(log_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _post(log_root, POST)
    monkeypatch.setenv("EDITOR", "true")
    result = _run(["add-question", "--asker", "민수", "--edit"], log_root)
    assert result.exit_code == 1
    assert "left empty" in result.stderr
    assert path.read_text(encoding="utf-8") == POST


# --- the example post, rebuilt with the commands --------------------------------------


def _section_tree(text: str, heading: str) -> list[tuple[Any, ...]]:
    """The lists, items and texts of one section, as CommonMark parses them."""
    from markdown_it import MarkdownIt

    from studylog.markdown.headings import heading_key
    from studylog.post import split_post

    body = split_post(Path("x"), text).body
    tokens = MarkdownIt("commonmark").parse(body)
    inside = False
    tree: list[tuple[Any, ...]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            inside = heading_key(tokens[i + 1].content) == heading_key(heading)
            continue
        if not inside or token.type in ("html_block", "heading_close"):
            continue
        if token.type == "inline":
            tree.append(("text", token.level, " ".join(token.content.split())))
        else:
            attrs = sorted(token.attrs.items())
            tree.append((token.type, token.level, token.hidden, token.info, attrs))
    return tree


def _studylog(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDYLOG_ROOT": str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "studylog", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_reproduces_the_sample_posts_review_and_question_sections(log_root: Path) -> None:
    """The commands write what a student wrote by hand (tests/fixtures), list for list."""
    by_hand = SAMPLE_POST.read_text(encoding="utf-8")
    path = Path(_studylog(log_root, "new", "day9", "--date", "2021-08-12").stdout.strip())
    assert path.resolve() == (log_root / "_posts" / "2021-08-12-day9.md").resolve()
    for assignment, topic, presenter, feedback in [
        (
            "필수과제 2",
            "Optimizer",
            "박하준",
            "momentum과 Adam의 수렴 속도를 그래프로 비교해서 보여줌",
        ),
        (
            "필수과제 3",
            "CNN 구현",
            "한지우",
            "padding을 직접 계산하다가 shape가 어긋났던 과정을 공유",
        ),
    ]:
        _studylog(
            log_root,
            "add-review",
            "--assignment",
            assignment,
            "--topic",
            topic,
            "--presenter",
            presenter,
            "--feedback",
            feedback,
        )
    questions = [
        (
            "정민재",
            "stride가 2일 때 출력 크기가 소수로 나오면 어떻게 되는지",
            ["내림으로 계산되어서 가장자리에 남는 픽셀은 쓰이지 않음"],
        ),
        (
            "최유나",
            "1x1 convolution이 파라미터 수를 줄이는 이유",
            [
                "공간 크기는 그대로 두고 채널 수만 줄여서 다음 3x3 convolution의 입력 채널이 "
                "작아지기 때문."
            ],
        ),
        (
            "김도윤",
            "층을 깊게 쌓으면 오히려 학습이 잘 안 되는 이유",
            [
                "기울기 소실\n역전파할 때 1보다 작은 값이 계속 곱해져서 앞쪽 층까지 기울기가 "
                "거의 전해지지 않음.",
                "층이 깊어질수록 항등 함수조차 배우기 어려워져서 skip connection 같은 지름길이 "
                "필요하다.",
            ],
        ),
    ]
    for number, (asker, question, answers) in enumerate(questions, start=1):
        args = ["add-question", "--asker", asker, "--question", question]
        for answer in answers:
            args += ["--answer", answer]
        result = _studylog(log_root, *args)
        assert re.search(rf"Added question {number} to .*2021-08-12-day9\.md", result.stderr)
    text = path.read_text(encoding="utf-8")
    for heading in ("과제 리뷰", "질문내용"):
        ours, theirs = _section_tree(text, heading), _section_tree(by_hand, heading)
        assert theirs and ours == theirs, heading


def test_en_profile_end_to_end(tmp_path: Path) -> None:
    root = tmp_path / "enlog"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--profile", "en"]).exit_code == 0
    made = runner.invoke(app, ["--root", str(root), "new", "day1", "--date", "2024-03-01"])
    assert made.exit_code == 0, made.output
    result = _run(
        ["add-question", "--asker", "Ann", "--question", "Why?", "--answer", "Because."], root
    )
    assert result.exit_code == 0, result.output
    review = _run(["add-review", "--assignment", "HW 1", "--presenter", "Bo"], root)
    assert review.exit_code == 0, review.output
    text = (root / "_posts" / "2024-03-01-day1.md").read_text(encoding="utf-8")
    assert "### Homework review\n\n- HW 1 (presenter: Bo)\n\n<br>" in text
    assert "### Questions\n\n1. Question from Ann: Why?\n\n   Answer: Because.\n\n<br>" in text


def test_an_unclosed_html_comment_before_the_place_is_refused(log_root: Path) -> None:
    text = "---\ntitle: x\n---\n## 회고록\n\n<!-- never closed\n\n## 안 보이는 제목\n"
    path = _post(log_root, text)
    result = _run(["add", "retrospective", "more"], log_root)
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert "the HTML block at line 6 seems never closed" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_a_symlinked_post_stays_a_symlink(log_root: Path) -> None:
    real = log_root / "_posts" / "archive" / "real.md"
    real.parent.mkdir()
    real.write_text(POST, encoding="utf-8")
    link = log_root / "_posts" / "2021-08-05-day4.md"
    link.symlink_to(real)
    result = _run(["add-question", "--asker", "a", "--question", "q"], log_root)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert "2. a님 질문 : q\n" in real.read_text(encoding="utf-8")


def test_stdin_that_is_not_utf8_is_refused(log_root: Path) -> None:
    path = _post(log_root, POST)
    result = _run(
        ["add-question", "--asker", "a", "--question", "-"], log_root, input=b"\xff\xfe bad"
    )
    assert result.exit_code == 1
    _one_sentence_error(result)
    assert "not UTF-8" in result.stderr
    assert path.read_text(encoding="utf-8") == POST


def test_no_prompt_when_every_required_value_is_given(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _post(log_root, POST)
    monkeypatch.setattr("studylog.cli.entries.is_interactive", lambda: True)
    result = _run(["add-question", "--asker", "a", "--question", "q"], log_root, input="")
    assert result.exit_code == 0, result.output
    assert "Answer" not in result.output
    assert "    답변 : 첫 답\n\n2. a님 질문 : q\n\n\n## 회고록" in path.read_text(encoding="utf-8")


def test_prompts_for_question_then_answers(log_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _post(log_root, POST)
    monkeypatch.setattr("studylog.cli.entries.is_interactive", lambda: True)
    result = _run(["add-question", "--asker", "a"], log_root, input="q?\n\nA1\n\nA2\n\n\n")
    assert result.exit_code == 0, result.output
    assert "2. a님 질문 : q?\n\n   1. A1\n\n   2. A2\n" in path.read_text(encoding="utf-8")
    assert "--edit" in result.stderr


def test_a_prompted_answer_may_span_lines_and_keep_code(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pasted answer: its lines, a fence with a blank line and indented code, kept as typed."""
    path = _post(log_root, POST)
    monkeypatch.setattr("studylog.cli.entries.is_interactive", lambda: True)
    answer = "코드는 이렇게\n```python\ndef f():\n\n    return 1\n```\n끝"
    typed = f"질문\n두 줄\n\n{answer}\n\n\n"
    result = _run(["add-question", "--asker", "a"], log_root, input=typed)
    assert result.exit_code == 0, result.output
    from studylog.markdown.extraction import read_entries

    entries = read_entries(path.read_text(encoding="utf-8"), open_log(root=log_root).settings)
    last = entries.questions[-1]
    assert (last.question, last.answers) == ("질문\n두 줄", (answer,))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # inserts.md case 2: the last section, then separators and a footer
            "### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답\n\n<br>\n\n"
            "```\n💡 고칠 내용은 댓글로 알려주세요\n```\n",
            "### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답\n\n"
            "2. 민수님 질문 : Q\n\n   답변 : A\n\n<br>\n\n"
            "```\n💡 고칠 내용은 댓글로 알려주세요\n```\n",
        ),
        (  # inserts.md case 3: an empty scaffolded section
            "### 질문내용\n\n<br>\n\n## 회고록\n",
            "### 질문내용\n\n1. 민수님 질문 : Q\n\n   답변 : A\n\n<br>\n\n## 회고록\n",
        ),
    ],
)
def test_inserts_cases(log_root: Path, before: str, after: str) -> None:
    front = "---\ntitle: x\n---\n## 피어세션\n\n"
    path = _post(log_root, front + before)
    append_question(open_log(root=log_root), path, Question("민수", "Q", ("A",)))
    assert path.read_text(encoding="utf-8") == front + after


def test_what_add_writes_the_reader_reads_back(log_root: Path) -> None:
    """The contract with `list`/`search`: entries come back as they went in."""
    from studylog.markdown.extraction import read_entries

    path = _post(log_root, "---\ntitle: x\n---\n## 피어세션\n\n### 질문내용\n\n<br>\n\n## 회고록\n")
    log = open_log(root=log_root)
    questions = [
        Question("민수", "Q1\n## not a heading", ("A1\n```\ncode\n```",)),
        Question("지수", "Q2", ("a", "b")),
        Question("x", "Q3"),
    ]
    for question in questions:
        append_question(log, path, question)
    append_review(log, path, Review("과제 1", "지수", "GD", ("fb1", "fb2\nmore")))
    entries = read_entries(path.read_text(encoding="utf-8"), log.settings)
    assert [(q.number, q.asker, q.question, q.answers) for q in entries.questions] == [
        (i, q.asker, q.question, q.answers) for i, q in enumerate(questions, start=1)
    ]
    assert [(r.assignment, r.topic, r.presenter, r.feedback) for r in entries.reviews] == [
        ("과제 1", "GD", "지수", ("fb1", "fb2\nmore"))
    ]


def test_prompts_on_a_real_terminal(log_root: Path) -> None:
    """stdin a pseudo-terminal: the missing question is asked for, then the answers."""
    import pty

    path = _post(log_root, POST)
    master, slave = pty.openpty()
    env = {**os.environ, "STUDYLOG_ROOT": str(log_root)}
    env.pop("STUDYLOG_NO_PROMPT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "studylog", "add-question", "--asker", "민수"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    try:
        os.write(master, "터미널에서 물어봄\n\n첫 답\n\n\n".encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0, err.decode()
    # Prompts are messages, on stderr: stdout carries data only.
    assert "Question" in err.decode() and "Answer" in err.decode()
    # (Click hands the prompt's last character, a space, to input(), which
    # writes it to stdout; the words of the prompts are not there.)
    assert "Question" not in out.decode() and out.decode().strip() == ""
    assert "2. 민수님 질문 : 터미널에서 물어봄\n\n   답변 : 첫 답\n" in path.read_text(
        encoding="utf-8"
    )


def test_add_notes_creates_the_notes_section_at_the_end(tmp_path: Path) -> None:
    from studylog.scaffold import init_log

    root = tmp_path / "notes-blog"
    init_log(root, profile="ko")
    runner = CliRunner()
    assert (
        runner.invoke(app, ["--root", str(root), "new", "day1", "--date", "2021-08-02"]).exit_code
        == 0
    )
    result = runner.invoke(app, ["--root", str(root), "add", "notes", "내일 할 일: 복습"])
    assert result.exit_code == 0, result.stderr
    text = (root / "_posts" / "2021-08-02-day1.md").read_text(encoding="utf-8")
    assert text.index("## 회고록") < text.index("## 메모") < text.index("- 내일 할 일: 복습")
    again = runner.invoke(app, ["--root", str(root), "add", "notes", "둘째"])
    assert again.exit_code == 0
    text = (root / "_posts" / "2021-08-02-day1.md").read_text(encoding="utf-8")
    assert text.count("## 메모") == 1 and "- 둘째" in text


def test_huqi_is_the_retrospective(log_root: Path) -> None:
    """`## 후기` (as some real posts write it) takes `add retrospective`, no new section."""
    text = "---\ntitle: x\n---\n## 피어세션\n\n## 후기\n\n- 좋았다\n"
    path = _post(log_root, text)
    result = append_note(open_log(root=log_root), path, "retrospective", Note("내일도"))
    assert result.created == ()
    assert path.read_text(encoding="utf-8") == text.replace("- 좋았다\n", "- 좋았다\n\n- 내일도\n")


def test_a_created_section_goes_before_the_post_s_closing_rule_and_references(
    log_root: Path,
) -> None:
    """The peer section ends the post with `---` and references: the new
    `질문내용` goes inside the peer section, above them."""
    head = "---\ntitle: x\n---\n## 피어세션\n\n모더레이터 : 민수\n\n"
    tail = "---\n\n**참고 자료**\n\n- [문서](https://example.com)\n"
    path = _post(log_root, head + tail)
    result = append_question(open_log(root=log_root), path, Question("민수", "Q", ("A",)))
    assert result.created == ("질문내용",)
    assert path.read_text(encoding="utf-8") == (
        head + "### 질문내용\n\n1. 민수님 질문 : Q\n\n   답변 : A\n\n" + tail
    )


def test_a_question_continues_a_bullet_list_as_a_bullet(log_root: Path) -> None:
    """Questions written as bullets: the new one is the next bullet, not a list shown as 1."""
    text = (
        "---\ntitle: x\n---\n## 피어세션\n\n### 질문\n\n- 권예환님 질문\n\n    → 구글링\n\n"
        "- 강재현님 질문\n    → 설명\n\n## 회고록\n"
    )
    path = _post(log_root, text)
    log = open_log(root=log_root)
    result = append_question(log, path, Question("민수", "Q", ("```\n  code\n```",)))
    assert result.number == 3
    new = "- 민수님 질문 : Q\n\n  답변 :\n\n  ```\n    code\n  ```\n"
    assert path.read_text(encoding="utf-8") == text.replace(
        "\n\n## 회고록", f"\n\n{new}\n## 회고록"
    )
    from studylog.markdown.extraction import read_entries

    entries = read_entries(path.read_text(encoding="utf-8"), log.settings)
    assert [(q.number, q.asker) for q in entries.questions][-1] == (3, "민수")
    assert entries.questions[-1].answers == ("```\n  code\n```",)
