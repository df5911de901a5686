"""Everything the read commands draw: tables, highlighted hits, the heatmap.

Only `studylog.cli` may import rich (ruff's TID251), and this module does so
inside the functions that draw, so a command whose output goes to a pipe
(plain text) never pays for importing rich. Colour is used only on a
terminal, and never when `NO_COLOR` is set (rich honours it).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from studylog.check import Finding, Rule
    from studylog.listing import PostLines, PostSummary
    from studylog.reader import ReadPost
    from studylog.search import SearchHit
    from studylog.stats import Stats, Streak, Week


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (stdout by default) is a terminal we may draw on."""
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def make_console(stream: TextIO | None = None) -> Console:
    """A rich console on `stream`: colour only on a terminal and without NO_COLOR."""
    # rich only when drawing (TID253), so piped output never loads it.
    from rich.console import Console

    stream = stream or sys.stdout
    terminal = is_terminal(stream)
    return Console(
        file=stream,
        highlight=False,
        no_color=not terminal or "NO_COLOR" in os.environ,
        color_system="auto" if terminal else None,
        emoji=False,
        markup=False,
    )


def relative(path: Path, root: Path) -> str:
    """`path` relative to the log's folder when it is inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def flatten(text: str, limit: int | None = None) -> str:
    """Text on one line (line breaks become spaces), cut to `limit` characters."""
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


# --- list -----------------------------------------------------------------------


def _state(states: dict[str, str] | None, path: str) -> str:
    if states is None:
        return "-"
    return states.get(path, "clean")


def list_plain(posts: PostLines, states: dict[str, str] | None, out: TextIO) -> None:
    """One tab-separated line per post: its `summary_line` and its git state."""
    default = "-" if states is None else "clean"
    if not states:
        # Every post in the same state (a clean log, or none in git): one join.
        end = f"\t{default}\n"
        out.write(end.join(posts.lines) + end)
        return
    get = states.get
    out.write(
        "".join(
            [
                f"{line}\t{get(path, default)}\n"
                for path, line in zip(posts.paths, posts.lines, strict=True)
            ]
        )
    )


def list_rows_that_fit() -> int:
    """How many posts `list` shows on a terminal: its height less three lines.

    The three: the table's header, the line that says how many more, and the
    shell's prompt after it, so the newest post stays in sight.
    """
    # shutil's answer, as rich's: LINES first, then the terminal's size, else 24.
    import shutil

    return max(shutil.get_terminal_size().lines - 3, 5)


def list_table(
    summaries: Sequence[PostSummary], states: dict[str, str] | None, out: TextIO
) -> None:
    """The posts as a rich table that fits the terminal."""
    # rich only when drawing (TID253), so piped output never loads it.
    from rich.table import Table
    from rich.text import Text

    console = make_console(out)
    table = Table(box=None, header_style="bold", pad_edge=False, show_edge=False)
    table.add_column("date", no_wrap=True)
    table.add_column("slug", no_wrap=True, style="cyan")
    table.add_column("title", overflow="ellipsis", no_wrap=True, ratio=1)
    table.add_column("Q", justify="right")
    table.add_column("R", justify="right")
    table.add_column("git", no_wrap=True)
    styles = {"new": "green", "modified": "yellow", "staged": "blue", "deleted": "red"}
    for s in summaries:
        state = _state(states, s.path)
        table.add_row(
            s.date,
            s.slug,
            flatten(s.title or ""),
            str(s.questions),
            str(s.reviews),
            Text(state, style=styles.get(state, "dim")),
        )
    console.print(table)


# --- show -------------------------------------------------------------------------


def show_post(post: ReadPost, out: TextIO) -> None:
    """The post as rendered Markdown (title on top) on a terminal, else its text."""
    if not is_terminal(out):
        out.write(post.text if post.text.endswith("\n") else post.text + "\n")
        return
    # rich only when drawing (TID253), so piped output never loads it.
    from rich.markdown import Markdown
    from rich.rule import Rule

    # items (and kramdown) only when a post is drawn: list and search draw without them.
    from studylog.markdown.items import displayed_markdown

    console = make_console(out)
    title = post.title or post.ref.slug
    console.print(Rule(f"{title} · {post.ref.date.isoformat()}"))
    console.print(Markdown(displayed_markdown(post.body)))


# --- search -----------------------------------------------------------------------


def hit_label(hit: SearchHit) -> str:
    """Which entry a hit is in: `question 3 (민수)`, `review 1 (지수)`, `title`, or the section."""
    # The entry types without the reader: a search answered from its cache never loads it.
    from studylog.markdown.model import QuestionEntry

    entry = hit.entry
    if entry is None:
        return hit.section or hit.kind
    if isinstance(entry, QuestionEntry):
        who = f" ({entry.asker})" if entry.asker else ""
        return f"question {entry.number}{who}"
    who = f" ({entry.presenter})" if entry.presenter else ""
    return f"review {entry.number}{who}"


class HitBlock:
    """A run of adjacent lines of one post to show: the matches and their context.

    `lines` maps a line number to its text and whether it matched (with the
    spans to highlight); `labels` names the entries the matches are in.
    """

    # A plain class: `list` imports this module, and a dataclass here was the
    # one thing on its path importing dataclasses (~6 ms with inspect).
    __slots__ = ("labels", "lines", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[int, tuple[str, tuple[tuple[int, int], ...] | None]] = {}
        self.labels: list[str] = []


def hit_blocks(hits: Iterable[SearchHit]) -> Iterator[HitBlock]:
    """The hits as blocks of adjacent lines, as grep and ripgrep print context.

    Hits whose lines (context included) touch or overlap, in the same post,
    share one block, so no line is shown twice; a line that is one hit's
    context and another's match is shown as a match.
    """
    block: HitBlock | None = None
    for hit in hits:
        first = hit.line - len(hit.before)
        if block is not None and (block.path != hit.ref.path or first > max(block.lines) + 1):
            yield block
            block = None
        if block is None:
            block = HitBlock(hit.ref.path)
        for offset, text in enumerate(hit.before):
            block.lines.setdefault(first + offset, (text, None))
        block.lines[hit.line] = (hit.text, hit.spans)
        for offset, text in enumerate(hit.after, 1):
            block.lines.setdefault(hit.line + offset, (text, None))
        label = hit_label(hit)
        if label not in block.labels:
            block.labels.append(label)
    if block is not None:
        yield block


def hits_plain(hits: Iterable[SearchHit], root: Path, out: TextIO, context: int) -> None:
    """grep -n's format: `path:line:text` for a match, `path-line-text` for context.

    With context, blocks of lines are separated by `--`, as grep and
    ripgrep do.
    """
    first = True
    for block in hit_blocks(hits):
        if context and not first:
            out.write("--\n")
        first = False
        path = relative(block.path, root)
        for number in sorted(block.lines):
            text, spans = block.lines[number]
            mark = "-" if spans is None else ":"
            out.write(f"{path}{mark}{number}{mark}{text}\n")


# SGR parameters for the terminal drawing of hits (see `hits_terminal`).
_PATH, _LABELS, _NUMBER, _CONTEXT, _MATCH = "1;35", "36", "32", "2", "1;7"
# Characters a terminal would act on (escape, bell, backspace, carriage
# return, …): a post is text from anyone, so they are shown as `?`. A regular
# expression, not str.translate: most lines hold none, and the scan for one
# is C-fast where a translation table looks up every character.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _shown(text: str) -> str:
    return _CONTROL.sub("?", text)


def _sgr_table(colour: bool) -> dict[str, tuple[str, str]]:
    """Each style's opening and closing sequences, worked out once per drawing."""
    table: dict[str, tuple[str, str]] = {}
    for style in (_PATH, _LABELS, _NUMBER, _CONTEXT, _MATCH):
        params = style
        if not colour:
            params = ";".join(p for p in style.split(";") if p in ("1", "2", "7"))
        table[style] = (f"\x1b[{params}m", "\x1b[0m") if params else ("", "")
    return table


def hits_terminal(hits: Iterable[SearchHit], root: Path, out: TextIO) -> None:
    """Hits grouped by post, each block naming its entries, the matches highlighted.

    Written as escape sequences rather than through rich: a search that
    matches hundreds of posts drew ~10 times slower through rich's console
    than the same lines in a pipe.
    """
    colour = "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    table = _sgr_table(colour)
    path_on, path_off = table[_PATH]
    labels_on, labels_off = table[_LABELS]
    number_on, number_off = table[_NUMBER]
    context_on, context_off = table[_CONTEXT]
    match_on, match_off = table[_MATCH]
    current: Path | None = None
    lines: list[str] = []
    for block in hit_blocks(hits):
        if block.path != current:
            if current is not None:
                lines.append("")
            current = block.path
            lines.append(path_on + _shown(relative(block.path, root)) + path_off)
        lines.append(labels_on + _shown("  " + ", ".join(block.labels)) + labels_off)
        width = len(str(max(block.lines)))
        for number in sorted(block.lines):
            text, spans = block.lines[number]
            if spans is None:
                lines.append(
                    f"  {context_on}{number:>{width}}-{context_off}"
                    f"{context_on}{_shown(text)}{context_off}"
                )
                continue
            parts = ["  ", f"{number_on}{number:>{width}}:{number_off}"]
            at = 0
            for begin, finish in sorted(spans):
                begin = max(begin, at)
                if finish <= begin:
                    continue
                parts.append(_shown(text[at:begin]))
                parts.append(match_on + _shown(text[begin:finish]) + match_off)
                at = finish
            parts.append(_shown(text[at:]))
            lines.append("".join(parts))
    out.write("\n".join(lines) + "\n")


# --- check ------------------------------------------------------------------------


def findings_plain(findings: Iterable[Finding], root: Path, out: TextIO) -> None:
    """Compiler-style lines: `path:line: severity rule: message`."""
    for f in findings:
        out.write(f"{relative(f.path, root)}:{f.line}: {f.severity} {f.rule}: {f.message}\n")


def findings_rich(findings: Sequence[Finding], root: Path, out: TextIO) -> None:
    """Findings with the severity coloured."""
    # rich only when drawing (TID253), so piped output never loads it.
    from rich.text import Text

    console = make_console(out)
    for f in findings:
        line = Text(f"{relative(f.path, root)}:{f.line}: ")
        line.append(f.severity, style="bold red" if f.severity == "error" else "yellow")
        line.append(f" {f.rule}", style="cyan")
        line.append(f": {f.message}")
        console.print(line)


def rules_plain(rules: Iterable[Rule], out: TextIO) -> None:
    """Each rule: id, severity, explanation."""
    for rule in rules:
        out.write(f"{rule.id}\t{rule.severity}\t{rule.explanation}\n")


# --- stats ------------------------------------------------------------------------

_SHADES = " ░▒▓█"
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _shade(value: int, top: int) -> str:
    if value <= 0 or top <= 0:
        return "·"
    level = 1 + min(3, (value - 1) * 4 // max(top, 1))
    return _SHADES[level]


def heatmap_lines(stats: Stats, width: int, weeks: int | None = None) -> list[str]:
    """The week-by-day heatmap of entries as text: a row per weekday, a column per week.

    Without `weeks`, only the most recent weeks that fit in `width` are
    drawn; with it, the most recent `weeks` weeks, in bands of as many as
    fit, oldest band first. A last line says how many older weeks were left
    out and the `--weeks` that shows them all. A day with a post but no
    entries shows as `+`; days without a post as `·`.
    """
    columns = max(1, (width - 5) // 2)
    shown = stats.weeks[-(weeks or columns) :]
    hidden = len(stats.weeks) - len(shown)
    top = max((day.entries for week in shown for day in week.days if day), default=0)
    lines: list[str] = []
    for band_start in range(0, len(shown), columns):
        if lines:
            lines.append("")
        lines += _heatmap_band(shown[band_start : band_start + columns], top)
    if hidden:
        # Say so: silently dropping the oldest weeks reads as weeks with no posts.
        lines.append(
            f"({hidden} older week{'s' if hidden != 1 else ''} not shown; "
            f"--weeks {len(stats.weeks)} shows them all, --svg FILE draws the whole log)"
        )
    return lines


def _heatmap_band(weeks: Sequence[Week], top: int) -> list[str]:
    """The month names and the seven weekday rows of some weeks."""
    # Month names above the week they start in, where they don't collide.
    header = [" "] * (5 + 2 * len(weeks) + 3)
    last_month = None
    free_from = 0
    for index, week in enumerate(weeks):
        if week.start.month != last_month:
            last_month = week.start.month
            column = 5 + 2 * index
            if column >= free_from:
                label = week.start.strftime("%b")
                header[column : column + len(label)] = list(label)
                free_from = column + len(label) + 1
    lines = ["".join(header).rstrip()]
    for index, name in enumerate(_DAY_NAMES):
        cells = []
        for week in weeks:
            day = week.days[index]
            if day is None:
                cells.append(" ")
            elif day.posts and not day.entries:
                cells.append("+")
            else:
                cells.append(_shade(day.entries, top))
        lines.append((f"{name:<4} " + " ".join(cells)).rstrip())
    return lines


def _streak(streak: Streak) -> str:
    if not streak.days:
        return "0 days"
    return f"{streak.days} day{'s' if streak.days != 1 else ''} ({streak.start} – {streak.end})"


def stats_plain(
    stats: Stats, out: TextIO, width: int = 80, top: int = 10, weeks: int | None = None
) -> None:
    """The numbers, the heatmap and the top askers as plain text."""
    lines = [
        f"posts\t{stats.posts}",
        f"questions\t{stats.questions}",
        f"reviews\t{stats.reviews}",
        f"first\t{stats.first or '-'}",
        f"last\t{stats.last or '-'}",
        f"current streak\t{_streak(stats.current_streak)}",
        f"longest streak\t{_streak(stats.longest_streak)}",
    ]
    if stats.weeks:
        lines += ["", *heatmap_lines(stats, width, weeks)]
    if stats.askers:
        lines += ["", "questions per person"]
        lines += [f"{name}\t{count}" for name, count in stats.askers[:top]]
    out.write("\n".join(lines) + "\n")


def stats_rich(stats: Stats, out: TextIO, top: int = 10, weeks: int | None = None) -> None:
    """Totals and streaks, the heatmap in a panel, and a bar per asker."""
    # rich only when drawing (TID253), so piped output never loads it.
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = make_console(out)
    totals = Table.grid(padding=(0, 2))
    totals.add_column(style="bold")
    totals.add_column()
    totals.add_row("posts", str(stats.posts))
    totals.add_row("questions", str(stats.questions))
    totals.add_row("reviews", str(stats.reviews))
    totals.add_row("from", f"{stats.first or '-'} to {stats.last or '-'}")
    totals.add_row("current streak", _streak(stats.current_streak))
    totals.add_row("longest streak", _streak(stats.longest_streak))
    console.print(totals)
    if not stats.weeks:
        return
    lines = heatmap_lines(stats, console.width - 4, weeks)
    heat = Text("\n".join(lines))
    for index, char in enumerate(heat.plain):
        if char in _SHADES[1:]:
            heat.stylize("green", index, index + 1)
        elif char == "+":
            heat.stylize("dim green", index, index + 1)
    console.print(Panel(heat, title="entries per day", expand=False))
    if stats.askers:
        table = Table(box=None, header_style="bold", show_edge=False)
        table.add_column("asker")
        table.add_column("questions", justify="right")
        table.add_column("")
        most = stats.askers[0][1]
        bar_width = max(10, min(40, console.width - 40))
        for name, count in stats.askers[:top]:
            table.add_row(name, str(count), "█" * max(1, count * bar_width // most))
        console.print(table)
