"""The reader: front matter without YAML, sections, and entries in every style."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import OTHER_STYLES_POST, SAMPLE_POST, corpus_file, corpus_posts
from studylog.config import Settings, settings_from_mapping
from studylog.errors import PostReadError
from studylog.markdown.extraction import EntryCounts, QuestionEntry, count_entries, read_entries
from studylog.markdown.headings import find_headings, normalize_heading
from studylog.post import read_post, split_front_matter, summarize_front_matter


@pytest.fixture
def ko() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {}, source="test")


@pytest.fixture
def en() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {"profile": "en"}, source="test")


def corpus_text(name: str) -> str:
    return corpus_file(name).read_text(encoding="utf-8")


# --- count_entries ------------------------------------------------------------


def test_count_entries_in_the_sample_post(ko: Settings) -> None:
    text = SAMPLE_POST.read_text(encoding="utf-8")
    assert count_entries(text, ko) == EntryCounts(questions=3, reviews=2)


def test_count_entries_in_what_studylog_writes(ko: Settings) -> None:
    text = (
        "---\ntitle: x\n---\n## 피어세션\n\n### 과제 리뷰\n\n"
        "- 선택과제 1 (GD, 발표자 : 지수)\n    → 좋았다\n\n"
        "- 필수과제 2 (발표자 : 민수)\n\n"
        "### 질문내용\n\n"
        "1. 지수님 질문 : 첫 질문\n\n    답변 : 첫 답\n\n"
        "2. 민수님 질문 : 둘째\n\n    답변 : 하나\n\n    답변 : 둘\n\n<br>\n\n"
        "## 회고록\n\n- 1. 아님\n"
    )
    assert count_entries(text, ko) == EntryCounts(questions=2, reviews=2)


def test_count_entries_in_the_english_format(en: Settings) -> None:
    text = (
        "## Peer session\n\n### Homework review\n\n- HW 1 (Trees, presenter: Ann)\n    → ok\n\n"
        "### Questions\n\n1. Question from Ann: why?\n\n    Answer: because\n\n"
        "2. Question from Bob: how?\n\n    Answer: so\n"
    )
    assert count_entries(text, en) == EntryCounts(questions=2, reviews=1)


def test_count_entries_ignores_headings_and_lists_inside_fences(ko: Settings) -> None:
    text = "```\n### 질문내용\n1. 가님 질문 : 아님\n```\n\n## 회고록\n\n1. 가님 질문 : 아님\n"
    assert count_entries(text, ko) == EntryCounts(questions=0, reviews=0)


def test_count_entries_of_an_empty_scaffolded_section(ko: Settings) -> None:
    text = "### 과제 리뷰\n\n<br>\n\n### 질문내용\n\n<br>\n\n## 회고록\n\n<br>\n"
    assert count_entries(text, ko) == EntryCounts(0, 0)


@pytest.mark.corpus
def test_count_entries_does_not_count_the_footer_fence(ko: Settings) -> None:
    text = corpus_text("hongsusoo/2021-08-05-BoostCourse_day4.md")
    assert count_entries(text, ko) == EntryCounts(3, 2)
    entries = read_entries(text, ko)
    assert "💡" not in entries.questions[-1].answers[-1]


@pytest.mark.corpus
def test_count_entries_matches_read_entries_on_every_corpus_post(ko: Settings) -> None:
    total = EntryCounts(0, 0)
    for path in corpus_posts():
        text = path.read_text(encoding="utf-8")
        counts = count_entries(text, ko)
        assert counts == read_entries(text, ko).counts, path.name
        total = EntryCounts(total.questions + counts.questions, total.reviews + counts.reviews)
    # The corpus holds dozens of peer-session questions and reviews.
    assert total.questions >= 80
    assert total.reviews >= 15


# --- entries of known posts, field by field ------------------------------------


def test_sample_post_questions_exactly(ko: Settings) -> None:
    entries = read_entries(SAMPLE_POST.read_text(encoding="utf-8"), ko)
    first, second, third = entries.questions
    assert first == QuestionEntry(
        number=1,
        asker="정민재",
        question="stride가 2일 때 출력 크기가 소수로 나오면 어떻게 되는지",
        answers=("내림으로 계산되어서 가장자리에 남는 픽셀은 쓰이지 않음",),
        line=62,
        section="질문내용",
        end_line=64,
        numbered=True,
    )
    # The second answer is indented by five spaces, as people type it.
    assert (second.number, second.asker) == (2, "최유나")
    assert second.answers == (
        "공간 크기는 그대로 두고 채널 수만 줄여서 다음 3x3 convolution의 입력 채널이 "
        "작아지기 때문.",
    )
    # Answers written as numbered sub-points are separate answers.
    assert third.question == "층을 깊게 쌓으면 오히려 학습이 잘 안 되는 이유"
    assert third.answers == (
        "기울기 소실\n역전파할 때 1보다 작은 값이 계속 곱해져서 앞쪽 층까지 기울기가 거의 "
        "전해지지 않음.",
        "층이 깊어질수록 항등 함수조차 배우기 어려워져서 skip connection 같은 지름길이 필요하다.",
    )


def test_sample_post_reviews_exactly(ko: Settings) -> None:
    entries = read_entries(SAMPLE_POST.read_text(encoding="utf-8"), ko)
    assert [(r.assignment, r.topic, r.presenter, r.feedback) for r in entries.reviews] == [
        (
            "필수과제 2",
            "Optimizer",
            "박하준",
            ("momentum과 Adam의 수렴 속도를 그래프로 비교해서 보여줌",),
        ),
        (
            "필수과제 3",
            "CNN 구현",
            "한지우",
            ("padding을 직접 계산하다가 shape가 어긋났던 과정을 공유",),
        ),
    ]


def test_the_other_styles_post_field_by_field(ko: Settings) -> None:
    entries = read_entries(OTHER_STYLES_POST.read_text(encoding="utf-8"), ko)
    assert [(q.section, q.number, q.asker, q.question, q.answers) for q in entries.questions] == [
        (
            "질문내용",
            1,
            "박하준",
            "Batch Normalization을 쓰면 learning rate를 크게 잡아도 되는 이유가 궁금합니다",
            ("층마다 입력 분포가 고르게 유지되어서 발산할 위험이 줄어듦",),
        ),
        # "- 한지우님" without the word 질문 still names the asker.
        (
            "질문내용",
            2,
            "한지우",
            "dropout 비율은 보통 어떻게 정하나요?",
            ("0.5에서 시작해서 검증 손실을 보며 조정",),
        ),
        (
            "수업 관련 질문",
            1,
            None,
            "추론할 때 dropout을 끄지 않으면 결과가 매번 달라지나요?",
            (),
        ),
        (
            "수업 관련 질문",
            2,
            None,
            "mini-batch가 아주 작을 때도 Batch Normalization이 잘 동작할까요?",
            (),
        ),
        (
            "Q & A",
            1,
            None,
            "대회 점수가 오르지 않을 때 모델부터 바꿔야 하나요?",
            ("데이터를 먼저 다시 보고, 검증 데이터를 믿을 수 있는지부터 확인하라고 하셨다.",),
        ),
        (
            "Q & A",
            2,
            None,
            "논문 구현은 처음부터 직접 해야 하나요?",
            ("공개된 구현을 읽으면서 한 줄씩 따라 쳐 보는 것부터 시작해도 된다.",),
        ),
    ]
    assert [(q.line, q.end_line, q.numbered) for q in entries.questions[:3]] == [
        (38, 41, False),
        (43, 46, False),
        (51, 51, True),
    ]
    assert [(r.assignment, r.topic, r.presenter, r.feedback) for r in entries.reviews] == [
        ("과제 6. Tokenizer", None, None, ("이서연님 발표 후 피드백",)),
        ("과제 7. Data loader", None, None, ("정민재님 발표 후 피드백",)),
        (
            "선택과제 4",
            "Dropout",
            "김도윤",
            ("학습과 추론에서 dropout이 다르게 동작하는 부분을 코드로 비교하며 설명",),
        ),
    ]
    # The paragraph among the reviews is no entry, but stays searchable text.
    (reviews,) = [s for s in entries.sections if s.key == "reviews"]
    assert "오늘 못 한 과제 7 코드 리뷰는 다음 주로 미룸" in reviews.text
    assert count_entries(OTHER_STYLES_POST.read_text(encoding="utf-8"), ko) == EntryCounts(6, 3)


def test_sample_post_sections_keep_the_mentoring_and_footer_out_of_entries(ko: Settings) -> None:
    entries = read_entries(SAMPLE_POST.read_text(encoding="utf-8"), ko)
    # Neither the numbered list under 멘토링 nor the fenced footer is a question.
    assert "💡" not in entries.questions[-1].answers[-1]
    assert all("멘토" not in q.question for q in entries.questions)


@pytest.mark.corpus
def test_bullets_with_arrow_answers(ko: Settings) -> None:
    entries = read_entries(corpus_text("hongsusoo/2021-08-03-BoostCourse_day2.md"), ko)
    assert [(q.asker, q.answers) for q in entries.questions] == [
        ("권예환", ("블로그 구글링",)),
        ("강재현", ("홍요한님과 박마루찬님이 부가설명 제공",)),
        ("홍요한", ("서로 화면공유, 구글링하며 리서치",)),
        ("서광채", ("documentation 참고, 다른 디버깅 방법 제시",)),
    ]
    assert entries.questions[0].question == "역전파의 자세한 계산과정이 궁금합니다!"
    assert entries.questions[3].question == "mock patch 동작 방식을 모르겠습니다"
    assert [r.assignment for r in entries.reviews] == [
        "과제 4. Baseball",
        "과제 5. Morse code",
        "과제 3. Text_Processing2",
    ]
    assert entries.reviews[0].feedback == ("박마루찬님 발표 후 피드백",)


@pytest.mark.corpus
def test_question_on_a_colon_line_and_answers_at_the_margin(ko: Settings) -> None:
    entries = read_entries(corpus_text("hongsusoo/2021-08-04-BoostCourse_day3.md"), ko)
    (question,) = entries.questions
    assert question.asker == "박마루찬"
    assert (
        question.question == "8강 퀴즈 4번 증명(A가 binary variable일 때, 다음의 식이 성립하는가?)"
    )
    assert len(question.answers) == 2
    assert question.answers[0].endswith(
        "근데 A가 binary variable이란 조건이 없어도 성립하지 않는가?"
    )
    assert question.answers[1] == "정확한 결론 못내림, 추가적인 검색 필요"


@pytest.mark.corpus
def test_q_and_a_paragraphs(ko: Settings) -> None:
    entries = read_entries(corpus_text("hongsusoo/2021-09-10-BoostCourse_day29.md"), ko)
    assert len(entries.questions) == 6
    first = entries.questions[0]
    assert first.section == "Q & A"
    assert first.asker is None
    assert first.question.startswith("background를 augment하면")
    assert first.answers == ("yolo에는 object detect loss가 있다. grid를 나가면 loss가 커진다.",)
    assert entries.questions[5].answers == ("멘토님 성향이 얕고 넓은 것을 좋아하신다.",)


@pytest.mark.corpus
def test_numbered_questions_without_answers(ko: Settings) -> None:
    entries = read_entries(corpus_text("Heeseok-Jeong/2021-01-26-bcaitech-ustage-day7.md"), ko)
    assert [(q.number, q.asker, q.answers) for q in entries.questions] == [
        (1, None, ()),
        (2, None, ()),
    ]
    assert entries.questions[0].question.startswith("경사하강법 선형회귀를 코드로 구현할 때")


@pytest.mark.corpus
def test_bullets_with_nested_answers_under_a_numbered_heading(ko: Settings) -> None:
    entries = read_entries(corpus_text("jjonhwa/2021-08-05-boostcamp-main-Ustage_Day_3.md"), ko)
    today = [q for q in entries.questions if q.section == "5-2. 금일 질문 목록"]
    assert [q.question for q in today] == [
        "왜 Relu가 비선형 함수인가?",
        "sigmoid와 relu의 차이",
        "KL-Divergence",
    ]
    assert today[1].answers == (
        "sigmoid의 경우 극값으로 갈수록 gradient vanishing 현상을 유발할 수 있다.",
        "relu의 경우 양수일 때 미분값이 항상 1이므로 gradient vanishing 현상을 방지할 수 있다.",
    )
    assert today[2].answers == ("분산이 다를 때 사용한다.",)


@pytest.mark.corpus
def test_review_topic_after_a_colon(ko: Settings) -> None:
    entries = read_entries(corpus_text("hongsusoo/2021-08-06-BoostCourse_day5.md"), ko)
    (review,) = entries.reviews
    assert (review.assignment, review.topic, review.presenter) == (
        "선택과제 2",
        "Backpropagation",
        "강재현",
    )
    assert review.feedback == ("RNN BP 수식 관련 whiteboard에 작성하면서 설명, 코드 구현 설명",)
    assert [q.question for q in entries.questions] == [
        "BP 유도 항이 왜 여러 개 나오나요?",
        "토론 : grad_over_time 어떻게 사용할 수 있을까?",
    ]


@pytest.mark.corpus
def test_what_is_not_an_entry_stays_as_section_text(ko: Settings) -> None:
    entries = read_entries(corpus_text("hongsusoo/2021-08-09-BoostCourse_day6.md"), ko)
    reviews = [s for s in entries.sections if s.key == "reviews"]
    assert entries.reviews == ()
    assert "CNN 전반에 대한 설명(서광채)" in reviews[0].text


@pytest.mark.corpus
def test_every_corpus_post_reads_without_error(ko: Settings) -> None:
    for path in corpus_posts():
        text = path.read_text(encoding="utf-8")
        entries = read_entries(text, ko)
        for question in entries.questions:
            assert question.line >= 1 and question.end_line >= question.line, path.name
        # Every section's text is in the file, so nothing is lost to search.
        for section in entries.sections:
            assert section.text in text


# --- what studylog writes reads back the same ----------------------------------


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_entries_written_by_studylog_read_back(profile: str) -> None:
    from studylog.entries import Question, Review, render_question, render_review

    settings = settings_from_mapping(Path("/nonexistent"), {"profile": profile}, source="test")
    formats = settings.entry_formats
    questions = [
        Question("민수", "한 줄 질문", ("한 답",)),
        Question("Ann Lee", "두 줄\n질문", ("첫째 답\n이어서", "둘째 답")),
        Question("지수", "답 없는 질문"),
    ]
    reviews = [
        Review("선택과제 1", "지수", "Gradient Descent", ("좋았다", "둘째\n줄")),
        Review("필수과제 2", "민수"),
    ]
    q_heading = settings.sections["questions"].heading
    r_heading = settings.sections["reviews"].heading
    lines = [f"### {r_heading}", ""]
    for review in reviews:
        lines += [*render_review(review, formats), ""]
    lines += [f"### {q_heading}", ""]
    for number, question in enumerate(questions, 1):
        lines += [*render_question(question, number, formats), ""]
    entries = read_entries("\n".join(lines), settings)
    assert [(q.number, q.asker, q.question, q.answers) for q in entries.questions] == [
        (n, q.asker, q.question, q.answers) for n, q in enumerate(questions, 1)
    ]
    assert [(r.assignment, r.topic, r.presenter, r.feedback) for r in entries.reviews] == [
        (r.assignment, r.topic or None, r.presenter, r.feedback) for r in reviews
    ]


@pytest.mark.parametrize("separator", ["---", "***", "<br>", "<hr>"])
def test_answer_with_a_separator_line_reads_back_whole(ko: Settings, separator: str) -> None:
    # add-question indents such a line into the entry (it stays inside the
    # list item), so the reader must not end the question there and lose
    # the rest of the answer, the next answers or the next question.
    from studylog.entries import Question, render_question

    questions = [
        Question("민수", "Q", (f"위\n{separator}\n아래", "둘째 답")),
        Question("지수", "다음", (f"끝\n{separator}",)),
        Question("철수", "셋째", ("답",)),
    ]
    lines = ["### 질문내용", ""]
    for number, question in enumerate(questions, 1):
        lines += [*render_question(question, number, ko.entry_formats), ""]
    entries = read_entries("\n".join(lines), ko)
    assert [(q.number, q.asker, q.answers) for q in entries.questions] == [
        (n, q.asker, q.answers) for n, q in enumerate(questions, 1)
    ]
    assert count_entries("\n".join(lines), ko).questions == 3


def test_answer_with_a_separator_line_in_a_q_and_a_section(ko: Settings) -> None:
    # add-question appends its own numbered format to a `Q.`/`A.` section.
    from studylog.entries import Question, render_question

    lines = ["### 질문내용", "", "Q. 손으로 쓴 질문", "A. 손으로 쓴 답", ""]
    lines += [*render_question(Question("민수", "Q", ("위\n---\n아래",)), 2, ko.entry_formats), ""]
    lines += [*render_question(Question("지수", "다음", ("끝",)), 3, ko.entry_formats), ""]
    entries = read_entries("\n".join(lines), ko)
    assert [(q.asker, q.answers) for q in entries.questions][1:] == [
        ("민수", ("위\n---\n아래",)),
        ("지수", ("끝",)),
    ]


# --- headings and front matter -----------------------------------------------


def test_normalize_heading_drops_emoji_numbering_and_zero_width() -> None:
    assert normalize_heading("피어세션 👨\u200d👨\u200d👦\u200d👦 👨\u200d👨\u200d👦") == "피어세션"
    assert normalize_heading("5-2. 금일 질문 목록") == "금일 질문 목록"
    assert normalize_heading("-. [금일 질문 목록]:") == "금일 질문 목록"
    assert normalize_heading("🌞마스터 클래스🌞") == "마스터 클래스"
    # Decomposed Hangul (NFD) reads as the composed heading.
    import unicodedata

    assert normalize_heading(unicodedata.normalize("NFD", "질문내용")) == "질문내용"


def test_decomposed_hangul_heading_is_the_question_section(ko: Settings) -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "### 질문내용\n\n1. 가님 질문 : 하나\n")
    assert count_entries(text, ko) == EntryCounts(1, 0)


def test_find_headings_skips_fences_and_reads_closing_hashes() -> None:
    text = "# One #\n```python\n# comment\n```\n~~~\n## not\n~~~\n    # indented code\n## Two\n"
    headings = find_headings(text)
    assert [(h.level, h.text, h.line) for h in headings] == [(1, "One", 0), (2, "Two", 8)]
    assert [text[h.start : h.end] for h in headings] == ["# One #", "## Two"]


def test_crlf_post_reads_like_lf(ko: Settings) -> None:
    text = SAMPLE_POST.read_text(encoding="utf-8")
    crlf = text.replace("\n", "\r\n")
    assert read_entries(crlf, ko).questions == read_entries(text, ko).questions
    assert count_entries(crlf, ko) == EntryCounts(3, 2)


@pytest.mark.corpus
def test_front_matter_summary_agrees_with_yaml_on_the_corpus() -> None:
    import yaml

    checked = 0
    for path in corpus_posts():
        text = path.read_text(encoding="utf-8")
        front_matter, body_start = split_front_matter(text)
        assert front_matter is not None, path.name
        assert text[body_start:] == text.split("---\n", 2)[2] or text.startswith("\ufeff")
        data = yaml.safe_load(front_matter)
        summary = summarize_front_matter(front_matter)
        if isinstance(data.get("title"), str):
            assert summary.title == data["title"], path.name
            checked += 1
        if data.get("date") is not None:
            assert summary.date is not None and summary.date.startswith(str(data["date"])[:10])
    assert checked == 152


def test_front_matter_values_are_unquoted() -> None:
    summary = summarize_front_matter(
        'title: "A \\"quoted\\" title"\ndate: \'2021-08-05\' # comment\nplain: x\n'
    )
    assert summary.title == 'A "quoted" title'
    assert summary.date == "2021-08-05"
    assert summary.keys == ("title", "date", "plain")
    assert summarize_front_matter("title: |\n  block\n").title is None


def test_the_one_reader_is_strict_for_writes_and_lenient_for_reads(tmp_path: Path) -> None:
    post = tmp_path / "2021-08-05-day4.md"
    post.write_bytes(b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nbody \xff not utf-8\r\n")
    with pytest.raises(PostReadError, match="not UTF-8 text"):
        read_post(post)
    # Read commands keep going: the bad byte becomes U+FFFD, the rest is as written.
    lenient = read_post(post, strict=False)
    assert (lenient.bom, lenient.newline, lenient.front_matter) == (True, "\r\n", "title: x\r\n")
    assert lenient.body == "body \ufffd not utf-8\r\n"
    with pytest.raises(PostReadError, match="is a folder"):
        read_post(tmp_path, strict=False)


def test_git_states_when_the_log_sits_below_the_repository_top(tmp_path: Path) -> None:
    from conftest import build_file_tree, git
    from studylog.git_status import git_states, start_git_status
    from studylog.listing import list_summaries

    root = tmp_path / "repo" / "blog"
    build_file_tree(
        root,
        {
            "_posts/2021-01-01-a.md": "---\ntitle: A\n---\n",
            "_posts/2021-01-02-b.md": "---\ntitle: B\n---\n",
        },
    )
    git(tmp_path / "repo", "init", "-q")
    git(tmp_path / "repo", "add", ".")
    git(tmp_path / "repo", "commit", "-q", "-m", "posts")
    build_file_tree(root, {"_posts/2021-01-03-c.md": "---\ntitle: C\n---\n"})
    (root / "_posts" / "2021-01-02-b.md").write_text("---\ntitle: B2\n---\n", encoding="utf-8")
    settings = settings_from_mapping(root, {}, source="test")
    states = git_states(start_git_status(settings), settings)
    assert states is not None
    summaries = list_summaries(settings)
    assert [(s.slug, s.title, states.get(s.path, "clean")) for s in summaries] == [
        ("c", "C", "new"),
        ("b", "B2", "modified"),
        ("a", "A", "clean"),
    ]
    outside = settings_from_mapping(tmp_path / "elsewhere", {}, source="test")
    (tmp_path / "elsewhere").mkdir()
    assert git_states(start_git_status(outside), outside) is None
