"""What the commands share on the terminal side.

Messages go to stderr (stdout carries data only), paths are shown as the
user would type them, prompts happen only on a terminal, `$EDITOR` opens
files, and `open_log_for` opens the log a command works on, with
`--root` from the root command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.errors import EditorError, EditorNotFoundError, GitError

if TYPE_CHECKING:
    import typer

    from studylog.log import Log

# No typer at run time: the dispatcher (studylog.cli.dispatch) answers the
# common command lines with this module and never imports it.


class UsageProblem(Exception):
    """A value the command line got wrong (exit 2), found by a body that has no typer.

    A Typer command turns it into `typer.BadParameter` (`usage_problems`), so
    Click prints it with the command's usage line; the dispatcher hands the
    line to typer, which does the same.
    """

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@contextmanager
def usage_problems() -> Iterator[None]:
    """Inside a Typer command: a body's `UsageProblem` becomes typer's BadParameter."""
    try:
        yield
    except UsageProblem as problem:
        # typer only in a Typer command, which has imported it already.
        import typer

        raise typer.BadParameter(problem.message, param_hint=problem.hint) from None


def print_error(message: str) -> None:
    """Write an error sentence to stderr."""
    sys.stderr.write(f"Error: {message}\n")


def check_terminal() -> None:
    """Make the streams safe for any text, and refuse arguments that are not UTF-8.

    With PYTHONIOENCODING=ascii (or a C locale) printing a Korean title
    would raise; `backslashreplace` writes `\\ubbfc` instead, which JSON
    output still reads as the same character. An EUC-KR terminal passes
    bytes Python can only keep as lone surrogates, which can't be written
    into a UTF-8 post: that is a usage error, said once.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    for index, arg in enumerate(sys.argv[1:], start=1):
        if any("\udc80" <= char <= "\udcff" for char in arg):
            print_error(
                f"Argument {index} is not valid UTF-8 (is the terminal set to another "
                "encoding, such as EUC-KR?); set it to UTF-8 and type the value again."
            )
            raise SystemExit(2)


def say(message: str) -> None:
    """Write a message (not data) to stderr."""
    sys.stderr.write(f"{message}\n")


def display_path(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def root_of(ctx: typer.Context) -> Path | None:
    """The root command's `--root` (or STUDYLOG_ROOT), None when neither is given."""
    root: Path | None = (ctx.find_root().obj or {}).get("root")
    return root


def open_log_for(ctx: typer.Context, create: bool = False) -> Log:
    """The log this command works on: `open_log_at` with the root command's `--root`."""
    return open_log_at(root_of(ctx), create)


def open_log_at(root: Path | None, create: bool = False) -> Log:
    """The log at `root` (None: found from here; see `studylog.log.open_log`).

    With `create`, the default log is made on first use and a notice goes
    to stderr.
    """
    if create:
        # Imported here: only `new` may make a log, so the others skip scaffold.
        from studylog.scaffold import open_or_create_log

        log = open_or_create_log(root)
    else:
        # The core loads when a command runs: --help, --version and completion skip it.
        from studylog.log import open_log

        log = open_log(root)
    # merge (and what it imports) only for this command: the others skip it.
    from studylog.merge_driver import register_driver

    # A clone has the posts' merge attribute but not the driver's command
    # (git config is not versioned): set it here, once; later runs only read
    # .git/config to see that it is there.
    try:
        register_driver(log.root)
    except GitError as err:
        # A read-only .git/config must not stop the command itself; git then
        # merges posts the plain way.
        say(f"Note: {err}")
    if log.created:
        say(
            f"Created a new study log in {log.root} (git repository, {log.settings.posts_dir}/); "
            "run `studylog init` in your blog to use that instead."
        )
    return log


# What git runs when neither $VISUAL nor $EDITOR is set: Debian's `editor`
# alternative, then `vi`.
FALLBACK_EDITORS = ("editor", "vi")


def find_editor() -> str | None:
    """The editor command: $VISUAL, else $EDITOR, else the first fallback on PATH, else None."""
    import shutil  # only `--edit` looks for an editor

    configured = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if configured:
        return configured
    return next((name for name in FALLBACK_EDITORS if shutil.which(name)), None)


def say_if_waiting(root: Path) -> None:
    """Tell the user when the command is about to wait for another one's lock on the log."""
    from studylog.post import lock_busy  # post only when a writer may wait

    if lock_busy(root):
        say(f"Waiting for another studylog command to finish in {display_path(root)} …")


def open_in_editor(path: Path, created: bool = False, kept: str | None = None) -> None:
    """Open `path` in $VISUAL, else $EDITOR, else `editor` or `vi`, and wait for it to exit.

    `created`: `path` is a file the command just made, so a failure says it
    is there (running the command again would not help). `kept`: what a
    failed editor's message ends with instead (a form the caller keeps).

    Raises:
        EditorNotFoundError: no editor could be started.
        EditorError: the editor exited with an error.
    """
    # shlex and subprocess only when the editor runs.
    import shlex
    import subprocess

    editor = find_editor()
    then = f", then open {display_path(path)}, which was created" if created else ""
    if editor is None:
        raise EditorNotFoundError(
            f"No editor found ($VISUAL and $EDITOR are unset and neither `editor` nor `vi` "
            f"is installed); set $VISUAL or $EDITOR{then}."
        )
    try:
        command = shlex.split(editor)
    except ValueError as err:
        raise EditorNotFoundError(
            f"Can't read the editor command '{editor}' ({err}); fix $VISUAL or $EDITOR{then}."
        ) from err
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except OSError as err:
        raise EditorNotFoundError(
            f"Can't start the editor '{editor}' ({err.strerror}); fix $VISUAL or $EDITOR{then}."
        ) from err
    if result.returncode != 0:
        if kept is not None:
            then = kept
        elif created:
            then = f"{display_path(path)} was created, open it yourself"
        else:
            then = "fix it and retry"
        # git's fallback `vi` with no terminal (a script, an IDE's task) exits 1 at once.
        fallback = not (os.environ.get("VISUAL") or os.environ.get("EDITOR"))
        why = (
            " (there is no terminal for it; set $VISUAL or $EDITOR)"
            if fallback and not sys.stdin.isatty()
            else ""
        )
        raise EditorError(f"The editor '{editor}' exited with {result.returncode}{why}; {then}.")


def use_line_editing() -> None:
    """Let the prompts edit lines with readline, which knows how wide a character is.

    Without it, `input()` (which typer.prompt calls) reads in the terminal's
    cooked mode, whose line discipline moves back one column for each
    character erased: Backspace over the wide 다 of 가나다 leaves the cursor
    inside it, so a 라 typed next shows as `가나 라` while 가나라 is saved.
    Python's `input()` hands the line to GNU readline (or libedit) once that
    module is imported, and readline moves by each character's width.
    """
    try:
        # Only on the prompt path (~2 ms): importing it is what switches input() over.
        import readline
    except ImportError:
        return  # no readline (Windows): the console edits the line itself
    if "libedit" in (readline.__doc__ or ""):
        return  # macOS's libedit: other key syntax, and its defaults suit a prompt
    # A tab typed or pasted into an answer (code) is a tab, not a request to
    # complete a file name; a pasted block arrives line by line, as it did
    # without readline, so `_more_lines` still sees each line and code fence.
    readline.parse_and_bind("tab: tab-insert")
    readline.parse_and_bind("set enable-bracketed-paste off")


def is_interactive() -> bool:
    """True when stdin is a terminal, so missing values may be prompted for."""
    return sys.stdin.isatty() and os.environ.get("STUDYLOG_NO_PROMPT") is None
