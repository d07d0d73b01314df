"""One table of every benchmark's measures: pracops, its anchor in the same run, the ratio,
the target, pass or short.

Run from the project root (``make bench`` runs it)::

    python bench/table.py              # every bench/bench_*.py that has measures()
    python bench/table.py --quick      # small sizes: a smoke test of the scripts, seconds
    python bench/table.py --only billing x12
    python bench/table.py --billing-sizes 5000000   # the big billing run (make bench BIG=1)

Each ``bench/bench_*.py`` that defines ``measures(quick: bool = False) -> list[dict]`` is
imported and run, one after another; a script without it is skipped with a note (its own
``__main__`` still works). The table is printed as Markdown and written, with the machine
(cores, memory, Python, library versions) and the date, to ``bench/results.json``
(git-ignored: the numbers worth keeping go to ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import inspect
import json
import os
import platform
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
KEYS = ("measure", "pracops", "anchor", "anchor_name", "unit", "ratio", "target", "ok")
LIBRARIES = ("pandas", "pyarrow", "numpy", "duckdb")


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def machine() -> dict:
    """Cores, memory, Python and the versions of the libraries the anchors depend on."""
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = meminfo.read_text().split("\n", 1)[0].split()
        memory = round(int(total[1]) / 2**20, 1)  # kB to GiB
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cores": os.cpu_count(), "memory_gib": memory,
            "load_average": list(os.getloadavg()),
            "python": platform.python_version(), "platform": platform.platform(),
            "libraries": versions}


def run(quick: bool = False, only: list[str] | None = None,
        billing_sizes: list[int] | None = None) -> tuple[list[dict], list[str]]:
    """Every script's measures, and notes on the scripts skipped or failed."""
    rows: list[dict] = []
    notes: list[str] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        try:
            module = _module(path)
        except Exception as error:  # a script that cannot even be imported is a note
            notes.append(f"{path.name}: not imported ({type(error).__name__}: {error})")
            continue
        measures = getattr(module, "measures", None)
        if measures is None:
            notes.append(f"{path.name}: no measures(), skipped")
            continue
        kwargs = {"quick": quick}
        if billing_sizes and "sizes" in inspect.signature(measures).parameters:
            kwargs["sizes"] = tuple(billing_sizes)
        start = time.perf_counter()
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        try:
            found = measures(**kwargs)
        except Exception:
            notes.append(f"{path.name}: measures() failed:\n{traceback.format_exc()}")
            continue
        for row in found:
            missing = [k for k in KEYS if k not in row]
            if missing:
                notes.append(f"{path.name}: a measure lacks {missing}: {row}")
                continue
            rows.append({"script": path.name, **{k: row[k] for k in KEYS}})
        notes.append(f"{path.name}: {len(found)} measure(s) in "
                     f"{time.perf_counter() - start:.0f} s")
    return rows, notes


def _number(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def markdown(rows: list[dict]) -> str:
    lines = ["| measure | pracops | anchor | anchor is | ratio | target | result |",
             "|---|---:|---:|---|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['measure']} | {_number(r['pracops'])} {r['unit']} | "
                     f"{_number(r['anchor'])} {r['unit']} | {r['anchor_name']} | "
                     f"{r['ratio']:.2f}× | {r['target']} | "
                     f"{'pass' if r['ok'] else 'short'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these scripts (bench_NAME.py)")
    parser.add_argument("--billing-sizes", type=int, nargs="+", metavar="LINES",
                        help="service lines of the billing runs (default 100k, 300k, 1M)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    about = machine()
    rows, notes = run(args.quick, args.only, args.billing_sizes)
    print(f"\n{about['date']}, {about['cores']} cores, {about['memory_gib']} GiB, "
          f"load average {about['load_average'][0]:.2f} at the start, Python "
          f"{about['python']}, " + ", ".join(f"{k} {v}" for k, v in about["libraries"].items())
          + ("; quick sizes" if args.quick else "") + "\n")
    print(markdown(rows))
    if notes:
        print("\n" + "\n".join(f"- {n}" for n in notes))
    args.out.write_text(json.dumps({"machine": about, "quick": args.quick, "measures": rows,
                                    "notes": notes}, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
