"""Many writers at once, and writers killed mid-write: the post stays whole.

Real processes: 30 `studylog add-question` commands started together, and
workers killed with SIGKILL at random moments while they append.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from studylog.post import parse_front_matter, read_post

POST = (
    "---\ntitle: day4\ndate: 2021-08-05\nlast_modified_at: 2021-08-05\n---\n"
    "## 피어세션\n\n### 질문내용\n\n<br>\n\n## 회고록\n\n<br>\n\n```\n💡 footer\n```\n"
)
# The answer sits at the item's content column: 3 under "9. ", 4 under "10. ".
ENTRY = re.compile(r"(\d+)\. (\S+)님 질문 : (\S+)\n\n {3,4}답변 : first line\n {3,4}second line\n")


def _make_log(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / ".studylog.yml").write_text("profile: ko\n", encoding="utf-8")
    path = root / "_posts" / "2021-08-05-day4.md"
    path.write_text(POST, encoding="utf-8")
    return path


def _entries(path: Path) -> list[tuple[int, str, str]]:
    """The questions in the post; fails unless the file is whole and well formed."""
    post = read_post(path)
    parse_front_matter(post)
    text = post.text
    assert re.match(
        r"---\ntitle: day4\ndate: 2021-08-05\nlast_modified_at: \d{4}-\d\d-\d\d\n---\n"
        r"## 피어세션\n\n### 질문내용\n\n",
        text,
    )
    start = text.index("### 질문내용\n\n") + len("### 질문내용\n\n")
    end = text.index("<br>\n\n## 회고록\n")
    section = text[start:end]
    found = [(int(n), who, q) for n, who, q in ENTRY.findall(section)]
    rebuilt = "\n".join(
        f"{n}. {who}님 질문 : {q}\n\n{pad}답변 : first line\n{pad}second line\n"
        for n, who, q in found
        for pad in [" " * len(f"{n}. ")]
    )
    assert section == (rebuilt + "\n" if found else ""), "a torn or foreign entry"
    assert text.endswith("<br>\n\n## 회고록\n\n<br>\n\n```\n💡 footer\n```\n")
    assert [n for n, _, _ in found] == list(range(1, len(found) + 1)), "numbering gap or repeat"
    return found


def test_thirty_processes_at_once_all_land_numbered_without_gaps(tmp_path: Path) -> None:
    path = _make_log(tmp_path / "log")
    # On the post's own day: no "the newest post is older than today" warning.
    env = {
        **os.environ,
        "STUDYLOG_ROOT": str(tmp_path / "log"),
        "STUDYLOG_NOW": "2021-08-05T12:00:00+00:00",
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "studylog",
                "add-question",
                "--asker",
                f"p{i}",
                "--question",
                f"q{i}",
                "--answer",
                "first line\nsecond line",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(30)
    ]
    numbers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out == ""
        match = re.fullmatch(r"Added question (\d+) to .*2021-08-05-day4\.md\n", err)
        assert match, err
        numbers.append(int(match[1]))
    assert sorted(numbers) == list(range(1, 31))
    found = _entries(path)
    assert len(found) == 30
    assert sorted(who for _, who, _ in found) == sorted(f"p{i}" for i in range(30))
    assert all(q == "q" + who[1:] for _, who, q in found)


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from studylog.entries import Question, append_question
    from studylog.log import open_log

    log = open_log(root=Path(sys.argv[1]))
    path = Path(sys.argv[2])
    tag = sys.argv[3]
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        q = Question("w" + tag, f"q{tag}x{i}", ("first line\\nsecond line",))
        append_question(log, path, q)
    """
)


def test_sigkill_at_random_moments_never_tears_the_post(tmp_path: Path) -> None:
    root = tmp_path / "log"
    path = _make_log(root)
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    rng = random.Random(20210805)
    kills = 0
    previous = 0
    round_no = 0
    while kills < 60:
        round_no += 1
        workers = [
            subprocess.Popen(
                [sys.executable, str(script), str(root), str(path), f"{round_no}{c}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for c in "ab"
        ]
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline() == "ready\n", worker.stderr
        for worker in workers:
            # A random moment: before the first write, mid-write, or between writes.
            try:
                worker.wait(timeout=rng.uniform(0, 0.04))
            except subprocess.TimeoutExpired:
                pass
            assert worker.returncode is None, worker.stderr.read() if worker.stderr else ""
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            assert worker.returncode == -signal.SIGKILL
            if worker.stdout:
                worker.stdout.close()
            if worker.stderr:
                worker.stderr.close()
            kills += 1
            found = _entries(path)
            assert len(found) >= previous
            previous = len(found)
    assert kills >= 50
    # A writer killed between writing its temporary file and renaming it
    # leaves that file behind: hidden (Jekyll skips dotfiles), never the post.
    others = [p.name for p in path.parent.iterdir() if p != path]
    assert all(name.startswith(f".{path.name}.") and name.endswith(".tmp") for name in others)
    from studylog.entries import Question, append_question
    from studylog.log import open_log

    answer = ("first line\nsecond line",)
    result = append_question(open_log(root=root), path, Question("z", "last", answer))
    assert result.number == previous + 1
    assert len(_entries(path)) == previous + 1
    assert previous > 0, "no worker ever finished an append: the kills came too early"
