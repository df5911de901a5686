"""Git: make a repository, commit the posts that changed, push and sync.

Named `vcs` so that `import git` always means GitPython. Everything goes
through the `git` program, never GitPython's pure-Python index (~0.7 s a
commit in a 20,000-file repository).

`commit_posts` runs `git` with `subprocess`, not through GitPython's
`repo.git`: `import git` alone costs ~75 ms, more than the whole budget
`studylog commit` has over `git add && git commit` (1.6 x ~50 ms in a
20,000-file repository, where Python and the CLI already take ~57 ms;
benchmarks/bench_commit.py measures it). GitPython would only wrap the same
`git` processes. `push_branch` and `sync_branch` talk to a remote, where the
network dwarfs the import, so they go through GitPython's `repo.git` as the
design asks and wrap its errors as `GitError`.

Every failure becomes one `GitError` sentence that says what to do, and
nothing is lost: a refused commit leaves the index as it was, a rejected push
keeps the local commit, and a conflicting sync is rolled back.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.errors import (
    CommitRejectedError,
    GitError,
    PushRejectedError,
    SyncConflictError,
)

if TYPE_CHECKING:
    from studylog.log import Log

POST_SUFFIXES = (".md", ".markdown")
IDENTITY_HELP = (
    'run `git config --global user.name "Your Name"` and '
    "`git config --global user.email you@example.com`, then try again"
)

# The path-taking git commands read names literally: a post named
# `2021-08-05-[day5].md` is a file, not a glob.
_LITERAL = ("--literal-pathspecs",)

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


def is_inside_repository(folder: Path) -> bool:
    """True when `folder` is inside a git work tree."""
    return _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"


def init_repository(folder: Path) -> None:
    """`git init` in `folder`.

    Raises:
        GitError: git is missing or refused.
    """
    result = _git(folder, "init", "-q")
    if result.returncode != 0:
        raise GitError(f"`git init` failed in {folder}: {result.stderr.strip()}")


# ---------------------------------------------------------------- the repository


@dataclass(frozen=True)
class Repository:
    """A git work tree studylog works in: its top folder and its git folder."""

    top: Path
    git_dir: Path

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `git ARGS` at the top of the work tree (no check)."""
        return _git(self.top, *args, input=input)

    def branch(self) -> str | None:
        """The current branch, or None when HEAD is detached."""
        head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        prefix = "ref: refs/heads/"
        return head[len(prefix) :] if head.startswith(prefix) else None

    def operation_in_progress(self) -> str | None:
        """'rebase', 'merge', 'cherry-pick' or 'revert' when one is under way."""
        if (self.git_dir / "rebase-merge").exists() or (self.git_dir / "rebase-apply").exists():
            return "rebase"
        for name, operation in (
            ("MERGE_HEAD", "merge"),
            ("CHERRY_PICK_HEAD", "cherry-pick"),
            ("REVERT_HEAD", "revert"),
        ):
            if (self.git_dir / name).exists():
                return operation
        return None

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
        GitError: `folder` is not inside a git work tree.
    """
    result = _git(folder, "rev-parse", "--show-toplevel", "--absolute-git-dir")
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
        GitError: a rebase, merge, cherry-pick or revert is in progress, or
            HEAD is detached.
    """
    operation = repo.operation_in_progress()
    if operation is not None:
        raise GitError(
            f"A {operation} is in progress in {repo.top}; finish it with "
            f"`git {operation} --continue` or undo it with `git {operation} --abort`, "
            f"then {action} again."
        )
    branch = repo.branch()
    if branch is None:
        raise GitError(
            f"HEAD is detached in {repo.top} (you are not on a branch); "
            f"run `git switch BRANCH` (or `git switch -c NEW-BRANCH` to keep commits made here), "
            f"then {action} again."
        )
    return branch


def _identity_missing(repo: Repository) -> bool:
    # Asked only after git failed, so a working commit pays nothing for it.
    return any(
        repo.run("var", name).returncode != 0
        for name in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")
    )


def _identity_error() -> GitError:
    return GitError(f"Git doesn't know who you are; {IDENTITY_HELP}.")


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True)
class FileChange:
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
    stem = name.rsplit(".", 1)[0]
    match = re.match(r"^\d{4}-\d{2}-\d{2}-(.+)$", stem)
    return match[1] if match else stem


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
    # Pathspecs keep git from scanning the whole tree: in a 20,000-file repo
    # `status -- _posts` costs a few ms where a full status costs ~50.
    args = [*_LITERAL, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--"]
    try:
        process = subprocess.Popen(
            ["git", *args, *pathspecs],
            cwd=repo.top,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError as err:
        raise GitError("The `git` program is not installed; install git and try again.") from err
    if while_waiting is not None:
        while_waiting()
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise GitError(f"`git status` failed: {stderr.strip()}; fix that and try again.")
    fields = stdout.split("\0")
    changes: list[FileChange] = []
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code == "??":
            changes.append(FileChange(path, "added", False, untracked=True))
        elif code[0] in "RC":
            old = fields[index]
            index += 1
            kind = "renamed" if code[0] == "R" else "added"
            changes.append(
                FileChange(path, kind, False, old_path=old if kind == "renamed" else None)
            )
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
    import studylog.extraction  # noqa: F401


def _count_changes(repo: Repository, changes: list[FileChange], log: Log) -> list[FileChange]:
    """The changes with question and review gains filled in for modified posts."""
    modified = [c.path for c in changes if c.post and c.kind == "modified"]
    if not modified:
        return changes
    from studylog.errors import StudylogError
    from studylog.extraction import count_entries

    before = _head_texts(repo, modified)
    counted = []
    for change in changes:
        old = before.get(change.path)
        if change.path in before and old is not None:
            try:
                new = (repo.top / change.path).read_text(encoding="utf-8-sig")
                was, now = count_entries(old, log.settings), count_entries(new, log.settings)
            except (OSError, UnicodeDecodeError, StudylogError):
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
    logs: +3 questions`), a blank line, and one line per change.
    """
    if len(changes) == 1:
        return describe_change(changes[0])
    posts = [c for c in changes if c.post]
    others = len(changes) - len(posts)
    all_added = all(c.kind == "added" for c in changes)
    verb = "Add" if all_added else "Update"
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


@dataclass(frozen=True)
class CommitResult:
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
) -> CommitResult | None:
    """Commit the new or changed posts (or `posts`, or with `everything` every change).

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
    repo = open_repository(log.root)
    branch = check_ready(repo, "run `studylog commit`")
    posts_prefix = repo.relative(log.posts_path).rstrip("/") + "/"
    if everything:
        pathspecs: list[str] = []
    elif posts:
        pathspecs = [repo.relative(p) for p in posts]
    else:
        pathspecs = [posts_prefix]
    counting = message is None or not message.strip()
    # Import the entry counter while git status runs: ~10 ms that overlap.
    changes = read_status(repo, pathspecs, _load_counter if counting else None)
    named = set(pathspecs) if posts else set()
    changes = [
        FileChange(c.path, c.kind, _is_post(c.path, posts_prefix), c.old_path, c.untracked)
        for c in changes
        if everything or c.path in named or _is_post(c.path, posts_prefix)
    ]
    if not changes:
        return None
    if counting:
        changes = _count_changes(repo, changes, log)
    text = commit_message(changes) if counting or message is None else message
    result = CommitResult(repo.top, "", branch, text, tuple(changes))
    new = [c.path for c in changes if c.untracked]
    if new:
        # Intent-to-add makes new files known to git, so `commit -- PATHS`
        # can take them; undone below if the commit fails.
        added = repo.run(*_LITERAL, "add", "--intent-to-add", "--", *new)
        if added.returncode != 0:
            raise GitError(f"`git add` failed: {added.stderr.strip()}; fix that and try again.")
    # `commit -- PATHS` commits exactly these files from the work tree and
    # leaves anything else that is staged alone; git updates the index only
    # if the commit is made.
    done = repo.run(
        *_LITERAL,
        "commit",
        "--no-edit",
        "-m",
        text,
        "--pathspec-from-file=-",
        "--pathspec-file-nul",
        input="\0".join(result.paths),
    )
    if done.returncode != 0:
        if new:
            repo.run(*_LITERAL, "rm", "--cached", "-q", "--ignore-unmatch", "--", *new)
        raise _commit_failure(repo, done)
    match = re.search(r"^\[\S+(?: \([^)]*\))? ([0-9a-f]{4,})\]", done.stdout, re.MULTILINE)
    if match:
        short = match[1]
    else:
        short = repo.run("rev-parse", "--short", "HEAD").stdout.strip()
    return CommitResult(repo.top, short, branch, text, tuple(changes), done.stderr.strip())


def _commit_failure(repo: Repository, done: subprocess.CompletedProcess[str]) -> GitError:
    output = "\n".join(
        "  " + line for line in (done.stdout + done.stderr).strip().splitlines() if line.strip()
    )
    if _identity_missing(repo):
        return _identity_error()
    hooks = _hooks_present(repo)
    if hooks:
        which = " or ".join(hooks)
        return CommitRejectedError(
            f"The {which} hook rejected the commit; fix what it says and run "
            f"`studylog commit` again (nothing was committed):\n{output}"
        )
    return GitError(f"`git commit` failed; fix what git says and try again:\n{output}")


# ---------------------------------------------------------------- push and sync


def _remote_runner(repo: Repository) -> Runner:
    """Run git commands through GitPython's `repo.git`, its errors wrapped as GitError."""
    import git

    try:
        runner = git.Repo(repo.top).git
    except git.exc.GitError as err:
        raise GitError(f"GitPython can't open {repo.top} ({err}); check the repository.") from err

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            status, stdout, stderr = runner.execute(
                ["git", *args],
                with_extended_output=True,
                with_exceptions=False,
                strip_newline_in_stdout=False,
            )
        except git.exc.GitError as err:
            raise GitError(f"Can't run `git {args[0]}` ({err}); check that git works.") from err
        return subprocess.CompletedProcess(["git", *args], int(status), stdout, stderr)

    return run


@dataclass(frozen=True)
class Upstream:
    """Where a branch pushes: the remote, the branch there, and whether it is configured."""

    remote: str
    branch: str
    configured: bool

    @property
    def tracking_ref(self) -> str:
        """The local remote-tracking ref (`refs/remotes/origin/main`)."""
        return f"refs/remotes/{self.remote}/{self.branch}"

    @property
    def name(self) -> str:
        """`origin/main`."""
        return f"{self.remote}/{self.branch}"


def find_upstream(repo: Repository, branch: str) -> Upstream:
    """The branch's upstream, or the remote to push it to for the first time.

    Raises:
        GitError: no remote, or several remotes and no upstream to choose one.
    """
    config = repo.run("config", "--get-regexp", r"^(remote\..*\.url|branch\..*\.(remote|merge))$")
    values: dict[str, str] = {}
    remotes: list[str] = []
    for line in config.stdout.splitlines():
        key, _, value = line.partition(" ")
        values[key] = value
        if key.startswith("remote.") and key.endswith(".url"):
            remotes.append(key[len("remote.") : -len(".url")])
    remote = values.get(f"branch.{branch}.remote")
    merge = values.get(f"branch.{branch}.merge", "")
    if remote and remote != "." and merge.startswith("refs/heads/"):
        return Upstream(remote, merge[len("refs/heads/") :], True)
    if not remotes:
        raise GitError(
            f"The repository at {repo.top} has no remote; add one with "
            "`git remote add origin URL` (your blog's repository), then try again."
        )
    if len(remotes) > 1 and "origin" not in remotes:
        raise GitError(
            f"The branch {branch} has no upstream and there are several remotes "
            f"({', '.join(remotes)}); push it once with `git push -u REMOTE {branch}`, "
            "then try again."
        )
    return Upstream("origin" if "origin" in remotes else remotes[0], branch, False)


@dataclass(frozen=True)
class PushResult:
    """What a push did: where to, how many commits, whether it set the upstream."""

    upstream: Upstream
    commits: int
    set_upstream: bool = False


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: commits pulled from and pushed to the upstream."""

    upstream: Upstream
    pulled: int
    pushed: int
    set_upstream: bool = False
    output: list[str] = field(default_factory=list)


def _rev(repo: Repository, ref: str) -> str | None:
    result = repo.run("rev-parse", "-q", "--verify", f"{ref}^{{commit}}")
    return result.stdout.strip() or None if result.returncode == 0 else None


def _count(repo: Repository, spec: str) -> int:
    result = repo.run("rev-list", "--count", spec)
    return int(result.stdout.strip()) if result.returncode == 0 else 0


def _push(repo: Repository, run: Runner, branch: str, upstream: Upstream) -> PushResult:
    if _rev(repo, "HEAD") is None:
        raise GitError(f"The branch {branch} has no commits yet; run `studylog commit` first.")
    tracking = _rev(repo, upstream.tracking_ref)
    commits = _count(repo, f"{tracking}..HEAD" if tracking else "HEAD")
    args = ["push", "--porcelain"]
    if not upstream.configured:
        args.append("--set-upstream")
    args += [upstream.remote, f"refs/heads/{branch}:refs/heads/{upstream.branch}"]
    done = run(*args)
    if done.returncode == 0:
        if "[up to date]" in done.stdout:
            commits = 0
        return PushResult(upstream, commits, not upstream.configured)
    flags = [line.split("\t") for line in done.stdout.splitlines() if line.startswith("!")]
    summary = flags[0][2] if flags and len(flags[0]) > 2 else ""
    if "remote rejected" in summary:
        raise PushRejectedError(
            f"{upstream.remote} refused the push ({summary}); your commits are kept locally, "
            "fix what the remote requires and push again."
        )
    if flags:
        raise PushRejectedError(
            f"The push to {upstream.name} was rejected because it has commits you don't have; "
            "your commits are kept locally, run `studylog sync` to pull them and push."
        )
    raise GitError(
        f"Can't push to {upstream.remote} ({_reason(done.stderr)}); check the remote's URL "
        "and your access, then run `studylog sync` (your commits are kept locally)."
    )


def push_branch(root: Path) -> PushResult:
    """Push the current branch to its upstream (setting it on the first push).

    Raises:
        GitError: no remote or upstream, detached HEAD, an operation in
            progress, or the remote unreachable. `PushRejectedError` when the
            remote has commits the branch lacks (the local commits stay).
    """
    repo = open_repository(root)
    branch = check_ready(repo, "push")
    upstream = find_upstream(repo, branch)
    return _push(repo, _remote_runner(repo), branch, upstream)


def _unmerged(repo: Repository) -> list[str]:
    result = repo.run("diff", "--name-only", "--diff-filter=U", "-z")
    return [p for p in result.stdout.split("\0") if p]


def _stash_count(repo: Repository) -> int:
    return len([line for line in repo.run("stash", "list").stdout.splitlines() if line])


def sync_branch(root: Path) -> SyncResult:
    """`git pull --rebase --autostash`, then push; set the upstream on the first push.

    A conflict is rolled back before this returns: the rebase is aborted (or,
    when only the stashed edits conflict, the branch is put back and the
    stash re-applied), so the work tree, the index and the local commits are
    as they were and no file holds conflict markers.

    Raises:
        SyncConflictError: the remote's commits conflict with local ones or
            with uncommitted edits; nothing changed.
        PushRejectedError: someone pushed between the pull and the push.
        GitError: no remote, detached HEAD, an operation in progress, no
            identity, or the remote unreachable.
    """
    repo = open_repository(root)
    branch = check_ready(repo, "run `studylog sync`")
    upstream = find_upstream(repo, branch)
    run = _remote_runner(repo)
    pull = upstream.configured
    if not pull:
        # First sync of this branch: pull only if the remote already has it.
        listed = run("ls-remote", "--heads", upstream.remote, f"refs/heads/{upstream.branch}")
        if listed.returncode != 0:
            raise GitError(
                f"Can't reach {upstream.remote} ({_reason(listed.stderr)}); "
                "check the remote's URL and your access, then try again."
            )
        pull = bool(listed.stdout.strip())
    pulled = 0
    if pull:
        pulled = _pull(repo, run, branch, upstream)
    pushed = _push(repo, run, branch, upstream)
    return SyncResult(upstream, pulled, pushed.commits, pushed.set_upstream)


def _pull(repo: Repository, run: Runner, branch: str, upstream: Upstream) -> int:
    """Rebase the branch onto the remote's; the number of commits that came in."""
    before_head = _rev(repo, "HEAD")
    before_tracking = _rev(repo, upstream.tracking_ref)
    stashes = _stash_count(repo)
    done = run("pull", "--rebase", "--autostash", "--no-edit", upstream.remote, upstream.branch)
    if done.returncode != 0:
        if repo.operation_in_progress() == "rebase":
            files = _unmerged(repo)
            aborted = repo.run("rebase", "--abort")
            if aborted.returncode != 0:
                raise GitError(
                    "The sync hit a conflict and `git rebase --abort` failed "
                    f"({aborted.stderr.strip()}); run `git rebase --abort` yourself, "
                    "then `git status` to check your files."
                )
            if not files and _identity_missing(repo):
                raise _identity_error()
            raise SyncConflictError(
                f"Your commits conflict with {upstream.name} in {_names(files)}, so the sync "
                "was undone (your commits and files are as they were); run "
                "`git pull --rebase` to merge by hand, then `studylog sync`."
            )
        if _identity_missing(repo):
            raise _identity_error()
        raise GitError(
            f"`git pull --rebase` from {upstream.name} failed ({_reason(done.stderr)}); "
            "fix that and run `studylog sync` again (nothing was changed)."
        )
    conflicted = _unmerged(repo)
    if conflicted and before_head is not None and _stash_count(repo) > stashes:
        # The rebase went through but re-applying the autostash conflicted:
        # git kept the edits in the stash. Put the branch back where it was
        # and re-apply them there, where they apply cleanly.
        repo.run("reset", "-q", "--hard", before_head)
        popped = repo.run("stash", "pop", "--index")
        if popped.returncode != 0:
            raise GitError(
                "The sync conflicted with your uncommitted edits and they could not be "
                "re-applied; they are safe in `git stash list`, run `git stash pop` to get "
                "them back."
            )
        raise SyncConflictError(
            f"Your uncommitted edits to {_names(conflicted)} conflict with {upstream.name}, "
            "so the sync was undone (your commits and files are as they were); commit them "
            "with `studylog commit`, then run `studylog sync` again."
        )
    after_tracking = _rev(repo, upstream.tracking_ref)
    if after_tracking is None or after_tracking == before_tracking:
        return 0
    return _count(
        repo, f"{before_tracking}..{after_tracking}" if before_tracking else after_tracking
    )


def _reason(stderr: str) -> str:
    """The line of git's stderr that says why: its first `fatal:` or `error:` line."""
    raw = [line for line in stderr.splitlines() if line.strip()]
    for index, line in enumerate(raw):
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                reason = line[len(prefix) :].strip()
                if reason.endswith(":"):
                    # git lists the files it means on the indented lines below.
                    listed = [f.strip() for f in raw[index + 1 :] if f[:1] in " \t"]
                    reason = f"{reason} {', '.join(listed)}" if listed else reason[:-1]
                return reason
    return raw[-1].strip() if raw else "no output"


def _names(paths: Sequence[str]) -> str:
    if not paths:
        return "some files"
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


__all__ = [
    "CommitResult",
    "FileChange",
    "PushResult",
    "Repository",
    "SyncResult",
    "Upstream",
    "commit_message",
    "commit_posts",
    "describe_change",
    "find_upstream",
    "init_repository",
    "is_inside_repository",
    "open_repository",
    "push_branch",
    "sync_branch",
]
