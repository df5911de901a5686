"""Post templates: find them (the log's own first, then built-in) and render them.

Templates are Jinja2 rendered in `SandboxedEnvironment` with
`StrictUndefined`: a template can't reach Python internals, files or a
shell, and a misspelt variable is an error naming the template and line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studylog.config import Settings, cache_file, read_cache, write_cache
from studylog.confine import FileTooLargeError, NotRegularFileError, read_regular
from studylog.errors import TemplateExistsError, TemplateNotFoundError, TemplateRenderError

TEMPLATE_SUFFIX = ".md"

# The names a template can use; docs/config.md documents each and a test
# checks the two lists agree.
TEMPLATE_VARIABLES: dict[str, str] = {
    "slug": "the post's slug, e.g. day5",
    "day": "the number in the slug (5 for day5), or None",
    "date": "the post's date (a datetime.date; prints as YYYY-MM-DD)",
    "now": "the current time, aware, in the log's timezone",
    "title": "the title from --title or the title pattern",
    "moderator": "the moderator's name, or an empty string",
    "participants": "the list of participant names",
    "config": "the log's settings (config.profile, config.roster, …)",
    "moderator_label": "the moderator line's label (formats.moderator_label: 모더레이터)",
    "participants_label": "the participants line's label (formats.participants_label: 참가자)",
    "headings": "each section's heading text by key (headings.questions: 질문내용)",
    "previous": "the previous post (slug, title, date, participants), or None",
    "course": "the course from .studylog.yml (the category), or an empty string",
    "layout": "the layout a post needs (single, post), or None when _config.yml gives one",
    "week": "for `studylog week`: the week's number, dates, posts, questions, reviews; else None",
}


@dataclass(frozen=True)
class TemplateInfo:
    """A template `new` can use: its name, where it is, and whether it is built-in."""

    name: str
    path: Path
    builtin: bool


def builtin_templates_path() -> Path:
    """The folder of the built-in templates.

    In a wheel they are packaged as `studylog/_templates`; in a source
    checkout they are the repository's top-level `templates/`.
    """
    packaged = Path(__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def list_templates(settings: Settings) -> list[TemplateInfo]:
    """Every template by name; a log's own template hides a built-in of that name."""
    found: dict[str, TemplateInfo] = {}
    for folder, builtin in ((builtin_templates_path(), True), (settings.templates_path, False)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{TEMPLATE_SUFFIX}")):
            found[path.stem] = TemplateInfo(path.stem, path, builtin)
    return sorted(found.values(), key=lambda t: t.name)


def find_template(settings: Settings, name: str) -> TemplateInfo:
    """The template called `name`.

    Raises:
        TemplateNotFoundError: no such template, listing the ones there are.
    """
    for info in list_templates(settings):
        if info.name == name:
            return info
    names = ", ".join(t.name for t in list_templates(settings)) or "none"
    # A name is a file's stem in one folder: suggesting `_templates/../x.md`
    # for a path-like name would point outside the template folder.
    if "/" in name or "\\" in name or name.startswith("."):
        raise TemplateNotFoundError(
            f"No template '{name}': a template is named by a word (there are: {names})."
        )
    raise TemplateNotFoundError(
        f"No template '{name}' (there are: {names}); "
        f"add {settings.templates_dir}/{name}{TEMPLATE_SUFFIX} or pick one of those."
    )


def read_template(info: TemplateInfo) -> str:
    """A template's text, read as the renderer would (a regular file, UTF-8, bounded).

    Raises:
        TemplateNotFoundError: it can't be read, is no regular file, too large or not UTF-8.
    """
    try:
        data = read_regular(info.path, MAX_TEMPLATE_BYTES)
        return data.decode("utf-8")
    except NotRegularFileError as err:
        problem = "is not a regular file"
        cause: Exception = err
    except FileTooLargeError as err:
        problem = f"is larger than {MAX_TEMPLATE_BYTES:,} bytes"
        cause = err
    except UnicodeDecodeError as err:
        problem = "is not UTF-8 text"
        cause = err
    except OSError as err:
        problem = f"can't be read ({err.strerror})"
        cause = err
    raise TemplateNotFoundError(
        f"Template '{info.name}' ({info.path}) {problem}; fix or remove it."
    ) from cause


def find_builtin_template(name: str) -> TemplateInfo:
    """The built-in template called `name`, even when the log has one of that name.

    Raises:
        TemplateNotFoundError: no built-in template of that name, listing those there are.
    """
    folder = builtin_templates_path()
    path = folder / f"{name}{TEMPLATE_SUFFIX}"
    if name and Path(name).name == name and not name.startswith(".") and path.is_file():
        return TemplateInfo(name, path, True)
    names = ", ".join(sorted(p.stem for p in folder.glob(f"*{TEMPLATE_SUFFIX}")))
    raise TemplateNotFoundError(f"No built-in template '{name}' (there are: {names}).")


def copy_builtin_template(settings: Settings, name: str, force: bool = False) -> Path:
    """Copy the built-in template `name` into the log's templates folder; return its path.

    The copy then hides the built-in (see `list_templates`), so editing it
    changes what `new` writes. An existing file is replaced only with `force`.

    Raises:
        TemplateNotFoundError: no built-in template of that name.
        TemplateExistsError: the log has that template and `force` is off.
        PathOutsideLogError: the target is a symlink, or the folder leads out of the log.
        PostWriteError: the folder can't be created or written.
    """
    # Only a copy writes in the templates folder.
    from studylog.confine import is_inside
    from studylog.errors import PathOutsideLogError, PostWriteError
    from studylog.post import write_atomic

    source = find_builtin_template(name)
    text = read_template(source)
    folder = settings.templates_path
    target = folder / source.path.name
    if not is_inside(folder, settings.root) or target.is_symlink():
        raise PathOutsideLogError(
            f"{target} is a symlink or leads outside the log, so studylog won't write it; "
            "make it an ordinary file in the log."
        )
    if os.path.lexists(target) and not force:
        raise TemplateExistsError(
            f"The log already has {target}; edit it, or pass --force to replace it "
            "with the built-in one."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PostWriteError(
            f"Can't create {folder} ({err.strerror}); check the permissions."
        ) from err
    write_atomic(target, text.encode("utf-8"))
    return target


def template_folders(settings: Settings) -> tuple[Path, ...]:
    """Where `include`, `extends` and `import` may load from: the log's folder, then built-in."""
    return (settings.templates_path, builtin_templates_path())


def _yaml_string(value: Any) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so titles with
    # ':' or '[' stay strings in the front matter.
    return json.dumps(str(value), ensure_ascii=False)


# The sandbox's bounds. A template is a teammate's file as much as the user's
# (`sync` pulls it), so it may be hostile or just wrong: either way it must
# end quickly with a sentence, never eat the machine or write a huge post.
MAX_OUTPUT_CHARS = 1_000_000  # a day's post is a few kilobytes
MAX_TEMPLATE_BYTES = 1_000_000
MAX_CALL_DEPTH = 100  # macro and recursive-loop nesting
MAX_CPU_SECONDS = 2.0  # bounds loops: the built-in templates render in ~1 ms
MAX_EXTRA_MEMORY = 512 * 1024 * 1024
_MAX_POWER_BITS = 100_000  # `**` results: 10**30000 is fine, 9**9**9 is not


class _BudgetExceeded(Exception):
    """A template went past one of the bounds above; the message says which."""


def _plain(value: Any, where: str) -> Any:
    """`value` as plain data: str, int, float, bool, None, dates, lists and dicts.

    Dataclasses become dicts, tuples lists, paths strings, and an aware time
    gets a fixed-offset zone (a `ZoneInfo` is an object with methods that
    reach the zone files). Anything else is a programming error.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        if offset is None:
            return value
        return value.replace(tzinfo=dt.timezone(offset, value.tzname() or ""))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name), f"{where}.{f.name}")
            for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        # A NamedTuple record (the settings): a mapping by field, like a dataclass.
        return {name: _plain(getattr(value, name), f"{where}.{name}") for name in value._fields}
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[]") for v in value]
    raise TypeError(f"template variable {where} is a {type(value).__name__}, not plain data")


def render_template(
    info: TemplateInfo, variables: dict[str, Any], folders: tuple[Path, ...] = ()
) -> str:
    """Render a template in the sandbox, with plain data only.

    Args:
        info: the template to render.
        variables: its variables; each becomes plain data (see `_plain`), so
            no object with methods (a `Path`, the settings) reaches it.
        folders: where `include`/`extends`/`import` may load from (symlinks
            must resolve inside them); default: the template's own folder.

    Raises:
        TemplateRenderError: one sentence naming the template and line, for a
            syntax error, an undefined variable, an unsafe access, a template
            it may not load, a runtime error, or a bound it went past.
    """
    # Jinja2 only where a template is rendered (TID253).
    from jinja2 import TemplateError

    folders = folders or (info.path.parent,)
    context = {name: _plain(value, name) for name, value in variables.items()}
    env, loader = _environment(folders)
    top = loader.name_of(info.path)
    if top is None:
        raise TemplateRenderError(
            f"Template '{info.name}' ({info.path}) is not inside the template folders "
            f"({', '.join(str(f) for f in folders)}); move it there."
        )
    try:
        with _bounded():
            template = env.get_template(top)
            chunks: list[str] = []
            size = 0
            output = template.generate(**context)
            for chunk in output:
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    # Thrown into the template where it paused, so the
                    # traceback (and the message) names that template and line.
                    output.throw(
                        _BudgetExceeded(f"made more than {MAX_OUTPUT_CHARS:,} characters of output")
                    )
                chunks.append(chunk)
            text = "".join(chunks)
            # A "\udc80" escape in a template string is no character a post can hold.
            text.encode("utf-8")
            return text
    except (TemplateError, _BudgetExceeded, ArithmeticError, LookupError, TypeError,
            ValueError, MemoryError, RecursionError, AttributeError) as err:  # fmt: skip
        # Any of these raised while the template ran is the template's fault,
        # so it becomes one sentence; other exceptions are studylog's bugs.
        raise TemplateRenderError(_describe(info, loader, err)) from err


def _environment(folders: tuple[Path, ...]) -> tuple[Any, _FolderLoader]:
    # Jinja2 only where a template is rendered (TID253).
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loader = _FolderLoader(folders)

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})
        depth = 0

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _check_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature, so keyword names can't clash
            if __self.depth >= MAX_CALL_DEPTH:
                raise _BudgetExceeded(f"nests calls more than {MAX_CALL_DEPTH} deep")
            __self.depth += 1
            try:
                return super().call(__context, __obj, *args, **kwargs)
            finally:
                __self.depth -= 1

    # Jinja2 only where a template is rendered (TID253).
    from jinja2 import StrictUndefined

    env = Sandbox(
        loader=loader.as_jinja_loader(),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
        bytecode_cache=_compiled_templates(),
    )
    env.filters["yaml"] = _yaml_string
    return env, loader


# Compiling a template (Jinja2 parses it and generates Python code) took ~5
# ms of each `new`. The compiled code of the same source in this same
# environment is the same every time, so it is kept in studylog's cache
# (`$XDG_CACHE_HOME/studylog/templates/`, off with STUDYLOG_NO_CACHE=1).
# Jinja2 keys each record by the template's name and file and uses it only
# for the very source it was compiled from (a sha1 of the text, which is
# read on every run anyway); a record also carries Jinja2's version and this
# file's size and modification time (where the sandbox is set up), and
# `read_cache`'s crc32, so a damaged or foreign record is a miss, never code run.
def _compiled_templates() -> Any:
    """A `jinja2.BytecodeCache` in studylog's cache folder, or None when caches are off."""
    cached = cache_file("templates")
    if cached is None:
        return None
    folder: Path = cached
    # Jinja2 only where a template is rendered (TID253).
    from jinja2 import __version__ as jinja_version
    from jinja2.bccache import BytecodeCache

    try:
        info = os.stat(__file__)
        mark = f"{jinja_version} {info.st_size} {info.st_mtime_ns}\n".encode()
    except OSError:
        return None

    class CompiledTemplates(BytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            record = folder / f"{bucket.key}.jinja"
            if not (_only_mine(folder) and _only_mine(record)):
                return  # compiled again, and not written over a file someone else controls
            data = read_cache(record)
            if data is not None and data.startswith(mark):
                # Jinja2 checks its own magic and the source's checksum.
                bucket.bytecode_from_string(data[len(mark) :])

        def dump_bytecode(self, bucket: Any) -> None:
            if folder.exists() and not _only_mine(folder):
                return
            write_cache(folder / f"{bucket.key}.jinja", mark + bucket.bytecode_to_string())

    return CompiledTemplates()


def _only_mine(path: Path) -> bool:
    """Whether `path` is this user's and no other user may write it.

    A record is code that runs: one that another user owns or may change
    (in a cache folder on a shared disk, or a world-writable one) is not
    loaded. The group's write bit is allowed, because many systems give
    each user a group of their own and a umask of 002.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o002


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                if len(seq) * times > MAX_OUTPUT_CHARS:
                    raise _BudgetExceeded(
                        f"repeats a value {times:,} times, past the {MAX_OUTPUT_CHARS:,} limit"
                    )
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if right > 0 and abs(left) > 1 and left.bit_length() * right > _MAX_POWER_BITS:
            raise _BudgetExceeded(f"computes {left}**{right}, a number too large to write")


class _FolderLoader:
    """Reads templates only as regular files that resolve inside its folders.

    Jinja2's `split_template_path` already refuses `..`; resolving each
    candidate and checking it against the resolved folder also refuses
    symlinks that lead out (to `~/.ssh/id_rsa`, say, whose text would land
    in a post). `as_jinja_loader()` wraps it for the environment.
    """

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders
        # the file name Jinja2 reports in tracebacks -> the name the user wrote
        self.names: dict[str, str] = {}

    def as_jinja_loader(self) -> Any:
        """A `jinja2.BaseLoader` that asks this object for each source."""
        # Jinja2 only where a template is rendered (TID253).
        from jinja2 import BaseLoader

        outer = self

        class Loader(BaseLoader):
            def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
                return outer.get_source(template)

        return Loader()

    def name_of(self, path: Path) -> str | None:
        """The loader name (relative to its folder) of a template file, or None if outside."""
        for folder in self.folders:
            try:
                relative = path.absolute().relative_to(folder.absolute())
            except ValueError:
                continue
            return relative.as_posix()
        return None

    def get_source(self, template: str) -> tuple[str, str, Any]:
        # Jinja2 only where a template is rendered (TID253).
        from jinja2 import TemplateNotFound
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)
        for folder in self.folders:
            candidate = folder.joinpath(*pieces)
            if not os.path.lexists(candidate):
                continue
            try:
                real = candidate.resolve(strict=True)
                inside = real.is_relative_to(folder.resolve())
            except (OSError, RuntimeError):
                inside = False
            if not inside:
                raise TemplateNotFound(
                    template,
                    f"'{template}' leads outside the template folders, so it is not loaded",
                )
            try:
                data = read_regular(real, MAX_TEMPLATE_BYTES)
            except NotRegularFileError as err:
                raise TemplateNotFound(template, f"'{template}' is not a regular file") from err
            except FileTooLargeError as err:
                raise TemplateNotFound(
                    template, f"'{template}' is larger than {MAX_TEMPLATE_BYTES:,} bytes"
                ) from err
            except OSError as err:
                raise TemplateNotFound(
                    template, f"'{template}' can't be read ({err.strerror})"
                ) from err
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise TemplateNotFound(template, f"'{template}' is not UTF-8 text") from err
            self.names[str(real)] = template
            return source, str(real), lambda: False
        raise TemplateNotFound(template, f"no template '{template}' in the template folders")


@contextmanager
def _bounded() -> Iterator[None]:
    """Bound the CPU time and memory of the code inside (POSIX, main thread).

    A CPU timer raises in the template's own frame, so the error can name
    its line; lowering the address-space limit turns a huge allocation into
    a MemoryError instead of swapping. Both are put back afterwards.
    """
    # resource, signal and threading only while a template renders (its bounds).
    import resource
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    old_handler: Any = None
    if main:

        def out_of_time(signum: int, frame: Any) -> None:
            raise _BudgetExceeded(f"ran longer than {MAX_CPU_SECONDS:g} seconds")

        old_handler = signal.signal(signal.SIGVTALRM, out_of_time)
        signal.setitimer(signal.ITIMER_VIRTUAL, MAX_CPU_SECONDS)
    old_limit = resource.getrlimit(resource.RLIMIT_AS)
    limited = False
    size = _address_space_size()
    if size is not None:
        soft, hard = old_limit
        wanted = size + MAX_EXTRA_MEMORY
        if (soft == resource.RLIM_INFINITY or wanted < soft) and (
            hard == resource.RLIM_INFINITY or wanted <= hard
        ):
            try:
                resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
                limited = True
            except (ValueError, OSError):
                pass
    try:
        yield
    finally:
        if limited:
            resource.setrlimit(resource.RLIMIT_AS, old_limit)
        if main:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, old_handler)


def _address_space_size() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _describe(info: TemplateInfo, loader: _FolderLoader, err: BaseException) -> str:
    """One sentence for a template error: which template, which line, what, what to do."""
    # Jinja2 only where a template is rendered (TID253).
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    name, line = info.name, None
    if isinstance(err, TemplateSyntaxError):
        line = err.lineno
        if err.filename:
            name = _display_name(info, loader, err.filename)
    # Jinja rewrites tracebacks so the template's own frames carry its file
    # name and line numbers; the innermost such frame is where it went wrong.
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in loader.names or filename == "<template>":
            name, line = _display_name(info, loader, filename), tb.tb_lineno
        tb = tb.tb_next
    where = f"Template '{name}'" + (f" line {line}" if line is not None else "")
    if isinstance(err, TemplateNotFound):
        # Jinja2's own message for a refused name (`../x.md`) is the bare name.
        problem = (
            err.message if err.message and err.message != err.name else f"can't load '{err.name}'"
        )
        advice = "include, extend or import only templates in the template folders"
    elif isinstance(err, SecurityError):
        problem = f"tried an unsafe access ({err})"
        advice = "templates can only use the documented variables"
    elif isinstance(err, UndefinedError):
        problem = err.message or "uses an undefined value"
        advice = f"the variables are {', '.join(TEMPLATE_VARIABLES)}"
    elif isinstance(err, _BudgetExceeded):
        problem = str(err)
        advice = "make it smaller"
    elif isinstance(err, MemoryError):
        problem = f"needed more than {MAX_EXTRA_MEMORY // 2**20} MB of memory"
        advice = "make it smaller"
    elif isinstance(err, RecursionError):
        problem = "recurses too deeply"
        advice = "make it stop"
    elif isinstance(err, TemplateSyntaxError):
        problem = err.message or "has a syntax error"
        advice = "fix it"
    else:
        problem = getattr(err, "message", None) or f"{type(err).__name__}: {err}"
        advice = "fix it"
    return f"{where}: {_one_line(problem)}; {advice}."


def _display_name(info: TemplateInfo, loader: _FolderLoader, filename: str) -> str:
    loaded = loader.names.get(filename)
    if loaded is None or filename == str(info.path.resolve()):
        return info.name
    return loaded


def _one_line(text: str, limit: int = 200) -> str:
    """`text` on one line, cut to `limit` characters (a message may quote a huge value)."""
    flat = " ".join(str(text).split()).rstrip(".")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
