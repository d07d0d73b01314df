"""Wall time of `pracops run` on the sample against papermill + `jupyter nbconvert` by hand.

Both sides execute the suite's report notebooks (notebooks/, with parameters/<report>.yaml, on
the bundled sample) and produce an executed notebook and an HTML page with no input per report,
on the same machine, interleaved. The by-hand side is what an analyst without pracops would
script, per notebook:

    papermill NB out.ipynb -f parameters/REPORT.yaml
    jupyter nbconvert --to html --no-input out.ipynb

once one notebook after another, and once two notebooks at a time (two such pipelines in
parallel, as `xargs -P 2` would run them). `pracops run` does the same work plus the checks of
the inputs before any kernel starts, the summaries, the manifest and the index page.

Run: `.venv/bin/python bench/bench_runner.py [--repeat N] [--jobs-1]`. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BIN = Path(sys.executable).parent
SEQUENTIAL, PARALLEL, SUITE = ("by hand, one after another", "by hand, two at a time",
                               "pracops run")
TARGETS = {SEQUENTIAL: 3.5, PARALLEL: 2.0}


def _by_hand_one(nb: Path, parameters: Path, workdir: Path) -> None:
    """papermill then nbconvert, one process each, for one notebook."""
    out = workdir / nb.name
    env = {**os.environ, "PRACOPS_OUTPUTS": str(workdir)}  # hand-outs land in the work folder
    subprocess.run([str(BIN / "papermill"), str(nb), str(out), "--no-progress-bar", "-k",
                    "python3", "-f", str(parameters / f"{nb.stem}.yaml")],
                   capture_output=True, check=True, env=env)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                   capture_output=True, check=True, env=env)


def by_hand(notebooks: list[Path], parameters: Path, workdir: Path, at_once: int) -> float:
    """Every notebook by hand, ``at_once`` pipelines in parallel."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(at_once) as pool:
        for done in [pool.submit(_by_hand_one, nb, parameters, workdir) for nb in notebooks]:
            done.result()
    return time.perf_counter() - t0


def pracops_run(notebooks: list[Path], parameters: Path, workdir: Path,
                jobs: int | None = None) -> float:
    """One `pracops run` over the same notebooks."""
    cmd = [str(BIN / "pracops"), "run", *(nb.stem for nb in notebooks), "--out", str(workdir),
           "--parameters", str(parameters), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - t0


def run(repeat: int, quick: bool = False, jobs_1: bool = False) -> dict[str, list[float]]:
    """Seconds of each side per repeat, interleaved so that drift hits every side alike."""
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    parameters = ROOT / "parameters"
    if quick:
        notebooks = [nb for nb in notebooks if nb.stem in ("operating_budget", "purchasing")]
        parameters = parameters / "test"
    sides: dict[str, Callable[[Path], float]] = {
        SEQUENTIAL: lambda w: by_hand(notebooks, parameters, w, 1),
        PARALLEL: lambda w: by_hand(notebooks, parameters, w, 2),
        SUITE: lambda w: pracops_run(notebooks, parameters, w),
    }
    if jobs_1:
        sides["pracops run --jobs 1"] = lambda w: pracops_run(notebooks, parameters, w, 1)
    os.environ.pop("MPLBACKEND", None)
    times: dict[str, list[float]] = {label: [] for label in sides}
    for _ in range(repeat):
        for label, side in sides.items():
            work = Path(tempfile.mkdtemp(prefix="bench-runner-"))
            try:
                times[label].append(side(work))
            finally:
                shutil.rmtree(work)
    return times


def measures(quick: bool = False) -> list[dict]:
    """The issue's rows: by hand ÷ `pracops run`, best of the repeats on each side."""
    times = run(1 if quick else 3, quick=quick)
    suite = min(times[SUITE])
    rows = []
    for label, target in TARGETS.items():
        ratio = min(times[label]) / suite
        rows.append({
            "measure": f"suite vs by hand, {label.removeprefix('by hand, ')}",
            "pracops": round(suite, 3), "anchor": round(min(times[label]), 3),
            "anchor_name": f"papermill + nbconvert {label}", "unit": "s",
            "ratio": round(ratio, 2), "target": f"≥ {target:.1f}×", "ok": ratio >= target,
        })
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs-1", action="store_true", help="also time `pracops run --jobs 1`")
    ap.add_argument("--quick", action="store_true", help="two notebooks, test parameters")
    args = ap.parse_args()
    times = run(args.repeat, quick=args.quick, jobs_1=args.jobs_1)
    suite = min(times[SUITE])
    print(f"{args.repeat} repeats, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at the end\n")
    print("| method | best s | median s | max s | by hand ÷ pracops run (best) |")
    print("|---|---:|---:|---:|---:|")
    for label, ts in times.items():
        print(f"| {label} | {min(ts):.2f} | {statistics.median(ts):.2f} | {max(ts):.2f} | "
              f"{min(ts) / suite:.2f}x |")


if __name__ == "__main__":
    main()
