"""Shared fixtures: every test runs with its own HOME, git config and log."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
EXAMPLE = SHARED / "examples" / "boostcourse-day4.md"


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point HOME, STUDYLOG_HOME and git's config at a fresh folder.

    No test may read or write the real home, the real ~/studylog or the
    user's git identity; git gets a known identity through the environment.
    """
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("STUDYLOG_HOME", str(home / "studylog"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in (
        "STUDYLOG_ROOT",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "VISUAL",
        "EDITOR",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    yield home


@pytest.fixture
def log_root(tmp_path: Path) -> Path:
    """A fresh `ko` study log (initialised through the core) in tmp_path/blog."""
    from studylog.scaffold import init_log

    root = tmp_path / "blog"
    init_log(root, profile="ko")
    return root


def build_file_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def git(cwd: Path, *args: str) -> str:
    """Run git in cwd and return its stdout; fail the test on error."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def corpus_posts() -> list[Path]:
    """Every corpus post; under CI=true a missing corpus fails instead of skipping."""
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"The corpus is missing at {CORPUS}; CI must have ../shared beside the repo."
            )
        pytest.skip(f"no corpus at {CORPUS}")
    posts = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
    assert len(posts) == 152, f"expected 152 corpus posts, found {len(posts)}"
    return posts
