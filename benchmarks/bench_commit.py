"""Time `studylog commit` against `git add && git commit` in a big repository.

    python benchmarks/bench_commit.py                      # 20,000 files, 20 repeats
    python benchmarks/bench_commit.py --files 2000 --repeats 5

The repository is a study log inside a Jekyll site of `files` files in all
(assets, pages and 30 posts), every file committed, packed, with automatic
gc off; it is made twice, one copy for studylog and one for the peer, so
neither commit moves the other's HEAD. Each round adds a question to a post
as a user does (`studylog add-question --post POST`, untimed), runs `PYTHON
-m studylog commit` (timed), adds the same question to a post of the peer's
copy by hand (untimed) and runs `sh -c 'git add POST && git commit -q -m
MESSAGE'` (timed): both are whole-process runs, interleaved so the
machine's noise falls on both alike. The figures are the median and the
spread (interquartile range) of each, and the ratio of the medians;
DESIGN.md sets the target at 1.6.

benchmarks/run.py imports this module and calls `run(size, repeats)`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.6
POSTS = 30
QUESTION = "\n{n}. 서광채님 질문 : 배치 {n}에서 replace=True의 의미\n\n    답변 : 복원추출\n"


def _post(day: int) -> str:
    return (
        "---\n"
        f'title: "[boostcourse] Day{day} 학습기록"\n'
        f"date: 2021-08-{day:02d}\n"
        "tags: []\n"
        "---\n<br>\n\n## 학습 내용\n\nRNN, LSTM\n\n## 피어세션\n\n"
        "모더레이터 : 김준태\n\n### 과제 리뷰\n\n"
        "- 선택과제 1 (Gradient Descent, 발표자 : 장동건)\n    → 피드백\n\n"
        "### 질문내용\n\n1. 마루찬님 질문 : 시퀀스가 길면 왜 불안정한가\n\n    답변 : 기울기\n"
    )


def environment(home: Path) -> dict[str, str]:
    """A home of its own and a known git identity, like benchmarks/run.py's."""
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Benchmark\n\temail = bench@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    # PYTHONDONTWRITEBYTECODE would make every run compile studylog's modules
    # again (~10 ms): a user runs studylog with its bytecode cached.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDYLOG_", "GIT_", "VISUAL", "EDITOR"))
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        STUDYLOG_HOME=str(home / "studylog"),
        LC_ALL="C.UTF-8",
    )
    return env


def make_repository(root: Path, size: int, env: dict[str, str]) -> list[Path]:
    """A committed study log of `size` files in all; returns its posts."""
    root.mkdir(parents=True)
    (root / ".studylog.yml").write_text("profile: ko\nposts_dir: _posts\n", encoding="utf-8")
    (root / "_config.yml").write_text("title: bench\n", encoding="utf-8")
    posts_dir = root / "_posts"
    posts_dir.mkdir()
    posts = []
    for day in range(1, POSTS + 1):
        path = posts_dir / f"2021-08-{day:02d}-day{day}.md"
        path.write_text(_post(day), encoding="utf-8")
        posts.append(path)
    others = max(size - POSTS - 2, 0)
    for n in range(others):
        # 100 files a folder, as an assets tree or a generated API doc would be.
        folder = root / "assets" / f"group{n // 100:03d}"
        if n % 100 == 0:
            folder.mkdir(parents=True)
        (folder / f"file{n:05d}.txt").write_text(f"asset {n}\n", encoding="utf-8")
    # Packed, and no automatic gc: otherwise the first timed commits find
    # 20,000 loose objects and start a background repack that runs during
    # the timed rounds (and the figures measure that, not the commit).
    for args in (
        ["init", "-q"],
        ["config", "gc.auto", "0"],
        ["add", "-A"],
        ["commit", "-q", "-m", "A big blog"],
        ["gc", "-q"],
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return posts


def _timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def _add_question(python: str, root: Path, post: Path, n: int, env: dict[str, str]) -> None:
    """One more question in `post`, written by studylog as a user would (untimed)."""
    argv = [python, "-m", "studylog", "add-question", "--post", str(post), "--asker", "서광채"]
    argv += ["--question", f"배치 {n}에서 replace=True의 의미", "--answer", "복원추출"]
    _timed(argv, root, env)


def _median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def _spread_ms(samples: list[float]) -> float:
    if len(samples) < 2:
        return 0.0
    q = statistics.quantiles(samples, n=4, method="inclusive")
    return 1000 * (q[2] - q[0])


def run(size: int, repeats: int, python: str | None = None) -> list[dict[str, object]]:
    """Time both commands `repeats` times (after 2 warm-up rounds) in a `size`-file repo.

    Returns:
        Two rows with the keys name, operation, studylog, median_ms,
        spread_ms, peer, peer_median_ms, peer_spread_ms, ratio, target, note:
        `studylog commit` against its peer (target 1.6), and for reference
        `studylog --version`, the start-up every command pays, against the same peer.
    """
    python = python or sys.executable
    work = Path(tempfile.mkdtemp(prefix="studylog-bench-commit-"))
    try:
        env = environment(work / "home")
        root, peer_root = work / "blog", work / "blog-peer"
        posts = make_repository(root, size, env)
        peer_posts = make_repository(peer_root, size, env)
        ours: list[float] = []
        theirs: list[float] = []
        startup: list[float] = []
        warmup = 2
        for round_number in range(warmup + repeats):
            n = round_number + 2
            mine, peer = posts[round_number % POSTS], peer_posts[round_number % POSTS]
            _add_question(python, root, mine, n, env)
            took = _timed([python, "-m", "studylog", "commit"], root, env)
            with peer.open("a", encoding="utf-8") as handle:
                handle.write(QUESTION.format(n=n))
            relative = peer.relative_to(peer_root).as_posix()
            took_peer = _timed(
                ["sh", "-c", f"git add '{relative}' && git commit -q -m 'Add a question'"],
                peer_root,
                env,
            )
            took_startup = _timed([python, "-m", "studylog", "--version"], root, env)
            if round_number >= warmup:
                ours.append(took)
                theirs.append(took_peer)
                startup.append(took_startup)
        median, peer_median = _median_ms(ours), _median_ms(theirs)
        return [
            {
                "name": "commit",
                "operation": f"commit in a {size:,}-file repo",
                "studylog": "studylog commit",
                "median_ms": median,
                "spread_ms": _spread_ms(ours),
                "peer": "git add && git commit",
                "peer_median_ms": peer_median,
                "peer_spread_ms": _spread_ms(theirs),
                "ratio": median / peer_median,
                "target": TARGET,
                "note": "",
            },
            {
                # The floor: what any studylog command costs before it does anything.
                "name": "commit-startup",
                "operation": "  of which start-up",
                "studylog": "studylog --version",
                "median_ms": _median_ms(startup),
                "spread_ms": _spread_ms(startup),
                "peer": "git add && git commit",
                "peer_median_ms": peer_median,
                "peer_spread_ms": _spread_ms(theirs),
                "ratio": _median_ms(startup) / peer_median,
                "target": None,
                "note": "reference",
            },
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Print the row; exit 1 when the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000, help="files in the repository")
    parser.add_argument("--repeats", type=int, default=20, help="timed rounds")
    parser.add_argument("--python", default=None, help="the interpreter that runs studylog")
    args = parser.parse_args(argv)
    rows = run(args.files, args.repeats, args.python)
    for row in rows:
        print(
            f"{row['operation']}: {row['studylog']} {row['median_ms']:.1f} ms "
            f"(spread {row['spread_ms']:.1f}), git add && git commit "
            f"{row['peer_median_ms']:.1f} ms (spread {row['peer_spread_ms']:.1f}), "
            f"ratio {row['ratio']:.2f} (target: {row['target'] or 'none, reference'})"
        )
    ratio = rows[0]["ratio"]
    assert isinstance(ratio, float)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
