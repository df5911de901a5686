"""Shared fixtures: every test runs with its own HOME, git config and log.

Test data comes from two places. `tests/fixtures/` ships with the project
(posts and a site config written for the tests), so a user's clone passes.
`../shared` (the real corpus) sits beside the repository only on the
maintainers' machines and in CI: a test reading it carries the `corpus`
marker, and `pytest_runtest_setup` below skips it without `../shared`, or
fails it under `CI=true`, where a skip would hide that it never ran.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

# Tests import this file as `conftest` or as `tests.conftest`: both names give
# this one module, so the corpus state below is never split between copies.
sys.modules.setdefault("conftest", sys.modules[__name__])
sys.modules.setdefault("tests.conftest", sys.modules[__name__])

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
# A boostcourse daily post written by hand for the tests: front matter with
# Jekyll defaults and `tags: - []`, 학습 내용, 피어세션 (moderator,
# participants, 추가안건, 과제 리뷰, 질문내용), an extra 멘토링 section,
# 회고록 and the fenced footer, with 3 questions and 2 reviews.
SAMPLE_POST = FIXTURES / "2021-08-12-boostcourse-day9.md"
# The other ways students write entries, one post: bullet questions with
# "→" answers, reviews without a presenter or with the topic after a colon,
# a plain paragraph among reviews, numbered questions without answers under
# their own heading, and Q:/A: paragraphs under a #### Q & A heading.
OTHER_STYLES_POST = FIXTURES / "2021-08-13-boostcourse-day10.md"
# A Jekyll site's _config.yml (comments, nested maps, timezone Asia/Seoul).
SITE_CONFIG_FIXTURE = FIXTURES / "site" / "_config.yml"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

# The test now running carries the `corpus` marker (set in setup): the corpus
# helpers refuse to serve an unmarked test, so the marker can't be forgotten.
_running_corpus_test = False


def missing_requirement(reason: str) -> NoReturn:
    """A test can't run here: skip it, or under CI=true fail it, so a green CI ran everything."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it, so this fails instead of skipping.")
    pytest.skip(reason)


def require_program(name: str, install: str) -> str:
    """The program `name` on PATH, or `missing_requirement` saying how to `install` it."""
    found = shutil.which(name)
    if found is None:
        missing_requirement(f"{name} is not installed ({install})")
    return found


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a `corpus` test without ../shared; under CI=true, fail it instead."""
    global _running_corpus_test
    _running_corpus_test = item.get_closest_marker("corpus") is not None
    if not _running_corpus_test or CORPUS.is_dir():
        return
    missing_requirement(f"needs the real corpus at {CORPUS} (../shared beside the repository)")


def pytest_runtest_teardown(item: pytest.Item) -> None:
    global _running_corpus_test
    _running_corpus_test = False


# The home this run started with, before any isolation: tests prove they never use it.
STARTING_HOME = os.environ.get("HOME", "")


def run_on_terminal(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    size: tuple[int, int] | None = None,
    stdin: bool = True,
) -> tuple[str, int]:
    """Run `python -m studylog ARGS` on a pseudo-terminal; (what it drew, exit code).

    `size` is (lines, columns) for the terminal's window; `stdin=False` keeps
    stdin off the terminal (no prompt can wait on it).
    """
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "studylog", *args],
        cwd=cwd,
        env=env,
        stdin=follower if stdin else subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    code = process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace"), code


def interruptible() -> None:
    """`preexec_fn` for a child a test interrupts: SIGINT back to its default.

    A job started in the background by a non-interactive shell (`bash .ci/run &`,
    nohup) inherits SIGINT as ignored, and so would every Python it starts:
    the Ctrl-C tests would then hang or see the command finish. A user's
    terminal delivers Ctrl-C; this gives the child what the user's shell gives.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def isolate(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point HOME, STUDYLOG_HOME and git's config at `home`, made fresh here.

    No test may read or write the real home, the real ~/studylog or the
    user's git identity; git gets a known identity through the environment.
    """
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


@pytest.fixture(autouse=True, scope="session")
def isolated_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same isolation for the whole run, so module- and session-scoped
    fixtures (set up before any test's own `isolated_env`) never see the real
    home or git identity either."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        home = tmp_path_factory.mktemp("session-home")
        isolate(home, monkeypatch)
        yield home


@pytest.fixture(autouse=True)
def isolated_env(
    isolated_session: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    """A fresh home for each test (see `isolate`)."""
    home = tmp_path_factory.mktemp("home")
    isolate(home, monkeypatch)
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


def publish_and_clone(log: Path, base: Path, name: str = "laptop") -> Path:
    """Push `log`'s main to a new bare remote `base/remote.git` and clone it as `base/name`.

    The second laptop of the git tests: `log` must have a commit on main.
    """
    bare = base / "remote.git"
    git(base, "init", "-q", "--bare", "-b", "main", str(bare))
    git(log, "remote", "add", "origin", str(bare))
    git(log, "push", "-q", "-u", "origin", "main")
    clone = base / name
    git(base, "clone", "-q", str(bare), str(clone))
    return clone


def corpus_file(name: str) -> Path:
    """The corpus file `name` (e.g. "hongsusoo/_config.yml"), for a `corpus` test."""
    if not _running_corpus_test:
        pytest.fail("This test reads ../shared: mark it @pytest.mark.corpus.")
    return CORPUS / name


def corpus_posts() -> list[Path]:
    """Every corpus post (all 152), for a `corpus` test."""
    posts = sorted(p for p in corpus_file(".").rglob("*.md") if p.name != "README.md")
    assert len(posts) == 152, f"expected 152 corpus posts, found {len(posts)}"
    return posts


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the posts `list` reads (rather than takes from its cache)."""
    from studylog import listing

    read: list[str] = []
    summarize = listing.summarize_post

    def counting(ref: object, settings: object) -> object:
        read.append(ref.slug)  # type: ignore[attr-defined]
        return summarize(ref, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(listing, "summarize_post", counting)
    return read
