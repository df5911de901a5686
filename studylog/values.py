"""Text a user types into a post: which characters a value may hold.

Every value that studylog writes (entry fields, titles, names, slugs) comes
from a terminal, stdin, an editor or a script, and any of those can carry a
NUL byte or an escape sequence: git then treats the post as binary (and
`search` stops finding it), and a terminal showing it can be hijacked. So
control characters are refused everywhere, tab and line breaks aside; a
value that must be one line (a name, a title) refuses line breaks too, or
`--participant $'민수\\n## 회고록'` would inject a heading.
"""

from __future__ import annotations

import re

from studylog.errors import TextInvalidError

# C0 controls except tab, LF and CR; DEL; C1 controls; and the Unicode line
# and paragraph separators, which some renderers treat as line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Lone surrogates: what Python makes of bytes that are not UTF-8 in argv.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_characters(value: str, what: str) -> str:
    """Return `value` if it holds no control character (tab and line breaks allowed).

    Raises:
        TextInvalidError: a NUL, escape or other control character, or text
            that is not valid Unicode, naming the first one.
    """
    match = _CONTROL.search(value)
    if match is not None:
        raise TextInvalidError(
            f"The {what} holds a control character (U+{ord(match[0]):04X}) at position "
            f"{match.start() + 1}; remove it."
        )
    match = _SURROGATE.search(value)
    if match is not None:
        raise TextInvalidError(
            f"The {what} is not valid UTF-8 text (at position {match.start() + 1}); "
            "set your terminal to UTF-8 and type it again."
        )
    return value


def check_single_line(value: str, what: str) -> str:
    """Return `value` if it is one line of text without control characters.

    Raises:
        TextInvalidError: a line break or control character.
    """
    if _LINE_BREAK.search(value):
        raise TextInvalidError(f"The {what} must be one line; remove the line break.")
    return check_characters(value, what)
