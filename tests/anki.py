"""Reading Anki's text-import format back, as Anki does: how the tests check `export -f anki`."""

from __future__ import annotations

import html

from studylog.export import Card


def parse_anki(text: str) -> list[Card]:
    """The cards of a file in the format `to_anki` writes (header lines, tab, HTML fields)."""
    cards: list[Card] = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        front, back, tags = line.split("\t")
        cards.append(Card(_from_html(front), _from_html(back), tuple(tags.split())))
    return cards


def _from_html(field: str) -> str:
    return html.unescape(field.replace("<br>", "\n"))
