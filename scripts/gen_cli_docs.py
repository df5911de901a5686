"""Generate docs/cli.md from the Typer app: the one command to run after any CLI change.

    python scripts/gen_cli_docs.py           # rewrite docs/cli.md
    python scripts/gen_cli_docs.py --check   # exit 1 when docs/cli.md is stale

It is `typer studylog.cli utils docs --name studylog` (the same generator,
`typer.cli.get_docs_for_click`) plus two fixes that command lacks: the root
context gets the app's `-h/--help` option names, and a paragraph Click keeps
unwrapped (marked with a "\\b" line, like the daily loop in `studylog --help`)
becomes a fenced block instead of a literal backspace in the Markdown.
tests/test_docs.py runs `--check`, so a stale page fails the tests.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "docs" / "cli.md"
HEADER = (
    "<!-- Generated from the Typer app by `python scripts/gen_cli_docs.py`; do not edit by hand.\n"
    "     Change the command's help in studylog/cli/ and run that command again. -->\n\n"
)

# A Click "\b" line: the paragraph after it is printed as written, so keep it verbatim.
_NO_REWRAP = re.compile(r"^\x08\n(.*?)(?=\n\s*\n|\Z)", re.DOTALL | re.MULTILINE)


def render() -> str:
    """The Markdown text of docs/cli.md for the app as it is now."""
    sys.path.insert(0, str(REPO))
    # The banned-api fence is for studylog/; this script is CLI tooling like studylog/cli/.
    import typer  # noqa: TID251
    import typer.main  # noqa: TID251
    from typer.cli import get_docs_for_click  # noqa: TID251

    from studylog.cli import app

    command = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="studylog", **command.context_settings)
    docs = get_docs_for_click(obj=command, ctx=ctx, name="studylog")
    docs = _full_command_lines(command, ctx, docs)
    docs = _NO_REWRAP.sub(lambda m: f"```text\n{m[1].rstrip()}\n```", docs)
    # Lines with only spaces, and runs of blank lines, are noise in a diff.
    docs = re.sub(r"[ \t]+\n", "\n", docs)
    docs = re.sub(r"\n{3,}", "\n\n", docs)
    return HEADER + docs.strip() + "\n"


def _full_command_lines(command: Any, ctx: Any, docs: str) -> str:
    """Give each command in a "**Commands**" list its whole first help line.

    Typer cuts it at 45 characters ("Make a folder a study log: .studylog.yml,..."),
    which reads as a broken sentence in a page that has room for it.
    """
    for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
        sub = command.get_command(ctx, name)
        short = sub.get_short_help_str()
        full = sub.get_short_help_str(limit=10_000)
        docs = docs.replace(f"* `{sub.name}`: {short}\n", f"* `{sub.name}`: {full}\n")
        docs = _full_command_lines(sub, ctx, docs)
    return docs


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md, or with --check report whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/cli.md differs from a fresh render"
    )
    args = parser.parse_args(argv)
    fresh = render()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
    if args.check:
        if current == fresh:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            "docs/cli.md",
            "fresh render",
        )
        sys.stderr.writelines(diff)
        sys.stderr.write(
            "docs/cli.md is stale; run `python scripts/gen_cli_docs.py` and commit it.\n"
        )
        return 1
    if current != fresh:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(fresh, encoding="utf-8")
        sys.stderr.write(f"Wrote {OUTPUT}.\n")
    else:
        sys.stderr.write(f"{OUTPUT} is up to date.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
