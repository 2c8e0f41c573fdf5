"""The command line: the only module that reads the environment or the clock, opens the
network, prints, writes files and picks the exit code (CONTRACT.md, "Exit codes").
"""

from __future__ import annotations

import difflib
import gc
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from checker import __version__
from checker.errors import AuthRejected, BackupDriftError, SourceError, SpecError, UsageError
from checker.model import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_API_VERSION,
    SUPPORTED_API_VERSIONS,
    FailOn,
    Spec,
)

if TYPE_CHECKING:
    from checker.model import FindingIdentity, ProjectState, Report
    from checker.shard import Shard
    from checker.source.gather import PageReader

DEFAULT_SPEC = "schedules.yaml"
DEFAULT_API_URL = "https://api.pinecone.io"
DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT = 300.0
# The names in checker.report.RENDERERS, written out so that `--version` and `validate` need
# not import every renderer; a test keeps the two equal.
FORMATS = ("text", "json", "github", "markdown", "junit", "sarif", "prometheus")
FORMAT_CHOICES = ("auto", *FORMATS)
FAIL_ON = ("error", "warning", "notice", "never")
FILE_PATH = click.Path(dir_okay=False, path_type=Path)
DIR_PATH = click.Path(file_okay=False, path_type=Path)


# --------------------------------------------------------------------------- helpers

# The API key, once read, so that every line leaving the process can be checked for it.
# Nothing should ever contain it; this is the last line of defence, not the first.
_SECRETS: set[str] = set()


def redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "[REDACTED]")
    return text


def _echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    click.echo(redact(message), err=err, nl=nl)


def _echo_err(message: str) -> None:
    _echo(message, err=True)


def _fail(message: str, code: int) -> NoReturn:
    """Each line of `message` made log-safe (it may quote the API or a snapshot), then exit."""
    from checker.report.escape import terminal_safe

    for line in message.splitlines() or [""]:
        _echo_err(f"backup-drift: {terminal_safe(line, limit=1000)}")
    raise SystemExit(code)


def _load_spec(path: str) -> Spec:
    from checker.spec import load_spec

    return load_spec(Path(path), display=path)


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    from checker.timeutil import parse_api_time

    try:
        return parse_api_time(value.strip())
    except ValueError:
        raise UsageError(
            f"--now: expected an ISO-8601 instant with an offset or Z, such as "
            f"2026-04-30T12:00:00Z, got {value!r}"
        ) from None


def _resolve_format(fmt: str) -> str:
    if fmt != "auto":
        return fmt
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _parse_report_targets(values: Sequence[str]) -> list[tuple[str, Path]]:
    targets = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if not sep or not path:
            raise UsageError(f"--report: expected FORMAT=PATH, got {value!r}")
        if fmt not in FORMATS:
            raise UsageError(f"--report: unknown format {fmt!r}{_did_you_mean(fmt, FORMATS)}")
        targets.append((fmt, Path(path)))
    return targets


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; choose from {', '.join(choices)}"


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class ApiSettings:
    url: str
    version: str
    key_env: str


def _api_settings(spec: Spec, api_url: str | None, api_version: str | None) -> ApiSettings:
    from checker.source.http import check_api_url

    url = check_api_url(api_url or os.environ.get("PINECONE_API_URL") or DEFAULT_API_URL)
    version = (
        api_version
        or os.environ.get("PINECONE_API_VERSION")
        or spec.api_version
        or DEFAULT_API_VERSION
    )
    if version not in SUPPORTED_API_VERSIONS:
        hint = _did_you_mean(version, SUPPORTED_API_VERSIONS)
        raise UsageError(f"API version {version!r} is not supported{hint}")
    return ApiSettings(url, version, spec.api_key_env)


def _api_key(env_name: str) -> str:
    key = os.environ.get(env_name, "").strip()
    if not key:
        raise UsageError(
            f"no API key: set the environment variable {env_name} "
            "(or replay a recording with --snapshot DIR)"
        )
    _SECRETS.add(key)
    return key


@dataclass(frozen=True)
class FetchOptions:
    api_url: str | None
    api_version: str | None
    concurrency: int
    timeout: float
    snapshot: Path | None = None

    @property
    def workers(self) -> int:
        """Threads reading listings: a snapshot's files are local, and more threads would
        only compete with the parsing and judging for the interpreter."""
        return 1 if self.snapshot is not None else self.concurrency


@dataclass(frozen=True)
class Source:
    reader: PageReader
    api_url: str
    api_version: str


@contextmanager
def _open_source(spec: Spec, options: FetchOptions) -> Iterator[Source]:
    """The snapshot when one is given, else the live API (which needs the key)."""
    if options.snapshot is not None:
        from checker.source.snapshot import SnapshotReader

        replay = SnapshotReader(options.snapshot)
        yield Source(replay, replay.api_url, replay.api_version or DEFAULT_API_VERSION)
        return
    from checker.source.http import PineconeHttp

    settings = _api_settings(spec, options.api_url, options.api_version)
    client = PineconeHttp(
        api_url=settings.url,
        api_key=_api_key(settings.key_env),
        api_key_env=settings.key_env,
        api_version=settings.version,
        deadline=options.timeout,
        max_in_flight=options.concurrency,
    )
    with client:
        yield Source(client, settings.url, settings.version)


def _read_all(spec: Spec, reader: PageReader, concurrency: int) -> ProjectState:
    from checker.source.gather import gather

    try:
        return gather(spec, reader, concurrency)
    except AuthRejected as exc:  # no point in asking again with a key the API refuses
        from checker.model import Missing, ProjectState

        return ProjectState(Missing(str(exc)), {}, {}, {})


def _judge_live(
    spec: Spec,
    reader: PageReader,
    concurrency: int,
    now: datetime,
    fail_on: FailOn,
    known: frozenset[FindingIdentity] | None,
    shard: Shard | None = None,
) -> Report:
    """Fetch and judge at once: each history is judged when it arrives, then released."""
    from checker.model import Missing
    from checker.source.gather import stream
    from checker.stream import evaluate_stream

    try:
        indexes, listings = stream(spec, reader, concurrency, shard)
        return evaluate_stream(spec, indexes, listings, now, fail_on, known, shard)
    except AuthRejected as exc:  # every schedule is unknown, for the same one reason
        return evaluate_stream(spec, Missing(str(exc)), (), now, fail_on, known, shard)


# --------------------------------------------------------------------------- output


def _use_color(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")  # no-color.org: non-empty


def _render(report: Report, fmt: str, *, color: bool = False) -> str:
    from checker.report import render
    from checker.report.text import render_text

    return render_text(report, color=True) if fmt == "text" and color else render(report, fmt)


def _write_file(path: Path, text: str) -> None:
    from checker.files import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, redact(text).encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _emit(report: Report, fmt: str, output: Path | None, targets: list[tuple[str, Path]]) -> None:
    for target_fmt, path in targets:
        _write_file(path, _render(report, target_fmt))
    if output is not None:
        _write_file(output, _render(report, fmt))
    else:
        _echo(_render(report, fmt, color=_use_color(sys.stdout)), nl=False)


# --------------------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="backup-drift")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def cli(verbose: bool) -> None:  # `main` reads -v itself: it must work before click runs
    """Check Pinecone backup schedules against the policy in schedules.yaml."""


def _api_options(command: Callable[..., object]) -> Callable[..., object]:
    command = click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Total seconds for all API reads; what is unread then is unknown (exit 3).",
    )(command)
    command = click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=DEFAULT_CONCURRENCY,
        show_default=True,
        help="Most API requests in flight at once (fewer while the API answers 429).",
    )(command)
    command = click.option(
        "--api-version", metavar="V", help="X-Pinecone-Api-Version [env PINECONE_API_VERSION]."
    )(command)
    return click.option(
        "--api-url", metavar="URL", help="Control-plane URL [env PINECONE_API_URL]."
    )(command)


@cli.command()
@click.argument("spec", default=DEFAULT_SPEC, metavar="[SPEC]")
@_api_options
@click.option("--now", "now_text", metavar="TIMESTAMP", help="Judge as if it were this instant.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True
)
@click.option("-o", "--output", type=FILE_PATH, help="Write the report here instead of stdout.")
@click.option(
    "--report", "reports", multiple=True, metavar="FMT=PATH", help="Also write FMT to PATH."
)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
@click.option("--snapshot", type=DIR_PATH, help="Replay a snapshot instead of calling the API.")
@click.option(
    "--baseline", type=FILE_PATH, help="An earlier JSON report: fail only on findings not in it."
)
@click.option("--shard", "shard_text", metavar="K/N", help="Check only shard K of N (CI matrix).")
def check(
    spec: str,
    api_url: str | None,
    api_version: str | None,
    now_text: str | None,
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    fail_on: FailOn,
    snapshot: Path | None,
    baseline: Path | None,
    shard_text: str | None,
    concurrency: int,
    timeout: float,
) -> None:
    """Fetch the live state (or a snapshot), judge it against SPEC and report."""
    from checker.shard import parse_shard

    policy = _load_spec(spec)
    now, targets = _parse_now(now_text), _parse_report_targets(reports)
    known = _load_baseline(baseline)
    shard = parse_shard(shard_text) if shard_text is not None else None
    options = FetchOptions(api_url, api_version, concurrency, timeout, snapshot)
    started = time.monotonic()
    with _open_source(policy, options) as source:
        report = _judge_live(policy, source.reader, options.workers, now, fail_on, known, shard)
    report = replace(report, duration_seconds=round(time.monotonic() - started, 3))
    _emit(report, _resolve_format(fmt), output, targets)
    _warn_if_incomplete(report)
    raise SystemExit(report.exit_code)


def _load_baseline(path: Path | None) -> frozenset[FindingIdentity] | None:
    if path is None:
        return None
    from checker.baseline import load_baseline

    return load_baseline(path)


def _warn_if_incomplete(report: Report) -> None:
    """One stderr line on exit 3, so a CI log says why even when the report went to a file."""
    unknown = [s for s in report.schedules if s.status == "unknown"]
    if unknown:
        from checker.report.escape import terminal_safe

        first = terminal_safe(unknown[0].error or "no reason given")
        _echo_err(f"backup-drift: could not check {_count(len(unknown), 'schedule')}: {first}")


@cli.command()
@click.argument("specs", nargs=-1, metavar="[SPEC...]")
def validate(specs: tuple[str, ...]) -> None:
    """Check spec files offline: syntax, schema and meaning. Nothing is fetched."""
    failed = False
    for path in specs or (DEFAULT_SPEC,):
        try:
            loaded = _load_spec(path)
        except SpecError as exc:
            _echo_err(str(exc))
            failed = True
            continue
        _echo(f"{path}: valid ({_count(len(loaded.schedules), 'schedule')})")
    raise SystemExit(2 if failed else 0)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@cli.command()
@click.argument("spec", default=DEFAULT_SPEC, metavar="[SPEC]")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write.",
)
@click.option("--force", is_flag=True, help="Replace an existing snapshot in --out.")
@_api_options
def snapshot(
    spec: str,
    out: Path,
    force: bool,
    api_url: str | None,
    api_version: str | None,
    concurrency: int,
    timeout: float,
) -> None:
    """Record the raw API responses a check of SPEC reads, for offline replay."""
    from checker.source.snapshot import CaptureInfo, RecordingReader, write_snapshot

    policy = _load_spec(spec)
    _prepare_snapshot_dir(out, force)
    with _open_source(policy, FetchOptions(api_url, api_version, concurrency, timeout)) as live:
        recorder = RecordingReader(live.reader)
        _read_all(policy, recorder, concurrency)
    info = CaptureInfo(datetime.now(UTC), live.api_url, live.api_version, spec)
    write_snapshot(out, recorder.recording, info, secrets=tuple(_SECRETS))
    failed = [p for p, pages in recorder.recording.listings.items() if isinstance(pages, str)]
    listings = _count(len(recorder.recording.listings), "listing")
    _echo(f"wrote {listings} to {out}" + (f" ({len(failed)} unreadable)" if failed else ""))
    raise SystemExit(3 if failed else 0)


def _prepare_snapshot_dir(out: Path, force: bool) -> None:
    """Never overwrite anything but an earlier snapshot, and that only with --force."""
    if not out.exists() or not any(out.iterdir()):
        return
    if not force or not (out / "manifest.json").is_file():
        hint = " (use --force to replace it)" if (out / "manifest.json").is_file() else ""
        raise UsageError(f"{out} is not empty{hint}")
    import shutil

    shutil.rmtree(out / "bodies", ignore_errors=True)
    (out / "manifest.json").unlink()


@cli.command()
@click.option("--index", "globs", multiple=True, metavar="GLOB", help="Only these indexes.")
@click.option(
    "--out", default=DEFAULT_SPEC, show_default=True, type=FILE_PATH, help="Spec to write."
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--snapshot", type=DIR_PATH, help="Read a snapshot instead of calling the API.")
@_api_options
def init(
    globs: tuple[str, ...],
    out: Path,
    force: bool,
    snapshot: Path | None,
    api_url: str | None,
    api_version: str | None,
    concurrency: int,
    timeout: float,
) -> None:
    """Write a starting spec that declares the project's schedules as they are."""
    from checker.init import InitOptions, render_spec, unreadable
    from checker.model import Coverage, Location, Missing

    if out.exists() and not force:
        raise UsageError(f"{out} exists; use --force to overwrite it")
    where = Location(str(out), 1, 1)
    probe = Spec(
        str(out), DEFAULT_API_KEY_ENV, None, {}, Coverage(globs or ("*",), "off", where), ()
    )
    options = FetchOptions(api_url, api_version, concurrency, timeout, snapshot)
    with _open_source(probe, options) as source:
        state = _read_all(probe, source.reader, options.workers)
    if isinstance(state.indexes, Missing):
        raise SourceError(f"cannot read the index list: {state.indexes.reason}")
    spec_options = InitOptions(globs, DEFAULT_API_KEY_ENV, source.api_version)
    _write_file(out, render_spec(state.indexes, state.schedules, spec_options))
    gaps = unreadable(state.schedules.values())
    _echo(f"wrote {out}" + (f"; {gaps} index(es) could not be read (see comments)" if gaps else ""))
    raise SystemExit(3 if gaps else 0)


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=FILE_PATH, metavar="REPORT.json...")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True
)
@click.option("-o", "--output", type=FILE_PATH, help="Write the report here instead of stdout.")
@click.option(
    "--report", "targets", multiple=True, metavar="FMT=PATH", help="Also write FMT to PATH."
)
def merge(
    reports: tuple[Path, ...], fmt: str, output: Path | None, targets: tuple[str, ...]
) -> None:
    """Join the JSON reports of `check --shard K/N` runs into one report and exit code."""
    from checker.merge import merge_reports
    from checker.report.json_load import load_report

    destinations = _parse_report_targets(targets)
    merged = merge_reports([load_report(path) for path in reports])
    _emit(merged, _resolve_format(fmt), output, destinations)
    _warn_if_incomplete(merged)
    raise SystemExit(merged.exit_code)


@cli.command()
@click.argument("rule", required=False)
def explain(rule: str | None) -> None:
    """List the rules, or print one rule's documentation."""
    from checker.rules import ALL_RULES

    if rule is None:
        width = max(len(r) for r in ALL_RULES)
        for rule_id, entry in ALL_RULES.items():
            _echo(f"{rule_id:<{width}}  {entry.default_severity:<7}  {entry.summary}")
        return
    if rule not in ALL_RULES:
        raise UsageError(f"unknown rule {rule!r}{_did_you_mean(rule, list(ALL_RULES))}")
    entry = ALL_RULES[rule]
    _echo(f"{entry.id} (default severity: {entry.default_severity})\n")
    _echo(entry.doc.strip())


# --------------------------------------------------------------------------- entry point


def _internal_error(exc: BaseException, verbose: bool) -> NoReturn:
    if verbose:  # through _echo_err, so the traceback is scrubbed of the key like all output
        _echo_err("".join(traceback.format_exception(exc)).rstrip("\n"))
    _fail(
        f"internal error ({exc.__class__.__name__}): this is a bug; "
        "rerun with -v for details and report it",
        4,
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI and exit with the CONTRACT's exit code; never a bare traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    # A check builds a frozen object per history row and keeps few cycles; the default
    # collector thresholds spend about a quarter of a second per 70,000 rows rescanning them.
    gc.set_threshold(50_000, 20, 100)
    verbose = "-v" in args or "--verbose" in args
    try:
        cli.main(args=args, prog_name="backup-drift", standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:  # usage errors: exit 2
        exc.show()
        raise SystemExit(2) from None
    except click.exceptions.Abort:
        _fail("aborted", 2)
    except SpecError as exc:  # one located, escaped line per problem and nothing else
        _echo_err(str(exc))
        raise SystemExit(2) from None
    except BackupDriftError as exc:
        _fail(str(exc), exc.exit_code) if exc.exit_code != 4 else _internal_error(exc, verbose)
    except SystemExit:
        raise
    except Exception as exc:
        _internal_error(exc, verbose)
    raise SystemExit(0)
