"""Publishing: push the branch, and sync it with its remote (pull --rebase, then push).

Split from `studylog.vcs`, which makes and commits. Both talk to a remote,
where the network dwarfs the ~75 ms import, so they go through GitPython's
`repo.git` as the design asks, its errors wrapped as `GitError`. Nothing is
lost: a rejected push keeps the local commit, and a conflicting sync is
rolled back (rebase aborted, stash restored, no conflict markers left).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from studylog.errors import GitError, PushRejectedError, SyncConflictError
from studylog.unfinished import SyncMarker, end_sync, mark_sync, stash_count
from studylog.vcs import (
    Repository,
    Runner,
    check_ready,
    identity_error,
    identity_missing,
    open_repository,
)


def _remote_runner(repo: Repository) -> Runner:
    """Run git commands through GitPython's `repo.git`, its errors wrapped as GitError."""
    # GitPython only for this remote work (TID253: `import git` costs ~75 ms).
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
        # What the server's pre-receive hook printed arrives as "remote: …" lines.
        said = [
            line[len("remote:") :].strip()
            for line in done.stderr.splitlines()
            if line.startswith("remote:") and line[len("remote:") :].strip()
        ]
        told = f"; it said: {' / '.join(said)}" if said else ""
        raise PushRejectedError(
            f"{upstream.remote} refused the push ({summary}){told}; your commits are kept "
            "locally, fix what the remote requires and push again."
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
    from studylog.post import locked  # post only when a lock is taken

    # The writers' lock, held to the end: an entry added while the pull
    # rebases waits and then goes into the pulled post, and a `studylog
    # commit` can't land mid-rebase, where the rollback would reset it away.
    with locked(root):
        return _sync(root)


def _sync(root: Path) -> SyncResult:
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
    """Rebase the branch onto the remote's; the number of commits that came in.

    While it runs, a marker in the git folder says a sync is under way; it
    is removed once the repository is back in a usable state, so a sync
    killed half way is recognised and explained by the next command
    (`studylog.unfinished`).
    """
    before_head = _rev(repo, "HEAD")
    stashes = stash_count(repo.git_dir)
    mark_sync(repo.git_dir, SyncMarker(branch, before_head or "", stashes))
    try:
        return _pull_marked(repo, run, upstream, before_head, stashes)
    except KeyboardInterrupt:
        # Ctrl-C reached git too; undo a rebase it left half done.
        if repo.operation_in_progress() == "rebase":
            repo.run("rebase", "--abort")
        raise
    finally:
        end_sync(repo.git_dir, repo.top)


def _pull_marked(
    repo: Repository, run: Runner, upstream: Upstream, before_head: str | None, stashes: int
) -> int:
    before_tracking = _rev(repo, upstream.tracking_ref)
    done = run("pull", "--rebase", "--autostash", "--no-edit", upstream.remote, upstream.branch)
    set_aside: dict[Path, bytes] = {}
    if done.returncode != 0 and repo.operation_in_progress() is None:
        done, set_aside = _retry_without_copies(repo, run, upstream, done)
    if done.returncode != 0:
        try:
            _pull_failed(repo, upstream, done)
        finally:
            # Whatever undid the pull, the copies set aside come back.
            for local, data in set_aside.items():
                if not local.exists():
                    local.write_bytes(data)
    conflicted = _unmerged(repo)
    if conflicted and before_head is not None and stash_count(repo.git_dir) > stashes:
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


def _pull_failed(
    repo: Repository, upstream: Upstream, done: subprocess.CompletedProcess[str]
) -> NoReturn:
    """Undo a failed pull (abort its rebase) and raise the error that says why."""
    if repo.operation_in_progress() == "rebase":
        files = _unmerged(repo)
        aborted = repo.run("rebase", "--abort")
        if aborted.returncode != 0:
            raise GitError(
                "The sync hit a conflict and `git rebase --abort` failed "
                f"({aborted.stderr.strip()}); run `git rebase --abort` yourself, "
                "then `git status` to check your files."
            )
        if not files and identity_missing(repo):
            raise identity_error()
        raise SyncConflictError(
            f"Your commits conflict with {upstream.name} in {_names(files)}, so the sync "
            "was undone (your commits and files are as they were); run "
            "`git pull --rebase` to merge by hand, then `studylog sync`."
        )
    if identity_missing(repo):
        raise identity_error()
    raise GitError(
        f"`git pull --rebase` from {upstream.name} failed ({_reason(done.stderr)}); "
        "fix that and run `studylog sync` again (nothing was changed)."
    )


def _in_the_way(stderr: str) -> list[str]:
    """The untracked files git names when they would be overwritten by the pull."""
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        if "untracked working tree files would be overwritten" in line:
            return [f.strip() for f in lines[index + 1 :] if f[:1] == "\t" and f.strip()]
    return []


def _retry_without_copies(
    repo: Repository, run: Runner, upstream: Upstream, failed: subprocess.CompletedProcess[str]
) -> tuple[subprocess.CompletedProcess[str], dict[Path, bytes]]:
    """Pull again when the only untracked files in the way are copies of the remote's.

    A second machine that ran `studylog init` before its first sync has its
    own `.studylog.yml`, byte for byte the one the first machine pushed: git
    refuses to overwrite it, though nothing would be lost. Such copies are
    set aside for the pull (the caller puts them back if it fails). Any
    other file in the way keeps the sync from starting, as before.
    """
    paths = _in_the_way(failed.stderr)
    if not paths:
        return failed, {}
    saved: dict[Path, bytes] = {}
    for path in paths:
        local = repo.top / path
        theirs = subprocess.run(
            ["git", "cat-file", "blob", f"{upstream.tracking_ref}:{path}"],
            cwd=repo.top,
            capture_output=True,
            check=False,
        )
        try:
            mine = local.read_bytes() if not local.is_symlink() else None
        except OSError:
            mine = None
        if theirs.returncode != 0 or mine is None or mine != theirs.stdout:
            return failed, {}
        saved[local] = mine
    for local in saved:
        local.unlink()
    return (
        run("pull", "--rebase", "--autostash", "--no-edit", upstream.remote, upstream.branch),
        saved,
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


__all__ = ["PushResult", "SyncResult", "Upstream", "find_upstream", "push_branch", "sync_branch"]
