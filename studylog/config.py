"""The settings of one study log: `.studylog.yml` and the built-in profiles.

`load_settings()` reads the file, checks every key against the known ones
(an unknown key is an error that names it) and fills in the profile's
defaults. The parsed file is cached (see `_cached_mapping`), so most
commands don't import PyYAML at all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple

from studylog.confine import is_inside
from studylog.errors import ConfigError, TextInvalidError
from studylog.values import check_single_line

if TYPE_CHECKING:
    from studylog.study import Calendar

CONFIG_NAME = ".studylog.yml"
PROFILES = ("ko", "en")


# The settings' records are NamedTuples, not dataclasses: every command reads
# the settings, and importing dataclasses (with inspect) and building a frozen
# dataclass's methods cost ~6 ms plus ~0.35 ms a class before any work.
class SectionSpec(NamedTuple):
    """One section a post can have, found by its heading text or an alias.

    `parent` is the key of the section it sits under (the peer-session
    subsections sit under `peer`); `level` is its heading level in the
    template, used when studylog has to create the section.
    """

    key: str
    heading: str
    level: int = 2
    aliases: tuple[str, ...] = ()
    parent: str | None = None


class EntryFormats(NamedTuple):
    """How entries are written as Markdown; `{name}` fields are filled in."""

    question: str
    answer: str
    review: str
    review_no_topic: str
    feedback: str
    participants_label: str
    moderator_label: str


class TeamMember(NamedTuple):
    """A teammate under `team:`: their name and their blog's git URL (or path)."""

    name: str
    repo: str


class Settings(NamedTuple):
    """Everything a command needs to know about one study log."""

    root: Path
    profile: str = "ko"
    posts_dir: str = "_posts"
    timezone: str | None = None
    title: str = "[{course}] Day{n} 학습기록"
    course: str = ""
    liquid: str = "protect"
    template: str = "ko"
    templates_dir: str = "_templates"
    roster: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    sections: dict[str, SectionSpec] = {}  # noqa: RUF012 (read-only, like every setting)
    formats: EntryFormats | None = None
    front_matter: dict[str, Any] = {}  # noqa: RUF012 (read-only, like every setting)
    team: tuple[TeamMember, ...] = ()
    calendar: Calendar | None = None
    carry_open: bool = True

    @property
    def posts_path(self) -> Path:
        """The folder that holds the posts."""
        return self.root / self.posts_dir

    @property
    def drafts_path(self) -> Path:
        """The drafts folder: `_drafts` beside the posts folder, where Jekyll looks for it."""
        # Path(posts_dir).parent, not posts_path.parent: `posts_dir: .` keeps it in the log.
        return self.root / Path(self.posts_dir).parent / "_drafts"

    @property
    def templates_path(self) -> Path:
        """The folder that holds the log's own templates."""
        return self.root / self.templates_dir

    @property
    def entry_formats(self) -> EntryFormats:
        """The entry formats, never None once loaded."""
        return self.formats or PROFILE_FORMATS[self.profile]


PROFILE_SECTIONS: dict[str, tuple[SectionSpec, ...]] = {
    "ko": (
        SectionSpec("study", "학습 내용", 2, ("학습내용", "오늘의 학습", "강의 내용", "강의")),
        # Carried open questions (`studylog new`), before the day's peer session.
        SectionSpec(
            "open", "이어서 볼 질문", 2, ("해야할 일", "해야 할 일", "남은 질문", "Open questions")
        ),
        SectionSpec("peer", "피어세션", 2, ("피어 세션", "피어세션 정리", "peer session")),
        SectionSpec("agenda", "추가안건", 3, ("추가 안건", "안건"), parent="peer"),
        SectionSpec(
            "reviews", "과제 리뷰", 3, ("과제리뷰", "코드 리뷰", "코드리뷰"), parent="peer"
        ),
        SectionSpec(
            "questions",
            "질문내용",
            3,
            ("질문 내용", "질문", "질의응답", "Q&A", "QnA", "질문사항", "수업 질문"),
            parent="peer",
        ),
        SectionSpec(
            "retrospective",
            "회고록",
            2,
            ("회고", "후기", "느낀점", "하루 회고", "오늘의 회고", "Today I Felt", "주말 회고"),
        ),
        # Not in the template: `studylog add notes …` creates it at the end.
        SectionSpec("notes", "메모", 2, ("노트", "Notes", "Memo")),
    ),
    "en": (
        SectionSpec("study", "What I studied", 2, ("Study", "Learning", "Today I learned", "TIL")),
        # Carried open questions (`studylog new`), before the day's peer session.
        SectionSpec("open", "Open questions", 2, ("Carried over", "Still open", "이어서 볼 질문")),
        SectionSpec("peer", "Peer session", 2, ("Peer-session", "Study group")),
        SectionSpec("agenda", "Agenda", 3, ("Other business",), parent="peer"),
        SectionSpec("reviews", "Homework review", 3, ("Reviews", "Code review"), parent="peer"),
        SectionSpec("questions", "Questions", 3, ("Q&A", "QnA"), parent="peer"),
        SectionSpec("retrospective", "Retrospective", 2, ("Reflection", "Notes to self")),
        # Not in the template: `studylog add notes …` creates it at the end.
        SectionSpec("notes", "Notes", 2, ("Memo", "메모")),
    ),
}

PROFILE_FORMATS: dict[str, EntryFormats] = {
    "ko": EntryFormats(
        question="{n}. {asker}님 질문 : {question}",
        answer="답변 : {answer}",
        review="- {assignment} ({topic}, 발표자 : {presenter})",
        review_no_topic="- {assignment} (발표자 : {presenter})",
        feedback="→ {feedback}",
        participants_label="참가자",
        moderator_label="모더레이터",
    ),
    "en": EntryFormats(
        question="{n}. Question from {asker}: {question}",
        answer="Answer: {answer}",
        review="- {assignment} ({topic}, presenter: {presenter})",
        review_no_topic="- {assignment} (presenter: {presenter})",
        feedback="→ {feedback}",
        participants_label="Participants",
        moderator_label="Moderator",
    ),
}

PROFILE_TITLES = {"ko": "[{course}] Day{n} 학습기록", "en": "Day {n} study log"}
LIQUID_MODES = ("protect", "keep")

# The keys `.studylog.yml` may hold, with the one-line meaning that
# `studylog init` writes beside each and docs/config.md documents.
CONFIG_KEYS: dict[str, str] = {
    "profile": "ko or en: the built-in template, section headings and entry formats",
    "posts_dir": "the folder that holds the posts, relative to the log",
    "timezone": "IANA time zone for 'today' (else Jekyll's timezone, else the system's)",
    "title": (
        "the title pattern of a new post; {n} is the number in the slug, {slug} the slug, "
        "{course} the course"
    ),
    "course": "the course: the posts' category and the title's [prefix]; empty for neither",
    "liquid": "protect ({{ and {% in entries shown as typed) or keep (written as Liquid)",
    "template": "the template `studylog new` uses when --template is not given",
    "templates_dir": "the folder of the log's own templates (Jekyll does not publish it)",
    "roster": "the team's names: the participants of a new post",
    "moderators": "the moderator rotation: each new post takes the name after the last one's",
    "sections": "per section key: heading, aliases, level, parent (merged over the profile's)",
    "formats": "how entries are written: question, answer, review, review_no_topic, feedback",
    "front_matter": "extra front matter for new posts (from jekyll-compose's default_front_matter)",
    "team": "teammates' blogs for `team pull` and `digest`: a list of name and repo (a git URL)",
    "calendar": "the course's study days: start (day 1), days (mon, …), holidays (dates)",
    "carry_open": "true or false: `new` lists the recent posts' open questions (default true)",
}
SECTION_FIELDS = {"heading", "aliases", "level", "parent"}
FORMAT_FIELDS = set(EntryFormats._fields)


def find_config(start: Path) -> Path | None:
    """Return the first `.studylog.yml` from `start` upwards, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_settings(root: Path) -> Settings:
    """Read `root/.studylog.yml` (if there is one) into a `Settings`.

    Raises:
        ConfigError: the file is not YAML, not a mapping, or a key or value
            is unknown or of the wrong type; the message names the key.
    """
    path = root / CONFIG_NAME
    source = str(path)
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is None or not S_ISREG(info.st_mode):
        return settings_from_mapping(root, {}, source)
    raw = _cached_mapping(path, info, _CHECKED_SETTINGS)
    if raw is not None:
        # These very bytes passed every check below when they were cached.
        # The two checks that import a module are skipped: the zone lookup
        # (zoneinfo, ~3 ms of every command; `Log.now` looks the zone up
        # again where a date needs it) and the format parse (string, ~1 ms).
        return settings_from_mapping(root, raw, source, checked=True)
    raw = _parse_config(path)
    settings = settings_from_mapping(root, raw, source)
    _remember_mapping(path, info, raw, _CHECKED_SETTINGS)
    return settings


def read_yaml_mapping(
    path: Path, info: os.stat_result, strict_mapping: bool = True
) -> dict[str, Any]:
    """The YAML mapping in `path` (whose `os.stat` is `info`), through the parse cache.

    With `strict_mapping` false, a file that holds something other than a
    mapping (Jekyll's `_config.yml` may be empty) reads as {}.

    Raises:
        ConfigError: not UTF-8, not YAML, or (with `strict_mapping`) not a mapping.
    """
    raw = _cached_mapping(path, info, _PARSED)
    if raw is None:
        raw = _parse_config(path, strict_mapping)
        _remember_mapping(path, info, raw, _PARSED)
    return raw


def _parse_config(path: Path, strict_mapping: bool = True) -> dict[str, Any]:
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.load(text, Loader=_loader(yaml)) or {}
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8.") from err
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path} is not valid YAML{line}; fix it or delete it.") from err
    if not isinstance(raw, dict):
        if not strict_mapping:
            return {}
        raise ConfigError(
            f"{path} must be a mapping of keys to values; see `studylog docs config`."
        )
    if strict_mapping:
        # YAML keeps the last of two equal keys without a word, so a second
        # `posts_dir:` further down would silently win over the one the user edits.
        duplicate = _first_duplicate_key(yaml.compose(text, Loader=_loader(yaml)))
        if duplicate is not None:
            name, again = duplicate
            raise ConfigError(
                f"{path} has the key '{name}' twice (again at line {again}); keep one."
            )
    if "calendar" in raw:
        from studylog.study import plain_calendar  # the calendar code only for a calendar

        # YAML reads the calendar's dates as dates, which the settings cache can't hold.
        raw["calendar"] = plain_calendar(raw["calendar"])
    return raw


def _loader(yaml: Any) -> Any:
    # libyaml's parser when PyYAML was built with it: same results, ~10x faster.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _first_duplicate_key(root: Any) -> tuple[str, int] | None:
    """The first key written twice in one mapping of a composed YAML tree, and its line."""
    # PyYAML only where YAML is read (TID253); the caller has imported it already.
    import yaml

    stack, seen_nodes = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in keys:
                        return key.value, key.start_mark.line + 1
                    keys.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


# Reading `.studylog.yml` means importing PyYAML, ~11 ms: a tenth of a
# command's start-up. So the parsed mapping (never the checked Settings:
# every load still checks every key) is kept in a small cache keyed by the
# file's path, size, inode, mtime and ctime. Off with STUDYLOG_NO_CACHE=1,
# like `list`'s cache; a cache that can't be read or written is ignored.
_CACHE_VERSION = 3
# What a cached mapping is: YAML as parsed, or `.studylog.yml` that passed
# every check of `settings_from_mapping` (see `load_settings`).
_PARSED, _CHECKED_SETTINGS = "parsed", "checked settings"
# A file changed this recently may change again within the same timestamp
# tick on a coarse file system, so it is not cached yet (git's "racily clean").
RACY_NS = 2_000_000_000


def cache_folder() -> Path:
    """studylog's cache folder: `$XDG_CACHE_HOME/studylog/` (`~/.cache/studylog/`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "studylog"


def cache_file(name: str) -> Path | None:
    """The file `name` in studylog's cache folder, or None when caches are off.

    `STUDYLOG_NO_CACHE=1` turns every cache off.
    """
    if os.environ.get("STUDYLOG_NO_CACHE"):
        return None
    return cache_folder() / name


def write_cache(cache: Path, data: bytes) -> None:
    """Replace a cache file atomically, with a checksum `read_cache` verifies.

    A cache that can't be written (the cache folder is a file, read-only,
    full) is simply not kept.
    """
    # zlib only when a cache file is named.
    import zlib

    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(b"%08x\n" % zlib.crc32(data) + data)
        os.replace(tmp, cache)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # the folder itself is unusable: there is no temporary file


def read_cache(cache: Path | str) -> bytes | None:
    """The data `write_cache` stored, or None when missing, unreadable or damaged.

    The crc32 catches a flipped byte or a torn write, which would otherwise
    turn `_posts` into `_postz` and make `list` say "No posts". `cache` may
    be a plain string: `search` reads one per matching post, and a `Path`
    for each costs more than the read.
    """
    # zlib only when a cache file is named.
    import zlib

    try:
        with open(cache, "rb") as file:
            raw = file.read()
    except OSError:
        return None
    header, data = raw[:9], raw[9:]
    if header != b"%08x\n" % zlib.crc32(data):
        return None
    return data


def _cache_file(path: Path) -> Path | None:
    if os.environ.get("STUDYLOG_NO_CACHE"):
        return None  # before importing zlib
    # zlib only when a cache file is named.
    import zlib

    # crc32, not hashlib: importing OpenSSL would cost more than the cache saves.
    key = f"{zlib.crc32(os.fsencode(os.path.abspath(path))):08x}"
    return cache_file(f"settings-{key}.marshal")


def _stamp(path: Path, info: os.stat_result, kind: str) -> tuple[Any, ...]:
    return (
        _CACHE_VERSION,
        kind,
        os.path.abspath(path),
        info.st_size,
        info.st_ino,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


def _cached_mapping(path: Path, info: os.stat_result, kind: str) -> dict[str, Any] | None:
    cache = _cache_file(path)
    if cache is None:
        return None
    # marshal only when the cache is read or written.
    import marshal

    data = read_cache(cache)
    if data is None:
        return None
    try:
        stamp, raw = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if stamp != _stamp(path, info, kind) or not isinstance(raw, dict):
        return None
    return raw


def _remember_mapping(path: Path, info: os.stat_result, raw: dict[str, Any], kind: str) -> None:
    cache = _cache_file(path)
    if cache is None:
        return
    # marshal only when the cache is read or written.
    import marshal
    import time

    if time.time_ns() - info.st_mtime_ns < RACY_NS:
        return
    try:
        data = marshal.dumps((_stamp(path, info, kind), raw))
    except ValueError:
        return  # a value marshal can't hold (a date in front_matter): parse each time
    write_cache(cache, data)


def settings_from_mapping(
    root: Path, raw: dict[str, Any], source: str, checked: bool = False
) -> Settings:
    """Build `Settings` from the parsed YAML mapping, checking every key.

    `checked`: the mapping passed every check before (it comes from the
    checked-settings cache), so the zone lookup and the format parse, the
    two checks that import a module, are not done again.
    """
    for key in raw:
        if key not in CONFIG_KEYS:
            known = ", ".join(CONFIG_KEYS)
            raise ConfigError(f"{source}: unknown key '{key}'; the known keys are {known}.")
    profile = _get_str(raw, "profile", "ko", source)
    if profile not in PROFILES:
        raise ConfigError(f"{source}: profile must be 'ko' or 'en', not '{profile}'.")
    timezone = raw.get("timezone")
    if timezone is not None:
        timezone = _get_str(raw, "timezone", "", source)
        if not checked:
            _check_timezone(timezone, source)
    posts_dir = _get_folder(root, raw, "posts_dir", "_posts", source)
    templates_dir = _get_folder(root, raw, "templates_dir", "_templates", source)
    return Settings(
        root=root,
        profile=profile,
        posts_dir=posts_dir,
        timezone=timezone,
        title=_get_title(raw, profile, source, checked),
        course=_get_course(raw, source),
        liquid=_get_choice(raw, "liquid", LIQUID_MODES, source),
        template=_get_str(raw, "template", profile, source),
        templates_dir=templates_dir,
        roster=_get_names(raw, "roster", source),
        moderators=_get_names(raw, "moderators", source),
        sections=_merge_sections(profile, raw.get("sections"), source),
        formats=_merge_formats(profile, raw.get("formats"), source, checked),
        front_matter=_get_mapping(raw, "front_matter", source),
        team=_get_team(raw.get("team"), source),
        calendar=_get_calendar(raw, source),
        carry_open=_get_bool(raw, "carry_open", True, source),
    )


def _get_str(raw: dict[str, Any], key: str, default: str, source: str) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: '{key}' must be a non-empty string.")
    return value


def _get_folder(root: Path, raw: dict[str, Any], key: str, default: str, source: str) -> str:
    """A folder setting that must stay inside the log and outside `.git`.

    Checked with symlinks resolved: a pushed `_posts -> /etc` symlink or
    `posts_dir: .git` would otherwise let an append write where git or the
    system reads its own files.
    """

    value = _get_str(raw, key, default, source)
    relative = Path(value)
    real_root = root.resolve()
    if not relative.is_absolute() and ".." not in relative.parts:
        real = (root / relative).resolve()
        if is_inside(real, real_root) and real != real_root:
            if real.relative_to(real_root).parts[0] != ".git":
                return value
    raise ConfigError(
        f"{source}: '{key}' must be a folder inside the log and outside .git "
        f"(like {default}), not '{value}'; change it."
    )


def _get_title(raw: dict[str, Any], profile: str, source: str, checked: bool = False) -> str:
    title = _get_str(raw, "title", PROFILE_TITLES[profile], source)
    if not checked:
        check_format(title, "title", source)
    return title


def _get_course(raw: dict[str, Any], source: str) -> str:
    # Unlike the other strings, an empty course is a choice: no category, no [prefix].
    value = raw.get("course")
    if value is None:
        return ""
    if not isinstance(value, str) or "\n" in value:
        raise ConfigError(f"{source}: 'course' must be one line of text (or \"\" for none).")
    return value.strip()


def _get_choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], source: str) -> str:
    value = raw.get(key)
    if value is None:
        return choices[0]
    if value not in choices:
        allowed = " or ".join(repr(c) for c in choices)
        raise ConfigError(f"{source}: '{key}' must be {allowed}, not {value!r}.")
    return str(value)


def _get_calendar(raw: dict[str, Any], source: str) -> Calendar | None:
    if raw.get("calendar") is None:
        return None
    # The calendar code (~2 ms to import) only for a log that has a calendar.
    from studylog.study import parse_calendar

    return parse_calendar(raw["calendar"], source)


def _get_bool(raw: dict[str, Any], key: str, default: bool, source: str) -> bool:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(f"{source}: '{key}' must be true or false.")
    return value


def _get_names(raw: dict[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: '{key}' must be a list of names.")
    for index, name in enumerate(value):
        # The names go into new posts as `--participant`/`--moderator` values
        # do, so they obey the same rule: a "\n## 회고록" in a quoted YAML
        # string would otherwise write a heading (and an escape byte, raw
        # terminal codes) into every post.
        try:
            check_single_line(name, f"name {key}[{index}]")
        except TextInvalidError as err:
            raise ConfigError(f"{source}: {err}") from err
    return tuple(v.strip() for v in value if v.strip())


def _get_mapping(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: '{key}' must be a mapping.")
    return value


TEAM_FIELDS = ("name", "repo")
# A name is printed in progress lines and written into posts (`new --from`
# credits it): no line breaks or control characters, nothing Liquid or HTML reads.
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f{}<>`]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _get_team(raw: Any, source: str) -> tuple[TeamMember, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: 'team' must be a list of `- name: …` / `repo: …` entries.")
    members: list[TeamMember] = []
    for index, entry in enumerate(raw, 1):
        where = f"team[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: {where} must be a mapping with 'name' and 'repo'.")
        for key in entry:
            if key not in TEAM_FIELDS:
                raise ConfigError(f"{source}: unknown key '{where}.{key}'; use name and repo.")
        values: dict[str, str] = {}
        for key in TEAM_FIELDS:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{source}: {where}.{key} must be a non-empty string.")
            values[key] = value.strip()
        name, repo = values["name"], values["repo"]
        if _BAD_NAME.search(name) or len(name) > 60:
            raise ConfigError(
                f"{source}: {where}.name must be a short name without control characters, "
                "braces, angle brackets or backticks."
            )
        # A URL starting with '-' would reach git as an option (`--upload-pack=…`).
        if repo.startswith("-") or _CONTROL.search(repo):
            raise ConfigError(
                f"{source}: {where}.repo must be a git URL or a path, not {repo[:40]!r}."
            )
        if repo.lower().startswith("ext::"):
            raise ConfigError(
                f"{source}: {where}.repo uses git's ext:: transport, which runs a command; "
                "use an https, ssh or file URL or a path."
            )
        if any(member.name == name for member in members):
            raise ConfigError(
                f"{source}: {where}.name '{name}' is listed twice; names must differ."
            )
        members.append(TeamMember(name, repo))
    return tuple(members)


def _check_timezone(name: str, source: str) -> None:
    # zoneinfo only when a timezone is named.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(
            f"{source}: unknown timezone '{name}'; use an IANA name like Asia/Seoul."
        ) from err


def _merge_sections(profile: str, raw: Any, source: str) -> dict[str, SectionSpec]:
    sections = {spec.key: spec for spec in PROFILE_SECTIONS[profile]}
    if raw is None:
        return sections
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'sections' must map section keys to settings.")
    for key, value in raw.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: sections.{key} must be a mapping (heading, aliases).")
        for name in value:
            if name not in SECTION_FIELDS:
                raise ConfigError(
                    f"{source}: unknown key 'sections.{key}.{name}'; "
                    f"use {', '.join(sorted(SECTION_FIELDS))}."
                )
        base = sections.get(str(key), SectionSpec(str(key), str(key)))
        aliases = value.get("aliases", list(base.aliases))
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"{source}: sections.{key}.aliases must be a list of strings.")
        level = value.get("level", base.level)
        if not isinstance(level, int) or not 1 <= level <= 6:
            raise ConfigError(f"{source}: sections.{key}.level must be a number from 1 to 6.")
        heading = value.get("heading", base.heading)
        if not isinstance(heading, str) or not heading.strip():
            raise ConfigError(f"{source}: sections.{key}.heading must be a non-empty string.")
        parent = value.get("parent", base.parent)
        if parent is not None and not isinstance(parent, str):
            raise ConfigError(f"{source}: sections.{key}.parent must be a section key.")
        sections[str(key)] = SectionSpec(str(key), heading, level, tuple(aliases), parent)
    return sections


def _merge_formats(profile: str, raw: Any, source: str, checked: bool = False) -> EntryFormats:
    base = PROFILE_FORMATS[profile]
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'formats' must be a mapping.")
    for name, value in raw.items():
        if name not in FORMAT_FIELDS:
            raise ConfigError(
                f"{source}: unknown key 'formats.{name}'; use {', '.join(sorted(FORMAT_FIELDS))}."
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{source}: formats.{name} must be a non-empty string.")
        if not checked:
            check_format(value, f"formats.{name}", source)
    return base._replace(**raw)


# A field's width or precision above this is a typo or an attack: `{n:>999999999}`
# would make a gigabyte of spaces in a post.
MAX_FORMAT_WIDTH = 100


def check_format(pattern: str, key: str, source: str) -> None:
    """Refuse a format string that can't be filled safely.

    Fields must be plain names (`{asker}`, not `{asker.__class__}` or `{0}`),
    with no nested fields in their spec and no width or precision over
    `MAX_FORMAT_WIDTH`. Which names a format may use is checked when it is
    filled, where they are known.

    Raises:
        ConfigError: naming the key.
    """
    # string's Formatter only when formats are checked.
    import re
    import string

    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as err:
        raise ConfigError(
            f"{source}: {key} ({pattern!r}) is not a valid format ({err}); fix its braces."
        ) from err
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise ConfigError(
                f"{source}: {key} ({pattern!r}) uses the field {{{name}}}; "
                "use plain names such as {n} or {asker}."
            )
        if spec and (
            "{" in spec or any(int(w) > MAX_FORMAT_WIDTH for w in re.findall(r"\d+", spec))
        ):
            raise ConfigError(
                f"{source}: {key} ({pattern!r}) has a width or precision over "
                f"{MAX_FORMAT_WIDTH} or a nested field; use a small width like {{n:02d}}."
            )
