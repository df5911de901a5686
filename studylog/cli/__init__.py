"""The `studylog` command line: parse, call the core, render, exit code.

`main` is the console script. It goes through `dispatch`, which answers the
most common command lines (`--version`, `new SLUG`, `add-question` with every
value given, `list`, `search WORD`, `commit`) without importing typer, and
hands every other line to the Typer app in `commands`. Each command group lives in
a module of its own (`scaffold`, `entries`, `publish`, `read`, `team`); the
bodies the dispatcher shares with them are in `bodies`, what every command
shares (stderr messages, opening the log, the editor) in `terminal`, and
every table, highlighted hit and heatmap in `render`.

`app` is imported on first use (`from studylog.cli import app` works as
before), so importing this package costs nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    # The dispatcher first: it imports typer only for the lines it hands on.
    from studylog.cli.dispatch import main as dispatch

    dispatch()


def __getattr__(name: str) -> Any:
    if name == "app":
        # The Typer app on first use: importing it costs ~35 ms (typer and Click).
        from studylog.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
