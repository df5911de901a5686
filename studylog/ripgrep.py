"""ripgrep as `search`'s prefilter: started early, read as it finds.

`rg -l` names the files that hold the query; only those become posts to
read. It is started with `os.posix_spawn` and a bare pipe
(`studylog.spawn`) rather than the `subprocess` module (with
`shutil.which`, ~10 ms to import, longer than ripgrep's own start), as
soon as the log's posts folder is known, so that ripgrep walks the posts
while Python is still importing what the search needs. Without
`os.posix_spawn` (not POSIX) or without ripgrep on PATH, there is no
prefilter here and `search` reads the posts itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from studylog.log import POST_SUFFIXES
from studylog.spawn import start_reading


class Ripgrep:
    """A running `rg -l -0`: its process id and the read end of its stdout.

    Made by `start_ripgrep`; `names` reads what it finds, `finish` (or
    `stop`, for a search that ends early) reaps it. Both are safe to call
    more than once.
    """

    def __init__(self, pid: int, stdout: int) -> None:
        self.pid = pid
        self._stdout: int | None = stdout
        self._status: int | None = None
        self._read_all = False

    def names(self) -> Iterator[bytes]:
        """Each file ripgrep names, as raw bytes, as soon as it names it."""
        if self._stdout is None:
            return
        pending = b""
        while True:
            chunk = os.read(self._stdout, 65536)
            if not chunk:
                self._read_all = True
                break
            *names, pending = (pending + chunk).split(b"\0")
            yield from names
        if pending:
            yield pending

    def finish(self) -> int:
        """Wait for ripgrep and give its exit code (0 found, 1 found nothing, else failed)."""
        self._close()
        if self._status is None:
            _, status = os.waitpid(self.pid, 0)
            self._status = os.waitstatus_to_exitcode(status)
        return self._status

    def stop(self) -> None:
        """Reap ripgrep, ending it first if its names were not all read (a search cut short)."""
        if self._status is None and not self._read_all:
            try:
                os.kill(self.pid, 15)  # SIGTERM, without importing signal
            except ProcessLookupError:
                pass  # it had already ended; finish reaps it
        self.finish()

    def _close(self) -> None:
        if self._stdout is not None:
            os.close(self._stdout)
            self._stdout = None


def start_ripgrep(needles: list[str], folder: str, ignore_case: bool = True) -> Ripgrep | None:
    """`rg -l` for any of `needles` (fixed strings) under `folder`, or None.

    None when ripgrep can't run here: no `os.posix_spawn`, no `rg` on
    PATH, or it fails to start. The files are the ones `log.walk_post_files`
    takes: post suffixes, no hidden names; `-L` follows linked posts (the
    caller drops what lies under a linked folder). `--no-config`: a user's
    ripgrep settings must not change what search finds. `ignore_case`:
    `-i`, which the caller may leave out when it can't find more (ripgrep
    is ~15 % faster without it).
    """
    command = ["rg", "--no-config", "-l", "-0", "-F", "-L", "--no-ignore", "--hidden"]
    command.append("--no-messages")
    if ignore_case:
        command.append("-i")
    for suffix in POST_SUFFIXES:
        command += ["-g", f"*{suffix}"]
    command += ["-g", "!.*"]
    for needle in needles:
        command += ["-e", needle]
    command += ["--", folder]
    # None for a needle too long for the command line (E2BIG) or holding a
    # NUL, too: the caller searches without ripgrep.
    started = start_reading(command)
    return Ripgrep(*started) if started is not None else None
