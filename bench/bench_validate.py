"""`pracops validate` on the bundled sample, against plain pandas reading the same files.

Run from the project root: ``python bench/bench_validate.py [--repeat N]``.

Two timings, each the best of ``--repeat`` runs:

command
    ``pracops validate`` as a user types it, in a fresh process (start-up and imports
    included): the issue's bound is 3 s.
in process
    :func:`pracops.data.check_folder` on the sample (every dataset loaded, typed and checked,
    the references and rules across files, the era/ folder read as the billing report reads
    it), against the anchor run in the same process: ``pandas.read_csv`` of the same CSV
    files with every cell as text, plus reading the bytes of every 835 — the least any
    validation must do. The ratio says what the checks cost on top of reading.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from pracops import config, data

    sample = config.SAMPLE_DIR
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def command() -> None:
        done = subprocess.run([str(BIN / "pracops"), "validate"], capture_output=True,
                              env=env, check=False)
        assert done.returncode == 0, done.stderr

    def anchor() -> None:
        for path in sorted(sample.glob("*.csv")):
            pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted((sample / "era").iterdir()):
            path.read_bytes()

    def checks() -> None:
        found = data.check_folder(sample)
        assert not found.errors, found.errors

    checks()  # imports and caches warm, as in the command
    t_command = _best(args.repeat, command)
    t_anchor = _best(args.repeat, anchor)
    t_checks = _best(args.repeat, checks)
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, {os.cpu_count()} "
          f"cores; best of {args.repeat}\n")
    print("| what | seconds | vs plain pandas |")
    print("|---|---:|---:|")
    print(f"| `pracops validate` (fresh process, bound 3 s) | {t_command:.2f} | |")
    print(f"| plain pandas: read every CSV as text + the 835 bytes (anchor) | {t_anchor:.2f} "
          "| 1.0x |")
    print(f"| `data.check_folder` in process | {t_checks:.2f} | {t_checks / t_anchor:.1f}x |")


if __name__ == "__main__":
    main()
