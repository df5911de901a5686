"""jekyll-compose's commands: `draft`, `publish`, and `edit` and `path` for any post."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from studylog.cli import bodies
from studylog.cli.completion import complete_post
from studylog.cli.scaffold import ModeratorOption, ParticipantOption, TemplateOption
from studylog.cli.terminal import (
    display_path,
    open_in_editor,
    open_log_for,
    root_of,
    say,
    say_if_waiting,
    usage_problems,
)

PostArgument = Annotated[
    str | None,
    typer.Argument(
        help="The post: slug, date (YYYY-MM-DD, today, yesterday, -N) or path, "
        "or a draft's slug or path (default: the newest post).",
        show_default=False,
        autocompletion=complete_post,
    ),
]


def draft(
    ctx: typer.Context,
    slug: Annotated[
        str,
        typer.Argument(
            help="The draft's slug, or a title to make it from ('GD notes' -> _drafts/GD-notes.md)."
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option(help="The title (default: SLUG when it was a title, else the title pattern)."),
    ] = None,
    template: TemplateOption = None,
    moderator: ModeratorOption = None,
    participant: ParticipantOption = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Open the new draft in $VISUAL/$EDITOR.")
    ] = False,
    no_carry: Annotated[
        bool,
        typer.Option(
            "--no-carry", help="Don't list the recent posts' open questions in the draft."
        ),
    ] = False,
) -> None:
    """Write a draft, _drafts/SLUG.md, from a template and print its path."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.log import new_slug

    # As jekyll-compose's `jekyll draft "GD notes"`: typed words are the title too.
    made = new_slug(slug)
    if title is None and made != slug:
        title = slug
    with usage_problems():
        bodies.new_post(
            root_of(ctx),
            made,
            title=title,
            template=template,
            moderator=moderator,
            participant=participant,
            edit=edit,
            no_carry=no_carry,
            draft=True,
        )


def publish(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="DRAFT", help="The draft: its slug, or its path (_drafts/SLUG.md)."),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            help="The post's date: YYYY-MM-DD, today, yesterday, tomorrow, +N or -N "
            "(default: today, in the log's timezone)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Publish even if the date already has a post.")
    ] = False,
) -> None:
    """Move a draft into the posts folder as DATE-SLUG.md, date set, and print its path."""
    # drafts (and what it imports) only for this command: the others skip it.
    from studylog.drafts import publish_draft
    from studylog.log import parse_date

    log = open_log_for(ctx, create=False)
    day = parse_date(date, log.today()) if date is not None else log.today()
    say_if_waiting(log.root)
    result = publish_draft(log, name, day, force=force)
    sys.stdout.write(display_path(result.path) + "\n")
    sys.stdout.flush()
    say(f"Published {display_path(result.draft)} as {display_path(result.path)}")
    if result.last_modified_skipped:
        say(
            f"Warning: last_modified_at in {display_path(result.path)} was left as it was "
            f"because {result.last_modified_skipped}; update it by hand if it should change."
        )


def edit(ctx: typer.Context, post: PostArgument = None) -> None:
    """Open a post (or a draft) in $VISUAL/$EDITOR."""
    # drafts (and what it imports) only for this command: the others skip it.
    from studylog.drafts import find_post_or_draft

    log = open_log_for(ctx, create=False)
    ref = find_post_or_draft(log, post, write=True)
    open_in_editor(ref.path)


def path(ctx: typer.Context, post: PostArgument = None) -> None:
    """Print a post's (or a draft's) path, e.g. for `$EDITOR $(studylog path day5)`."""
    # drafts (and what it imports) only for this command: the others skip it.
    from studylog.drafts import find_post_or_draft

    log = open_log_for(ctx, create=False)
    ref = find_post_or_draft(log, post)
    sys.stdout.write(display_path(ref.path) + "\n")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`, in the order `--help` lists them."""
    app.command()(draft)
    app.command()(publish)
    app.command()(edit)
    app.command()(path)
