"""Settings: defaults per profile, and every bad `.studylog.yml` named precisely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studylog.cli import app
from studylog.config import CONFIG_KEYS, PROFILE_FORMATS, find_config, load_settings
from studylog.errors import ConfigError
from studylog.scaffold import render_config


def write_config(root: Path, text: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".studylog.yml").write_text(text, encoding="utf-8")


def test_missing_file_gives_ko_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.profile == "ko"
    assert settings.posts_path == tmp_path / "_posts"
    assert settings.title == "[{course}] Day{n} 학습기록"
    assert settings.course == ""
    assert settings.sections["questions"].heading == "질문내용"
    assert settings.sections["questions"].parent == "peer"
    assert settings.entry_formats == PROFILE_FORMATS["ko"]


def test_en_profile_changes_template_title_and_headings(tmp_path: Path) -> None:
    write_config(tmp_path, "profile: en\n")
    settings = load_settings(tmp_path)
    assert settings.template == "en"
    assert settings.title == "Day {n} study log"
    assert settings.sections["reviews"].heading == "Homework review"


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    write_config(tmp_path, "profile: ko\npost_dir: _posts\n")
    with pytest.raises(ConfigError, match="unknown key 'post_dir'"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("sections:\n  questions:\n    headline: Q\n", "sections.questions.headline"),
        ("formats:\n  questio: x\n", "formats.questio"),
        ("profile: fr\n", "profile"),
        ("timezone: Mars/Olympus\n", "Mars/Olympus"),
        ("roster: 민수\n", "roster"),
        ("sections:\n  questions:\n    level: 9\n", "sections.questions.level"),
        # Posts outside the log: `new` would write to /etc, `commit` can't stage them.
        ("posts_dir: /etc\n", "posts_dir"),
        ("posts_dir: ../elsewhere\n", "posts_dir"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert named in str(info.value)


def test_posts_dir_may_be_a_folder_below_the_log(tmp_path: Path) -> None:
    write_config(tmp_path, "posts_dir: blog/_posts\n")
    assert load_settings(tmp_path).posts_path == tmp_path / "blog" / "_posts"


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    write_config(tmp_path, "profile: ko\ntitle: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_settings(tmp_path)


def test_not_a_mapping(tmp_path: Path) -> None:
    write_config(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(tmp_path)


def test_sections_merge_over_profile(tmp_path: Path) -> None:
    write_config(tmp_path, "sections:\n  questions:\n    aliases: [Q&A, 궁금한 점]\n")
    spec = load_settings(tmp_path).sections["questions"]
    assert spec.heading == "질문내용"
    assert spec.aliases == ("Q&A", "궁금한 점")


def test_find_config_walks_upwards(tmp_path: Path) -> None:
    write_config(tmp_path / "blog", "profile: ko\n")
    deep = tmp_path / "blog" / "_posts" / "a"
    deep.mkdir(parents=True)
    assert find_config(deep) == (tmp_path / "blog" / ".studylog.yml").resolve()
    assert find_config(tmp_path) is None or find_config(tmp_path) != tmp_path / ".studylog.yml"


@pytest.mark.parametrize("profile", ["ko", "en"])
def test_rendered_config_documents_every_key_and_loads(tmp_path: Path, profile: str) -> None:
    text = render_config(profile, "Asia/Seoul", {"author": "me"})
    for key in CONFIG_KEYS:
        assert f"# {key}:" in text, key
    write_config(tmp_path, text)
    settings = load_settings(tmp_path)
    assert settings.profile == profile
    assert settings.timezone == "Asia/Seoul"
    assert settings.front_matter == {"author": "me"}


def test_course_must_be_one_line(tmp_path: Path) -> None:
    (tmp_path / ".studylog.yml").write_text("course: [a]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'course' must be one line"):
        load_settings(tmp_path)


def test_course_is_read(tmp_path: Path) -> None:
    (tmp_path / ".studylog.yml").write_text("course: ' AI '\n", encoding="utf-8")
    assert load_settings(tmp_path).course == "AI"


def test_liquid_is_protect_or_keep(tmp_path: Path) -> None:
    assert load_settings(tmp_path).liquid == "protect"
    (tmp_path / ".studylog.yml").write_text("liquid: keep\n", encoding="utf-8")
    assert load_settings(tmp_path).liquid == "keep"
    (tmp_path / ".studylog.yml").write_text("liquid: raw\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'liquid' must be 'protect' or 'keep', not 'raw'"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("profile: ko\nposts_dir: _posts\nprofile: en\n", "profile", 3),
        ("profile: ko\nsections:\n  questions:\n    heading: A\n    heading: B\n", "heading", 5),
    ],
)
def test_a_key_written_twice_is_an_error_naming_it(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    # YAML keeps the last of two equal keys silently; the settings must not.
    (tmp_path / ".studylog.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"the key '{key}' twice \\(again at line {line}\\)"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("names", "named"),
    [
        ('roster: ["민수\\n## 회고록"]', "roster[0]"),
        ('roster: [지수, "민수\\u001b[31m"]', "roster[1]"),
        ('moderators: ["a\\u2028b"]', "moderators[0]"),
    ],
)
def test_roster_names_obey_the_participant_rule_and_new_writes_nothing(
    tmp_path: Path, names: str, named: str
) -> None:
    """A quoted YAML name with a line break or an escape would put a heading or raw
    terminal codes into every new post; it is refused like `--participant` is."""
    write_config(tmp_path, f"profile: ko\n{names}\n")
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings(tmp_path)
    result = CliRunner().invoke(app, ["--root", str(tmp_path), "new", "day1"])
    assert result.exit_code == 1
    assert named in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "_posts").exists() or not any((tmp_path / "_posts").iterdir())


# A fresh interpreter loads the settings and says whether it imported zoneinfo.
ZONE_PROBE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from studylog.config import load_settings\n"
    "settings = load_settings(Path(sys.argv[1]))\n"
    "print(settings.timezone, 'zoneinfo' in sys.modules, 'string' in sys.modules)\n"
)


def probe_zone(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ZONE_PROBE, str(root)], capture_output=True, text=True, check=False
    )


def settle(path: Path) -> None:
    """Date the file back past the racy window, so its settings may be cached."""
    old = time.time() - 60
    os.utime(path, (old, old))


def test_cached_settings_skip_the_checks_that_import_a_module(tmp_path: Path) -> None:
    formats = 'formats:\n  question: "{n}. {who} : {question}"\n'
    write_config(tmp_path, f"timezone: Asia/Seoul\ntitle: '[AI] Day{{n}}'\n{formats}")
    settle(tmp_path / ".studylog.yml")
    first, second = probe_zone(tmp_path), probe_zone(tmp_path)
    assert first.stdout == "Asia/Seoul True True\n", first.stderr
    assert second.stdout == "Asia/Seoul False False\n", second.stderr
    # The file changes: the cache no longer matches, so everything is checked again.
    write_config(tmp_path, f"timezone: Asia/Tokyo\ntitle: '[AI] Day{{n}}'\n{formats}")
    settle(tmp_path / ".studylog.yml")
    assert probe_zone(tmp_path).stdout == "Asia/Tokyo True True\n"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("timezone: Mars/Olympus\n", "unknown timezone 'Mars/Olympus'"),
        ("title: 'Day{n.__class__}'\n", "uses the field {n.__class__}"),
        ("formats:\n  question: '{n:>999999999}'\n", "formats.question"),
    ],
)
def test_a_value_refused_by_a_skipped_check_is_refused_on_every_run(
    tmp_path: Path, text: str, error: str
) -> None:
    write_config(tmp_path, text)
    settle(tmp_path / ".studylog.yml")
    for _ in range(2):
        run = probe_zone(tmp_path)
        assert run.returncode == 1 and error in run.stderr, run.stderr


def test_yaml_parsed_elsewhere_is_not_taken_as_checked_settings(tmp_path: Path) -> None:
    path = tmp_path / ".studylog.yml"
    write_config(tmp_path, "timezone: Asia/Seoul\n")
    settle(path)
    # The same file read as plain YAML (as _config.yml is) caches a parse, not a check.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from pathlib import Path\n"
            "from studylog.config import read_yaml_mapping\n"
            "path = Path(sys.argv[1])\n"
            "read_yaml_mapping(path, os.stat(path))\n",
            str(path),
        ],
        check=True,
    )
    assert probe_zone(tmp_path).stdout.startswith("Asia/Seoul True ")
