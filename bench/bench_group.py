"""Many practices: a group run on a ``LocalCluster`` against the same practices run one after
another with the single-practice runner (issue 18).

Run from the project root::

    python bench/bench_group.py                          # 12 generated practices, every report
    python bench/bench_group.py --keep /tmp/group-bench  # where generated groups are kept
    python bench/bench_group.py --practices 3 --quick    # copies of the sample, two reports
    python bench/bench_group.py --practices 4 --copies   # copies of the sample, every report

Two anchors, each the command as an administrator types it, in a child process per practice,
one practice after another: ``pracops run --data <practice> --jobs 1 --quiet`` (one report at
a time: the issue's "one after another", against which its ≥ 1.8× on 2 cores is the group's
parallel efficiency), and the same with the runner's default ``--jobs`` (already up to two
reports per core at once: reported, the group can only win its idle tails). The group side is what
``pracops run --practices practices.yaml`` does, in this process so that the workers' memory
can be read before they close: a LocalCluster started, every practice validated and run, the
cluster closed, all inside the timed span. Reported: practices per minute on each side and
their ratio; the per-task overhead, each task's wall time on its worker less the report's own
time (kernel, cells, export: ``timings.seconds``), median and 90th percentile; the mean task
time by report (for the projection in bench/README.md); the peak memory of each worker process
and of its largest child (a report's process with its kernel), read on the workers
(``ru_maxrss``); the 1-minute load average before, between and after (the machine is shared).
The generated group is kept in :data:`CACHE` under a key of the generator's source, so it is
generated once (``generated.json`` there says how long that took).
"""

from __future__ import annotations

import argparse
import hashlib
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
CACHE = Path(tempfile.gettempdir()) / "pracops-group-cache"
"""Generated groups, one folder per :func:`_generator_key`, kept between runs."""


def _generator_key(count: int, copies: bool) -> str:
    """What the generated group depends on: the count, copies or not, and the source of every
    sample writer and of the group sample (its seeds and shapes), hashed."""
    sources = sorted((ROOT / "pracops").glob("*/sample.py")) + [
        ROOT / "pracops" / "sample" / "generator.py"]
    digest = hashlib.sha256(f"{count}:{copies}".encode())
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def practices(cache: Path, count: int, quick: bool) -> Path:
    """``practices.yaml`` of ``count`` practices in ``cache/<key>/`` (``quick``: copies of the
    bundled sample), generated once and kept: the key (:func:`_generator_key`) changes with
    the count and with any change to the generator, so a stale group is never reused."""
    folder = cache / _generator_key(count, quick)
    listing = folder / "practices.yaml"
    if listing.is_file():
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

    started = time.perf_counter()
    listing = write_group_sample(folder, count)
    (folder / "generated.json").write_text(json.dumps(
        {"practices": count, "seconds": round(time.perf_counter() - started, 1)}))
    return listing


def _pracops(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pracops.cli", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    return time.perf_counter() - started


def _peak() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"worker_mb": own, "largest_child_mb": child}


def run(listing: Path, reports: tuple[str, ...], workers: int | None = None,
        default_jobs: bool = True) -> dict:
    import yaml

    folders = [listing.parent / p["data"] for p in yaml.safe_load(listing.read_text())["practices"]]
    out = Path(tempfile.mkdtemp(prefix="pracops-group-bench-"))
    try:
        load = {"before": os.getloadavg()[0]}
        serial = sum(_pracops("run", "--data", str(f), "--out", str(out / "serial"),
                              "--jobs", "1", "--quiet", *reports) for f in folders)
        load["after_serial"] = os.getloadavg()[0]
        one_by_one = sum(_pracops("run", "--data", str(f), "--out", str(out / "single"),
                                  "--quiet", *reports) for f in folders) if default_jobs else None
        load["after_one_by_one"] = os.getloadavg()[0]
        group, peaks = _group_run(listing, reports, out / "group", workers)
        load["after_group"] = os.getloadavg()[0]
        [run_dir] = (out / "group").iterdir()
        tasks = []
        for summary in run_dir.glob("*/*.json"):
            if summary.name == "manifest.json":
                continue
            t = json.loads(summary.read_text())["timings"]
            tasks.append({"report": summary.stem, "practice": summary.parent.name,
                          "task_s": t["task_seconds"], "own_s": t["seconds"]})
    finally:
        shutil.rmtree(out, ignore_errors=True)
    overheads = sorted(t["task_s"] - t["own_s"] for t in tasks)
    by_report: dict[str, list[float]] = {}
    for t in tasks:
        by_report.setdefault(t["report"], []).append(t["task_s"])
    return {"practices": len(folders), "serial_s": serial, "one_by_one_s": one_by_one,
            "group_s": group,
            "overhead_median_s": statistics.median(overheads),
            "overhead_p90_s": overheads[int(0.9 * (len(overheads) - 1))],
            "tasks": len(tasks), "task_s_mean": statistics.mean(t["task_s"] for t in tasks),
            "task_s_total": sum(t["task_s"] for t in tasks),
            "task_s_mean_by_report": {r: round(statistics.mean(v), 1)
                                      for r, v in sorted(by_report.items())},
            "peaks": peaks, "cores": os.cpu_count(),
            "workers": len(peaks),
            "load_1min": load}


def _group_run(listing: Path, reports: tuple[str, ...], out: Path,
               workers: int | None) -> tuple[float, dict]:
    """The group run as ``pracops run --practices`` makes it (a LocalCluster started, the
    practices validated and run, the cluster closed), timed, with each worker's peak memory
    read on the workers before the cluster closes."""
    from pracops import runner
    from pracops.group import cluster
    from pracops.group import practices as listed
    from pracops.group import run as group

    started = time.perf_counter()
    available = runner.discover()
    runs = group.plan(listed.load_practices(listing, list(available)), list(reports), available)
    with cluster.connect(workers=workers, dashboard=None) as client:
        group.run_group(runs, client, out=out)
        peaks = client.run(_peak)
    return time.perf_counter() - started, peaks


def measures(quick: bool = False) -> list[dict]:
    result = run(practices(CACHE, 3 if quick else 12, quick), QUICK_REPORTS if quick else ())
    n = result["practices"]
    per_min = {k: n * 60 / result[k] for k in ("serial_s", "one_by_one_s", "group_s")}
    ratio = per_min["group_s"] / per_min["serial_s"]
    parallel = per_min["group_s"] / per_min["one_by_one_s"]
    worst = max(p["worker_mb"] for p in result["peaks"].values())
    child = max(p["largest_child_mb"] for p in result["peaks"].values())
    return [
        {"measure": f"group of {n} practices: practices per minute, LocalCluster",
         "pracops": round(per_min["group_s"], 2), "anchor": round(per_min["serial_s"], 2),
         "anchor_name": "pracops run --jobs 1 per practice, one after another", "unit": "/min",
         "ratio": round(ratio, 2), "target": "≥ 1.8×", "ok": ratio >= 1.8},
        {"measure": f"group of {n} practices: practices per minute, against the runner's own "
         "parallelism",
         "pracops": round(per_min["group_s"], 2), "anchor": round(per_min["one_by_one_s"], 2),
         "anchor_name": "pracops run per practice (default --jobs), one after another",
         "unit": "/min", "ratio": round(parallel, 2), "target": "reported", "ok": True},
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
    ap.add_argument("--keep", type=Path, default=CACHE,
                    help=f"where generated groups are kept, by key (default {CACHE})")
    ap.add_argument("--quick", action="store_true",
                    help="copies of the bundled sample and two reports")
    ap.add_argument("--copies", action="store_true",
                    help="copies of the bundled sample (no generation), every report")
    ap.add_argument("--listing", type=Path,
                    help="run on this practices.yaml as it is (no generation, no cache)")
    ap.add_argument("--workers", type=int,
                    help="the LocalCluster's workers (default: pracops run's default)")
    ap.add_argument("--no-default-jobs", action="store_true",
                    help="leave out the anchor with the runner's default --jobs (reported only)")
    args = ap.parse_args()
    listing = args.listing or practices(args.keep, args.practices, args.quick or args.copies)
    result = run(listing, QUICK_REPORTS if args.quick else (), args.workers,
                 default_jobs=not args.no_default_jobs)
    generated = listing.parent / "generated.json"
    if generated.is_file():
        result["generated"] = json.loads(generated.read_text())
    result["listing"] = str(listing)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
