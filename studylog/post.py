"""One post on disk: the one reader, its front matter, and the atomic write under a lock.

A post is kept as the bytes it was read from. Edits are made on the text
and written back with the same BOM and line endings; the front matter is
never re-serialised, so every byte the user wrote stays as it was.

The front matter is read two ways: `parse_front_matter` parses it as
YAML (for a write, which must not break it; the plain shapes posts use
without PyYAML, see `plain_front_matter`), and `summarize_front_matter`
reads `title`, `date` and the top-level keys with one regex, which is what
`list` can afford on 10,000 posts.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol, TypeVar

from studylog.confine import NotRegularFileError, read_regular
from studylog.errors import FrontMatterError, PostConflictError, PostReadError, PostWriteError

BOM = "\ufeff"
_FM_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


class PostText(NamedTuple):
    """A post's text as read, with what it takes to write it back identically.

    `text` has the BOM removed but line endings kept as they are in the file.
    `body_start` is the offset in `text` where the body begins (after the
    closing front-matter fence line); `front_matter` is the text between the
    fences, or None when the post has none.

    The records here are NamedTuples, not dataclasses: every writing command
    loads this module, and `commit` before git starts; without them it needs
    neither `dataclasses` nor `inspect` (~5 ms) there.
    """

    path: Path
    text: str
    bom: bool
    newline: str
    front_matter: str | None
    front_matter_start: int
    body_start: int

    @property
    def body(self) -> str:
        """The text after the front matter."""
        return self.text[self.body_start :]

    def encode(self, text: str) -> bytes:
        """Bytes for `text` with this post's BOM."""
        return ((BOM if self.bom else "") + text).encode("utf-8")


def read_post(path: Path, strict: bool = True) -> PostText:
    """Read a post's text and locate its front matter: the one reader of post files.

    Without `strict`, bytes that are not UTF-8 become U+FFFD instead of an
    error: read commands keep going past one bad file (`check` reports it).

    Raises:
        PostReadError: missing, a folder, unreadable, or (with `strict`) not UTF-8.
    """
    raw = read_post_bytes(path)
    if not strict:
        return split_post(path, raw.decode("utf-8", errors="replace"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PostReadError(
            f"{path} is not UTF-8 text (byte {err.start}); save it as UTF-8 and try again."
        ) from err
    return split_post(path, text)


def read_post_bytes(path: Path) -> bytes:
    """A post file's bytes as stored (BOM included), for a byte-level prefilter like search's.

    Raises:
        PostReadError: missing, a folder, not a regular file, or unreadable.
    """
    try:
        return read_regular(path)
    except NotRegularFileError as err:
        if path.is_dir():
            raise PostReadError(f"{path} is a folder, not a post; name a .md file.") from err
        raise PostReadError(
            f"{path} is not an ordinary file (a FIFO, device or socket); remove it."
        ) from err
    except FileNotFoundError as err:
        raise PostReadError(f"{path} does not exist; `studylog list` shows the posts.") from err
    except OSError as err:
        raise PostReadError(f"Can't read {path} ({err.strerror}); check its permissions.") from err


def split_front_matter(text: str) -> tuple[str | None, int]:
    """The front-matter text (between the fences) and the offset where the body starts.

    Returns `(None, 0)` for a text without front matter (or without a
    closing fence), `(None, 1)` when it starts with a BOM. Two regex
    searches, no split into lines: `list` runs this on every post.
    """
    opening = _FM_OPEN.match(text)
    if opening is None:
        return None, 1 if text.startswith(BOM) else 0
    close = _FM_CLOSE.search(text, opening.end())
    if close is None:
        return None, 1 if text.startswith(BOM) else 0
    body = close.end()
    if text.startswith("\r\n", body):
        body += 2
    elif text.startswith("\n", body):
        body += 1
    return text[opening.end() : close.start()], body


def split_post(path: Path, text: str) -> PostText:
    """Split decoded text into BOM, front matter and body."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    front_matter: str | None = None
    fm_start = body_start = 0
    if not text.startswith(BOM):  # a second BOM is text: no front matter follows it
        front_matter, body_start = split_front_matter(text)
        # The front matter starts on the line after the opening fence.
        fm_start = 0 if front_matter is None else text.index("\n") + 1
    return PostText(path, text, bom, newline, front_matter, fm_start, body_start)


_CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _is_marker(line: str, sign: str) -> bool:
    return line.startswith(sign * 7) and (len(line) == 7 or line[7] in " \t")


def conflict_marker_line(text: str) -> int | None:
    """The line (1-based) where git's conflict markers start, or None when there are none.

    A conflict is a `<<<<<<<` line, then a `=======` line, then a `>>>>>>>`
    line, at the margin and outside fenced code (a post about git may show
    markers in a code block).
    """
    if "<<<<<<<" not in text:
        return None
    fence: str | None = None
    state = 0
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if fence is not None:
            if line.lstrip(" ").startswith(fence):
                fence = None
            continue
        opening = _CODE_FENCE.match(line)
        if opening:
            fence = opening[1]
        elif state == 0 and _is_marker(line, "<"):
            state, start = 1, number
        elif state == 1 and line.rstrip(" \t") == "=" * 7:
            state = 2
        elif state == 2 and _is_marker(line, ">"):
            return start
    return None


def check_no_conflict(post: PostText) -> None:
    """Raise PostConflictError when the post holds git's conflict markers."""
    line = conflict_marker_line(post.text)
    if line is not None:
        raise PostConflictError(
            f"{post.path} holds git's conflict markers (line {line}); resolve the conflict "
            "there, or undo it with `git rebase --abort` (or `git merge --abort`), then try again."
        )


class FrontMatterSummary(NamedTuple):
    """The few front-matter values a listing needs, read without a YAML parse.

    Values are the text as written (quotes removed); None when the key is
    missing or holds something that isn't a one-line scalar.
    """

    title: str | None = None
    date: str | None = None
    keys: tuple[str, ...] = ()


# A top-level `key: value` line: the one pattern for `title`, `date` and the rest.
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?$", re.MULTILINE)


def find_key(front_matter: str | None, key: str) -> re.Match[str] | None:
    """The first top-level `key:` line of the front matter (group 2 is its raw value)."""
    for match in _TOP_KEY.finditer(front_matter or ""):
        if match[1] == key:
            return match
    return None


def front_matter_title(front_matter: str | None) -> str | None:
    """The front-matter title, if it is a one-line value (see `summarize_front_matter`)."""
    match = find_key(front_matter, "title")
    return scalar_text(match[2]) if match else None


def summarize_front_matter(front_matter: str | None) -> FrontMatterSummary:
    """Read `title`, `date` and the top-level keys with a regex, not a YAML parse."""
    if not front_matter:
        return FrontMatterSummary()
    values: dict[str, str | None] = {}
    keys: list[str] = []
    for match in _TOP_KEY.finditer(front_matter):
        key = match[1]
        keys.append(key)
        if key in ("title", "date") and key not in values:
            values[key] = scalar_text(match[2])
    return FrontMatterSummary(values.get("title"), values.get("date"), tuple(keys))


def scalar_text(raw: str | None) -> str | None:
    """A one-line YAML scalar as text; None for block scalars, flows and empties."""
    if raw is None:
        return None
    value = raw.strip()
    if not value or value[0] in "|>[{&*!":
        return None
    if value[0] == '"':
        end = value.rfind('"')
        if end <= 0:
            return None
        inner = value[1:end]
        if "\\" in inner:
            # json only for the rare value that needs it.
            import json

            try:
                decoded: str = json.loads(f'"{inner}"')
                return decoded
            except ValueError:
                return inner
        return inner
    if value[0] == "'":
        end = value.rfind("'")
        if end <= 0:
            return None
        return value[1:end].replace("''", "'")
    # A plain scalar ends before " #" (a YAML comment).
    comment = value.find(" #")
    if comment >= 0:
        value = value[:comment].rstrip()
    return value or None


def yaml_loader() -> Any:
    """The YAML loader for front matter: safe, and libyaml's when PyYAML has it.

    libyaml gives the same mappings for all 152 corpus posts, ~10x faster
    (0.1 ms a post instead of 1.1 ms).
    """
    # PyYAML only where YAML is read (TID253: ~10 ms at start-up).
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_front_matter(post: PostText) -> dict[str, Any]:
    """The front matter as a mapping (an empty one parses to {}).

    Raises:
        FrontMatterError: no front matter, not YAML (with the line), or not a mapping.
    """
    if post.front_matter is None:
        raise FrontMatterError(
            f"{post.path} has no front matter; start it with a '---' block holding the title."
        )
    # The plain shapes posts use are read without PyYAML (~10 ms to import).
    from studylog.plain_front_matter import load

    plain = load(post.front_matter)
    if plain is not None:
        return plain
    # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
    import yaml

    try:
        data = yaml.load(post.front_matter, Loader=yaml_loader())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        # +2: the opening fence is line 1 of the file.
        line = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise FrontMatterError(
            f"{post.path}: the front matter is not valid YAML{line} ({problem}); fix that line."
        ) from err
    except (ValueError, OverflowError, AttributeError, TypeError) as err:
        # PyYAML parses `date: 2021-02-30` or `!!timestamp 99999-01-01` and then
        # fails building the value, with a plain Python error.
        raise FrontMatterError(
            f"{post.path}: the front matter has a value YAML can't build ({err}), "
            "such as a date that does not exist; fix it."
        ) from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"{post.path}: the front matter must be 'key: value' lines.")
    return data


def _is_writable(path: Path) -> bool:
    # root passes os.access for every file, so a file or folder whose write
    # bits are all off counts as read-only too: the user marked it so.
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def check_writable(path: Path) -> None:
    """Raise PostWriteError unless `path` (if it exists) and its folder are writable."""
    folder = path.parent
    if not folder.is_dir():
        raise PostWriteError(f"The folder {folder} does not exist; run `studylog init`.")
    if not _is_writable(folder):
        raise PostWriteError(f"The folder {folder} is read-only; make it writable and try again.")
    if path.exists() and not _is_writable(path):
        raise PostWriteError(f"{path} is read-only; make it writable and try again.")


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (flock on the folder itself).

    Locking the folder rather than the file leaves no lock file behind for
    Jekyll to publish, and survives the file being replaced by os.replace.
    Every command that writes in a log (entries, `new`, `commit`, `sync`)
    locks the log's root folder, so they run one at a time. The lock is not
    re-entrant: a process holding it must not take it again.
    """
    # fcntl only when a lock is taken.
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def lock_busy(folder: Path) -> bool:
    """True when another process holds `folder`'s lock (so `locked` would wait)."""
    # fcntl only when a lock is tried.
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Replace `path` with `data`: temp file in the same folder, fsync, rename.

    A process killed at any moment leaves either the old file or the new one.
    With `exclusive`, fail instead of replacing a file that exists.

    Raises:
        PostWriteError: the folder or file is read-only, or the disk refused.
    """
    check_writable(path)
    _replace_atomically(path, data, exclusive)


def _replace_atomically(path: Path, data: bytes, exclusive: bool = False) -> None:
    """`write_atomic` without the writability check, for a caller that made it."""
    with _atomic_file(path, exclusive) as handle:
        handle.write(data)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write `path`'s new content into, piece by piece; it replaces `path` at the end.

    The same temporary file, fsync and rename as `write_atomic`, for a
    writer that streams (an export of 10,000 posts): a failure on the way
    leaves `path` as it was.

    Raises:
        PostWriteError: the folder or file is read-only, or the disk refused.
    """
    check_writable(path)
    with _atomic_file(path) as handle:
        yield handle


@contextmanager
def _atomic_file(path: Path, exclusive: bool = False) -> Iterator[BinaryIO]:
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    try:
        fd, tmp = _temporary_beside(path)
    except OSError as err:
        raise PostWriteError(f"Can't write in {path.parent} ({err.strerror}).") from err
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if exclusive:
            # link() fails if the name exists: no race with another `new`.
            os.link(tmp, path)
            tmp.unlink()
        else:
            os.replace(tmp, path)
        _fsync_folder(path.parent)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise PostWriteError(f"Can't write {path} ({err.strerror}).") from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temporary_beside(path: Path) -> tuple[int, Path]:
    """A new hidden file `.NAME.RANDOM.tmp` in `path`'s folder, open for writing, mode 0600.

    What `tempfile.mkstemp` does (an exclusive create that follows no
    symlink, another name on a clash), without importing tempfile: it pulls
    in shutil, random, bz2 and lzma, ~3 ms of every `add-question`.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue  # 48 random bits clashed: draw again, as mkstemp does
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PostEdit(Protocol):
    """What an edit of a post gives: at least the post's new text (BOM excluded)."""

    @property
    def text(self) -> str:
        """The whole new text of the post."""
        ...


EditT = TypeVar("EditT", bound=PostEdit)


def read_post_for_edit(path: Path) -> PostText:
    """Read a post that is to be edited, and check it once: before any value is asked for.

    The file is read strictly, its front matter parsed as YAML (an edit
    must not be written into a post Jekyll can't read) and the file and its
    folder checked writable. A symlinked post is read and later written at
    the file it points to, so the link stays a link.

    Raises:
        PostReadError, FrontMatterError, PostWriteError: what is wrong with it.
        PostConflictError: the post holds git's conflict markers (an entry
            added below them would be lost or duplicated when they are resolved).
    """
    real = path.resolve() if path.is_symlink() else path
    post = read_post(real)
    check_no_conflict(post)
    parse_front_matter(post)
    check_writable(real)
    return post


def edit_post(
    post: PostText, edit: Callable[[PostText], EditT], *, root: Path, action: str
) -> EditT:
    """Apply `edit` to a post read by `read_post_for_edit`, and write the result.

    The one write path of a post edit. `edit` is a function of the post's
    text alone (it may raise, and then nothing is written); it runs before
    the lock is taken. The lock is the writers' lock on the log's `root`
    folder, the one `sync` and `commit` hold for their whole run, so an
    entry never lands in the middle of a sync's rebase. Under it, nothing
    may be unfinished in the log's git repository (`action` names the
    command in the advice), and just before the write the file must still
    hold the bytes `post` was read from (compare-and-swap): if another
    writer changed it in the meantime (a second `add-question`, an editor's
    save, a sync's pull), the post is read and checked again and `edit`
    applied to what is there now, so the other change is kept.

    Raises:
        OperationInProgressError: a rebase, merge, cherry-pick or revert is
            under way, or a sync was interrupted; nothing is written.

    Returns:
        The result of the edit that was written (or that changed nothing).
    """
    # Only a write checks git's state.
    from studylog.unfinished import check_nothing_unfinished

    result = edit(post)
    with locked(root):
        # Checked under the lock: a sync killed while this command waited
        # for it may have left its rebase behind.
        check_nothing_unfinished(root, action)
        try:
            unchanged = read_regular(post.path) == post.encode(post.text)
        except (OSError, NotRegularFileError):
            unchanged = False  # read_post_for_edit says what is wrong
        if not unchanged:
            post = read_post_for_edit(post.path)
            result = edit(post)
        if result.text != post.text:
            # The commit journal only when a post is written.
            from studylog.journal import record_write, stamp_before_write

            before = stamp_before_write(post.path)
            _replace_atomically(post.path, post.encode(result.text))
            record_write(root, post.path, before, post.text)
    return result
