"""`git status`: its command line, its parser, and the git state of each post for `list`.

`list` shows each post's git state beside it, from a `git status` of the
posts folder that runs while the posts are stamped. That run is started
with `studylog.spawn` and read through a pipe, not with `subprocess`:
importing `subprocess` (and `studylog.vcs`, which commits through it) costs
more of a warm `list` than git's own run. `commit` reads the same output
through `vcs.read_status`; the command and the parser live here, once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from studylog.spawn import start_reading

if TYPE_CHECKING:
    from studylog.config import Settings

# The path-taking git commands read names literally: a post named
# `2021-08-05-[day5].md` is a file, not a glob.
LITERAL_PATHSPECS = "--literal-pathspecs"


class StatusLine(NamedTuple):
    """One entry of `git status --porcelain=v1 -z`: its two-letter code and path(s).

    `path` is relative to the repository's top; `old_path` is the source of
    a rename or copy.
    """

    code: str
    path: str
    old_path: str | None = None


def status_command(pathspecs: Sequence[str]) -> list[str]:
    """The `git status` command line whose output `parse_status` reads."""
    # Pathspecs keep git from scanning the whole tree: in a 20,000-file repo
    # `status -- _posts` costs a few ms where a full status costs ~50.
    return [
        "git",
        LITERAL_PATHSPECS,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *pathspecs,
    ]


def parse_status(output: str) -> list[StatusLine]:
    """The entries of `git status --porcelain=v1 -z` output: the one parser of it."""
    fields = output.split("\0")
    lines: list[StatusLine] = []
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        old_path = None
        if code[0] in "RC" and index < len(fields):
            old_path = fields[index]  # the original name of a rename or copy follows
            index += 1
        lines.append(StatusLine(code, path, old_path))
    return lines


# --- the git state of each post, for `list` ------------------------------------------


class StatusRun(NamedTuple):
    """A `git status` started by `start_git_status`: its process and the pipe it writes to."""

    pid: int
    output: int


def start_git_status(settings: Settings) -> StatusRun | None:
    """Start `git status` on the posts folder in the background (see `git_states`).

    None when git can't be started (not installed). `git -C ROOT` rather
    than a working folder: `posix_spawn` has no way to set one before 3.13.
    """
    command = status_command([settings.posts_dir])
    # SIGPIPE stays ignored in git, as in this process: the pipe is read to
    # its end, so git never writes to a closed one.
    started = start_reading([command[0], "-C", os.fspath(settings.root), *command[1:]])
    return StatusRun(*started) if started is not None else None


def git_states(run: StatusRun | None, settings: Settings) -> dict[str, str] | None:
    """Each changed post's git state by path: `new`, `modified`, `staged` or `deleted`.

    Posts not in the mapping are committed and unchanged. None when the log
    is not in a git repository (or git is missing). This runs the `git`
    program directly rather than GitPython, which `list` can't afford to import.
    """
    if run is None:
        return None
    chunks: list[bytes] = []
    try:
        while chunk := os.read(run.output, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(run.output)
        _, status = os.waitpid(run.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    posts_dir = settings.posts_dir.strip("/")
    states: dict[str, str] = {}
    for line in parse_status(b"".join(chunks).decode("utf-8", "surrogateescape")):
        code, name = line.code, line.path
        # git prints paths from the top of the repository; the log may sit below it.
        at = name.find(posts_dir + "/")
        while at > 0 and name[at - 1] != "/":
            at = name.find(posts_dir + "/", at + 1)
        if at < 0:
            continue
        path = str(settings.root / name[at:])
        if code == "??":
            states[path] = "new"
        elif "D" in code:
            states[path] = "deleted"
        elif code[1] != " ":
            states[path] = "modified"
        else:
            states[path] = "staged"
    return states
