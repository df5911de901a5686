"""The post merge driver's registration: git's config and `.gitattributes`, no merging.

Every command checks, with one small file read, that the repository's
config runs this studylog as the post driver (a clone has the attribute
but not the config, which git does not version); so this lives apart from
`studylog.merge`, whose merging code (~8 ms to import) only `git` needs,
when it runs the driver.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from studylog.errors import GitError

DRIVER_NAME = "studylog"
# The attribute `init` writes for the posts folder, one line per suffix.
ATTRIBUTE = f"merge={DRIVER_NAME}"


def driver_command() -> str:
    """What git runs for the driver: this Python running studylog, so no PATH is needed."""
    return f"{shlex.quote(sys.executable)} -m studylog merge-post %O %A %B %P"


def _git_config_path(root: Path) -> Path | None:
    """The repository's config file for a work tree at or above `root` (no git process)."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / "config"
        if dot_git.is_file():
            # A linked work tree or submodule: `gitdir: PATH`, whose
            # `commondir` (if any) holds the shared config.
            try:
                pointer = dot_git.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if not pointer.startswith("gitdir:"):
                return None
            git_dir = (folder / pointer[len("gitdir:") :].strip()).resolve()
            common = git_dir / "commondir"
            if common.is_file():
                try:
                    git_dir = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
                except OSError:
                    return None
            return git_dir / "config"
    return None


def driver_registered(root: Path) -> bool | None:
    """Whether the repository's config runs this studylog as the post driver.

    None when `root` is in no repository. One small file read, no git
    process: every command asks this.
    """
    config = _git_config_path(root)
    if config is None:
        return None
    try:
        text = config.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    section = f'[merge "{DRIVER_NAME}"]'
    if section not in text:
        return False
    # git writes `driver = VALUE` with the value quoted when it holds `"` or `#`...;
    # our value never does, but git escapes nothing else: compare the raw text.
    return f"driver = {driver_command()}" in text


def register_driver(root: Path) -> bool:
    """Set the post merge driver in the repository's config when it is missing or stale.

    Returns True when it wrote the config, False when there was nothing to do
    (or `root` is in no repository).

    Raises:
        GitError: git refused to write its config.
    """
    if driver_registered(root) is not False:
        return False
    # subprocess only when git's config is written: every command checks the
    # driver, and importing subprocess (with its selectors and signal) costs ~3 ms.
    import subprocess

    for key, value in (
        (f"merge.{DRIVER_NAME}.name", "studylog post merge (appends on both sides are kept)"),
        (f"merge.{DRIVER_NAME}.driver", driver_command()),
    ):
        try:
            done = subprocess.run(
                ["git", "config", "--local", key, value],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as err:
            raise GitError(
                "The `git` program is not installed; install git and try again."
            ) from err
        if done.returncode != 0:
            raise GitError(
                f"Can't set up the post merge driver in {root} "
                f"({done.stderr.strip() or 'git config failed'}); check .git/config."
            )
    return True


def attribute_lines(posts_dir: str) -> list[str]:
    """The `.gitattributes` lines that send the posts folder's posts to the driver."""
    folder = Path(posts_dir).as_posix().strip("/")
    prefix = "" if folder in ("", ".") else folder + "/"
    return [f"{prefix}**/*.{suffix} {ATTRIBUTE}" for suffix in ("md", "markdown")]


def declare_attributes(root: Path, posts_dir: str) -> bool:
    """Add the driver's lines to `root/.gitattributes` when they are missing; True if written.

    Raises:
        GitError: the file can't be read.
        PostWriteError: the file can't be written.
    """
    # post's writer only when .gitattributes changes.
    from studylog.post import write_atomic

    path = root / ".gitattributes"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as err:
        raise GitError(f"Can't read {path} ({err}); fix or remove it and run init again.") from err
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in attribute_lines(posts_dir) if line not in present]
    if not missing:
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    if not text:
        text = "# Posts merge with studylog's driver: appends on both sides are kept.\n"
    write_atomic(path, (text + "\n".join(missing) + "\n").encode("utf-8"))
    return True


__all__ = [
    "ATTRIBUTE",
    "DRIVER_NAME",
    "attribute_lines",
    "declare_attributes",
    "driver_command",
    "driver_registered",
    "register_driver",
]
