"""What the reader gives back: a post's sections and its questions and reviews, as plain values.

Apart from `extraction` (the reader, ~20 ms to import with the modules
under it) so that `search`, answered from its cache (`entry_cache`), can
make and show these without importing the reader. Named tuples, not
dataclasses: `search` imports neither `dataclasses` nor `inspect` (~6 ms).
"""

from __future__ import annotations

from typing import NamedTuple


class Section(NamedTuple):
    """The text between one heading and the next (of any level).

    `key` is the configured section key the heading matches (`questions`,
    `retrospective`, …) or None; `text` is the section's own text without
    its heading line; `line` is the heading's line in the file (0 for the
    text before the first heading).
    """

    key: str | None
    heading: str
    level: int
    line: int
    text: str


class QuestionEntry(NamedTuple):
    """One question read from a question section.

    `number` is the number the author wrote (`3.`), else its position in
    the section; `asker` is None when the post does not say who asked;
    `line` is the 1-based line of the question in the file.
    """

    number: int
    asker: str | None
    question: str
    answers: tuple[str, ...]
    line: int
    section: str = ""
    end_line: int = 0
    numbered: bool = False


class ReviewEntry(NamedTuple):
    """One homework review read from a review section."""

    number: int
    assignment: str
    topic: str | None
    presenter: str | None
    feedback: tuple[str, ...]
    line: int
    section: str = ""
    end_line: int = 0
    numbered: bool = False
