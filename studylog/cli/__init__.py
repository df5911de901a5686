"""The `studylog` command line: parse, call the core, render, exit code.

Each command group lives in a module of its own (`scaffold`, `entries`,
`publish`, `read`); they import the core inside each command so that a
command loads only what it uses. `StudylogGroup.invoke` is the one place
where errors become exit codes: 1 for a `StudylogError`, 2 for usage (Click),
130 for Ctrl-C (Typer).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from studylog import __version__
from studylog.errors import StudylogError

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
"""


class StudylogGroup(TyperGroup):
    """The root command group: turns `StudylogError` into one line and exit 1."""

    def invoke(self, ctx: Any) -> Any:
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


def print_error(message: str) -> None:
    """Write an error sentence to stderr."""
    sys.stderr.write(f"Error: {message}\n")


def say(message: str) -> None:
    """Write a message (not data) to stderr."""
    sys.stderr.write(f"{message}\n")


def display_path(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


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


def open_log_for(ctx: typer.Context, create: bool = False) -> Any:
    """The log this command works on (see `studylog.log.open_log`).

    With `create`, the default log is made on first use and a notice goes
    to stderr.
    """
    from studylog.log import open_log

    root = (ctx.find_root().obj or {}).get("root")
    log = open_log(root=root, create=create)
    if log.created:
        say(
            f"Created a new study log in {log.root} (git repository, {log.settings.posts_dir}/); "
            "run `studylog init` in your blog to use that instead."
        )
    return log


def open_in_editor(path: Path, created: bool = False) -> None:
    """Open `path` in $VISUAL, else $EDITOR, and wait for it to exit.

    `created`: `path` is a file the command just made, so a failure says it
    is there (running the command again would not help).
    """
    import shlex
    import subprocess

    from studylog.errors import EditorError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise EditorError(f"Set $VISUAL or $EDITOR to edit {path}, or open it yourself.")
    then = f", then open {display_path(path)}, which was created" if created else ""
    try:
        command = shlex.split(editor)
    except ValueError as err:
        raise EditorError(
            f"Can't read the editor command '{editor}' ({err}); fix $VISUAL or $EDITOR{then}."
        ) from err
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except OSError as err:
        raise EditorError(
            f"Can't start the editor '{editor}' ({err.strerror}); fix $VISUAL or $EDITOR{then}."
        ) from err
    if result.returncode != 0:
        then = (
            f"{display_path(path)} was created, open it yourself" if created else "fix it and retry"
        )
        raise EditorError(f"The editor '{editor}' exited with {result.returncode}; {then}.")


def is_interactive() -> bool:
    """True when stdin is a terminal, so missing values may be prompted for."""
    return sys.stdin.isatty() and os.environ.get("STUDYLOG_NO_PROMPT") is None


# Register the command groups: importing each module adds its commands.
from studylog.cli import entries as _entries  # noqa: E402, F401
from studylog.cli import publish as _publish  # noqa: E402, F401
from studylog.cli import read as _read  # noqa: E402, F401
from studylog.cli import scaffold as _scaffold  # noqa: E402, F401

__all__ = ["app", "main"]


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


def main() -> None:
    """Console-script entry point."""
    from typer.main import get_command_name

    # Typer turns every registered command into a Click command (signatures,
    # annotations, parameters) on each run, ~0.7 ms a command. When the line
    # names a known command, only that one is built; `--version` is answered
    # by an eager callback before any command is looked at, so it needs none.
    # Anything else (help, completion, an unknown name and its "Did you
    # mean") gets all of them.
    first = _first_word(sys.argv[1:])
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
    app(prog_name="studylog")
