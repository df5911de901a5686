"""The bodies of the commands the dispatcher answers, shared with their Typer commands.

`new`, `add-question` (once its values are collected), `list`, `search` and
`commit` are run by the same function here whether typer parsed the command
line or `studylog.cli.dispatch` did: each takes plain values (the log's
`--root` as a path), prints what the command prints, and raises
`StudylogError` (exit 1) or `UsageProblem` (exit 2, turned into typer's
BadParameter by `terminal.usage_problems`). No typer here: the dispatcher
must not import it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from studylog.cli.terminal import (
    UsageProblem,
    display_path,
    open_in_editor,
    open_log_at,
    say,
    say_if_waiting,
)

if TYPE_CHECKING:
    from studylog.entries import AppendResult
    from studylog.log import Log, PostRef
    from studylog.post import PostText


Params = ParamSpec("Params")
Result = TypeVar("Result")


def collector_paused(body: Callable[Params, Result]) -> Callable[Params, Result]:
    """Run `body` with Python's cyclic garbage collector paused, and put it back after.

    The bodies load most of their modules inside (the log, the settings,
    Jinja2, the git code, the reader), and every 700 new objects the
    collector walked the young ones, for almost nothing (what a command
    makes is freed when its last reference goes): ~37 passes, ~5 ms, during
    a `new`; ~25, ~3 ms, during a `commit` or an `add-question`. Peak
    memory measured the same either way for `list` and `list --json` over
    10,000 posts. Not `search`: reading posts its cache doesn't hold leaves
    reference cycles, and a `search --json` reading all of 10,000 posts
    peaked at 56 MB paused against 28 MB (DESIGN.md's bound is 60). Rendering a template loops only
    within the sandbox's CPU and memory bounds either way, and a command
    runs once per process; the collector is back on when the body returns,
    so code that calls a body in process (the tests) keeps it.
    """

    @functools.wraps(body)
    def paused(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        # gc only for these commands.
        import gc

        enabled = gc.isenabled()
        gc.disable()
        try:
            return body(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


# --- new ----------------------------------------------------------------------------


@collector_paused
def new_post(
    root: Path | None,
    slug: str | None = None,
    date: str | None = None,
    title: str | None = None,
    template: str | None = None,
    moderator: str | None = None,
    participant: list[str] | None = None,
    edit: bool = False,
    no_carry: bool = False,
    force: bool = False,
    from_member: str | None = None,
    draft: bool = False,
) -> None:
    """`studylog new` (or `draft`): scaffold a post from a template and print its path."""
    # The core loads when a command runs: --help, --version and completion skip it.
    from studylog.log import new_slug, parse_date
    from studylog.scaffold import NewPostRequest, create_post

    # Check what needs no log first, so bad input never creates the default log.
    if slug is not None:
        new_slug(slug)
    if from_member is not None and (moderator is not None or participant):
        raise UsageProblem(
            "the teammate's peer session already names the moderator and participants; "
            "drop --moderator/--participant or --from.",
            "--from",
        )
    # A borrowed post needs a team, which the default log can't have yet.
    log = open_log_at(root, create=from_member is None)
    request = NewPostRequest(
        slug=slug,
        date=parse_date(date, log.today()) if date is not None else None,
        title=title,
        template=template,
        moderator=moderator,
        participants=tuple(participant or ()),
        carry=not no_carry,
        from_member=from_member,
        force=force,
        draft=draft,
    )
    say_if_waiting(log.root)
    path = create_post(log, request)
    sys.stdout.write(display_path(path) + "\n")
    sys.stdout.flush()
    if edit:
        open_in_editor(path, created=True)


# --- add-question -------------------------------------------------------------------


@collector_paused
def resolve_post(root: Path | None, post: str | None) -> tuple[Log, PostRef, PostText]:
    """The log, the post to write to, and its text: read and checked before any value is asked."""
    # Loaded by this command only: every other command starts without it.
    from studylog.post import lock_busy, read_post_for_edit
    from studylog.unfinished import check_nothing_unfinished

    log = open_log_at(root, create=False)
    ref = log.find_post(post, write=True)
    # While another command holds the log's lock (a sync mid-rebase), git's
    # state is in flux: the check under the lock, in post.edit_post, decides.
    if not lock_busy(log.root):
        check_nothing_unfinished(log.root, "add the entry")
    return log, ref, read_post_for_edit(ref.path)


def say_if_stale(log: Log, ref: PostRef, post: str | None) -> None:
    """After writing to the newest post by default: say so when it is older than today.

    The entry went there as asked; the warning makes a forgotten `new` noticed.
    """
    today = log.today()
    if post is None and ref.date < today:
        say(
            f"Warning: the newest post, {display_path(ref.path)}, is from "
            f"{ref.date.isoformat()}, not today ({today.isoformat()}); it was written there. "
            "Use `studylog new` for today's post, or --post."
        )


def report(result: AppendResult) -> None:
    for heading in result.created:
        say(f"Created section {heading}")
    where = display_path(result.path)
    if result.kind == "question":
        say(f"Added question {result.number} to {where}")
    elif result.kind == "review":
        say(f"Added review to {where}")
    else:
        say(f"Added to {result.section} in {where}")
    warn_last_modified(where, result.last_modified_skipped)


def warn_last_modified(where: str, skipped: str | None) -> None:
    """Say that `last_modified_at` was left alone, and why (`studylog.last_modified`)."""
    if skipped:
        say(
            f"Warning: last_modified_at in {where} was left as it was because "
            f"{skipped}; update it by hand if it should change."
        )


@collector_paused
def add_question_entry(
    log: Log,
    ref: PostRef,
    text: PostText,
    post: str | None,
    asker: str,
    question: str,
    answers: tuple[str, ...],
) -> None:
    """`studylog add-question` once every value is known: append it and say where."""
    # Loaded by this command only: every other command starts without it.
    from studylog.entries import Question, append_question

    entry = Question(asker=asker, question=question, answers=answers)
    say_if_waiting(log.root)
    report(append_question(log, ref, entry, text))
    say_if_stale(log, ref, post)


# --- list and search ----------------------------------------------------------------


@collector_paused
def list_posts(root: Path | None, as_json: bool = False, all_posts: bool = False) -> None:
    """`studylog list`: every post in a pipe or as JSON, the newest that fit on a terminal."""
    # Loaded by this command only: every other command starts without it.
    from studylog.cli import render
    from studylog.git_status import git_states, start_git_status
    from studylog.listing import list_lines, list_summaries, newest_summaries

    log = open_log_at(root)
    # git status runs while the posts are read; it is ready by the time they are.
    process = start_git_status(log.settings)
    table = render.is_terminal() and not as_json
    if not table and not as_json:
        # A pipe: the lines the cache keeps, with no summary built per post.
        lines = list_lines(log.settings)
        states = git_states(process, log.settings)
        if not lines.paths:
            say_no_posts(log)
            return
        render.list_plain(lines, states, sys.stdout)
        return
    rows = render.list_rows_that_fit() if table and not all_posts else None
    if rows is None:
        summaries = list_summaries(log.settings)
        total = len(summaries)
    else:
        summaries, total = newest_summaries(log.settings, rows)
    states = git_states(process, log.settings)
    if as_json:
        # The JSON shapes (and json) only for --json.
        from studylog.cli.shapes import rel, write_json

        write_json(
            [
                {
                    "date": s.date,
                    "slug": s.slug,
                    "title": s.title,
                    "path": rel(Path(s.path), log),
                    "front_matter_date": s.front_matter_date,
                    "questions": s.questions,
                    "reviews": s.reviews,
                    "git": None if states is None else states.get(s.path, "clean"),
                }
                for s in summaries
            ]
        )
        return
    if not summaries:
        say_no_posts(log)
        return
    render.list_table(summaries, states, sys.stdout)
    more = total - len(summaries)
    if more > 0:
        sys.stdout.flush()
        plural = "post" if more == 1 else "posts"
        say(f"… and {more:,} older {plural}: `studylog list --all` shows them all.")


def say_no_posts(log: Log) -> None:
    say(f"No posts in {display_path(log.posts_path)} yet; create one with `studylog new SLUG`.")


def search(
    root: Path | None,
    query: str,
    asker: str | None = None,
    since: str | None = None,
    until: str | None = None,
    scope: str = "all",
    context: int | None = None,
    as_json: bool = False,
) -> None:
    """`studylog search`: the matching lines, grouped on a terminal, grep-like in a pipe."""
    # Loaded by this command only: every other command starts without it.
    from studylog.search import (
        MAX_CONTEXT,
        SCOPES,
        SearchQuery,
        iter_search_log,
        search_log,
        start_prefilter,
    )

    if context is not None and not 0 <= context <= MAX_CONTEXT:
        raise UsageProblem(f"give 0 to {MAX_CONTEXT} lines.", "--context")
    if not query.strip():
        raise UsageProblem("give a word or phrase to look for.", "QUERY")
    if scope not in SCOPES:
        raise UsageProblem("use questions, reviews or all.", "--in")
    if asker is not None and scope == "reviews":
        raise UsageProblem("--asker filters questions; drop --in reviews.", "--asker")
    log = open_log_at(root)
    # ripgrep starts looking now, while the rest of the search is imported;
    # whatever goes wrong from here on, it is reaped.
    finder = start_prefilter(log.settings, query)
    try:
        # The drawing, the date window and the JSON shapes live with the other
        # read commands'.
        from studylog.cli import render
        from studylog.cli.shapes import hit_json, window, write_json_list

        terminal = render.is_terminal() and not as_json
        lines_around = context if context is not None else (1 if terminal else 0)
        start, end = window(log, since, until)
        request = SearchQuery(
            query, scope=scope, asker=asker, since=start, until=end, context=lines_around
        )
        if as_json:
            # A hit at a time: a word in most of 10,000 posts never holds them all.
            hits_json = (
                hit_json(hit, log) for hit in iter_search_log(log.settings, request, started=finder)
            )
            write_json_list(hits_json)
            return
        hits = search_log(log.settings, request, started=finder)
    finally:
        if finder is not None:
            finder.stop()
    if not hits:
        say(f"No matches for '{query}'.")
        return
    if terminal:
        render.hits_terminal(hits, log.root, sys.stdout)
    else:
        render.hits_plain(hits, log.root, sys.stdout, lines_around)


# --- commit -------------------------------------------------------------------------


@collector_paused
def commit(
    root: Path | None,
    post: list[str] | None = None,
    all_files: bool = False,
    message: str | None = None,
    push_after: bool = False,
) -> None:
    """`studylog commit`: commit the new or changed posts, and push with `push_after`."""
    # Loaded by this command only: every other command starts without it.
    from studylog.vcs import commit_posts

    if message is not None and not message.strip():
        raise UsageProblem("the message is empty", "--message")
    log = open_log_at(root)
    paths = [setup_file(log, spec) or log.find_post(spec).path for spec in post or ()]
    say_if_waiting(log.root)
    result = commit_posts(log, paths, everything=all_files, message=message)
    if result is None:
        if post:
            verb = "has" if len(post) == 1 else "have"
            say(f"Nothing to commit: {', '.join(post)} {verb} no changes since the last commit.")
        elif all_files:
            say("Nothing to commit: the working tree is clean.")
        else:
            say(f"Nothing to commit: no new or changed posts in {log.settings.posts_dir}/.")
    else:
        if result.output:
            say(result.output)
        out = [result.commit, *(display_path(result.top / path) for path in result.paths)]
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()
        say(f"Committed {result.commit} on {result.branch}: {result.message.splitlines()[0]}")
    if push_after:
        push(log.root)


def setup_file(log: Log, spec: str) -> Path | None:
    """`spec` when it names one of the log's set-up files (`.studylog.yml`, …), else None."""
    # Loaded by this command only: every other command starts without it.
    from studylog.config import CONFIG_NAME

    path = Path(spec)
    if not path.is_file():
        return None
    real = path.resolve()
    root = log.root.resolve()
    templates = log.settings.templates_path.resolve()
    if real in (root / CONFIG_NAME, root / ".gitattributes") or templates in real.parents:
        return path
    return None


def push(root: Path) -> None:
    # Loaded by this command only: every other command starts without it.
    from studylog.sync import push_branch

    pushed = push_branch(root)
    if pushed.commits == 0:
        say(f"{pushed.upstream.name} is already up to date.")
        return
    plural = "" if pushed.commits == 1 else "s"
    extra = " (upstream set)" if pushed.set_upstream else ""
    say(f"Pushed {pushed.commits} commit{plural} to {pushed.upstream.name}{extra}.")
