"""The house rules that a tool can check: ruff (with the typer/rich fence) and mypy --strict.

The fence (ruff's TID251) is what keeps the core free of the terminal:
`typer` and `rich` may be imported only in studylog/cli/. The heavy
libraries (git, jinja2, markdown_it, yaml, rich) may not be imported at
module level anywhere in studylog/ (TID253), so start-up stays fast by lint.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    result = run_tool("ruff", "check", "studylog", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_fence_catches_typer_in_the_core(tmp_path: Path) -> None:
    # The rule itself must bite, or the two tests above prove nothing about it.
    probe = tmp_path / "core_module.py"
    probe.write_text('"""Probe."""\n\nimport typer\n\nprint(typer)\n', encoding="utf-8")
    config = str(REPO / "pyproject.toml")
    result = run_tool("ruff", "check", "--config", config, "--select", "TID251", str(probe))
    assert result.returncode == 1
    assert "TID251" in result.stdout


def test_the_heavy_libraries_are_banned_at_module_level(tmp_path: Path) -> None:
    probe = tmp_path / "core_module.py"
    probe.write_text(
        '"""Probe."""\n\nimport yaml\n\n\ndef load() -> object:\n'
        "    import jinja2  # inside a function: allowed\n\n    return yaml, jinja2\n",
        encoding="utf-8",
    )
    config = str(REPO / "pyproject.toml")
    result = run_tool("ruff", "check", "--config", config, "--select", "TID253", str(probe))
    assert result.returncode == 1
    assert result.stdout.count("TID253") == 1 and "`yaml` is banned" in result.stdout
