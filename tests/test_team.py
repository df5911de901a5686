"""The study group: `team:` in `.studylog.yml`, `team pull`, `digest` and `new --from`.

Teammates are real git repositories: a bare remote on disk per teammate,
reached by a `file://` URL or a plain path, as a user's team list names them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studylog.cli import app
from studylog.config import CONFIG_NAME, load_settings
from studylog.errors import (
    ConfigError,
    PostNotFoundError,
    TeamBlogError,
    TeamMemberError,
)
from studylog.log import open_log
from studylog.markdown.extraction import split_sections
from studylog.post import split_front_matter
from studylog.scaffold import NewPostRequest, create_post, init_log
from studylog.team import (
    PullResult,
    borrow_peer_part,
    make_digest,
    member_cache,
    normalize_question,
    pull_team,
)
from tests.conftest import git

runner = CliRunner()
DAY = "2021-08-06"


def post(moderator: str, participants: str, agenda: str, reviews: str, questions: str) -> str:
    """A post in the `ko` template's shape with the given peer-session parts."""
    return (
        "---\n"
        f'title: "[boostcourse] Day5 학습기록"\ntags: []\ndate: {DAY}\n'
        "---\n<br>\n\n## 학습 내용\n\nRNN 복습\n\n## 피어세션\n\n"
        f"모더레이터 : {moderator}\n\n참가자 : {participants}\n\n"
        f"### 추가안건\n\n{agenda}\n\n### 과제 리뷰\n\n{reviews}\n\n"
        f"### 질문내용\n\n{questions}\n\n<br>\n\n## 회고록\n\n오늘도 열심히\n"
    )


MINSU_DAY = post(
    "민수",
    "민수, 지수, 서준",
    "- 다음 주 발표 순서 정하기",
    "- 선택과제 1 (Gradient Descent, 발표자 : 지수)\n    → 수식 설명이 좋았음",
    "1. 서준님 질문 : 배치 정규화는 왜 학습을 빠르게 하나요?\n\n"
    "    답변 : 층마다 입력 분포를 맞춰 주기 때문\n\n"
    "2. 민수님 질문 : Adam과 SGD의 차이는?",
)
JISU_DAY = post(
    "민수",
    "민수, 지수, 서준",
    "- 발표 순서: 지수, 서준, 민수\n- 스터디 시간 19시로 변경",
    "- 선택과제 1 (Gradient Descent, 발표자 : 지수)\n    → 학습률 실험 그래프 공유",
    # Other spacing and punctuation, and decomposed Hangul (NFD), as a Mac may save it.
    unicodedata.normalize("NFD", "1. 서준님 질문 : 배치정규화는 왜 학습을 빠르게 하나요")
    + "\n\n2. 민수님 질문 : Adam 과 SGD 의 차이는 ?\n\n"
    "    답변 : Adam은 파라미터마다 학습률을 조정함\n\n"
    "3. 지수님 질문 : 드롭아웃은 추론 때도 쓰나요?\n\n"
    "    답변 : 추론 때는 끄고 가중치를 보정함",
)
SEOJUN_DAY = post(
    "민수",
    "민수, 지수, 서준",
    "- 없음",
    "- 선택과제 1 (Gradient Descent, 발표자 : 지수)",
    "1. 지수님 질문 : 드롭아웃은 추론 때도 쓰나요\n\n"
    "    답변 : model.eval()이 끈다\n\n"
    "2. 서준님 질문 : 드롭아웃은 학습 때만 쓰나요?",
)
SEOJUN_EARLIER = post(
    "서준", "민수, 지수, 서준", "- 없음", "- 없음", "1. 서준님 질문 : 역전파에서 연쇄법칙은?"
).replace(DAY, "2021-08-05")


def make_blog(folder: Path, posts: dict[str, str]) -> Path:
    """A teammate's blog (a study log with commits) and its bare remote; returns the remote."""
    init_log(folder, profile="ko")
    for name, text in posts.items():
        (folder / "_posts" / name).write_bytes(text.encode("utf-8"))
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "posts")
    remote = folder.with_name(folder.name + ".git")
    git(folder.parent, "clone", "-q", "--bare", str(folder), str(remote))
    git(folder, "remote", "add", "origin", str(remote))
    return remote


def push_post(folder: Path, name: str, text: str) -> None:
    """A teammate adds a post and pushes it (the 'updated between pulls' case)."""
    (folder / "_posts" / name).write_text(text, encoding="utf-8")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", f"add {name}")
    git(folder, "push", "-q", "origin", "HEAD")


def set_team(root: Path, team: str) -> None:
    config = root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + team, encoding="utf-8")


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """My log (민수) and a team: 지수 by file:// URL, 서준 by plain path, one gone, one no log."""
    root = tmp_path / "minsu"
    init_log(root, profile="ko")
    (root / "_posts" / f"{DAY}-day5.md").write_text(MINSU_DAY, encoding="utf-8")
    jisu = make_blog(tmp_path / "jisu", {f"{DAY}-day5.md": JISU_DAY})
    seojun = make_blog(
        tmp_path / "seojun",
        {f"{DAY}-day5.md": SEOJUN_DAY, "2021-08-05-day4.md": SEOJUN_EARLIER},
    )
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q")
    (plain / "README.md").write_text("not a blog\n", encoding="utf-8")
    git(plain, "add", "-A")
    git(plain, "commit", "-q", "-m", "readme")
    set_team(
        root,
        "team:\n"
        "  - name: 민수\n    repo: .\n"
        f"  - name: 지수\n    repo: {jisu.as_uri()}\n"
        f"  - name: 서준\n    repo: {seojun}\n"
        f"  - name: 하늘\n    repo: {tmp_path / 'gone.git'}\n"
        "  - name: 바다\n    repo: ../plain\n",
    )
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


# --- config ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("team", "needle"),
    [
        ("team: jisu\n", "'team' must be a list"),
        ("team:\n  - jisu\n", "team[1] must be a mapping"),
        ("team:\n  - name: 지수\n", "team[1].repo must be a non-empty string"),
        ("team:\n  - name: 지수\n    repo: x\n    branch: main\n", "unknown key 'team[1].branch'"),
        ("team:\n  - name: 지수\n    repo: --upload-pack=touch /tmp/x\n", "team[1].repo"),
        ("team:\n  - name: 지수\n    repo: 'ext::sh -c touch% /tmp/x'\n", "ext::"),
        ("team:\n  - name: '{{ x }}'\n    repo: x\n", "team[1].name"),
        ("team:\n  - name: 지수\n    repo: a\n  - name: 지수\n    repo: b\n", "listed twice"),
    ],
)
def test_bad_team_entries_are_errors_naming_the_key(log_root: Path, team: str, needle: str) -> None:
    set_team(log_root, team)
    with pytest.raises(ConfigError, match="team") as caught:
        load_settings(log_root)
    assert needle in str(caught.value)


def test_team_entries_are_read_in_order(team: Path) -> None:
    settings = load_settings(team)
    assert [m.name for m in settings.team] == ["민수", "지수", "서준", "하늘", "바다"]


# --- pull ---------------------------------------------------------------------------


def test_pull_reports_each_member_and_the_failures_by_name(team: Path, tmp_path: Path) -> None:
    before = {name: snapshot(tmp_path / name) for name in ("jisu.git", "seojun.git", "plain")}
    code, out, err = run("--root", str(team), "team", "pull")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert any(line.startswith("지수: cloned, 1 post (") for line in lines), err
    assert any(line.startswith("서준: cloned, 2 posts (") for line in lines), err
    assert any(line.startswith("하늘: no repository at ") for line in lines), err
    assert any(line.startswith("바다: ../plain is not a study log") for line in lines), err
    assert lines[-1].startswith("Error: 2 of 4 teammates could not be pulled (하늘, 바다)")
    assert "민수" not in err  # this log itself is never pulled
    # Never writes into a teammate's repository.
    for name, files in before.items():
        assert snapshot(tmp_path / name) == files
    # The copies are bare: nothing is checked out.
    cache = member_cache(load_settings(team).team[1], team)
    assert (cache / "HEAD").is_file() and not (cache / "_posts").exists()
    assert git(cache, "rev-parse", "--is-shallow-repository").strip() == "true"


def test_second_pull_fetches_what_a_teammate_pushed(team: Path, tmp_path: Path) -> None:
    settings = load_settings(team)
    first = {r.member.name: r for r in pull_team(settings, ("지수",))}
    assert first["지수"].action == "cloned" and first["지수"].posts == 1
    again = pull_team(settings, ("지수",))[0]
    assert again.action == "unchanged" and again.commit == first["지수"].commit
    push_post(
        tmp_path / "jisu",
        "2021-08-07-day6.md",
        post("지수", "지수", "-", "-", "1. 지수님 질문 : 새 질문"),
    )
    updated = pull_team(settings, ("지수",))[0]
    assert updated.action == "updated"
    assert updated.before == first["지수"].commit and updated.commit != updated.before
    assert updated.posts == 2
    # Still shallow after the fetch.
    cache = member_cache(settings.team[1], team)
    assert git(cache, "rev-parse", "--is-shallow-repository").strip() == "true"
    log = open_log(team)
    digest = make_digest(log, dt.date(2021, 8, 7), dt.date(2021, 8, 7))
    assert [item.question for item in digest.items] == ["새 질문"]


def test_members_pull_in_parallel(team: Path) -> None:
    # Each member's callback waits until both have finished cloning: if the
    # pulls ran one after the other, the first would wait forever (timeout).
    barrier = threading.Barrier(2, timeout=30)
    threads: set[str] = set()

    def meet(result: PullResult) -> None:
        threads.add(threading.current_thread().name)
        barrier.wait()

    results = pull_team(load_settings(team), ("지수", "서준"), on_result=meet)
    assert [r.action for r in results] == ["cloned", "cloned"]
    assert len(threads) == 2


def test_pull_runs_no_hooks_and_no_filters(team: Path, tmp_path: Path) -> None:
    """A hooks folder in the user's git config and a teammate's filter never run."""
    marker = tmp_path / "ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-checkout", "post-merge"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> {marker}\n", encoding="utf-8")
        hook.chmod(0o755)
    config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"[core]\n\thooksPath = {hooks}\n"
        + f"[filter \"evil\"]\n\tsmudge = sh -c 'echo smudge >> {marker}; cat'\n",
        encoding="utf-8",
    )
    jisu = tmp_path / "jisu"
    (jisu / ".gitattributes").write_text("*.md filter=evil\n", encoding="utf-8")
    push_post(jisu, "2021-08-07-day6.md", post("지수", "지수", "-", "-", "1. 지수님 질문 : 필터?"))
    assert marker.exists()  # the hooks are live for the teammate's own git
    marker.unlink()
    results = pull_team(load_settings(team), ("지수",))
    assert results[0].action == "cloned"
    digest = make_digest(open_log(team), dt.date(2021, 8, 7), dt.date(2021, 8, 7))
    assert [item.question for item in digest.items] == ["필터?"]
    assert not marker.exists()


# --- digest --------------------------------------------------------------------------


def test_normalize_question_ignores_spacing_punctuation_and_nfd() -> None:
    a = normalize_question("배치 정규화는 왜 학습을 빠르게 하나요?")
    assert a == normalize_question(
        unicodedata.normalize("NFD", "배치정규화는 왜, 학습을 빠르게 하나요")
    )
    assert a != normalize_question("배치 정규화는 왜 학습을 느리게 하나요?")


def test_digest_of_a_known_team_item_by_item(team: Path) -> None:
    run("--root", str(team), "team", "pull")
    code, out, err = run("--root", str(team), "digest", "--date", DAY, "--json")
    assert code == 0, err
    assert "Skipped: 하늘: not pulled yet" in err
    assert "Skipped: 바다: ../plain is not a study log" in err
    data = json.loads(out)
    assert data["members"] == ["민수", "지수", "서준"]
    assert [m["member"] for m in data["missing"]] == ["하늘", "바다"]
    items = data["items"]
    assert [
        (i["question"], i["askers"], i["members"], i["answered"], i["answers"]) for i in items
    ] == [
        (
            "배치 정규화는 왜 학습을 빠르게 하나요?",
            ["서준"],
            ["민수", "지수"],
            True,
            ["층마다 입력 분포를 맞춰 주기 때문"],
        ),
        (
            "Adam과 SGD의 차이는?",
            ["민수"],
            ["민수", "지수"],
            True,
            ["Adam은 파라미터마다 학습률을 조정함"],
        ),
        (
            "드롭아웃은 추론 때도 쓰나요?",
            ["지수"],
            ["지수", "서준"],
            True,
            ["추론 때는 끄고 가중치를 보정함", "model.eval()이 끈다"],
        ),
        ("드롭아웃은 학습 때만 쓰나요?", ["서준"], ["서준"], False, []),
    ]
    assert items[0]["posts"] == [
        {
            "member": "민수",
            "date": DAY,
            "slug": "day5",
            "path": f"_posts/{DAY}-day5.md",
            "number": 1,
            "asker": "서준",
        },
        {
            "member": "지수",
            "date": DAY,
            "slug": "day5",
            "path": f"_posts/{DAY}-day5.md",
            "number": 1,
            "asker": "서준",
        },
    ]


def test_digest_open_week_and_markdown(team: Path) -> None:
    run("--root", str(team), "team", "pull")
    code, out, _ = run("--root", str(team), "digest", "--date", DAY, "--open", "--json")
    assert [i["question"] for i in json.loads(out)["items"]] == ["드롭아웃은 학습 때만 쓰나요?"]
    # ISO week 31 of 2021 is 2 to 8 August: 서준's question of the 5th comes first.
    os.environ["STUDYLOG_NOW"] = "2021-08-06T12:00:00+09:00"
    try:
        code, out, err = run("--root", str(team), "digest", "--week", "31", "--json")
    finally:
        del os.environ["STUDYLOG_NOW"]
    assert code == 0, err
    data = json.loads(out)
    assert (data["since"], data["until"]) == ("2021-08-02", "2021-08-08")
    assert [i["question"] for i in data["items"]][:2] == [
        "역전파에서 연쇄법칙은?",
        "배치 정규화는 왜 학습을 빠르게 하나요?",
    ]
    code, out, _ = run("--root", str(team), "digest", "--date", DAY, "--format", "md")
    assert code == 0
    assert out.splitlines()[0] == f"## 팀 질문 모음 {DAY} (민수, 지수, 서준)"
    assert "1. **서준**: 배치 정규화는 왜 학습을 빠르게 하나요? _(민수, 지수)_\n" in out
    assert "   - model.eval()이 끈다\n" in out
    assert "4. **서준**: 드롭아웃은 학습 때만 쓰나요? _(서준)_ **(미답변)**\n" in out


@pytest.mark.parametrize(
    "args",
    [
        ("--date", DAY, "--week", "3"),
        ("--format", "html"),
        ("--json", "--format", "md"),
    ],
)
def test_digest_usage_errors(log_root: Path, args: tuple[str, ...]) -> None:
    code, out, _ = run("--root", str(log_root), "digest", *args)
    assert code == 2 and out == ""


def test_digest_bad_week_is_one_sentence(log_root: Path) -> None:
    code, _, err = run("--root", str(log_root), "digest", "--week", "60")
    assert code == 1
    assert err.startswith("Error: ") and "has ISO weeks 1 to " in err and "not 60" in err


def test_no_team_is_one_sentence(log_root: Path) -> None:
    code, _, err = run("--root", str(log_root), "team", "pull")
    assert code == 1
    assert err == (
        "Error: No team in .studylog.yml; add `team:` with a `- name:` and `repo:` per teammate.\n"
    )
    code, _, err = run("--root", str(log_root), "team", "pull", "누구")
    assert code == 1 and "No team" in err


# --- new --from ---------------------------------------------------------------------


def _sections(text: str, root: Path) -> dict[str | None, str]:
    settings = load_settings(root)
    _, start = split_front_matter(text)
    return {s.key: s.text for s in split_sections(text[start:], settings)}


def test_new_from_copies_the_peer_session_byte_exact(team: Path) -> None:
    run("--root", str(team), "team", "pull", "지수")
    (team / "_posts" / f"{DAY}-day5.md").unlink()
    code, out, err = run("--root", str(team), "new", "day5", "--date", DAY, "--from", "지수")
    assert code == 0, err
    text = (team / "_posts" / f"{DAY}-day5.md").read_text(encoding="utf-8")
    theirs = _sections(JISU_DAY, team)
    mine = _sections(text, team)
    for key in ("agenda", "reviews", "questions"):
        assert mine[key] == theirs[key], key
    peer_start = JISU_DAY.index("## 피어세션\n") + len("## 피어세션\n")
    peer_text = JISU_DAY[peer_start : JISU_DAY.index("## 회고록")]
    assert f"## 피어세션\n\n지수님의 기록에서 가져옴 ({DAY} day5)\n{peer_text}## 회고록" in text
    # The rest is my template's, and the post's questions read back as theirs.
    assert "## 학습 내용\n\n<br>\n" in text and "RNN 복습" not in text


def test_new_from_keeps_crlf_teammate_text_as_lf(team: Path, tmp_path: Path) -> None:
    jisu = tmp_path / "jisu"
    crlf = JISU_DAY.replace(DAY, "2021-08-09").replace("\n", "\r\n")
    (jisu / "_posts" / "2021-08-09-day6.md").write_bytes(crlf.encode("utf-8"))
    git(jisu, "add", "-A")
    git(jisu, "commit", "-q", "-m", "crlf")
    git(jisu, "push", "-q", "origin", "HEAD")
    pull_team(load_settings(team), ("지수",))
    path = create_post(
        open_log(team), NewPostRequest("day6", date=dt.date(2021, 8, 9), from_member="지수")
    )
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text
    assert _sections(text, team)["questions"] == _sections(JISU_DAY, team)["questions"]


def test_new_from_errors_change_nothing(team: Path) -> None:
    log = open_log(team)
    before = sorted(p.name for p in (team / "_posts").iterdir())
    with pytest.raises(TeamBlogError, match="지수: not pulled yet"):
        borrow_peer_part(log, "지수", dt.date(2021, 8, 6))
    pull_team(log.settings, ("지수",))
    with pytest.raises(PostNotFoundError, match="지수 has no post dated 2021-08-07"):
        create_post(log, NewPostRequest("day6", date=dt.date(2021, 8, 7), from_member="지수"))
    with pytest.raises(TeamMemberError, match="No teammate '누구'"):
        create_post(log, NewPostRequest("day6", date=dt.date(2021, 8, 6), from_member="누구"))
    with pytest.raises(TeamMemberError, match="민수 is this log itself"):
        create_post(log, NewPostRequest("day6", date=dt.date(2021, 8, 6), from_member="민수"))
    assert sorted(p.name for p in (team / "_posts").iterdir()) == before
    code, out, err = run("--root", str(team), "new", "day6", "--from", "지수", "--moderator", "x")
    assert code == 2 and out == ""
    assert sorted(p.name for p in (team / "_posts").iterdir()) == before


def test_symlinks_and_big_files_in_the_posts_folder_are_not_read(
    team: Path, tmp_path: Path
) -> None:
    jisu = tmp_path / "jisu"
    secret = tmp_path / "secret.txt"
    secret.write_text("1. 지수님 질문 : 비밀\n", encoding="utf-8")
    (jisu / "_posts" / "2021-08-07-link.md").symlink_to(secret)
    (jisu / "_posts" / "2021-08-07-big.md").write_text(
        post("지수", "지수", "-", "-", "1. 지수님 질문 : 큰 파일") + "x" * 4_000_001,
        encoding="utf-8",
    )
    git(jisu, "add", "-A")
    git(jisu, "commit", "-q", "-m", "odd files")
    git(jisu, "push", "-q", "origin", "HEAD")
    assert pull_team(load_settings(team), ("지수",))[0].posts == 1
    digest = make_digest(open_log(team), dt.date(2021, 8, 7), dt.date(2021, 8, 7))
    assert digest.items == ()


def test_two_pulls_at_once_both_succeed(team: Path) -> None:
    settings = load_settings(team)
    results: list[PullResult] = []
    threads = [
        threading.Thread(target=lambda: results.extend(pull_team(settings, ("서준",))))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The per-member lock makes one clone and the other wait, then find it there.
    assert sorted(r.action for r in results) == ["cloned", "unchanged"]


def test_a_teammate_with_the_en_profile_is_read_with_their_formats(
    team: Path, tmp_path: Path
) -> None:
    english = (
        "---\ntitle: Day 5\ndate: 2021-08-06\n---\n## Peer session\n\n### Questions\n\n"
        "1. Question from Haneul: Why does dropout help?\n\n   Answer: It averages many nets.\n"
    )
    haneul = tmp_path / "haneul"
    init_log(haneul, profile="en")
    remote = make_blog(haneul, {f"{DAY}-day5.md": english})
    # 하늘's entry (a repository that was gone) now points at a real blog.
    config = team / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8").replace(str(tmp_path / "gone.git"), str(remote)),
        encoding="utf-8",
    )
    assert pull_team(load_settings(team), ("하늘",))[0].action == "cloned"
    digest = make_digest(open_log(team), dt.date(2021, 8, 6), dt.date(2021, 8, 6))
    item = next(i for i in digest.items if i.members == ("하늘",))
    assert (item.question, item.askers, item.answers) == (
        "Why does dropout help?",
        ("Haneul",),
        ("It averages many nets.",),
    )


@pytest.mark.slow
def test_a_borrowed_peer_session_builds_with_jekyll(team: Path) -> None:
    from tests.test_jekyll import (
        SITE_CONFIG,
        items,
        jekyll_build,
        parse_html,
        post_content,
        section_list,
    )

    (team / "_config.yml").write_text(SITE_CONFIG, encoding="utf-8")
    (team / "_posts" / f"{DAY}-day5.md").unlink()
    pull_team(load_settings(team), ("지수",))
    create_post(
        open_log(team), NewPostRequest("day5", date=dt.date(2021, 8, 6), from_member="지수")
    )
    site = jekyll_build(team)
    page = next(site.rglob("day5.html"))
    content = post_content(parse_html(page))
    texts = [text.strip() for text, _ in content.texts() if text.strip()]
    assert f"지수님의 기록에서 가져옴 ({DAY} day5)" in texts
    assert "모더레이터 : 민수" in texts
    questions = items(section_list(content, "질문내용", "ol"))
    assert len(questions) == 3
    assert "드롭아웃은 추론 때도 쓰나요?" in questions[2].text()


def test_new_from_leaves_out_a_footer_after_a_last_peer_section(team: Path, tmp_path: Path) -> None:
    # A blog whose posts end with the peer session and a signed footer.
    last = JISU_DAY.replace("2021-08-06", "2021-08-10")
    last = last[: last.index("## 회고록")] + "```\n💡 틀린 내용은 댓글로 알려주세요 💡\n```\n"
    jisu = tmp_path / "jisu"
    push_post(jisu, "2021-08-10-day7.md", last)
    pull_team(load_settings(team), ("지수",))
    path = create_post(
        open_log(team), NewPostRequest("day7", date=dt.date(2021, 8, 10), from_member="지수")
    )
    text = path.read_text(encoding="utf-8")
    assert "💡" not in text
    questions = _sections(JISU_DAY, team)["questions"]
    assert questions.endswith("<br>\n\n")
    # Their questions, up to the separator that opened the footer, then my template's tail.
    assert questions.removesuffix("<br>\n\n") + "## 회고록\n\n<br>\n" in text


def test_a_repository_that_asks_for_a_password_is_no_access(log_root: Path) -> None:
    """A host that answers 401 fails that member at once: no prompt, no hang."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Locked(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="blog"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Locked)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/jisu/blog.git"
        set_team(log_root, f"team:\n  - name: 지수\n    repo: {url}\n")
        result = pull_team(load_settings(log_root))[0]
    finally:
        server.shutdown()
    assert result.action == "failed"
    assert result.error == (
        f"지수: no access to {url}; check your credentials or ask 지수 to share it."
    )
    assert not member_cache(load_settings(log_root).team[0], log_root).exists()
