"""The dispatcher: the most common command lines, answered without importing typer.

Importing typer (and its Click) costs ~35 ms, about as long as `hugo new`
takes in all. The lines a student types all day (`--version`, `new SLUG`,
`add-question` with every value given, `list`, `search WORD`, `commit`) are
parsed here, with Click's rules for the shapes in `COMMANDS`, and run by
the same bodies (`studylog.cli.bodies`) as their Typer commands. Any other
line (help, another option, a value starting with `-`, a missing value, an
option given twice, `--`) goes to typer untouched, and so does a line whose
body finds a usage problem, so that Click words the error. A test
(tests/test_dispatch.py) builds its cases from the Typer app's own
parameters and checks that both ways give the same stdout, stderr and exit
code.

`STUDYLOG_NO_FAST_PATH=1` sends every line to typer (the tests use it to
compare the two).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from studylog.cli.terminal import UsageProblem, check_terminal, print_error
from studylog.errors import StudylogError

FAST_PATH_OFF = "STUDYLOG_NO_FAST_PATH"
ROOT_ENV = "STUDYLOG_ROOT"

# How an option takes its value, as in its Typer command: one value, a value
# that may repeat (a list), or none (a flag).
VALUE, REPEATED, FLAG = "value", "repeated", "flag"


class Command(NamedTuple):
    """A command the dispatcher answers: its options (every spelling) and positional count."""

    options: dict[str, tuple[str, str]]  # spelling -> (parameter name, VALUE/REPEATED/FLAG)
    positionals: int  # exactly this many arguments
    required: tuple[str, ...]  # options that must be given, or typer asks for them


COMMANDS: dict[str, Command] = {
    "new": Command({}, 1, ()),
    "add-question": Command(
        {
            "--post": ("post", VALUE),
            "-p": ("post", VALUE),
            "--asker": ("asker", VALUE),
            "-a": ("asker", VALUE),
            "--question": ("question", VALUE),
            "-q": ("question", VALUE),
            "--answer": ("answer", REPEATED),
        },
        0,
        ("asker", "question"),
    ),
    "list": Command({"--json": ("as_json", FLAG), "--all": ("all_posts", FLAG)}, 0, ()),
    "search": Command({}, 1, ()),
    "commit": Command({"--message": ("message", VALUE), "-m": ("message", VALUE)}, 0, ()),
}


class Line(NamedTuple):
    """A command line the dispatcher understood."""

    root: Path | None
    command: str
    values: dict[str, str | bool | list[str]]
    positionals: list[str]


def parse(args: list[str]) -> Line | None:
    """The line as Click would read it, or None when it is not one of the shapes answered here."""
    root: Path | None = None
    index = 0
    if args[:1] == ["--root"] and len(args) > 1:
        value, index = args[1], 2
    elif args[:1] and args[0].startswith("--root="):
        value, index = args[0][len("--root=") :], 1
    else:
        value = os.environ.get(ROOT_ENV) or ""
    if index and (not value or value.startswith("-")):
        return None
    root = Path(value) if value else None
    if index >= len(args) or args[index] not in COMMANDS:
        return None
    name = args[index]
    command = COMMANDS[name]
    values: dict[str, str | bool | list[str]] = {}
    positionals: list[str] = []
    rest = args[index + 1 :]
    at = 0
    while at < len(rest):
        arg = rest[at]
        at += 1
        if not arg.startswith("-") or arg == "-":
            if arg == "-" or len(positionals) == command.positionals:
                return None
            positionals.append(arg)
            continue
        spelling, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if spelling not in command.options:
            return None  # --help, -h, --, an option typer knows and this doesn't
        dest, kind = command.options[spelling]
        if kind == FLAG:
            if equals:
                return None
            values[dest] = True
            continue
        if not equals:
            if at == len(rest):
                return None
            value = rest[at]
            at += 1
        if value.startswith("-"):
            return None  # '-' reads stdin; '-x' is for typer to judge
        if kind == REPEATED:
            repeated = values.setdefault(dest, [])
            assert isinstance(repeated, list)
            repeated.append(value)
        elif dest in values:
            return None  # given twice: typer keeps the last, and says nothing
        else:
            values[dest] = value
    if len(positionals) != command.positionals or any(r not in values for r in command.required):
        return None
    return Line(root, name, values, positionals)


def _text(values: dict[str, str | bool | list[str]], name: str) -> str | None:
    value = values.get(name)
    return value if isinstance(value, str) else None


def _runner(line: Line) -> Callable[[], None]:
    """What runs the line: the command's body with the parsed values."""
    # The bodies only once a line is understood; each imports what it needs.
    from studylog.cli import bodies

    values, root = line.values, line.root
    if line.command == "new":
        return lambda: bodies.new_post(root, line.positionals[0])
    if line.command == "add-question":

        def add_question() -> None:
            post = _text(values, "post")
            log, ref, text = bodies.resolve_post(root, post)
            answers = values.get("answer", [])
            assert isinstance(answers, list)
            bodies.add_question_entry(
                log,
                ref,
                text,
                post,
                _text(values, "asker") or "",
                _text(values, "question") or "",
                tuple(answers),
            )

        return add_question
    if line.command == "list":
        return lambda: bodies.list_posts(
            root, as_json=values.get("as_json") is True, all_posts=values.get("all_posts") is True
        )
    if line.command == "search":
        return lambda: bodies.search(root, line.positionals[0])
    return lambda: bodies.commit(root, message=_text(values, "message"))


def answer(args: list[str]) -> int | None:
    """Run `args` here and return the exit code, or None to hand the line to typer."""
    if args == ["--version"]:
        # The package's version only for this line.
        from studylog import __version__

        sys.stdout.write(f"studylog {__version__}\n")
        return 0
    line = parse(args)
    if line is None:
        return None
    try:
        _runner(line)()
    except UsageProblem:
        return None  # nothing was written yet: typer runs it again and words the error
    except StudylogError as err:
        print_error(str(err))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    return 0


def _exit(code: int) -> None:
    """Flush both streams and end the process without the interpreter's shutdown.

    The shutdown (clearing every module, collecting the heap) costs ~4 ms
    of a ~80 ms command and does nothing a finished line needs: the bodies
    close every file they write inside `with` blocks (and fsync the posts),
    wait for every git process they start, and register no atexit hooks,
    so the two standard streams are all that is left to flush.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _closed_pipe()
    try:
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # nobody reads stderr any more; the exit code still says what happened
    os._exit(code)


def _closed_pipe() -> int:
    """Click's way with `studylog search WORD | head`: exit 1, no message.

    stdout goes to /dev/null, so the interpreter's last flush finds nothing
    to complain about.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def main() -> None:
    """Console-script entry point: answer the line here, or hand it to typer."""
    check_terminal()
    args = sys.argv[1:]
    if FAST_PATH_OFF not in os.environ and "_STUDYLOG_COMPLETE" not in os.environ:
        try:
            code = answer(args)
        except BrokenPipeError:
            code = _closed_pipe()
        if code is not None:
            _exit(code)
    # typer only for the lines it answers.
    from studylog.cli.commands import run

    try:
        run(args)
    finally:
        # gc only at exit.
        import gc

        gc.freeze()
