"""Wall time of `pracops run` against papermill + `jupyter nbconvert` by hand.

Both sides execute the same fixture notebooks (tests/fixtures/notebooks) and produce an executed
notebook and an HTML page with no input per notebook, on the same machine, one after the other.
The by-hand side is what an analyst without pracops would script:

    papermill NB out.ipynb
    jupyter nbconvert --to html --no-input out.ipynb

Run: `.venv/bin/python bench/bench_runner.py [--repeat N]`. Prints a markdown table.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
BIN = Path(sys.executable).parent


def by_hand(workdir: Path) -> float:
    """papermill then nbconvert, one process each, per notebook (failures are expected)."""
    t0 = time.perf_counter()
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        out = workdir / nb.name
        subprocess.run([str(BIN / "papermill"), str(nb), str(out), "--no-progress-bar", "-k",
                        "python3"], capture_output=True, check=False)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(out)], capture_output=True, check=True)
    return time.perf_counter() - t0


def pracops_run(workdir: Path, jobs: int | None) -> float:
    """One `pracops run` over the same notebooks."""
    cmd = [str(BIN / "pracops"), "--notebooks", str(NOTEBOOKS), "run", "--out", str(workdir),
           "--parameters", str(workdir)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.pop("MPLBACKEND", None)
    n = len(list(NOTEBOOKS.glob("*.ipynb")))
    times: dict[str, list[float]] = {"by hand (papermill + nbconvert)": [],
                                     "pracops run --jobs 1": [], "pracops run": []}
    for _ in range(args.repeat):  # interleaved, so drift hits every side alike
        for label in times:
            work = Path(tempfile.mkdtemp(prefix="bench-runner-"))
            try:
                if label.startswith("by hand"):
                    times[label].append(by_hand(work))
                else:
                    times[label].append(pracops_run(work, 1 if "--jobs 1" in label else None))
            finally:
                shutil.rmtree(work)
    base = statistics.median(times["by hand (papermill + nbconvert)"])
    print(f"{n} notebooks, {args.repeat} repeats, {os.cpu_count()} CPUs\n")
    print("| method | median s | min s | max s | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for label, ts in times.items():
        med = statistics.median(ts)
        print(f"| {label} | {med:.2f} | {min(ts):.2f} | {max(ts):.2f} | {base / med:.1f}x |")


if __name__ == "__main__":
    main()
