"""The study log: where it is, its posts, and picking one of them.

Posts are named `YYYY-MM-DD-slug.md` (Jekyll's rule), so listing and
picking posts reads file names only: no post is opened here. That keeps
`new` and `add-question` as fast with 10,000 posts as with 10.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from studylog.config import CONFIG_NAME, Settings, find_config, load_settings
from studylog.confine import is_inside, is_special
from studylog.errors import (
    ConfigError,
    DateInvalidError,
    LogNotFoundError,
    PathOutsideLogError,
    PostAmbiguousError,
    PostNotFoundError,
    SlugInvalidError,
)
from studylog.jekyll import JEKYLL_CONFIG, read_site_timezone

POST_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)\.(md|markdown)$")
POST_SUFFIXES = (".md", ".markdown")


class PostRef(NamedTuple):
    """A post known by its file name alone: date, slug and path."""

    date: dt.date
    slug: str
    path: Path


def in_window(date: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    """Whether `date` is from `since` to `until`, both included (None: no bound)."""
    return (since is None or date >= since) and (until is None or date <= until)


def filter_posts(
    refs: Iterable[PostRef], since: dt.date | None = None, until: dt.date | None = None
) -> list[PostRef]:
    """The posts dated (by file name) from `since` to `until`, both included."""
    return [ref for ref in refs if in_window(ref.date, since, until)]


def site_timezone(settings: Settings) -> str | None:
    """The log's timezone: `.studylog.yml`'s, else Jekyll's `timezone`, else None (the system's)."""
    return settings.timezone or read_site_timezone(settings.root)


def walk_post_folders(posts_path: Path) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
    """(folder, its post files) for each folder under the posts folder: the one walker.

    Post files are the `.md`/`.markdown` files; subfolders count, linked
    subfolders and hidden names (`.drafts`, `.#day5.md`) don't. One
    `os.scandir` per folder and no `Path` objects: with 10,000 posts this
    is a few milliseconds. A folder at a time, so a caller that stats every
    post (`list`) pays no generator step per file. The names are not
    checked against Jekyll's rule here (see `post_ref`).
    """
    stack = [os.fspath(posts_path)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            continue
        posts: list[os.DirEntry[str]] = []
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            # The name first: most entries are posts, and one method call on
            # each instead of two is ~40 % of the walk over 10,000 posts.
            # is_file() (no extra stat unless a symlink) skips FIFOs, sockets,
            # devices (opening a FIFO would block forever) and folders.
            try:
                if name.endswith(POST_SUFFIXES) and entry.is_file():
                    posts.append(entry)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
            except OSError:
                continue
        yield folder, posts


def walk_post_files(posts_path: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(folder, entry) of every post file under the posts folder (see `walk_post_folders`)."""
    for folder, posts in walk_post_folders(posts_path):
        for entry in posts:
            yield folder, entry


class Log(NamedTuple):
    """One study log: a folder with `.studylog.yml` and a posts folder."""

    settings: Settings
    created: bool = False

    @property
    def root(self) -> Path:
        """The log's folder."""
        return self.settings.root

    @property
    def posts_path(self) -> Path:
        """The folder that holds the posts."""
        return self.settings.posts_path

    def today(self) -> dt.date:
        """Today in the log's timezone."""
        return self.now().date()

    def now(self) -> dt.datetime:
        """Now, aware, in the log's timezone.

        The timezone is `.studylog.yml`'s, else Jekyll's `timezone` in the
        site's `_config.yml` (so the date agrees with the one in the post's
        URL), else the system's.

        Testing hook: `STUDYLOG_NOW` (ISO 8601, e.g. `2026-11-27T15:30:00+00:00`;
        without an offset it is the system's local time) replaces the clock,
        so a test can make a post at 00:30 in Seoul; the timezone logic still runs.

        Raises:
            DateInvalidError: `STUDYLOG_NOW` is set but is not an ISO 8601 time.
            ConfigError: `_config.yml` names a timezone that does not exist.
        """
        clock: dt.datetime | None = None
        fake = os.environ.get("STUDYLOG_NOW")
        if fake:
            try:
                clock = dt.datetime.fromisoformat(fake)
            except ValueError as err:
                raise DateInvalidError(
                    f"STUDYLOG_NOW={fake!r} is not an ISO 8601 time; fix it or unset it."
                ) from err
        name = site_timezone(self.settings)
        if name:
            # zoneinfo only when a timezone is named.
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as err:
                raise ConfigError(
                    f"{self.root / JEKYLL_CONFIG}: unknown timezone '{name}'; "
                    "use an IANA name like Asia/Seoul."
                ) from err
            return clock.astimezone(zone) if clock else dt.datetime.now(zone)
        try:
            return (clock or dt.datetime.now()).astimezone()
        except (ValueError, OverflowError, OSError) as err:
            # TZ=UTC+99: the C library accepts it, Python's offsets stop at 24 hours.
            raise ConfigError(
                f"The system time zone (TZ={os.environ.get('TZ', '')!r}) is not usable "
                "(its offset is not within 24 hours); set TZ to a name like Asia/Seoul, "
                "or `timezone:` in .studylog.yml."
            ) from err

    def post_files(self) -> list[tuple[str, str]]:
        """(folder, file name) of every `.md`/`.markdown` file under the posts folder.

        Strings, not `PostRef`s: building one for each of 10,000 files costs
        ten times the walk. The names are not checked against Jekyll's rule.
        """
        files: list[tuple[str, str]] = []
        for folder, posts in walk_post_folders(self.posts_path):
            # A folder's names at once: ~30 % less than a generator step per file.
            files += [(folder, entry.name) for entry in posts]
        return files

    def iter_posts(self) -> Iterator[PostRef]:
        """Every post under the posts folder (subfolders too), unsorted."""
        folders: dict[str, Path] = {}
        for folder, name in self.post_files():
            parsed = _parse_name(name)
            if parsed is None:
                continue
            # Joining to one Path per folder is cheaper than parsing each path whole.
            base = folders.get(folder) or folders.setdefault(folder, Path(folder))
            yield PostRef(parsed[0], parsed[1], base / name)

    def newest(
        self, before: dt.date | None = None, files: list[tuple[str, str]] | None = None
    ) -> PostRef | None:
        """The newest post, or the newest dated before `before`.

        Newest by the date in the file name; among posts of that date, the
        one written last (`_written_last`).

        `files` is a `post_files()` listing to reuse. Only the posts of the
        newest day get a `PostRef`: an ISO date sorts as text.
        """
        limit = before.isoformat() if before is not None else None
        listing = self.post_files() if files is None else files
        # One pass for the latest YYYY-MM-DD prefix and the names that carry it
        # (a cheap shape test keeps `notes.md` out): ~1 ms for 10,000 names.
        best = ""
        picked: list[tuple[str, str]] = []
        for folder, name in listing:
            day = name[:10]
            if day < best or (limit is not None and day >= limit):
                continue
            if len(day) != 10 or day[4] != "-" or day[7] != "-":
                continue
            if day > best:
                best, picked = day, [(folder, name)]
            else:
                picked.append((folder, name))
        if not best:
            return None
        refs = _day_refs(picked, best)
        if refs:
            return _written_last(refs)
        # Rare: the latest prefix is no post (`2021-13-01-x.md`, `2021-08-05.md`).
        # Group once and walk the days down, so this stays O(n log n).
        groups: dict[str, list[tuple[str, str]]] = {}
        for folder, name in listing:
            groups.setdefault(name[:10], []).append((folder, name))
        days = {d for d in groups if len(d) == 10 and d[4] == "-" and d[7] == "-" and d < best}
        for day in sorted(days, reverse=True):
            refs = _day_refs(groups[day], day)
            if refs:
                return _written_last(refs)
        return None

    def posts(self) -> list[PostRef]:
        """Every post, newest first (by the date in the file name, then slug)."""
        return sorted(self.iter_posts(), key=lambda r: (r.date, r.slug, str(r.path)), reverse=True)

    def find_post(self, spec: str | None, write: bool = False) -> PostRef:
        """Pick a post by slug, date or path; None means the newest.

        A FIFO, device or socket is never a post. With `write` (the post is
        about to be changed), it must also resolve, symlinks followed,
        inside the posts folder: `--post /elsewhere/x.md`, `--post ../x.md`
        and a post that is a symlink out of the log are refused.

        A date is `YYYY-MM-DD` or one relative to today in the log's
        timezone: `today`, `yesterday`, `tomorrow`, `+N`, `-N`.

        Raises:
            PostNotFoundError: nothing matches, with what to try instead.
            PostAmbiguousError: a date that several posts carry.
            PathOutsideLogError: the post leads outside the posts folder or
                is a FIFO, device or socket.
        """
        ref = self._find_post(spec)

        if is_special(ref.path):
            raise PathOutsideLogError(
                f"{ref.path} is not an ordinary file (a FIFO, device or socket); "
                "remove it or name another post."
            )
        if write:
            self.check_inside_posts(ref.path)
        return ref

    def check_inside_posts(self, path: Path) -> None:
        """Refuse a post to write that resolves (symlinks followed) outside the posts folder.

        Raises:
            PathOutsideLogError: it does.
        """

        if not is_inside(path, self.posts_path):
            raise PathOutsideLogError(
                f"{path} is outside the posts folder {self.posts_path} (or links there), "
                "so studylog won't write it; name a post inside that folder."
            )

    def _find_post(self, spec: str | None) -> PostRef:
        if spec is None or spec == "":
            newest = self.newest()
            if newest is None:
                raise PostNotFoundError(
                    f"There are no posts in {self.posts_path} yet; "
                    "create one with `studylog new SLUG`."
                )
            return newest
        as_path = Path(spec).expanduser()
        if spec.endswith(POST_SUFFIXES) or os.sep in spec:
            candidates = [as_path, self.root / as_path, self.posts_path / as_path]
            for candidate in candidates:
                if candidate.exists():
                    ref = post_ref(candidate)
                    if ref is None:
                        # A path the user named outright is taken even when its
                        # name is not Jekyll's; the date then comes from mtime.
                        stamp = dt.date.fromtimestamp(candidate.stat().st_mtime)
                        ref = PostRef(stamp, candidate.stem, candidate)
                    return ref
            raise PostNotFoundError(f"No post at {spec}; check the path or name it by slug.")
        date = _try_iso_date(spec)
        relative = date is None and _RELATIVE_DATE.fullmatch(spec.strip().lower()) is not None
        if relative:
            date = parse_date(spec, self.today())
        if date is not None:
            prefix = f"{date.isoformat()}-"
            named = [(f, n) for f, n in self.post_files() if n.startswith(prefix)]
        elif not spec.isascii():
            found = self.find_slug(spec)
            if found is not None:
                return found
            named = []
        else:
            # A cheap test on the name first; the exact slug is checked below.
            needle = f"-{spec}."
            named = [(f, n) for f, n in self.post_files() if needle in n]
        refs = (_name_ref(folder, name) for folder, name in named)
        matches = [
            ref
            for ref in refs
            if ref is not None and (ref.date == date if date is not None else ref.slug == spec)
        ]
        if not matches and relative and date is not None:
            raise PostNotFoundError(
                f"No post for {spec} ({date.isoformat()}) in {self.posts_path}; "
                f"create it with `studylog new --date {date.isoformat()}`."
            )
        if not matches:
            raise PostNotFoundError(
                f"No post '{spec}' in {self.posts_path}; `studylog list` shows the posts."
            )
        if date is not None and len(matches) > 1:
            slugs = ", ".join(sorted(ref.slug for ref in matches))
            raise PostAmbiguousError(
                f"{spec} has {len(matches)} posts ({slugs}); name the one you mean by its slug."
            )
        return max(matches)

    def find_slug(self, slug: str, files: list[tuple[str, str]] | None = None) -> PostRef | None:
        """The post with this slug, whatever its date, or None.

        `files` is a `post_files()` listing to reuse.
        """
        slug = normalize_slug(slug)
        if not slug.isascii():
            # A file may carry the slug in NFD (made on macOS): compare normalised.
            for folder, name in self.post_files() if files is None else files:
                ref = _name_ref(folder, name)
                if ref is not None and normalize_slug(ref.slug) == slug:
                    return ref
            return None
        needle = f"-{slug}."
        for folder, name in self.post_files() if files is None else files:
            if needle not in name:
                continue
            ref = _name_ref(folder, name)
            if ref is not None and ref.slug == slug:
                return ref
        return None


def _parse_name(name: str) -> tuple[dt.date, str] | None:
    match = POST_NAME.match(name)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None


def _written_last(refs: list[PostRef]) -> PostRef:
    """Of posts sharing the newest date, the one whose file was written last.

    Every write replaces the file (an atomic rename), so its birth and
    change times are those of the last write too: no file system keeps when
    a post was created. The modification time is the honest order: a fresh
    `new` is the last written, and so is a post added to since. The slug
    only breaks a tie (`day9` sorts after `day10` as text, so it can't lead).
    """
    if len(refs) == 1:
        return refs[0]

    def written(ref: PostRef) -> int:
        try:
            return ref.path.stat().st_mtime_ns
        except OSError:
            return 0

    return max(refs, key=lambda r: (r.date, written(r), r.slug))


def _day_refs(listing: list[tuple[str, str]], day: str) -> list[PostRef]:
    refs = (_name_ref(folder, name) for folder, name in listing if name.startswith(day))
    return [ref for ref in refs if ref is not None]


def _name_ref(folder: str, name: str) -> PostRef | None:
    # post_ref() that makes a Path only for names that are posts.
    parsed = _parse_name(name)
    return None if parsed is None else PostRef(parsed[0], parsed[1], Path(folder, name))


def post_ref(path: Path) -> PostRef | None:
    """A `PostRef` for a file named like a Jekyll post, else None."""
    parsed = _parse_name(path.name)
    return None if parsed is None else PostRef(parsed[0], parsed[1], path)


def _try_iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


_RELATIVE_DATE = re.compile(r"today|yesterday|tomorrow|[+-]\d{1,5}")


def parse_date(text: str, today: dt.date) -> dt.date:
    """Parse a DATE: `YYYY-MM-DD`, `today`, `yesterday`, `tomorrow`, `+N`, `-N`.

    Raises:
        DateInvalidError: the text is none of those.
    """
    value = text.strip().lower()
    relative = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if value in relative:
        return today + dt.timedelta(days=relative[value])
    if _RELATIVE_DATE.fullmatch(value):
        return today + dt.timedelta(days=int(value))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DateInvalidError(
        f"Can't read the date '{text}'; use YYYY-MM-DD, today, yesterday, tomorrow, +N or -N."
    )


_BAD_SLUG = re.compile(r"[\x00-\x1f\x7f/\\]")


# A file name holds at most 255 bytes; the date, dash and `.md` take 14.
MAX_SLUG_BYTES = 200


def normalize_slug(slug: str) -> str:
    """The slug in Unicode NFC, the form macOS, Windows and Linux keyboards agree on.

    Without it the NFD and NFC spellings of one Hangul slug make two posts.
    """
    if slug.isascii():
        return slug
    # unicodedata only when a slug is checked.
    import unicodedata

    return unicodedata.normalize("NFC", slug)


# What jekyll-compose's slugify (mode "default") turns into one hyphen: a run of
# anything but letters, marks and digits; `_` is kept, and so is case, so
# slugs such as `BoostCourse_day12` stay as typed.
_SLUG_BREAK = re.compile(r"[^\w\u0300-\u036f]+")


def slugify(text: str) -> str:
    """`text` made a slug as jekyll-compose does: `day 11` → `day-11`, `Q&A!` → `Q-A`.

    Spaces and punctuation runs become one hyphen and none is left at either
    end; letters (any script), digits, `_` and case are kept.
    """
    return _SLUG_BREAK.sub("-", normalize_slug(text)).strip("-")


def new_slug(typed: str) -> str:
    """The slug of a new post from what the user typed: checked, slugified, checked again.

    The first check refuses paths (`../evil`, `.hidden`, `a/b`) as typed
    rather than quietly turning them into other names; the second refuses
    text that was nothing but punctuation.

    Raises:
        SlugInvalidError: see `check_slug`.
    """
    return check_slug(slugify(check_slug(typed.strip())))


def check_slug(slug: str) -> str:
    """Return the slug, NFC-normalised, if it is safe as part of a file name.

    Raises:
        SlugInvalidError: empty, a path, a leading dot, control characters,
            not valid UTF-8, or too long for a file name.
    """
    if any("\ud800" <= char <= "\udfff" for char in slug):
        raise SlugInvalidError(
            "The slug is not valid UTF-8 text; set your terminal to UTF-8 and type it again."
        )
    slug = normalize_slug(slug)
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        raise SlugInvalidError(
            f"The slug is {len(slug.encode('utf-8'))} bytes long, more than a file name can "
            f"hold with its date; keep it under {MAX_SLUG_BYTES} bytes."
        )
    if not slug or not slug.strip():
        raise SlugInvalidError("The slug is empty; name the post, for example `day5`.")
    if _BAD_SLUG.search(slug) or ".." in slug:
        raise SlugInvalidError(
            f"The slug {slug!r} can't hold '/', '\\', '..' or control characters; "
            "use letters, digits and dashes."
        )
    if slug.startswith(".") or slug.startswith("-") or slug != slug.strip():
        raise SlugInvalidError(
            f"The slug {slug!r} can't start with a dot or dash or have surrounding spaces; "
            "use letters, digits and dashes."
        )
    return slug


def default_home() -> Path:
    """The default log's folder: `$STUDYLOG_HOME`, else `~/studylog`."""
    env = os.environ.get("STUDYLOG_HOME")
    return Path(env).expanduser() if env else Path.home() / "studylog"


def find_log_root(cwd: Path | None = None) -> Path | None:
    """The folder of the log found from `cwd`: `.studylog.yml` upwards, else the default.

    None when there is neither (`scaffold.open_or_create_log` then makes the default).
    """
    found = find_config(cwd or Path.cwd())
    if found is not None:
        return found.parent
    home = default_home()
    return home if (home / CONFIG_NAME).is_file() else None


def open_log(root: Path | None = None, cwd: Path | None = None) -> Log:
    """Find the log: `root` if given, else `.studylog.yml` upwards, else the default.

    Args:
        root: `--root`/`STUDYLOG_ROOT`; a folder that must already be a
            log (hold `.studylog.yml`).
        cwd: where to start looking upwards (default: the current folder).

    Raises:
        LogNotFoundError: `root` is not a log, or there is no log (see
            `scaffold.open_or_create_log` for making the default one).
    """
    if root is not None:
        root = root.expanduser()
        if not root.is_dir():
            raise LogNotFoundError(
                f"{root} (from --root or STUDYLOG_ROOT) is not a folder; "
                "pass the folder that holds .studylog.yml."
            )
        if not (root / CONFIG_NAME).is_file():
            # Not a log: writing there would leave a stray posts folder in
            # whatever folder a typo or a stale STUDYLOG_ROOT points at.
            raise LogNotFoundError(
                f"{root} (from --root or STUDYLOG_ROOT) is not a study log (no {CONFIG_NAME}); "
                f"run `studylog init {root}` first or pass the log's folder."
            )
        return Log(load_settings(root.resolve()))
    found = find_log_root(cwd)
    if found is None:
        raise LogNotFoundError(
            f"No study log here and none in {default_home()}; run `studylog init` here, "
            "`studylog new SLUG` to start the default log, or pass --root."
        )
    return Log(load_settings(found))
