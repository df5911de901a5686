"""The commit journal: the posts studylog wrote since its last commit, so `commit` needn't scan.

`studylog commit` used to run `git status` (to find the changed posts) and
`git cat-file` (their text at HEAD, to count the questions they gained)
before `git commit`: three git processes, each reading the whole index of
a 20,000-file repository. The writers (`new`, `add-*`, `answer`) already
know which post they changed and what it held before, so they note it here,
under the writers' lock, and `commit` reads the note instead.

The journal is `studylog-journal` in the work tree's git folder. A commit
that leaves the posts and the log's set-up files committed (the default
`commit`, or `--all`) starts a fresh one: HEAD's commit, the moment the
commit began (`since`), and the `stat` of the index, of the posts folders
and of the set-up files. From then on each write adds the post's new
`stat`, whether it was added or modified, and, on its first change, the
text it held (which is HEAD's text, as the post was committed).

It is a shortcut, never the truth: `commit` uses it only when everything
still agrees with it (the same HEAD and index, no post folder or set-up
file changed, every post that changed after `since` written by studylog
and untouched since). Anything else (a post edited by hand, a commit or
`git add` made outside studylog, a journal that is missing, damaged or
from another version) and `commit` scans with `git status` as before; the
journal is then started afresh. It is written without fsync: losing it
costs one scan, never a wrong commit.

Left to the scan by design, not seen by the journal: a `.md` file edited in
place in a hidden folder (`_posts/.drafts/`), which the post walker skips.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from studylog.config import RACY_NS, Settings
from studylog.log import walk_post_files
from studylog.unfinished import find_git_dir

JOURNAL_NAME = "studylog-journal"
VERSION = 1
PENDING = b"pending\n"

# A file's identity and content stamp: size, mtime, ctime, inode. ctime
# changes with any write (it can't be set back by `touch -d` or `cp -p`).
StatKey = tuple[int, int, int, int]
# Stored where a stamp was taken while the file may still have been changing:
# it never matches, so the next `commit` scans.
UNSURE: StatKey = (-1, -1, -1, -1)
# An environment that points git elsewhere is git's business: no journal.
_GIT_ENVIRONMENT = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


def stat_key(path: str | Path) -> StatKey | None:
    """The stamp of `path` (symlinks followed), or None when it doesn't exist."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _fine(key: StatKey | None) -> bool:
    # A file system that keeps whole seconds (or milliseconds) can change a
    # file twice within one timestamp: such stamps prove nothing.
    return key is None or key[1] % 1_000_000 != 0


def git_folder(root: Path) -> tuple[Path, Path] | None:
    """(work tree's top, git folder) of the repository holding `root`, or None for no journal."""
    if any(name in os.environ for name in _GIT_ENVIRONMENT):
        return None
    return find_git_dir(root)


def head_commit(git_dir: Path) -> str | None:
    """HEAD's commit id, read from the ref files (None: detached, unborn or unreadable)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        common = git_dir
        if (git_dir / "commondir").is_file():
            common = git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not head.startswith("ref: refs/heads/"):
        return None
    ref = head[len("ref: ") :]
    value: str | None
    try:
        value = (common / ref).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        value = _packed_ref(common, ref)
    except (OSError, UnicodeDecodeError):
        return None
    if value is None or len(value) not in (40, 64) or value.startswith("ref:"):
        return None
    return value


def _packed_ref(common: Path, ref: str) -> str | None:
    try:
        lines = (common / "packed-refs").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        value, _, name = line.partition(" ")
        if name == ref:
            return value
    return None


# --- reading and writing the journal ----------------------------------------------


def _journal_path(git_dir: Path) -> Path:
    return git_dir / JOURNAL_NAME


def load(git_dir: Path) -> dict[str, Any] | None:
    """The journal, or None when it is missing, pending, damaged or of another version."""
    # marshal and zlib only where a journal is read or written.
    import marshal
    import zlib

    try:
        data = _journal_path(git_dir).read_bytes()
    except OSError:
        return None
    if len(data) < 4 or zlib.crc32(data[4:]).to_bytes(4, "big") != data[:4]:
        return None
    try:
        journal = marshal.loads(data[4:])
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(journal, dict) or journal.get("version") != VERSION:
        return None
    return journal


def _save(git_dir: Path, journal: dict[str, Any] | None) -> int:
    """Write the journal (None: the pending mark); returns its new mtime in ns."""
    # marshal and zlib only where a journal is read or written.
    import marshal
    import zlib

    if journal is None:
        data = PENDING
    else:
        body = marshal.dumps(journal)
        data = zlib.crc32(body).to_bytes(4, "big") + body
    path = _journal_path(git_dir)
    # One fixed temporary name: every writer holds the writers' lock.
    temporary = path.with_name(JOURNAL_NAME + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        written = os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return written


def drop(git_dir: Path) -> None:
    """Forget the journal: the next `commit` scans."""
    try:
        _journal_path(git_dir).unlink(missing_ok=True)
    except OSError:
        pass


# --- what the log looks like now --------------------------------------------------


def _setup_files(settings: Settings) -> dict[str, StatKey | None]:
    """The stamps of `.studylog.yml`, `.gitattributes` and everything in the templates folder."""
    # config's names only where the set-up is stamped.
    from studylog.config import CONFIG_NAME

    root = settings.root
    found = {
        os.fspath(root / name): stat_key(root / name) for name in (CONFIG_NAME, ".gitattributes")
    }
    templates = settings.templates_path
    if templates.resolve() == root.resolve():
        return found
    stack = [os.fspath(templates)]
    found[stack[0]] = stat_key(stack[0])
    while stack:
        try:
            with os.scandir(stack.pop()) as scan:
                entries = list(scan)
        except OSError:
            continue
        for entry in entries:
            found[entry.path] = stat_key(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return found


def _scan_posts(settings: Settings) -> tuple[dict[str, StatKey], dict[str, StatKey]]:
    """(folder -> stamp, post -> stamp) for the posts folder, as the post walker sees it."""
    folders: dict[str, StatKey] = {}
    posts: dict[str, StatKey] = {}
    top = os.fspath(settings.posts_path)
    key = stat_key(top)
    if key is not None:
        folders[top] = key
    for folder, entry in walk_post_files(settings.posts_path):
        if folder not in folders:
            key = stat_key(folder)
            if key is not None:
                folders[folder] = key
        key = stat_key(entry.path)
        if key is not None:
            posts[entry.path] = key
    return folders, posts


def _index_key(git_dir: Path) -> StatKey | None:
    return stat_key(git_dir / "index")


# --- commit's side ----------------------------------------------------------------


class Snapshot:
    """The log as a commit found it: its start mark and the stamps it read.

    `changes` holds the journal's posts (path, 'added' or 'modified', the
    text at HEAD) when the journal agreed with the log, else None: scan.
    """

    def __init__(
        self,
        git_dir: Path,
        posts_path: str,
        since: int,
        folders: dict[str, StatKey],
        posts: dict[str, StatKey],
        setup: dict[str, StatKey | None],
        changes: list[tuple[str, str, str | None]] | None,
    ) -> None:
        self.git_dir = git_dir
        self.posts_path = posts_path
        self.since = since
        self.folders = folders
        self.posts = posts
        self.setup = setup
        self.changes = changes


def begin_commit(settings: Settings, git_dir: Path) -> Snapshot:
    """Mark a commit as begun (the journal is pending until `end_commit`) and read the log.

    Call it under the writers' lock, before anything looks at the posts: an
    edit after this moment is newer than `since`, so the next commit sees it.
    """
    journal = load(git_dir)
    since = _save(git_dir, None)
    folders, posts = _scan_posts(settings)
    setup = _setup_files(settings)
    changes = None
    if journal is not None:
        changes = _agreeing_changes(journal, git_dir, settings, folders, posts, setup)
    return Snapshot(git_dir, os.fspath(settings.posts_path), since, folders, posts, setup, changes)


def _agreeing_changes(
    journal: dict[str, Any],
    git_dir: Path,
    settings: Settings,
    folders: dict[str, StatKey],
    posts: dict[str, StatKey],
    setup: dict[str, StatKey | None],
) -> list[tuple[str, str, str | None]] | None:
    """The journal's changed posts when the log agrees with it in every stamp, else None."""
    if journal.get("posts_path") != os.fspath(settings.posts_path):
        return None
    if journal.get("head") != head_commit(git_dir) or journal.get("head") is None:
        return None
    if journal.get("index") != _index_key(git_dir) or journal.get("setup") != setup:
        return None
    recorded_folders: dict[str, StatKey] = journal["folders"]
    for folder, key in recorded_folders.items():
        if (folders[folder] if folder in folders else stat_key(folder)) != key:
            return None  # a file was added, removed or renamed in it
    if any(folder not in recorded_folders for folder in folders):
        return None
    recorded: dict[str, tuple[StatKey, str, str | None]] = journal["posts"]
    clean_before = journal["since"] - RACY_NS
    for path, key in posts.items():
        entry = recorded.get(path)
        if entry is not None:
            if entry[0] != key:
                return None  # changed after studylog wrote it
        elif key[2] >= clean_before:
            return None  # changed, and not by studylog
    if any(path not in posts for path in recorded):
        return None
    return [(path, kind, text) for path, (_, kind, text) in recorded.items() if kind != "clean"]


def end_commit(snapshot: Snapshot) -> None:
    """Start a fresh journal after a commit that left every post and set-up file committed.

    Posts older than `since` (less the racy margin) need no entry: the
    commit saw them as they are. A stamp that changed while the commit ran,
    or that a coarse clock can't vouch for, is stored as UNSURE, so the
    next commit scans.
    """
    git_dir = snapshot.git_dir
    head = head_commit(git_dir)
    if head is None:
        return
    setup = {
        name: before if stat_key(name) == before and _fine(before) else UNSURE
        for name, before in snapshot.setup.items()
    }
    folders = {
        folder: key if stat_key(folder) == key and _fine(key) else UNSURE
        for folder, key in snapshot.folders.items()
    }
    recent = snapshot.since - RACY_NS
    posts: dict[str, tuple[StatKey, str, str | None]] = {}
    for path, before in snapshot.posts.items():
        if before[2] >= recent:
            stable = stat_key(path) == before and _fine(before)
            posts[path] = (before if stable else UNSURE, "clean", None)
    journal = {
        "version": VERSION,
        "posts_path": snapshot.posts_path,
        "head": head,
        "since": snapshot.since,
        "index": _index_key(git_dir),
        "setup": setup,
        "folders": folders,
        "posts": posts,
    }
    _save(git_dir, journal)


# --- the writers' side -------------------------------------------------------------


def stamp_before_write(path: Path) -> tuple[StatKey | None, StatKey | None]:
    """(the post's stamp, its folder's stamp) just before a writer replaces or creates it."""
    return stat_key(path), stat_key(path.parent)


def record_write(
    root: Path,
    path: Path,
    before: tuple[StatKey | None, StatKey | None],
    old_text: str | None,
) -> None:
    """Note that studylog wrote `path` (under the writers' lock, right after the write).

    `before` is `stamp_before_write(path)`; `old_text` what the post held
    (None for a new post). When the post or its folder changed in a way
    studylog didn't write (an edit by hand, a file added beside it), the
    journal is dropped instead, and the next commit scans.
    """
    found = git_folder(root)
    if found is None:
        return
    git_dir = found[1]
    journal = load(git_dir)
    if journal is None:
        return
    if not _record(journal, path, before, old_text):
        drop(git_dir)
        return
    try:
        _save(git_dir, journal)
    except OSError:
        drop(git_dir)


def _record(
    journal: dict[str, Any],
    path: Path,
    before: tuple[StatKey | None, StatKey | None],
    old_text: str | None,
) -> bool:
    """Add the write to `journal`; False when the journal no longer describes the log.

    Only a folder the journal holds (one the post walker found under the
    posts folder when the journal began) can take a post.
    """
    file_before, folder_before = before
    # The walker's spelling: absolute (a `--post _posts/x.md` given from the log's folder too).
    key = os.path.abspath(path)
    folder = os.path.dirname(key)
    folders: dict[str, StatKey] = journal["folders"]
    if folder_before is None or folders.get(folder) != folder_before:
        return False  # another file came or went in the folder
    posts: dict[str, tuple[StatKey, str, str | None]] = journal["posts"]
    entry = posts.get(key)
    if entry is not None:
        if entry[0] != file_before:
            return False  # edited by hand since studylog last wrote it
        kind, text = entry[1], entry[2]
        if kind == "clean":
            kind, text = "modified", old_text
    elif file_before is None:
        kind, text = "added", None
    elif file_before[2] < journal["since"] - RACY_NS:
        kind, text = "modified", old_text
    else:
        return False  # changed after the last commit, and not by studylog
    if kind == "modified" and text is None:
        return False
    after, folder_after = stat_key(path), stat_key(folder)
    if after is None or folder_after is None or not (_fine(after) and _fine(folder_after)):
        return False
    posts[key] = (after, kind, text)
    folders[folder] = folder_after
    return True
