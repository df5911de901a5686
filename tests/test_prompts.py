"""Prompts in a real terminal (tmux): what the screen shows is what is saved.

Without readline, `input()` reads in the terminal's cooked mode, whose line
discipline erases one column per character: Backspace over 다 leaves the
cursor inside it, so 가나다, Backspace, 라 shows `가나 라` and saves 가나라.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import build_file_tree, require_program

pytestmark = pytest.mark.slow


def require_tmux() -> str:
    return require_program("tmux", "apt-get install tmux")


class Pane:
    """One tmux pane running a command, on a server of its own (its own socket)."""

    def __init__(self, tmux: str, socket: Path, cwd: Path, command: list[str]) -> None:
        self.tmux, self.socket = tmux, socket
        env = " ".join(
            f"{name}={shlex_quote(os.environ[name])}"
            for name in ("HOME", "STUDYLOG_HOME", "GIT_CONFIG_GLOBAL", "PATH")
            if name in os.environ
        )
        line = f"env {env} " + " ".join(shlex_quote(part) for part in command) + "; sleep 30"
        self._tmux("new-session", "-d", "-x", "100", "-y", "20", "-c", str(cwd), line)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-S", str(self.socket), *args], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def send(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", "0", key)
            time.sleep(0.2)

    def screen(self) -> list[str]:
        return self._tmux("capture-pane", "-p", "-t", "0").splitlines()

    def wait_for(self, text: str, timeout: float = 20) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if any(text in line for line in lines):
                return lines
            assert time.monotonic() < deadline, f"{text!r} never appeared:\n" + "\n".join(lines)
            time.sleep(0.1)

    def close(self) -> None:
        # This test's own server, by its socket: no other tmux is touched.
        subprocess.run([self.tmux, "-S", str(self.socket), "kill-server"], capture_output=True)


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def test_backspace_over_hangul_at_a_prompt(tmp_path: Path) -> None:
    tmux = require_tmux()
    root = build_file_tree(
        tmp_path / "blog",
        {
            ".studylog.yml": "timezone: UTC\n",
            "_posts/2021-08-05-day4.md": "---\ntitle: x\n---\n### 질문내용\n\n<br>\n",
        },
    )
    pane = Pane(
        tmux,
        tmp_path / "tmux.sock",
        root,
        [sys.executable, "-m", "studylog", "add-question", "--question", "q"],
    )
    try:
        pane.wait_for("Asker:")
        pane.send("가나다", "BSpace", "라", "Enter")
        pane.wait_for("Answer")
        # A first line, then a second one at the `... ` prompt, then the end.
        # A tab in an answer (code) stays a tab: readline must not try to complete.
        pane.send("a", "Tab", "c", "Enter")
        pane.wait_for("...")  # tmux drops the prompt's trailing space
        pane.send("가나다", "BSpace", "BSpace", "마", "Enter", "Enter", "Enter")
        screen = pane.wait_for("Added question")
    finally:
        pane.close()
    # The screen shows exactly what was saved.
    assert "Asker: 가나라" in screen
    assert "... 가마" in screen
    text = (root / "_posts/2021-08-05-day4.md").read_text(encoding="utf-8")
    assert "1. 가나라님 질문 : q" in text
    assert "a\tc" in text and "가마" in text
