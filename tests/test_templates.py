"""Templates: the sandbox, strict variables, and the log's own overriding built-ins."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from studylog.config import load_settings
from studylog.errors import TemplateNotFoundError, TemplateRenderError
from studylog.templates import (
    TEMPLATE_VARIABLES,
    TemplateInfo,
    find_template,
    list_templates,
    render_template,
    template_folders,
)

VARIABLES = {
    "slug": "day5",
    "day": 5,
    "date": dt.date(2021, 8, 5),
    "now": dt.datetime(2021, 8, 5, 9, 0, tzinfo=dt.UTC),
    "title": "Day5",
    "moderator": "민수",
    "participants": ["민수", "지수"],
    "config": None,
    "previous": None,
    "course": "boostcourse",
    "layout": "post",
    "week": None,
    "moderator_label": "모더레이터",
    "participants_label": "참가자",
    "headings": {"questions": "질문내용"},
}


def make(tmp_path: Path, source: str, name: str = "t") -> TemplateInfo:
    path = tmp_path / f"{name}.md"
    path.write_text(source, encoding="utf-8")
    return TemplateInfo(name, path, builtin=False)


def test_variables_documented_match_what_new_passes() -> None:
    assert set(VARIABLES) == set(TEMPLATE_VARIABLES)


def test_renders_variables(tmp_path: Path) -> None:
    info = make(tmp_path, "{{ title | yaml }} {{ date }} {{ participants | join(', ') }}\n")
    assert render_template(info, VARIABLES) == '"Day5" 2021-08-05 민수, 지수\n'


def test_undefined_variable_names_template_and_line(tmp_path: Path) -> None:
    info = make(tmp_path, "line one\n{{ titel }}\n", name="mine")
    with pytest.raises(TemplateRenderError) as err:
        render_template(info, VARIABLES)
    assert "'mine'" in str(err.value)
    assert "line 2" in str(err.value)
    assert "titel" in str(err.value)


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    info = make(tmp_path, "ok\nok\n{% if %}\n", name="broken")
    with pytest.raises(TemplateRenderError, match=r"'broken'.*line 3"):
        render_template(info, VARIABLES)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ date.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_blocks_python_internals(tmp_path: Path, source: str) -> None:
    info = make(tmp_path, source)
    with pytest.raises(TemplateRenderError):
        render_template(info, VARIABLES)


def test_log_template_overrides_builtin_and_both_are_listed(log_root: Path) -> None:
    settings = load_settings(log_root)
    own = settings.templates_path
    own.mkdir()
    (own / "ko.md").write_text("mine\n", encoding="utf-8")
    (own / "weekly.md").write_text("weekly\n", encoding="utf-8")
    listed = {t.name: t for t in list_templates(settings)}
    assert set(listed) == {"en", "ko", "week", "weekly"}
    assert listed["en"].builtin
    assert not listed["ko"].builtin and listed["ko"].path == own / "ko.md"
    assert find_template(settings, "ko").path == own / "ko.md"


def test_unknown_template_lists_the_known(log_root: Path) -> None:
    with pytest.raises(TemplateNotFoundError, match="en, ko"):
        find_template(load_settings(log_root), "weekly")


# --- The sandbox against a hostile or broken template (issue 11, item 1) ---------


def test_context_is_plain_data_not_settings_or_paths(log_root: Path) -> None:
    """`config` was the Settings with Path objects: `config.root.joinpath(...).write_text()`."""
    settings = load_settings(log_root)
    (log_root / "_templates").mkdir()
    info = make(
        log_root / "_templates",
        "{{ config.root }}|{{ config.sections.questions.heading }}|{{ previous.title }}\n",
    )
    previous = {"slug": "day4", "title": "Day4", "date": dt.date(2021, 8, 4), "participants": []}
    out = render_template(
        info, {**VARIABLES, "config": settings, "previous": previous}, template_folders(settings)
    )
    assert out == f"{log_root}|질문내용|Day4\n"


@pytest.mark.parametrize(
    "source",
    [
        "{{ config.root.joinpath('.git/hooks/pre-commit').write_text('#!/bin/sh') }}",
        "{{ config.root.chmod(511) }}",
        "{{ config.posts_path }}",
        "{{ now.tzinfo.from_file }}",
        "{{ participants.append('x') }}",
    ],
)
def test_no_object_with_methods_reaches_a_template(log_root: Path, source: str) -> None:
    settings = load_settings(log_root)
    info = make(log_root, source)
    with pytest.raises(TemplateRenderError, match=r"^Template 't' line 1: .*\.$"):
        render_template(info, {**VARIABLES, "config": settings}, (log_root,))
    assert not (log_root / ".git" / "hooks" / "pre-commit").exists()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    own, builtin = tmp_path / "own", tmp_path / "builtin"
    own.mkdir()
    builtin.mkdir()
    (builtin / "header.md").write_text("built-in header {{ slug }}\n", encoding="utf-8")
    (own / "base.md").write_text("A {% block body %}{% endblock %} Z\n", encoding="utf-8")
    (own / "macros.md").write_text("{% macro hi(n) %}hi {{ n }}{% endmacro %}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("PRIVATE KEY\n", encoding="utf-8")
    return own, builtin


def test_include_extends_import_load_from_the_template_folders(
    folders: tuple[Path, Path],
) -> None:
    own, _ = folders
    info = make(
        own,
        "{% extends 'base.md' %}{% block body %}{% include 'header.md' %}"
        "{% import 'macros.md' as m %}{{ m.hi(slug) }}{% endblock %}",
    )
    assert render_template(info, VARIABLES, folders) == "A built-in header day5\nhi day5 Z\n"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% include '../secret.txt' %}", "can't load '../secret.txt'"),
        ("{% include '/etc/passwd' %}", "no template '/etc/passwd'"),
        ("x\n{% include 'link.md' %}", "line 2: 'link.md' leads outside the template folders"),
        ("{% extends 'escape/secret.txt' %}", "'escape/secret.txt' leads outside"),
        ("{% import 'fifo.md' as f %}", "'fifo.md' is not a regular file"),
        ("{% include 'missing.md' %}", "no template 'missing.md'"),
    ],
)
def test_loading_outside_the_folders_or_a_special_file_is_refused(
    folders: tuple[Path, Path], source: str, message: str
) -> None:
    own, _ = folders
    (own / "link.md").symlink_to(own.parent / "secret.txt")
    (own / "escape").symlink_to(own.parent)
    os.mkfifo(own / "fifo.md")
    info = make(own, source)
    with pytest.raises(TemplateRenderError) as err:
        render_template(info, VARIABLES, folders)
    assert str(err.value).startswith("Template 't' line ")
    assert message in str(err.value)
    assert "PRIVATE KEY" not in str(err.value)


def test_an_error_in_an_included_template_names_that_template_and_its_line(
    folders: tuple[Path, Path],
) -> None:
    own, _ = folders
    (own / "part.md").write_text("fine\nfine\n{{ 1 / 0 }}\n", encoding="utf-8")
    info = make(own, "{% include 'part.md' %}")
    with pytest.raises(TemplateRenderError, match=r"^Template 'part.md' line 3: .*division"):
        render_template(info, VARIABLES, folders)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for i in range(10**9) %}{% endfor %}", "line 1: .*Range too big"),
        ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", "line 1: nests calls more than"),
        (
            "{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}",
            "line 1: nests calls more than",
        ),
        ("a\n{{ 1/0 }}", "line 2: ZeroDivisionError: division by zero"),
        ("{{ 'x' * 10**9 }}", "line 1: repeats a value 1,000,000,000 times"),
        ("{{ [1] * 10**9 }}", "line 1: repeats a value"),
        ("{{ 2 ** (10**9) }}", "line 1: computes 2\\*\\*1000000000"),
        ("{{ 'x' | center(10**9) }}", "line 1: needed more than 512 MB"),
        ("{{ '{:>999999999}'.format(1) }}", "line 1: needed more than 512 MB"),
        (
            "ok\n{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}",
            "line 2: made more than 1,000,000 char",
        ),
        ("{% set a = 'xxxxxxxxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 30, "512 MB"),
        ("{{ {}['k'] }}", "line 1: .*'k'"),
        ("{{ 'a' + 1 }}", "line 1: .*"),
    ],
)
def test_bounds_and_runtime_errors_are_one_sentence(
    tmp_path: Path, source: str, message: str
) -> None:
    info = make(tmp_path, source)
    with pytest.raises(TemplateRenderError) as err:
        render_template(info, VARIABLES)
    text = str(err.value)
    assert text.startswith("Template 't'") and text.endswith(".") and "\n" not in text
    assert len(text) < 400
    import re

    assert re.search(message, text), text


def test_loops_are_bounded_by_cpu_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import studylog.templates as templates

    monkeypatch.setattr(templates, "MAX_CPU_SECONDS", 0.2)
    info = make(
        tmp_path,
        "ok\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    )
    with pytest.raises(TemplateRenderError, match=r"line 2: ran longer than 0.2 seconds"):
        render_template(info, VARIABLES)
    # The timer and the memory limit are put back: ordinary work goes on.
    import resource
    import signal

    assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY
    assert len("y" * 600_000_000) == 600_000_000


def test_top_template_outside_the_folders_is_refused(tmp_path: Path) -> None:
    outside = make(tmp_path, "hi\n")
    with pytest.raises(TemplateRenderError, match="not inside the template folders"):
        render_template(outside, VARIABLES, (tmp_path / "elsewhere",))


def test_log_template_that_is_a_symlink_out_of_the_log_is_not_rendered(log_root: Path) -> None:
    """A teammate can push `_templates/ko.md -> ~/.ssh/id_rsa`; its text must not reach a post."""
    secret = log_root.parent / "id_rsa"
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    (log_root / "_templates").mkdir()
    (log_root / "_templates" / "ko.md").symlink_to(secret)
    settings = load_settings(log_root)
    with pytest.raises(TemplateRenderError, match="leads outside the template folders"):
        render_template(find_template(settings, "ko"), VARIABLES, template_folders(settings))


def test_new_with_a_pushed_hostile_template_is_one_sentence_and_plants_nothing(
    log_root: Path,
) -> None:
    """The attack from the issue, as a user runs it: a real `studylog new` process."""
    import subprocess
    import sys

    (log_root / "_templates").mkdir()
    (log_root / "_templates" / "ko.md").write_text(
        "---\ntitle: x\n---\n"
        "{{ config.root.joinpath('.git/hooks/pre-commit').write_text('#!/bin/sh') }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(log_root), "new", "day5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Template 'ko' line 4: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (log_root / ".git" / "hooks" / "pre-commit").exists()
    assert list((log_root / "_posts").iterdir()) == []


# --- profile labels as variables; `templates show` and `templates copy` (issue 15, item 9) --


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studylog", "--root", str(root), *args],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_builtin_templates_take_labels_and_headings_from_the_settings(
    tmp_path: Path, profile: str
) -> None:
    from studylog.scaffold import init_log

    root = tmp_path / "blog"
    init_log(root, profile=profile)
    config = root / ".studylog.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "formats:\n  moderator_label: 사회자\n  participants_label: 출석\n"
        + "sections:\n  questions:\n    heading: 묻고 답하기\n  study:\n    heading: 오늘 공부\n",
        encoding="utf-8",
    )
    done = _cli(root, "new", "day1", "--date", "2021-08-02", "--moderator", "민수",
                "--participant", "민수", "--participant", "지수", "--no-carry")  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (root / done.stdout.strip()).read_text(encoding="utf-8")
    separator = " :" if profile == "ko" else ":"
    assert f"\n사회자{separator} 민수\n" in text and f"\n출석{separator} 민수, 지수\n" in text
    assert "\n### 묻고 답하기\n" in text and "\n## 오늘 공부\n" in text
    assert "모더레이터" not in text and "Moderator" not in text
    # The next post reads the names back through the same label, and the question lands.
    done = _cli(root, "new", "day2", "--date", "2021-08-03", "--no-carry")
    assert done.returncode == 0, done.stderr
    second = (root / done.stdout.strip()).read_text(encoding="utf-8")
    assert f"\n출석{separator} 민수, 지수\n" in second
    done = _cli(root, "add-question", "--asker", "지수", "--question", "q?", "--answer", "a")
    assert done.returncode == 0 and "Created section" not in done.stderr, done.stderr


def test_builtin_templates_hard_code_no_label_or_heading() -> None:
    from studylog.config import PROFILE_FORMATS, PROFILE_SECTIONS
    from studylog.templates import builtin_templates_path

    for profile in ("ko", "en"):
        text = (builtin_templates_path() / f"{profile}.md").read_text(encoding="utf-8")
        formats = PROFILE_FORMATS[profile]
        for label in (formats.moderator_label, formats.participants_label):
            assert label not in text, (profile, label)
        for spec in PROFILE_SECTIONS[profile]:
            assert f"# {spec.heading}\n" not in text, (profile, spec.heading)


def test_templates_show_prints_the_text_the_log_uses(log_root: Path) -> None:
    from studylog.templates import builtin_templates_path

    builtin = (builtin_templates_path() / "ko.md").read_text(encoding="utf-8")
    done = _cli(log_root, "templates", "show", "ko")
    assert done.returncode == 0 and done.stdout == builtin and done.stderr == ""
    (log_root / "_templates").mkdir(exist_ok=True)
    (log_root / "_templates" / "ko.md").write_text("mine {{ title }}\n", encoding="utf-8")
    assert _cli(log_root, "templates", "show", "ko").stdout == "mine {{ title }}\n"
    assert _cli(log_root, "templates", "show", "ko", "--builtin").stdout == builtin
    done = _cli(log_root, "templates", "show", "nope")
    assert done.returncode == 1 and done.stderr.startswith("Error: No template 'nope'")
    # Outside any log the built-ins are still shown.
    elsewhere = log_root.parent / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "studylog", "templates", "show", "en"],
        cwd=elsewhere, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("---\n")


def test_templates_copy_makes_an_editable_copy_and_never_overwrites(log_root: Path) -> None:
    from studylog.templates import builtin_templates_path

    done = _cli(log_root, "templates", "copy", "ko")
    assert done.returncode == 0, done.stderr
    copy = log_root / "_templates" / "ko.md"
    assert done.stdout == f"{copy}\n"
    assert copy.read_bytes() == (builtin_templates_path() / "ko.md").read_bytes()
    listed = _cli(log_root, "templates").stdout
    assert "ko\tlog\t" in listed and "en\tbuilt-in\t" in listed
    copy.write_text(copy.read_text(encoding="utf-8") + "\n## 내 섹션\n", encoding="utf-8")
    edited = copy.read_bytes()
    done = _cli(log_root, "templates", "copy", "ko")
    assert done.returncode == 1 and "--force" in done.stderr
    assert copy.read_bytes() == edited
    done = _cli(log_root, "new", "day1", "--no-carry")
    assert done.returncode == 0, done.stderr
    assert "## 내 섹션" in (log_root / done.stdout.strip()).read_text(encoding="utf-8")
    assert _cli(log_root, "templates", "copy", "ko", "--force").returncode == 0
    assert copy.read_bytes() == (builtin_templates_path() / "ko.md").read_bytes()
    done = _cli(log_root, "templates", "copy", "nope")
    assert done.returncode == 1 and "No built-in template 'nope'" in done.stderr


def test_templates_copy_refuses_a_symlinked_target(log_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "bashrc"
    outside.write_text("x\n")
    (log_root / "_templates").mkdir(exist_ok=True)
    os.symlink(outside, log_root / "_templates" / "en.md")
    done = _cli(log_root, "templates", "copy", "en", "--force")
    assert done.returncode == 1 and done.stderr.startswith("Error: ")
    assert outside.read_text() == "x\n"


def test_a_copied_template_still_renders_in_the_sandbox(log_root: Path) -> None:
    assert _cli(log_root, "templates", "copy", "ko").returncode == 0
    copy = log_root / "_templates" / "ko.md"
    copy.write_text(
        copy.read_text(encoding="utf-8") + "{{ headings.__class__.__mro__ }}\n", encoding="utf-8"
    )
    done = _cli(log_root, "new", "day1", "--no-carry")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: Template 'ko' line") and "unsafe" in done.stderr
    assert list((log_root / "_posts").iterdir()) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "sub/ko", ".hidden"])
def test_a_path_like_template_name_is_not_told_to_become_a_file(log_root: Path, name: str) -> None:
    done = _cli(log_root, "templates", "show", name)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: No template '{name}': a template is named by a word (there are: en, ko, week).\n"
    )
    done = _cli(log_root, "new", "day1", "--template", name)
    assert done.returncode == 1 and "named by a word" in done.stderr
    assert not list((log_root / "_posts").glob("*.md"))


# --- compiled templates from the cache --------------------------------------------


def compiled_records() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "studylog" / "templates"
    return sorted(folder.glob("*.jinja")) if folder.is_dir() else []


def test_a_template_is_compiled_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    info = make(tmp_path, "{{ title | yaml }}\n{% for p in participants %}- {{ p }}\n{% endfor %}")
    first = render_template(info, VARIABLES)
    assert len(compiled_records()) == 1
    # Compiling again would mean the record was not used.
    import jinja2

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", no_compiling)
        assert render_template(info, VARIABLES) == first == '"Day5"\n- 민수\n- 지수\n'


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    info = make(tmp_path, "old {{ slug }}\n")
    assert render_template(info, VARIABLES) == "old day5\n"
    # Same name, same size, same second: only the text differs.
    info.path.write_text("new {{ slug }}\n", encoding="utf-8")
    assert render_template(info, VARIABLES) == "new day5\n"


@pytest.mark.parametrize("damage", ["flip", "truncate", "other-version"])
def test_a_damaged_or_foreign_record_is_a_miss(tmp_path: Path, damage: str) -> None:
    info = make(tmp_path, "{{ slug }} {{ day }}\n")
    assert render_template(info, VARIABLES) == "day5 5\n"
    (record,) = compiled_records()
    data = bytearray(record.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        del data[len(data) // 2 :]
    else:
        # A record written under another Jinja2 (its mark is the first line after the crc).
        import zlib

        body = bytes(data[9:])
        body = b"0.0.0" + body[body.index(b" ") :]
        data = bytearray(b"%08x\n" % zlib.crc32(body) + body)
    record.write_bytes(bytes(data))
    assert render_template(info, VARIABLES) == "day5 5\n"


def test_no_record_is_kept_with_caches_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYLOG_NO_CACHE", "1")
    info = make(tmp_path, "{{ slug }}\n")
    assert render_template(info, VARIABLES) == "day5\n"
    assert compiled_records() == []


@pytest.mark.parametrize(
    "source",
    [
        "line one\n{{ titel }}\n",
        "a\n{{ 1/0 }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ 'x' * 10**9 }}",
        "{{ 2 ** (10**9) }}",
        "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}",
    ],
)
def test_a_template_from_the_cache_fails_as_the_compiled_one_did(
    tmp_path: Path, source: str
) -> None:
    # The sandbox and the bounds are the environment's: cached code runs under them too.
    info = make(tmp_path, source, name="mine")
    messages = []
    for _ in range(2):
        with pytest.raises(TemplateRenderError) as err:
            render_template(info, VARIABLES)
        messages.append(str(err.value))
    assert len(compiled_records()) == 1
    assert messages[0] == messages[1]
    assert messages[0].startswith("Template 'mine' line ")


@pytest.mark.parametrize("whose", ["record", "folder"])
def test_a_record_others_may_write_is_not_run(tmp_path: Path, whose: str) -> None:
    import jinja2

    info = make(tmp_path, "{{ slug }} {{ day }}\n")
    assert render_template(info, VARIABLES) == "day5 5\n"
    (record,) = compiled_records()
    target = record if whose == "record" else record.parent
    target.chmod(target.stat().st_mode | 0o002)
    compiled: list[str] = []
    compile_for_real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
        compiled.append("again")
        return compile_for_real(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", counting)
        assert render_template(info, VARIABLES) == "day5 5\n"
    assert compiled == ["again"]
    target.chmod(target.stat().st_mode & ~0o002)
