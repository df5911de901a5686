"""Post templates: find them (the log's own first, then built-in) and render them.

Templates are Jinja2 rendered in `SandboxedEnvironment` with
`StrictUndefined`: a template can't reach Python internals, files or a
shell, and a misspelt variable is an error naming the template and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.config import Settings
from studylog.errors import TemplateNotFoundError, TemplateRenderError

TEMPLATE_SUFFIX = ".md"

# The names a template can use; docs/config.md documents each and a test
# checks the two lists agree.
TEMPLATE_VARIABLES: dict[str, str] = {
    "slug": "the post's slug, e.g. day5",
    "day": "the number in the slug (5 for day5), or None",
    "date": "the post's date (a datetime.date; prints as YYYY-MM-DD)",
    "now": "the current time, aware, in the log's timezone",
    "title": "the title from --title or the title pattern",
    "moderator": "the moderator's name, or an empty string",
    "participants": "the list of participant names",
    "config": "the log's settings (config.profile, config.roster, …)",
    "previous": "the previous post (slug, title, date, participants), or None",
}


@dataclass(frozen=True)
class TemplateInfo:
    """A template `new` can use: its name, where it is, and whether it is built-in."""

    name: str
    path: Path
    builtin: bool


def builtin_templates_path() -> Path:
    """The folder of the built-in templates.

    In a wheel they are packaged as `studylog/_templates`; in a source
    checkout they are the repository's top-level `templates/`.
    """
    packaged = Path(__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def list_templates(settings: Settings) -> list[TemplateInfo]:
    """Every template by name; a log's own template hides a built-in of that name."""
    found: dict[str, TemplateInfo] = {}
    for folder, builtin in ((builtin_templates_path(), True), (settings.templates_path, False)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{TEMPLATE_SUFFIX}")):
            found[path.stem] = TemplateInfo(path.stem, path, builtin)
    return sorted(found.values(), key=lambda t: t.name)


def find_template(settings: Settings, name: str) -> TemplateInfo:
    """The template called `name`.

    Raises:
        TemplateNotFoundError: no such template, listing the ones there are.
    """
    for info in list_templates(settings):
        if info.name == name:
            return info
    names = ", ".join(t.name for t in list_templates(settings)) or "none"
    raise TemplateNotFoundError(
        f"No template '{name}' (there are: {names}); "
        f"add {settings.templates_dir}/{name}{TEMPLATE_SUFFIX} or pick one of those."
    )


def _yaml_string(value: Any) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so titles with
    # ':' or '[' stay strings in the front matter.
    return json.dumps(str(value), ensure_ascii=False)


def render_template(info: TemplateInfo, variables: dict[str, Any]) -> str:
    """Render a template in the sandbox.

    Raises:
        TemplateRenderError: a syntax error, an undefined variable or an
            unsafe access, naming the template and the line.
    """
    from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["yaml"] = _yaml_string
    try:
        source = info.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TemplateRenderError(f"Can't read template {info.path}; save it as UTF-8.") from err
    try:
        template = env.from_string(source)
        return template.render(**variables)
    except TemplateSyntaxError as err:
        raise TemplateRenderError(
            f"Template '{info.name}' ({info.path}) line {err.lineno}: {err.message}; fix it."
        ) from err
    except SecurityError as err:
        line = _template_line(err)
        raise TemplateRenderError(
            f"Template '{info.name}'{line} tried an unsafe access ({err}); "
            "templates can only use the documented variables."
        ) from err
    except TemplateError as err:
        line = _template_line(err)
        raise TemplateRenderError(
            f"Template '{info.name}'{line}: {err.message}; "
            f"the variables are {', '.join(TEMPLATE_VARIABLES)}."
        ) from err


def _template_line(err: BaseException) -> str:
    # Jinja2 compiles templates to Python; the frame whose file name is
    # "<template>" carries the template's own line number.
    tb = err.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line is not None else ""
