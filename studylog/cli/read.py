"""Commands that read the log: `list`, `show`, `search`, `check`, `stats`, `export`.

Data goes to stdout, messages to stderr. On a terminal the output is drawn
with rich (colour unless NO_COLOR); in a pipe it is plain text, one record a
line, and `--json` gives the stable shapes documented in docs/reading.md
(`studylog docs reading`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from studylog.cli import bodies
from studylog.cli.completion import complete_name, complete_post, complete_rule
from studylog.cli.shapes import (
    post_json,
    question_json,
    rel,
    review_json,
    window,
    write_json,
)
from studylog.cli.terminal import display_path, open_log_for, root_of, say, usage_problems
from studylog.errors import PostWriteError, StudylogError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator

    from studylog.export import ExportCounts
    from studylog.log import Log, PostRef
    from studylog.reader import ReadPost
    from studylog.repair import Repair
    from studylog.stats import Stats, Streak

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (its shape: `studylog docs reading`).")
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        help="Only posts dated on or after DATE (YYYY-MM-DD, today, -7, …).", metavar="DATE"
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(help="Only posts dated on or before DATE.", metavar="DATE"),
]


def _window(
    log: Log, since: str | None, until: str | None
) -> tuple[dt.date | None, dt.date | None]:
    with usage_problems():
        return window(log, since, until)


def _load_posts(log: Log, refs: list[PostRef]) -> list[ReadPost]:
    # reader (and what it imports) only for this command: the others skip it.
    from studylog.reader import load_post

    posts = []
    for ref in refs:
        try:
            posts.append(load_post(ref, log.settings))
        except StudylogError as err:
            say(f"Skipped {display_path(ref.path)}: {err}")
    return posts


def list_posts(
    ctx: typer.Context,
    as_json: JsonOption = False,
    all_posts: Annotated[
        bool,
        typer.Option(
            "--all", help="On a terminal, every post (a pipe and --json always get every post)."
        ),
    ] = False,
) -> None:
    """List the posts, newest first: date, slug, title, questions, reviews, git state.

    On a terminal, the newest posts that fit the window, and how many more
    there are.
    """
    bodies.list_posts(root_of(ctx), as_json, all_posts)


def show(
    ctx: typer.Context,
    post: Annotated[
        str | None,
        typer.Argument(
            help="The post: slug, date or path (default: the newest).",
            show_default=False,
            autocompletion=complete_post,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a post rendered in the terminal (its Markdown text in a pipe)."""
    # reader (and what it imports) only for this command: the others skip it.
    from studylog.reader import load_post

    log = open_log_for(ctx)
    ref = log.find_post(post)
    loaded = load_post(ref, log.settings, strict=True)
    if as_json:
        write_json(
            {
                "post": post_json(ref, loaded.title, log),
                "sections": [
                    {"heading": s.heading, "key": s.key, "level": s.level, "line": s.line}
                    for s in loaded.entries.sections
                    if s.heading
                ],
                "questions": [question_json(q) for q in loaded.entries.questions],
                "reviews": [review_json(r) for r in loaded.entries.reviews],
            }
        )
        return
    # render only where output is drawn (~5 ms); it loads rich only on a terminal.
    from studylog.cli import render

    render.show_post(loaded, sys.stdout)


def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="The words to find (case and Unicode form ignored).")
    ],
    asker: Annotated[
        str | None,
        typer.Option(
            help="Only questions asked by this person (part of the name).",
            autocompletion=complete_name,
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    scope: Annotated[
        str,
        typer.Option("--in", help="Where to look: questions, reviews or all.", metavar="WHERE"),
    ] = "all",
    context: Annotated[
        int | None,
        typer.Option(
            "--context",
            "-C",
            metavar="N",
            help="Show N lines before and after each matching line "
            "(default: 1 on a terminal, 0 in a pipe or --json).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Find the questions, answers, reviews and text that match, across all posts.

    Each matching line is shown with its own line number (`path:line:text`,
    as grep -n prints it), highlighted on a terminal; `--json` gives a hit
    per matching line with the entry it belongs to.
    """
    with usage_problems():
        bodies.search(root_of(ctx), query, asker, since, until, scope, context, as_json)


def check(
    ctx: typer.Context,
    posts: Annotated[
        list[str] | None,
        typer.Argument(
            help="Posts to check: slugs, dates or paths (default: all).",
            show_default=False,
            autocompletion=complete_post,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            help="A rule id to skip; repeat it.", metavar="RULE", autocompletion=complete_rule
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    rules: Annotated[bool, typer.Option("--rules", help="List the rules and exit.")] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="First repair what is safe (empty list items in the front matter, "
            "question and review numbering), saying what changed; then check.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Lint posts: front matter, dates, numbering, sections; exit 1 when something is wrong."""
    # check (and what it imports) only for this command: the others skip it.
    from studylog.check import RULES, check_posts, is_failure, unknown_rules

    if rules and fix:
        raise typer.BadParameter("--rules only lists the rules; drop --fix.", param_hint="--fix")
    if rules:
        if as_json:
            write_json(
                [
                    {"id": r.id, "severity": r.severity, "explanation": r.explanation}
                    for r in RULES.values()
                ]
            )
        else:
            # render only where output is drawn (~5 ms); it loads rich only on a terminal.
            from studylog.cli import render

            render.rules_plain(RULES.values(), sys.stdout)
        return
    bad = unknown_rules(ignore or [])
    if bad:
        raise typer.BadParameter(
            f"no rule '{bad[0]}'; `studylog check --rules` lists them.", param_hint="--ignore"
        )
    log = open_log_for(ctx)
    refs = [log.find_post(spec) for spec in posts] if posts else log.posts()
    repairs: list[Repair] = []
    if fix:
        # Loaded by this command only: every other command starts without it.
        from studylog.repair import repair_posts

        repairs, failures = repair_posts(log, refs)
        for repair in repairs:
            say(f"Fixed {rel(repair.path, log)}:{repair.line}: {repair.description}.")
        for failure in failures:
            say(f"Not fixed: {failure.reason}")
    findings = check_posts(refs, log.settings, ignore or [])
    failed = is_failure(findings, strict)
    if as_json:
        write_json(
            {
                "ok": not failed,
                "posts": len(refs),
                "fixed": [
                    {
                        "path": rel(r.path, log),
                        "line": r.line,
                        "rule": r.rule,
                        "change": r.description,
                    }
                    for r in repairs
                ],
                "findings": [
                    {
                        "path": rel(f.path, log),
                        "line": f.line,
                        "rule": f.rule,
                        "severity": f.severity,
                        "message": f.message,
                    }
                    for f in findings
                ],
            }
        )
    else:
        # render only where output is drawn (~5 ms); it loads rich only on a terminal.
        from studylog.cli import render

        if render.is_terminal():
            render.findings_rich(findings, log.root, sys.stdout)
        else:
            render.findings_plain(findings, log.root, sys.stdout)
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        if findings:
            say(f"{errors} error(s), {warnings} warning(s) in {len(refs)} post(s).")
        else:
            say(f"{len(refs)} post(s) checked; no problems.")
    if failed:
        raise typer.Exit(1)


def stats(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Write a standalone SVG heatmap (no JavaScript) of the days to FILE.",
        ),
    ] = None,
    data: Annotated[
        bool,
        typer.Option("--data", help="Write the --json numbers to _data/studylog.json for Liquid."),
    ] = False,
    weeks: Annotated[
        int | None,
        typer.Option(
            "--weeks",
            min=1,
            metavar="N",
            help="Draw the heatmap's last N weeks (default: as many as fit the terminal).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the streak, a week-by-day heatmap of posts and entries, questions per person."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.log import filter_posts
    from studylog.stats import compute_stats

    if weeks is not None and (svg is not None or data or as_json):
        # Those give every day of the window; --since/--until choose the window.
        raise typer.BadParameter(
            "it sets the terminal heatmap's width; use --since to choose the days of "
            "--json, --svg and --data.",
            param_hint="--weeks",
        )
    log = open_log_for(ctx)
    start, end = _window(log, since, until)
    posts = _load_posts(log, filter_posts(log.posts(), start, end))
    result = compute_stats(posts, log.today(), log.settings.calendar)
    if svg is not None or data:
        _write_stats_files(log, result, svg, data, start, end)
        return
    if as_json:
        write_json(_stats_json(result))
        return
    # render only where output is drawn (~5 ms); it loads rich only on a terminal.
    from studylog.cli import render

    if render.is_terminal():
        render.stats_rich(result, sys.stdout, weeks=weeks)
    else:
        render.stats_plain(result, sys.stdout, weeks=weeks)


def _write_stats_files(
    log: Log,
    result: Stats,
    svg: Path | None,
    data: bool,
    start: dt.date | None,
    end: dt.date | None,
) -> None:
    """`stats --svg FILE` and `--data`: files for the blog, each written atomically."""
    # export (and what it imports) only for this command: the others skip it.
    from studylog.export import export_target
    from studylog.post import write_atomic

    if svg is not None:
        # heatmap (and what it imports) only for this command: the others skip it.
        from studylog.heatmap import render_svg

        target = export_target(log, svg, "--svg")
        today = log.today()
        first = start or result.first or today
        last = end or result.last or today
        write_atomic(target, render_svg(result.days, first, last, log.settings.calendar).encode())
        say(f"Wrote the heatmap of {first} to {last} to {display_path(target)}.")
    if data:
        folder = log.root / "_data"
        if not folder.is_dir():
            try:
                folder.mkdir()
            except OSError as err:
                raise PostWriteError(
                    f"Can't create {folder} ({err.strerror}); check the log folder's permissions."
                ) from err
        target = export_target(log, folder / "studylog.json", "--data")
        text = json.dumps(_stats_json(result), ensure_ascii=False, indent=2) + "\n"
        write_atomic(target, text.encode("utf-8"))
        say(f"Wrote {display_path(target)}; the blog's Liquid reads it as site.data.studylog.")


def _streak_json(streak: Streak) -> dict[str, object]:
    return {
        "days": streak.days,
        "start": streak.start.isoformat() if streak.start else None,
        "end": streak.end.isoformat() if streak.end else None,
    }


def _stats_json(result: Stats) -> dict[str, object]:
    return {
        "posts": result.posts,
        "questions": result.questions,
        "reviews": result.reviews,
        "first": result.first.isoformat() if result.first else None,
        "last": result.last.isoformat() if result.last else None,
        "current_streak": _streak_json(result.current_streak),
        "longest_streak": _streak_json(result.longest_streak),
        "days": [
            {
                "date": d.date.isoformat(),
                "posts": d.posts,
                "questions": d.questions,
                "reviews": d.reviews,
            }
            for d in result.days
        ],
        "weeks": [
            {
                "start": w.start.isoformat(),
                "posts": [d.posts if d else None for d in w.days],
                "entries": [d.entries if d else None for d in w.days],
            }
            for w in result.weeks
        ],
        "askers": [{"name": name, "questions": count} for name, count in result.askers],
        "presenters": [{"name": name, "reviews": count} for name, count in result.presenters],
    }


def export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json, csv, anki (tab-separated cards) or md.")
    ] = "json",
    since: SinceOption = None,
    until: UntilOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE"),
    ] = None,
    deck: Annotated[
        str | None,
        typer.Option(help="The Anki deck the cards go to (Study::Day4 for a sub-deck)."),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="For --format csv: a UTF-8 byte order mark, so Excel shows Korean "
            "text, and text that would start a formula marked as text.",
        ),
    ] = False,
) -> None:
    """Export questions and answers as json, csv, anki cards or a Markdown digest."""
    # export (and what it imports) only for this command: the others skip it.
    from studylog.export import FORMATS, one_line_deck, write_export
    from studylog.log import filter_posts

    if fmt not in FORMATS:
        raise typer.BadParameter("use json, csv, anki or md.", param_hint="--format")
    if deck is not None and fmt != "anki":
        raise typer.BadParameter("a deck is for --format anki.", param_hint="--deck")
    if excel and fmt != "csv":
        raise typer.BadParameter("it is for --format csv.", param_hint="--excel")
    if deck is not None:
        one_line_deck(deck)
    log = open_log_for(ctx)
    start, end = _window(log, since, until)
    refs = sorted(filter_posts(log.posts(), start, end), key=lambda r: (r.date, r.slug))
    # A post at a time, written as it is read: 10,000 posts are never all in memory.
    posts = _iter_posts(log, refs)
    if output is None:
        if excel:
            # The byte order mark as bytes, whatever encoding the terminal reports.
            sys.stdout.flush()
            counts = write_export(posts, fmt, _bytes_writer(sys.stdout.buffer), deck, excel)
            sys.stdout.buffer.flush()
        else:
            counts = write_export(posts, fmt, sys.stdout.write, deck, excel)
        if counts.skipped:
            say(_export_summary(counts, None))
        return
    # export (and what it imports) only for this command: the others skip it.
    from studylog.export import export_target
    from studylog.post import atomic_file

    target = export_target(log, output)
    # Atomic, so an interrupted export never leaves half a file over a good one.
    with atomic_file(target) as handle:
        counts = write_export(posts, fmt, _bytes_writer(handle), deck, excel)
    say(_export_summary(counts, display_path(target)))


def _bytes_writer(stream: BinaryIO) -> Callable[[str], object]:
    """Text to UTF-8 bytes on `stream`; a lone surrogate (a YAML "\\udc80" escape in a
    title) is written as that escape rather than failing the whole export."""
    return lambda text: stream.write(text.encode("utf-8", errors="backslashreplace"))


def _iter_posts(log: Log, refs: list[PostRef]) -> Iterator[ReadPost]:
    """`_load_posts`, one post at a time."""
    # reader (and what it imports) only for this command: the others skip it.
    from studylog.reader import load_post

    for ref in refs:
        try:
            yield load_post(ref, log.settings)
        except StudylogError as err:
            say(f"Skipped {display_path(ref.path)}: {err}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _export_summary(result: ExportCounts, target: str | None) -> str:
    """ "Wrote 17 cards from 18 questions (1 unanswered skipped) in 5 posts to cards.txt."."""
    where = f" to {target}" if target is not None else ""
    wrote = f"Wrote {_plural(result.written, result.unit)}"
    if result.skipped == 0:
        return f"{wrote} from {_plural(result.posts, 'post')}{where}."
    return (
        f"{wrote} from {_plural(result.questions, 'question')} "
        f"({result.skipped} unanswered skipped) in {_plural(result.posts, 'post')}{where}."
    )


def open_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the questions with no answer yet, across the log, oldest first."""
    # open_questions (and what it imports) only for this command: the others skip it.
    from studylog.open_questions import open_questions

    log = open_log_for(ctx)
    found = open_questions(_load_posts(log, sorted(log.iter_posts())))
    if as_json:
        write_json(
            [
                {
                    "path": rel(q.path, log),
                    "date": q.date.isoformat(),
                    "number": q.number,
                    "asker": q.asker,
                    "question": q.question,
                }
                for q in found
            ]
        )
        return
    for q in found:
        who = f"{q.asker}: " if q.asker else ""
        text = " ".join(q.question.split())
        sys.stdout.write(f"{display_path(q.path)}:{q.line}: {q.number}. {who}{text}\n")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`, in the order `--help` lists them."""
    app.command("list")(list_posts)
    app.command()(show)
    app.command()(search)
    app.command()(check)
    app.command()(stats)
    app.command()(export)
    app.command("open")(open_command)
