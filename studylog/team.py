"""The study group: the teammates' blogs (`team pull`), read together (`digest`, `new --from`).

Each teammate under `team:` in `.studylog.yml` keeps their own blog in their
own git repository. `pull_team` keeps a copy of each in studylog's cache
folder: a bare, shallow clone (`git clone --bare --depth 1`, then
`git fetch --depth 1`), so nothing is ever checked out. Their posts are read
as blobs (`git ls-tree`, `git cat-file`) from the posts folder only: no
`.gitattributes` filter or driver of theirs runs, and no template, hook or
setting of theirs is executed. Their `.studylog.yml` is read as data for
the three things needed to read their posts (profile, posts folder,
sections and entry formats) and nothing else.

Every git process runs with the hooks folder pointed at an empty folder, no
`ext::` transport, no submodules and no terminal prompt, so a pull can't run
anything a teammate (or a hostile URL) put in their repository, and can't
hang on a password question.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from studylog.config import Settings, TeamMember, cache_folder, settings_from_mapping
from studylog.errors import (
    PostNotFoundError,
    StudylogError,
    TeamBlogError,
    TeamMemberError,
)
from studylog.log import Log, filter_posts, in_window, post_ref
from studylog.markdown.extraction import QuestionEntry, read_entries
from studylog.markdown.headings import matcher_for
from studylog.post import read_post, split_front_matter

PEER = "peer"
# How long one git process may take before the member counts as failed:
# long enough for a slow first clone, short enough that a dead host ends.
GIT_TIMEOUT = 300
# The keys of a teammate's `.studylog.yml` that say how to read their posts.
_READING_KEYS = ("profile", "posts_dir", "sections", "formats")
SELF_NAME = "me"


# --- members and their cached copies ---------------------------------------------


def _require_team(settings: Settings) -> None:
    if not settings.team:
        raise TeamMemberError(
            "No team in .studylog.yml; add `team:` with a `- name:` and `repo:` per teammate."
        )


def find_member(settings: Settings, name: str) -> TeamMember:
    """The teammate called `name` under `team:`.

    Raises:
        TeamMemberError: no `team:` in `.studylog.yml`, or no member of that name.
    """
    _require_team(settings)
    wanted = unicodedata.normalize("NFC", name).strip()
    for member in settings.team:
        if unicodedata.normalize("NFC", member.name) == wanted:
            return member
    names = ", ".join(member.name for member in settings.team)
    raise TeamMemberError(
        f"No teammate '{name}' under team: in .studylog.yml; the team is {names}."
    )


def _is_local(repo: str) -> bool:
    # git's own rule: "host:path" (scp-like) or "scheme://" is remote; a colon
    # after a slash (`./a:b`) is a path.
    if "://" in repo:
        return False
    colon = repo.find(":")
    return colon < 0 or "/" in repo[:colon]


def repo_location(member: TeamMember, root: Path) -> str:
    """The repository as git is given it; a relative path is taken from the log's folder."""
    if _is_local(member.repo):
        return str((root / Path(member.repo).expanduser()).resolve())
    return member.repo


def _same_repository(url: str, other: str) -> bool:
    def plain(value: str) -> str:
        value = value.strip().rstrip("/")
        value = value.removeprefix("file://")
        return value.removesuffix(".git").rstrip("/").lower()

    return plain(url) == plain(other)


def _origin_url(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "config", "--get", "remote.origin.url"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def self_member(settings: Settings) -> TeamMember | None:
    """The entry under `team:` that is this log itself (its folder, or its `origin` URL).

    Teams share one list, so each member's own blog is usually in it; it
    names the writer in a digest and is never pulled.
    """
    root = settings.root.resolve()
    origin: str | None = None
    for member in settings.team:
        if _is_local(member.repo):
            if Path(repo_location(member, root)) == root:
                return member
            continue
        if origin is None:
            origin = _origin_url(root) or ""
        if origin and _same_repository(member.repo, origin):
            return member
    return None


def teammates(settings: Settings) -> list[TeamMember]:
    """The members under `team:` other than this log's writer, in the file's order."""
    me = self_member(settings)
    return [member for member in settings.team if member != me]


def team_cache() -> Path:
    """The folder of the teammates' cached repositories."""
    return cache_folder() / "team"


def member_cache(member: TeamMember, root: Path) -> Path:
    """The cached bare repository of a member, named by a hash of the repository's location.

    Keyed by location, not name: renaming a member keeps the copy, and a
    changed `repo` starts a fresh one.
    """
    # hashlib (OpenSSL) only when a teammate's cache is named.
    import hashlib

    key = hashlib.sha256(repo_location(member, root).encode("utf-8")).hexdigest()[:20]
    return team_cache() / f"{key}.git"


# --- running git safely ----------------------------------------------------------


def _empty_folder() -> Path:
    folder = team_cache() / "empty"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    # Never ask for a password or a host key on a terminal nobody watches:
    # a member that needs one fails with "no access" instead of hanging.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GCM_INTERACTIVE"] = "never"
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        env.pop(name, None)
    return env


def _git(
    args: Sequence[str], cwd: Path | None = None, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    empty = _empty_folder()
    command = [
        "git",
        "-c",
        f"core.hooksPath={empty}",
        "-c",
        "protocol.ext.allow=never",
        "-c",
        "submodule.recurse=false",
        "-c",
        "core.fsmonitor=false",
        *args,
    ]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            input=input,
            capture_output=True,
            env=_git_env(),
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except FileNotFoundError as err:
        raise TeamBlogError(
            "The `git` program is not installed; install git and try again."
        ) from err
    except subprocess.TimeoutExpired as err:
        raise TeamBlogError(f"git took more than {GIT_TIMEOUT} s and was stopped.") from err


def _fetch_problem(name: str, repo: str, stderr: bytes) -> str:
    """One sentence for a failed clone or fetch, from git's message."""
    text = stderr.decode("utf-8", errors="replace")
    low = text.lower()
    if "couldn't find remote ref head" in low:
        return f"{name}: {repo} has no commits yet, so there is nothing to read."
    if any(
        sign in low
        for sign in (
            "permission denied",
            "authentication failed",
            "could not read username",
            "could not read password",
            "terminal prompts disabled",
            "403",
        )
    ):
        return f"{name}: no access to {repo}; check your credentials or ask {name} to share it."
    if any(
        sign in low
        for sign in (
            "does not appear to be a git repository",
            "repository not found",
            "not found",
            "does not exist",
            "no such file or directory",
        )
    ):
        return f"{name}: no repository at {repo}; check `repo` under team: in .studylog.yml."
    if any(sign in low for sign in ("could not resolve host", "unable to access", "connection")):
        return f"{name}: can't reach {repo}; check the network and the URL."
    last = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")
    return f"{name}: git could not fetch {repo} ({last or 'no message'})."


# --- a pulled blog, read from git's objects ----------------------------------------


@dataclass(frozen=True)
class TeamPost:
    """One of a teammate's posts: where it is in their repository, and its text."""

    member: str
    date: dt.date
    slug: str
    path: str
    text: str


class PostBlob(NamedTuple):
    """A post in a teammate's repository, known by its name and its blob, not yet read."""

    date: dt.date
    slug: str
    path: str
    blob: str


# Regular files (plain and executable); not symlinks (120000) or submodules (160000).
_FILE_MODES = (b"100644", b"100755")
# A post is a page of text; a bigger blob in the posts folder is no post to read.
MAX_POST_BYTES = 4_000_000


@dataclass(frozen=True)
class PulledBlog:
    """A teammate's blog as last pulled: the commit read and how to read its posts."""

    member: TeamMember
    git_dir: Path
    commit: str
    settings: Settings

    def post_paths(self) -> list[PostBlob]:
        """Every post in the posts folder (subfolders too), oldest first.

        Only regular files count: a symlink's blob is a path (it would read
        as a post holding `/etc/passwd` as text), a submodule has no text.
        """
        result = _git(
            ["--literal-pathspecs", "ls-tree", "-r", "-z", "-l", self.commit, "--"]
            + [self.settings.posts_dir],
            cwd=self.git_dir,
        )
        if result.returncode != 0:
            raise TeamBlogError(
                f"{self.member.name}: can't list the cached posts; run `studylog team pull`."
            )
        found = []
        for record in result.stdout.split(b"\0"):
            meta, _, raw_path = record.partition(b"\t")
            fields = meta.split()
            if len(fields) != 4 or fields[0] not in _FILE_MODES or not fields[3].isdigit():
                continue
            if int(fields[3]) > MAX_POST_BYTES:
                continue
            path = raw_path.decode("utf-8", errors="surrogateescape")
            name = PurePosixPath(path).name
            if name.startswith("."):
                continue
            ref = post_ref(Path(name))
            if ref is not None:
                found.append(PostBlob(ref.date, ref.slug, path, fields[2].decode("ascii")))
        return sorted(found)

    def read_posts(self, blobs: Iterable[PostBlob]) -> list[TeamPost]:
        """The texts of these posts (from `post_paths`), in one `git cat-file --batch`."""
        wanted = list(blobs)
        if not wanted:
            return []
        request = "".join(f"{blob.blob}\n" for blob in wanted)
        result = _git(["cat-file", "--batch"], cwd=self.git_dir, input=request.encode("ascii"))
        if result.returncode != 0:
            raise TeamBlogError(
                f"{self.member.name}: can't read the cached posts; run `studylog team pull`."
            )
        out = result.stdout
        posts: list[TeamPost] = []
        at = 0
        for blob in wanted:
            header_end = out.index(b"\n", at)
            header = out[at:header_end].split()
            at = header_end + 1
            if len(header) != 3 or header[1] != b"blob":
                continue  # "missing": nothing to read
            size = int(header[2])
            text = out[at : at + size].decode("utf-8", errors="replace").removeprefix("\ufeff")
            at += size + 1
            posts.append(TeamPost(self.member.name, blob.date, blob.slug, blob.path, text))
        return posts


def _reading_settings(member: TeamMember, git_dir: Path, commit: str, mine: Settings) -> Settings:
    """How to read the member's posts: their `.studylog.yml`'s reading keys, else my profile's."""
    result = _git(["cat-file", "blob", f"{commit}:.studylog.yml"], cwd=git_dir)
    raw: dict[str, Any] = {"profile": mine.profile}
    if result.returncode == 0:
        # PyYAML only where YAML is read or written (TID253: ~10 ms at start-up).
        import yaml

        source = f"{member.name}'s .studylog.yml"
        try:
            parsed = yaml.safe_load(result.stdout.decode("utf-8", errors="replace"))
        except yaml.YAMLError as err:
            raise TeamBlogError(
                f"{source} is not valid YAML, so their posts can't be read."
            ) from err
        if isinstance(parsed, dict):
            raw = {key: parsed[key] for key in _READING_KEYS if key in parsed}
        try:
            return settings_from_mapping(git_dir, raw, source=source)
        except StudylogError as err:
            raise TeamBlogError(f"{err} (ask {member.name} to fix it).") from err
    return settings_from_mapping(git_dir, raw, source=f"{member.name}'s blog")


def open_pulled(member: TeamMember, mine: Settings) -> PulledBlog:
    """The member's blog as last pulled.

    Raises:
        TeamBlogError: never pulled, or the copy is not a study log.
    """
    git_dir = member_cache(member, mine.root)
    if not git_dir.is_dir():
        raise TeamBlogError(f"{member.name}: not pulled yet; run `studylog team pull`.")
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd=git_dir)
    if head.returncode != 0:
        raise TeamBlogError(f"{member.name}: the repository {member.repo} has no commits yet.")
    commit = head.stdout.decode().strip()
    settings = _reading_settings(member, git_dir, commit, mine)
    kind = _git(["cat-file", "-t", f"{commit}:{settings.posts_dir}"], cwd=git_dir)
    if kind.stdout.strip() != b"tree":
        raise TeamBlogError(
            f"{member.name}: {member.repo} is not a study log (no {settings.posts_dir}/ folder); "
            "check `repo` under team: in .studylog.yml."
        )
    return PulledBlog(member, git_dir, commit, settings)


# --- pulling ------------------------------------------------------------------------


@dataclass(frozen=True)
class PullResult:
    """What pulling one member did.

    `action` is `cloned`, `updated`, `unchanged` or `failed`; `before` and
    `commit` are the commits read before and after; `error` is the sentence
    saying what went wrong.
    """

    member: TeamMember
    action: str
    commit: str | None = None
    before: str | None = None
    posts: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the member failed."""
        return self.action != "failed"


def _head(git_dir: Path) -> str | None:
    result = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd=git_dir)
    return result.stdout.decode().strip() if result.returncode == 0 else None


def _clone(member: TeamMember, location: str, git_dir: Path) -> None:
    # Cloned beside its final place and renamed into it, so a failed or
    # killed clone never leaves a half copy that looks pulled.
    partial = git_dir.with_name(f"{git_dir.name}.partial-{os.getpid()}")
    # shutil only when a clone is replaced.
    import shutil

    shutil.rmtree(partial, ignore_errors=True)
    result = _git(
        [
            "clone",
            "--bare",
            "--depth",
            "1",
            "--single-branch",
            "--no-tags",
            "--no-local",
            f"--template={_empty_folder()}",
            "--",
            location,
            str(partial),
        ]
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise TeamBlogError(_fetch_problem(member.name, member.repo, result.stderr))
    os.replace(partial, git_dir)


def _fetch(member: TeamMember, git_dir: Path) -> None:
    branch = _git(["symbolic-ref", "HEAD"], cwd=git_dir).stdout.decode().strip()
    if not branch.startswith("refs/heads/"):
        branch = "refs/heads/main"
    # The remote's HEAD, whatever its branch is called, lands on ours.
    result = _git(
        [
            "fetch",
            "--depth",
            "1",
            "--no-tags",
            "--no-recurse-submodules",
            "--update-head-ok",
            "origin",
            f"+HEAD:{branch}",
        ],
        cwd=git_dir,
    )
    if result.returncode != 0:
        raise TeamBlogError(_fetch_problem(member.name, member.repo, result.stderr))


def pull_member(member: TeamMember, mine: Settings) -> PullResult:
    """Clone (first time) or fetch (after) one member's blog into the cache, then check it.

    Failures are returned, not raised, so the other members still pull.
    """
    # fcntl only when a lock is taken.
    import fcntl

    git_dir = member_cache(member, mine.root)
    location = repo_location(member, mine.root)
    before: str | None = None
    try:
        git_dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = git_dir.with_name(git_dir.name + ".lock")
        with open(lock_path, "a+b") as lock:
            # Two pulls at once take turns per member instead of cloning twice.
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (git_dir / "HEAD").is_file():
                before = _head(git_dir)
                _fetch(member, git_dir)
                action = "updated"
            else:
                _clone(member, location, git_dir)
                action = "cloned"
            blog = open_pulled(member, mine)
            posts = len(blog.post_paths())
    except TeamBlogError as err:
        return PullResult(member, "failed", before=before, error=str(err))
    except OSError as err:
        return PullResult(
            member,
            "failed",
            before=before,
            error=f"{member.name}: can't write the cache in {git_dir.parent} ({err.strerror}).",
        )
    if action == "updated" and before == blog.commit:
        action = "unchanged"
    return PullResult(member, action, blog.commit, before, posts)


def pull_team(
    settings: Settings,
    names: Sequence[str] = (),
    on_result: Callable[[PullResult], None] | None = None,
    workers: int = 4,
) -> list[PullResult]:
    """Pull every teammate (or only `names`) in parallel, one git process per member at a time.

    `on_result` is called with each member's result as it finishes (from a
    worker thread). Returns the results in the order of `team:`.

    Raises:
        TeamMemberError: no team, a name that is not in it, or only this log's own entry.
    """
    _require_team(settings)
    me = self_member(settings)
    chosen = [find_member(settings, name) for name in names] if names else settings.team
    members = [member for member in chosen if member != me]
    if not members:
        raise TeamMemberError(
            "The only member under team: is this log itself; add your teammates' blogs."
        )

    def run(member: TeamMember) -> PullResult:
        result = pull_member(member, settings)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(members)))) as pool:
        return list(pool.map(run, members))


# --- the digest ------------------------------------------------------------------------

_SPACE_AND_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_question(text: str) -> str:
    """A question reduced for matching: Hangul NFC, case-folded, without spaces or punctuation.

    `"batch_idx 뽑는 함수에서, replace=True 의미?"` and
    `"batch idx 뽑는 함수에서 replace = True의미"` match; a different word does not.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACE_AND_PUNCTUATION.sub("", text)


@dataclass(frozen=True)
class DigestSource:
    """Where one copy of a digest question was recorded."""

    member: str
    date: dt.date
    slug: str
    path: str
    number: int
    asker: str | None
    answers: tuple[str, ...]


@dataclass(frozen=True)
class DigestItem:
    """One question of the digest, however many blogs recorded it.

    `question` is the first blog's wording (this log's first); `askers` and
    `members` keep the order they were first seen in; `answers` are every
    blog's answers, each once.
    """

    question: str
    askers: tuple[str, ...]
    members: tuple[str, ...]
    answers: tuple[str, ...]
    sources: tuple[DigestSource, ...]

    @property
    def answered(self) -> bool:
        """True when any blog recorded an answer."""
        return bool(self.answers)

    @property
    def date(self) -> dt.date:
        """The first day it was recorded."""
        return min(source.date for source in self.sources)


@dataclass(frozen=True)
class Digest:
    """The team's questions of some days.

    `members` are the blogs read (this log first); `missing` pairs a member
    with why their blog could not be read.
    """

    since: dt.date
    until: dt.date
    members: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    items: tuple[DigestItem, ...]

    def only_open(self) -> Digest:
        """The same digest with the answered questions left out."""
        items = tuple(item for item in self.items if not item.answered)
        return Digest(self.since, self.until, self.members, self.missing, items)


def _sources(
    member: str, posts: Iterable[tuple[dt.date, str, str, str]], settings: Settings
) -> list[tuple[QuestionEntry, DigestSource]]:
    found = []
    for date, slug, path, text in posts:
        for entry in read_entries(text, settings).questions:
            source = DigestSource(
                member, date, slug, path, entry.number, entry.asker, entry.answers
            )
            found.append((entry, source))
    return found


def _own_posts(log: Log, since: dt.date, until: dt.date) -> list[tuple[dt.date, str, str, str]]:
    refs = sorted(filter_posts(log.iter_posts(), since, until))
    root = log.root.resolve()
    posts = []
    for ref in refs:
        try:
            path = str(ref.path.resolve().relative_to(root))
        except ValueError:
            path = str(ref.path)
        posts.append((ref.date, ref.slug, path, read_post(ref.path, strict=False).text))
    return posts


def make_digest(log: Log, since: dt.date, until: dt.date) -> Digest:
    """Merge the questions dated `since`..`until` from this log and every pulled teammate.

    The same question (after `normalize_question`) in several blogs is one
    item naming each member who recorded it. A teammate not pulled yet, or
    whose copy is not a study log, is listed in `missing`; the rest still count.
    """
    settings = log.settings
    me = self_member(settings)
    my_name = me.name if me is not None else SELF_NAME
    members = [my_name]
    missing: list[tuple[str, str]] = []
    found = _sources(my_name, _own_posts(log, since, until), settings)
    for member in teammates(settings):
        try:
            blog = open_pulled(member, settings)
            paths = [p for p in blog.post_paths() if in_window(p.date, since, until)]
            posts = [(p.date, p.slug, p.path, p.text) for p in blog.read_posts(paths)]
        except TeamBlogError as err:
            missing.append((member.name, str(err)))
            continue
        members.append(member.name)
        found.extend(_sources(member.name, posts, blog.settings))
    groups: dict[str, list[tuple[QuestionEntry, DigestSource]]] = {}
    for entry, source in found:
        key = normalize_question(entry.question)
        if key:
            groups.setdefault(key, []).append((entry, source))
    items = [_merge(group) for group in groups.values()]
    # Oldest day first; within a day, the order the blogs were read in.
    items.sort(key=lambda item: item.date)
    return Digest(since, until, tuple(members), tuple(missing), tuple(items))


def _unique(values: Iterable[str], key: Callable[[str], str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept = []
    for value in values:
        mark = key(value)
        if mark not in seen:
            seen.add(mark)
            kept.append(value)
    return tuple(kept)


def _merge(group: list[tuple[QuestionEntry, DigestSource]]) -> DigestItem:
    sources = tuple(source for _, source in group)
    return DigestItem(
        question=group[0][0].question,
        askers=_unique((s.asker for s in sources if s.asker), lambda name: name.strip()),
        members=_unique((s.member for s in sources), lambda name: name),
        answers=_unique((a for s in sources for a in s.answers), normalize_question),
        sources=sources,
    )


# --- new --from: a teammate's peer session --------------------------------------------


@dataclass(frozen=True)
class PeerPart:
    """A teammate's peer-session part of one post: the text under its heading, as they wrote it."""

    member: str
    date: dt.date
    slug: str
    text: str


def _peer_span(body: str, settings: Settings) -> tuple[int, int] | None:
    """Offsets in `body` of the text under the peer heading, up to the next heading of its level.

    Headings are markdown-it's (a `#` line in a fence or an HTML block is
    none), matched as `add-question` matches them. When the peer session is
    the post's last section, a footer that ends the document (a fence or
    HTML block after a separator, as many blogs sign off) and the
    separators before it are not part of it.
    """
    # The Markdown modules only when a peer part is borrowed.
    from itertools import accumulate

    # The Markdown modules only when a peer part is borrowed.
    from studylog.markdown.document import parse_document
    from studylog.markdown.placement import content_end

    doc = parse_document(body)
    matcher = matcher_for(settings.sections)
    for index, heading in enumerate(doc.headings):
        if matcher.key_for(heading.text) != PEER:
            continue
        end = doc.section_end(index)
        if end >= len(doc.lines):
            end = content_end(doc, heading.end_line, end)
        offsets = list(accumulate(map(len, doc.lines), initial=0))
        return offsets[heading.end_line], offsets[end]
    return None


def borrow_peer_part(log: Log, name: str, date: dt.date) -> PeerPart:
    """The peer-session part of teammate `name`'s post of `date`, from the pulled copy.

    Raises:
        TeamMemberError: `name` is not a teammate.
        TeamBlogError: their blog is not pulled or not a study log.
        PostNotFoundError: they have no post that day with a peer-session section.
    """

    member = find_member(log.settings, name)
    if member == self_member(log.settings):
        raise TeamMemberError(f"{member.name} is this log itself; name a teammate.")
    blog = open_pulled(member, log.settings)
    posts = blog.read_posts(p for p in blog.post_paths() if p.date == date)
    if not posts:
        raise PostNotFoundError(
            f"{member.name} has no post dated {date.isoformat()} in the pulled copy; "
            "run `studylog team pull`, or pick the day with --date."
        )
    for post in posts:
        _, body_start = split_front_matter(post.text)
        body = post.text[body_start:]
        span = _peer_span(body, blog.settings)
        if span is not None:
            # One line ending in the new post: theirs may be CRLF, ours is LF.
            text = body[span[0] : span[1]].replace("\r\n", "\n")
            return PeerPart(member.name, post.date, post.slug, text)
    slugs = ", ".join(post.slug for post in posts)
    raise PostNotFoundError(
        f"{member.name}'s post of {date.isoformat()} ({slugs}) has no peer-session section."
    )


CREDITS = {
    "ko": "{member}님의 기록에서 가져옴 ({date} {slug})",
    "en": "From {member}'s log ({date} {slug})",
}


def credit_line(part: PeerPart, profile: str) -> str:
    """The line that credits the teammate, in the log's language."""
    return CREDITS.get(profile, CREDITS["en"]).format(
        member=part.member, date=part.date.isoformat(), slug=part.slug
    )


def insert_peer_part(text: str, settings: Settings, part: PeerPart) -> str:
    """A new post's text with its peer-session part replaced by the teammate's, credited.

    Raises:
        PostNotFoundError: the new post's template has no peer-session section.
    """

    _, body_start = split_front_matter(text)
    span = _peer_span(text[body_start:], settings)
    if span is None:
        heading = settings.sections[PEER].heading if PEER in settings.sections else PEER
        raise PostNotFoundError(
            f"The template has no peer-session section ({heading}) for --from to fill; "
            "pick one that has it with --template."
        )
    start, end = body_start + span[0], body_start + span[1]
    # The credit is a paragraph of its own, whether or not their part starts with a blank line.
    credit = f"\n{credit_line(part, settings.profile)}\n"
    if not part.text.startswith("\n"):
        credit += "\n"
    # A part cut before their footer ends at its last line: a blank line
    # keeps it apart from the heading that follows in the new post.
    gap = "" if part.text.endswith("\n\n") or end == len(text) else "\n"
    return text[:start] + credit + part.text + gap + text[end:]


DIGEST_HEADINGS = {"ko": "팀 질문 모음", "en": "Team questions"}
OPEN_MARKS = {"ko": "미답변", "en": "open"}


def _continued(text: str, indent: str) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0], *(indent + line if line.strip() else "" for line in lines[1:])])


def digest_markdown(digest: Digest, profile: str = "ko") -> str:
    """The digest as Markdown for a chat or the mentor: numbered questions, answers as sub-points.

    Each question names its asker in bold and, in italics, the members who
    recorded it; an unanswered one is marked open.
    """
    days = digest.since.isoformat()
    if digest.until != digest.since:
        days += f" – {digest.until.isoformat()}"
    heading = DIGEST_HEADINGS.get(profile, DIGEST_HEADINGS["en"])
    out = [f"## {heading} {days} ({', '.join(digest.members)})", ""]
    for number, item in enumerate(digest.items, 1):
        marker = f"{number}. "
        indent = " " * len(marker)
        who = f"**{', '.join(item.askers)}**: " if item.askers else ""
        state = "" if item.answered else f" **({OPEN_MARKS.get(profile, 'open')})**"
        members = f" _({', '.join(item.members)})_"
        out.append(f"{marker}{who}{_continued(item.question, indent)}{members}{state}")
        for answer in item.answers:
            out.append(f"{indent}- {_continued(answer, indent + '  ')}")
    return "\n".join(out).rstrip("\n") + "\n"
