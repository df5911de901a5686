"""studylog.merge: the post merge driver, on texts, on files, through git, and its set-up.

The texts are made by studylog's own writer (`add_to_text` on one post, once
per side), so the driver is tested on exactly what two laptops write.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import build_file_tree, git, publish_and_clone
from studylog.cli import app
from studylog.config import load_settings
from studylog.entries import (
    Note,
    Question,
    Review,
    add_to_text,
    render_note,
    render_question,
    render_review,
)
from studylog.merge import (
    attribute_lines,
    driver_command,
    driver_registered,
    merge_post,
    merge_texts,
    register_driver,
)
from studylog.post import split_post

POST = """\
---
title: "[boostcourse] Day5 학습기록"
date: 2021-08-05
last_modified_at: 2021-08-05
---
<br>

## 학습 내용

오늘은 RNN

## 피어세션

### 과제 리뷰

- 선택과제 1 (Gradient Descent, 발표자 : 장동건)
    → 피드백

### 질문내용

1. 서광채님 질문 : 질문 1

    답변 : 답변 1

<br>

## 회고록

- 좋았다.

<br>
"""


@pytest.fixture
def settings(log_root: Path):  # type: ignore[no-untyped-def]
    return load_settings(log_root)


def add(text: str, settings, kind: str, value: object, day: int = 5) -> str:  # type: ignore[no-untyped-def]
    """`text` with one entry added the way `add-question`/`add-review`/`add` write it."""
    formats = settings.entry_formats
    post = split_post(Path("day5.md"), text)
    today = dt.date(2021, 8, day)
    if kind == "question":
        assert isinstance(value, Question)
        return add_to_text(
            post,
            "questions",
            settings.sections,
            lambda n: render_question(value, n, formats),
            today,
        ).text
    if kind == "review":
        assert isinstance(value, Review)
        return add_to_text(
            post, "reviews", settings.sections, lambda n: render_review(value, formats), today
        ).text
    assert isinstance(value, Note)
    return add_to_text(post, kind, settings.sections, lambda n: render_note(value), today).text


def questions(text: str) -> list[str]:
    return [line for line in text.splitlines() if "님 질문 :" in line]


def test_appends_to_the_same_section_are_all_kept_and_renumbered(settings) -> None:  # type: ignore[no-untyped-def]
    ours = add(POST, settings, "question", Question("민수", "우리 질문", ("우리 답",)))
    ours = add(ours, settings, "question", Question("민수", "우리 둘째"))
    theirs = add(POST, settings, "question", Question("지수", "그쪽 질문", ("그쪽 답",)), day=6)

    merged = merge_texts(POST, ours, theirs)

    assert merged is not None
    assert questions(merged) == [
        "1. 서광채님 질문 : 질문 1",
        "2. 민수님 질문 : 우리 질문",
        "3. 민수님 질문 : 우리 둘째",
        "4. 지수님 질문 : 그쪽 질문",
    ]
    # Each answer stays under its own question.
    body = merged.split("### 질문내용", 1)[1]
    assert body.index("우리 질문") < body.index("우리 답") < body.index("우리 둘째")
    assert body.index("그쪽 질문") < body.index("그쪽 답") < body.index("## 회고록")
    # Everything else is the base's text, byte for byte.
    added = (
        "2. 민수님 질문 : 우리 질문\n\n   답변 : 우리 답\n\n3. 민수님 질문 : 우리 둘째\n\n"
        "4. 지수님 질문 : 그쪽 질문\n\n   답변 : 그쪽 답\n\n"
    )
    expected = POST.replace("    답변 : 답변 1\n\n", "    답변 : 답변 1\n\n" + added)
    assert merged == expected.replace(
        "last_modified_at: 2021-08-05", "last_modified_at: 2021-08-06"
    )
    # The same merge from the other side keeps the same entries once each.
    other_way = merge_texts(POST, theirs, ours)
    assert other_way is not None and sorted(questions(other_way)) != []
    assert len(questions(other_way)) == 4 and len(set(questions(other_way))) == 4


def test_appends_to_different_sections_merge_like_git(settings) -> None:  # type: ignore[no-untyped-def]
    ours = add(POST, settings, "review", Review("선택과제 2", "지수", "RNN", ("좋음",)))
    theirs = add(POST, settings, "retrospective", Note("내일은 LSTM"), day=7)
    theirs = add(theirs, settings, "question", Question("민수", "왜?"), day=7)

    merged = merge_texts(POST, ours, theirs)

    assert merged is not None
    assert "- 선택과제 2 (RNN, 발표자 : 지수)" in merged and "- 내일은 LSTM" in merged
    assert questions(merged) == ["1. 서광채님 질문 : 질문 1", "2. 민수님 질문 : 왜?"]
    assert "last_modified_at: 2021-08-07" in merged
    assert merged.count("last_modified_at") == 1


def test_an_answer_added_beside_a_new_question_stays_with_its_question() -> None:
    base = "## Q\n\n1. q1\n\n    답변 : a1\n\n## R\n"
    ours = "## Q\n\n1. q1\n\n    답변 : a1\n\n2. q2\n\n## R\n"
    theirs = "## Q\n\n1. q1\n\n    답변 : a1\n\n    답변 : a1 more\n\n## R\n"

    for merged in (merge_texts(base, ours, theirs), merge_texts(base, theirs, ours)):
        assert merged == "## Q\n\n1. q1\n\n    답변 : a1\n\n    답변 : a1 more\n\n2. q2\n\n## R\n"


def test_a_question_renumbered_on_one_side_is_still_the_same_line() -> None:
    # What a second commit of a rebase sees: its base has our question as 2,
    # the upstream side already moved it to 3 under someone else's 2.
    base = "## Q\n\n1. a\n\n2. mine\n"
    upstream = "## Q\n\n1. a\n\n2. theirs\n\n3. mine\n"
    commit = "## Q\n\n1. a\n\n2. mine\n\n    답변 : yes\n\n3. mine too\n"

    merged = merge_texts(base, upstream, commit)

    assert merged == "## Q\n\n1. a\n\n2. theirs\n\n3. mine\n\n    답변 : yes\n\n4. mine too\n"


def test_two_edits_of_the_same_line_stay_a_conflict() -> None:
    base = "## Notes\n\ntext\n"
    assert merge_texts(base, "## Notes\n\nours\n", "## Notes\n\ntheirs\n") is None
    # An addition in the middle of a line the other side changed: a conflict too.
    base = "## Notes\n\none\ntwo\nthree\n"
    assert merge_texts(
        base, "## Notes\n\none\nTWO\nthree\n", "## Notes\n\none\ntwo\n+\nthree\n"
    ) == ("## Notes\n\none\nTWO\n+\nthree\n")
    assert (
        merge_texts(base, "## Notes\n\nONE\nTWO\nTHREE\n", "## Notes\n\none\ntwo\n+\nthree\n")
        is None
    )
    # Two different keys added at one place in the front matter.
    fm = "---\ntitle: x\n---\nbody\n"
    assert (
        merge_texts(
            fm, "---\ntitle: x\nlayout: a\n---\nbody\n", "---\ntitle: x\nlayout: b\n---\nbody\n"
        )
        is None
    )
    # Both sides created the file.
    assert merge_texts("", "a\n", "b\n") is None


def test_same_change_on_both_sides_is_taken_once() -> None:
    base = "## Q\n\n1. a\n"
    both = "## Q\n\n1. a\n\n2. b\n"
    assert merge_texts(base, both, both) == both
    deleted = "## Q\n"
    assert merge_texts(base, deleted, deleted) == deleted


def test_last_modified_takes_the_later_date_and_keeps_its_quotes() -> None:
    base = '---\ntitle: x\nlast_modified_at: "2021-08-05"\n---\n## Q\n\n1. a\n'
    ours = '---\ntitle: x\nlast_modified_at: "2021-08-09"\n---\n## Q\n\n1. a\n\n2. b\n'
    theirs = '---\ntitle: x\nlast_modified_at: "2021-08-07"\n---\n## Q\n\n1. a\n\n2. c\n'
    for one, two in ((ours, theirs), (theirs, ours)):
        merged = merge_texts(base, one, two)
        assert merged is not None and 'last_modified_at: "2021-08-09"\n' in merged
        assert merged.count("2. ") == 1 and "3. " in merged


def test_line_endings_and_a_missing_final_newline_are_kept() -> None:
    base = "## Q\r\n\r\n1. a"
    ours = "## Q\r\n\r\n1. a\r\n\r\n2. b\r\n"
    theirs = "## Q\r\n\r\n1. a\r\n\r\n2. c\r\n"
    merged = merge_texts(base, ours, theirs)
    assert merged == "## Q\r\n\r\n1. a\r\n\r\n2. b\r\n\r\n3. c\r\n"


def test_a_deleted_entry_and_an_append_merge_and_renumber() -> None:
    base = "## Q\n\n1. a\n\n2. b\n"
    ours = "## Q\n\n1. b\n"  # deleted a, renumbered b
    theirs = "## Q\n\n1. a\n\n2. b\n\n3. c\n"
    assert merge_texts(base, ours, theirs) == "## Q\n\n1. b\n\n2. c\n"


def test_a_code_block_in_an_answer_is_not_renumbered() -> None:
    base = "## Q\n\n1. a\n"
    ours = "## Q\n\n1. a\n\n2. b\n\n    ```\n    1. not an item\n    ```\n"
    theirs = "## Q\n\n1. a\n\n2. c\n"
    merged = merge_texts(base, ours, theirs)
    assert merged == "## Q\n\n1. a\n\n2. b\n\n    ```\n    1. not an item\n    ```\n\n3. c\n"


# ---------------------------------------------------------------- files


def write_three(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[Path, Path, Path]:
    folder = tmp_path / "merge"
    build_file_tree(folder, {"O": base, "A": ours, "B": theirs})
    return folder / "O", folder / "A", folder / "B"


def test_merge_post_writes_the_result_into_ours_and_nothing_else(tmp_path: Path) -> None:
    base, ours, theirs = write_three(
        tmp_path, "## Q\n\n1. a\n", "## Q\n\n1. a\n\n2. b\n", "## Q\n\n1. a\n\n2. c\n"
    )
    result = merge_post(base, ours, theirs, "_posts/day5.md")
    assert result.clean
    assert ours.read_text() == "## Q\n\n1. a\n\n2. b\n\n3. c\n"
    assert sorted(p.name for p in ours.parent.iterdir()) == ["A", "B", "O"]
    assert base.read_text() == "## Q\n\n1. a\n" and theirs.read_text() == "## Q\n\n1. a\n\n2. c\n"


def test_a_real_conflict_gets_git_markers_with_both_sides(tmp_path: Path) -> None:
    base, ours, theirs = write_three(tmp_path, "x\ntext\ny\n", "x\nours\ny\n", "x\ntheirs\ny\n")
    result = merge_post(base, ours, theirs, "_posts/day5.md")
    assert not result.clean and result.conflicts == 1
    assert ours.read_text() == (
        "x\n<<<<<<< ours: _posts/day5.md\nours\n=======\ntheirs\n"
        ">>>>>>> theirs: _posts/day5.md\ny\n"
    )


def test_a_symlink_in_place_of_ours_is_not_followed(tmp_path: Path) -> None:
    base, ours, theirs = write_three(
        tmp_path, "## Q\n\n1. a\n", "## Q\n\n1. a\n\n2. b\n", "## Q\n\n1. a\n\n2. c\n"
    )
    target = tmp_path / "elsewhere.md"
    target.write_text(ours.read_text())
    ours.unlink()
    ours.symlink_to(target)
    from studylog.errors import GitError

    with pytest.raises(GitError, match="can't write"):
        merge_post(base, ours, theirs)
    assert target.read_text() == "## Q\n\n1. a\n\n2. b\n"


def test_the_command_exits_0_when_clean_and_1_on_a_conflict(tmp_path: Path) -> None:
    runner = CliRunner()
    base, ours, theirs = write_three(
        tmp_path, "## Q\n\n1. a\n", "## Q\n\n1. a\n\n2. b\n", "## Q\n\n1. a\n\n2. c\n"
    )
    done = runner.invoke(app, ["merge-post", str(base), str(ours), str(theirs), "_posts/x.md"])
    assert done.exit_code == 0, done.output
    assert done.stdout == "" and ours.read_text().endswith("3. c\n")
    base, ours, theirs = write_three(tmp_path, "a\n", "b\n", "c\n")
    done = runner.invoke(app, ["merge-post", str(base), str(ours), str(theirs), "_posts/x.md"])
    assert done.exit_code == 1
    assert "_posts/x.md: both sides changed the same lines" in done.stderr
    assert "<<<<<<<" in ours.read_text()


# ---------------------------------------------------------------- set-up


def test_init_declares_the_attribute_and_registers_the_driver(log_root: Path) -> None:
    attributes = (log_root / ".gitattributes").read_text(encoding="utf-8")
    for line in attribute_lines("_posts"):
        assert line in attributes.splitlines()
    assert git(log_root, "check-attr", "merge", "--", "_posts/2021-08-05-day5.md").strip() == (
        "_posts/2021-08-05-day5.md: merge: studylog"
    )
    assert git(log_root, "config", "merge.studylog.driver").strip() == driver_command()
    assert driver_registered(log_root) is True
    # A second init adds nothing.
    from studylog.scaffold import init_log

    assert not init_log(log_root).declared_merge
    assert (log_root / ".gitattributes").read_text(encoding="utf-8") == attributes


def test_any_command_registers_the_driver_in_a_clone(log_root: Path, tmp_path: Path) -> None:
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "start")
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(log_root), str(laptop))
    assert driver_registered(laptop) is False

    done = CliRunner().invoke(app, ["--root", str(laptop), "list"])

    assert done.exit_code == 0, done.output
    assert git(laptop, "config", "merge.studylog.driver").strip() == driver_command()


def test_a_registered_driver_costs_no_git_process(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was run")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert register_driver(log_root) is False
    assert register_driver(log_root / "_posts") is False


def test_registration_in_a_linked_worktree_goes_to_the_shared_config(
    log_root: Path, tmp_path: Path
) -> None:
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "start")
    git(log_root, "config", "--unset", "merge.studylog.driver")
    other = tmp_path / "other"
    git(log_root, "worktree", "add", "-q", str(other))
    assert driver_registered(other) is False
    assert register_driver(other) is True
    assert driver_registered(other) is True and driver_registered(log_root) is True


def test_outside_a_repository_nothing_is_registered(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    if any((p / ".git").exists() for p in (folder, *folder.parents)):
        pytest.skip("tmp is inside a repository here")
    assert driver_registered(folder) is None and register_driver(folder) is False


def test_a_stale_driver_is_replaced(log_root: Path) -> None:
    git(
        log_root,
        "config",
        "merge.studylog.driver",
        "/gone/python -m studylog merge-post %O %A %B %P",
    )
    assert driver_registered(log_root) is False
    assert register_driver(log_root) is True
    assert git(log_root, "config", "--get-all", "merge.studylog.driver").strip() == driver_command()
    assert os.path.exists(driver_command().split(" ")[0].strip("'"))


# ---------------------------------------------------------------- through git


DAY5 = "_posts/2021-08-05-day5.md"


@pytest.fixture
def laptops(log_root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote holding the log with day5, and two clones of it (each registered)."""
    build_file_tree(log_root, {DAY5: POST})
    git(log_root, "add", "-A")
    git(log_root, "commit", "-q", "-m", "Start the log")
    second = publish_and_clone(log_root, tmp_path)
    register_driver(second)
    return log_root, second


def test_sync_merges_questions_both_laptops_added(laptops: tuple[Path, Path]) -> None:
    from studylog.entries import append_question
    from studylog.log import open_log
    from studylog.sync import sync_branch
    from studylog.vcs import commit_posts

    desk, laptop = laptops
    for root, who in ((desk, "데스크톱"), (laptop, "노트북")):
        log = open_log(root=root)
        append_question(log, root / DAY5, Question(who, f"{who} 질문", (f"{who} 답",)))
        commit_posts(log)
    sync_branch(desk)

    result = sync_branch(laptop)
    assert (result.pulled, result.pushed) == (1, 1)
    sync_branch(desk)

    text = (desk / DAY5).read_text(encoding="utf-8")
    assert (laptop / DAY5).read_text(encoding="utf-8") == text
    assert questions(text) == [
        "1. 서광채님 질문 : 질문 1",
        "2. 데스크톱님 질문 : 데스크톱 질문",
        "3. 노트북님 질문 : 노트북 질문",
    ]
    assert "<<<<<<<" not in text
    assert git(desk, "status", "--porcelain") == "" == git(laptop, "status", "--porcelain")
    assert git(desk, "rev-parse", "HEAD") == git(laptop, "rev-parse", "origin/main")


def test_sync_command_ends_0_for_concurrent_appends(laptops: tuple[Path, Path]) -> None:
    runner = CliRunner()
    desk, laptop = laptops
    for root, who in ((desk, "A"), (laptop, "B")):
        for args in (
            ["add-question", "--asker", who, "--question", f"q {who}", "--answer", f"a {who}"],
            ["add-review", "--assignment", f"과제 {who}", "--presenter", who],
            ["add", "retrospective", f"retro {who}"],
            ["commit"],
        ):
            done = runner.invoke(app, ["--root", str(root), *args])
            assert done.exit_code == 0, done.output
    for root in (desk, laptop, desk):
        done = runner.invoke(app, ["--root", str(root), "sync"])
        assert done.exit_code == 0, done.output
    text = (laptop / DAY5).read_text(encoding="utf-8")
    assert (desk / DAY5).read_text(encoding="utf-8") == text
    assert [q.split(" : ")[1] for q in questions(text)] == ["질문 1", "q A", "q B"]
    for value in ("과제 A", "과제 B", "retro A", "retro B", "a A", "a B"):
        assert text.count(value) == 1, value


def test_a_real_conflict_still_rolls_the_sync_back(laptops: tuple[Path, Path]) -> None:
    from studylog.errors import SyncConflictError
    from studylog.sync import sync_branch

    desk, laptop = laptops
    for root, line in ((desk, "데스크톱에서 고침"), (laptop, "노트북에서 고침")):
        (root / DAY5).write_text(POST.replace("오늘은 RNN", line), encoding="utf-8")
        git(root, "commit", "-q", "-am", f"edit on {root.name}")
    sync_branch(desk)
    before = git(laptop, "rev-parse", "HEAD")

    with pytest.raises(SyncConflictError, match=DAY5):
        sync_branch(laptop)

    assert git(laptop, "rev-parse", "HEAD") == before
    assert (laptop / DAY5).read_text(encoding="utf-8") == POST.replace(
        "오늘은 RNN", "노트북에서 고침"
    )
    assert git(laptop, "status", "--porcelain") == ""


def test_the_same_entries_typed_on_both_sides_are_kept_once() -> None:
    base = "## Q\n\n1. a\n\n## R\n"
    ours = "## Q\n\n1. a\n\n2. b\n\n    답변 : c\n\n## R\n"
    theirs = "## Q\n\n1. a\n\n2. b\n\n    답변 : c\n\n3. d\n\n## R\n"
    expected = theirs
    assert merge_texts(base, ours, theirs) == expected == merge_texts(base, theirs, ours)
    # A shared first line alone is not a shared entry.
    theirs = "## Q\n\n1. a\n\n2. b\n\n    답변 : other\n\n## R\n"
    merged = merge_texts(base, ours, theirs)
    assert merged is not None and "답변 : c" in merged and "답변 : other" in merged


def test_an_unwritable_git_config_does_not_stop_a_command(log_root: Path) -> None:
    git(log_root, "config", "--unset", "merge.studylog.driver")
    # Another git holding the config's lock: git config can't write it (even as root).
    lock = log_root / ".git" / "config.lock"
    lock.write_text("", encoding="utf-8")

    done = CliRunner().invoke(app, ["--root", str(log_root), "list"])

    assert done.exit_code == 0, done.output
    assert "Note: Can't set up the post merge driver" in done.stderr
    lock.unlink()
    done = CliRunner().invoke(app, ["--root", str(log_root), "list"])
    assert done.exit_code == 0 and "Note" not in done.stderr
    assert driver_registered(log_root) is True


def test_sections_both_sides_created_are_written_once(settings) -> None:  # type: ignore[no-untyped-def]
    base = "---\ntitle: x\n---\n## 학습 내용\n\n오늘은 RNN\n"
    ours = add(base, settings, "review", Review("과제 1", "지수", feedback=("좋음",)))
    ours = add(ours, settings, "question", Question("민수", "우리 질문"))
    theirs = add(base, settings, "question", Question("지수", "그쪽 질문", ("답",)), day=6)
    theirs = add(theirs, settings, "retrospective", Note("내일은 LSTM"), day=6)
    assert ours.count("## 피어세션") == theirs.count("## 피어세션") == 1

    merged = merge_texts(base, ours, theirs)

    assert merged is not None
    headings = [line for line in merged.splitlines() if line.startswith("#")]
    assert headings == ["## 학습 내용", "## 피어세션", "### 과제 리뷰", "### 질문내용", "## 회고록"]
    assert questions(merged) == ["1. 민수님 질문 : 우리 질문", "2. 지수님 질문 : 그쪽 질문"]
    assert merged.count("과제 1") == merged.count("내일은 LSTM") == 1


@pytest.mark.slow
@pytest.mark.corpus
def test_corpus_posts_merge_appends_from_both_sides(log_root: Path) -> None:
    """Each real post gets entries on two sides, sections created on both where missing."""
    import re

    from conftest import corpus_posts

    settings = load_settings(log_root)
    for path in corpus_posts():
        base = path.read_text(encoding="utf-8")
        ours = add(base, settings, "question", Question("OURS", "ours-q", ("ours-a",)))
        ours = add(ours, settings, "review", Review("ours-r", "P", feedback=("ours-f",)))
        theirs = add(base, settings, "question", Question("THEIRS", "theirs-q", ("theirs-a",)), 6)
        theirs = add(theirs, settings, "retrospective", Note("theirs-n"), 6)

        merged = merge_texts(base, ours, theirs)

        assert merged is not None, path
        for value in ("ours-q", "ours-a", "ours-r", "ours-f", "theirs-q", "theirs-a", "theirs-n"):
            assert merged.count(value) == 1, (path, value)
        mine = re.search(r"^(\d+\.|-) OURS님", merged, re.MULTILINE)
        other = re.search(r"^(\d+\.|-) THEIRS님", merged, re.MULTILINE)
        assert mine and other and mine.start() < other.start(), path
        if mine[1] != "-":  # a numbered list (a post may keep its questions as bullets)
            assert int(other[1][:-1]) == int(mine[1][:-1]) + 1, path
        # No section twice: each heading as often as the side with more of it has it.
        for line in {line for line in merged.splitlines() if line.startswith("#")}:
            assert merged.splitlines().count(line) == max(
                ours.splitlines().count(line), theirs.splitlines().count(line)
            ), (path, line)


def test_a_question_renumbered_from_9_to_10_keeps_its_answers_inside(settings) -> None:  # type: ignore[no-untyped-def]
    base = POST
    for n in range(2, 9):
        base = add(base, settings, "question", Question("민수", f"질문 {n}", (f"답 {n}",)))
    ours = add(base, settings, "question", Question("우리", "아홉", ("우리 답\n둘째 줄",)))
    theirs = add(base, settings, "question", Question("그쪽", "아홉 또는 열", ("그쪽 답",)), day=6)
    assert "\n9. 그쪽님 질문" in theirs and "\n   답변 : 그쪽 답" in theirs

    merged = merge_texts(base, ours, theirs)

    assert merged is not None
    assert "\n9. 우리님 질문 : 아홉\n\n   답변 : 우리 답\n   둘째 줄\n" in merged
    # `10. ` puts the text at column 4: the answer moves with it, as the writer would put it.
    assert "\n10. 그쪽님 질문 : 아홉 또는 열\n\n    답변 : 그쪽 답\n" in merged
