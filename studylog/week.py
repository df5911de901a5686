"""The week's retrospective post: `studylog week [N]`.

Students write a weekly KPT retrospective ("3주차 팀 회고") by hand from
their daily posts. `write_week_post` makes post `week{N}` from the built-in
`week` template (or the log's own), pre-filled with what the week's posts
hold: the posts themselves (linked), what was studied, the questions asked
(answered and still open), the homework reviews and who presented, and the
questions per person; the Keep / Problem / Try headings are left to fill in.

Week 1 starts on `calendar.start` and each week is seven days from there;
without a calendar start, weeks are ISO weeks (Monday to Sunday) of the
current year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studylog.errors import StudylogError, WeekInvalidError

if TYPE_CHECKING:
    from studylog.log import Log
    from studylog.reader import ReadPost

# The most topics listed per post under "what was studied": headings, not the whole text.
_TOPICS_PER_POST = 8


@dataclass(frozen=True)
class WeekSpan:
    """Week `number`: its first and last day, both included."""

    number: int
    start: dt.date
    end: dt.date


def week_span(log: Log, number: int | None, today: dt.date) -> WeekSpan:
    """Week `number` (default: the week holding `today`).

    Raises:
        WeekInvalidError: a number below 1, a week the ISO year doesn't have,
            or (with no number) a today before the course starts.
    """
    calendar = log.settings.calendar
    if number is not None and number < 1:
        raise WeekInvalidError(f"Week {number} doesn't exist; weeks count from 1.")
    if calendar is not None and calendar.start is not None:
        if number is None:
            if today < calendar.start:
                raise WeekInvalidError(
                    f"The course starts on {calendar.start.isoformat()} (calendar.start); "
                    "name the week: `studylog week 1`."
                )
            number = (today - calendar.start).days // 7 + 1
        try:
            start = calendar.start + dt.timedelta(days=7 * (number - 1))
            end = start + dt.timedelta(days=6)
        except OverflowError as err:
            raise WeekInvalidError(
                f"Week {number} would end after the year 9999; give the number of a real week."
            ) from err
        return WeekSpan(number, start, end)
    else:
        year = today.isocalendar().year
        if number is None:
            number = today.isocalendar().week
        try:
            start = dt.date.fromisocalendar(year, number, 1)
        except ValueError as err:
            last = dt.date(year, 12, 28).isocalendar().week
            raise WeekInvalidError(
                f"{year} has ISO weeks 1 to {last}, not {number}; "
                "or set calendar.start to count weeks from the course's start."
            ) from err
    return WeekSpan(number, start, start + dt.timedelta(days=6))


def _link(post: ReadPost) -> str:
    return f"{{% post_url {post.ref.date.isoformat()}-{post.ref.slug} %}}"


def _studied(post: ReadPost) -> list[str]:
    """The topics of a post's study section: its subheadings, else its top-level list items."""
    sections = post.entries.sections
    for index, section in enumerate(sections):
        if section.key != "study":
            continue
        topics = []
        for sub in sections[index + 1 :]:
            if sub.level <= section.level:
                break
            if sub.key is None:  # a section of its own (질문내용) is no topic
                topics.append(sub.heading)
        if not topics:
            for line in section.text.splitlines():
                item = re.match(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+(\S.*)$", line)
                if item:
                    topics.append(item[1].strip())
        return [t for t in topics if t.strip()][:_TOPICS_PER_POST]
    return []


def week_summary(posts: list[ReadPost], span: WeekSpan) -> dict[str, Any]:
    """What the week's posts hold, as plain data for the template's `week` variable."""
    askers: Counter[str] = Counter()
    presenters: Counter[str] = Counter()
    summary: dict[str, Any] = {
        "number": span.number,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "posts": [],
        "studied": [],
        "answered": [],
        "open": [],
        "reviews": [],
    }
    for post in sorted(posts, key=lambda p: (p.ref.date, p.ref.slug)):
        base = {"slug": post.ref.slug, "date": post.ref.date.isoformat(), "link": _link(post)}
        summary["posts"].append({**base, "title": post.title or post.ref.slug})
        topics = _studied(post)
        if topics:
            summary["studied"].append({**base, "topics": topics})
        for question in post.entries.questions:
            entry = {
                **base,
                "number": question.number,
                "asker": question.asker or "",
                "question": question.question,
                "answers": list(question.answers),
            }
            summary["answered" if question.answers else "open"].append(entry)
            if question.asker:
                askers[" ".join(question.asker.split())] += 1
        for review in post.entries.reviews:
            summary["reviews"].append(
                {
                    **base,
                    "assignment": review.assignment,
                    "topic": review.topic or "",
                    "presenter": review.presenter or "",
                }
            )
            for name in (review.presenter or "").replace("，", ",").split(","):
                if name.strip():
                    presenters[" ".join(name.split())] += 1
    summary["askers"] = [
        {"name": n, "count": c} for n, c in sorted(askers.items(), key=lambda i: (-i[1], i[0]))
    ]
    summary["presenters"] = [
        {"name": n, "count": c} for n, c in sorted(presenters.items(), key=lambda i: (-i[1], i[0]))
    ]
    return summary


def _linked(label: str, link: str, text: str) -> list[str]:
    """A list item that starts with a link, its text written by the note writer."""
    # entries only when a week post is written.
    from studylog.entries import Note, render_note

    label = label.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    item = render_note(Note(text or "-"))
    return [f"{item[0][:2]}[{label}]({link}) {item[0][2:]}", *item[1:]]


def _plain(text: str) -> str:
    first, _, rest = text.strip().partition("\n")
    return first + (" …" if rest.strip() else "")


def week_lists(summary: dict[str, Any], profile: str) -> dict[str, str]:
    """The summary as Markdown lists, one per part, for the template to place.

    Written here rather than in the template so that every text goes
    through the same writer as a note (`studylog add`).
    """
    ko = profile == "ko"
    # entries only when a week post is written.
    from studylog.entries import Note, render_note

    def block(lines: list[str]) -> str:
        return "\n".join(lines) if lines else "<br>"

    posts = [
        line
        for p in summary["posts"]
        for line in _linked(p["slug"], p["link"], f"{p['title']} ({p['date']})")
    ]
    studied = [
        line
        for s in summary["studied"]
        for line in _linked(s["slug"], s["link"], ", ".join(s["topics"]))
    ]

    def question(q: dict[str, Any]) -> list[str]:
        who = f"{q['asker']}: " if q["asker"] else ""
        return _linked(f"{q['slug']} #{q['number']}", q["link"], who + _plain(q["question"]))

    answered = [line for q in summary["answered"] for line in question(q)]
    still_open = [line for q in summary["open"] for line in question(q)]
    reviews = []
    for r in summary["reviews"]:
        topic = f" ({r['topic']})" if r["topic"] else ""
        by = (
            (f" — 발표 : {r['presenter']}" if ko else f" — presented by {r['presenter']}")
            if r["presenter"]
            else ""
        )
        reviews += _linked(r["slug"], r["link"], f"{r['assignment']}{topic}{by}")
    people = []
    for person in summary["askers"]:
        people += render_note(Note(f"{person['name']}: {person['count']}" + ("개" if ko else "")))
    return {
        "posts": block(posts),
        "studied": block(studied),
        "answered": block(answered),
        "open": block(still_open),
        "reviews": block(reviews),
        "askers": block(people),
    }


def week_posts(log: Log, span: WeekSpan) -> list[ReadPost]:
    """The week's daily posts, read (retrospective `weekN` posts left out)."""
    # The reader and calendar only when the week's posts are read.
    from studylog.log import post_ref
    from studylog.reader import load_post
    from studylog.study import slug_week

    first, last = span.start.isoformat(), span.end.isoformat()
    posts = []
    for folder, name in log.post_files():
        ref = post_ref(Path(folder, name)) if first <= name[:10] <= last else None
        if ref is None or slug_week(ref.slug) is not None:
            continue
        try:
            posts.append(load_post(ref, log.settings))
        except StudylogError:
            continue
    return posts


def write_week_post(log: Log, number: int | None = None, date: dt.date | None = None) -> Path:
    """Write post `week{N}`, dated `date` (default today), from the `week` template.

    Raises:
        WeekInvalidError: see `week_span`.
        PostExistsError, TemplateNotFoundError, TemplateRenderError,
        PostWriteError: as for `studylog new`.
    """
    # scaffold (and Jinja2 behind it) only when the week post is written.
    from studylog.scaffold import WEEK_TEMPLATE, NewPostRequest, create_post

    today = log.today()
    span = week_span(log, number, today)
    summary = week_summary(week_posts(log, span), span)
    profile = log.settings.profile
    summary["lists"] = week_lists(summary, profile)
    title = f"{span.number}주차 회고" if profile == "ko" else f"Week {span.number} retrospective"
    request = NewPostRequest(
        slug=f"week{span.number}",
        date=date or today,
        title=title,
        template=WEEK_TEMPLATE,
        carry=False,
        week=summary,
    )
    return create_post(log, request)
