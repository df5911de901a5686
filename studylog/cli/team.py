"""The study group's commands: `team pull` and `digest`."""

from __future__ import annotations

import json
import sys
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from studylog.cli.terminal import open_log_for, print_error, say

if TYPE_CHECKING:
    from studylog.team import Digest, PullResult

team_app = typer.Typer(
    help="Your teammates' blogs, listed under team: in .studylog.yml.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _progress_line(result: PullResult) -> str:
    if result.error is not None:
        return result.error
    short = (result.commit or "")[:7]
    posts = f"{result.posts} post{'s' if result.posts != 1 else ''}"
    if result.action == "cloned":
        return f"{result.member.name}: cloned, {posts} ({short})"
    if result.action == "unchanged":
        return f"{result.member.name}: up to date, {posts} ({short})"
    return f"{result.member.name}: updated {(result.before or '')[:7]} → {short}, {posts}"


def pull(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Pull only these teammates (default: everyone under team:)."),
    ] = None,
) -> None:
    """Fetch each teammate's blog into a read-only copy in the cache, in parallel."""
    # team (and what it imports) only for this command: the others skip it.
    from studylog.team import pull_team

    log = open_log_for(ctx)
    lock = threading.Lock()

    def report(result: PullResult) -> None:
        with lock:
            say(_progress_line(result))

    results = pull_team(log.settings, tuple(names or ()), on_result=report)
    failed = [result.member.name for result in results if not result.ok]
    if failed:
        print_error(
            f"{len(failed)} of {len(results)} teammates could not be pulled "
            f"({', '.join(failed)}); fix their entries under team: and run `studylog team pull`."
        )
        raise typer.Exit(1)


def _digest_json(digest: Digest) -> dict[str, Any]:
    return {
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "members": list(digest.members),
        "missing": [{"member": name, "reason": why} for name, why in digest.missing],
        "items": [
            {
                "question": item.question,
                "askers": list(item.askers),
                "members": list(item.members),
                "answered": item.answered,
                "answers": list(item.answers),
                "posts": [
                    {
                        "member": source.member,
                        "date": source.date.isoformat(),
                        "slug": source.slug,
                        "path": source.path,
                        "number": source.number,
                        "asker": source.asker,
                    }
                    for source in item.sources
                ],
            }
            for item in digest.items
        ],
    }


def _digest_text(digest: Digest) -> str:
    days = digest.since.isoformat()
    if digest.until != digest.since:
        days += f" to {digest.until.isoformat()}"
    if not digest.items:
        return f"No questions {days} in {', '.join(digest.members)}.\n"
    out = []
    for number, item in enumerate(digest.items, 1):
        state = "answered" if item.answered else "open"
        asked = f" (asked by {', '.join(item.askers)})" if item.askers else ""
        lines = item.question.split("\n")
        out.append(f"{number:>3}. {lines[0]}{asked}")
        out += [f"     {line}" for line in lines[1:]]
        out.append(f"     {state}; recorded by {', '.join(item.members)}")
        for answer in item.answers:
            answer_lines = answer.split("\n")
            out.append(f"     → {answer_lines[0]}")
            out += [f"       {line}" for line in answer_lines[1:]]
    return "\n".join(out) + "\n"


def digest(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        typer.Option(help="The day: YYYY-MM-DD, today, yesterday, +N or -N (default: today)."),
    ] = None,
    week: Annotated[
        int | None,
        typer.Option(help="The week instead of a day: as `studylog week N` counts weeks."),
    ] = None,
    only_open: Annotated[
        bool, typer.Option("--open", help="Only the questions no blog answered.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (its shape: `studylog docs team`).")
    ] = False,
    fmt: Annotated[
        str,
        typer.Option("--format", help="text (the default) or md: Markdown for a chat or a post."),
    ] = "text",
) -> None:
    """Everyone's questions of a day or week, from your log and the pulled teammates."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.log import parse_date
    from studylog.team import digest_markdown, make_digest
    from studylog.week import week_span

    if date is not None and week is not None:
        raise typer.BadParameter("give --date or --week, not both.", param_hint="--week")
    if fmt not in ("text", "md"):
        raise typer.BadParameter("use text or md.", param_hint="--format")
    if as_json and fmt != "text":
        raise typer.BadParameter("--json and --format md can't be combined.", param_hint="--json")
    log = open_log_for(ctx)
    today = log.today()
    if week is not None:
        span = week_span(log, week, today)
        since, until = span.start, span.end
    else:
        since = until = parse_date(date, today) if date is not None else today
    result = make_digest(log, since, until)
    if only_open:
        result = result.only_open()
    for _, why in result.missing:
        say(f"Skipped: {why}")
    if as_json:
        sys.stdout.write(json.dumps(_digest_json(result), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "md":
        sys.stdout.write(digest_markdown(result, log.settings.profile))
    else:
        sys.stdout.write(_digest_text(result))


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`: the `team` group and `digest`."""
    team_app.command("pull")(pull)
    app.add_typer(team_app, name="team")
    app.command()(digest)
