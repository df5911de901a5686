"""Templates: the sandbox, strict variables, and the log's own overriding built-ins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from studylog.config import load_settings
from studylog.errors import TemplateNotFoundError, TemplateRenderError
from studylog.templates import (
    TEMPLATE_VARIABLES,
    TemplateInfo,
    find_template,
    list_templates,
    render_template,
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
    assert set(listed) == {"en", "ko", "weekly"}
    assert listed["en"].builtin
    assert not listed["ko"].builtin and listed["ko"].path == own / "ko.md"
    assert find_template(settings, "ko").path == own / "ko.md"


def test_unknown_template_lists_the_known(log_root: Path) -> None:
    with pytest.raises(TemplateNotFoundError, match="en, ko"):
        find_template(load_settings(log_root), "weekly")
