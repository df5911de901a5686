"""The course calendar: which days are study days, and day numbers counted in them.

Bootcamp posts are numbered by study day, not by date: `day6` is the Monday
after `day5` when the course runs Monday to Friday, and a public holiday is
no day at all. `Calendar` holds `.studylog.yml`'s `calendar:` (`start`,
study `days`, `holidays`) and does that arithmetic; without a calendar
every day is a study day. Nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from studylog.errors import ConfigError, StudyDayError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A course with a calendar but no `days:` runs Monday to Friday, as bootcamps do.
DEFAULT_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
CALENDAR_FIELDS = ("start", "days", "holidays")
# A holiday range longer than this is a typo (a wrong year), not a vacation.
_MAX_RANGE_DAYS = 366
_DAY_SLUG = re.compile(r"(?:^|[^A-Za-z])day[-_]?(\d{1,6})$", re.IGNORECASE)
_WEEK_SLUG = re.compile(r"(?:^|[^A-Za-z])week[-_]?(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class Calendar:
    """The study days of a course: from `start`, on `days` of the week, except `holidays`.

    `days` holds weekday numbers (Monday is 0, as `date.weekday()`), sorted;
    `holidays` the dates, sorted. Tuples, not sets: templates get the
    settings as plain data.
    """

    start: dt.date | None = None
    days: tuple[int, ...] = DEFAULT_DAYS
    holidays: tuple[dt.date, ...] = ()

    def is_study_day(self, date: dt.date) -> bool:
        """True when `date` is on a study weekday, not a holiday, and not before `start`."""
        if self.start is not None and date < self.start:
            return False
        return date.weekday() in self.days and date not in self.holidays

    def study_days_between(self, first: dt.date, last: dt.date) -> int:
        """How many study days lie in `first`..`last`, both included (0 when last < first)."""
        if self.start is not None:
            first = max(first, self.start)
        if last < first:
            return 0
        span = (last - first).days + 1
        weeks, rest = divmod(span, 7)
        count = weeks * len(self.days)
        count += sum(1 for i in range(rest) if (first.weekday() + i) % 7 in self.days)
        count -= sum(1 for h in self.holidays if first <= h <= last and h.weekday() in self.days)
        return count

    def day_number(self, date: dt.date) -> int:
        """The study-day number of `date`: `start` is day 1, non-study days don't count.

        Raises:
            StudyDayError: no `start`, a date before it, or a day that is not a study day.
        """
        if self.start is None:
            raise StudyDayError(
                "The calendar has no start date, so study days can't be numbered; "
                "add calendar.start to .studylog.yml or give the post a slug."
            )
        if date < self.start:
            raise StudyDayError(
                f"{date.isoformat()} is before the course starts "
                f"({self.start.isoformat()}, calendar.start); give the post a slug."
            )
        if not self.is_study_day(date):
            why = "a holiday" if date in self.holidays else f"a {date.strftime('%A')}"
            raise StudyDayError(
                f"{date.isoformat()} is {why}, not a study day of the calendar; "
                "give the post a slug, or add the day to calendar.days."
            )
        return self.study_days_between(self.start, date)

    def previous_study_day(self, date: dt.date) -> dt.date | None:
        """The last study day before `date`, or None when there is none (before `start`)."""
        day = date - dt.timedelta(days=1)
        # Holidays can fill at most len(holidays) study days in a row, so this ends.
        for _ in range(7 * (len(self.holidays) + 1)):
            if self.start is not None and day < self.start:
                return None
            if self.is_study_day(day):
                return day
            day -= dt.timedelta(days=1)
        return None


# Without `calendar:` in `.studylog.yml`: every day is a study day.
EVERY_DAY = Calendar(days=(0, 1, 2, 3, 4, 5, 6))


def parse_calendar(raw: Any, source: str) -> Calendar:
    """The `calendar:` mapping of `.studylog.yml` as a `Calendar`.

    `start` is a date; `days` a list of `mon` … `sun` (default Monday to
    Friday); `holidays` a list of dates or `YYYY-MM-DD..YYYY-MM-DD` ranges.

    Raises:
        ConfigError: an unknown key or a value that is not what it should be.
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'calendar' must be a mapping with start, days and holidays.")
    for key in raw:
        if key not in CALENDAR_FIELDS:
            raise ConfigError(
                f"{source}: unknown key 'calendar.{key}'; use {', '.join(CALENDAR_FIELDS)}."
            )
    start = None
    if raw.get("start") is not None:
        start = _date(raw["start"], "calendar.start", source)
    days = DEFAULT_DAYS
    if raw.get("days") is not None:
        days = tuple(
            sorted({_weekday(v, source) for v in _list(raw["days"], "calendar.days", source)})
        )
        if not days:
            raise ConfigError(f"{source}: calendar.days is empty; list the study days (mon, …).")
    holidays: set[dt.date] = set()
    for value in _list(raw.get("holidays") or [], "calendar.holidays", source):
        holidays.update(_holiday(value, source))
    return Calendar(start, days, tuple(sorted(holidays)))


def _list(value: Any, key: str, source: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{source}: {key} must be a list.")
    return value


def _date(value: Any, key: str, source: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{source}: {key} must be a date like 2021-08-02, not {value!r}.")


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: Any, source: str) -> int:
    name = value.strip().lower() if isinstance(value, str) else ""
    for names in (WEEKDAYS, _FULL_NAMES):
        if name in names:
            return names.index(name)
    raise ConfigError(f"{source}: calendar.days holds {value!r}; use {', '.join(WEEKDAYS)}.")


def _holiday(value: Any, source: str) -> list[dt.date]:
    if isinstance(value, str) and ".." in value:
        first_text, _, last_text = value.partition("..")
        first = _date(first_text, "calendar.holidays", source)
        last = _date(last_text, "calendar.holidays", source)
        span = (last - first).days + 1
        if not 1 <= span <= _MAX_RANGE_DAYS:
            raise ConfigError(
                f"{source}: the holiday range {value!r} must run forwards and span at most "
                f"{_MAX_RANGE_DAYS} days."
            )
        return [first + dt.timedelta(days=i) for i in range(span)]
    return [_date(value, "calendar.holidays", source)]


def plain_calendar(raw: Any) -> Any:
    """`calendar:` with its dates as ISO strings, so the parsed file can be cached."""
    if not isinstance(raw, dict):
        return raw

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return {key: plain(value) for key, value in raw.items()}


def slug_day(slug: str) -> int | None:
    """The study-day number a slug carries (`day5`, `BoostCourse_day12`), or None.

    Only a `day` word at the end counts: `week3` or `lecture2` is no study day.
    """
    match = _DAY_SLUG.search(slug)
    return int(match[1]) if match else None


def slug_week(slug: str) -> int | None:
    """The week number a retrospective's slug carries (`week3`), or None."""
    match = _WEEK_SLUG.search(slug)
    return int(match[1]) if match else None


class Streak(NamedTuple):
    """A run of study days that each have a post (non-study days in between don't break it).

    `days` counts the days with a post in the run, a post on a weekend included.
    A NamedTuple: `new` loads this module, and a frozen dataclass costs ~0.35
    ms to define against ~0.05.
    """

    days: int
    start: dt.date | None
    end: dt.date | None


NO_STREAK = Streak(0, None, None)


def streaks(dates: Iterable[dt.date], calendar: Calendar) -> list[Streak]:
    """The runs of posted days, oldest first, that no missed study day breaks."""
    ordered = sorted(set(dates))
    runs: list[Streak] = []
    start: dt.date | None = None
    previous: dt.date | None = None
    count = 0
    for day in ordered:
        if previous is not None and calendar.study_days_between(
            previous + dt.timedelta(days=1), day - dt.timedelta(days=1)
        ):
            runs.append(Streak(count, start, previous))
            start, count = None, 0
        if start is None:
            start = day
        previous = day
        count += 1
    if start is not None:
        runs.append(Streak(count, start, previous))
    return runs


def current_streak(runs: list[Streak], today: dt.date, calendar: Calendar) -> Streak:
    """The run that is still going: it reaches today, or the last study day before it.

    A day that isn't over (today, with no post yet) doesn't end a streak.
    """
    end = runs[-1].end if runs else None
    if end is None or end > today:
        return NO_STREAK
    missed = calendar.study_days_between(end + dt.timedelta(days=1), today - dt.timedelta(days=1))
    return runs[-1] if missed == 0 else NO_STREAK
