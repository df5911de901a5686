"""The user's manual: the pages of docs/, shipped inside the wheel for `studylog docs`.

The project has no web address to point to, so help texts and messages name
a page as `studylog docs PAGE`, which works in any install: a wheel carries
the pages as `studylog/_docs` (pyproject's force-include), a source checkout
reads the repository's `docs/`.
"""

from __future__ import annotations

from pathlib import Path

from studylog.errors import ManualPageNotFoundError

PAGE_SUFFIX = ".md"


def manual_path() -> Path:
    """The folder of the manual's pages: packaged in a wheel, else the checkout's docs/."""
    packaged = Path(__file__).parent / "_docs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "docs"


def list_pages() -> list[tuple[str, str]]:
    """Each page's name (`reading`) and title (its first heading), by name."""
    pages = []
    for path in sorted(manual_path().glob(f"*{PAGE_SUFFIX}")):
        lines = path.read_text(encoding="utf-8").splitlines()
        # cli.md starts with a "generated" comment: the title is the first heading.
        title = next((line.lstrip("#").strip() for line in lines if line.startswith("#")), "")
        pages.append((path.stem, title))
    return pages


def find_page(name: str) -> Path:
    """The file of the page `name` (`reading`, or `reading.md`, or `docs/reading.md`).

    Raises:
        ManualPageNotFoundError: no such page, listing the pages there are.
    """
    stem = Path(name).name.removesuffix(PAGE_SUFFIX)
    path = manual_path() / f"{stem}{PAGE_SUFFIX}"
    if stem and not stem.startswith(".") and path.is_file():
        return path
    names = ", ".join(page for page, _ in list_pages())
    raise ManualPageNotFoundError(f"No page '{name}' in the manual; the pages are: {names}.")
