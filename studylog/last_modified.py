"""Setting `last_modified_at` (or another date key) without touching anything else.

The front matter is never re-serialised, so the date is changed in the text:
only the value's characters on its one line, which keeps the key's spacing,
quotes and a trailing comment. That is safe only for a plain or quoted
scalar written on one line under a single top-level key. Anything else (an
empty value, an anchor or alias, a tag, a block scalar, a value on several
lines, the key written twice) is left as it is, with the reason, so the
command can say so; the entry is still added. `publish` sets `date` the
same way (`set_date_in_place`).

Whatever was changed, the new front matter is parsed again and must be the
old mapping with only that key's value different, or nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studylog.post import PostText

KEY = "last_modified_at"
# How the parser spells `!!`: shown as the user wrote it.
_YAML_TAGS = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class LastModifiedUpdate:
    """The front matter after setting the date, and why it was not set, if it wasn't.

    `front_matter` is the text between the fences, changed or as it was;
    `skipped` is None when the date was set or the post has no such key,
    else the reason the key was left alone ("its value is empty").
    """

    front_matter: str
    skipped: str | None = None


def set_last_modified(
    front_matter: str, mapping: Mapping[Any, Any], today: dt.date
) -> LastModifiedUpdate:
    """Set `last_modified_at` to `today` in `front_matter`, if it has that key.

    `mapping` is `front_matter` as already parsed (it is parsed once by the
    caller; here the text is parsed again only when the mapping has the key).
    """
    return set_date_in_place(front_matter, mapping, KEY, today)


def set_date_in_place(
    front_matter: str, mapping: Mapping[Any, Any], key_name: str, day: dt.date
) -> LastModifiedUpdate:
    """Set the top-level `key_name` to `day` in `front_matter`, if it has that key.

    Only the value's characters change (see the module's docstring);
    `skipped` says why it was left alone when it can't be done safely.
    """
    if key_name not in mapping:
        return LastModifiedUpdate(front_matter)
    # The plain shapes without PyYAML (~10 ms to import); any other from its events.
    from studylog.plain_front_matter import value_span

    span = value_span(front_matter, key_name) or _yaml_value_span(front_matter, key_name)
    if isinstance(span, str):
        return LastModifiedUpdate(front_matter, span)
    start, end = span
    quote = front_matter[start] if front_matter[start] in "'\"" else ""
    new = f"{front_matter[:start]}{quote}{day.isoformat()}{quote}{front_matter[end:]}"
    if not _only_the_date_changed(mapping, new, key_name, day):
        return LastModifiedUpdate(
            front_matter, "setting it would have changed other keys of the front matter"
        )
    return LastModifiedUpdate(new)


def _yaml_value_span(front_matter: str, key_name: str) -> tuple[int, int] | str:
    """Where PyYAML's events put the top-level `key_name`'s value, or why it can't be rewritten.

    The span holds a quoted value's quotes.
    """
    # PyYAML and its loader only when a front matter is parsed (TID253: ~10 ms at start-up).
    import yaml

    from studylog.post import yaml_loader  # with PyYAML, as above

    keys = [
        (key, value)
        for key, value in _top_level_pairs(yaml.parse(front_matter, Loader=yaml_loader()))
        if isinstance(key, yaml.ScalarEvent) and key.value == key_name
    ]
    if not keys:
        return "it comes from a merge key (<<)"
    if len(keys) > 1:
        return f"the key appears {len(keys)} times"
    key, value = keys[0]
    reason = _why_not_rewritable(key, value)
    if reason is not None:
        return reason
    start, _, end, _ = _span(value)
    return start, end


def set_last_modified_in_head(
    post: PostText, mapping: Mapping[Any, Any], today: dt.date
) -> tuple[str, str | None]:
    """The post's text before its body, with `last_modified_at` set; and why not, if not.

    For writers that add to the body: they join this head to the new body.
    """
    head = post.text[: post.body_start]
    if post.front_matter is None:
        return head, None
    update = set_last_modified(post.front_matter, mapping, today)
    end = post.front_matter_start + len(post.front_matter)
    return head[: post.front_matter_start] + update.front_matter + head[end:], update.skipped


def _top_level_pairs(events: Any) -> list[tuple[Any, Any]]:
    """(key event, value's first event) for each key of the top-level mapping."""
    # PyYAML's event parser only when a key's shape is checked (TID253).
    import yaml

    pairs: list[tuple[Any, Any]] = []
    depth = 0
    pending_key: Any = None
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent | yaml.DocumentEndEvent):
            continue
        is_start = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
        is_end = isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent)
        if depth == 1 and not is_end:
            # A node that starts at depth 1 is a key or a value of the top mapping.
            if pending_key is None:
                pending_key = event
            else:
                pairs.append((pending_key, event))
                pending_key = None
        if is_start:
            if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                return []  # not a mapping: parse_front_matter refused it already
            depth += 1
        elif is_end:
            depth -= 1
    return pairs


def _why_not_rewritable(key: Any, value: Any) -> str | None:
    """Why the value's text can't be replaced in place, or None when it can."""
    # PyYAML's event parser only when a key's shape is checked (TID253).
    import yaml

    if isinstance(value, yaml.AliasEvent):
        return f"its value is an alias (*{value.anchor})"
    if value.anchor is not None:
        return f"its value carries an anchor (&{value.anchor})"
    if not isinstance(value, yaml.ScalarEvent):
        return "its value is a list or a mapping, not a date"
    if value.tag is not None:
        return f"its value has a tag ({value.tag.replace(_YAML_TAGS, '!!')})"
    if value.style in ("|", ">"):
        return "its value is a block scalar (| or >)"
    start, start_line, end, end_line = _span(value)
    if start == end:
        return "its value is empty"
    if start_line != end_line:
        return "its value spans several lines"
    if start_line != _span(key)[3]:
        return "its value is not on the key's line"
    return None


def _span(event: Any) -> tuple[int, int, int, int]:
    """Where a parser event's text starts and ends: (offset, line, offset, line)."""
    return (
        event.start_mark.index,
        event.start_mark.line,
        event.end_mark.index,
        event.end_mark.line,
    )


def _only_the_date_changed(
    old: Mapping[Any, Any], new_text: str, key_name: str, day: dt.date
) -> bool:
    """True when `new_text` parses to `old` with only `key_name` set to `day`."""
    # The plain shapes without PyYAML, as above.
    from studylog.plain_front_matter import load

    new = load(new_text)
    if new is None:
        # PyYAML only when the new front matter is verified (TID253).
        import yaml

        from studylog.post import yaml_loader  # with PyYAML, as above

        try:
            new = yaml.load(new_text, Loader=yaml_loader())
        except yaml.YAMLError:
            return False
    if not isinstance(new, dict) or new.get(key_name) not in (day, day.isoformat()):
        return False
    rest_old = {k: v for k, v in old.items() if k != key_name}
    rest_new = {k: v for k, v in new.items() if k != key_name}
    return _same(rest_old, rest_new)


def _same(a: Any, b: Any) -> bool:
    """Equality in which NaN equals NaN (`.nan` is a valid front-matter value)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)
