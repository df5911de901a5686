"""The read commands end to end: streams, exit codes, golden --json shapes, colour rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import REPO, build_file_tree, corpus_posts, git, run_on_terminal
from studylog.cli import app

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--root", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def shape(value: Any) -> Any:
    """The type skeleton of a JSON value: what a golden file records."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = _merge(merged, shape(item))
        return [] if merged is None else [merged]
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str"}[type(value)]


def _merge(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    # An object that may be null (a hit's entry) keeps its keys and says so.
    if a == "null" and isinstance(b, dict):
        return {**b, "(or null)": "true"}
    if b == "null" and isinstance(a, dict):
        return {**a, "(or null)": "true"}
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a.get(k), b.get(k)) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0] if a else None, b[0] if b else None)] if a or b else []
    if a == b:
        return a
    parts = set(str(a).split("|")) | set(str(b).split("|"))
    return "|".join(sorted(parts))


def assert_golden(name: str, data: Any) -> None:
    path = GOLDEN / f"{name}.json"
    actual = shape(data)
    if os.environ.get("STUDYLOG_UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected, f"the --json shape of {name} changed; update docs/reading.md too"


@pytest.fixture
def corpus_log(tmp_path: Path) -> Path:
    """A git-tracked log whose posts are links to every corpus post."""
    root = tmp_path / "blog"
    posts = root / "_posts"
    posts.mkdir(parents=True)
    (root / ".studylog.yml").write_text("timezone: Asia/Seoul\n", encoding="utf-8")
    for path in corpus_posts():
        (posts / path.name).symlink_to(path)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "corpus")
    return root


DAY4 = "_posts/2021-08-05-BoostCourse_day4.md"


# --- list ---------------------------------------------------------------------


@pytest.mark.corpus
def test_list_json_has_every_post_newest_first(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "list", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data) == 152
    assert data[0]["date"] == "2021-12-10"
    dates = [post["date"] for post in data]
    assert dates == sorted(dates, reverse=True)
    day4 = next(post for post in data if post["path"] == DAY4)
    assert day4 == {
        "date": "2021-08-05",
        "slug": "BoostCourse_day4",
        "title": "[boostcourse] Day4 학습기록_minibatch28",
        "path": DAY4,
        "front_matter_date": "2021-08-05",
        "questions": 3,
        "reviews": 2,
        "git": "clean",
    }
    assert_golden("list", data)


@pytest.mark.corpus
def test_list_shows_git_state_and_changes_after_an_edit(corpus_log: Path) -> None:
    run(corpus_log, "list")  # fills the cache
    build_file_tree(
        corpus_log,
        {"_posts/2030-01-01-new.md": "---\ntitle: New\n---\n### 질문내용\n\n1. 가님 질문 : 하나\n"},
    )
    code, out, _ = run(corpus_log, "list")
    assert code == 0
    first = out.splitlines()[0].split("\t")
    assert first == ["2030-01-01", "new", "New", "1", "0", "new"]
    # An edited post is read again, not taken from the cache.
    path = corpus_log / "_posts" / "2030-01-01-new.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n2. 나님 질문 : 둘\n", encoding="utf-8")
    git(corpus_log, "add", "_posts/2030-01-01-new.md")
    first = run(corpus_log, "list")[1].splitlines()[0].split("\t")
    assert first[3:] == ["2", "0", "staged"]


@pytest.mark.corpus
def test_list_plain_output_is_one_tab_separated_line_per_post(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 152
    assert all(line.count("\t") == 5 for line in lines)
    assert "\x1b[" not in out


def test_list_outside_a_log_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No study log here" in result.stderr


def test_list_of_an_empty_log(log_root: Path) -> None:
    code, out, err = run(log_root, "list")
    assert (code, out) == (0, "")
    assert "No posts" in err
    assert json.loads(run(log_root, "list", "--json")[1]) == []


# --- show -------------------------------------------------------------------------


@pytest.mark.corpus
def test_show_json_and_plain(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "show", "BoostCourse_day4", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["post"]["slug"] == "BoostCourse_day4"
    assert [q["asker"] for q in data["questions"]] == ["서광채", "마루찬", "마루찬"]
    assert data["reviews"][0]["topic"] == "Gradient Descent"
    assert {"heading": "질문내용", "key": "questions", "level": 3, "line": 61} in data["sections"]
    assert_golden("show", data)
    code, out, _ = run(corpus_log, "show", "BoostCourse_day4")
    # In a pipe, show prints the post's own text.
    assert out == (corpus_log / DAY4).read_text(encoding="utf-8")


@pytest.mark.corpus
def test_show_unknown_post(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "show", "day999")
    assert (code, out) == (1, "")
    assert err.startswith("Error: No post 'day999'")


# --- search -----------------------------------------------------------------------


@pytest.mark.corpus
def test_search_json_names_the_post_and_entry(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "search", "replace에서 TRUE", "--json")
    assert code == 0, err
    (hit,) = json.loads(out)
    assert (hit["path"], hit["line"], hit["kind"]) == (DAY4, 64, "question")
    assert (hit["entry"]["number"], hit["entry"]["asker"]) == (1, "서광채")
    start, end = hit["spans"][0]
    assert hit["text"][start:end] == "replace에서 True"
    assert_golden("search", json.loads(run(corpus_log, "search", "과제", "--json", "-C", "1")[1]))


@pytest.mark.corpus
def test_search_plain_lines(corpus_log: Path) -> None:
    code, out, _ = run(corpus_log, "search", "비복원추출", "--in", "questions")
    assert code == 0
    # The answer's own line, as written, as grep -n prints it.
    assert out.splitlines() == [
        f"{DAY4}:66:    답변 : True로 설정하면 나왔던 숫자가 또 나올 수 있는데, False로 설정하면 "
        "또 나오지 못함 복원추출과 비복원추출의 차이"
    ]
    # A line of text is printed once, with no `text: text:` label.
    code, out, _ = run(corpus_log, "search", "dive into deep learning", "--since", "2021-08-05")
    assert out == f"{DAY4}:97:    책 추천 : [dive into deep learning](https://www.d2l.ai/)\n"


def _context_log(tmp_path: Path) -> Path:
    lines = ["---", "title: day1", "---", "### 학습 내용", ""]
    lines += [f"- 줄 {n}" + (" 드롭아웃" if n in (3, 4, 9) else "") for n in range(1, 12)]
    return build_file_tree(
        tmp_path,
        {".studylog.yml": "timezone: UTC\n", "_posts/2021-08-02-day1.md": "\n".join(lines) + "\n"},
    )


def test_search_context_in_a_pipe_is_greps(tmp_path: Path) -> None:
    root = _context_log(tmp_path)
    path = "_posts/2021-08-02-day1.md"
    code, out, err = run(root, "search", "드롭아웃")
    assert code == 0, err
    # A pipe gets no context unless asked, like grep.
    expected = [f"{path}:{n}:- 줄 {k} 드롭아웃" for n, k in ((8, 3), (9, 4), (14, 9))]
    assert out.splitlines() == expected
    code, out, _ = run(root, "search", "드롭아웃", "-C", "1")
    # Adjacent hits share their context (no line twice); gaps are `--`.
    assert out.splitlines() == [
        f"{path}-7-- 줄 2",
        f"{path}:8:- 줄 3 드롭아웃",
        f"{path}:9:- 줄 4 드롭아웃",
        f"{path}-10-- 줄 5",
        "--",
        f"{path}-13-- 줄 8",
        f"{path}:14:- 줄 9 드롭아웃",
        f"{path}-15-- 줄 10",
    ]


def test_search_json_is_a_hit_per_matching_line(tmp_path: Path) -> None:
    root = _context_log(tmp_path)
    code, out, _ = run(root, "search", "드롭아웃", "--json", "--context", "1")
    hits = json.loads(out)
    assert [(h["path"], h["line"], h["kind"], h["entry"]) for h in hits] == [
        ("_posts/2021-08-02-day1.md", n, "text", None) for n in (8, 9, 14)
    ]
    assert (hits[0]["text"], hits[0]["before"], hits[0]["after"]) == (
        "- 줄 3 드롭아웃",
        ["- 줄 2"],
        ["- 줄 4 드롭아웃"],
    )
    assert hits[0]["section"] == "학습 내용"


@pytest.mark.corpus
def test_search_without_matches_says_so_on_stderr(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "search", "zzz-nothing-here")
    assert (code, out) == (0, "")
    assert "No matches" in err


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "  "], 2, "QUERY"),
        (["search", "x", "--in", "everywhere"], 2, "--in"),
        (["search", "x", "--since", "someday"], 1, "Can't read the date 'someday'"),
        (["search", "x", "--since", "2021-09-01", "--until", "2021-08-01"], 2, "swap them"),
        (["search", "x", "--asker", "민수", "--in", "reviews"], 2, "--asker"),
        (["search", "x", "--context", "-1"], 2, "--context"),
        (["search", "x", "-C", "1000"], 2, "--context"),
        (["export", "--format", "pdf"], 2, "--format"),
        (["check", "--ignore", "no-such-rule"], 2, "no rule 'no-such-rule'"),
    ],
)
def test_bad_input_is_refused(corpus_log: Path, args: list[str], code: int, message: str) -> None:
    got, out, err = run(corpus_log, *args)
    assert got == code
    assert out == ""
    assert message in err


# --- check --------------------------------------------------------------------------


@pytest.mark.corpus
def test_check_passes_the_corpus_with_warnings(corpus_log: Path) -> None:
    # Every corpus post builds with Jekyll: nothing in them is an error. (The
    # three blogs share this one folder, so they repeat each other's day
    # numbers; each blog alone has no repeat: tests/test_repair.py.)
    code, out, err = run(corpus_log, "check", "--json", "--ignore", "day-repeat")
    assert code == 0, out
    data = json.loads(out)
    assert data["ok"] is True and data["posts"] == 152
    assert {f["severity"] for f in data["findings"]} == {"warning"}
    assert {f["rule"] for f in data["findings"]} >= {"empty-list-item", "section-missing"}
    assert_golden("check", data)
    code, out, err = run(corpus_log, "check", DAY4)
    assert code == 0
    assert out == (
        f"{DAY4}:20: warning empty-list-item: 'tags' is a list holding an empty item "
        "(like `- []`); it builds, as no value. Write `tags: []` or list real values "
        "(`studylog check --fix` does it).\n"
    )
    assert "0 error(s), 1 warning(s) in 1 post(s)." in err


@pytest.mark.corpus
def test_check_ignore_and_strict(corpus_log: Path) -> None:
    assert run(corpus_log, "check", DAY4, "--strict")[0] == 1
    assert run(corpus_log, "check", DAY4, "--strict", "--ignore", "empty-list-item")[0] == 0


def test_check_rules_lists_every_rule() -> None:
    result = runner.invoke(app, ["check", "--rules", "--json"])
    assert result.exit_code == 0
    rules = json.loads(result.stdout)
    assert {"id": "empty-list-item", "severity": "warning"}.items() <= rules[4].items()
    assert {"id": "empty-category", "severity": "error"}.items() <= rules[5].items()
    assert_golden("check-rules", rules)


@pytest.mark.corpus
def test_check_as_a_pre_commit_hook_with_paths(corpus_log: Path) -> None:
    """pre-commit runs the hook's entry in the repository with the staged paths."""
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "studylog-check"
    entry = hook["entry"].split()
    assert entry == ["studylog", "check"]
    good = corpus_log / "_posts" / "2021-01-26-bcaitech-ustage-day7.md"
    command = [sys.executable, "-m", "studylog", *entry[1:]]
    ok = subprocess.run(
        [*command, str(good.relative_to(corpus_log))], cwd=corpus_log, capture_output=True
    )
    assert ok.returncode == 0, ok.stderr
    # `tags: - []` builds: the hook warns and lets the commit through.
    warned = subprocess.run([*command, DAY4], cwd=corpus_log, capture_output=True, text=True)
    assert warned.returncode == 0, warned.stderr
    assert "warning empty-list-item" in warned.stdout


# --- stats and export -------------------------------------------------------------


@pytest.mark.corpus
def test_stats_json_and_plain(corpus_log: Path) -> None:
    code, out, err = run(corpus_log, "stats", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["posts"] == 152
    assert data["first"] == "2021-01-18"
    assert all(len(week["entries"]) == 7 for week in data["weeks"])
    assert_golden("stats", data)
    code, out, _ = run(corpus_log, "stats", "--since", "2021-08-01", "--until", "2021-08-31")
    assert "longest streak" in out
    assert "Mon " in out


@pytest.mark.corpus
def test_export_anki_to_a_file_round_trips(corpus_log: Path, tmp_path: Path) -> None:
    from tests.anki import parse_anki

    target = tmp_path / "cards.txt"
    code, out, err = run(
        corpus_log, "export", "-f", "anki", "--since", "2021-08-01", "-o", str(target)
    )
    assert code == 0, err
    assert out == ""
    assert "Wrote" in err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("#separator:tab\n#html:true\n")
    _, cards = parse_anki(text)
    fronts = [card.front for card in cards]
    assert "<p>batch_idx 뽑는 함수에서 replace에서 True의 의미가 무엇인지</p>" in fronts
    # January posts are outside --since.
    assert all("bcaitech" not in " ".join(card.tags) for card in cards)
    # Exported again, every card keeps its id, so Anki updates instead of duplicating.
    code, out, _ = run(corpus_log, "export", "-f", "anki", "--since", "2021-08-01")
    assert [c.guid for c in parse_anki(out)[1]] == [c.guid for c in cards]
    code, _, err = run(corpus_log, "export", "-f", "json", "--deck", "x")
    assert code == 2 and "--deck" in err


@pytest.mark.corpus
def test_export_json_golden_and_missing_folder(corpus_log: Path, tmp_path: Path) -> None:
    code, out, _ = run(corpus_log, "export", "--until", "2021-08-05")
    assert code == 0
    data = json.loads(out)
    assert data["questions"] and all(q["date"] <= "2021-08-05" for q in data["questions"])
    assert_golden("export", data)
    missing = tmp_path / "nowhere" / "out.csv"
    code, out, err = run(corpus_log, "export", "-f", "csv", "-o", str(missing))
    assert code == 1 and out == ""
    assert "does not exist" in err
    assert not missing.parent.exists()


# --- colour only on a terminal ----------------------------------------------------


def _run_in_pty(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    return run_on_terminal(args, cwd, env)[0]


def _colour_codes(text: str) -> set[str]:
    """The colour parameters (30-49, 90-107) of the SGR escape sequences in `text`."""
    import re

    codes: set[str] = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        for code in params.split(";"):
            if code and (30 <= int(code) <= 49 or 90 <= int(code) <= 107):
                codes.add(code)
    return codes


@pytest.mark.corpus
def test_colour_on_a_terminal_but_not_with_no_color(corpus_log: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    coloured = _run_in_pty(["search", "replace"], corpus_log, env)
    assert "\x1b[" in coloured
    assert "question 1 (서광채)" in coloured
    assert _colour_codes(coloured)
    # The matching line under its own number, with a line of context either side.
    assert "64:" in coloured and "63-" in coloured and "65-" in coloured
    plain = _run_in_pty(["search", "replace"], corpus_log, {**env, "NO_COLOR": "1"})
    assert "question 1 (서광채)" in plain
    # NO_COLOR removes colour; bold and reverse video still mark the match.
    assert _colour_codes(plain) == set()
    assert "7m" in plain
    piped = subprocess.run(
        [sys.executable, "-m", "studylog", "list"], cwd=corpus_log, env=env, capture_output=True
    )
    assert piped.returncode == 0 and b"\x1b[" not in piped.stdout


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "--all"], "BoostCourse_day4"),
        (["show", "BoostCourse_day4"], "질문내용"),
        (["stats"], "longest streak"),
        (["check", DAY4], "empty-list-item"),
    ],
)
def test_terminal_drawing_of_each_command(corpus_log: Path, args: list[str], expected: str) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    out = _run_in_pty(args, corpus_log, env)
    assert expected in out
    assert "Traceback" not in out


@pytest.mark.corpus
@pytest.mark.parametrize("args", [["list"], ["search", "replace"], ["list", "--json"]])
def test_read_paths_stay_lean(corpus_log: Path, args: list[str]) -> None:
    """In a pipe, list and search import no Markdown parser, rich, GitPython or Jinja2."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "studylog", *args],
        cwd=corpus_log,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    for heavy in ("markdown_it", "rich", "git", "jinja2", "frontmatter"):
        assert heavy not in imported, heavy


# --- list on a terminal: the newest posts that fit ----------------------------------


def _sized_pty_run(args: list[str], cwd: Path, lines: int) -> tuple[str, int]:
    """Run studylog on a pseudo-terminal of `lines` x 100; (what it drew, exit code)."""
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return run_on_terminal(args, cwd, env, size=(lines, 100), stdin=False)


def _many_posts(root: Path, count: int) -> None:
    build_file_tree(
        root,
        {
            f"_posts/2021-03-{day:02d}-day{day}.md": f'---\ntitle: "Day {day}"\n---\n\n본문\n'
            for day in range(1, count + 1)
        },
    )


def test_list_on_a_terminal_shows_the_newest_posts_that_fit(log_root: Path) -> None:
    _many_posts(log_root, 25)
    drawn, code = _sized_pty_run(["list"], log_root, lines=12)
    assert code == 0
    slugs = [word for word in drawn.split() if word.startswith("day")]
    # 12 lines: the header, 9 posts, the line about the rest, the prompt.
    assert slugs == [f"day{day}" for day in range(25, 16, -1)]
    assert "… and 16 older posts: `studylog list --all` shows them all." in drawn
    every, code = _sized_pty_run(["list", "--all"], log_root, lines=12)
    assert code == 0
    assert [w for w in every.split() if w.startswith("day")] == [
        f"day{day}" for day in range(25, 0, -1)
    ]
    assert "older post" not in every
    # A pipe always gets every post, and nothing about the rest.
    piped = subprocess.run(
        [sys.executable, "-m", "studylog", "list"], cwd=log_root, capture_output=True, text=True
    )
    assert len(piped.stdout.splitlines()) == 25 and piped.stderr == ""


def test_list_on_a_terminal_that_holds_every_post_says_nothing_more(log_root: Path) -> None:
    _many_posts(log_root, 4)
    drawn, code = _sized_pty_run(["list"], log_root, lines=40)
    assert code == 0
    assert [w for w in drawn.split() if w.startswith("day")] == ["day4", "day3", "day2", "day1"]
    assert "older" not in drawn


def test_search_on_a_terminal_draws_the_piped_lines_and_no_control_characters(
    log_root: Path,
) -> None:
    build_file_tree(
        log_root,
        {
            "_posts/2021-03-02-day2.md": (
                '---\ntitle: "Day 2"\n---\n\n## 피어세션\n\n### 질문내용\n\n'
                "1. 민수님 질문 : dropout은 \x1b]0;owned\x07 언제?\n\n    답변 : 학습 때 dropout\n"
            )
        },
    )
    drawn, code = _sized_pty_run(["search", "dropout", "-C", "0"], log_root, lines=40)
    assert code == 0
    # A terminal would obey an escape sequence written in a post: it is shown as ?.
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", drawn).replace("\r\n", "\n")
    assert "\x1b]0;" not in drawn and "dropout은 ?]0;owned? 언제?" in plain
    piped = subprocess.run(
        [sys.executable, "-m", "studylog", "search", "dropout"],
        cwd=log_root,
        capture_output=True,
        text=True,
    )
    # The same numbered lines as the pipe, under the post's path and entry.
    for line in piped.stdout.splitlines():
        number_and_text = line.split(":", 1)[1].replace("\x1b", "?").replace("\x07", "?")
        assert "  " + number_and_text in plain
    assert plain.startswith("_posts/2021-03-02-day2.md\n  question 1 (민수)\n")


def test_json_written_an_item_at_a_time_is_what_json_dumps_writes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from studylog.cli.shapes import write_json_list

    for items in ([], [{"a": 1}], [{"a": [1, {"b": "줄\n바뀜"}]}, {"c": None}]):
        write_json_list(iter(items))
        assert capsys.readouterr().out == json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def test_show_on_a_terminal_draws_what_the_sites_readers_see(log_root: Path) -> None:
    """The writer's {% raw %} tags and a {: start} line are Jekyll's, not the reader's;
    a fenced line that looks like one is code and stays."""
    build_file_tree(
        log_root,
        {
            "_posts/2021-03-01-day1.md": (
                '---\ntitle: "Day 1"\n---\n\n손으로 쓴 문단\n\n{: start="3"}\n\n'
                "3. 철수님 질문 : {% raw %}{{ x }}{% endraw %} 의미?\n\n"
                '```text\n{: start="9"}\n```\n'
            )
        },
    )
    drawn, code = _sized_pty_run(["show", "day1"], log_root, lines=40)
    assert code == 0
    assert "{{ x }} 의미?" in drawn
    assert "raw %}" not in drawn
    assert drawn.count("{: start=") == 1 and '{: start="9"}' in drawn
