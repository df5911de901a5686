"""The `corpus` marker: skip without ../shared, fail under CI=true, never forgotten.

Runs pytest in a copy of tests/conftest.py placed where no ../shared exists,
as in a user's clone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

TESTS = """
import pytest
from conftest import corpus_posts

@pytest.mark.corpus
def test_marked():
    corpus_posts()

def test_unmarked_reads_the_corpus():
    corpus_posts()

def test_plain():
    pass
"""


def run_in_a_clone(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    clone = tmp_path / "clone"  # tmp_path/shared does not exist
    (clone / "tests").mkdir(parents=True)
    (clone / "tests" / "conftest.py").write_bytes((REPO / "tests" / "conftest.py").read_bytes())
    (clone / "tests" / "test_x.py").write_text(TESTS, encoding="utf-8")
    (clone / "pytest.ini").write_text("[pytest]\nmarkers =\n    corpus: c\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-rA",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            "tests",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
    )


def test_without_the_corpus_a_marked_test_skips_with_the_reason(tmp_path: Path) -> None:
    result = run_in_a_clone(tmp_path, ci=None)
    out = result.stdout
    reason = f"needs the real corpus at {tmp_path / 'shared' / 'corpus'}"
    assert f"{reason} (../shared beside the repository)" in out, out
    assert "PASSED tests/test_x.py::test_plain" in out
    # A test that reads the corpus without the marker fails, corpus or not.
    assert "FAILED tests/test_x.py::test_unmarked_reads_the_corpus" in out
    assert "mark it @pytest.mark.corpus" in out
    assert "1 failed, 1 passed, 1 skipped" in out


def test_under_ci_a_missing_corpus_fails_the_marked_test(tmp_path: Path) -> None:
    result = run_in_a_clone(tmp_path, ci="true")
    out = result.stdout
    assert result.returncode == 1
    assert "ERROR tests/test_x.py::test_marked - Failed: needs the real corpus" in out, out
    assert "CI must provide it, so this fails instead of skipping" in out
    assert "1 failed, 1 passed, 1 error" in out
