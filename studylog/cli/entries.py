"""Commands that record the day's peer session: `add-question`, `add-review`, `add`, `answer`.

Each value comes from its option, from stdin when the option is `-`, from
a prompt on a terminal, or from the editor with `--edit`. With no terminal
a missing value is a usage error (exit 2), so scripts never hang.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from studylog.cli.bodies import (
    add_question_entry,
    report,
    resolve_post,
    say_if_stale,
    warn_last_modified,
)
from studylog.cli.completion import complete_name, complete_post, complete_section
from studylog.cli.terminal import (
    display_path,
    is_interactive,
    open_in_editor,
    root_of,
    say,
    say_if_waiting,
    use_line_editing,
)
from studylog.errors import EditorError, EditorNotFoundError, EntryInvalidError

PostOption = Annotated[
    str | None,
    typer.Option(
        "--post",
        "-p",
        help="The post: slug, date (YYYY-MM-DD, today, yesterday, -N) or path "
        "(default: the newest post).",
        show_default=False,
        autocompletion=complete_post,
    ),
]
EditOption = Annotated[bool, typer.Option("--edit", help="Write the entry in $VISUAL/$EDITOR.")]

# Lines the editor file uses to mark fields; real text never starts with it.
FIELD_MARK = "#!"


def _given(value: str | None) -> list[str]:
    """A single option's value as a Field's values: none when it was not given."""
    return [] if value is None else [value]


@dataclass
class Field:
    """One value of an entry as the command collects it."""

    option: str
    label: str
    required: bool = True
    values: list[str] = field(default_factory=list)
    repeat: bool = False
    shown: str = ""
    # Text that may span lines (a question, an answer): asked for line by line.
    multiline: bool = False

    @property
    def name(self) -> str:
        """How the usage error names it: the option, or the argument."""
        return self.shown or self.option


@dataclass
class Form:
    """An entry command's fields, read back by option name once collected."""

    fields: list[Field]

    def field(self, option: str) -> Field:
        """The field of this option (a command asks only for its own)."""
        return next(f for f in self.fields if f.option == option)

    def value(self, option: str) -> str:
        """The field's first value, or "" when an optional one was left out."""
        values = self.field(option).values
        return values[0] if values else ""

    def values(self, option: str) -> tuple[str, ...]:
        """Every value of a repeatable field."""
        return tuple(self.field(option).values)


def _read_stdin_once(ctx: typer.Context, fields: list[Field]) -> None:
    """Replace a `-` value with stdin's text; only one value may use it."""
    dashes = [(f, i) for f in fields for i, v in enumerate(f.values) if v == "-"]
    if not dashes:
        return
    if len(dashes) > 1:
        ctx.fail("Only one option can read stdin with '-'; pass the other values as text.")
    target, index = dashes[0]
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise EntryInvalidError(
                f"The text on stdin for {target.name} is not UTF-8; convert it and try again."
            ) from err
    target.values[index] = data


def _prompt_missing(ctx: typer.Context, fields: list[Field]) -> None:
    """Ask on the terminal for what is missing; without one, a usage error.

    Optional values (answers, topic, feedback) are asked for only when a
    required one was missing too: a command line that names every required
    value runs straight through, even from a terminal.
    """
    missing = [f for f in fields if f.required and not f.values]
    if not missing:
        return
    if not is_interactive():
        names = ", ".join(f.name for f in missing)
        # Only one option may read stdin, so several missing values can't all be '-'.
        how = (
            "pass it, use '-' to read it from stdin"
            if len(missing) == 1
            else "pass them (one may be '-' to read stdin)"
        )
        # ctx.fail: the same usage-error format (and exit 2) as Click's own.
        ctx.fail(f"Missing {names}: {how}, or use --edit (there is no terminal to ask on).")
    use_line_editing()
    if any(f.multiline and not f.values for f in fields):
        typer.echo(
            "A text may span lines (pasted code keeps its indentation): an empty line "
            "outside a code fence, or Ctrl-D, ends it. --edit opens your editor instead.",
            err=True,
        )
    for f in fields:
        if f.values:
            continue
        if f.required:
            first = typer.prompt(f.label, err=True)
            f.values.append(_more_lines(first) if f.multiline else first)
        elif f.repeat:
            while True:
                value = typer.prompt(
                    f"{f.label} (Enter to finish)", default="", show_default=False, err=True
                )
                if not value.strip():
                    break
                f.values.append(_more_lines(value) if f.multiline else value)
        else:
            value = typer.prompt(
                f"{f.label} (Enter to skip)", default="", show_default=False, err=True
            )
            if value.strip():
                f.values.append(value)


_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def _more_lines(first: str) -> str:
    """The rest of a multi-line value typed or pasted after its first line.

    An empty line ends it, except inside a code fence (code has blank
    lines); so does end of input (Ctrl-D). Lines are kept as typed.
    """
    lines = [first]
    fence = _FENCE.match(first)
    open_fence = fence[1] if fence else None
    while True:
        # The prompt goes to stderr (stdout carries data); input() reads the
        # line through readline (see `use_line_editing`).
        sys.stderr.write("... ")
        sys.stderr.flush()
        try:
            line = input()
        except EOFError:
            break
        except KeyboardInterrupt as err:
            raise typer.Abort() from err
        line = line.rstrip("\r")
        if not line.strip() and open_fence is None:
            break
        lines.append(line)
        marker = _FENCE.match(line)
        if marker is None:
            continue
        if open_fence is None:
            open_fence = marker[1]
        elif marker[1].startswith(open_fence) and not line.strip().strip(open_fence[0]):
            open_fence = None
    return "\n".join(lines)


def _edit_fields(fields: list[Field], title: str) -> None:
    """Let the user write every field in the editor, pre-filled with what was given."""
    # os and tempfile (which pulls in random) only when the editor is used.
    import os
    import tempfile

    repeatable = [f"'{FIELD_MARK} {f.option[2:]}'" for f in fields if f.repeat]
    lines = [
        f"{FIELD_MARK} {title}: write each value below its '{FIELD_MARK} name' line.",
        f"{FIELD_MARK} Leave a required value empty to cancel; these lines are ignored.",
    ]
    if repeatable:
        lines.append(f"{FIELD_MARK} For another value, add another {' or '.join(repeatable)} line.")
    for f in fields:
        for value in f.values or [""]:
            lines.append(f"{FIELD_MARK} {f.option[2:]}")
            lines.append(value.rstrip("\n"))
    fd, name = tempfile.mkstemp(prefix="studylog-", suffix=".md")
    path = Path(name)
    keep = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        try:
            open_in_editor(path, kept=f"nothing was added; the entry's form is kept in {path}")
        except EditorNotFoundError as err:
            # Nothing was typed in it yet, but it holds the form with the values
            # given: keep it for the user to fill in once an editor is set.
            keep = True
            raise EditorNotFoundError(
                f"{str(err).rstrip('.')}; the entry's form is kept in {path}."
            ) from err
        except EditorError:
            # The editor ran and failed (vi with no terminal exits 1): what
            # was typed before it failed may be in the form, so it stays.
            keep = True
            raise
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as err:
            raise EntryInvalidError(
                "The editor deleted the entry's file instead of saving it; nothing was added."
            ) from err
        except UnicodeDecodeError as err:
            raise EntryInvalidError(
                "The editor saved the entry in another encoding than UTF-8; nothing was added."
            ) from err
    finally:
        if not keep:
            path.unlink(missing_ok=True)
    by_name = {f.option[2:]: f for f in fields}
    for f in fields:
        f.values = []
    current: list[str] | None = None
    collected: list[tuple[Field, list[str]]] = []
    for line in text.splitlines():
        # Only a line that is exactly a field's mark starts a field, so text
        # such as a "#!/bin/sh" line in an answer is kept as written.
        target = (
            by_name.get(line[len(FIELD_MARK) :].strip()) if line.startswith(FIELD_MARK) else None
        )
        if target is not None:
            current = []
            collected.append((target, current))
        elif current is not None:
            current.append(line)
    for target, body in collected:
        value = "\n".join(body).strip("\n")
        if value.strip():
            target.values.append(value)
    for f in fields:
        if f.required and not f.values:
            raise EntryInvalidError(f"The {f.label.lower()} was left empty; nothing was added.")


def _collect(ctx: typer.Context, form: Form, edit: bool, title: str) -> None:
    _read_stdin_once(ctx, form.fields)
    if edit:
        _edit_fields(form.fields, title)
    else:
        _prompt_missing(ctx, form.fields)


def add_question(
    ctx: typer.Context,
    post: PostOption = None,
    asker: Annotated[
        str | None,
        typer.Option(
            "--asker", "-a", help="Who asked ('-': read stdin).", autocompletion=complete_name
        ),
    ] = None,
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="The question ('-': read stdin).")
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            help="An answer; repeat it for several (numbered sub-points); '-': read stdin.",
        ),
    ] = None,
    edit: EditOption = False,
) -> None:
    """Add a numbered question (and its answers) to a post's question section."""
    log, ref, text = resolve_post(root_of(ctx), post)
    form = Form(
        [
            Field("--asker", "Asker", values=_given(asker)),
            Field("--question", "Question", values=_given(question), multiline=True),
            Field(
                "--answer",
                "Answer",
                required=False,
                repeat=True,
                values=list(answer or []),
                multiline=True,
            ),
        ]
    )
    _collect(ctx, form, edit, "studylog add-question")
    add_question_entry(
        log,
        ref,
        text,
        post,
        form.value("--asker"),
        form.value("--question"),
        form.values("--answer"),
    )


def add_review(
    ctx: typer.Context,
    post: PostOption = None,
    assignment: Annotated[
        str | None,
        typer.Option("--assignment", help="The assignment, e.g. '선택과제 1' ('-': stdin)."),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Its topic, e.g. 'Gradient Descent' (optional).")
    ] = None,
    presenter: Annotated[
        str | None,
        typer.Option(
            "--presenter",
            help="Who presented it ('-': read stdin).",
            autocompletion=complete_name,
        ),
    ] = None,
    feedback: Annotated[
        list[str] | None,
        typer.Option("--feedback", help="Feedback; repeat it for several lines; '-': stdin."),
    ] = None,
    edit: EditOption = False,
) -> None:
    """Add a homework-review entry to a post's review section."""
    log, ref, text = resolve_post(root_of(ctx), post)
    form = Form(
        [
            Field("--assignment", "Assignment", values=_given(assignment)),
            Field("--topic", "Topic", required=False, values=_given(topic)),
            Field("--presenter", "Presenter", values=_given(presenter)),
            Field(
                "--feedback",
                "Feedback",
                required=False,
                repeat=True,
                values=list(feedback or []),
                multiline=True,
            ),
        ]
    )
    _collect(ctx, form, edit, "studylog add-review")
    # entries (and what it imports) only for this command: the others skip it.
    from studylog.entries import Review, append_review

    entry = Review(
        assignment=form.value("--assignment"),
        topic=form.value("--topic"),
        presenter=form.value("--presenter"),
        feedback=form.values("--feedback"),
    )
    say_if_waiting(log.root)
    report(append_review(log, ref, entry, text))
    say_if_stale(log, ref, post)


def add(
    ctx: typer.Context,
    section: Annotated[
        str,
        typer.Argument(
            help="A section key (agenda, retrospective, …) or a heading.",
            autocompletion=complete_section,
        ),
    ],
    text: Annotated[
        str | None, typer.Argument(help="The text ('-': read stdin).", show_default=False)
    ] = None,
    post: PostOption = None,
    edit: EditOption = False,
) -> None:
    """Add free text as a list item to any section of a post."""
    log, ref, post_text = resolve_post(root_of(ctx), post)
    form = Form([Field("--text", "Text", values=_given(text), shown="TEXT", multiline=True)])
    _collect(ctx, form, edit, f"studylog add {section}")
    # entries (and what it imports) only for this command: the others skip it.
    from studylog.entries import Note, append_note

    say_if_waiting(log.root)
    report(append_note(log, ref, section, Note(form.value("--text")), post_text))
    say_if_stale(log, ref, post)


def answer(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The question's number in the post.")],
    post: PostOption = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            help="The answer; repeat it for several; '-': read stdin.",
            show_default=False,
        ),
    ] = None,
    edit: EditOption = False,
) -> None:
    """Add an answer to question N of a post, after the answers it has."""
    log, ref, text = resolve_post(root_of(ctx), post)
    form = Form(
        [Field("--answer", "Answer", repeat=True, values=list(answer or []), multiline=True)]
    )
    _collect(ctx, form, edit, f"studylog answer {number}")
    # answers (and what it imports) only for this command: the others skip it.
    from studylog.answers import append_answer

    say_if_waiting(log.root)
    answers = list(form.values("--answer"))
    result = append_answer(log, ref, number, answers, text)
    what = "an answer" if len(answers) == 1 else f"{len(answers)} answers"
    day = f" ({result.label})" if result.label else ""
    say(f"Added {what}{day} to question {number} in {display_path(result.path)}")
    warn_last_modified(display_path(result.path), result.last_modified_skipped)
    say_if_stale(log, ref, post)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`, in the order `--help` lists them."""
    app.command("add-question")(add_question)
    app.command("add-review")(add_review)
    app.command("add")(add)
    app.command("answer")(answer)
