"""Two laptops, random work, random syncs: the post always converges, every entry once.

Hypothesis draws a sequence of steps, each on one of two clones of a bare
remote: add a question (with or without an answer), answer the laptop's
last question (`answer N`), add a review or a retrospective note, commit,
or sync. Entries left uncommitted ride through a
sync in git's autostash. At the end both laptops commit and sync; then both
hold the same post, each entry exactly once, questions numbered 1..N. Every
merge goes through the real driver, run by git as a subprocess. A real
`jekyll build` of such a merged post is in test_jekyll_merged_post below.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import git, publish_and_clone
from studylog.entries import Note, Question, Review, append_note, append_question, append_review
from studylog.log import open_log
from studylog.merge import register_driver
from studylog.sync import sync_branch
from studylog.vcs import commit_posts

DAY5 = "_posts/2021-08-05-day5.md"
QUESTION_LINE = re.compile(r"^(\d+)\. (\S+)님 질문 : (\S+)$", re.MULTILINE)

STEP = st.tuples(
    st.sampled_from(["desk", "laptop"]),
    st.sampled_from(["question", "answered", "answer", "review", "note", "commit", "sync"]),
)


def make_laptops(base: Path) -> dict[str, Path]:
    """A log with day5 from the ko template, a bare remote, and a clone of it."""
    from studylog.scaffold import NewPostRequest, create_post, init_log

    desk = base / "desk"
    init_log(desk)
    log = open_log(root=desk)
    create_post(log, NewPostRequest("day5", date=dt.date(2021, 8, 5)))
    git(desk, "add", "-A")
    git(desk, "commit", "-q", "-m", "start")
    laptop = publish_and_clone(desk, base)
    register_driver(laptop)
    return {"desk": desk, "laptop": laptop}


def apply(
    root: Path, action: str, serial: int, written: dict[str, str], owner: dict[str, str]
) -> None:
    log = open_log(root=root)
    post = root / DAY5
    tag = f"{root.name}{serial}"
    if action == "answer":
        # `answer N` to this laptop's last question, as it numbers it now.
        numbered = QUESTION_LINE.findall(post.read_text(encoding="utf-8"))
        if numbered:
            from studylog.answers import append_answer
            from studylog.log import post_ref

            number, _, question = numbered[-1]
            ref = post_ref(post)
            assert ref is not None
            append_answer(log, ref, int(number), [f"ans-{tag}"])
            written[f"ans-{tag}"] = "answer"
            owner[f"ans-{tag}"] = question
    elif action == "question":
        append_question(log, post, Question(root.name, f"q-{tag}"))
        written[f"q-{tag}"] = "question"
    elif action == "answered":
        append_question(log, post, Question(root.name, f"q-{tag}", (f"a-{tag}",)))
        written[f"q-{tag}"] = "question"
        written[f"a-{tag}"] = "answer"
        owner[f"a-{tag}"] = f"q-{tag}"
    elif action == "review":
        append_review(log, post, Review(f"r-{tag}", root.name, feedback=(f"f-{tag}",)))
        written[f"r-{tag}"] = "review"
        written[f"f-{tag}"] = "feedback"
    elif action == "note":
        append_note(log, post, "retrospective", Note(f"n-{tag}"))
        written[f"n-{tag}"] = "note"
    elif action == "commit":
        commit_posts(log)
    else:
        sync_branch(root)


@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=2, max_size=10))
def test_random_interleavings_converge(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, str]]
) -> None:
    laptops = make_laptops(tmp_path_factory.mktemp("laptops"))
    written: dict[str, str] = {}
    owner: dict[str, str] = {}  # answer -> the question it answers
    for serial, (machine, action) in enumerate(steps):
        apply(laptops[machine], action, serial, written, owner)
    for machine in ("desk", "laptop"):
        commit_posts(open_log(root=laptops[machine]))
    for machine in ("desk", "laptop", "desk"):
        sync_branch(laptops[machine])

    text = (laptops["desk"] / DAY5).read_text(encoding="utf-8")
    assert (laptops["laptop"] / DAY5).read_text(encoding="utf-8") == text
    for value in written:
        assert len(re.findall(rf"\b{re.escape(value)}\b", text)) == 1, (value, text)
    numbers = [int(n) for n, _, _ in QUESTION_LINE.findall(text)]
    assert numbers == list(range(1, len(numbers) + 1)), text
    assert len(numbers) == sum(1 for kind in written.values() if kind == "question")
    # Each answer sits inside its own question's item: after its line, before the next.
    starts = [match.start() for match in QUESTION_LINE.finditer(text)]
    ends = [*starts[1:], text.index("## 회고록")][: len(starts)]
    bounds = dict(zip(starts, ends, strict=True))
    for value, question in owner.items():
        start = text.index(f" : {question}\n")
        item = next(text[s:e] for s, e in bounds.items() if s <= start < e)
        assert f"답변 : {value}" in item or f") {value}" in item, (value, question, text)
    assert "<<<<<<<" not in text
    for root in laptops.values():
        assert git(root, "status", "--porcelain") == ""


@pytest.mark.slow
def test_jekyll_merged_post(tmp_path: Path) -> None:
    """A post both laptops added to, merged by sync, builds: one <ol> of questions 1..N."""
    from test_jekyll import (
        items,
        jekyll_build,
        make_site,
        parse_html,
        post_content,
        section_list,
        studylog,
    )

    site = make_site(tmp_path, "ko")
    studylog(site, "new", "day1")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "start")
    laptop = publish_and_clone(site, tmp_path)
    for root, who in ((site, "서광채"), (laptop, "장동건")):
        for n in (1, 2):
            studylog(
                root,
                "add-question",
                "--asker",
                who,
                "--question",
                f"{who} 질문 {n}",
                "--answer",
                f"{who} 답변 {n}",
            )
        studylog(root, "add-review", "--assignment", f"{who} 과제", "--presenter", who)
        studylog(root, "commit")
    for root in (site, laptop, site):
        studylog(root, "sync")
    merged = (laptop / "_posts" / "2024-03-01-day1.md").read_text(encoding="utf-8")
    assert merged == (site / "_posts" / "2024-03-01-day1.md").read_text(encoding="utf-8")

    out = jekyll_build(laptop)

    page = parse_html(out / "boostcourse" / "2024" / "03" / "01" / "day1.html")
    content = post_content(page)
    questions = items(section_list(content, "질문내용", "ol"))
    expected = [("서광채", 1), ("서광채", 2), ("장동건", 1), ("장동건", 2)]
    assert len(questions) == len(expected)
    for question, (who, n) in zip(questions, expected, strict=True):
        text = " ".join(question.text().split())
        assert text.startswith(f"{who}님 질문 : {who} 질문 {n}"), text
        assert f"답변 : {who} 답변 {n}" in text and text.count("답변 :") == 1, text
    assert len(items(section_list(content, "과제 리뷰", "ul"))) == 2
