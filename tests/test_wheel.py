"""The wheel: `pip install .` into a fresh venv gives a working `studylog new`.

Builds the wheel for real (templates ship inside it as studylog/_templates)
and runs the installed console script from outside the source tree, so a
template missing from the wheel fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, missing_requirement

pytestmark = pytest.mark.slow


def test_wheel_ships_templates_and_runs_new_in_a_fresh_venv(
    tmp_path: Path, isolated_env: Path
) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        # Without build isolation pip needs hatchling in this environment; fall back to isolation.
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(REPO)],
            capture_output=True,
            text=True,
        )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("studylog-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "studylog/_templates/ko.md" in names
    assert "studylog/_templates/en.md" in names
    # The manual ships too: help texts point to `studylog docs PAGE`.
    assert "studylog/_docs/reading.md" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    # A truly fresh venv: the dependencies come from the package index, as
    # they do for a user who runs `pip install .`.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True
    )
    assert install.returncode == 0, install.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [str(env_dir / "bin" / "studylog"), "new", "day1", "--date", "2021-08-02"],
        cwd=outside,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    post = isolated_env / "studylog" / "_posts" / "2021-08-02-day1.md"
    assert Path(result.stdout.strip()) == post
    assert "\n### 질문내용\n" in post.read_text(encoding="utf-8")
    # The installed package, not the source tree, answered.
    where = subprocess.run(
        [str(python), "-c", "import studylog.templates as t; print(t.builtin_templates_path())"],
        cwd=outside,
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.startswith(str(env_dir)), where.stdout
    assert where.stdout.strip().endswith("site-packages/studylog/_templates")
    # Every page a help text names is there, from the installed package.
    helped = subprocess.run(
        [str(env_dir / "bin" / "studylog"), "list", "--help"],
        cwd=outside, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert "`studylog docs reading`" in helped.stdout and "docs/" not in helped.stdout
    page = subprocess.run(
        [str(env_dir / "bin" / "studylog"), "docs", "reading", "--path"],
        cwd=outside, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert page.returncode == 0, page.stderr
    assert page.stdout.strip().endswith("site-packages/studylog/_docs/reading.md")
    assert Path(page.stdout.strip()).read_bytes() == (REPO / "docs" / "reading.md").read_bytes()


def test_pipx_install_as_the_readme_says(tmp_path: Path, isolated_env: Path) -> None:
    """`pipx install .` (README's install for daily use): studylog on PATH, nothing in the clone."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pipx") is None:
        missing_requirement("needs pipx (the test extra: pip install -e '.[test]')")
    clone = tmp_path / "clone"
    shutil.copytree(
        REPO, clone, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info")
    )
    before = sorted(str(p.relative_to(clone)) for p in clone.rglob("*"))
    bin_dir = isolated_env / ".local" / "bin"
    env = {
        **os.environ,
        "PIPX_HOME": str(isolated_env / ".local" / "pipx"),
        "PIPX_BIN_DIR": str(bin_dir),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    install = subprocess.run(
        [sys.executable, "-m", "pipx", "install", "."],
        cwd=clone, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    assert (bin_dir / "studylog").exists()
    # Nothing left in the clone (the venv way leaves .venv there).
    assert sorted(str(p.relative_to(clone)) for p in clone.rglob("*")) == before
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = subprocess.run(
        ["studylog", "new", "day1", "--date", "2021-08-02"],
        cwd=outside, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (
        Path(result.stdout.strip()) == isolated_env / "studylog" / "_posts" / "2021-08-02-day1.md"
    )
    docs = subprocess.run(
        ["studylog", "docs"], cwd=outside, capture_output=True, text=True, env=env
    )
    assert docs.returncode == 0 and "reading\tReading the log" in docs.stdout
