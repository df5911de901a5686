"""The documentation can't go stale: docs/cli.md and docs/config.md against the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from studylog.cli import app
from studylog.config import CONFIG_KEYS, FORMAT_FIELDS, PROFILE_SECTIONS, SECTION_FIELDS
from studylog.templates import TEMPLATE_VARIABLES

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "scripts" / "gen_cli_docs.py"
CLI_DOCS = REPO / "docs" / "cli.md"
CONFIG_DOCS = REPO / "docs" / "config.md"


def _commands() -> list[tuple[str, Any]]:
    """Every command of the app, nested groups included, as ("studylog new", command)."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="studylog")
    found: list[tuple[str, Any]] = []

    def walk(group: Any, prefix: str) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            found.append((f"{prefix} {name}", command))
            if hasattr(command, "list_commands"):
                walk(command, f"{prefix} {name}")

    walk(root, "studylog")
    return found


def _documented(text: str, section: str) -> set[str]:
    """The names of the "### `name`" headings under the "## section" heading."""
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/config.md has no '## {section}' section"
    return set(re.findall(r"^### `([^`]+)`\s*$", match[1], re.M))


def test_cli_docs_are_current() -> None:
    """docs/cli.md equals a fresh render; the message says the one command that fixes it."""
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr


def test_stale_cli_docs_are_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a page with one changed line is reported with a diff."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_cli_docs", GENERATOR)
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    stale = tmp_path / "cli.md"
    stale.write_text(generator.render().replace("Scaffold a day's post", "Make a post"), "utf-8")
    monkeypatch.setattr(generator, "OUTPUT", stale)
    assert generator.main(["--check"]) == 1
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0


def test_every_command_appears_in_cli_docs() -> None:
    """Each command (and its help line) is in docs/cli.md under its own heading."""
    text = CLI_DOCS.read_text(encoding="utf-8")
    for name, command in _commands():
        assert f"`{name}`" in text, f"{name} is missing from docs/cli.md"
        assert command.help.strip().splitlines()[0] in text


def test_every_command_and_parameter_has_help() -> None:
    """A command without a docstring, or an option without help, fails here."""
    commands = _commands()
    assert {"init", "new", "templates"} <= {name.split()[-1] for name, _ in commands}
    missing = []
    for name, command in commands:
        if not (command.help or "").strip():
            missing.append(name)
        for param in command.params:
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.name}")
    assert not missing, f"no help text: {', '.join(missing)}"


def test_config_docs_cover_every_key() -> None:
    """docs/config.md documents each `.studylog.yml` key, and no key that does not exist."""
    documented = _documented(CONFIG_DOCS.read_text(encoding="utf-8"), "`.studylog.yml` keys")
    assert documented == set(CONFIG_KEYS), (
        f"undocumented: {sorted(set(CONFIG_KEYS) - documented)}; "
        f"documented but unknown: {sorted(documented - set(CONFIG_KEYS))}"
    )


def test_config_docs_cover_every_template_variable() -> None:
    """docs/config.md documents each template variable, and no variable that does not exist."""
    documented = _documented(CONFIG_DOCS.read_text(encoding="utf-8"), "Template variables")
    assert documented == set(TEMPLATE_VARIABLES), (
        f"undocumented: {sorted(set(TEMPLATE_VARIABLES) - documented)}; "
        f"documented but unknown: {sorted(documented - set(TEMPLATE_VARIABLES))}"
    )


def test_config_docs_cover_section_and_format_fields() -> None:
    """The fields inside `sections` and `formats` are each named in docs/config.md."""
    text = CONFIG_DOCS.read_text(encoding="utf-8")
    for name in sorted(SECTION_FIELDS | FORMAT_FIELDS):
        assert f"`{name}`" in text, f"docs/config.md does not mention `{name}`"
    for profile in PROFILE_SECTIONS.values():
        for spec in profile:
            assert f"`{spec.key}`" in text, f"docs/config.md does not name section `{spec.key}`"


def test_template_variables_match_what_new_passes(log_root: Path) -> None:
    """TEMPLATE_VARIABLES is the real list: a template using all of them renders."""
    from studylog.log import open_log
    from studylog.scaffold import NewPostRequest, create_post

    uses = " ".join(f"{{{{ {name} is defined }}}}" for name in TEMPLATE_VARIABLES)
    (log_root / "_templates").mkdir()
    (log_root / "_templates" / "all.md").write_text(f"---\ntitle: x\n---\n{uses}\n", "utf-8")
    path = create_post(open_log(root=log_root), NewPostRequest(slug="day1", template="all"))
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert body.split() == ["True"] * len(TEMPLATE_VARIABLES)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_shows_the_daily_loop(flag: str, tmp_path: Path) -> None:
    """`studylog --help` ends with the daily loop, one example a line even in a narrow terminal."""
    import os

    env = {**os.environ, "COLUMNS": "50"}
    result = subprocess.run(
        [sys.executable, "-m", "studylog", flag],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "The daily loop:" in lines
    loop = lines[lines.index("The daily loop:") + 1 :]
    assert loop[0].startswith("studylog new day5")
    assert loop[1] == 'studylog add-question --asker 민수 --question "…" --answer "…"'
    assert loop[2].startswith("studylog add-review --assignment")
    assert loop[3].startswith("studylog commit --push")
    # Each example is a command the app has, so the loop can't advertise a missing one.
    names = {name.split()[1] for name, _ in _commands()}
    for example in loop[:4]:
        assert example.split()[1] in names, f"--help shows {example!r}, which is no command"


@pytest.mark.slow
def test_daily_loop_examples_run(tmp_path: Path) -> None:
    """The examples in `studylog --help` work word for word, through to the push."""
    import os
    import shlex

    from conftest import git

    help_text = subprocess.run(
        [sys.executable, "-m", "studylog", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    lines = [line.strip() for line in help_text.splitlines()]
    loop = lines[lines.index("The daily loop:") + 1 :]
    # Each line is the command, then two or more spaces and what it does.
    commands = [re.split(r"\s{2,}", line)[0] for line in loop[: loop.index("")]]
    assert len(commands) == 4
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    log = tmp_path / "blog"
    subprocess.run([sys.executable, "-m", "studylog", "init", str(log)], check=True)
    git(log, "remote", "add", "origin", str(remote))
    env = {**os.environ, "STUDYLOG_NO_PROMPT": "1"}
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "studylog"
        result = subprocess.run(
            [sys.executable, "-m", "studylog", *argv[1:]],
            cwd=log,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, f"{command}: {result.stderr}"
    assert "day5" in git(remote, "log", "--oneline", "main")


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def test_config_docs_yaml_examples_are_valid(tmp_path: Path) -> None:
    """Each `.studylog.yml` example in docs/config.md loads without an error."""
    import yaml

    from studylog.config import settings_from_mapping

    examples = _blocks(CONFIG_DOCS.read_text(encoding="utf-8"), "yaml")
    assert len(examples) >= 2
    for example in examples:
        settings = settings_from_mapping(tmp_path, yaml.safe_load(example), source="docs")
        assert settings.root == tmp_path


def test_config_docs_template_example_renders(tmp_path: Path) -> None:
    """The template example in docs/config.md works with `studylog new`, word for word."""
    (example,) = _blocks(CONFIG_DOCS.read_text(encoding="utf-8"), "jinja")
    log = tmp_path / "blog"
    run = [sys.executable, "-m", "studylog", "--root", str(log)]
    subprocess.run([*run, "init", str(log)], check=True, capture_output=True)
    (log / "_templates").mkdir()
    (log / "_templates" / "mine.md").write_text(example, encoding="utf-8")
    for slug, date in (("day4", "2024-03-04"), ("day5", "2024-03-05")):
        result = subprocess.run(
            [*run, "new", slug, "--template", "mine", "--date", date, "--participant", "지수"],
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        assert result.returncode == 0, result.stderr
    text = (log / "_posts" / "2024-03-05-day5.md").read_text(encoding="utf-8")
    assert "## Day 5" in text
    assert "(2024-03-04)" in text and "Participants: 지수" in text


def test_documentation_links_and_mentions_resolve() -> None:
    """Every relative link in the Markdown docs, and every docs/*.md the code mentions, exists."""
    pages = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
    missing = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                missing.append(f"{page.relative_to(REPO)} -> {target}")
    for source in sorted((REPO / "studylog").rglob("*.py")):
        for target in set(re.findall(r"docs/[\w-]+\.md", source.read_text(encoding="utf-8"))):
            if not (REPO / target).is_file():
                missing.append(f"{source.relative_to(REPO)} -> {target}")
    assert not missing, "missing: " + ", ".join(missing)
