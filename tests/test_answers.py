"""`studylog answer N`: one more answer inside question N's item, nothing else changed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree, corpus_posts
from studylog.answers import add_answer_to_text, append_answer
from studylog.cli import app
from studylog.errors import EntryPlacementError, QuestionNotFoundError
from studylog.log import open_log
from studylog.markdown.extraction import read_entries
from studylog.post import split_post

POST = (
    "---\ntitle: Day 5\nlast_modified_at: 2024-03-08\n---\n\n## 피어세션\n\n### 질문내용\n\n"
    "1. 가님 질문 : 하나\n\n    답변 : 첫 답\n\n"
    "2. 나님 질문 : 둘\n"
    "3. 다님 질문 : 셋\n\n## 회고록\n\n<br>\n"
)


def _log(root: Path, text: str = POST, name: str = "2024-03-08-day5.md") -> Path:
    build_file_tree(root, {".studylog.yml": "profile: ko\n", f"_posts/{name}": text})
    return root / "_posts" / name


def _without(new: str, offset: int, inserted: str) -> str:
    assert new[offset : offset + len(inserted)] == inserted
    return new[:offset] + new[offset + len(inserted) :]


def test_the_answer_goes_after_the_existing_ones_inside_the_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T10:00:00+00:00")
    path = _log(tmp_path)
    log = open_log(tmp_path)
    result = append_answer(log, log.find_post("day5"), 1, ["둘째 답\n```py\nx = 1\n```"])
    text = path.read_text(encoding="utf-8")
    assert _without(text, result.offset, result.inserted) == POST
    assert result.inserted == "\n   답변 : 둘째 답\n   ```py\n   x = 1\n   ```\n"
    assert result.label is None
    questions = read_entries(text, log.settings).questions
    assert [q.answers for q in questions] == [("첫 답", "둘째 답\n```py\nx = 1\n```"), (), ()]


def test_a_tight_item_gets_a_blank_line_before_the_next_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T10:00:00+00:00")
    path = _log(tmp_path)
    log = open_log(tmp_path)
    result = append_answer(log, log.find_post("day5"), 2, ["a", "b"])
    text = path.read_text(encoding="utf-8")
    assert result.inserted == "\n   답변 : a\n\n   답변 : b\n\n"
    assert _without(text, result.offset, result.inserted) == POST
    assert [q.answers for q in read_entries(text, log.settings).questions][1] == ("a", "b")


def test_a_later_day_is_named_by_the_calendar_else_todays_post_else_the_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _log(tmp_path)
    log = open_log(tmp_path)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-12T10:00:00+00:00")
    result = append_answer(log, log.find_post("day5"), 3, ["later"])
    assert result.label == "2024-03-12"
    assert "   답변 : (2024-03-12) later\n" in path.read_text(encoding="utf-8")
    build_file_tree(tmp_path, {"_posts/2024-03-12-day7.md": "---\ntitle: x\n---\n"})
    assert append_answer(log, log.find_post("day5"), 3, ["again"]).label == "Day 7"
    (tmp_path / ".studylog.yml").write_text(
        "profile: ko\ncalendar:\n  start: 2024-03-06\n  holidays: [2024-03-11]\n", encoding="utf-8"
    )
    log = open_log(tmp_path)
    result = append_answer(log, log.find_post("day5"), 3, ["third"])
    assert result.label == "Day 4"
    text = path.read_text(encoding="utf-8")
    assert "last_modified_at: 2024-03-12\n" in text
    assert read_entries(text, log.settings).questions[2].answers == (
        "(2024-03-12) later",
        "(Day 7) again",
        "(Day 4) third",
    )


def test_crlf_a_bom_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    body = POST.rstrip("\n").replace("\n", "\r\n")
    post = split_post(tmp_path / "p.md", "\ufeff" + body)
    log = open_log(_log(tmp_path).parent.parent)
    edit = add_answer_to_text(post, 3, ["x\ny"], log.settings)
    assert "\n" not in edit.text.replace("\r\n", "")
    assert _without(edit.text, edit.offset, edit.inserted) == body
    last = "3. 다님 질문 : 셋\r\n\r\n   답변 : x\r\n   y\r\n\r\n## 회고록"
    assert last in edit.text and not edit.text.endswith("\n")


def test_a_question_at_the_very_end_without_a_newline(tmp_path: Path) -> None:
    text = "---\ntitle: t\n---\n### 질문내용\n\n1. 가님 질문 : q"
    post = split_post(tmp_path / "p.md", text)
    log = open_log(_log(tmp_path).parent.parent)
    edit = add_answer_to_text(post, 1, ["a"], log.settings)
    assert edit.text == text + "\n\n   답변 : a"


@pytest.mark.parametrize(
    ("number", "words"),
    [(4, "has no question 4"), (0, "has no question 0")],
)
def test_a_missing_question_is_an_error_and_changes_nothing(
    tmp_path: Path, number: int, words: str
) -> None:
    path = _log(tmp_path)
    log = open_log(tmp_path)
    with pytest.raises(QuestionNotFoundError, match=words):
        append_answer(log, log.find_post("day5"), number, ["a"])
    assert path.read_text(encoding="utf-8") == POST


def test_two_questions_with_one_number_are_refused(tmp_path: Path) -> None:
    text = POST.replace("3. 다님", "2. 다님")
    path = _log(tmp_path, text)
    log = open_log(tmp_path)
    with pytest.raises(QuestionNotFoundError, match="2 questions numbered 2"):
        append_answer(log, log.find_post("day5"), 2, ["a"])
    assert path.read_text(encoding="utf-8") == text


def test_a_q_block_gets_one_more_a_paragraph(tmp_path: Path) -> None:
    text = "---\ntitle: t\n---\n### 질문내용\n\nQ: 왜?\n\nA: 그래서\n\nQ: 어떻게?\n\n## 회고록\n"
    path = _log(tmp_path, text)
    log = open_log(tmp_path)
    post = split_post(path, text)
    edit = add_answer_to_text(post, 2, ["이렇게\nQ: 질문처럼 보이는 줄"], log.settings)
    edit = add_answer_to_text(split_post(path, edit.text), 1, ["```py\n  x = 1\n```"], log.settings)
    written = edit.text
    assert written == text.replace(
        "A: 그래서\n", "A: 그래서\n\nA:\n\n```py\n  x = 1\n```\n"
    ).replace("Q: 어떻게?\n", "Q: 어떻게?\n\nA: 이렇게\nQ\\: 질문처럼 보이는 줄\n")
    questions = read_entries(written, log.settings).questions
    assert [q.answers for q in questions] == [
        ("그래서", "```py\n  x = 1\n```"),
        ("이렇게\nQ: 질문처럼 보이는 줄",),
    ]


@pytest.mark.parametrize("answer", ["```py\n  x = 1\n```", "- 하나\n- 둘", "> 인용"])
def test_a_later_day_s_label_stands_before_a_block_not_in_it(tmp_path: Path, answer: str) -> None:
    # Glued to the label, a fence became inline code and left an unclosed fence.
    path = _log(tmp_path)
    log = open_log(tmp_path)
    edit = add_answer_to_text(split_post(path, POST), 1, [answer], log.settings, label="Day 6")
    assert "답변 : (Day 6)\n\n" in edit.inserted
    first = read_entries(edit.text, log.settings).questions[0]
    assert first.answers == ("첫 답", f"(Day 6)\n\n{answer}")


def test_a_q_block_ending_in_an_unclosed_fence_is_refused(tmp_path: Path) -> None:
    text = (
        "---\ntitle: t\n---\n### 질문내용\n\nQ. 왜?\n\nA. 그래서\n\nQ. 어떻게?\n\n```\n닫지 않음\n"
    )
    path = _log(tmp_path, text)
    log = open_log(tmp_path)
    questions = read_entries(text, log.settings).questions
    assert [q.number for q in questions] == [1, 2]
    with pytest.raises(EntryPlacementError, match="add it by hand"):
        append_answer(log, log.find_post("day5"), 2, ["a"])
    assert path.read_text(encoding="utf-8") == text


_LAST_MODIFIED = re.compile(r"^last_modified_at:.*?(?=\r?$)", re.MULTILINE)


def _modified(text: str) -> str:
    return _LAST_MODIFIED.sub("last_modified_at:", text, count=1)


@pytest.mark.slow
@pytest.mark.corpus
def test_corpus_posts_take_an_answer_to_every_question_byte_exactly(tmp_path: Path) -> None:
    """Each list-item question of each corpus post takes an answer; the rest is untouched."""
    root = tmp_path
    build_file_tree(root, {".studylog.yml": "profile: ko\n"})
    (root / "_posts").mkdir()
    log = open_log(root)
    today = log.today().isoformat()
    answered = refused = 0
    for source in corpus_posts():
        path = root / "_posts" / source.name
        shutil.copyfile(source, path)
        ref = log.find_post(str(path))
        numbers = [
            q.number for q in read_entries(path.read_text("utf-8-sig"), log.settings).questions
        ]
        for number in sorted(set(numbers)):
            before = path.read_bytes()
            old = before.decode("utf-8").removeprefix("\ufeff")
            if numbers.count(number) > 1:
                with pytest.raises(QuestionNotFoundError):
                    append_answer(log, ref, number, ["새 답\n- 목록"])
                assert path.read_bytes() == before
                continue
            try:
                result = append_answer(log, ref, number, ["새 답\n- 목록"])
            except EntryPlacementError:
                assert path.read_bytes() == before
                refused += 1
                continue
            data = path.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
            new = data.decode("utf-8").removeprefix("\ufeff")
            # Only the inserted lines changed, and last_modified_at, set to today.
            assert _modified(_without(new, result.offset, result.inserted)) == _modified(old)
            assert _LAST_MODIFIED.findall(new) in ([], [f"last_modified_at: {today}"]), source.name
            question = next(
                q for q in read_entries(new, log.settings).questions if q.number == number
            )
            label = f"({result.label}) " if result.label else ""
            # startswith: in a blog whose `Q.` paragraphs the reader takes for text
            # after a bullet, the next `Q.` reads as part of the last answer.
            assert question.answers[-1].startswith(f"{label}새 답\n- 목록"), (source.name, number)
            answered += 1
        path.unlink()
    # 84 questions take an answer (8 of them `Q.` blocks, which take one more
    # `A.` paragraph); 4 are refused untouched: 3 list items in day3 and day17
    # whose hand-written layout an answer would change, and jjonhwa's Day 6
    # question 1, whose `Q.`/`A.` lines share one paragraph with question 2.
    assert (answered, refused) == (84, 4)


# --- the command ---------------------------------------------------------------

runner = CliRunner()


def test_the_answer_command_reads_options_stdin_and_names_the_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _log(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-09T10:00:00+00:00")
    result = runner.invoke(app, ["answer", "2", "--post", "day5", "--answer", "-"], input="a\nb\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (
        result.stderr == "Added an answer (2024-03-09) to question 2 in _posts/2024-03-08-day5.md\n"
    )
    assert "   답변 : (2024-03-09) a\n   b\n" in path.read_text(encoding="utf-8")


def test_the_answer_command_defaults_to_the_newest_post_and_warns_it_is_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _log(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-10T10:00:00+00:00")
    result = runner.invoke(app, ["answer", "3", "--answer", "x", "--answer", "y"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Added 2 answers (2024-03-10) to question 3 in _posts/2024-03-08-day5.md",
        "Warning: the newest post, _posts/2024-03-08-day5.md, is from 2024-03-08, not today "
        "(2024-03-10); it was written there. Use `studylog new` for today's post, or --post.",
    ]
    assert "답변 : (2024-03-10) y" in path.read_text(encoding="utf-8")


def test_the_answer_command_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _log(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYLOG_NO_PROMPT", "1")
    result = runner.invoke(app, ["answer", "1", "--post", "day5"])
    assert result.exit_code == 2 and "Missing --answer" in result.stderr
    result = runner.invoke(app, ["answer", "9", "--post", "day5", "--answer", "a"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 2024-03-08-day5.md has no question 9; `studylog show` lists its questions.\n"
    )
    result = runner.invoke(app, ["answer", "1", "--post", "day5", "--answer", " "])
    assert result.exit_code == 1 and "answer is empty" in result.stderr
    result = runner.invoke(app, ["answer", "x", "--answer", "a"])
    assert result.exit_code == 2
    assert path.read_text(encoding="utf-8") == POST


@pytest.mark.parametrize(
    ("files", "written"),
    [
        # Plain kramdown has no backtick fences; Liquid is shown as typed.
        (
            {"_config.yml": "kramdown:\n  input: kramdown\n"},
            "   답변 : {% raw %}{{ x }}{% endraw %}\n\n   ~~~ py\n   x = 1\n   ~~~\n",
        ),
        # `liquid: keep`: written as Liquid, on purpose.
        (
            {".studylog.yml": "profile: ko\nliquid: keep\n"},
            "   답변 : {{ x }}\n   ```py\n   x = 1\n   ```\n",
        ),
    ],
)
def test_the_answer_is_written_for_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], written: str
) -> None:
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-08T10:00:00+00:00")
    path = _log(tmp_path)
    build_file_tree(tmp_path, files)
    log = open_log(tmp_path)
    result = append_answer(log, log.find_post("day5"), 2, ["{{ x }}\n```py\nx = 1\n```"])
    assert result.inserted == "\n" + written + "\n"
    question = read_entries(path.read_text(encoding="utf-8"), log.settings).questions[1]
    assert question.answers[0].startswith("{{ x }}\n")
