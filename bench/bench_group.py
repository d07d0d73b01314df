"""Many practices: a group run on a ``LocalCluster`` against the same practices run one after
another with the single-practice runner (issue 18).

Run from the project root::

    python bench/bench_group.py                          # 12 generated practices, every report
    python bench/bench_group.py --keep /tmp/group-bench  # generate once, reuse after
    python bench/bench_group.py --practices 3 --quick    # copies of the sample, two reports
    python bench/bench_group.py --practices 4 --copies   # copies of the sample, every report

Both sides are the command as an administrator types it, in a child process each, on the same
folders: ``pracops run --data <practice> --quiet`` once per practice, one after another (the
anchor), and ``pracops run --practices practices.yaml --quiet`` (a LocalCluster of one worker per
core, started and closed inside the timed run). Reported: practices per minute on each side and
their ratio; the per-task overhead, each task's wall time on its worker less the report's own
time (kernel, cells, export: ``timings.seconds``), median and 90th percentile; the peak memory of
each worker process and of its largest child (a report's process with its kernel), read on the
workers (``ru_maxrss``) by a second, in-process group run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK_REPORTS = ("operating_budget", "purchasing")


def practices(folder: Path, count: int, quick: bool) -> Path:
    """``practices.yaml`` of ``count`` practices under ``folder`` (generated once and kept;
    ``quick``: copies of the bundled sample)."""
    listing = folder / "practices.yaml"
    if listing.is_file():
        import yaml

        if len(yaml.safe_load(listing.read_text())["practices"]) == count:
            return listing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if quick:
        import yaml

        from pracops import config

        entries = []
        for i in range(count):
            shutil.copytree(config.SAMPLE_DIR, folder / f"p{i + 1}")
            entries.append({"id": f"p{i + 1}", "data": f"p{i + 1}/"})
        listing.write_text(yaml.safe_dump({"practices": entries}))
        return listing
    from pracops.group.sample import write_group_sample

    return write_group_sample(folder, count)


def _pracops(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pracops.cli", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    return time.perf_counter() - started


def _peak() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"worker_mb": own, "largest_child_mb": child}


def run(listing: Path, reports: tuple[str, ...]) -> dict:
    import yaml

    folders = [listing.parent / p["data"] for p in yaml.safe_load(listing.read_text())["practices"]]
    out = Path(tempfile.mkdtemp(prefix="pracops-group-bench-"))
    try:
        one_by_one = sum(_pracops("run", "--data", str(f), "--out", str(out / "single"),
                                  "--quiet", *reports) for f in folders)
        group = _pracops("run", "--practices", str(listing), "--out", str(out / "group"),
                         "--quiet", *reports)
        [run_dir] = (out / "group").iterdir()
        overheads = []
        for summary in run_dir.glob("*/*.json"):
            if summary.name == "manifest.json":
                continue
            t = json.loads(summary.read_text())["timings"]
            overheads.append(t["task_seconds"] - t["seconds"])
        peaks = _in_process_peaks(listing, reports, out / "peaks")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    overheads.sort()
    return {"practices": len(folders), "one_by_one_s": one_by_one, "group_s": group,
            "overhead_median_s": statistics.median(overheads),
            "overhead_p90_s": overheads[int(0.9 * (len(overheads) - 1))],
            "tasks": len(overheads), "peaks": peaks, "cores": os.cpu_count(),
            "load": os.getloadavg()[0]}


def _in_process_peaks(listing: Path, reports: tuple[str, ...], out: Path) -> dict:
    from pracops import runner
    from pracops.group import cluster
    from pracops.group import practices as listed
    from pracops.group import run as group

    available = runner.discover()
    runs = group.plan(listed.load_practices(listing, list(available)), list(reports), available)
    with cluster.connect(dashboard=None) as client:
        group.run_group(runs, client, out=out)
        return client.run(_peak)


def measures(quick: bool = False) -> list[dict]:
    folder = Path(tempfile.gettempdir()) / ("pracops-group-bench-quick" if quick
                                            else "pracops-group-bench")
    result = run(practices(folder, 3 if quick else 12, quick), QUICK_REPORTS if quick else ())
    n = result["practices"]
    per_min = {k: n * 60 / result[k] for k in ("one_by_one_s", "group_s")}
    ratio = per_min["group_s"] / per_min["one_by_one_s"]
    worst = max(p["worker_mb"] for p in result["peaks"].values())
    child = max(p["largest_child_mb"] for p in result["peaks"].values())
    return [
        {"measure": f"group of {n} practices: practices per minute, LocalCluster",
         "pracops": round(per_min["group_s"], 2), "anchor": round(per_min["one_by_one_s"], 2),
         "anchor_name": "pracops run per practice, one after another", "unit": "/min",
         "ratio": round(ratio, 2), "target": "≥ 1.8×", "ok": ratio >= 1.8},
        {"measure": f"group of {n} practices: per-task overhead (median; 90th percentile "
         f"{result['overhead_p90_s']:.2f} s)",
         "pracops": round(result["overhead_median_s"], 3), "anchor": 0.5,
         "anchor_name": "the issue's bound", "unit": "s",
         "ratio": round(result["overhead_median_s"] / 0.5, 2), "target": "≤ 0.5 s",
         "ok": result["overhead_median_s"] <= 0.5},
        {"measure": f"group of {n} practices: peak memory of a worker process",
         "pracops": round(worst), "anchor": round(child),
         "anchor_name": "its largest child: a report's process with its kernel", "unit": "MB",
         "ratio": round(worst / child, 2), "target": "reported", "ok": True},
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--practices", type=int, default=12)
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir())
                    / "pracops-group-bench")
    ap.add_argument("--quick", action="store_true",
                    help="copies of the bundled sample and two reports")
    ap.add_argument("--copies", action="store_true",
                    help="copies of the bundled sample (no generation), every report")
    args = ap.parse_args()
    listing = practices(args.keep, args.practices, args.quick or args.copies)
    result = run(listing, QUICK_REPORTS if args.quick else ())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
