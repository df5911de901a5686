"""A standalone SVG heatmap of the log, for the blog: `studylog stats --svg FILE`.

One `<rect>` per day, weeks as columns (Monday on top), each with
`data-date`, `data-count` (posts plus questions plus reviews) and a
`<title>` that browsers show as a tooltip. Colours are attributes, not CSS
classes, and there is no script, so the file looks the same in any Jekyll
theme, in an `<img>` tag, or opened on its own. With a course calendar,
days that are no study day (weekends, holidays) are drawn apart, so a quiet
Saturday doesn't look like a missed day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from studylog.stats import DayCount
from studylog.study import EVERY_DAY, Calendar

CELL = 11
GAP = 2
LEFT = 30  # room for the weekday labels
TOP = 16  # room for the month labels
# GitHub's contribution greens: no entries, then four steps up to the busiest day.
SHADES = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
NO_STUDY_DAY = "#f6f8fa"
_WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}


def day_total(day: DayCount) -> int:
    """What a day's cell counts: its posts, questions and reviews."""
    return day.posts + day.questions + day.reviews


def shade(count: int, top: int) -> str:
    """The fill for `count` on a scale whose busiest day has `top`."""
    if count <= 0 or top <= 0:
        return SHADES[0]
    step = -(-count * (len(SHADES) - 1) // top)  # ceiling: any activity shows
    return SHADES[min(step, len(SHADES) - 1)]


def _title(day: dt.date, counts: DayCount | None, study_day: bool) -> str:
    if counts is None or day_total(counts) == 0:
        what = "nothing logged" if study_day else "no study day"
    else:
        parts = [(counts.posts, "post"), (counts.questions, "question"), (counts.reviews, "review")]
        what = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in parts if n)
    return f"{day.isoformat()}: {what}"


def render_svg(
    days: Iterable[DayCount],
    first: dt.date,
    last: dt.date,
    calendar: Calendar | None = None,
    title: str = "Study log",
) -> str:
    """The SVG document for `first`..`last` (both included), from per-day counts."""
    study = calendar or EVERY_DAY
    by_date = {day.date: day for day in days if first <= day.date <= last}
    top = max((day_total(d) for d in by_date.values()), default=0)
    monday = first - dt.timedelta(days=first.weekday())
    weeks = (last - monday).days // 7 + 1
    width = LEFT + weeks * (CELL + GAP)
    height = TOP + 7 * (CELL + GAP)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
        'font-family="sans-serif" font-size="9">',
        f"<title>{escape(title)}</title>",
    ]
    for row, label in _WEEKDAY_LABELS.items():
        y = TOP + row * (CELL + GAP) + CELL - 2
        out.append(f'<text x="0" y="{y}" fill="#57606a">{label}</text>')
    month = None
    for week in range(weeks):
        start = monday + dt.timedelta(days=7 * week)
        shown = max(start, first)
        if shown.month != month:
            month = shown.month
            x = LEFT + week * (CELL + GAP)
            out.append(f'<text x="{x}" y="10" fill="#57606a">{shown.strftime("%b")}</text>')
    day = first
    while day <= last:
        week = (day - monday).days // 7
        x = LEFT + week * (CELL + GAP)
        y = TOP + day.weekday() * (CELL + GAP)
        counts = by_date.get(day)
        count = day_total(counts) if counts else 0
        study_day = study.is_study_day(day)
        fill = shade(count, top) if study_day or count else NO_STUDY_DAY
        out.append(
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" fill="{fill}" '
            f'data-date="{day.isoformat()}" data-count="{count}">'
            f"<title>{escape(_title(day, counts, study_day))}</title></rect>"
        )
        day += dt.timedelta(days=1)
    out.append("</svg>")
    return "\n".join(out) + "\n"
