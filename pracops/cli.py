"""The ``pracops`` command: run reports, list them, write the sample, validate a practice's data.

Exit status: 0 when everything ran, 1 when a report failed (the others still ran), 2 for bad
usage or bad input. Errors are printed as one or two lines, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from pracops import config
from pracops.errors import PracopsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own contract)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pracops", description="Operations reports for a medical practice.")
    p.add_argument("--notebooks", metavar="DIR",
                   help="folder of report notebooks (default: the project's notebooks/)")
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
    r.add_argument("--jobs", type=int, metavar="N", help="reports at once (default: CPU count)")
    r.add_argument("--parameters", metavar="DIR",
                   help="folder of <report>.yaml defaults (default: parameters/)")
    r.add_argument("--timeout", type=int, metavar="SECONDS",
                   help="fail a report when one cell runs longer than this")
    r.add_argument("--no-html", action="store_true", help="skip the HTML export")
    r.add_argument("--quiet", action="store_true", help="print only the index path")

    sub.add_parser("list", help="list reports and their parameters")

    s = sub.add_parser("sample", help="write the bundled sample data to a folder to adapt")
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--force", action="store_true", help="overwrite files already there")

    v = sub.add_parser("validate", help="load and check every dataset without running reports")
    v.add_argument("--data", metavar="DIR", help="folder of exports (default: bundled sample)")
    return p


def _cmd_run(args: argparse.Namespace) -> int:
    from pracops import runner

    if args.jobs is not None and args.jobs < 1:
        raise PracopsError("--jobs must be at least 1")
    available = runner.discover(args.notebooks)
    reports = runner.check_reports(args.reports, available)
    params = runner.resolve_parameters(
        reports, parameters_dir=args.parameters, files=args.file,
        overrides=[tuple(kv) for kv in args.param], data=args.data,
    )
    if args.data is not None:
        # A practice's own exports are checked before any kernel starts: bad input is exit 2
        # with the file, row and column, not a report failing halfway. Files that are absent
        # are left to the reports that need them.
        from pracops import data

        problems = data.validate_all(args.data, missing_ok=True)
        if problems:
            for p in problems:
                print(f"pracops: {p}", file=sys.stderr)
            return EXIT_USAGE
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
        command=["pracops", *sys.argv[1:]], progress=progress,
    )
    for r in result.reports:
        if r.status != "ok" and not tty:
            err = r.error or {}
            print(f"pracops: {r.report} failed: {err.get('name')}: {err.get('message')}",
                  file=sys.stderr)
    print(result.index)
    return result.exit_code


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
            print(f"    {p.name}: {p.type_label} = {p.default!r}" + (f"  # {p.help}" if p.help
                                                                      else ""))
    return EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from pracops import sample

    written = sample.write_sample(Path(args.out), overwrite=args.force)
    print(f"wrote {len(written)} files to {Path(args.out).resolve()}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from pracops import data

    folder = config.data_dir(args.data)
    if not folder.is_dir():
        raise PracopsError(f"--data {args.data}: no such folder")
    problems = data.validate_all(folder)
    for p in problems:
        print(f"pracops: {p}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return EXIT_USAGE
    print(f"all datasets in {folder} are valid")
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
    try:
        return handler(args)
    except PracopsError as exc:
        print(f"pracops: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("pracops: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
