"""Speed by construction: what a command imports and which posts it opens.

Timings belong in `benchmarks/` (they are noise in a test); these tests pin
the causes instead: a command imports only the libraries it uses, and the
daily-loop commands open one post however big the log is.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import build_file_tree
from studylog.log import open_log

# Runs the CLI in-process under an audit hook that records every file
# opened and every module imported, then prints both as JSON on stderr's
# last line (stdout stays the command's).
DRIVER = textwrap.dedent(
    """
    import json, sys
    opened = []
    listed = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], str):
            opened.append(args[0])
        if event == "os.scandir":
            listed.append(str(args[0]))
    sys.addaudithook(hook)
    sys.argv = ["studylog", *sys.argv[1:]]
    import os
    def exit_here(code):
        raise SystemExit(code)
    os._exit = exit_here  # the dispatcher ends the process with os._exit: report first
    from studylog.cli import main
    code = 0
    try:
        main()
    except SystemExit as exit:
        code = exit.code or 0
    sys.stderr.write("\\n" + json.dumps({"opened": opened, "modules": sorted(sys.modules),
                                        "listed": listed, "code": code}) + "\\n")
    """
)


def run_traced(cwd: Path, *args: str) -> dict[str, object]:
    """Run `studylog ARGS` in `cwd`; the files it opened and the modules it imported."""
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    trace: dict[str, object] = json.loads(result.stderr.strip().splitlines()[-1])
    assert trace["code"] == 0, result.stderr
    return trace


def make_log(root: Path, posts: int) -> Path:
    files: dict[str, str | bytes] = {".studylog.yml": "profile: ko\n"}
    start = dt.date(2021, 1, 1)
    for n in range(1, posts + 1):
        date = start + dt.timedelta(days=n)
        files[f"_posts/{date.isoformat()}-day{n}.md"] = (
            f"---\ntitle: Day{n}\n---\n## 피어세션\n\n모더레이터 : 민수\n\n참가자 : 민수, 지수\n\n"
            "### 질문내용\n\n1. 민수님 질문 : 왜?\n\n    답변 : 그래서.\n\n## 회고록\n"
        )
    return build_file_tree(root, files)


def posts_opened(trace: dict[str, object], root: Path) -> set[str]:
    opened = trace["opened"]
    assert isinstance(opened, list)
    posts = str(root / "_posts")
    return {Path(p).name for p in opened if p.startswith(posts) and p.endswith(".md")}


def module_names(trace: dict[str, object]) -> set[str]:
    names = trace["modules"]
    assert isinstance(names, list)
    return {str(name) for name in names}


def modules(trace: dict[str, object]) -> set[str]:
    names = trace["modules"]
    assert isinstance(names, list)
    return {str(name).split(".")[0] for name in names}


def test_new_opens_only_the_previous_post_and_imports_no_git(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 60)
    trace = run_traced(root, "new", "day61", "--date", "2021-03-15", "--no-carry")
    # The new post is written through a temporary file and a hard link; of
    # the 60 existing posts only the previous one (for its names) is read.
    assert posts_opened(trace, root) == {"2021-03-02-day60.md"}
    loaded = modules(trace)
    assert "jinja2" in loaded
    assert not loaded & {"git", "markdown_it", "frontmatter", "rich"}
    # Carrying open questions reads the posts of the four weeks before the
    # date (here all answered), never the whole log.
    trace = run_traced(root, "new", "day62", "--date", "2021-03-16")
    window = {p.name for p in (root / "_posts").iterdir() if "2021-02-16" <= p.name < "2021-03-16"}
    assert len(window) == 16
    assert posts_opened(trace, root) == window
    # One listing of the posts folder serves the slug check, the previous
    # post and the carried questions: 10,000 names cost ~10 ms a listing.
    listed = trace["listed"]
    assert isinstance(listed, list)
    assert listed.count(str(root / "_posts")) == 1, listed
    assert not modules(trace) & {"git", "markdown_it", "frontmatter", "rich"}


def test_new_reads_no_unchanged_post_for_its_open_questions(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 60)
    for post in (root / "_posts").iterdir():
        _age(post)  # past the racy window, so the open-questions cache keeps them
    # The first `new` reads the four weeks' posts and notes they hold no open question.
    run_traced(root, "new", "day61", "--date", "2021-03-15")
    (root / "_posts" / "2021-03-15-day61.md").unlink()
    trace = run_traced(root, "new", "day61", "--date", "2021-03-15")
    # Now only the previous post is read (for its names), and the reader, the
    # entry extraction and the entry writer are never imported.
    assert posts_opened(trace, root) == {"2021-03-02-day60.md"}
    loaded = module_names(trace)
    assert not loaded & {"studylog.reader", "studylog.markdown.extraction", "studylog.entries"}
    # After a break longer than the window there is nothing to read either.
    trace = run_traced(root, "new", "day62", "--date", "2021-06-01")
    assert posts_opened(trace, root) == {"2021-03-15-day61.md"}
    assert "studylog.reader" not in module_names(trace)


def test_add_question_imports_no_calendar_subprocess_or_tempfile(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 3)
    trace = run_traced(root, "add-question", "--asker", "지수", "--question", "왜?")
    loaded = module_names(trace)
    # The course calendar only for a log that has one; subprocess only to write
    # git's config; the post's temporary file without tempfile (and its shutil, random).
    assert not loaded & {"studylog.study", "subprocess", "tempfile", "shutil", "random"}


def test_add_question_opens_only_its_post_and_imports_no_jinja_or_git(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 60)
    trace = run_traced(
        root, "add-question", "--asker", "지수", "--question", "어떻게?", "--answer", "이렇게."
    )
    assert posts_opened(trace, root) == {"2021-03-02-day60.md"}
    assert not modules(trace) & {"git", "jinja2", "frontmatter", "rich"}


def test_a_warm_list_in_a_pipe_reads_no_post_and_imports_no_reader_or_subprocess(
    tmp_path: Path,
) -> None:
    root = make_log(tmp_path / "blog", 30)
    for post in (root / "_posts").iterdir():
        _age(post)  # past the racy window, so the list cache keeps them
    run_traced(root, "list")
    trace = run_traced(root, "list")
    # Every line from the cache: no post opened, no reader, no entry counter;
    # git status started without subprocess (or the commit code around it).
    assert posts_opened(trace, root) == set()
    loaded = module_names(trace)
    reader = {"studylog.post", "studylog.markdown.extraction", "studylog.reader"}
    assert not loaded & {*reader, "studylog.vcs", "subprocess"}
    assert "studylog.git_status" in loaded


def test_newest_skips_names_that_are_not_posts(tmp_path: Path) -> None:
    names = [
        "2021-13-01-bad.md",  # no such month
        "2021-08-09.md",  # no slug
        "notes.md",
        "2099-02-30-x.md",  # no such day, and the latest prefix
        "2021-08-04-a.md",
        "2021-08-04-b.md",
        "sub/2021-08-03-c.md",
    ]
    build_file_tree(tmp_path, {".studylog.yml": "profile: ko\n"})
    build_file_tree(tmp_path / "_posts", {name: "x\n" for name in names})
    log = open_log(root=tmp_path)
    newest = log.newest()
    assert newest is not None and newest.slug == "b"
    before = log.newest(dt.date(2021, 8, 4))
    assert before is not None and before.slug == "c"
    assert log.newest(dt.date(2021, 8, 3)) is None
    assert log.find_post(None).slug == "b"


@pytest.mark.parametrize("args", [["new", "--help"], ["--root", ".", "templates"]])
def test_the_named_command_alone_still_runs(tmp_path: Path, args: list[str]) -> None:
    # main() builds only the Click command the line names; the others are absent.
    make_log(tmp_path, 1)
    result = subprocess.run(
        [sys.executable, "-m", "studylog", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout


def test_help_and_unknown_commands_still_see_every_command(tmp_path: Path) -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "studylog", "-h"], capture_output=True, text=True, check=False
    ).stdout
    for name in ("init", "new", "add-question", "commit", "templates"):
        assert f"  {name} " in help_text
    typo = subprocess.run(
        [sys.executable, "-m", "studylog", "nwe"], capture_output=True, text=True, check=False
    )
    assert typo.returncode == 2
    # Click may suggest more than one (`answer` is close to `nwe` too).
    assert "Did you mean 'new'" in typo.stderr


# --- the parsed-settings cache ------------------------------------------------

LOAD = (
    "import sys; from pathlib import Path; from studylog.config import load_settings; "
    "s = load_settings(Path(sys.argv[1])); print(s.title, s.roster, 'yaml' in sys.modules)"
)


def _age(path: Path, seconds: int = 60) -> None:
    # The cache only keeps files that have not changed for a moment (racy-git rule).
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def _load_in_subprocess(root: Path, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_come_from_the_cache_without_pyyaml(tmp_path: Path) -> None:
    config = tmp_path / ".studylog.yml"
    config.write_text("profile: ko\ntitle: 'Day{n}'\nroster: [민수, 지수]\n", encoding="utf-8")
    _age(config)
    first = _load_in_subprocess(tmp_path)
    assert first == "Day{n} ('민수', '지수') True"
    assert _load_in_subprocess(tmp_path) == "Day{n} ('민수', '지수') False"


def test_an_edited_config_is_read_again_even_at_the_same_size(tmp_path: Path) -> None:
    config = tmp_path / ".studylog.yml"
    config.write_text("roster: [aa]\n", encoding="utf-8")
    _age(config, 120)
    assert _load_in_subprocess(tmp_path).endswith("('aa',) True")
    assert _load_in_subprocess(tmp_path).endswith("('aa',) False")
    config.write_text("roster: [bb]\n", encoding="utf-8")
    _age(config, 60)
    assert _load_in_subprocess(tmp_path).endswith("('bb',) True")


def test_a_config_written_just_now_is_not_cached(tmp_path: Path) -> None:
    (tmp_path / ".studylog.yml").write_text("roster: [aa]\n", encoding="utf-8")
    _load_in_subprocess(tmp_path)
    assert _load_in_subprocess(tmp_path).endswith("True")


def test_no_cache_variable_and_a_broken_cache_fall_back_to_yaml(tmp_path: Path) -> None:
    config = tmp_path / ".studylog.yml"
    config.write_text("roster: [aa]\n", encoding="utf-8")
    _age(config)
    cache_dir = Path(os.environ["XDG_CACHE_HOME"]) / "studylog"
    assert _load_in_subprocess(tmp_path, STUDYLOG_NO_CACHE="1").endswith("True")
    assert not list(cache_dir.glob("settings-*"))
    _load_in_subprocess(tmp_path)
    (cached,) = cache_dir.glob("settings-*")
    cached.write_bytes(b"not marshal data")
    assert _load_in_subprocess(tmp_path).endswith("('aa',) True")


def test_a_cached_config_is_still_checked_on_every_load(tmp_path: Path) -> None:
    from studylog.config import load_settings
    from studylog.errors import ConfigError

    config = tmp_path / ".studylog.yml"
    config.write_text("profile: ko\ntitel: typo\n", encoding="utf-8")
    _age(config)
    for _ in range(2):  # the first load caches the mapping, the second reads it
        with pytest.raises(ConfigError, match="unknown key 'titel'"):
            load_settings(tmp_path)
    config.write_text("profile: [\n", encoding="utf-8")
    _age(config)
    for _ in range(2):
        with pytest.raises(ConfigError, match="not valid YAML"):
            load_settings(tmp_path)


def test_new_and_commit_run_with_the_collector_paused_and_put_it_back(
    log_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from studylog import scaffold, vcs
    from studylog.cli import bodies
    from studylog.cli.terminal import UsageProblem

    seen: list[bool] = []
    creating, committing = scaffold.create_post, vcs.commit_posts

    def create_and_look(*args: object, **kwargs: object) -> Path:
        seen.append(gc.isenabled())
        return creating(*args, **kwargs)  # type: ignore[arg-type]

    def commit_and_look(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return committing(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scaffold, "create_post", create_and_look)
    monkeypatch.setattr(vcs, "commit_posts", commit_and_look)
    assert gc.isenabled()
    bodies.new_post(log_root, "day1")
    assert gc.isenabled()
    bodies.commit(log_root)
    assert seen == [False, False]
    assert gc.isenabled()
    # Back on after a command that fails, too.
    with pytest.raises(UsageProblem):
        bodies.commit(log_root, message=" ")
    assert gc.isenabled()


def test_add_question_and_list_run_with_the_collector_paused_and_put_it_back(
    log_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from studylog import entries, git_status
    from studylog.cli import bodies

    seen: list[bool] = []
    appending, starting = entries.append_question, git_status.start_git_status

    def append_and_look(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return appending(*args, **kwargs)  # type: ignore[arg-type]

    def start_and_look(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return starting(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(entries, "append_question", append_and_look)
    monkeypatch.setattr(git_status, "start_git_status", start_and_look)
    bodies.new_post(log_root, "day1")
    log, ref, text = bodies.resolve_post(log_root, None)
    assert gc.isenabled()
    bodies.add_question_entry(log, ref, text, None, "민수", "왜?", ("답",))
    assert gc.isenabled()
    bodies.list_posts(log_root)
    assert gc.isenabled()
    assert seen == [False, False]
    assert "day1" in capsys.readouterr().out


# Runs `studylog commit` in process and prints, as JSON on stderr's last line,
# the modules loaded when `git commit` was started.
COMMIT_DRIVER = textwrap.dedent(
    """
    import json, os, sys
    at_start = []
    def hook(event, args):
        if event == "subprocess.Popen" and "commit" in args[1] and not at_start:
            at_start.append(sorted(sys.modules))
    sys.addaudithook(hook)
    sys.argv = ["studylog", "commit"]
    def exit_here(code):
        raise SystemExit(code)
    os._exit = exit_here  # the dispatcher ends the process with os._exit: report first
    from studylog.cli import main
    try:
        main()
    except SystemExit as exit:
        code = exit.code or 0
    sys.stderr.write("\\n" + json.dumps({"at_start": at_start, "code": code}) + "\\n")
    """
)


def test_commit_starts_git_before_loading_dataclasses_or_the_entry_counter(
    tmp_path: Path,
) -> None:
    from studylog.entries import Question, append_question
    from studylog.vcs import commit_posts

    root = make_log(tmp_path / "blog", 3)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert commit_posts(open_log(root=root)) is not None  # starts the journal
    post = next((root / "_posts").iterdir())
    append_question(open_log(root=root), post, Question("지수", "그다음은?"))
    result = subprocess.run(
        [sys.executable, "-c", COMMIT_DRIVER],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    trace = json.loads(result.stderr.strip().splitlines()[-1])
    assert trace["code"] == 0, result.stderr
    (loaded,) = trace["at_start"]
    # Everything before git starts is on the command's critical path; the
    # entry counter (and the dataclasses it uses) loads while git works.
    assert not set(loaded) & {"dataclasses", "inspect", "studylog.markdown.extraction"}
    assert (
        "+1 question"
        in subprocess.run(
            ["git", "log", "-1", "--format=%s"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_a_warm_search_opens_only_the_matching_posts_and_imports_no_reader(
    tmp_path: Path,
) -> None:
    root = make_log(tmp_path / "blog", 30)
    (root / "_posts/2021-01-05-day4.md").write_text(
        "---\ntitle: Day4\n---\n### 질문내용\n\n1. 민수님 질문 : 드롭아웃은?\n", encoding="utf-8"
    )
    first = run_traced(root, "search", "드롭아웃")
    assert "studylog.markdown.extraction" in module_names(first)  # no record yet
    trace = run_traced(root, "search", "드롭아웃")
    # ripgrep (when installed) names the one post; its record answers the rest.
    if shutil.which("rg"):
        assert posts_opened(trace, root) == {"2021-01-05-day4.md"}
    loaded = module_names(trace)
    reader = {"studylog.markdown.extraction", "studylog.markdown.items"}
    assert not loaded & {*reader, "subprocess", "shutil", "dataclasses", "inspect"}
