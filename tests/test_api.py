"""The public API: each name in `studylog.__all__` imports, each function works."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from pathlib import Path

import pytest

import studylog

# What a caller of the library does, in the README's order: make a log,
# make a post, record the peer session, read it back.


def test_every_public_name_imports() -> None:
    for name in studylog.__all__:
        assert getattr(studylog, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        studylog.nothing  # noqa: B018 - the attribute access is the test


def test_the_public_functions_work_together(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    made = studylog.init_log(root, profile="en")
    assert made.created_config
    settings = studylog.load_settings(root)
    assert isinstance(settings, studylog.Settings)
    log = studylog.open_log(root=root)
    assert isinstance(log, studylog.Log)
    day = studylog.parse_date("2021-08-05", dt.date(2021, 8, 6))
    assert studylog.parse_date("yesterday", dt.date(2021, 8, 6)) == day
    templates = studylog.list_templates(settings)
    assert {"en", "ko"} <= {t.name for t in templates}
    mini = tmp_path / "mini.md"
    mini.write_text("# {{ title }} on {{ date }}\n", encoding="utf-8")
    info = dataclasses.replace(templates[0], name="mini", path=mini, builtin=False)
    assert studylog.render_template(info, {"title": "Day 4", "date": day}) == (
        "# Day 4 on 2021-08-05\n"
    )

    path = studylog.create_post(log, studylog.NewPostRequest("day4", date=day))
    ref = log.find_post("day4")
    assert isinstance(ref, studylog.PostRef) and ref.path == path

    asked = studylog.append_question(
        log, path, studylog.Question("Minsu", "Why dropout?", ("It regularises.",))
    )
    assert isinstance(asked, studylog.AppendResult) and asked.number == 1
    reviewed = studylog.append_review(log, ref, studylog.Review("Assignment 1", "Jisu"))
    noted = studylog.append_note(log, path, "notes", studylog.Note("Bring the slides."))
    text = path.read_text(encoding="utf-8")
    for inserted in (asked.inserted, reviewed.inserted, noted.inserted):
        assert inserted in text

    headings = studylog.find_headings(text)
    assert any(studylog.normalize_heading(h.text) == "questions" for h in headings)


def test_every_public_function_is_called_by_the_test_above() -> None:
    # A function added to __all__ must be added to the walk-through too.
    called = set()
    source = inspect.getsource(test_the_public_functions_work_together)
    for name in studylog.__all__:
        value = getattr(studylog, name)
        if inspect.isfunction(value) and f"studylog.{name}(" in source:
            called.add(name)
    functions = {n for n in studylog.__all__ if inspect.isfunction(getattr(studylog, n))}
    assert functions - called == set()


def test_errors_are_studylog_errors() -> None:
    with pytest.raises(studylog.StudylogError):
        studylog.parse_date("not a date", dt.date(2021, 8, 6))
