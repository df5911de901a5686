"""Drafts as jekyll-compose keeps them: `_drafts/SLUG.md`, published into the posts folder.

`studylog draft` writes one (`scaffold.create_post` with `draft=True`);
`publish_draft` moves it to `_posts/DATE-SLUG.md` with its front matter's
`date` set, changing only that value's characters (and `last_modified_at`'s),
never re-serialising the rest. `find_post_or_draft` lets `edit` and `path`
name a draft as well as a post.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from studylog.errors import (
    FrontMatterError,
    PathOutsideLogError,
    PostExistsError,
    PostNotFoundError,
    PostReadError,
    PostWriteError,
)
from studylog.log import POST_SUFFIXES, Log, PostRef, normalize_slug
from studylog.post import PostText, parse_front_matter, read_post, split_post


@dataclass(frozen=True)
class Published:
    """Where a draft went, and why `last_modified_at` was left alone, if it was."""

    draft: Path
    path: Path
    last_modified_skipped: str | None = None


def find_draft(log: Log, name: str) -> Path:
    """The draft `name` names: a slug (`_drafts/SLUG.md`) or a path to a file in `_drafts`.

    Raises:
        PostNotFoundError: no such draft, with the drafts there are.
        PathOutsideLogError: the path is not in the drafts folder (or links out of it).
    """
    from studylog.confine import is_inside  # only for a draft

    folder = log.settings.drafts_path
    if name.endswith(POST_SUFFIXES) or os.sep in name:
        typed = Path(name).expanduser()
        candidates = [typed, log.root / typed]
        found = next((path for path in candidates if path.exists()), None)
        if found is None:
            raise PostNotFoundError(f"No draft at {name}; {_drafts_there(folder)}")
        if not is_inside(found, folder) or not is_inside(found.parent, folder):
            raise PathOutsideLogError(
                f"{found} is not in the drafts folder {folder}; "
                "publish only drafts from there (`studylog draft SLUG` makes one)."
            )
        return found
    slug = normalize_slug(name)
    for suffix in POST_SUFFIXES:
        path = folder / f"{slug}{suffix}"
        if path.exists():
            if not is_inside(path, folder):
                raise PathOutsideLogError(
                    f"{path} links outside the drafts folder {folder}; make it an ordinary file."
                )
            return path
    raise PostNotFoundError(f"No draft '{name}' in {folder}; {_drafts_there(folder)}")


def _drafts_there(folder: Path) -> str:
    """The end of a not-found sentence: the drafts there are, or how to make one."""
    names = sorted(p.stem for p in folder.glob("*") if p.suffix in POST_SUFFIXES)
    if not names:
        return "make one with `studylog draft SLUG`."
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return f"the drafts are: {shown}."


def find_post_or_draft(log: Log, spec: str | None, write: bool = False) -> PostRef:
    """`Log.find_post`, but a name that is no post may also be a draft's slug or path.

    A draft's `PostRef` carries today's date (it has no date of its own).
    `write` is `Log.find_post`'s (a draft is always checked to be in `_drafts`).

    Raises:
        PostNotFoundError: neither a post nor a draft (the post's message).
        PostAmbiguousError, PathOutsideLogError: as `Log.find_post`.
    """
    try:
        return log.find_post(spec, write=write)
    except PostNotFoundError:
        if not spec:
            raise
        try:
            draft = find_draft(log, spec)
        except (PostNotFoundError, PathOutsideLogError):
            pass
        else:
            return PostRef(log.today(), draft.stem, draft)
        raise


def publish_draft(log: Log, name: str, date: dt.date, force: bool = False) -> Published:
    """Move the draft `name` to `_posts/DATE-SLUG.md`, its front matter's `date` set to `date`.

    A `last_modified_at` key is set to `date` too; a post with no front
    matter gets one holding the date. Nothing is changed when it fails.

    Raises:
        PostNotFoundError, PathOutsideLogError: no such draft (see `find_draft`).
        PostExistsError: the target exists, the slug has a post, or (without
            `force`) the date has a post already.
        FrontMatterError: the front matter is not YAML, or its `date` is not
            one plain value that can be set in place.
        PostConflictError: the draft holds conflict markers.
        PostWriteError: the draft changed meanwhile, or a folder is read-only.
        OperationInProgressError: git work is unfinished in the log's repository.
    """
    from studylog.post import locked  # only a writer takes the lock
    from studylog.unfinished import check_nothing_unfinished  # git's state only when writing

    with locked(log.root):
        check_nothing_unfinished(log.root, "publish the draft")
        return _publish(log, name, date, force)


def _publish(log: Log, name: str, date: dt.date, force: bool) -> Published:
    # Only `publish` needs these.
    from studylog.log import check_slug
    from studylog.post import check_no_conflict, write_atomic
    from studylog.scaffold import check_date_free

    draft = find_draft(log, name)
    slug = check_slug(normalize_slug(draft.stem))
    target = log.posts_path / f"{date.isoformat()}-{slug}{draft.suffix}"
    if target.exists():
        raise PostExistsError(
            f"{target} already exists, so the draft was not published; "
            "pick another --date or rename the draft."
        )
    files = log.post_files()
    existing = log.find_slug(slug, files)
    if existing is not None:
        raise PostExistsError(
            f"A post for '{slug}' already exists ({existing.path}); rename the draft, "
            "as a slug names one post."
        )
    if not force:
        check_date_free(date, files)
    log.check_inside_posts(target)
    post = read_post(draft)
    check_no_conflict(post)
    text, skipped = _dated_text(post, date)
    try:
        write_atomic(target, post.encode(text), exclusive=True)
    except FileExistsError as err:
        raise PostExistsError(
            f"{target} appeared while publishing, so the draft was not published; "
            "pick another --date."
        ) from err
    # The draft is removed only if it is still what was read (an editor may
    # have saved it meanwhile; editors take no lock): else the post is undone.
    try:
        again = read_post(draft)
        unchanged = (again.text, again.bom) == (post.text, post.bom)
        if unchanged:
            draft.unlink()
    except OSError as err:
        target.unlink(missing_ok=True)
        raise PostWriteError(
            f"Can't remove the draft {draft} ({err.strerror}), so it was not published; "
            "check the drafts folder's permissions."
        ) from err
    except PostReadError as err:
        target.unlink(missing_ok=True)
        raise PostWriteError(
            f"The draft {draft} went away while it was being published; nothing was "
            "published, check it and run `studylog publish` again."
        ) from err
    if not unchanged:
        target.unlink(missing_ok=True)
        raise PostWriteError(
            f"The draft {draft} changed while it was being published; nothing was "
            "published, run `studylog publish` again."
        )
    return Published(draft, target, skipped)


def _dated_text(post: PostText, date: dt.date) -> tuple[str, str | None]:
    """The draft's text (no BOM) with `date` (and `last_modified_at`) set to `date`.

    Raises:
        FrontMatterError: not YAML, or `date` can't be set in place.
    """
    # Only `publish` sets a date.
    from studylog.last_modified import KEY, set_date_in_place, set_last_modified

    newline = post.newline
    if post.front_matter is None:
        return f"---{newline}date: {date.isoformat()}{newline}---{newline}{post.text}", None
    mapping = parse_front_matter(post)
    front_matter = post.front_matter
    if "date" in mapping:
        update = set_date_in_place(front_matter, mapping, "date", date)
        if update.skipped is not None:
            raise FrontMatterError(
                f"{post.path}: its date can't be set because {update.skipped}; "
                f"write `date: {date.isoformat()}` on one line and publish again."
            )
        front_matter = update.front_matter
    else:
        if front_matter and not front_matter.endswith("\n"):
            front_matter += newline
        front_matter += f"date: {date.isoformat()}{newline}"
    end = post.front_matter_start + len(post.front_matter)
    text = post.text[: post.front_matter_start] + front_matter + post.text[end:]
    dated = split_post(post.path, text)
    new_mapping = parse_front_matter(dated)
    if new_mapping.get("date") not in (date, date.isoformat()) or {
        k: v for k, v in new_mapping.items() if k != "date"
    } != {k: v for k, v in mapping.items() if k != "date"}:
        raise FrontMatterError(
            f"{post.path}: adding `date:` would change other keys of its front matter; "
            f"write `date: {date.isoformat()}` in it and publish again."
        )
    if KEY not in new_mapping:
        return text, None
    assert dated.front_matter is not None  # it was just written
    update = set_last_modified(dated.front_matter, new_mapping, date)
    end = dated.front_matter_start + len(dated.front_matter)
    return text[: dated.front_matter_start] + update.front_matter + text[end:], update.skipped
