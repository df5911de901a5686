"""`studylog docs`: the user's manual, which ships inside the wheel."""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def docs(
    page: Annotated[
        str | None,
        typer.Argument(help="A page (reading, entries, config, …); omitted: the list of pages."),
    ] = None,
    path: Annotated[
        bool, typer.Option("--path", help="Print the page's file path instead of its text.")
    ] = False,
) -> None:
    """Show the manual: its pages, or one page's Markdown text."""
    # manual only for this command: the others skip it.
    from studylog.manual import find_page, list_pages, manual_path

    if page is None:
        if path:
            sys.stdout.write(f"{manual_path()}\n")
            return
        for name, title in list_pages():
            sys.stdout.write(f"{name}\t{title}\n")
        return
    found = find_page(page)
    sys.stdout.write(f"{found}\n" if path else found.read_text(encoding="utf-8"))


def register(app: typer.Typer) -> None:
    """Add this module's command to `app`."""
    app.command()(docs)
