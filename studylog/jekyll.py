"""The Jekyll site around a log: what its `_config.yml` says (the one reader of it).

Two facts decide how a post renders for its readers: the layout posts get
(a post with none is a bare HTML fragment: no `<html>`, title or CSS) and
the Markdown renderer (kramdown with GFM input, as Jekyll 4, GitHub Pages
and Minimal Mistakes set it; plain kramdown input; or a CommonMark plugin).
`_config.yml` is read with the same parse cache as `.studylog.yml`, so a
command that writes an entry seldom imports PyYAML for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from stat import S_ISREG
from typing import Any, NamedTuple

JEKYLL_CONFIG = "_config.yml"

# The renderers an entry is written for (see studylog.markdown.kramdown).
GFM = "gfm"
KRAMDOWN = "kramdown"
COMMONMARK = "commonmark"


class Site(NamedTuple):
    """What a Jekyll site's `_config.yml` says about how posts render.

    `renderer` is GFM, KRAMDOWN or COMMONMARK; `posts_have_layout` is True
    when `defaults` give posts a layout; `minimal_mistakes` when the site's
    theme is Minimal Mistakes (whose post layout is `single`).
    """

    renderer: str = GFM
    posts_have_layout: bool = False
    minimal_mistakes: bool = False

    @property
    def post_layout(self) -> str | None:
        """The `layout:` a new post needs, or None when `_config.yml` gives posts one."""
        if self.posts_have_layout:
            return None
        return "single" if self.minimal_mistakes else "post"


def read_site(root: Path, posts_dir: str = "_posts") -> Site:
    """The site in `root` (Jekyll's defaults when it has no `_config.yml`).

    Raises:
        ConfigError: `_config.yml` is not valid YAML.
    """
    mapping = read_site_config(root)
    return Site(
        renderer=_renderer(mapping),
        posts_have_layout=_posts_have_layout(mapping.get("defaults"), posts_dir),
        minimal_mistakes=any(
            "minimal-mistakes" in str(mapping.get(key) or "") for key in ("theme", "remote_theme")
        ),
    )


def read_site_config(root: Path) -> dict[str, Any]:
    """`root/_config.yml` as a mapping ({} when there is none or it is not a mapping).

    Raises:
        ConfigError: it is not valid YAML or not UTF-8.
    """
    # config's parse cache only when _config.yml is read.
    from studylog.config import read_yaml_mapping

    path = root / JEKYLL_CONFIG
    try:
        info = os.stat(path)
    except OSError:
        return {}
    if not S_ISREG(info.st_mode):
        return {}
    return read_yaml_mapping(path, info, strict_mapping=False)


# `timezone:` at the start of a line: Jekyll's top-level key (nested keys are indented).
_TIMEZONE_LINE = re.compile(r"^timezone[ \t]*:[ \t]*['\"]?([A-Za-z0-9_+\-/]+)", re.MULTILINE)


def read_site_timezone(root: Path) -> str | None:
    """Jekyll's top-level `timezone` in `root/_config.yml`, or None.

    A line match, not a YAML parse: every command that needs today's date
    asks, and parsing a long `_config.yml` would import PyYAML for one key.
    """
    try:
        text = (root / JEKYLL_CONFIG).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    match = _TIMEZONE_LINE.search(text)
    return match[1] if match else None


def _renderer(mapping: dict[str, Any]) -> str:
    engine = str(mapping.get("markdown") or "kramdown").lower()
    if engine != "kramdown":
        # jekyll-commonmark and its GitHub Pages flavour register as
        # "CommonMark"/"CommonMarkGhPages"; anything else is treated alike.
        return COMMONMARK
    options = mapping.get("kramdown")
    given = options.get("input") if isinstance(options, dict) else None
    # Jekyll 4's own default for kramdown's input is GFM.
    return KRAMDOWN if str(given or "GFM").lower() == "kramdown" else GFM


def _posts_have_layout(defaults: Any, posts_dir: str) -> bool:
    if not isinstance(defaults, list):
        return False
    folder = posts_dir.strip("/")
    for entry in defaults:
        if not isinstance(entry, dict):
            continue
        values, scope = entry.get("values"), entry.get("scope")
        if not isinstance(values, dict) or not values.get("layout"):
            continue
        scope = scope if isinstance(scope, dict) else {}
        kind = scope.get("type")
        path = str(scope.get("path") or "").strip("/")
        if kind not in (None, "", "posts"):
            continue
        # A scope path applies to the files under it: "" is the whole site.
        if path == "" or folder == path or folder.startswith(path + "/"):
            return True
    return False
