"""Keeping studylog inside the log: regular files only, paths that stay in their folder.

A log holds files that teammates push and that `sync` pulls, so a name in
it can be a symlink to anywhere or a FIFO that blocks whoever opens it.
These helpers are the one place that decides "is this inside that folder"
and "is this an ordinary file we may open", for reads (posts, templates)
and for writes (posts, `export -o`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFileError(OSError):
    """The path is a FIFO, device, socket or folder, not an ordinary file."""


class FileTooLargeError(OSError):
    """The file is bigger than the caller is willing to read."""


def is_inside(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink resolved, is `folder` or below it.

    A path that does not exist yet is resolved as far as it exists, so a new
    file's name is judged by the real folder it would be created in.
    """
    try:
        real_folder = folder.resolve()
        real_path = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on Python < 3.13
        return False
    return real_path == real_folder or real_path.is_relative_to(real_folder)


def open_regular(path: Path) -> int:
    """Open `path` for reading without blocking, and only if it is a regular file.

    `O_NONBLOCK` makes opening a FIFO return at once instead of waiting for a
    writer; the `fstat` then refuses it (and devices, sockets, folders).

    Raises:
        NotRegularFileError: the path is not a regular file.
        OSError: it can't be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(f"{path} is not a regular file")
        # Reads of a regular file never block; clear the flag for plain semantics.
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file `path`, never blocking on a FIFO.

    Raises:
        NotRegularFileError: a FIFO, device, socket or folder.
        FileTooLargeError: bigger than `limit` bytes.
        OSError: it can't be read.
    """
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if limit is None:
            return handle.read()
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(f"{path} is larger than {limit} bytes")
    return data


def is_special(path: Path) -> bool:
    """True when `path` exists (symlinks followed) and is not a regular file or folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
