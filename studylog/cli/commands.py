"""The Typer app: every command, its options and help, and errors to exit codes.

Each command group lives in a module of its own (`scaffold`, `entries`,
`publish`, `read`, `compose`, `team`) whose `register` adds its commands to
`app`; they import the core inside each command so that a command loads
only what it uses. `StudylogGroup.invoke` is the one place where errors
become exit codes for the lines typer runs: 1 for a `StudylogError`, 2 for
usage (Click), 130 for Ctrl-C (Typer); `studylog.cli.dispatch` does the same
for the lines it answers itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from studylog import __version__
from studylog.cli import compose, entries, manual, publish, read, scaffold, team
from studylog.cli.terminal import print_error
from studylog.errors import StudylogError

if TYPE_CHECKING:
    # typer 0.28 vendors Click and names Click's Context (what TyperGroup.invoke
    # takes) only in its private `_click`; the annotation is erased at run time.
    from typer._click import Context as ClickContext

# "\b" keeps Click from re-wrapping the paragraph that follows it.
DAILY_LOOP = """\
\b
The daily loop:
  studylog new day5                       scaffold today's post
  studylog add-question --asker 민수 --question "…" --answer "…"
  studylog add-review --assignment "선택과제 1" --topic "GD" --presenter 지수
  studylog commit --push                  publish it

\b
Then: list, show, search, check, stats, export.
The manual: studylog docs (a page: studylog docs reading).
"""


class StudylogGroup(TyperGroup):
    """The root command group: turns `StudylogError` into one line and exit 1."""

    def invoke(self, ctx: ClickContext) -> object:
        try:
            return super().invoke(ctx)
        except StudylogError as err:
            print_error(str(err))
            raise typer.Exit(1) from err
        except typer.Abort as err:
            # Click's prompt turns Ctrl-C into Abort (exit 1, "Aborted!");
            # an interrupt is 130 wherever it happens.
            if isinstance(err.__context__, KeyboardInterrupt):
                sys.stderr.write("\n")
                raise typer.Exit(130) from err
            raise


app = typer.Typer(
    cls=StudylogGroup,
    help="Keep a daily study log on a Jekyll blog: scaffold, record, publish.",
    epilog=DAILY_LOOP,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"studylog {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            envvar="STUDYLOG_ROOT",
            help="The study log's folder (default: .studylog.yml upwards, else ~/studylog).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Keep a daily study log on a Jekyll blog: scaffold, record, publish."""
    ctx.obj = {"root": root}


# The command groups, in the order `--help` lists them.
entries.register(app)
publish.register(app)
read.register(app)
scaffold.register(app)
compose.register(app)
team.register(app)
manual.register(app)

__all__ = ["app", "run"]


def _first_word(args: list[str]) -> str | None:
    """The first argument after any `--root DIR`: a command's name or an option."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--root":
            index += 2
        elif arg.startswith("--root="):
            index += 1
        else:
            return arg
    return None


def run(args: list[str]) -> None:
    """Run the command line `args` through typer (the dispatcher checked the terminal)."""
    # typer.main only when the console script runs, not on import.
    from typer.main import get_command_name

    # Typer turns every registered command into a Click command (signatures,
    # annotations, parameters) on each run, ~0.7 ms a command. When the line
    # names a known command, only that one is built; `--version` is answered
    # by an eager callback before any command is looked at, so it needs none.
    # Anything else (help, completion, an unknown name and its "Did you
    # mean") gets all of them.
    first = _first_word(args)
    if first is not None and "_STUDYLOG_COMPLETE" not in os.environ:
        if first == "--version":
            app.registered_commands = []
        elif not first.startswith("-"):
            chosen = [
                info
                for info in app.registered_commands
                if (info.name or get_command_name(info.callback.__name__ if info.callback else ""))
                == first
            ]
            if chosen:
                app.registered_commands = chosen
    app(args=args, prog_name="studylog")
