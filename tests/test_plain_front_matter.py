"""Front matter read without PyYAML is what PyYAML reads, or is left to it.

PyYAML (libyaml's loader, as `post.yaml_loader` picks) is the judge:
wherever `plain_front_matter.load` answers, its mapping must equal
PyYAML's, types included, on every corpus post and on generated front
matter (the plain shapes, the YAML 1.1 words and numbers, and lines that
break them); where PyYAML fails, `load` must decline. `value_span` must
give the span PyYAML's events give for the value `last_modified_at` rewrites.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_speed import make_log, module_names, run_traced

from conftest import corpus_posts
from studylog.last_modified import _yaml_value_span, set_last_modified
from studylog.plain_front_matter import load, value_span
from studylog.post import split_post, yaml_loader


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 is not True, a date not a string)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def read_as_pyyaml(text: str) -> bool:
    """Whether `load` answered for `text` (its mapping and spans are then checked)."""
    mapping = load(text)
    if mapping is None:
        return False
    judged = yaml.load(text, Loader=yaml_loader())  # raises if PyYAML can't read it
    assert same(mapping, {} if judged is None else judged), repr(text)
    for key in mapping:
        span = value_span(text, key)
        if span is not None:
            assert span == _yaml_value_span(text, key), (repr(text), key)
    return True


@pytest.mark.corpus
def test_every_corpus_front_matter_reads_as_pyyaml_reads_it() -> None:
    posts = corpus_posts()
    plain = 0
    for path in posts:
        front_matter = split_post(path, path.read_text(encoding="utf-8")).front_matter
        assert front_matter is not None
        plain += read_as_pyyaml(front_matter)
    # Not vacuous: the corpus's front matter is all in the plain shapes today.
    assert plain > len(posts) * 3 // 4


# Keys and values this module reads (drawn more often) and ones it leaves to PyYAML.
PLAIN_KEYS = ["title", "date", "tags", "last_modified_at", "b-c", "_k", "y", "x1"]
KEYS = st.sampled_from(PLAIN_KEYS * 3 + ["yes", "on", "null", "No"])
PLAIN_VALUES = [
    *("제목 있음", "2021-08-11", "1", "-0", "+1", "1.5", "01.50", "-2.0", "boostcourse"),
    *("yes", "no", "on", "Off", "true", "FALSE", "null", "~", "NULL", "C#", "a:b"),
    *("http://x.y/z", "'q'", "''", "'it''s'", '""', '"d"', '"a\'b"', "[]", "[a, b]"),
    *("[1, yes]", "[a b c]", "👨\u200d👩", "\u00a0x", "a\u3000b", "x y  z"),
] * 6
ODD_VALUES = [
    *("007", ".5", "1.", "1e5", "0x1F", "1_000", "1:30", "2021-8-11", "2021-02-30"),
    *("2021-08-11 10:00:00 +0900", "2021-08-11T10:00:00Z", ".inf", ".nan", "=", "<<"),
    *("a: b", "a #b", "[boost] Day1", "'a'b'", '"a\\"b"', "[ ]", "[a,]", "[[a]]", "{}"),
    *("{a: b}", "&x a", "*x", "!!str 1", "|", ">", "|-\n  a", "%x", "@x", "`x", "-x"),
    *("?x", ":x", "x:", " x", "x\u2028y", "\ufeffx", "\x85", "tab\tx", "a\x07"),
]
VALUES = st.sampled_from(PLAIN_VALUES + ODD_VALUES)
INDENTS = st.sampled_from(["", " ", "  ", "    ", "      "])
LINES = st.one_of(
    st.builds(lambda k, s, v: f"{k}{s}: {v}", KEYS, st.sampled_from(["", " "]), VALUES),
    st.builds(lambda i, k: f"{i}{k}:", INDENTS, KEYS),
    st.builds(lambda i, v: f"{i}- {v}", INDENTS, VALUES),
    st.builds(lambda i, k, v: f"{i}{k}: {v}", INDENTS, KEYS, VALUES),
    st.builds(lambda i, k, v: f"{i}- {k}: {v}", INDENTS, KEYS, VALUES),
    st.builds(lambda i, k: f"{i}- {k}:", INDENTS, KEYS),
    st.sampled_from(["", "# c", "  # c", "...", "-", "- ", "%YAML 1.1", "k:v", "title: a # c"]),
)


@st.composite
def mappings(draw: st.DrawFn, depth: int = 0, indent: int = 0) -> list[str]:
    """Well-formed block YAML: mappings, lists, lists of mappings, nested."""
    lines: list[str] = []
    for key in draw(st.lists(KEYS, min_size=1, max_size=4, unique=True)):
        kinds = ["scalar", "empty", "flow", "list", "map", "maps"] if depth < 3 else ["scalar"]
        kind = draw(st.sampled_from(kinds))
        head = " " * indent + key + draw(st.sampled_from(["", " "])) + ":"
        step = draw(st.sampled_from([1, 2, 4] if kind == "map" else [0, 2, 4]))
        pad = " " * (indent + step)
        if kind == "scalar":
            lines.append(f"{head} {draw(VALUES)}")
        elif kind == "flow":
            lines.append(f"{head} [{', '.join(draw(st.lists(VALUES, max_size=3)))}]")
        else:
            lines.append(head)
        if kind == "list":
            lines += [f"{pad}- {v}" for v in draw(st.lists(VALUES, min_size=1, max_size=3))]
        elif kind == "map":
            lines += draw(mappings(depth + 1, indent + step))
        elif kind == "maps":
            for _ in range(draw(st.integers(1, 2))):
                item = draw(mappings(depth + 1, indent + step + 2))
                lines += [f"{pad}- {item[0].lstrip(' ')}", *item[1:]]
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# c", "   "])))
    return lines


FRONT_MATTER = st.builds(
    lambda lines, newline, end: newline.join(lines) + (newline if end else ""),
    st.one_of(mappings(), mappings(), st.lists(LINES, max_size=12)),
    st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]),
    st.booleans(),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=FRONT_MATTER)
def test_generated_front_matter_reads_as_pyyaml_reads_it(text: str) -> None:
    read_as_pyyaml(text)


@pytest.mark.slow
@settings(max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=FRONT_MATTER)
def test_much_generated_front_matter_reads_as_pyyaml_reads_it(text: str) -> None:
    read_as_pyyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: a\ntitle: b\n",  # a key twice
        "date: 2021-08-11 10:00:00 +0900\n",  # a time: PyYAML's timestamp rules
        "date: 2021-02-30\n",  # no such day: PyYAML says so
        "title: &t x\nalias: *t\n",
        "title: |\n  a\n",
        "title: a\n  continued\n",
        "title:\ta\n",
        "on: x\n",  # a key YAML reads as True
        "n: 0o17\n",
    ],
)
def test_what_it_does_not_read_goes_to_pyyaml(text: str) -> None:
    assert load(text) is None


def test_the_plain_shapes_read_to_their_values() -> None:
    text = (
        "title: \"[boostcourse] Day1\"\nexcerpt: 'it''s'\ntoc: true\ncount: 12\nratio: 0.5\n"
        "date: 2021-08-11\ntags: []\ncategories:\n  - boostcourse\nkeywords : [a b, c]\n"
        'defaults:\n  - scope:\n      path: ""\n    values:\n      layout: single\n'
    )
    assert load(text) == {
        "title": "[boostcourse] Day1",
        "excerpt": "it's",
        "toc": True,
        "count": 12,
        "ratio": 0.5,
        "date": dt.date(2021, 8, 11),
        "tags": [],
        "categories": ["boostcourse"],
        "keywords": ["a b", "c"],
        "defaults": [{"scope": {"path": ""}, "values": {"layout": "single"}}],
    }
    assert read_as_pyyaml(text)


def test_last_modified_is_set_in_place_without_pyyaml() -> None:
    text = "title: x\nlast_modified_at: '2021-08-11' # kept\r\ntags: []\n"
    assert load(text) is None  # the comment: PyYAML decides
    text = "title: x\r\nlast_modified_at: '2021-08-11'\r\ntags: []\r\n"
    update = set_last_modified(text, load(text) or {}, dt.date(2030, 1, 2))
    assert update.front_matter == text.replace("2021-08-11", "2030-01-02")
    assert update.skipped is None


def test_add_question_with_cached_settings_imports_no_pyyaml(tmp_path: Path) -> None:
    root = make_log(tmp_path / "blog", 2)
    post = root / "_posts/2021-01-03-day2.md"
    post.write_text(
        post.read_text("utf-8").replace("---\n## ", "last_modified_at: 2021-01-03\n---\n## "),
        "utf-8",
    )
    stamp = (root / ".studylog.yml").stat().st_mtime - 60
    os.utime(root / ".studylog.yml", (stamp, stamp))  # old enough for the settings cache
    run_traced(root, "add-question", "--asker", "지수", "--question", "왜?")
    trace = run_traced(root, "add-question", "--asker", "민수", "--question", "어떻게?")
    assert "yaml" not in module_names(trace)
    text = post.read_text("utf-8")
    assert "3. 민수님 질문 : 어떻게?" in text
    # Set in place to the log's today (any day but the old one), the rest as it was.
    assert re.match(r"---\ntitle: Day2\nlast_modified_at: \d{4}-\d\d-\d\d\n---\n", text)
    assert "last_modified_at: 2021-01-03" not in text
