"""The user's environment (issue 11, item 6): odd TZ, encodings, editors, caches, far dates.

Each case is a real `studylog` process with the environment a user could
have; none may end in a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import STARTING_HOME

POST = (
    "---\ntitle: 민수의 하루\ndate: 2021-08-05\n---\n"
    "## 피어세션\n\n### 질문내용\n\n1. 지수님 질문 : 첫 질문\n\n## 회고록\n"
)


def studylog(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(root), *args],
        capture_output=True,
        env={**os.environ, "STUDYLOG_NO_PROMPT": "1", **(env or {})},
        timeout=60,
        check=False,
    )


def no_traceback(result: subprocess.CompletedProcess[bytes], code: int = 0) -> str:
    err = result.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in err and result.returncode == code, err
    return err


@pytest.fixture
def day4(log_root: Path) -> Path:
    path = log_root / "_posts" / "2021-08-05-day4.md"
    path.write_text(POST, encoding="utf-8")
    return path


def test_a_tz_python_can_not_use_is_one_sentence(log_root: Path) -> None:
    err = no_traceback(studylog(log_root, "new", "day1", env={"TZ": "UTC+99"}), code=1)
    assert err.startswith("Error: The system time zone (TZ='UTC+99')") and err.count("\n") == 1
    assert list((log_root / "_posts").iterdir()) == []
    (log_root / ".studylog.yml").write_text("timezone: Asia/Seoul\n", encoding="utf-8")
    no_traceback(studylog(log_root, "new", "day1", env={"TZ": "UTC+99"}))


@pytest.mark.parametrize(
    "command",
    [["list"], ["list", "--json"], ["show"], ["show", "--json"], ["search", "질문"],
     ["search", "질문", "--json"], ["export"], ["stats"], ["check"]],
)  # fmt: skip
def test_an_ascii_only_output_encoding(log_root: Path, day4: Path, command: list[str]) -> None:
    result = studylog(log_root, *command, env={"PYTHONIOENCODING": "ascii"})
    no_traceback(result, code=1 if command == ["check"] and result.returncode == 1 else 0)
    if command[-1] == "--json":
        import json

        # Escaped as \uXXXX by backslashreplace, which JSON reads as the same text.
        text = json.dumps(json.loads(result.stdout.decode("ascii")), ensure_ascii=False)
        assert "민수" in text or "첫 질문" in text


def test_an_ascii_output_encoding_while_writing(log_root: Path, day4: Path) -> None:
    result = studylog(
        log_root, "add-question", "--asker", "민수", "--question", "질문",
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    no_traceback(result)
    assert "민수님 질문 : 질문" in day4.read_text(encoding="utf-8")


def test_an_editor_that_deletes_its_file(log_root: Path, day4: Path) -> None:
    result = studylog(log_root, "add-question", "--edit", env={"EDITOR": "rm -f"})
    err = no_traceback(result, code=1)
    assert "The editor deleted the entry's file" in err and err.count("\n") == 1
    assert day4.read_text(encoding="utf-8") == POST


@pytest.mark.slow
def test_a_post_dated_9999_12_31(log_root: Path, day4: Path, tmp_path: Path) -> None:
    (log_root / "_posts" / "9999-12-31-end.md").write_text(
        POST.replace("2021-08-05", "9999-12-31"), encoding="utf-8"
    )
    for command in (["stats"], ["stats", "--json"], ["list"], ["check"], ["export"], ["show"]):
        result = studylog(log_root, *command)
        no_traceback(result, code=result.returncode if command == ["check"] else 0)
    stats = studylog(log_root, "stats", "--json")
    assert b'"last": "9999-12-31"' in stats.stdout or b"9999-12-31" in stats.stdout


@pytest.fixture(scope="module")
def module_environment(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """What a module-scoped fixture sees: it is set up before any test's own isolation."""
    email = subprocess.run(
        ["git", "config", "user.email"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return os.environ["HOME"], email


def test_module_scoped_fixtures_never_see_the_real_home(
    module_environment: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    home, email = module_environment
    # The home a run started with (the user's, or CI's fresh one) is never the fixture's.
    assert home != STARTING_HOME
    assert Path(home).is_relative_to(tmp_path_factory.getbasetemp())
    assert email == "test@example.com"
