"""`stats --svg` (a standalone SVG heatmap, checked cell by cell), `--data`, hidden weeks."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import require_program
from studylog.cli import app
from studylog.heatmap import CELL, GAP, LEFT, NO_STUDY_DAY, SHADES, TOP, render_svg
from studylog.stats import DayCount
from studylog.study import Calendar
from tests.conftest import build_file_tree

D = dt.date
SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


def _cells(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    # No script and no event handler anywhere: the file works where scripts don't.
    for element in root.iter():
        assert element.tag != f"{SVG}script"
        assert not any(name.lower().startswith("on") for name in element.attrib)
    return {rect.attrib["data-date"]: rect for rect in root.iter(f"{SVG}rect")}


def test_one_cell_per_day_weeks_as_columns_mondays_on_top() -> None:
    # Wednesday 6 March to Tuesday 19 March 2024; the 11th a holiday.
    calendar = Calendar(start=D(2024, 3, 6), holidays=(D(2024, 3, 11),))
    days = [
        DayCount(D(2024, 3, 6), 1, 2, 1),  # 4: the busiest day
        DayCount(D(2024, 3, 7), 1, 0, 0),  # 1
        DayCount(D(2024, 3, 9), 1, 1, 0),  # a Saturday post counts
        DayCount(D(2024, 3, 25), 1, 9, 9),  # outside the range: not drawn, not the top
    ]
    cells = _cells(render_svg(days, D(2024, 3, 6), D(2024, 3, 19), calendar, "Mine"))
    expected = [(D(2024, 3, 6) + dt.timedelta(days=i)).isoformat() for i in range(14)]
    assert sorted(cells) == expected
    for date_text, rect in cells.items():
        date = D.fromisoformat(date_text)
        column = (date - D(2024, 3, 4)).days // 7  # the week of Monday 4 March is column 0
        assert int(rect.attrib["x"]) == LEFT + column * (CELL + GAP)
        assert int(rect.attrib["y"]) == TOP + date.weekday() * (CELL + GAP)
    counts = {d: int(r.attrib["data-count"]) for d, r in cells.items()}
    assert counts["2024-03-06"] == 4 and counts["2024-03-07"] == 1 and counts["2024-03-09"] == 2
    assert sum(counts.values()) == 7
    fills = {d: r.attrib["fill"] for d, r in cells.items()}
    assert fills["2024-03-06"] == SHADES[4]
    assert fills["2024-03-07"] == SHADES[1]
    assert fills["2024-03-09"] == SHADES[2]  # 2 of 4: step 2
    assert fills["2024-03-08"] == SHADES[0]  # a study day with nothing
    assert fills["2024-03-10"] == NO_STUDY_DAY  # Sunday
    assert fills["2024-03-11"] == NO_STUDY_DAY  # the holiday
    titles = {d: r.find(f"{SVG}title").text for d, r in cells.items()}  # type: ignore[union-attr]
    assert titles["2024-03-06"] == "2024-03-06: 1 post, 2 questions, 1 review"
    assert titles["2024-03-08"] == "2024-03-08: nothing logged"
    assert titles["2024-03-11"] == "2024-03-11: no study day"


def test_without_a_calendar_every_day_is_a_study_day_and_text_is_escaped() -> None:
    text = render_svg([], D(2024, 3, 9), D(2024, 3, 10), None, 'A & B <"x">')
    cells = _cells(text)
    assert [r.attrib["fill"] for r in cells.values()] == [SHADES[0], SHADES[0]]
    assert ET.fromstring(text).find(f"{SVG}title").text == 'A & B <"x">'  # type: ignore[union-attr]


POST = "---\ntitle: t\n---\n### 질문내용\n\n1. 가님 질문 : q\n2. 나님 질문 : r\n"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_file_tree(
        tmp_path,
        {
            ".studylog.yml": "profile: ko\n",
            "_posts/2024-01-02-day1.md": POST,
            "_posts/2024-03-08-day2.md": POST,
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYLOG_NOW", "2024-03-10T10:00:00+00:00")
    return tmp_path


def test_stats_svg_draws_the_whole_log_or_the_window(log: Path) -> None:
    result = runner.invoke(app, ["stats", "--svg", "heat.svg"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "Wrote the heatmap of 2024-01-02 to 2024-03-08 to heat.svg.\n"
    cells = _cells((log / "heat.svg").read_text(encoding="utf-8"))
    assert len(cells) == 67 and min(cells) == "2024-01-02" and max(cells) == "2024-03-08"
    assert cells["2024-01-02"].attrib["data-count"] == "3"
    assert cells["2024-02-01"].attrib["data-count"] == "0"
    result = runner.invoke(
        app, ["stats", "--svg", "heat.svg", "--since", "2024-03-04", "--until", "2024-03-10"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(_cells((log / "heat.svg").read_text(encoding="utf-8")))[::6] == [
        "2024-03-04",
        "2024-03-10",
    ]


def test_stats_svg_refuses_the_posts_folder(log: Path) -> None:
    result = runner.invoke(app, ["stats", "--svg", "_posts/heat.svg"])
    assert result.exit_code == 1
    assert "in the posts folder" in result.stderr
    assert not (log / "_posts/heat.svg").exists()


def test_stats_data_writes_what_json_prints(log: Path) -> None:
    printed = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    result = runner.invoke(app, ["stats", "--data"])
    assert result.exit_code == 0, result.output
    written = json.loads((log / "_data/studylog.json").read_text(encoding="utf-8"))
    assert written == printed
    assert written["questions"] == 4 and written["days"][0]["date"] == "2024-01-02"


def test_the_terminal_heatmap_says_how_many_weeks_it_left_out(log: Path) -> None:
    from studylog.cli.render import heatmap_lines
    from studylog.log import open_log
    from studylog.reader import load_post
    from studylog.stats import compute_stats

    opened = open_log(log)
    stats = compute_stats([load_post(r, opened.settings) for r in opened.posts()], D(2024, 3, 10))
    assert len(stats.weeks) == 10  # the weeks of 1 January to 4 March
    narrow = heatmap_lines(stats, 15)  # (15 - 5) // 2 = 5 columns
    # The message names the option that shows the rest.
    assert narrow[-1] == (
        "(5 older weeks not shown; --weeks 10 shows them all, --svg FILE draws the whole log)"
    )
    assert len(narrow) == 1 + 7 + 1
    wide = heatmap_lines(stats, 80)
    assert len(wide) == 1 + 7 and not any("older week" in line for line in wide)
    # --weeks N: exactly N weeks, in bands of what fits when they don't fit one.
    three = heatmap_lines(stats, 80, weeks=3)
    assert len(three) == 1 + 7 + 1 and three[-1].startswith("(7 older weeks not shown;")
    assert three[1] == "Mon  · · ·"
    banded = heatmap_lines(stats, 15, weeks=8)
    assert len(banded) == 2 * (1 + 7) + 1 + 1  # two bands (5 + 3 weeks), a blank line between
    assert [len(line.split()) for line in banded[1:8]] == [6] * 7
    # The second band's rows, Monday to Friday (its last week ends on a Friday).
    assert [len(line.split()) for line in banded[10:15]] == [4] * 5
    assert banded[-1].startswith("(2 older weeks not shown;")
    everything = heatmap_lines(stats, 15, weeks=10)
    assert not any("older week" in line for line in everything)


def test_stats_weeks_option(log: Path) -> None:
    result = runner.invoke(app, ["stats", "--weeks", "2"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith(("Mon", "Fri"))]
    assert len(rows) == 2 and all(len(row.split()) <= 3 for row in rows)
    assert "(8 older weeks not shown; --weeks 10 shows them all" in result.stdout
    for args in (["--weeks", "0"], ["--weeks", "2", "--json"], ["--weeks", "2", "--svg", "x.svg"]):
        refused = runner.invoke(app, ["stats", *args])
        assert refused.exit_code == 2, args
        assert "--weeks" in refused.stderr
    assert not (log / "x.svg").exists()


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of an 8-bit RGB or RGBA PNG (what chromium writes)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


@pytest.mark.slow
def test_a_real_browser_draws_the_cells_in_their_colours(tmp_path: Path) -> None:
    """chromium --headless renders the file on its own: the busiest day is dark green."""
    import os
    import shutil
    import subprocess

    chromium = shutil.which("chromium-browser") or require_program(
        "chromium", "apt-get install chromium"
    )
    svg = tmp_path / "heat.svg"
    days = [DayCount(D(2024, 3, 6), 1, 2, 1), DayCount(D(2024, 3, 12), 1, 0, 0)]
    svg.write_text(render_svg(days, D(2024, 3, 4), D(2024, 3, 17)), encoding="utf-8")
    png = tmp_path / "heat.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={png}",
            "--window-size=200,120",
            svg.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    width, channels, rows = _png_pixels(png.read_bytes())

    def colour(date: dt.date) -> str:
        column = (date - D(2024, 3, 4)).days // 7
        x = LEFT + column * (CELL + GAP) + CELL // 2
        y = TOP + date.weekday() * (CELL + GAP) + CELL // 2
        pixel = rows[y][x * channels : x * channels + 3]
        return "#" + pixel.hex()

    assert colour(D(2024, 3, 6)) == SHADES[4]  # 4 things logged: the busiest day
    assert colour(D(2024, 3, 12)) == SHADES[1]  # 1 of 4
    assert colour(D(2024, 3, 5)) == SHADES[0]
    assert colour(D(2024, 3, 17)) == SHADES[0]  # no calendar: Sunday is a study day
    assert width == 200
