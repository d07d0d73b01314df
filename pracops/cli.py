"""The ``pracops`` command: run reports, list them, write the sample, validate a practice's data.

Exit status:

- 0: everything ran;
- 1: a report failed (the others still ran), or pracops itself failed (an internal error,
  printed as ``pracops: internal error: ...``: a bug to report, not a fault of the input);
- 2: bad usage, bad input or a fault of the environment (a file that cannot be read, an
  ``--out`` that cannot be written, a parameter file that is not YAML): every
  :class:`~pracops.errors.PracopsError` and every :class:`OSError`;
- 130 / 143: stopped by SIGINT (Ctrl-C) / SIGTERM; a run that was under way writes its
  folder first, with the reports that did not finish marked ``interrupted``.

Every error is one line on stderr, never a traceback; ``pracops --debug ...`` adds the
traceback above the line. ``run`` prints the path of the run's ``index.html`` on stdout
whenever it wrote a run folder, interrupted or not.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import signal
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from pracops import config
from pracops.errors import PracopsError, os_problem

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Stopped(BaseException):
    """SIGINT or SIGTERM outside a run's own handling (BaseException: no ``except Exception``
    on the way may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signal = signal.Signals(signum)


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stopped(signum)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own contract)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pracops", description="Operations reports for a medical practice.")
    p.add_argument("--notebooks", metavar="DIR",
                   help="folder of report notebooks (default: the project's notebooks/)")
    p.add_argument("--debug", action="store_true",
                   help="show the traceback above an error's one line")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run reports headless and export them",
                       description="Run reports (all when none is named) through papermill.")
    r.add_argument("reports", nargs="*", metavar="REPORT")
    r.add_argument("-f", "--file", action="append", default=[], metavar="FILE",
                   help="YAML parameter file, applied after parameters/<report>.yaml")
    r.add_argument("-p", "--param", nargs=2, action="append", default=[],
                   metavar=("KEY", "VALUE"), help="one parameter (KEY or REPORT.KEY)")
    r.add_argument("--data", metavar="DIR", help="folder of the practice's exports "
                   "(default: the bundled sample)")
    r.add_argument("--out", metavar="DIR", help="where the run folder goes (default: outputs/)")
    r.add_argument("--jobs", type=int, metavar="N",
                   help="reports at once (default: twice the CPU count)")
    r.add_argument("--parameters", metavar="DIR",
                   help="folder of <report>.yaml defaults (default: parameters/)")
    r.add_argument("--timeout", type=int, metavar="SECONDS",
                   help="fail a report when one cell runs longer than this")
    r.add_argument("--no-html", action="store_true", help="skip the HTML export")
    r.add_argument("--quiet", action="store_true", help="print only the index path")
    g = r.add_argument_group("many practices (a group run on a Dask cluster)")
    g.add_argument("--practices", metavar="FILE",
                   help="practices.yaml listing the practices: run each one's reports on a "
                   "Dask cluster and write group.html")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler (tcp://HOST:8786); default: a local cluster "
                   "started for the run")
    g.add_argument("--workers", type=int, metavar="N",
                   help="the local cluster's workers (default: one per core)")
    g.add_argument("--retries", type=int, default=2, metavar="N",
                   help="times a report is run again when its worker dies (default 2; a "
                   "running cluster's scheduler sets its own: docs/group.md)")
    g.add_argument("--host", default="127.0.0.1",
                   help="where the local cluster and its dashboard listen (default 127.0.0.1)")

    sub.add_parser("list", help="list reports and their parameters")

    s = sub.add_parser("sample", help="write the bundled sample data to a folder to adapt")
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--force", action="store_true", help="overwrite files already there")
    s.add_argument("--practices", type=int, metavar="N",
                   help="write N distinct practices (one folder each) and their practices.yaml")

    v = sub.add_parser("validate", help="load and check every dataset without running reports")
    v.add_argument("--data", metavar="DIR", help="folder of exports (default: bundled sample)")
    for command in sub.choices.values():  # also accepted after the command: run --debug
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help=argparse.SUPPRESS)
    return p


def _cmd_run(args: argparse.Namespace) -> int:
    from pracops import runner
    from pracops.runner import warm

    if args.jobs is not None and args.jobs < 1:
        raise PracopsError("--jobs must be at least 1")
    if args.practices:
        return _cmd_group(args)
    if args.scheduler or args.workers:
        raise PracopsError("--scheduler and --workers go with --practices FILE (a group run)")
    available = runner.discover(args.notebooks)
    reports = runner.check_reports(args.reports, available)
    params = runner.resolve_parameters(
        reports, parameters_dir=args.parameters, files=args.file,
        overrides=[tuple(kv) for kv in args.param], data=args.data,
    )
    with tempfile.TemporaryDirectory(prefix="pracops-checked-") as checked:
        checking = _Checking(reports, params, quiet=args.quiet, record=checked)
        # on the other core, while the inputs are checked
        runner.prepare(html=not args.no_html, warm_kernels=True)
        try:
            if not checking.passed():
                return EXIT_USAGE
            return _run(args, runner, reports, params, checked)
        finally:
            warm.stop_zygote()


def _run(args: argparse.Namespace, runner: ModuleType, reports: Sequence[Any],
         params: dict[str, dict[str, Any]], checked: str) -> int:
    tty = sys.stderr.isatty() and not args.quiet

    def progress(line: str) -> None:
        if tty:
            print(f"  {line}", file=sys.stderr, flush=True)

    if not reports:
        print("pracops: no reports found in "
              f"{args.notebooks or config.NOTEBOOKS_DIR}", file=sys.stderr)
    result = runner.run(
        reports, params, out=args.out, jobs=args.jobs, html=not args.no_html,
        timeout=args.timeout, inputs=[config.data_dir(args.data)],
        command=["pracops", *sys.argv[1:]], progress=progress, checked=checked,
    )
    if result.stopped_by:
        done = sum(r.status != "interrupted" for r in result.reports)
        print(f"pracops: stopped by {result.stopped_by}: {done} of {len(result.reports)} "
              f"reports finished, the rest are marked interrupted in {result.index}",
              file=sys.stderr)
    else:
        for r in result.reports:
            if r.status != "ok" and not tty:
                err = r.error or {}
                print(f"pracops: {r.report} failed: {err.get('name')}: {err.get('message')}",
                      file=sys.stderr)
    print(result.index)
    return result.exit_code


def _cmd_group(args: argparse.Namespace) -> int:
    """``pracops run --practices FILE``: :mod:`pracops.group`."""
    from pracops import runner
    from pracops.group import cluster, practices, run

    if args.data:
        raise PracopsError("--data and --practices do not go together: practices.yaml names "
                           "each practice's data folder")
    if args.workers is not None and args.workers < 1:
        raise PracopsError("--workers must be at least 1")
    if args.retries < 0:
        raise PracopsError("--retries must be 0 or more")
    available = runner.discover(args.notebooks)
    listed = practices.load_practices(args.practices, list(available))
    runs = run.plan(listed, args.reports, available, parameters_dir=args.parameters,
                    files=args.file, overrides=[tuple(kv) for kv in args.param])
    quiet = args.quiet

    def say(line: str) -> None:
        if not quiet:
            print(f"  {line}", file=sys.stderr, flush=True)

    with cluster.connect(args.scheduler, workers=args.workers, host=args.host,
                         retries=args.retries) as client:
        link = _dashboard(client)
        if link and not quiet:
            print(f"pracops: Dask dashboard at {link}", file=sys.stderr, flush=True)
        result = run.run_group(
            runs, client, out=args.out or config.outputs_dir(), html=not args.no_html,
            timeout=args.timeout, say=say,
            progress=None if quiet or not sys.stderr.isatty() else run.Bars,
            command=["pracops", *sys.argv[1:]])
    if result.stopped_by:
        print(f"pracops: stopped by {result.stopped_by}: the reports that did not finish are "
              f"marked interrupted in {result.page}", file=sys.stderr)
    for p in result.practices:
        if quiet:  # else said as it happened
            for line in p.refused:
                print(f"pracops: {p.practice.id} refused: {line}", file=sys.stderr)
        for name, r in p.results.items():
            if r.status == "failed":
                err = r.error or {}
                print(f"pracops: {p.practice.id}: {name} failed: {err.get('name')}: "
                      f"{err.get('message')}", file=sys.stderr)
    print(result.page)
    return result.exit_code


def _dashboard(client: Any) -> str | None:
    """The cluster's dashboard address, when its scheduler serves one."""
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:  # a scheduler that does not say: no link rather than a wrong one
        return None
    return client.dashboard_link if "dashboard" in services else None


class _Checking:
    """:func:`_inputs_usable` in a forked child process (:class:`pracops.processes.Forked`), so
    that the run's process gets its workers ready (papermill, the HTML exporter:
    :func:`pracops.runner.prepare`) on the other core meanwhile, and the frames checked never
    live in the process every report's worker is forked from. The child writes what it
    checked into ``record`` and sends back what it printed and its verdict."""

    def __init__(self, reports: Sequence[Any], params: dict[str, dict[str, Any]], *,
                 quiet: bool, record: str) -> None:
        from pracops.processes import Forked

        self._child = Forked(_usable_and_printed, reports, params, quiet, record,
                             what="the check of the inputs")

    def passed(self) -> bool:
        """Wait for the child; print what it printed; its verdict, or raise what it raised."""
        usable, printed, raised = self._child.result()
        sys.stderr.write(printed)
        if raised is not None:
            raise raised
        return bool(usable)


def _usable_and_printed(reports: Sequence[Any], params: dict[str, dict[str, Any]],
                        quiet: bool, record: str) -> tuple[bool, str, Exception | None]:
    """:func:`_inputs_usable`, what it printed, and what it raised (printed all the same)."""
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        try:
            return _inputs_usable(reports, params, quiet=quiet, record=record), \
                printed.getvalue(), None
        except Exception as exc:
            from pracops.processes import sendable

            return False, printed.getvalue(), sendable(exc)


def _inputs_usable(reports: Sequence[Any], params: dict[str, dict[str, Any]], *,
                   quiet: bool, record: str | None = None) -> bool:
    """:func:`pracops.runner.inputs.check_inputs`, its problems (and, unless ``quiet``, its
    warnings) printed one line each; whether the inputs are usable."""
    from pracops.runner.inputs import check_inputs

    found = check_inputs(reports, params, record=record)
    for problem in found.problems:
        print(f"pracops: {problem}", file=sys.stderr)
    if not quiet:
        for line in found.warnings:
            print(f"pracops: warning: {line}", file=sys.stderr)
    return found.ok


def _cmd_list(args: argparse.Namespace) -> int:
    from pracops import runner

    reports = runner.discover(args.notebooks)
    if not reports:
        print(f"no reports in {args.notebooks or config.NOTEBOOKS_DIR}")
    for r in reports.values():
        print(f"{r.name}: {r.title}")
        if r.description:
            print(textwrap.indent(textwrap.fill(r.description, 88), "    "))
        for p in r.parameters.values():
            notes = "; ".join(x for x in (p.help, p.range_text) if x)
            print(f"    {p.name}: {p.type_label} = {p.default!r}" + (f"  # {notes}" if notes
                                                                      else ""))
    return EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from pracops import sample

    if args.practices is not None:
        from pracops.group.sample import write_group_sample

        if args.practices < 1:
            raise PracopsError("--practices must be at least 1")
        listing = write_group_sample(Path(args.out), args.practices, overwrite=args.force)
        print(f"wrote {args.practices} practices and {listing}")
        return EXIT_OK
    written = sample.write_sample(Path(args.out), overwrite=args.force)
    print(f"wrote {len(written)} files to {Path(args.out).resolve()}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from pracops import data

    found = data.check_folder(args.data)
    folder = args.data or config.SAMPLE_DIR
    for problem in found.errors:
        print(f"pracops: {problem}", file=sys.stderr)
    for line in found.quarantined:
        print(f"pracops: {line}", file=sys.stderr)
    for line in found.notes + found.cannot_run:
        print(f"pracops: note: {line}", file=sys.stderr)
    problems = len(found.errors) + len(found.quarantined)
    if problems:
        print(f"{problems} problem(s) in {folder}", file=sys.stderr)
        return EXIT_USAGE
    noted = len(found.notes) + len(found.cannot_run)
    notes = f" ({noted} note(s) above)" if noted else ""
    print(f"all {len(found.frames)} datasets in {folder} are valid{notes}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pracops`` console script."""
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    # jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed, which builds
    # a grammar for 1.6 s only to check "iri" formats that notebooks never use. This process
    # never needs it, so make that optional import fail fast.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    args = _parser().parse_args(argv)
    handler = {"run": _cmd_run, "list": _cmd_list, "sample": _cmd_sample,
               "validate": _cmd_validate}[args.command]
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return handler(args)
    except _Stopped as stop:  # a run under way handles its own stop (runner.run)
        return _fail(args, f"stopped by {stop.signal.name}", 128 + stop.signal.value)
    except PracopsError as exc:
        return _fail(args, f"error: {exc}", EXIT_USAGE)
    except OSError as exc:
        return _fail(args, f"error: {_os_error(exc)}", EXIT_USAGE)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return _fail(args, f"internal error: {type(exc).__name__}"
                     + (f": {first}" if first else "")
                     + ("" if args.debug else " (run with --debug for the traceback)"),
                     EXIT_FAILED)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _fail(args: argparse.Namespace, line: str, code: int) -> int:
    """Print the one line (after the traceback with ``--debug``) and give the exit status."""
    if args.debug:
        traceback.print_exc()
    print(f"pracops: {line}", file=sys.stderr)
    return code


def _os_error(exc: OSError) -> str:
    """One line for a fault of the environment: the path, what went wrong, what to fix."""
    paths = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    reason, fix = os_problem(exc, "folder" if exc.errno == errno.ENOTDIR else "file")
    return (f"{paths}: {reason}" if paths else reason) + f"; {fix}"


if __name__ == "__main__":
    sys.exit(main())
