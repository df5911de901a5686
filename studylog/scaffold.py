"""Making things: a study log (`init`) and a day's post (`new`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from studylog.config import (
    CONFIG_KEYS,
    CONFIG_NAME,
    PROFILE_TITLES,
    PROFILES,
    Settings,
    load_settings,
)
from studylog.errors import (
    ConfigError,
    FrontMatterError,
    GitError,
    PathOutsideLogError,
    PostExistsError,
    PostWriteError,
    TemplateRenderError,
)
from studylog.jekyll import read_site, read_site_config, read_site_timezone
from studylog.log import (
    POST_NAME,
    POST_SUFFIXES,
    Log,
    PostRef,
    default_home,
    find_log_root,
    new_slug,
    open_log,
)
from studylog.post import (
    front_matter_title,
    locked,
    parse_front_matter,
    read_post,
    split_post,
    write_atomic,
)

if TYPE_CHECKING:
    from studylog.study import Calendar


@dataclass(frozen=True)
class InitResult:
    """What `init_log` did: each step it took, or that there was nothing to do."""

    root: Path
    created_config: bool
    created_repository: bool
    created_posts_dir: bool
    timezone: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    # `.gitattributes` gained the lines that send posts to studylog's merge driver.
    declared_merge: bool = False
    # The merge driver was set in this repository's config (a new clone, say).
    registered_driver: bool = False
    # The short hash of the commit of the set-up files (made when the log has posts).
    committed: str | None = None
    # Why that commit could not be made (the set-up itself is done).
    commit_problem: str | None = None

    @property
    def changed(self) -> bool:
        """True when anything was created."""
        return (
            self.created_config
            or self.created_repository
            or self.created_posts_dir
            or self.declared_merge
            or self.registered_driver
            or self.committed is not None
        )


def render_config(
    profile: str, timezone: str | None, front_matter: dict[str, Any], course: str = ""
) -> str:
    """The text of a new `.studylog.yml`: every key, each with its meaning as a comment."""
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    def block(key: str, value: Any) -> str:
        dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False).rstrip("\n")
        return dumped

    lines = [
        "# studylog settings for this study log (`studylog docs config` explains each key).",
        "# Unknown keys are an error, so a typo can't be silently ignored.",
        "",
    ]
    values: dict[str, str] = {
        "profile": f"profile: {profile}",
        "posts_dir": "posts_dir: _posts",
        "timezone": f"timezone: {timezone}" if timezone else "# timezone: Asia/Seoul",
        "title": f"title: {_quote(PROFILE_TITLES[profile])}",
        "course": f"course: {_quote(course)}",
        "liquid": "liquid: protect",
        "template": f"template: {profile}",
        "templates_dir": "templates_dir: _templates",
        "roster": "roster: []",
        "moderators": "moderators: []",
        "sections": (
            "# sections:\n#   questions:\n#     heading: 질문내용\n#     aliases: [질문, Q&A]"
            if profile == "ko"
            else "# sections:\n#   questions:\n#     heading: Questions\n#     aliases: [Q&A]"
        ),
        "formats": (
            '# formats:\n#   question: "{n}. {asker}님 질문 : {question}"'
            if profile == "ko"
            else '# formats:\n#   question: "{n}. Question from {asker}: {question}"'
        ),
        "front_matter": block("front_matter", front_matter)
        if front_matter
        else "# front_matter: {}",
        "team": "# team:\n#   - name: 지수\n#     repo: https://github.com/jisu/jisu.github.io.git"
        if profile == "ko"
        else "# team:\n#   - name: Jisu\n#     repo: https://github.com/jisu/jisu.github.io.git",
        "carry_open": "carry_open: true",
        "calendar": (
            "# calendar:\n#   start: 2021-08-02\n#   days: [mon, tue, wed, thu, fri]\n"
            "#   holidays: [2021-08-16, 2021-09-20..2021-09-22]"
        ),
    }
    for key, meaning in CONFIG_KEYS.items():
        lines.append(f"# {key}: {meaning}")
        lines.append(values[key])
        lines.append("")
    return "\n".join(lines)


def _quote(text: str) -> str:
    # json only when `init` writes a config.
    import json

    return json.dumps(text, ensure_ascii=False)


def init_log(root: Path, profile: str = "ko", course: str = "") -> InitResult:
    """Make `root` a study log; a second run changes nothing.

    Writes `.studylog.yml` (taking the timezone and jekyll-compose's
    default front matter from a Jekyll `_config.yml`, which it never
    rewrites), runs `git init` where `root` is not in a repository,
    creates the posts folder, and sets up the post merge driver
    (`.gitattributes` and the repository's config, see `studylog.merge`).
    `course` is the posts' category and the title's `[prefix]` (empty:
    neither); an existing `.studylog.yml` keeps its own.

    Raises:
        ConfigError: unknown profile, a course of several lines, or a
            `_config.yml` that is not YAML.
        PostWriteError: the folder can't be written.
    """
    if profile not in PROFILES:
        raise ConfigError(f"Unknown profile '{profile}'; use 'ko' or 'en'.")
    course = course.strip()
    if "\n" in course or "\r" in course:
        raise ConfigError("The course must be one line; give its name only.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PostWriteError(f"Can't create {root} ({err.strerror}); pick another folder.") from err
    config_path = root / CONFIG_NAME
    created_config = False
    jekyll = read_site_config(root)
    timezone = read_site_timezone(root)
    compose = jekyll.get("jekyll_compose")
    front_matter: dict[str, Any] = {}
    if isinstance(compose, dict):
        defaults = compose.get("default_front_matter")
        if isinstance(defaults, dict) and isinstance(defaults.get("posts"), dict):
            front_matter = defaults["posts"]
    if not config_path.exists():
        text = render_config(profile, timezone, front_matter, course)
        try:
            write_atomic(config_path, text.encode("utf-8"), exclusive=True)
        except FileExistsError:
            pass
        else:
            created_config = True
    settings = load_settings(root)
    # git only for `init`, which `new` does not need.
    from studylog.vcs import init_repository, is_inside_repository

    created_repository = False
    if not is_inside_repository(root):
        init_repository(root)
        created_repository = True
    created_posts_dir = _make_posts_dir(settings)
    # git only for `init`, which `new` does not need.
    from studylog.merge_driver import declare_attributes, register_driver

    declared_merge = declare_attributes(root, settings.posts_dir)
    # The driver's command lives in .git/config, which a clone doesn't copy:
    # every command sets it again where it is missing (cli.open_log_for).
    registered = register_driver(root)
    committed, problem = _commit_setup(Log(settings))
    return InitResult(
        root,
        created_config,
        created_repository,
        created_posts_dir,
        settings.timezone,
        front_matter,
        declared_merge,
        registered,
        committed,
        problem,
    )


def _commit_setup(log: Log) -> tuple[str | None, str | None]:
    """Commit the set-up files on their own when the log already has posts.

    A log with no post yet gets them in its first post's commit
    (`studylog commit` includes them). Returns the commit's short hash (or
    None) and why it could not be made (or None): the set-up is done
    either way, so a git problem here is reported, not raised.
    """
    if not log.post_files():
        return None, None
    # git only for `init`'s commit.
    from studylog.vcs import commit_posts

    try:
        result = commit_posts(
            log, setup_only=True, message="Set up studylog: settings, merge driver, templates"
        )
    except GitError as err:
        return None, str(err)
    return (result.commit if result else None), None


@dataclass(frozen=True)
class PreviousPost:
    """What a template and the defaults learn from the post before this one."""

    slug: str
    title: str
    date: dt.date
    participants: list[str]
    moderator: str


class NewPostRequest(NamedTuple):
    """What the user asked `new` for; None means "use the default".

    With no `slug`, the post is `day{N}` (see `default_slug`). A NamedTuple,
    defined on every `new`: ~0.05 ms, a frozen dataclass ~0.35.
    """

    slug: str | None = None
    date: dt.date | None = None
    title: str | None = None
    template: str | None = None
    moderator: str | None = None
    participants: tuple[str, ...] = ()
    # A teammate whose peer-session part of the same day starts the post.
    from_member: str | None = None
    # List the recent posts' open questions (when the log's carry_open allows).
    carry: bool = True
    # The `week` template variable: the week's summary (`studylog week`), as plain data.
    week: dict[str, Any] | None = None
    # Make the post even when the date already has one.
    force: bool = False
    # Write `_drafts/SLUG.md` (jekyll-compose's `jekyll draft`): no date in
    # its name, none of the one-post-per-date rule; `publish` dates it.
    draft: bool = False


def open_or_create_log(root: Path | None = None, cwd: Path | None = None) -> Log:
    """`log.open_log`, but with no `root` and no log found, make the default log first.

    `new` does this, so a first `studylog new` works anywhere; read commands
    call `open_log` and say there is no log instead. The default log is made
    with the `ko` profile and `git init` in `log.default_home()`.
    """
    if root is not None or find_log_root(cwd) is not None:
        return open_log(root, cwd)
    home = default_home()
    init_log(home, profile="ko")
    return Log(load_settings(home), created=True)


def _make_posts_dir(settings: Settings) -> bool:
    """Create the posts folder if it is missing; True when it was created.

    Raises:
        PostWriteError: it can't be created.
    """
    if settings.posts_path.is_dir():
        return False
    try:
        settings.posts_path.mkdir(parents=True)
    except OSError as err:
        raise PostWriteError(
            f"Can't create {settings.posts_path} ({err.strerror}); check the permissions."
        ) from err
    return True


def day_number(
    slug: str, date: dt.date | None = None, calendar: Calendar | None = None
) -> int | None:
    """The day number of a new post, for its title's `{n}` and the template's `day`.

    The slug's study-day number (`week3-day2` → 2, see `study.slug_day`);
    else the study-day number the calendar gives `date`; else the slug's
    last number (`lecture-2-3` → 3); else None.
    """
    from studylog.study import slug_day  # the calendar module: loaded only by `new`

    day = slug_day(slug)
    if day is not None:
        return day
    if calendar is not None and calendar.start is not None and date is not None:
        if calendar.is_study_day(date):
            return calendar.day_number(date)
    numbers = re.findall(r"\d+", slug)
    return int(numbers[-1]) if numbers else None


# With no course, "[{course}] Day{n}" becomes "Day{n}": the brackets (or
# parentheses) around the course and the space after them go with it.
# The built-in template `studylog week` fills from the week's posts; its
# `week` variable exists only there, so `new --template week` is refused.
WEEK_TEMPLATE = "week"

_EMPTY_COURSE = re.compile(r"[\[(]\{course(?::[^}]*)?\}[\])][ \t]*|[ \t]*\{course(?::[^}]*)?\}")


def make_title(
    pattern: str, slug: str, date: dt.date, course: str = "", calendar: Calendar | None = None
) -> str:
    """Fill the title pattern; with no day number (`day_number`), `{n}` patterns give the slug.

    An empty `course` drops `{course}` with the brackets around it.
    """
    # string's Formatter only when a title is made.
    import string

    day = day_number(slug, date, calendar)
    if not course:
        pattern = _EMPTY_COURSE.sub("", pattern).strip() or pattern
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
        if day is None and "n" in fields:
            # `{n:02d}` can't format a missing number: the slug is the title.
            return slug
        return pattern.format(n=day, slug=slug, date=date.isoformat(), course=course)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as err:
        raise ConfigError(
            f"The title pattern {pattern!r} can only use {{n}}, {{slug}}, {{date}} and {{course}}."
        ) from err


_NAME_LINE = "{label}[ \t]*:[ \t]*(.*)"


def read_previous(
    log: Log, before: dt.date, files: list[tuple[str, str]] | None = None
) -> PreviousPost | None:
    """The newest post dated before `before` (by file name), read for its names.

    `files` is a `Log.post_files()` listing to reuse; only that one post is opened.
    """
    ref = log.newest(before, files)
    if ref is None:
        return None
    return _previous_from(log.settings, ref)


def _previous_from(settings: Settings, ref: PostRef) -> PreviousPost:
    title = ref.slug
    participants: list[str] = []
    moderator = ""
    try:
        post = read_post(ref.path)
    except Exception:  # noqa: BLE001 - an unreadable previous post only loses its defaults
        return PreviousPost(ref.slug, title, ref.date, participants, moderator)
    formats = settings.entry_formats
    title = front_matter_title(post.front_matter) or title
    body = post.body
    match = re.search(
        _NAME_LINE.format(label=re.escape(formats.participants_label)), body, re.MULTILINE
    )
    if match:
        participants = [n.strip() for n in re.split(r"[,、]", match[1]) if n.strip()]
    match = re.search(
        _NAME_LINE.format(label=re.escape(formats.moderator_label)), body, re.MULTILINE
    )
    if match:
        moderator = match[1].strip()
    return PreviousPost(ref.slug, title, ref.date, participants, moderator)


def _next_moderator(settings: Settings, previous: PreviousPost | None) -> str:
    rotation = settings.moderators
    if not rotation:
        return previous.moderator if previous else ""
    if previous and previous.moderator in rotation:
        return rotation[(rotation.index(previous.moderator) + 1) % len(rotation)]
    return rotation[0]


def default_slug(log: Log, date: dt.date, files: list[tuple[str, str]] | None = None) -> str:
    """`day{N}` for a post dated `date`.

    N is the date's study-day number counted from `calendar.start`; without
    one, the day number of the newest numbered post before `date`, plus one.
    `files` is a `Log.post_files()` listing to reuse; no post is opened.

    Raises:
        StudyDayError: the calendar has a start, and `date` is before it or no study day.
        PostExistsError: a post already carries that day number (`BoostCourse_day41`).
    """
    # The course calendar only when no slug is given.
    from studylog.study import slug_day

    listing = log.post_files() if files is None else files
    # File names only (an ISO date sorts as text): ~3 ms for 10,000 posts.
    numbered = [
        (name[:10], number, name)
        for _, name in listing
        if (match := POST_NAME.match(name)) and (number := slug_day(match[4])) is not None
    ]
    calendar = log.settings.calendar
    if calendar is not None and calendar.start is not None:
        day = calendar.day_number(date)
    else:
        before = [(when, number) for when, number, _ in numbered if when < date.isoformat()]
        day = max(before)[1] + 1 if before else 1
    taken = [name for _, number, name in numbered if number == day]
    if taken:
        raise PostExistsError(
            f"Day {day} already has a post ({taken[0]}); give the new post a slug, "
            "or add to that one with --post."
        )
    return f"day{day}"


def _apply_default_front_matter(text: str, defaults: dict[str, Any]) -> str:
    """Apply jekyll-compose's `default_front_matter.posts` to a freshly rendered post.

    As in jekyll-compose, the configured defaults win: a top-level key the
    template set is replaced (its line and any indented lines under it), a
    missing key is added at the end. The post is new and ours to write, so
    dumping these few keys with YAML is safe here.
    """
    if not defaults:
        return text
    post = split_post(Path("new"), text)
    if post.front_matter is None:
        return text
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    lines = post.front_matter.splitlines(keepends=True)
    kept: list[str] = []
    skipping = False
    for line in lines:
        key_match = re.match(r"^([^\s#:][^:]*?)[ \t]*:", line)
        if key_match is not None:
            skipping = key_match[1].strip("\"'") in defaults
        elif line[:1] not in (" ", "\t", "-") and line.strip():
            skipping = False
        if not skipping:
            kept.append(line)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    dumped = yaml.safe_dump(defaults, allow_unicode=True, sort_keys=False)
    start = post.front_matter_start
    end = start + len(post.front_matter)
    return text[:start] + "".join(kept) + dumped + text[end:]


def _carry_open_questions(
    log: Log,
    path: Path,
    text: str,
    date: dt.date,
    template: str,
    files: list[tuple[str, str]] | None = None,
) -> str:
    """The new post's text with the recent posts' open questions in its open section.

    The section is the template's (by heading or alias), else created where
    the profile puts it (before the peer session). `files` is a
    `Log.post_files()` listing to reuse.
    """
    # Open questions only when `new` carries them.
    from studylog.open_questions import recent_open_questions, render_carried

    questions = recent_open_questions(log, date, files)
    if not questions:
        return text
    # The entry writer (~6 ms to import) only when there is something to carry.
    from studylog.entries import add_to_text

    lines = render_carried(questions)
    post = split_post(path, text)
    try:
        # add_to_text trusts its caller to have checked the front matter.
        parse_front_matter(post)
        return add_to_text(post, "open", log.settings.sections, lambda _: lines).text
    except FrontMatterError as err:
        raise TemplateRenderError(
            f"The template '{template}' gives front matter that is not valid YAML, so the "
            f"open questions can't be added ({err}); fix the template, or use --no-carry."
        ) from err


def check_date_free(date: dt.date, files: list[tuple[str, str]]) -> None:
    """Refuse a second post for a date (a `new` typed twice); callers skip it when forced.

    Raises:
        PostExistsError: a post already carries the date in its file name.
    """
    prefix = f"{date.isoformat()}-"
    taken = sorted(name for _, name in files if name.startswith(prefix) and POST_NAME.match(name))
    if taken:
        raise PostExistsError(
            f"{date.isoformat()} already has a post ({taken[0]}); add to it with --post, "
            "or pass --force to make another post for that date."
        )


def create_post(log: Log, request: NewPostRequest) -> Path:
    """Write a new post from a template and return its path.

    Raises:
        SlugInvalidError: the slug can't be a file name (see `log.new_slug`).
        PostExistsError: the date has a post already and `force` is off.
        TextInvalidError: a title or name holds a line break or control character.
        PostExistsError: a post with that slug exists (at any date).
        TemplateNotFoundError, TemplateRenderError: the template is missing or broken.
        PostWriteError: the posts folder is read-only.
        TeamMemberError, TeamBlogError: `from_member` is no teammate or is not pulled.
        PostNotFoundError: `from_member` has no peer session that day.
        OperationInProgressError: git work is unfinished in the log's repository.
    """
    from studylog.unfinished import check_nothing_unfinished  # git's state only when writing

    # Under the writers' lock, so a post never appears in the middle of a
    # sync's rebase or a commit; checked inside it, as a sync may have been
    # killed while this waited.
    with locked(log.root):
        check_nothing_unfinished(log.root, "run `studylog new`")
        return _create_post(log, request)


def _create_post(log: Log, request: NewPostRequest) -> Path:
    # Only `new` renders a template or borrows a teammate's part.
    from studylog.names import person_name
    from studylog.templates import find_template, render_template, template_folders
    from studylog.values import check_single_line

    settings = log.settings
    # The values the user typed: one line each, as `add-*` requires of names,
    # or `--participant $'민수\n## 회고록'` would put a heading in the post.
    if request.title is not None:
        check_single_line(request.title, "title")
    if request.moderator is not None:
        check_single_line(request.moderator, "moderator")
    for name in request.participants:
        check_single_line(name, "participant")
    now = log.now()
    date = request.date or now.date()
    # One listing of the posts folder serves every lookup (no post is opened).
    files = log.post_files()
    slug = new_slug(request.slug) if request.slug is not None else default_slug(log, date, files)
    existing = log.find_slug(slug, files)
    if existing is not None:
        raise PostExistsError(
            f"A post for '{slug}' already exists: {existing.path}; "
            "pick another slug or add to it with `studylog add-question`."
        )
    info = find_template(settings, request.template or settings.template)
    if info.name == WEEK_TEMPLATE and request.week is None:
        raise TemplateRenderError(
            f"The '{WEEK_TEMPLATE}' template is filled from the week's posts by "
            "`studylog week`; run that instead of `studylog new --template week`."
        )
    peer_part = None
    if request.from_member is not None:
        # Only `new` renders a template or borrows a teammate's part.
        from studylog.team import borrow_peer_part

        peer_part = borrow_peer_part(log, request.from_member, date)
    if not request.force and not request.draft:
        check_date_free(date, files)
    previous = read_previous(log, date, files)
    title = request.title or make_title(
        settings.title, slug, date, settings.course, settings.calendar
    )
    participants = [person_name(name) for name in request.participants] or list(settings.roster)
    if not participants and previous is not None:
        participants = previous.participants
    moderator = (
        person_name(request.moderator)
        if request.moderator is not None
        else _next_moderator(settings, previous)
    )
    text = render_template(
        info,
        {
            "slug": slug,
            "day": day_number(slug, date, settings.calendar),
            "date": date,
            "now": now,
            "title": title,
            "moderator": moderator,
            "participants": participants,
            "config": settings,
            "moderator_label": settings.entry_formats.moderator_label,
            "participants_label": settings.entry_formats.participants_label,
            "headings": {key: spec.heading for key, spec in settings.sections.items()},
            "previous": previous,
            "course": settings.course,
            "layout": read_site(settings.root, settings.posts_dir).post_layout,
            "week": request.week,
        },
        template_folders(settings),
    )
    text = _apply_default_front_matter(text, settings.front_matter)
    if peer_part is not None:
        # Only `new` renders a template or borrows a teammate's part.
        from studylog.team import insert_peer_part

        text = insert_peer_part(text, settings, peer_part)
    if request.draft:
        path = _draft_path(settings, slug)
    else:
        path = settings.posts_path / f"{date.isoformat()}-{slug}.md"
    if request.carry and settings.carry_open:
        text = _carry_open_questions(log, path, text, date, info.name, files)
    _make_posts_dir(settings)
    # The commit journal only when a post is written.
    from studylog.journal import record_write, stamp_before_write

    before = stamp_before_write(path)
    try:
        write_atomic(path, text.encode("utf-8"), exclusive=True)
    except FileExistsError as err:
        raise PostExistsError(f"{path} already exists; pick another slug or date.") from err
    record_write(log.root, path, before, None)
    return path


def _draft_path(settings: Settings, slug: str) -> Path:
    """Where a new draft goes, made ready; refused when it exists or leads out of the log.

    Raises:
        PostExistsError: a draft with that slug exists (it is never overwritten).
        PathOutsideLogError: the drafts folder is a symlink out of the log.
        PostWriteError: the drafts folder can't be created.
    """
    from studylog.confine import is_inside  # drafts only: `new` writes into the posts folder

    folder = settings.drafts_path
    if not is_inside(folder, settings.root):
        raise PathOutsideLogError(
            f"{folder} leads outside the log {settings.root}, so studylog won't write there; "
            "make it an ordinary folder."
        )
    existing = [folder / f"{slug}{suffix}" for suffix in POST_SUFFIXES]
    for path in existing:
        if path.exists():
            raise PostExistsError(
                f"A draft '{slug}' already exists: {path}; open it with "
                f"`studylog edit {slug}`, or pick another slug."
            )
    try:
        folder.mkdir(exist_ok=True)
    except OSError as err:
        raise PostWriteError(
            f"Can't create {folder} ({err.strerror}); check the permissions."
        ) from err
    return existing[0]
