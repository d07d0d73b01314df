"""A report kernel's fixed cost: from starting the kernel to its first cell's imports done.

For each report notebook, a kernel is started the way `pracops run` starts it (the runner's
kernel manager, the worker's environment, the notebook's folder as working directory), and the
import statements of the notebook's first cell after the parameters are executed in it; the
time runs from the call that starts the kernel to the reply of that cell. The anchor, in the
same run and interleaved, is a fresh `python -c "import pandas, matplotlib"`: the least any
report process pays before its own work. The issue's target: at most 1.0 s above the anchor.

Run: `.venv/bin/python bench/bench_kernel.py [--repeat N] [--report NAME ...]`.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TARGET_SECONDS = 1.0


def first_cell_imports(notebook: Path) -> str:
    """The import statements of the notebook's first code cell after its parameters cell."""
    nb = json.loads(notebook.read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    after = [c for i, c in enumerate(cells)
             if i > 0 and "parameters" in cells[i - 1].get("metadata", {}).get("tags", [])]
    source = "".join(after[0]["source"])
    imports = [node for node in ast.parse(source).body
               if isinstance(node, ast.Import | ast.ImportFrom)]
    return "\n".join(ast.unparse(node) for node in imports)


def anchor_seconds() -> float:
    """Wall time of a fresh `python -c "import pandas, matplotlib"`."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pandas, matplotlib"], check=True)
    return time.perf_counter() - t0


async def _kernel_seconds(notebook: Path, code: str) -> tuple[float, float]:
    """(seconds to the kernel's first reply, seconds to the imports' reply), from the start."""
    from pracops.runner.execution import _kernel_manager_class

    km = _kernel_manager_class()(kernel_name="python3")
    t0 = time.perf_counter()
    await km.start_kernel(cwd=str(notebook.parent), stderr=subprocess.DEVNULL)
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        ready = time.perf_counter() - t0
        reply = await client.execute_interactive(code, timeout=60, store_history=False,
                                                 output_hook=lambda _msg: None)
        done = time.perf_counter() - t0
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{notebook.name}: the imports failed: {reply['content']}")
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)
    return ready, done


def _environment(runtime_dir: str) -> None:
    """What the runner's worker sets before starting a kernel."""
    os.environ.pop("MPLBACKEND", None)
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime_dir


def run(repeat: int, reports: list[str] | None = None) -> dict[str, dict[str, list[float]]]:
    """Per report: lists of anchor, ready and first-cell seconds, interleaved."""
    notebooks = [nb for nb in sorted(NOTEBOOKS.glob("*.ipynb"))
                 if not reports or nb.stem in reports]
    times: dict[str, dict[str, list[float]]] = {
        nb.stem: {"anchor": [], "ready": [], "first_cell": []} for nb in notebooks}
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as rt:
        _environment(rt)
        for _ in range(repeat):
            for nb in notebooks:
                times[nb.stem]["anchor"].append(anchor_seconds())
                ready, done = asyncio.run(_kernel_seconds(nb, first_cell_imports(nb)))
                times[nb.stem]["ready"].append(ready)
                times[nb.stem]["first_cell"].append(done)
    return times


def measures(quick: bool = False) -> list[dict]:
    """The issue's row: the slowest report's best kernel start to first cell, against the
    best anchor of the same run; the ratio is the difference in seconds."""
    times = run(1 if quick else 3, ["operating_budget"] if quick else None)
    anchor = min(t for r in times.values() for t in r["anchor"])
    worst = max(min(r["first_cell"]) for r in times.values())
    return [{
        "measure": "kernel start to first cell",
        "pracops": round(worst, 3), "anchor": round(anchor, 3),
        "anchor_name": "python -c 'import pandas, matplotlib'", "unit": "s",
        "ratio": round(worst - anchor, 3), "target": f"≤ +{TARGET_SECONDS:.1f} s",
        "ok": worst - anchor <= TARGET_SECONDS,
    }]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--report", action="append", help="only this notebook (repeatable)")
    args = ap.parse_args()
    times = run(args.repeat, args.report)
    print(f"{args.repeat} repeats, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}\n")
    print("| report | anchor s (best) | kernel ready s (best) | first cell s (best / median) "
          "| above anchor s |")
    print("|---|---:|---:|---:|---:|")
    for name, t in times.items():
        first = sorted(t["first_cell"])
        print(f"| {name} | {min(t['anchor']):.2f} | {min(t['ready']):.2f} | "
              f"{first[0]:.2f} / {first[len(first) // 2]:.2f} | "
              f"{first[0] - min(t['anchor']):+.2f} |")


if __name__ == "__main__":
    main()
