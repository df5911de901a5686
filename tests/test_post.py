"""One post on disk: the one write path of an edit (read once, checked once, compare-and-swap)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from studylog.errors import FrontMatterError, PostWriteError
from studylog.post import PostText, edit_post, read_post_for_edit

POST = "---\ntitle: x\n---\n\nbody\n"


@dataclass(frozen=True)
class Appended:
    text: str


def _post(tmp_path: Path, text: str = POST) -> Path:
    path = tmp_path / "2021-08-05-day4.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edit_is_written_once_from_the_text_read_once(tmp_path: Path) -> None:
    path = _post(tmp_path)
    post = read_post_for_edit(path)
    seen: list[str] = []

    def append(text: PostText) -> Appended:
        seen.append(text.text)
        return Appended(text.text + "mine\n")

    assert edit_post(post, append, root=tmp_path, action="add the entry") == Appended(
        POST + "mine\n"
    )
    assert path.read_text(encoding="utf-8") == POST + "mine\n"
    assert seen == [POST]  # the file was unchanged: the edit ran once, on the first read


def test_a_change_made_after_the_read_is_kept_and_the_edit_redone(tmp_path: Path) -> None:
    path = _post(tmp_path)
    post = read_post_for_edit(path)
    seen: list[str] = []

    def append(text: PostText) -> Appended:
        seen.append(text.text)
        if len(seen) == 1:
            # Another writer saves the post between our read and our write.
            path.write_text(text.text + "theirs\n", encoding="utf-8")
        return Appended(text.text + "mine\n")

    result = edit_post(post, append, root=tmp_path, action="add the entry")
    assert path.read_text(encoding="utf-8") == POST + "theirs\nmine\n"
    assert result == Appended(POST + "theirs\nmine\n")
    assert seen == [POST, POST + "theirs\n"]


def test_a_change_that_breaks_the_post_writes_nothing(tmp_path: Path) -> None:
    path = _post(tmp_path)
    post = read_post_for_edit(path)
    broken = "---\ntitle: [unclosed\n---\n"

    def append(text: PostText) -> Appended:
        if text.text == POST:
            path.write_text(broken, encoding="utf-8")
        return Appended(text.text + "mine\n")

    with pytest.raises(FrontMatterError):
        edit_post(post, append, root=tmp_path, action="add the entry")
    assert path.read_text(encoding="utf-8") == broken


def test_the_post_is_checked_before_any_value_is_asked_for(tmp_path: Path) -> None:
    with pytest.raises(FrontMatterError, match="no front matter"):
        read_post_for_edit(_post(tmp_path, "# no front matter\n"))
    path = _post(tmp_path)
    path.chmod(0o444)
    try:
        with pytest.raises(PostWriteError, match="read-only"):
            read_post_for_edit(path)
    finally:
        path.chmod(0o644)


def test_a_symlinked_post_is_read_and_written_at_its_target(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "real.md"
    real.parent.mkdir()
    real.write_text(POST, encoding="utf-8")
    link = tmp_path / "2021-08-05-day4.md"
    link.symlink_to(real)
    post = read_post_for_edit(link)
    assert post.path == real
    edit_post(
        post, lambda text: Appended(text.text + "mine\n"), root=tmp_path, action="add the entry"
    )
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == POST + "mine\n"


def test_a_clashing_temporary_name_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from studylog.post import write_atomic

    target = tmp_path / "2021-08-05-day4.md"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    # Another writer's temporary file holds the first name drawn.
    squatter = tmp_path / f".{target.name}.{'aa' * 6}.tmp"
    squatter.write_bytes(b"someone else's\n")
    draws = iter([b"\xaa" * 6, b"\xbb" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert squatter.read_bytes() == b"someone else's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, squatter.name])
