"""Commands that publish: `commit` and `sync`.

Both go through `studylog.vcs`; it is imported inside each command so that
no other command pays for it (and `commit` without `--push` never imports
GitPython).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studylog.cli.terminal import display_path, open_log_for, say, say_if_waiting

if TYPE_CHECKING:
    from studylog.log import Log


def commit(
    ctx: typer.Context,
    post: Annotated[
        list[str] | None,
        typer.Argument(
            help="Posts to commit: slug, date or path (default: every new or changed post).",
            show_default=False,
        ),
    ] = None,
    all_files: Annotated[
        bool,
        typer.Option("--all", "-a", help="Commit every change in the repository, not just posts."),
    ] = False,
    message: Annotated[
        str | None,
        typer.Option("--message", "-m", help="The commit message (default: made from the change)."),
    ] = None,
    push: Annotated[bool, typer.Option("--push", help="Push the commit afterwards.")] = False,
) -> None:
    """Commit the new or changed posts with a message that says what changed."""
    # vcs (and what it imports) only for this command: the others skip it.
    from studylog.vcs import commit_posts

    if message is not None and not message.strip():
        raise typer.BadParameter("the message is empty", param_hint="--message")
    log = open_log_for(ctx)
    paths = [_setup_file(log, spec) or log.find_post(spec).path for spec in post or ()]
    say_if_waiting(log.root)
    result = commit_posts(log, paths, everything=all_files, message=message)
    if result is None:
        if post:
            verb = "has" if len(post) == 1 else "have"
            say(f"Nothing to commit: {', '.join(post)} {verb} no changes since the last commit.")
        elif all_files:
            say("Nothing to commit: the working tree is clean.")
        else:
            say(f"Nothing to commit: no new or changed posts in {log.settings.posts_dir}/.")
    else:
        if result.output:
            say(result.output)
        out = [result.commit, *(display_path(result.top / path) for path in result.paths)]
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()
        say(f"Committed {result.commit} on {result.branch}: {result.message.splitlines()[0]}")
    if push:
        _push(log.root)


def _setup_file(log: Log, spec: str) -> Path | None:
    """`spec` when it names one of the log's set-up files (`.studylog.yml`, …), else None."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.config import CONFIG_NAME

    path = Path(spec)
    if not path.is_file():
        return None
    real = path.resolve()
    root = log.root.resolve()
    templates = log.settings.templates_path.resolve()
    if real in (root / CONFIG_NAME, root / ".gitattributes") or templates in real.parents:
        return path
    return None


def _push(root: Path) -> None:
    # sync (and what it imports) only for this command: the others skip it.
    from studylog.sync import push_branch

    pushed = push_branch(root)
    if pushed.commits == 0:
        say(f"{pushed.upstream.name} is already up to date.")
        return
    plural = "" if pushed.commits == 1 else "s"
    extra = " (upstream set)" if pushed.set_upstream else ""
    say(f"Pushed {pushed.commits} commit{plural} to {pushed.upstream.name}{extra}.")


def sync(ctx: typer.Context) -> None:
    """Pull the remote's commits (rebase, edits stashed), then push yours."""
    # sync (and what it imports) only for this command: the others skip it.
    from studylog.sync import sync_branch

    log = open_log_for(ctx)
    say_if_waiting(log.root)
    result = sync_branch(log.root)
    parts = []
    if result.pulled:
        parts.append(f"pulled {result.pulled} commit{'' if result.pulled == 1 else 's'}")
    if result.pushed:
        parts.append(f"pushed {result.pushed} commit{'' if result.pushed == 1 else 's'}")
    extra = " (upstream set)" if result.set_upstream else ""
    if parts:
        summary = " and ".join(parts)
        say(f"{summary[0].upper()}{summary[1:]} with {result.upstream.name}{extra}.")
    else:
        say(f"Already in sync with {result.upstream.name}{extra}.")


def merge_post_command(
    base: Annotated[Path, typer.Argument(help="The common ancestor's version (git's %O).")],
    ours: Annotated[Path, typer.Argument(help="Our version, replaced by the result (git's %A).")],
    theirs: Annotated[Path, typer.Argument(help="Their version (git's %B).")],
    name: Annotated[str, typer.Argument(help="The post's path in the repository (git's %P).")] = "",
) -> None:
    """Merge two versions of a post for git (the merge driver `init` sets up)."""
    # merge (and what it imports) only for this command: the others skip it.
    from studylog.merge import merge_post

    # No log is opened and no repository state is checked: git runs this in
    # the middle of a rebase or merge, on files it names.
    result = merge_post(base, ours, theirs, name)
    if not result.clean:
        say(
            f"{name or ours}: both sides changed the same lines differently; "
            "git's conflict markers are in the file."
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`, in the order `--help` lists them."""
    app.command()(commit)
    app.command()(sync)
    app.command("merge-post")(merge_post_command)
