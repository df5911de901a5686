"""ripgrep as search's prefilter: found on PATH, read across pipe chunks, always reaped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import build_file_tree, require_program
from studylog.config import settings_from_mapping
from studylog.ripgrep import start_ripgrep
from studylog.search import SearchQuery, search_log
from studylog.spawn import find_program


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _fake_rg(folder: Path, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rg = folder / "rg"
    rg.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    rg.chmod(rg.stat().st_mode | stat.S_IXUSR)
    return rg


def test_find_program_looks_on_path_as_which_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rg = _fake_rg(tmp_path / "bin", "exit 0")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "rg").mkdir()  # a folder named rg is no program
    not_executable = tmp_path / "plain" / "rg"
    not_executable.parent.mkdir()
    not_executable.write_text("", encoding="utf-8")
    path = os.pathsep.join(str(tmp_path / name) for name in ("other", "plain", "bin"))
    monkeypatch.setenv("PATH", path)
    assert find_program("rg") == str(rg)
    monkeypatch.setenv("PATH", str(tmp_path / "other"))
    assert find_program("rg") is None
    assert start_ripgrep(["x"], str(tmp_path)) is None


def test_every_name_comes_through_however_the_pipe_cuts_them(tmp_path: Path) -> None:
    require_program("rg", "apt-get install ripgrep")
    # ~700 KB of names: the pipe gives them in many chunks, cut mid-name.
    names = {
        f"_posts/2021-08-01-{'x' * 200}-{number:05d}.md": "드롭아웃\n" for number in range(3000)
    }
    root = build_file_tree(tmp_path, names)
    found = start_ripgrep(["드롭아웃"], str(root / "_posts"))
    assert found is not None
    listed = sorted(os.fsdecode(name) for name in found.names())
    assert found.finish() == 0
    assert listed == sorted(str(root / name) for name in names)
    assert _reaped(found.pid)


def test_a_search_cut_short_ends_and_reaps_ripgrep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rg = _fake_rg(tmp_path / "bin", "printf 'a\\0'; exec sleep 60")
    monkeypatch.setenv("PATH", f"{rg.parent}{os.pathsep}{os.environ['PATH']}")
    found = start_ripgrep(["x"], str(tmp_path))
    assert found is not None
    assert next(found.names()) == b"a"
    found.stop()  # without reading on: sleep 60 is ended, not waited for
    assert found.finish() == -15
    assert _reaped(found.pid)


def test_a_ripgrep_that_fails_gives_the_plain_search_s_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "_posts/2021-08-01-day1.md": "---\ntitle: a\n---\n### 질문내용\n\n1. 민수 : 드롭아웃\n",
        "_posts/2021-08-02-day2.md": "---\ntitle: b\n---\n드롭아웃 again\n",
    }
    root = build_file_tree(tmp_path, files)
    settings = settings_from_mapping(root, {}, source="test")
    expected = search_log(settings, SearchQuery("드롭아웃"), use_rg=False)
    assert len(expected) == 2
    # Names one post, then fails: its half answer must not be taken.
    rg = _fake_rg(tmp_path / "bin", f"printf '%s\\0' '{root}/_posts/2021-08-02-day2.md'; exit 2")
    monkeypatch.setenv("PATH", f"{rg.parent}{os.pathsep}{os.environ['PATH']}")
    assert search_log(settings, SearchQuery("드롭아웃")) == expected


def test_ripgrep_started_before_a_bad_date_is_found_is_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studylog import search
    from studylog.cli import bodies
    from studylog.errors import DateInvalidError
    from studylog.ripgrep import Ripgrep

    root = build_file_tree(
        tmp_path, {".studylog.yml": "profile: ko\n", "_posts/2021-08-01-day1.md": "드롭아웃\n"}
    )
    # ripgrep still looking when the date is refused: a sleep that names nothing.
    rg = _fake_rg(tmp_path / "bin", "exec sleep 60")
    monkeypatch.setenv("PATH", f"{rg.parent}{os.pathsep}{os.environ['PATH']}")
    started: list[Ripgrep] = []
    start = search.start_prefilter

    def recording(*args: object) -> Ripgrep | None:
        found = start(*args)  # type: ignore[arg-type]
        assert found is not None
        started.append(found)
        return found

    monkeypatch.setattr(search, "start_prefilter", recording)
    with pytest.raises(DateInvalidError):
        bodies.search(root, "드롭아웃", since="not a date")
    assert len(started) == 1
    assert _reaped(started[0].pid)


def test_a_query_ripgrep_can_t_take_is_searched_without_it(tmp_path: Path) -> None:
    files = {"_posts/2021-08-01-day1.md": "---\ntitle: a\n---\n드롭아웃 again\n"}
    root = build_file_tree(tmp_path, files)
    settings = settings_from_mapping(root, {}, source="test")
    # A NUL can't be in a command line, and Linux takes no argument over 128 KB.
    for query in ("드롭\0아웃", "드롭아웃" * 50_000):
        assert start_ripgrep([query], str(root / "_posts")) is None
        found = search_log(settings, SearchQuery(query))
        assert found == search_log(settings, SearchQuery(query), use_rg=False) == []
    assert len(search_log(settings, SearchQuery("드롭아웃"))) == 1
