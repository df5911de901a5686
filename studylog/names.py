"""People's names as they are written into posts and counted by `stats`.

The Korean formats add the honorific themselves (`{asker}님 질문`), so a
name typed with it (`서광채님`, as people naturally write it) would come out
as `서광채님님 질문` and be counted as someone else than `서광채`. One
spelling per person: space runs collapsed, NFC, and a trailing `님` dropped.
"""

from __future__ import annotations

import re
import unicodedata

# `님` at the end, after the name (a space before it allowed); not a name that is only `님`.
_HONORIFIC = re.compile(r"(?<=\S)[ \t]*님$")


def person_name(name: str) -> str:
    """`name` in its one spelling: NFC, single spaces, no trailing honorific `님`."""
    plain = " ".join(unicodedata.normalize("NFC", name).split())
    return _HONORIFIC.sub("", plain)
