"""Many writers at once, and writers killed mid-write: the post stays whole.

Real processes: 30 `studylog add-question` commands started together, and
workers killed with SIGKILL at each moment of an append (stopped there on
purpose, so the kill never depends on timing).
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

import pytest

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


@pytest.mark.slow  # thirty interpreters started at once
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
        # Those that found the lock taken say they wait for it.
        match = re.fullmatch(
            r"(?:Waiting for another studylog command to finish in .* …\n)?"
            r"Added question (\d+) to .*2021-08-05-day4\.md\n",
            err,
        )
        assert match, err
        numbers.append(int(match[1]))
    assert sorted(numbers) == list(range(1, 31))
    found = _entries(path)
    assert len(found) == 30
    assert sorted(who for _, who, _ in found) == sorted(f"p{i}" for i in range(30))
    assert all(q == "q" + who[1:] for _, who, q in found)


# A worker appends questions in a loop and stops at each moment of the write
# path to say where it is ("locked", "written", ...) and wait for "go". The
# test answers "go" or kills the worker there, so every kill lands in the
# window it aims at, however loaded the machine. The stops wrap the os
# functions the write path calls (flock, fsync, replace), so the code under
# test is the real one.
WORKER = textwrap.dedent(
    """
    import fcntl
    import os
    import stat
    import sys
    from pathlib import Path
    from studylog.entries import Question, append_question
    from studylog.log import open_log

    def stop(moment):
        print(moment, flush=True)
        if sys.stdin.readline() != "go\\n":
            raise SystemExit("the test went away")

    real_flock, real_fsync, real_replace = fcntl.flock, os.fsync, os.replace

    def flock(fd, operation):
        real_flock(fd, operation)
        if operation & fcntl.LOCK_EX:
            stop("locked")  # holds the lock, has not read the post yet

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            real_fsync(fd)
            stop("synced")  # renamed and synced, lock still held
        else:
            stop("written")  # temporary file written, not yet on disk
            real_fsync(fd)

    def replace(source, target):
        stop("renaming")  # temporary file complete, the post untouched
        real_replace(source, target)
        stop("renamed")  # the post replaced, folder not yet synced

    fcntl.flock, os.fsync, os.replace = flock, fsync, replace
    log = open_log(root=Path(sys.argv[1]))
    path = Path(sys.argv[2])
    tag = sys.argv[3]
    stop("ready")
    i = 0
    while True:
        i += 1
        q = Question("w" + tag, f"q{tag}x{i}", ("first line\\nsecond line",))
        append_question(log, path, q)
        stop("appended")  # between two appends, lock released
    """
)
MOMENTS = ("ready", "locked", "written", "renaming", "renamed", "synced", "appended")
# A kill at these moments leaves the new entry in the post; earlier, the old post.
KEEPS_THE_ENTRY = {"renamed", "synced", "appended"}


@pytest.mark.slow
def test_sigkill_at_every_moment_of_the_write_never_tears_the_post(tmp_path: Path) -> None:
    import selectors

    root = tmp_path / "log"
    path = _make_log(root)
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    rng = random.Random(20210805)
    landed = 0  # entries that must be in the post
    killed_at: list[str] = []
    for round_no in range(len(MOMENTS)):  # each worker meets each moment once
        # Two workers race for the lock; each is killed at its own moment
        # after 0-2 whole appends. While one is stopped holding the lock, the
        # other waits in flock: the kill must free it.
        moments = {
            "a": MOMENTS[round_no % len(MOMENTS)],
            "b": MOMENTS[(round_no + 3) % len(MOMENTS)],
        }
        targets = {
            name: (moment, 0 if moment == "ready" else rng.randint(0, 2))
            for name, moment in moments.items()
        }
        workers = {
            name: subprocess.Popen(
                [sys.executable, str(script), str(root), str(path), f"{round_no}{name}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in targets
        }
        appends = dict.fromkeys(targets, 0)
        selector = selectors.DefaultSelector()
        for name, worker in workers.items():
            assert worker.stdout is not None
            selector.register(worker.stdout, selectors.EVENT_READ, name)
        while workers:
            events = selector.select(timeout=120)
            assert events, "no worker reached its next moment in 120 s"
            for key, _ in events:
                name = key.data
                worker = workers[name]
                assert worker.stdout is not None and worker.stdin is not None
                moment = worker.stdout.readline().strip()
                assert moment in MOMENTS, (moment, worker.stderr.read() if worker.stderr else "")
                if moment == "appended":
                    appends[name] += 1
                    landed += 1
                    assert appends[name] <= 3, f"worker {name} never reached {targets[name]}"
                target, after = targets[name]
                if moment == target and appends[name] >= after:
                    os.kill(worker.pid, signal.SIGKILL)
                    assert worker.wait() == -signal.SIGKILL
                    selector.unregister(worker.stdout)
                    for stream in (worker.stdin, worker.stdout, worker.stderr):
                        if stream is not None:
                            stream.close()
                    del workers[name]
                    killed_at.append(moment)
                    if moment in KEEPS_THE_ENTRY - {"appended"}:
                        landed += 1  # renamed before the kill: the entry stays
                else:
                    worker.stdin.write("go\n")
                    worker.stdin.flush()
        selector.close()
        found = _entries(path)
        assert len(found) == landed, (killed_at[-2:], len(found), landed)
    assert sorted(set(killed_at)) == sorted(MOMENTS)
    assert landed > 0
    # A writer killed between writing its temporary file and renaming it
    # leaves that file behind: hidden (Jekyll skips dotfiles), never the post.
    others = [p.name for p in path.parent.iterdir() if p != path]
    assert others, "a kill at 'written' or 'renaming' leaves a temporary file"
    assert all(name.startswith(f".{path.name}.") and name.endswith(".tmp") for name in others)
    from studylog.entries import Question, append_question
    from studylog.log import open_log

    answer = ("first line\nsecond line",)
    result = append_question(open_log(root=root), path, Question("z", "last", answer))
    assert result.number == landed + 1
    assert len(_entries(path)) == landed + 1
