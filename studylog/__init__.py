"""studylog: keep a daily study log on a Jekyll blog.

The package is usable without the command line: open a log, make a post,
append entries, read the log back. The CLI in `studylog.cli` only wraps
these functions.
"""

from __future__ import annotations

__version__ = "0.1.0"

# The public API is imported lazily (PEP 562) so that `studylog --help`
# does not pay for modules a command does not use.
_EXPORTS = {
    "Settings": "studylog.config",
    "load_settings": "studylog.config",
    "Log": "studylog.log",
    "PostRef": "studylog.log",
    "open_log": "studylog.log",
    "parse_date": "studylog.log",
    "init_log": "studylog.scaffold",
    "create_post": "studylog.scaffold",
    "NewPostRequest": "studylog.scaffold",
    "list_templates": "studylog.templates",
    "render_template": "studylog.templates",
    "StudylogError": "studylog.errors",
    "Question": "studylog.entries",
    "Review": "studylog.entries",
    "Note": "studylog.entries",
    "AppendResult": "studylog.entries",
    "append_question": "studylog.entries",
    "append_review": "studylog.entries",
    "append_note": "studylog.entries",
    "normalize_heading": "studylog.markdown.headings",
    "find_headings": "studylog.markdown.headings",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'studylog' has no attribute {name!r}")
    # importlib only on the first use of a public name (PEP 562).
    import importlib

    return getattr(importlib.import_module(module_name), name)
