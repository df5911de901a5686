"""The `--json` shapes of the read commands, and the date window they share.

Plain functions of the core's values, with no typer, so the commands and
the dispatcher (`studylog.cli.dispatch`) print the same JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from studylog.cli.terminal import UsageProblem

if TYPE_CHECKING:
    import datetime as dt

    from studylog.log import Log, PostRef
    from studylog.markdown.extraction import QuestionEntry, ReviewEntry
    from studylog.search import SearchHit


def write_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_json_list(items: Iterable[object]) -> None:
    """`write_json` of a list whose items come one at a time: the same text, as they come."""
    first = True
    for item in items:
        # An item one level deep in `json.dumps(list, indent=2)`: two spaces more.
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        sys.stdout.write(("[\n  " if first else ",\n  ") + text)
        first = False
    sys.stdout.write("[]\n" if first else "\n]\n")


def rel(path: Path, log: Log) -> str:
    try:
        return path.relative_to(log.root).as_posix()
    except ValueError:
        return str(path)


def post_json(ref: PostRef, title: str | None, log: Log) -> dict[str, object]:
    return {
        "date": ref.date.isoformat(),
        "slug": ref.slug,
        "title": title,
        "path": rel(ref.path, log),
    }


def question_json(entry: QuestionEntry) -> dict[str, object]:
    return {
        "number": entry.number,
        "asker": entry.asker,
        "question": entry.question,
        "answers": list(entry.answers),
        "section": entry.section,
        "line": entry.line,
    }


def review_json(entry: ReviewEntry) -> dict[str, object]:
    return {
        "number": entry.number,
        "assignment": entry.assignment,
        "topic": entry.topic,
        "presenter": entry.presenter,
        "feedback": list(entry.feedback),
        "section": entry.section,
        "line": entry.line,
    }


def window(log: Log, since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    # Loaded by this command only: every other command starts without it.
    from studylog.log import parse_date

    if since is None and until is None:
        # No date given: the log's day (its time zone, ~3 ms of zoneinfo) isn't needed.
        return None, None
    today = log.today()
    start = parse_date(since, today) if since is not None else None
    end = parse_date(until, today) if until is not None else None
    if start and end and start > end:
        raise UsageProblem(f"{start} is after --until {end}; swap them.", "--since")
    return start, end


def hit_json(hit: SearchHit, log: Log) -> dict[str, object]:
    # The entry types without the reader: a search answered from its cache never loads it.
    from studylog.markdown.model import QuestionEntry

    entry = hit.entry
    if entry is None:
        entry_json = None
    elif isinstance(entry, QuestionEntry):
        entry_json = question_json(entry)
    else:
        entry_json = review_json(entry)
    return {
        "path": rel(hit.ref.path, log),
        "line": hit.line,
        "kind": hit.kind,
        "text": hit.text,
        "spans": [list(span) for span in hit.spans],
        "section": hit.section,
        "entry": entry_json,
        "post": post_json(hit.ref, hit.title, log),
        "before": list(hit.before),
        "after": list(hit.after),
    }
