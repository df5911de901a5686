"""Shell completion of values: posts, section keys, templates, profiles, names, rules.

Typer calls these while the user presses Tab (`autocompletion=`), through
the `_STUDYLOG_COMPLETE` protocol of the script `--show-completion` prints.
They must be quick and must never fail loudly: a half-typed command line,
a `.studylog.yml` that does not parse or a posts folder that can't be read
gives fewer (or no) candidates, never a traceback or a message in the
middle of the user's command line. They never create the default log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from studylog.config import Settings

# Words every command taking a post understands, beside slugs and dates.
POST_WORDS = ("today", "yesterday")


def _settings(ctx: typer.Context) -> Settings | None:
    """The log's settings as a command would find them; None when there is no log.

    `--root` (or `STUDYLOG_ROOT`) if given, else `.studylog.yml` upwards,
    else the default log if it exists: as `open_log`, but never made.
    """
    # The core only while completing a value, never for the command names.
    from studylog.config import CONFIG_NAME, load_settings
    from studylog.errors import StudylogError
    from studylog.log import find_log_root

    root = ctx.find_root().params.get("root")
    if root is None:
        found = find_log_root()
        if found is None:
            return None
        root = found
    root = Path(root).expanduser()
    if not (root / CONFIG_NAME).is_file():
        return None
    try:
        return load_settings(root)
    except (StudylogError, OSError, ValueError):
        # A .studylog.yml that does not parse: nothing from the log, the rest still completes.
        return None


def _quietly(produce: Callable[[typer.Context], Iterable[str]]) -> Callable[..., list[str]]:
    """A completion function that offers `produce`'s words starting with what was typed."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            words = list(dict.fromkeys(produce(ctx)))
        except Exception:  # a broken log must not break the Tab key (no traceback mid-line)
            return []
        return [word for word in words if word.startswith(incomplete)]

    return complete


def _posts(ctx: typer.Context) -> Iterable[str]:
    # The core only while completing a value.
    from studylog.log import POST_NAME, Log

    settings = _settings(ctx)
    words: list[str] = list(POST_WORDS)
    if settings is None:
        return words
    # File names only (no PostRef, no date object): 10,000 posts in a few ms.
    # The ISO date leads the name, so sorting the names sorts by date.
    found = [
        (match[0][:10], match[4])
        for _, name in Log(settings).post_files()
        if (match := POST_NAME.match(name)) is not None
    ]
    found.sort(reverse=True)
    words += [slug for _, slug in found]
    words += [date for date, _ in found]
    return words


def _sections(ctx: typer.Context) -> Iterable[str]:
    settings = _settings(ctx)
    if settings is None:
        # The core only while completing a value.
        from studylog.config import PROFILE_SECTIONS

        return [spec.key for spec in PROFILE_SECTIONS["ko"]]
    return list(settings.sections)


def _templates(ctx: typer.Context) -> Iterable[str]:
    # The core only while completing a value.
    from studylog.scaffold import WEEK_TEMPLATE
    from studylog.templates import TEMPLATE_SUFFIX, builtin_templates_path, list_templates

    settings = _settings(ctx)
    if settings is None:
        names = sorted(path.stem for path in builtin_templates_path().glob(f"*{TEMPLATE_SUFFIX}"))
    else:
        names = [info.name for info in list_templates(settings)]
    # `week` is filled by `studylog week`; `new --template week` is refused.
    return [name for name in names if name != WEEK_TEMPLATE]


def _profiles(ctx: typer.Context) -> Iterable[str]:
    # The core only while completing a value.
    from studylog.config import PROFILES

    return PROFILES


def _names(ctx: typer.Context) -> Iterable[str]:
    settings = _settings(ctx)
    if settings is None:
        return []
    return [*settings.roster, *settings.moderators]


def _rules(ctx: typer.Context) -> Iterable[str]:
    # The core only while completing a value.
    from studylog.check import RULES

    return RULES


complete_post = _quietly(_posts)
complete_rule = _quietly(_rules)
complete_section = _quietly(_sections)
complete_template = _quietly(_templates)
complete_profile = _quietly(_profiles)
complete_name = _quietly(_names)
