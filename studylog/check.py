"""Lint posts: the problems that break a Jekyll build or a reader's trust.

Each rule has an id (what `--ignore` takes), a severity and a one-line
explanation (`RULES`). Errors make `studylog check` exit 1; warnings are
shown but only fail with `--strict`. Nothing here changes a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.config import Settings
from studylog.errors import StudyDayError, StudylogError
from studylog.jekyll import JEKYLL_CONFIG, Site, read_site
from studylog.log import PostRef, site_timezone
from studylog.markdown.extraction import PostEntries, read_entries
from studylog.markdown.headings import normalize_heading
from studylog.post import conflict_marker_line, read_post, split_front_matter

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One check: its id, severity and what it means in one line."""

    id: str
    severity: str
    explanation: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("not-utf8", ERROR, "The file is not UTF-8 text; Jekyll and studylog can't read it."),
        Rule(
            "front-matter-missing", ERROR, "No '---' front matter block: Jekyll won't publish it."
        ),
        Rule("front-matter-yaml", ERROR, "The front matter is not valid YAML: the build fails."),
        Rule("front-matter-mapping", ERROR, "The front matter must be 'key: value' lines."),
        Rule(
            "empty-list-item",
            WARNING,
            "A list holds an empty item (`tags: - []`): Jekyll builds it as no tag, but write "
            "`tags: []` (`check --fix` does).",
        ),
        Rule(
            "empty-category",
            ERROR,
            "A category is an empty list (`categories: - []`): Jekyll puts `/[]/` into the "
            "post's URL (`check --fix` removes it).",
        ),
        Rule("title-missing", ERROR, "No title: the post shows up untitled in the blog."),
        Rule("date-invalid", ERROR, "The front-matter date can't be read as a date."),
        Rule(
            "date-mismatch",
            ERROR,
            "The filename date differs from the front-matter date in the site's timezone.",
        ),
        Rule(
            "numbering-gap",
            WARNING,
            "Numbered entries skip or repeat a number (kramdown shows 1, 2, 3 anyway; "
            "`check --fix` renumbers).",
        ),
        Rule("day-repeat", ERROR, "Two posts carry the same day number (`day5` twice)."),
        Rule(
            "day-gap",
            WARNING,
            "A day number is skipped, or differs from its date's study day in `calendar`.",
        ),
        Rule(
            "conflict-markers",
            ERROR,
            "Git's conflict markers are in the post: Jekyll publishes them as text.",
        ),
        Rule(
            "section-missing",
            WARNING,
            "A section of the template the post was made from is missing from the post.",
        ),
        Rule(
            "heading-duplicate",
            WARNING,
            "The same heading appears twice: table-of-contents links go to the first one.",
        ),
        Rule(
            "liquid-unprotected",
            ERROR,
            "`{{`/`{%` outside {% raw %}: Jekyll runs it as Liquid (a tag it doesn't know "
            "fails the site's build, `{{ x }}` shows as nothing); or set `liquid: keep`.",
        ),
        Rule(
            "layout-missing",
            WARNING,
            "No layout, and _config.yml's defaults give posts none: the page has no theme.",
        ),
        Rule(
            "front-matter-duplicate-key",
            ERROR,
            "A front-matter key appears twice: Jekyll keeps only the last value.",
        ),
        Rule("tag-case", WARNING, "Tags that differ only in case make separate tag pages."),
    )
}


@dataclass(frozen=True)
class Finding:
    """One problem in one post: which rule, where, and what to do."""

    rule: str
    severity: str
    path: Path
    line: int
    message: str


_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T\t]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"[ \t]*(Z|[+-]\d{1,2}(?::?\d{2})?)?$"
)


def _to_date(value: Any, tz: str | None) -> dt.date | None:
    """The calendar date of a front-matter date value in the site's timezone."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match is None:
            return None
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        if match[4] is None:
            return day
        moment = dt.datetime(day.year, day.month, day.day, int(match[4]), int(match[5]))
        if match[7]:
            moment = moment.replace(tzinfo=_offset(match[7]))
    else:
        return None
    if moment.tzinfo is None:
        # Jekyll reads a time without an offset in the site's timezone.
        return moment.date()
    if tz:
        # zoneinfo only when a timezone is named.
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(tz)).date()
    return moment.astimezone().date()


def _offset(text: str) -> dt.timezone:
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:-2] or 0) if len(digits) > 2 else int(digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _key_line(front_matter: str, key: str) -> int:
    """The file line of a top-level front-matter key (2 = the line after '---')."""
    match = re.search(rf"^{re.escape(key)}[ \t]*:", front_matter, re.MULTILINE)
    if match is None:
        return 1
    return front_matter.count("\n", 0, match.start()) + 2


def _holds_empty(value: Any) -> bool:
    return isinstance(value, list) and any(item in (None, "", [], {}) for item in value)


def empty_item_rule(key: str, value: list[Any]) -> str:
    """The rule a front-matter list with empty items breaks.

    Checked with a real `jekyll build` (4.3): `tags: - []` gives no tag and
    `- ""` an empty one, but a category that is an empty list or mapping
    becomes the text `[]` or `{}` in the post's URL (`/[]/2021/08/02/x.html`).
    """
    if key in ("categories", "category") and any(item in ([], {}) for item in value):
        return "empty-category"
    return "empty-list-item"


def check_text(
    path: Path,
    text: str,
    settings: Settings,
    file_date: dt.date | None,
    tz: str | None = None,
    shapes: list[TemplateShape] | None = None,
    site: Site | None = None,
) -> list[Finding]:
    """Every finding for one post's text (front matter included).

    `shapes` is the templates the post may follow (`template_shapes`);
    pass it when checking many posts, so the templates are read once. `site`
    is the Jekyll site the post is published by (None: not a Jekyll site,
    so its layout is not checked).
    """
    findings: list[Finding] = []

    def add(rule: str, line: int, message: str) -> None:
        findings.append(Finding(rule, RULES[rule].severity, path, line, message))

    conflict = conflict_marker_line(text)
    if conflict is not None:
        add(
            "conflict-markers",
            conflict,
            "git's conflict markers; resolve the conflict (keep both sides' entries) "
            "or run `git rebase --abort`.",
        )
    front_matter, _ = split_front_matter(text)
    if front_matter is None:
        add("front-matter-missing", 1, "no front matter; start the file with a '---' block.")
    else:
        findings.extend(_check_front_matter(path, front_matter, file_date, tz))
        findings.extend(_check_jekyll_front_matter(path, front_matter, site))
    if settings.liquid != "keep":
        findings.extend(_check_liquid(path, text))
    entries = read_entries(text, settings)
    findings.extend(_check_numbering(path, entries))
    findings.extend(_check_sections(path, entries, settings, shapes))
    findings.sort(key=lambda f: (f.line, f.rule))
    return findings


def _check_front_matter(
    path: Path, front_matter: str, file_date: dt.date | None, tz: str | None
) -> list[Finding]:
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    findings: list[Finding] = []

    def add(rule: str, line: int, message: str) -> None:
        findings.append(Finding(rule, RULES[rule].severity, path, line, message))

    try:
        data = yaml.safe_load(front_matter)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(err, "problem", None) or "invalid YAML"
        add("front-matter-yaml", line, f"the front matter is not valid YAML ({problem}).")
        return findings
    except (ValueError, OverflowError, AttributeError, TypeError) as err:
        # Parsed, but a value can't be built: `date: 2021-02-30`, `!!timestamp 99999-01-01`.
        add(
            "front-matter-yaml",
            1,
            f"the front matter has a value YAML can't build ({err}), such as a date that "
            "does not exist.",
        )
        return findings
    if data is None:
        data = {}
    if not isinstance(data, dict):
        add("front-matter-mapping", 2, "the front matter is not a mapping of keys to values.")
        return findings
    for key, value in data.items():
        if _holds_empty(value):
            rule = empty_item_rule(str(key), value)
            harm = (
                "Jekyll puts `/[]/` into the post's URL"
                if rule == "empty-category"
                else "it builds, as no value"
            )
            add(
                rule,
                _key_line(front_matter, str(key)),
                f"'{key}' is a list holding an empty item (like `- []`); {harm}. Write "
                f"`{key}: []` or list real values (`studylog check --fix` does it).",
            )
    title = data.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        add("title-missing", _key_line(front_matter, "title"), 'no title; add `title: "…"`.')
    if "date" in data and data["date"] is not None:
        day = _to_date(data["date"], tz)
        line = _key_line(front_matter, "date")
        if day is None:
            add("date-invalid", line, f"can't read the date {data['date']!r}; use YYYY-MM-DD.")
        elif file_date is not None and day != file_date:
            where = f" in {tz}" if tz else ""
            add(
                "date-mismatch",
                line,
                f"the front-matter date is {day}{where} but the file name says {file_date}; "
                "make them agree.",
            )
    return findings


def _check_numbering(path: Path, entries: PostEntries) -> list[Finding]:
    findings: list[Finding] = []
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for kind, items in (("question", entries.questions), ("review", entries.reviews)):
        for entry in items:
            if entry.numbered:
                groups.setdefault((kind, entry.section), []).append((entry.number, entry.line))
    for (kind, section), numbers in groups.items():
        expected = 1
        for number, line in numbers:
            if number != expected:
                findings.append(
                    Finding(
                        "numbering-gap",
                        RULES["numbering-gap"].severity,
                        path,
                        line,
                        f"{kind} {number} in '{section}' should be number {expected}; "
                        "renumber the list (`studylog check --fix` does it).",
                    )
                )
            expected = number + 1
    return findings


_HEADING_VARIABLE = re.compile(r"\{\{-?\s*headings\.(\w+)\s*-?\}\}")


@dataclass(frozen=True)
class TemplateShape:
    """The sections a template writes, which a post made from it keeps.

    Each section is `(identity, heading)`: the configured section key the
    template's heading matches (so aliases count), else the heading's
    normalised text; `heading` is what a finding names.
    """

    name: str
    sections: tuple[tuple[str, str], ...]


def template_shapes(settings: Settings) -> list[TemplateShape]:
    """The shape of every template `new` can use, the log's default template first.

    A template's own headings are read (a log whose template drops a
    section does not expect it). `## {{ headings.study }}` is the section
    key it names; any other heading written with Jinja2 can't be known
    without rendering and is left out, and a template with no heading left
    is taken to write every configured section.
    """
    # Only `check` reads the templates, and only once per run.
    from studylog.markdown.headings import find_headings, matcher_for
    from studylog.scaffold import WEEK_TEMPLATE
    from studylog.templates import list_templates

    matcher = matcher_for(settings.sections)
    configured = tuple((key, spec.heading) for key, spec in settings.sections.items())
    shapes: list[TemplateShape] = []
    for info in list_templates(settings):
        if info.name == WEEK_TEMPLATE:
            continue  # week posts are checked without it (see check_posts)
        try:
            text = info.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found: list[tuple[str, str]] = []
        for heading in find_headings(text):
            # The built-in templates write `## {{ headings.study }}`: the key itself.
            variable = _HEADING_VARIABLE.fullmatch(heading.text.strip())
            if variable is None and ("{{" in heading.text or "{%" in heading.text):
                continue
            key = variable[1] if variable else matcher.key_for(heading.text)
            if key is not None and key not in settings.sections:
                continue
            identity = key if key is not None else normalize_heading(heading.text)
            shown = settings.sections[key].heading if key is not None else heading.text
            if identity and identity not in (i for i, _ in found):
                found.append((identity, shown))
        shapes.append(TemplateShape(info.name, tuple(found) or configured))
    shapes.sort(key=lambda shape: shape.name != settings.template)
    return shapes


def template_of(entries: PostEntries, shapes: Iterable[TemplateShape]) -> TemplateShape | None:
    """The template a post was made from, judged by its headings; None when none fits.

    A post follows a template when it has more than half of the template's
    sections; of several, the one it matches best (the default template on
    a tie). A post written without any of the log's templates (lecture
    notes, another blog's layout) follows none, and no section is missing.
    """
    present = _identities(entries)
    best: TemplateShape | None = None
    best_share = 0.5
    for shape in shapes:
        if not shape.sections:
            continue
        share = sum(identity in present for identity, _ in shape.sections) / len(shape.sections)
        if share > best_share:
            best, best_share = shape, share
    return best


def _identities(entries: PostEntries) -> set[str]:
    """The section keys and normalised heading texts of a post's headings."""
    present: set[str] = set()
    for section in entries.sections:
        if section.heading:
            if section.key:
                present.add(section.key)
            present.add(normalize_heading(section.heading))
    return present


def _check_sections(
    path: Path,
    entries: PostEntries,
    settings: Settings,
    shapes: list[TemplateShape] | None = None,
) -> list[Finding]:
    findings: list[Finding] = []
    shape = template_of(entries, template_shapes(settings) if shapes is None else shapes)
    if shape is not None:
        present = _identities(entries)
        findings.extend(
            Finding(
                "section-missing",
                RULES["section-missing"].severity,
                path,
                1,
                f"no '{heading}' section, which the '{shape.name}' template the post "
                "follows has; add the heading or ignore this rule.",
            )
            for identity, heading in shape.sections
            if identity not in present
        )
    seen: dict[tuple[int, str], int] = {}
    for section in entries.sections:
        if not section.heading:
            continue
        name = normalize_heading(section.heading)
        if not name:
            continue
        first = seen.setdefault((section.level, name), section.line)
        if first != section.line:
            findings.append(
                Finding(
                    "heading-duplicate",
                    RULES["heading-duplicate"].severity,
                    path,
                    section.line,
                    f"the heading '{section.heading}' already appears on line {first}.",
                )
            )
    return findings


# --- what Jekyll does with a post -------------------------------------------------

# Liquid's own raw block: what is inside is printed, not run.
_RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?(?:\{%-?\s*endraw\s*-?%\}|\Z)", re.DOTALL)
_LIQUID_START = re.compile(r"\{\{|\{%")
# Liquid a blog writes on purpose: Jekyll's own objects (`{{ site.baseurl }}`)
# and tags (`{% include x.html %}`, `{% post_url … %}`), not a Jinja2 example.
_INTENDED_LIQUID = re.compile(
    r"\{\{-?\s*(?:site|page|layout|paginator|jekyll|include|post|content)\b[^\n]*?\}\}"
    r"|\{%-?\s*(?:include|include_relative|link|post_url|highlight|endhighlight|seo"
    r"|feed_meta|assign\s+\w+\s*=\s*(?:site|page)\b)[^\n]*?%\}"
)
_TOP_KEY = re.compile(
    r"""^(?:"([^"]*)"|'([^']*)'|([^\s#:'"{}\[\],&*!|>%@`-][^:#]*?))[ \t]*:(?:[ \t]|$)"""
)


def _check_liquid(path: Path, text: str) -> list[Finding]:
    findings: list[Finding] = []
    outside = _RAW_BLOCK.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
    seen_lines: set[int] = set()
    for match in _LIQUID_START.finditer(outside):
        line = outside.count("\n", 0, match.start()) + 1
        if line in seen_lines or _INTENDED_LIQUID.match(outside, match.start()):
            continue
        seen_lines.add(line)
        snippet = text[match.start() : match.start() + 30].split("\n", 1)[0]
        findings.append(
            Finding(
                "liquid-unprotected",
                RULES["liquid-unprotected"].severity,
                path,
                line,
                f"'{snippet}' is run as Liquid by Jekyll; to show it as typed, wrap it in "
                "{% raw %}…{% endraw %} (or set `liquid: keep` if it is Liquid on purpose).",
            )
        )
    return findings


def _check_jekyll_front_matter(path: Path, front_matter: str, site: Site | None) -> list[Finding]:
    findings: list[Finding] = []

    def add(rule: str, line: int, message: str) -> None:
        findings.append(Finding(rule, RULES[rule].severity, path, line, message))

    keys: dict[str, int] = {}
    for number, line in enumerate(front_matter.split("\n"), start=2):
        match = _TOP_KEY.match(line)
        if match is None:
            continue
        key = next(group for group in match.groups() if group is not None).strip()
        if key in keys:
            add(
                "front-matter-duplicate-key",
                number,
                f"'{key}' is set again (first on line {keys[key]}); Jekyll keeps only this "
                "one, so remove one of them.",
            )
        else:
            keys[key] = number
    if site is not None and "layout" not in keys and not site.posts_have_layout:
        where = keys.get("defaults")
        hint = " ('defaults:' means something only in _config.yml)" if where is not None else ""
        add(
            "layout-missing",
            where or 1,
            f"no `layout:`{hint}; add `layout: {site.post_layout}` or give posts a layout "
            "in _config.yml's defaults.",
        )
    return findings


def _tags(text: str) -> list[tuple[str, int]]:
    """The post's tags with their front-matter line (best effort: a bad post has none)."""
    front_matter, _ = split_front_matter(text)
    if not front_matter or "tags" not in front_matter:
        return []
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    try:
        data = yaml.safe_load(front_matter)
    except yaml.YAMLError:
        return []
    tags = data.get("tags") if isinstance(data, dict) else None
    if isinstance(tags, str):
        tags = tags.split()
    if not isinstance(tags, list):
        return []
    line = _key_line(front_matter, "tags")
    return [(tag, line) for tag in tags if isinstance(tag, str) and tag.strip()]


def _check_tag_case(tags: list[tuple[PostRef, str, int]]) -> list[Finding]:
    """Across the posts: a tag spelt in several cases, at each post not using the usual one."""
    # Counter only for this rule.
    from collections import Counter

    spellings: dict[str, Counter[str]] = {}
    for _, tag, _ in tags:
        spellings.setdefault(tag.casefold(), Counter())[tag] += 1
    findings: list[Finding] = []
    for ref, tag, line in tags:
        counts = spellings[tag.casefold()]
        if len(counts) < 2:
            continue
        usual = counts.most_common(1)[0][0]
        if tag != usual:
            others = ", ".join(sorted(t for t in counts if t != tag))
            findings.append(
                Finding(
                    "tag-case",
                    RULES["tag-case"].severity,
                    ref.path,
                    line,
                    f"the tag '{tag}' is also spelt {others}; Jekyll makes a page for each "
                    f"spelling, so use one ('{usual}').",
                )
            )
    return findings


def check_post(
    ref: PostRef,
    settings: Settings,
    tz: str | None = None,
    shapes: list[TemplateShape] | None = None,
    site: Site | None = None,
    tags: list[tuple[PostRef, str, int]] | None = None,
) -> list[Finding]:
    """Every finding for one post; a file that can't be read is a finding too.

    With `tags`, the post's tags are added to it (for `tag-case` across posts).
    """
    try:
        text = read_post(ref.path).text
    except StudylogError as err:
        return [Finding("not-utf8", ERROR, ref.path, 1, str(err))]
    file_date = ref.date if _named_like_post(ref) else None
    findings = check_text(ref.path, text, settings, file_date, tz, shapes, site)
    if tags is not None:
        tags.extend((ref, tag, line) for tag, line in _tags(text))
    else:
        own = [(ref, tag, line) for tag, line in _tags(text)]
        findings.extend(_check_tag_case(own))
    return findings


def _named_like_post(ref: PostRef) -> bool:
    return re.match(r"^\d{4}-\d{2}-\d{2}-", ref.path.name) is not None


def check_day_numbers(refs: Iterable[PostRef], settings: Settings) -> list[Finding]:
    """Day numbers across posts (`day5`, `BoostCourse_day5`): repeats, and gaps.

    With a calendar that has a start, each number is checked against its
    date's study-day number instead of against the post before it (a missed
    day is then no gap: the calendar says which day it was).
    """
    # The course calendar only when the log has one.
    from studylog.study import slug_day

    numbered = sorted(
        (ref.date, number, ref)
        for ref in refs
        if (number := slug_day(ref.slug)) is not None and _named_like_post(ref)
    )
    findings: list[Finding] = []

    def add(rule: str, ref: PostRef, message: str) -> None:
        findings.append(Finding(rule, RULES[rule].severity, ref.path, 1, message))

    first_with: dict[int, PostRef] = {}
    for _, number, ref in numbered:
        earlier = first_with.setdefault(number, ref)
        if earlier is not ref:
            add("day-repeat", ref, f"day {number} again: {earlier.path.name} has it too; renumber.")
    calendar = settings.calendar
    if calendar is not None and calendar.start is not None:
        for date, number, ref in numbered:
            try:
                expected = calendar.day_number(date)
            except StudyDayError:
                add(
                    "day-gap",
                    ref,
                    f"day {number} is dated {date.isoformat()}, which is no study day in the "
                    "calendar; fix the date or calendar.days/holidays.",
                )
                continue
            if expected != number:
                add(
                    "day-gap",
                    ref,
                    f"day {number} is dated {date.isoformat()}, study day {expected} in the "
                    "calendar; fix the slug or calendar.holidays.",
                )
        return findings
    for (_, before, previous), (_, number, ref) in zip(numbered, numbered[1:], strict=False):
        if number > before + 1:
            missing = (
                f"day {before + 1}" if number == before + 2 else f"days {before + 1}-{number - 1}"
            )
            add(
                "day-gap",
                ref,
                f"day {number} follows day {before} ({previous.path.name}); {missing} missing.",
            )
        elif number < before:
            add("day-gap", ref, f"day {number} is dated after day {before} ({previous.path.name}).")
    return findings


def check_posts(
    refs: Iterable[PostRef], settings: Settings, ignore: Iterable[str] = ()
) -> list[Finding]:
    """The findings for every post, minus the ignored rules, in file order.

    Day numbers are checked across the posts given (see `check_day_numbers`).
    """
    skip = set(ignore)
    tz = site_timezone(settings)
    shapes = template_shapes(settings)
    refs = list(refs)
    per_post: dict[Path, list[Finding]] = {}
    for finding in check_day_numbers(refs, settings):
        per_post.setdefault(finding.path, []).append(finding)
    site = jekyll_site(settings)
    findings: list[Finding] = []
    tags: list[tuple[PostRef, str, int]] = []
    # The course calendar only when the log has one.
    from studylog.study import slug_week

    for ref in refs:
        # A weekly retrospective comes from the `week` template: no daily sections expected.
        wanted = [] if slug_week(ref.slug) is not None else shapes
        found = check_post(ref, settings, tz, wanted, site, tags) + per_post.pop(ref.path, [])
        findings.extend(f for f in found if f.rule not in skip)
    if "tag-case" not in skip:
        findings.extend(_check_tag_case(tags))
        # Back in file order: each post's tag findings after its own (a stable sort).
        order = {ref.path: index for index, ref in enumerate(refs)}
        findings.sort(key=lambda f: order.get(f.path, len(order)))
    return findings


def jekyll_site(settings: Settings) -> Site | None:
    """The Jekyll site around the log, or None when it has no `_config.yml` (not a site).

    Raises:
        ConfigError: `_config.yml` is not valid YAML.
    """
    if not (settings.root / JEKYLL_CONFIG).is_file():
        return None
    return read_site(settings.root, settings.posts_dir)


def unknown_rules(names: Iterable[str]) -> list[str]:
    """The names that are not rule ids."""
    return [name for name in names if name not in RULES]


def is_failure(findings: Iterable[Finding], strict: bool = False) -> bool:
    """Whether these findings should make `check` exit 1."""
    return any(strict or finding.severity == ERROR for finding in findings)
