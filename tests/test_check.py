"""check: each rule catches its problem, with its id and line; clean posts pass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import SAMPLE_POST, build_file_tree, corpus_posts
from studylog.check import RULES, check_posts, check_text, is_failure
from studylog.config import Settings, settings_from_mapping
from studylog.log import open_log, post_ref, site_timezone


@pytest.fixture
def ko() -> Settings:
    return settings_from_mapping(Path("/nonexistent"), {}, source="test")


GOOD_BODY = (
    "## 학습 내용\n\n<br>\n\n## 피어세션\n\n### 추가안건\n\n<br>\n\n### 과제 리뷰\n\n<br>\n\n"
    "### 질문내용\n\n1. 가님 질문 : 하나\n\n    답변 : 둘\n\n## 회고록\n\n<br>\n"
)


def rules_of(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule for f in findings]


def test_every_rule_has_an_explanation_and_a_severity() -> None:
    for rule in RULES.values():
        assert rule.explanation.endswith(".") and "\n" not in rule.explanation
        assert rule.severity in ("error", "warning")


def test_a_clean_post_has_no_findings(ko: Settings) -> None:
    text = f'---\ntitle: "Day 5"\ntags: []\ndate: 2021-08-06\n---\n{GOOD_BODY}'
    assert check_text(Path("p.md"), text, ko, dt.date(2021, 8, 6)) == []


def test_a_post_from_the_builtin_template_passes(log_root: Path) -> None:
    from studylog.scaffold import NewPostRequest, create_post

    log = open_log(log_root)
    path = create_post(log, NewPostRequest(slug="day5", date=dt.date(2021, 8, 6)))
    findings = check_posts([post_ref(path)], log.settings)  # type: ignore[list-item]
    assert findings == []


def test_the_sample_posts_empty_list_in_tags_is_a_warning_with_the_fix(ko: Settings) -> None:
    text = SAMPLE_POST.read_text(encoding="utf-8")
    findings = check_text(SAMPLE_POST, text, ko, dt.date(2021, 8, 12))
    assert text.splitlines()[20 - 1 : 21] == ["tags:", "  - []"]
    # Jekyll builds it (as no tag; tests/test_repair.py builds it for real), so
    # it must not fail a pre-commit hook: a warning, naming the fix.
    (empty,) = [f for f in findings if f.rule == "empty-list-item"]
    assert (empty.severity, empty.line) == ("warning", 20)
    assert "`tags: []`" in empty.message and "check --fix" in empty.message
    assert not is_failure(findings)


def test_an_empty_category_is_an_error(ko: Settings) -> None:
    # Jekyll puts it into the URL: /[]/2021/08/06/x.html.
    text = f"---\ntitle: x\ncategories:\n  - []\ntags:\n  - \n---\n{GOOD_BODY}"
    findings = check_text(Path("p.md"), text, ko, None)
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("empty-category", "error", 3),
        ("empty-list-item", "warning", 5),
    ]
    assert "/[]/" in findings[0].message


def test_invalid_yaml_names_the_line(ko: Settings) -> None:
    text = "---\ntitle: ok\ntags: [a, b\ndate: 2021-08-05\n---\n" + GOOD_BODY
    findings = check_text(Path("p.md"), text, ko, None)
    assert rules_of(findings) == ["front-matter-yaml"]
    assert findings[0].line >= 3


def test_missing_front_matter_and_title(ko: Settings) -> None:
    assert "front-matter-missing" in rules_of(check_text(Path("p.md"), GOOD_BODY, ko, None))
    no_title = check_text(Path("p.md"), "---\ndate: 2021-08-05\n---\n" + GOOD_BODY, ko, None)
    assert rules_of(no_title) == ["title-missing"]
    scalar = check_text(Path("p.md"), "---\njust text\n---\n" + GOOD_BODY, ko, None)
    assert rules_of(scalar) == ["front-matter-mapping"]


@pytest.mark.parametrize(
    ("value", "tz", "mismatch"),
    [
        ("2021-08-05", None, False),
        ("2021-08-06", None, True),
        ("2021-08-04 20:00:00 +0000", "Asia/Seoul", False),  # 05:00 on the 5th in Seoul
        ("2021-08-05 20:00:00 +0000", "Asia/Seoul", True),  # the 6th in Seoul
        ("2021-08-05 10:00:00 +09:00", "Asia/Seoul", False),
        ("2021-08-05 23:30:00", "Asia/Seoul", False),  # no offset: site time already
        ("2021-08-05T01:00:00Z", "America/New_York", True),  # the 4th in New York
    ],
)
def test_filename_date_against_front_matter_date_in_the_site_timezone(
    ko: Settings, value: str, tz: str | None, mismatch: bool
) -> None:
    text = f"---\ntitle: x\ndate: {value}\n---\n{GOOD_BODY}"
    findings = check_text(Path("2021-08-05-day4.md"), text, ko, dt.date(2021, 8, 5), tz)
    assert rules_of(findings) == (["date-mismatch"] if mismatch else [])
    if mismatch:
        assert findings[0].line == 3


def test_unreadable_date(ko: Settings) -> None:
    text = f"---\ntitle: x\ndate: next tuesday\n---\n{GOOD_BODY}"
    assert rules_of(check_text(Path("p.md"), text, ko, dt.date(2021, 8, 5))) == ["date-invalid"]


def test_numbering_gaps_and_repeats(ko: Settings) -> None:
    body = GOOD_BODY.replace(
        "1. 가님 질문 : 하나\n\n    답변 : 둘\n",
        "1. 가님 질문 : 하나\n\n2. 나님 질문 : 둘\n\n4. 다님 질문 : 넷\n\n4. 라님 질문 : 또 넷\n",
    )
    findings = check_text(Path("p.md"), f"---\ntitle: x\n---\n{body}", ko, None)
    gaps = [f for f in findings if f.rule == "numbering-gap"]
    assert len(gaps) == 2
    assert "should be number 3" in gaps[0].message
    assert "should be number 5" in gaps[1].message
    # kramdown numbers the list 1, 2, 3, 4 whatever is written: the post
    # builds and reads fine, so this is a warning (with the fix).
    assert {f.severity for f in gaps} == {"warning"} and "check --fix" in gaps[0].message


def test_missing_sections_and_duplicate_headings_are_warnings(ko: Settings) -> None:
    # Five of the ko template's six sections: a post from that template, one section lost.
    body = GOOD_BODY.replace("### 과제 리뷰\n\n<br>\n\n", "") + "\n## 회고록\n"
    findings = check_text(Path("p.md"), f"---\ntitle: x\n---\n{body}", ko, None)
    missing = [f.message for f in findings if f.rule == "section-missing"]
    assert missing == [
        "no '과제 리뷰' section, which the 'ko' template the post follows has; "
        "add the heading or ignore this rule."
    ]
    assert "heading-duplicate" in rules_of(findings)
    assert not is_failure(findings)
    assert is_failure(findings, strict=True)


@pytest.mark.parametrize(
    "body",
    [
        # Lecture notes: no section of any template.
        "# 목차\n\n## Exception\n\n## File Handling\n",
        # Another template of the same course: 2 of the ko template's 6 sections.
        "## 학습 내용\n\n## 피어세션\n\n### 토의 내용\n\n### 대회 진행\n",
    ],
)
def test_sections_follow_the_template_the_post_was_made_from(ko: Settings, body: str) -> None:
    findings = check_text(Path("p.md"), f"---\ntitle: x\n---\n{body}", ko, None)
    assert "section-missing" not in rules_of(findings)


def test_a_post_missing_a_section_names_the_template_it_follows() -> None:
    en = settings_from_mapping(Path("/nonexistent"), {"profile": "en"}, source="test")
    body = "## What I studied\n\n## Peer session\n\n### Agenda\n\n### Questions\n\n"
    body += "## Retrospective\n"
    findings = check_text(Path("p.md"), f"---\ntitle: x\n---\n{body}", en, None)
    assert [f.message.split(",")[0] for f in findings] == ["no 'Homework review' section"]
    # The log's default template, of the two built-ins that write these sections.
    assert "'en' template" in findings[0].message


def test_not_utf8_is_a_finding_not_a_crash(tmp_path: Path, ko: Settings) -> None:
    root = build_file_tree(tmp_path, {"_posts/2021-08-05-day4.md": b"---\ntitle: \xff\n---\n"})
    ref = post_ref(root / "_posts" / "2021-08-05-day4.md")
    assert rules_of(check_posts([ref], ko)) == ["not-utf8"]  # type: ignore[list-item]


def test_site_timezone_comes_from_config_then_jekyll(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"_config.yml": "title: blog\ntimezone: Asia/Seoul # KST\n"})
    assert site_timezone(settings_from_mapping(tmp_path, {}, "t")) == "Asia/Seoul"
    own = settings_from_mapping(tmp_path, {"timezone": "Europe/Berlin"}, "t")
    assert site_timezone(own) == "Europe/Berlin"


@pytest.mark.corpus
def test_every_corpus_post_is_checked_without_a_crash(ko: Settings) -> None:
    refs = [post_ref(path) for path in corpus_posts()]
    findings = check_posts(refs, ko)  # type: ignore[arg-type]
    by_rule: dict[str, set[str]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, set()).add(finding.path.parent.name)
    # Every hongsusoo post has `tags: - []`; no other blog does.
    flagged = {f.path.name for f in findings if f.rule == "empty-list-item"}
    assert len(flagged) == 89
    assert by_rule["empty-list-item"] == {"hongsusoo"}
    assert "front-matter-yaml" not in by_rule
    assert "date-mismatch" not in by_rule


def test_template_shapes_follow_the_logs_own_templates(log_root: Path) -> None:
    from studylog.check import template_shapes

    log = open_log(log_root)
    shapes = {
        shape.name: [key for key, _ in shape.sections] for shape in template_shapes(log.settings)
    }
    assert shapes["ko"] == ["study", "peer", "agenda", "reviews", "questions", "retrospective"]
    assert "week" not in shapes
    build_file_tree(
        log_root,
        {
            ".studylog.yml": "template: short\n",
            "_templates/short.md": (
                "---\ntitle: {{ title }}\n---\n## 학습 내용\n\n## 토의 내용\n\n"
                "## {{ '회고' }}\n\n## 회고록\n"
            ),
        },
    )
    log = open_log(log_root)
    first = template_shapes(log.settings)[0]
    # The default template first; a heading written in Jinja2 can't be known.
    assert (first.name, [key for key, _ in first.sections]) == (
        "short",
        ["study", "토의 내용", "retrospective"],
    )
    for text, missing in [
        ("## 학습 내용\n\n## 토의 내용\n\n## 회고록\n", []),
        ("## 학습 내용\n\n## 토의 내용\n", ["no '회고록' section, which the 'short' template"]),
    ]:
        post = build_file_tree(
            log_root, {"_posts/2021-08-05-day4.md": f"---\ntitle: x\n---\n{text}"}
        )
        ref = post_ref(post / "_posts" / "2021-08-05-day4.md")
        found = check_posts([ref], log.settings)  # type: ignore[list-item]
        assert [f.message[: len(m)] for f, m in zip(found, missing, strict=True)] == missing


# --- what Jekyll does with a post ---------------------------------------------------


def test_unprotected_liquid_is_an_error_unless_kept(ko: Settings) -> None:
    body = GOOD_BODY.replace("둘", "{% if user %} 와 {{ x }}") + (
        "\n{% raw %}{{ shown }} {% if ok %}{% endraw %}\n```\n{{ in_code }}\n```\n"
    )
    # Jekyll's own objects and tags are Liquid on purpose.
    body += "![img]({{ site.baseurl }}/a.png) {% include note.html %} {% post_url 2021-08-05-x %}\n"
    text = f'---\ntitle: "t"\n---\n{body}'
    found = [f for f in check_text(Path("p.md"), text, ko, None) if f.rule == "liquid-unprotected"]
    lines = text.split("\n")
    # One finding per line, code included (Liquid runs there too); raw text is fine.
    assert [lines[f.line - 1] for f in found] == [
        "    답변 : {% if user %} 와 {{ x }}",
        "{{ in_code }}",
    ]
    assert is_failure(found)
    keep = settings_from_mapping(Path("/nonexistent"), {"liquid": "keep"}, source="test")
    assert "liquid-unprotected" not in rules_of(check_text(Path("p.md"), text, keep, None))


def test_a_post_written_by_add_question_has_no_unprotected_liquid(log_root: Path) -> None:
    from studylog.entries import Question, append_question
    from studylog.scaffold import NewPostRequest, create_post

    log = open_log(log_root)
    path = create_post(log, NewPostRequest(slug="day5", date=dt.date(2021, 8, 6)))
    append_question(log, path, Question("민수", "{{ x }}?", ("{% if a %}b{% endif %}",)))
    assert check_posts([post_ref(path)], log.settings) == []  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("config", "front", "rules"),
    [
        ("theme: minima\n", 'title: "t"\n', ["layout-missing"]),
        ("theme: minima\n", 'layout: post\ntitle: "t"\n', []),
        ("defaults:\n  - scope: {type: posts}\n    values: {layout: post}\n", 'title: "t"\n', []),
        # The example post's mistake: `defaults:` in a post gives it no layout.
        (
            "theme: minima\n",
            'defaults:\n  - values: {layout: single}\ntitle: "t"\n',
            ["layout-missing"],
        ),
        (None, 'title: "t"\n', []),
    ],
)
def test_layout_missing(tmp_path: Path, config: str | None, front: str, rules: list[str]) -> None:
    files = {
        ".studylog.yml": "",
        "_posts/2021-08-06-day5.md": f"---\n{front}date: 2021-08-06\n---\n{GOOD_BODY}",
    }
    if config is not None:
        files["_config.yml"] = config
    root = build_file_tree(tmp_path / "site", files)
    log = open_log(root)
    findings = check_posts([post_ref(root / "_posts/2021-08-06-day5.md")], log.settings)  # type: ignore[list-item]
    assert rules_of(findings) == rules
    if rules:
        assert "layout: post" in findings[0].message
        assert ("only in _config.yml" in findings[0].message) == ("defaults" in front)


def test_duplicate_front_matter_keys(ko: Settings) -> None:
    text = '---\ntitle: "a"\ntags: []\n"title": "b"\nnested:\n  tags: x\n---\n' + GOOD_BODY
    found = [f for f in check_text(Path("p.md"), text, ko, None) if f.rule.startswith("front")]
    assert [(f.rule, f.line) for f in found] == [("front-matter-duplicate-key", 4)]
    assert "line 2" in found[0].message


def test_tags_differing_only_in_case_across_posts(tmp_path: Path) -> None:
    def post(day: int, tags: str) -> str:
        return f'---\ntitle: "t"\ndate: 2021-08-0{day}\ntags: {tags}\n---\n{GOOD_BODY}'

    root = build_file_tree(
        tmp_path / "log",
        {
            ".studylog.yml": "",
            "_posts/2021-08-01-a.md": post(1, "[Python, ML]"),
            "_posts/2021-08-02-b.md": post(2, "[python]"),
            "_posts/2021-08-03-c.md": post(3, "[Python]"),
            "_posts/2021-08-04-d.md": post(4, "[ml, ML]"),
        },
    )
    log = open_log(root)
    refs = [post_ref(p) for p in sorted((root / "_posts").iterdir())]
    found = [f for f in check_posts(refs, log.settings) if f.rule == "tag-case"]  # type: ignore[arg-type]
    assert sorted((f.path.name, f.message.split("'")[1]) for f in found) == [
        ("2021-08-02-b.md", "python"),
        ("2021-08-04-d.md", "ml"),
    ]
    assert not is_failure(found)
    assert check_posts(refs, log.settings, ignore=["tag-case"]) == []  # type: ignore[arg-type]
