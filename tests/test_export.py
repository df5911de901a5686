"""export: the same questions in JSON, CSV, Anki cards and a Markdown digest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

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
from studylog.reader import ReadPost, load_post
from tests.anki import parse_anki
from tests.conftest import EXAMPLE, corpus_posts

SETTINGS = settings_from_mapping(Path("/nonexistent"), {}, source="test")


def example() -> ReadPost:
    ref = PostRef(dt.date(2021, 8, 5), "BoostCourse_day4", EXAMPLE)
    return load_post(ref, SETTINGS)


TRICKY = (
    "---\ntitle: tricky\n---\n### 질문내용\n\n"
    '1. 민수님 질문 : #include <vector> & "quotes"\tand a tab\n\n'
    "    답변 : 첫 줄\n    둘째 줄 <br> 그대로\n\n"
    "2. 지수 Kim님 질문 : 두 답\n    1. 하나\n\n    2. 둘\n\n"
    "3. 답 없는 사람님 질문 : 카드가 안 됨\n"
)


def tricky() -> ReadPost:
    return load_post(PostRef(dt.date(2021, 8, 6), "tricky", Path("t.md")), SETTINGS, TRICKY)


def test_json_holds_questions_and_reviews() -> None:
    data = json.loads(to_json([example()]))
    assert data["version"] == 1
    assert len(data["questions"]) == 3 and len(data["reviews"]) == 2
    first = data["questions"][0]
    assert first == {
        "date": "2021-08-05",
        "slug": "BoostCourse_day4",
        "title": "[boostcourse] Day4 학습기록_minibatch28",
        "path": "boostcourse-day4.md",
        "number": 1,
        "asker": "서광채",
        "question": "batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지",
        "answers": [
            "True로 설정하면 나왔던 숫자가 또 나올 수 있는데, False로 설정하면 또 나오지 못함 "
            "복원추출과 비복원추출의 차이"
        ],
    }
    assert data["reviews"][1]["presenter"] == "홍요한"


def test_csv_reads_back_with_the_csv_module() -> None:
    posts = [example(), tricky()]
    rows = list(csv.DictReader(io.StringIO(to_csv(posts), newline="")))
    assert len(rows) == 6
    assert rows[0]["asker"] == "서광채"
    assert rows[2]["answers"].count("\n") == 2  # two answers, one of two lines
    assert rows[3]["question"] == '#include <vector> & "quotes"\tand a tab'
    assert rows[5]["answers"] == ""


def test_anki_file_round_trips() -> None:
    posts = [example(), tricky()]
    text = to_anki(posts)
    assert text.startswith(ANKI_HEADER)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    # One line per answered question, three tab-separated fields each.
    assert len(body) == 5
    assert all(line.count("\t") == 2 for line in body)
    cards = parse_anki(text)
    assert cards == anki_cards(posts)
    tricky_card = cards[3]
    assert tricky_card.front == '#include <vector> & "quotes"\tand a tab'
    assert tricky_card.back == "첫 줄\n둘째 줄 <br> 그대로"
    assert tricky_card.tags == ("studylog", "tricky", "민수")
    assert cards[4].back == "1. 하나\n2. 둘"
    assert cards[4].tags[-1] == "지수_Kim"


def test_anki_round_trips_arbitrary_text() -> None:
    cards = [Card("a\tb\nc & <d> #e", "&amp; literally\r\n<br>", ("x",)), Card("#front", "b", ())]
    assert parse_anki(cards_to_anki(cards)) == [
        Card("a\tb\nc & <d> #e", "&amp; literally\n<br>", ("x",)),
        Card("#front", "b", ()),
    ]


def test_markdown_digest() -> None:
    digest = to_markdown([example(), tricky()])
    assert digest.startswith("# Study log digest\n")
    assert "## 2021-08-05 · [boostcourse] Day4 학습기록_minibatch28" in digest
    assert "1. **서광채**: batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지" in digest
    assert "- 선택과제 1 (Gradient Descent, presenter: 장동건)" in digest
    # Multi-line answers stay inside their list item.
    assert "   - 첫 줄\n     둘째 줄 <br> 그대로" in digest
    assert digest.index("2021-08-05") < digest.index("2021-08-06")


def test_export_of_the_whole_corpus() -> None:
    posts = [load_post(post_ref(p), SETTINGS) for p in corpus_posts()]  # type: ignore[arg-type]
    data = json.loads(to_json(posts))
    assert len(data["questions"]) == sum(len(p.entries.questions) for p in posts)
    assert parse_anki(to_anki(posts)) == anki_cards(posts)
    assert (
        len(list(csv.reader(io.StringIO(to_csv(posts), newline="")))) == len(data["questions"]) + 1
    )
