"""Git: make a repository and commit the posts that changed.

Named `vcs` so that `import git` always means GitPython. Everything goes
through the `git` program, never GitPython's pure-Python index (~0.7 s a
commit in a 20,000-file repository).

`commit_posts` runs `git` with `subprocess`, not through GitPython's
`repo.git`: `import git` alone costs ~75 ms, more than the whole budget
`studylog commit` has over `git add && git commit` (1.6 x ~50 ms in a
20,000-file repository, where Python and the CLI already take ~57 ms;
benchmarks/bench_commit.py measures it). GitPython would only wrap the same
`git` processes. Pushing and syncing live in `studylog.sync`, which talks to
a remote through GitPython's `repo.git`.

Every failure becomes one `GitError` sentence that says what to do, and
nothing is lost: a refused commit leaves the index as it was, a rejected push
keeps the local commit, and a conflicting sync is rolled back.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from studylog.errors import CommitRejectedError, GitError, OperationInProgressError, StudylogError
from studylog.git_status import LITERAL_PATHSPECS, parse_status, status_command
from studylog.log import POST_NAME, POST_SUFFIXES
from studylog.post import read_post

if TYPE_CHECKING:
    from studylog.log import Log

IDENTITY_HELP = (
    'run `git config --global user.name "Your Name"` and '
    "`git config --global user.email you@example.com`, then try again"
)

# The path-taking git commands read names literally (see `git_status`).
_LITERAL = (LITERAL_PATHSPECS,)

Runner = Callable[..., subprocess.CompletedProcess[str]]


def _git(folder: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            input=input,
            check=False,
        )
    except FileNotFoundError as err:
        raise GitError("The `git` program is not installed; install git and try again.") from err


def _start_git(folder: Path, *args: str) -> subprocess.Popen[str]:
    """Start `git ARGS` in `folder` with pipes for its input and output."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError as err:
        raise GitError("The `git` program is not installed; install git and try again.") from err


def is_inside_repository(folder: Path) -> bool:
    """True when `folder` is inside a git work tree.

    Raises:
        GitError: git refuses the repository as owned by someone else.
    """
    result = _git(folder, "rev-parse", "--is-inside-work-tree")
    _check_ownership(folder, result)
    return result.stdout.strip() == "true"


def _check_ownership(folder: Path, result: subprocess.CompletedProcess[str]) -> None:
    """Raise git's dubious-ownership refusal as what it is, not "no repository"."""
    if "dubious ownership" not in result.stderr:
        return
    match = re.search(r"safe\.directory '?([^'\n]+)'?", result.stderr)
    top = match[1].strip() if match else str(folder)
    raise GitError(
        f"git refuses the repository at {top} because another user owns it "
        f'("dubious ownership"); if you trust it, run '
        f"`git config --global --add safe.directory {top}` and try again."
    )


def _index_lock_error(repo: Repository, stderr: str, action: str) -> GitError | None:
    """A sentence for git's "index.lock: File exists", or None when that is not the cause."""
    if "index.lock" not in stderr or "File exists" not in stderr:
        return None
    lock = repo.git_dir / "index.lock"
    return GitError(
        f"Can't {action}: {lock} exists, so another git command is running or one crashed; "
        f"wait for it, or if no git is running delete {lock} and try again."
    )


def init_repository(folder: Path) -> None:
    """`git init` in `folder`.

    Raises:
        GitError: git is missing or refused.
    """
    result = _git(folder, "init", "-q")
    if result.returncode != 0:
        raise GitError(f"`git init` failed in {folder}: {result.stderr.strip()}")


# ---------------------------------------------------------------- the repository


# The records here are NamedTuples, not dataclasses: `commit` defines them
# on every run, before git starts, and a frozen dataclass costs ~0.35 ms to
# define against ~0.05 for a NamedTuple.
class Repository(NamedTuple):
    """A git work tree studylog works in: its top folder and its git folder."""

    top: Path
    git_dir: Path

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `git ARGS` at the top of the work tree (no check)."""
        return _git(self.top, *args, input=input)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start `git ARGS` at the top of the work tree; its input is written later."""
        return _start_git(self.top, *args)

    def branch(self) -> str | None:
        """The current branch, or None when HEAD is detached."""
        head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        prefix = "ref: refs/heads/"
        return head[len(prefix) :] if head.startswith(prefix) else None

    def operation_in_progress(self) -> str | None:
        """'rebase', 'merge', 'cherry-pick' or 'revert' when one is under way."""
        # Loaded when a command asks: reading the repository needs no more.
        from studylog.unfinished import operation_in_progress

        return operation_in_progress(self.git_dir)

    def relative(self, path: Path) -> str:
        """`path` as a '/'-separated path from the top of the work tree.

        Raises:
            GitError: the path is outside the work tree.
        """
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            return absolute.resolve().relative_to(self.top).as_posix()
        except ValueError as err:
            raise GitError(
                f"{path} is outside the git repository at {self.top}; name a post inside the log."
            ) from err


def open_repository(folder: Path) -> Repository:
    """The git work tree that holds `folder`.

    Raises:
        GitError: `folder` is not inside a git work tree, or git refuses it
            as owned by another user.
    """
    result = _git(folder, "rev-parse", "--show-toplevel", "--absolute-git-dir")
    _check_ownership(folder, result)
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 2:
        raise GitError(
            f"{folder} is not in a git repository; run `git init` there "
            "(or clone your blog) and try again."
        )
    return Repository(Path(lines[0]).resolve(), Path(lines[1]))


def check_ready(repo: Repository, action: str) -> str:
    """The current branch, once it is safe to `action` (commit, sync) on it.

    Raises:
        OperationInProgressError: a rebase, merge, cherry-pick or revert is
            in progress, or a `studylog sync` was interrupted.
        GitError: HEAD is detached.
    """
    from studylog.unfinished import unfinished_advice  # only checking commands need it

    advice = unfinished_advice(repo.git_dir, repo.top, action)
    if advice is not None:
        raise OperationInProgressError(advice + ".")
    branch = repo.branch()
    if branch is None:
        raise GitError(
            f"HEAD is detached in {repo.top} (you are not on a branch); "
            f"run `git switch BRANCH` (or `git switch -c NEW-BRANCH` to keep commits made here), "
            f"then {action} again."
        )
    return branch


def identity_missing(repo: Repository) -> bool:
    # Asked only after git failed, so a working commit pays nothing for it.
    return any(
        repo.run("var", name).returncode != 0
        for name in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")
    )


def identity_error() -> GitError:
    return GitError(f"Git doesn't know who you are; {IDENTITY_HELP}.")


# ---------------------------------------------------------------- what changed


class FileChange(NamedTuple):
    """One changed file in a commit.

    `kind` is 'added', 'modified', 'deleted' or 'renamed' (`old_path` is then
    where it was). For a modified post, `questions` and `reviews` are the
    entries gained (negative: removed) since HEAD, when they could be counted.
    """

    path: str
    kind: str
    post: bool
    old_path: str | None = None
    untracked: bool = False
    questions: int = 0
    reviews: int = 0

    @property
    def label(self) -> str:
        """The post's slug (`day5`), or the file's path for any other file."""
        return post_label(self.path) if self.post else self.path


def post_label(path: str) -> str:
    """The slug of a post path: `_posts/2021-08-05-day5.md` -> `day5`."""
    name = path.rsplit("/", 1)[-1]
    match = POST_NAME.match(name)
    return match[4] if match else name.rsplit(".", 1)[0]


def read_status(
    repo: Repository,
    pathspecs: Sequence[str],
    while_waiting: Callable[[], object] | None = None,
) -> list[FileChange]:
    """The changed files under `pathspecs` (everything when empty), per `git status`.

    `while_waiting` runs while git works (on the other core, so to speak).

    Raises:
        GitError: git refused.
    """
    # status_command's line starts with "git", which _start_git supplies.
    process = _start_git(repo.top, *status_command(pathspecs)[1:])
    if while_waiting is not None:
        while_waiting()
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise GitError(f"`git status` failed: {stderr.strip()}; fix that and try again.")
    changes: list[FileChange] = []
    for line in parse_status(stdout):
        code, path = line.code, line.path
        if code == "??":
            changes.append(FileChange(path, "added", False, untracked=True))
        elif code[0] in "RC":
            kind = "renamed" if code[0] == "R" else "added"
            old = line.old_path if kind == "renamed" else None
            changes.append(FileChange(path, kind, False, old_path=old))
        elif code[0] == "A":
            changes.append(FileChange(path, "added", False))
        elif "D" in code and code[0] in " D":
            changes.append(FileChange(path, "deleted", False))
        else:
            changes.append(FileChange(path, "modified", False))
    return changes


def _head_texts(repo: Repository, paths: Sequence[str]) -> dict[str, str | None]:
    """Each path's text at HEAD (None when HEAD has no such file or it isn't UTF-8)."""
    if not paths:
        return {}
    # One `cat-file --batch` for every post instead of one `git show` each.
    result = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo.top,
        input="".join(f"HEAD:{path}\n" for path in paths).encode("utf-8", "surrogateescape"),
        capture_output=True,
        check=False,
    )
    texts: dict[str, str | None] = {}
    data = result.stdout
    offset = 0
    for path in paths:
        end = data.find(b"\n", offset)
        if end < 0:
            texts[path] = None
            continue
        header = data[offset:end].split()
        offset = end + 1
        if len(header) != 3 or header[1] != b"blob":
            texts[path] = None
            continue
        size = int(header[2])
        blob = data[offset : offset + size]
        offset += size + 1
        try:
            texts[path] = blob.decode("utf-8-sig")
        except UnicodeDecodeError:
            texts[path] = None
    return texts


def _load_counter() -> None:
    import studylog.markdown.extraction  # noqa: F401


def _modified_posts(changes: Sequence[FileChange]) -> list[str]:
    return [c.path for c in changes if c.post and c.kind == "modified"]


def _count_changes(
    repo: Repository,
    changes: list[FileChange],
    log: Log,
    before: dict[str, str | None],
) -> list[FileChange]:
    """The changes with question and review gains filled in for modified posts.

    `before` holds each modified post's text at HEAD (from the commit
    journal, or `_head_texts`); a post missing from it is not counted.
    """
    if not _modified_posts(changes):
        return changes
    # The entry reader only to word a commit message.
    from studylog.markdown.extraction import count_entries

    counted = []
    for change in changes:
        old = before.get(change.path)
        if change.path in before and old is not None:
            try:
                new = read_post(repo.top / change.path).text
                was, now = count_entries(old, log.settings), count_entries(new, log.settings)
            except StudylogError:
                # The message then just says "Update": counting is a courtesy.
                counted.append(change)
                continue
            change = FileChange(
                change.path,
                change.kind,
                change.post,
                change.old_path,
                change.untracked,
                now.questions - was.questions,
                now.reviews - was.reviews,
            )
        counted.append(change)
    return counted


# What words a commit once git has started on it: the changes (with their
# entry gains counted) and the message.
Wording = Callable[[], tuple[list[FileChange], str]]


def _wording(
    repo: Repository,
    changes: list[FileChange],
    log: Log,
    before: dict[str, str | None],
    message: str | None,
) -> Wording:
    """How to word the commit: `message` as given, or made from the counted changes."""
    counting = message is None or not message.strip()

    def word() -> tuple[list[FileChange], str]:
        if not counting:
            assert message is not None
            return changes, message
        counted = _count_changes(repo, changes, log, before)
        return counted, commit_message(counted)

    return word


# ---------------------------------------------------------------- the message


def _plural(count: int, word: str) -> str:
    sign = "+" if count > 0 else "-"
    return f"{sign}{abs(count)} {word}{'' if abs(count) == 1 else 's'}"


def _gains(questions: int, reviews: int) -> str:
    parts = []
    if questions:
        parts.append(_plural(questions, "question"))
    if reviews:
        parts.append(_plural(reviews, "review"))
    return ", ".join(parts)


def describe_change(change: FileChange) -> str:
    """One line for one change: `Add day5 study log`, `day5: +2 questions, +1 review`."""
    noun = f"{change.label} study log" if change.post else change.label
    if change.kind == "added":
        return f"Add {noun}"
    if change.kind == "deleted":
        return f"Remove {noun}"
    if change.kind == "renamed":
        old = post_label(change.old_path or "") if change.post else change.old_path
        return f"Rename {old} to {change.label}" + (" study log" if change.post else "")
    gains = _gains(change.questions, change.reviews)
    return f"{change.label}: {gains}" if gains and change.post else f"Update {noun}"


def commit_message(changes: Sequence[FileChange]) -> str:
    """The commit message made from the changes themselves.

    One change gets one line. Several get a summary line (`Update 2 study
    logs: +3 questions`, or `Add day1 study log and 2 other files` when one
    post goes with other files), a blank line, and one line per change.
    """
    if len(changes) == 1:
        return describe_change(changes[0])
    posts = [c for c in changes if c.post]
    others = len(changes) - len(posts)
    all_added = all(c.kind == "added" for c in changes)
    verb = "Add" if all_added else "Update"
    if len(posts) == 1:
        # One post with set-up or other files (the first post's commit): name the post.
        return (
            f"{describe_change(posts[0])} and {others} other file{'' if others == 1 else 's'}"
            "\n\n" + "\n".join(f"- {describe_change(c)}" for c in changes)
        )
    if posts:
        subject = f"{verb} {len(posts)} study log{'' if len(posts) == 1 else 's'}"
        if others:
            subject += f" and {others} other file{'' if others == 1 else 's'}"
    else:
        subject = f"{verb} {others} files"
    gains = _gains(sum(c.questions for c in posts), sum(c.reviews for c in posts))
    if gains:
        subject += f": {gains}"
    body = "\n".join(f"- {describe_change(c)}" for c in changes)
    return f"{subject}\n\n{body}"


# ---------------------------------------------------------------- commit


class CommitResult(NamedTuple):
    """A commit studylog made: its short hash, message and files.

    `top` is the work tree's top folder (the paths are relative to it);
    `output` holds what hooks printed on the way (shown to the user).
    """

    top: Path
    commit: str
    branch: str
    message: str
    changes: tuple[FileChange, ...]
    output: str = ""

    @property
    def paths(self) -> list[str]:
        """Every path the commit touched, from the top of the work tree."""
        found: list[str] = []
        for change in self.changes:
            if change.old_path:
                found.append(change.old_path)
            found.append(change.path)
        return found


def _is_post(path: str, posts_prefix: str) -> bool:
    return path.startswith(posts_prefix) and path.endswith(POST_SUFFIXES)


def setup_pathspecs(repo: Repository, log: Log) -> list[str]:
    """The files that make a clone a working log: `.studylog.yml`, `.gitattributes`, templates.

    They go into the commits `studylog commit` makes, so a plain `git clone`
    on another machine has them.
    """
    # config's names only for a setup commit.
    from studylog.config import CONFIG_NAME

    root = log.root
    found = [repo.relative(root / CONFIG_NAME), repo.relative(root / ".gitattributes")]
    templates = repo.relative(log.settings.templates_path)
    if log.settings.templates_path.resolve() != root.resolve():
        found.append(templates.rstrip("/") + "/")
    return found


def _is_setup(path: str, setup: Sequence[str]) -> bool:
    return any(path == spec or (spec.endswith("/") and path.startswith(spec)) for spec in setup)


def _hooks_present(repo: Repository) -> list[str]:
    hooks_path = repo.run("config", "--path", "core.hooksPath").stdout.strip()
    folder = (repo.top / hooks_path) if hooks_path else repo.git_dir / "hooks"
    return [
        name
        for name in ("pre-commit", "prepare-commit-msg", "commit-msg")
        if os.access(folder / name, os.X_OK)
    ]


def commit_posts(
    log: Log,
    posts: Sequence[Path] = (),
    *,
    everything: bool = False,
    message: str | None = None,
    setup_only: bool = False,
) -> CommitResult | None:
    """Commit the new or changed posts (or `posts`, or with `everything` every change).

    Without `posts`, changes to the log's set-up (`.studylog.yml`,
    `.gitattributes`, the templates folder) go in too, so that the first
    post's commit makes a clone a working log; `setup_only` commits just
    those (what `init` does in a log that already has posts). So do changes
    to drafts git already tracks (a published draft's removal), never an
    untracked draft.

    Only those files go into the commit, even when other files are staged:
    they stay staged for the user's own next commit. The message is made from
    the change unless `message` is given.

    Returns:
        The commit, or None when there is nothing to commit.

    Raises:
        GitError: not a repository, detached HEAD, an operation in progress,
            no identity, or git refused. `CommitRejectedError` when a hook
            rejected it. In every case the index is as it was.
    """
    from studylog.post import locked  # post only when a lock is taken

    # The writers' lock, held to the end: an entry added meanwhile waits,
    # and a sync can't rebase (or abort a rebase) under this commit.
    with locked(log.root):
        return _commit_posts(log, posts, everything, message, setup_only)


def _commit_posts(
    log: Log, posts: Sequence[Path], everything: bool, message: str | None, setup_only: bool
) -> CommitResult | None:
    # The commit journal only where a commit is made.
    from studylog import journal

    found = journal.git_folder(log.root)
    # A commit that leaves every post and set-up file committed starts a
    # fresh journal; the default one may also be made from the journal.
    fresh = not posts and not setup_only
    snapshot = None
    if found and fresh:
        try:
            snapshot = journal.begin_commit(log.settings, found[1])
        except OSError:
            pass  # a git folder studylog can't write in: no journal, the scan decides
    result: CommitResult | None | Rescan = RESCAN
    if snapshot is not None and snapshot.changes is not None and not everything and found:
        result = _commit_journaled(log, found, snapshot.changes, message)
    if isinstance(result, Rescan):
        result = _commit_scanned(log, posts, everything, message, setup_only)
    if snapshot is not None:
        try:
            journal.end_commit(snapshot)
        except OSError:
            journal.drop(snapshot.git_dir)  # the next commit scans
    return result


class Rescan:
    """The commit journal's changes could not be committed as they are: scan with git status."""


RESCAN = Rescan()


def _commit_journaled(
    log: Log,
    found: tuple[Path, Path],
    journaled: list[tuple[str, str, str | None]],
    message: str | None,
) -> CommitResult | None | Rescan:
    """Commit the posts the journal names, without `git status` or `cat-file`."""
    repo = Repository(found[0].resolve(), found[1])
    branch = check_ready(repo, "run `studylog commit`")
    texts: dict[str, str | None] = {}
    changes = []
    for path, kind, text in journaled:
        relative = repo.relative(Path(path))
        changes.append(FileChange(relative, kind, True, untracked=kind == "added"))
        if kind == "modified":
            texts[relative] = text
    if not changes:
        return None
    # In `git status` order: changed tracked files, then new ones, each by path.
    changes.sort(key=lambda c: (c.untracked, c.path.encode("utf-8", "surrogateescape")))
    word = _wording(repo, changes, log, texts, message)
    return _commit_changes(repo, branch, changes, word, rescan_if_unknown=True)


def _commit_scanned(
    log: Log, posts: Sequence[Path], everything: bool, message: str | None, setup_only: bool
) -> CommitResult | None:
    """Commit what `git status` says changed (the way without a journal)."""
    repo = open_repository(log.root)
    branch = check_ready(repo, "run `studylog commit`")
    posts_prefix = repo.relative(log.posts_path).rstrip("/") + "/"
    # Drafts git already tracks follow along (a published draft's removal goes
    # with its new post); studylog never adds a draft to git, which would push it.
    drafts_prefix = repo.relative(log.settings.drafts_path).rstrip("/") + "/"
    setup = [] if posts else setup_pathspecs(repo, log)
    if everything:
        pathspecs: list[str] = []
    elif setup_only:
        pathspecs = setup
    elif posts:
        pathspecs = [repo.relative(p) for p in posts]
    else:
        pathspecs = [posts_prefix, drafts_prefix, *setup]
    counting = message is None or not message.strip()
    # Import the entry counter while git status runs: ~10 ms that overlap.
    changes = read_status(repo, pathspecs, _load_counter if counting else None)
    named = set(pathspecs) if posts else set()
    changes = [
        FileChange(c.path, c.kind, _is_post(c.path, posts_prefix), c.old_path, c.untracked)
        for c in changes
        if everything
        or c.path in named
        or (_is_post(c.path, posts_prefix) and not setup_only)
        or (not posts and not setup_only and c.path.startswith(drafts_prefix) and not c.untracked)
        or _is_setup(c.path, setup)
    ]
    if not changes:
        return None
    # HEAD's texts before the commit starts: once it is made, HEAD is the new text.
    before = _head_texts(repo, _modified_posts(changes)) if counting else {}
    word = _wording(repo, changes, log, before, message)
    result = _commit_changes(repo, branch, changes, word, rescan_if_unknown=False)
    assert not isinstance(result, Rescan)  # only a journaled commit asks for a rescan
    return result


# git's words when a path it was given is neither tracked nor addable (a
# post the journal knows but .gitignore hides): the scan decides then.
_UNKNOWN_PATH = ("did not match any file", "paths are ignored")


# Paths up to this size go to `git commit` as arguments, leaving its standard
# input to the message, which is then worded while git works; more go on
# standard input after the message is made (far below Linux's 128 KiB for
# one argument and 2 MiB for all).
_MAX_PATH_ARGUMENTS = 64 * 1024


def _commit_changes(
    repo: Repository,
    branch: str,
    changes: list[FileChange],
    word: Wording,
    *,
    rescan_if_unknown: bool,
) -> CommitResult | Rescan:
    paths = CommitResult(repo.top, "", branch, "", tuple(changes)).paths
    new = [c.path for c in changes if c.untracked]
    if new:
        # Intent-to-add makes new files known to git, so `commit -- PATHS`
        # can take them; undone below if the commit fails.
        added = repo.run(*_LITERAL, "add", "--intent-to-add", "--", *new)
        if added.returncode != 0:
            if rescan_if_unknown and any(words in added.stderr for words in _UNKNOWN_PATH):
                return RESCAN
            raise _index_lock_error(repo, added.stderr, "stage the posts") or GitError(
                f"`git add` failed: {added.stderr.strip()}; fix that and try again."
            )
    # `commit -- PATHS` commits exactly these files from the work tree and
    # leaves anything else that is staged alone; git updates the index only
    # if the commit is made.
    commit = [*_LITERAL, "commit", "--no-edit"]
    if sum(len(path) + 1 for path in paths) <= _MAX_PATH_ARGUMENTS:
        # git reads the index and stats the work tree before it reads the
        # message: counting the posts' entries (~20 ms with its import)
        # happens meanwhile, on the other core.
        process = repo.start(*commit, "-F", "-", "--", *paths)
        try:
            changes, text = word()
        except BaseException:
            # An empty message makes git give up and put its locks back.
            process.communicate("")
            _forget_new(repo, new)
            raise
        stdout, stderr = process.communicate(text)
    else:
        changes, text = word()
        process = repo.start(*commit, "-m", text, "--pathspec-from-file=-", "--pathspec-file-nul")
        stdout, stderr = process.communicate("\0".join(paths))
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if done.returncode != 0:
        _forget_new(repo, new)
        if rescan_if_unknown and any(words in done.stderr for words in _UNKNOWN_PATH):
            # git checks the paths before any hook runs: nothing happened yet.
            return RESCAN
        _check_ownership(repo.top, done)
        raise _commit_failure(repo, done)
    match = re.search(r"^\[\S+(?: \([^)]*\))? ([0-9a-f]{4,})\]", done.stdout, re.MULTILINE)
    if match:
        short = match[1]
    else:
        short = repo.run("rev-parse", "--short", "HEAD").stdout.strip()
    return CommitResult(repo.top, short, branch, text, tuple(changes), done.stderr.strip())


def _forget_new(repo: Repository, new: list[str]) -> None:
    """Undo the intent-to-add of the new files after a commit that wasn't made."""
    if new:
        repo.run(*_LITERAL, "rm", "--cached", "-q", "--ignore-unmatch", "--", *new)


def _commit_failure(repo: Repository, done: subprocess.CompletedProcess[str]) -> GitError:
    output = "\n".join(
        "  " + line for line in (done.stdout + done.stderr).strip().splitlines() if line.strip()
    )
    if identity_missing(repo):
        return identity_error()
    locked = _index_lock_error(repo, done.stderr, "commit")
    if locked is not None:
        return locked
    hooks = _hooks_present(repo)
    if hooks:
        which = " or ".join(hooks)
        return CommitRejectedError(
            f"The {which} hook rejected the commit; fix what it says and run "
            f"`studylog commit` again (nothing was committed):\n{output}"
        )
    return GitError(f"`git commit` failed; fix what git says and try again:\n{output}")


__all__ = [
    "CommitResult",
    "FileChange",
    "Repository",
    "Runner",
    "check_ready",
    "commit_message",
    "commit_posts",
    "describe_change",
    "identity_error",
    "identity_missing",
    "init_repository",
    "is_inside_repository",
    "open_repository",
]
