"""Reading Anki's text-import format back, as Anki does: how the tests check `export -f anki`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportedNote:
    """One line of the file as Anki imports it: id, the two HTML fields, tags."""

    guid: str
    front: str
    back: str
    tags: tuple[str, ...]


def parse_anki(text: str) -> tuple[dict[str, str], list[ImportedNote]]:
    """The header settings and the notes of a file in the format `to_anki` writes."""
    header: dict[str, str] = {}
    notes: list[ImportedNote] = []
    for line in text.split("\n"):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key] = value
            continue
        if not line:
            continue
        guid, front, back, tags = line.split("\t")
        notes.append(ImportedNote(guid, front, back, tuple(tags.split())))
    return header, notes
