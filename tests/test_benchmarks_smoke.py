"""The benchmark's smoke mode runs end to end, so `benchmarks/run.py` can't rot.

Targets are not judged here (timings in tests are noise); the test checks
that every row of the table is there and carries numbers or says plainly
why not (a missing peer, a command still pending).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO

ROWS = [
    "new (3 posts)",
    "add-question (3 posts)",
    "commit in a 50-file repo",
    "search over 30 posts",
    "list over 30 posts",
    "new (30 vs 3 posts)",
    "add-question (30 vs 3 posts)",
    "search on a terminal (30 posts)",
    "list on a terminal (30 posts)",
]
NUMBER_OR_REASON = ("pending:", "missing:", "peer failed")


def _tables(stdout: str) -> list[list[list[str]]]:
    """Each Markdown table in the output: its rows (header first) as lists of cells."""
    tables: list[list[list[str]]] = []
    previous_was_table = False
    for line in stdout.splitlines():
        is_table = line.startswith("|")
        if is_table and not line.startswith("|---"):
            if not previous_was_table:
                tables.append([])
            tables[-1].append([cell.strip() for cell in line.strip().strip("|").split("|")])
        previous_was_table = is_table
    return tables


@pytest.mark.slow  # runs every command and its peer program several times over
def test_smoke_run_prints_every_row_with_numbers(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    tables = _tables(result.stdout)
    assert len(tables) == 2, result.stdout
    (header, *rows), (floor_header, *floor) = tables
    assert header[0] == "operation" and floor_header[0] == "start-up of"
    operations = {row[0] for row in rows}
    for name in ROWS:
        assert name in operations, f"no row '{name}' in:\n{result.stdout}"
    for row in rows:
        _, _, median, _, _, peer_median, _, ratio, _, verdict = row
        assert not verdict.startswith("studylog failed"), row
        if verdict.startswith(NUMBER_OR_REASON):
            # A row without figures says why: a peer to install, a command to come.
            continue
        float(median)
        float(peer_median)
        assert ratio.endswith("×"), row
        float(ratio.rstrip("×"))
        # Smoke sizes are too small to judge a target against.
        assert verdict in ("not judged (smoke)", "reference"), row
    # studylog's own command always has a figure: `new` exists from the start.
    new_row = next(row for row in rows if row[0] == "new (3 posts)")
    assert float(new_row[2]) > 0
    # The floor explains the start-up figures: the bare interpreter and each library.
    floor_labels = {row[0] for row in floor}
    assert {"python -c pass", "python -c 'import typer'", "studylog --version"} <= floor_labels
    for label, median, spread in floor:
        assert float(median) > 0 and float(spread) >= 0, label
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["rows"]) == len(rows)
    assert any("search" in line for line in data["memory"])
    assert any("list" in line for line in data["memory"])
    # The streaming commands against DESIGN.md's 60 MB.
    for name in ("search 질문 --json", "export -f json", "export -f csv"):
        assert any(name in line and "target ≤ 60 MB" in line for line in data["memory"]), name


def _load_run_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    monkeypatch.setitem(sys.modules, "bench_run", module)
    spec.loader.exec_module(module)
    return module


def test_missing_peers_are_reported_with_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _load_run_module(monkeypatch)
    data = run.generate.generate(tmp_path / "data", [2])
    # No hugo, jekyll or jrnl on this PATH.
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    env = run.bench_env(tmp_path / "data")
    peers = run.peer_cases(data, tmp_path / "no-jrnl" / "bin" / "jrnl", env)
    mine = run.Case("studylog new", ["studylog", "new"], tmp_path)
    mine.samples = [0.1, 0.12, 0.11]
    rows = [run._case_row("new", mine, peer, 2.5) for peer in peers.values()]
    table = run.format_table(rows, judge=True)
    assert "missing: hugo is not installed (sudo apt-get install hugo)" in table
    assert "missing: jekyll is not installed" in table
    assert "missing: jrnl is not installed; create its venv: python3 -m venv" in table
    # A missing peer is never judged as a pass or a miss.
    assert "| pass |" not in table and "| miss |" not in table


def test_terminal_cases_draw_on_a_pseudo_terminal_of_a_known_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _load_run_module(monkeypatch)
    probe = (
        "import os, sys; size = os.get_terminal_size(1); "
        "sys.stderr.write(f'{sys.stdout.isatty()} {size.lines} {size.columns}'); "
        "sys.stdout.write('x' * 200000)"  # more than a pty holds: it must be drained
    )
    script = tmp_path / "probe.py"
    script.write_text(probe, encoding="utf-8")
    seen = tmp_path / "seen"
    case = run.Case(
        "probe",
        ["sh", "-c", f"{sys.executable} {script} 2>{seen}"],
        tmp_path,
        terminal=True,
    )
    run.run_once(case, dict(os.environ))
    assert case.failure is None and len(case.samples) == 1
    assert seen.read_text() == f"True {run.TERMINAL_ROWS} {run.TERMINAL_COLUMNS}"


def test_bench_commit_repository_is_packed_with_no_automatic_gc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _load_run_module(monkeypatch)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = run.bench_commit.environment(tmp_path / "home")
    # studylog runs with its bytecode cached, as for a user.
    assert "PYTHONDONTWRITEBYTECODE" not in env
    root = tmp_path / "blog"
    run.bench_commit.make_repository(root, 300, env)
    git = ["git", "-C", str(root)]
    auto = subprocess.run([*git, "config", "gc.auto"], capture_output=True, text=True, env=env)
    assert auto.stdout.strip() == "0"
    counted = subprocess.run(
        [*git, "count-objects", "-v"], capture_output=True, text=True, env=env, check=True
    )
    figures = dict(line.split(": ") for line in counted.stdout.splitlines())
    assert figures["count"] == "0" and int(figures["in-pack"]) > 300
