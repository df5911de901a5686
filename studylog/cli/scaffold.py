"""Commands that make things: `init`, `new`, `templates`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studylog.cli import bodies
from studylog.cli.completion import complete_name, complete_profile, complete_template
from studylog.cli.terminal import (
    display_path,
    is_interactive,
    open_in_editor,
    open_log_for,
    root_of,
    say,
    usage_problems,
    use_line_editing,
)
from studylog.errors import LogNotFoundError

if TYPE_CHECKING:
    from studylog.config import Settings


def init(
    ctx: typer.Context,
    folder: Annotated[
        Path | None, typer.Argument(help="The folder to make a study log (default: here).")
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="ko or en: template, headings and entry formats.",
            autocompletion=complete_profile,
        ),
    ] = "ko",
    course: Annotated[
        str | None,
        typer.Option(
            help="The course: the posts' category and the title's [prefix] "
            "(asked on a terminal; default: none)."
        ),
    ] = None,
) -> None:
    """Make a folder a study log: .studylog.yml, git init, the posts folder."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.config import CONFIG_NAME
    from studylog.scaffold import init_log

    if profile not in ("ko", "en"):
        raise typer.BadParameter("use 'ko' or 'en'", param_hint="--profile")
    root = Path(folder or (ctx.find_root().obj or {}).get("root") or Path.cwd())
    if course is None:
        course = ""
        if is_interactive() and not (root / CONFIG_NAME).exists():
            use_line_editing()
            course = typer.prompt(
                "Course (the posts' category and the title's [prefix]; Enter for none)",
                default="",
                show_default=False,
                err=True,
            )
    result = init_log(root, profile=profile, course=course)
    if result.commit_problem:
        say(f"The set-up files were not committed: {result.commit_problem}")
    if not result.changed:
        say(f"{result.root.resolve()} is already a study log; nothing changed.")
        return
    if not result.created_config:
        # A clone of a log: .studylog.yml came with it; only this machine's parts were missing.
        local = []
        if result.registered_driver:
            local.append("the post merge driver in .git/config")
        if result.created_posts_dir:
            local.append("the posts folder")
        if result.declared_merge:
            local.append(".gitattributes (post merge driver)")
        if result.committed:
            local.append(f"committed the set-up files ({result.committed})")
        say(
            f"{result.root.resolve()} is already a study log (its .studylog.yml is kept); "
            f"set up this machine: {', '.join(local)}."
        )
        return
    done = []
    if result.created_config:
        done.append(".studylog.yml")
    if result.created_repository:
        done.append("git repository")
    if result.created_posts_dir:
        done.append("posts folder")
    if result.declared_merge:
        done.append("post merge driver")
    if result.committed:
        done.append(f"committed them ({result.committed})")
    extra = f" (timezone {result.timezone} from _config.yml)" if result.timezone else ""
    say(f"Initialised a study log in {result.root.resolve()}: {', '.join(done)}{extra}.")


# The options `new` and `draft` share: one spelling, one help text, one completer.
TemplateOption = Annotated[
    str | None,
    typer.Option(
        help="A template name from `studylog templates`.", autocompletion=complete_template
    ),
]
ModeratorOption = Annotated[
    str | None,
    typer.Option(
        help="The moderator (default: rotation or previous post).",
        autocompletion=complete_name,
    ),
]
ParticipantOption = Annotated[
    list[str] | None,
    typer.Option(
        help="A participant; repeat it (default: roster or previous post).",
        autocompletion=complete_name,
    ),
]


def new(
    ctx: typer.Context,
    slug: Annotated[
        str | None,
        typer.Argument(
            help="The post's slug, e.g. day5 (default: day{N}, N the date's study-day number).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(help="YYYY-MM-DD, today, yesterday, tomorrow, +N or -N (log's timezone)."),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="The title (default: the title pattern).")
    ] = None,
    template: TemplateOption = None,
    moderator: ModeratorOption = None,
    participant: ParticipantOption = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Open the new post in $VISUAL/$EDITOR.")
    ] = False,
    no_carry: Annotated[
        bool,
        typer.Option(
            "--no-carry", help="Don't list the recent posts' open questions in the new post."
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Make the post even if the date already has one.")
    ] = False,
    from_member: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="MEMBER",
            help="Start with this teammate's peer session of the same day (after `team pull`).",
        ),
    ] = None,
) -> None:
    """Scaffold a day's post from a template and print its path."""
    with usage_problems():
        bodies.new_post(
            root_of(ctx),
            slug,
            date,
            title,
            template,
            moderator,
            participant,
            edit,
            no_carry,
            force,
            from_member,
        )


def _settings_or_default(ctx: typer.Context) -> Settings:
    """The log's settings; outside any log, the defaults (the built-ins are still there)."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.config import Settings

    try:
        return open_log_for(ctx, create=False).settings
    except LogNotFoundError:
        return Settings(root=Path.cwd())


templates_app = typer.Typer(
    help="The templates `new` can use: list them (the default), show one, copy a built-in.",
    no_args_is_help=False,
)


@templates_app.callback(invoke_without_command=True)
def templates_command(ctx: typer.Context) -> None:
    """List the templates `new` can use, built-in and the log's own."""
    if ctx.invoked_subcommand is not None:
        return
    list_command(ctx)


@templates_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List the templates `new` can use, built-in and the log's own."""
    # templates (and what it imports) only for this command: the others skip it.
    from studylog.templates import list_templates

    settings = _settings_or_default(ctx)
    default = settings.template
    for info in list_templates(settings):
        source = "built-in" if info.builtin else "log"
        mark = " (default)" if info.name == default else ""
        sys.stdout.write(f"{info.name}\t{source}\t{display_path(info.path)}{mark}\n")


@templates_app.command("show")
def show_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The template's name (see `studylog templates`).")],
    builtin: Annotated[
        bool,
        typer.Option(
            "--builtin", help="Show the built-in one even when the log has its own of that name."
        ),
    ] = False,
) -> None:
    """Print a template's text: the log's own, else the built-in one."""
    # templates (and what it imports) only for this command: the others skip it.
    from studylog.templates import find_builtin_template, find_template, read_template

    settings = _settings_or_default(ctx)
    info = find_builtin_template(name) if builtin else find_template(settings, name)
    sys.stdout.write(read_template(info))


@templates_app.command("copy")
def copy_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The built-in template to copy (ko, en, week).")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the log's template of that name.")
    ] = False,
) -> None:
    """Copy a built-in template into the log's templates folder, to edit it; print its path."""
    # templates (and what it imports) only for this command: the others skip it.
    from studylog.templates import copy_builtin_template

    log = open_log_for(ctx, create=False)
    path = copy_builtin_template(log.settings, name, force=force)
    sys.stdout.write(display_path(path) + "\n")
    say(
        f"Copied the built-in '{name}' template to {display_path(path)}; "
        f"posts made from '{name}' now use that copy (commit it with `studylog commit`)."
    )


def week(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(
            help="The week's number, from calendar.start or ISO (default: this week).",
            show_default=False,
        ),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Open the new post in $VISUAL/$EDITOR.")
    ] = False,
) -> None:
    """Write the week's KPT retrospective post (weekN), pre-filled, and print its path."""
    # week (and what it imports) only for this command: the others skip it.
    from studylog.week import write_week_post

    log = open_log_for(ctx, create=False)
    path = write_week_post(log, number)
    sys.stdout.write(display_path(path) + "\n")
    sys.stdout.flush()
    if edit:
        open_in_editor(path, created=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`, in the order `--help` lists them."""
    app.command()(init)
    app.command()(new)
    app.command()(week)
    app.add_typer(templates_app, name="templates")
