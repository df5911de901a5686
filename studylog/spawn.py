"""Starting a program whose output is read through a pipe, without `subprocess`.

`list` starts `git status` and `search` starts ripgrep as early as they can
and read them later; importing `subprocess` (with its selectors and signal)
costs more than either program's own start. Both start theirs here.
"""

from __future__ import annotations

import os


def find_program(name: str) -> str | None:
    """The executable `name` on PATH, as `shutil.which` finds it on POSIX."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or os.curdir, name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def start_reading(argv: list[str]) -> tuple[int, int] | None:
    """Start `argv` (its first item looked up on PATH); its process id and its stdout's read end.

    Its stdin and stderr are /dev/null; the pipe's ends are close-on-exec
    here, so the program holds only its copy as stdout. None when it can't
    start: no `os.posix_spawn` (not POSIX), the program not on PATH, or an
    argument it can't take (too long for the system, or holding a NUL).
    """
    spawn = getattr(os, "posix_spawn", None)
    program = find_program(argv[0]) if spawn is not None else None
    if spawn is None or program is None:
        return None
    read_end, write_end = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    try:
        pid = spawn(program, argv, os.environ, file_actions=actions)
    except (OSError, ValueError):
        os.close(read_end)
        return None
    finally:
        os.close(write_end)
    return pid, read_end
