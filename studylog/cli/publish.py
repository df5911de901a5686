"""Commands that publish: `commit` and `sync`.

Both go through `studylog.vcs`; it is imported inside each command so that
no other command pays for it (and `commit` without `--push` never imports
GitPython).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from studylog.cli import bodies
from studylog.cli.completion import complete_post
from studylog.cli.terminal import open_log_for, root_of, say, say_if_waiting, usage_problems


def commit(
    ctx: typer.Context,
    post: Annotated[
        list[str] | None,
        typer.Argument(
            help="Posts to commit: slug, date or path (default: every new or changed post).",
            show_default=False,
            autocompletion=complete_post,
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
    with usage_problems():
        bodies.commit(root_of(ctx), post, all_files, message, push)


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
