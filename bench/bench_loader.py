"""The loader on a large claims CSV, against pyarrow's CSV reader on the same file.

Run from the project root: ``python bench/bench_loader.py [--rows N] [--repeat N] [--profile]``.

The script writes a deterministic claims CSV (the columns of the sample's ``claims.csv``:
identifiers, a patient name, date of birth and member id, payer, NPI, site and two dates;
self-pay claims leave the member id empty) of ``--rows`` rows (1,000,000 by default) into
the system's temporary folder, once per size, then times in the same process, each the best
of ``--repeat`` runs:

loader
    ``pracops.data.load("claims", path)``: the file read, every column typed (dates parsed,
    text trimmed), every check of the declaration made (presence, identifier and NPI
    patterns, dates in range, the claim id unique, submitted on or after the visit).
anchor
    ``pandas.read_csv(path, engine="pyarrow")``: pyarrow's multithreaded CSV reader with its
    own type inference and no check at all — the least reading the file can cost.

The ratio (loader ÷ anchor) is the issue's measure; the target is at most 3.0×.
``--profile`` runs the loader once under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 1_000_000
QUICK_ROWS = 50_000
TARGET = 3.0
PAYERS = ("MCR", "MCD", "BCBS", "AETNA", "UHC", "CIGNA", "SELF")


def write_claims(path: Path, rows: int, seed: int = 14) -> None:
    """A claims CSV of ``rows`` claims, the same bytes for the same ``rows`` and ``seed``."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(1, rows + 1).astype(str)
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    dos = np.sort(rng.choice(days[np.is_busday(days)], size=rows))
    submitted = dos + rng.integers(0, 6, size=rows).astype("timedelta64[D]")
    patient = rng.integers(1, rows // 3 + 2, size=rows).astype(str)
    payer = np.array(PAYERS)[rng.choice(len(PAYERS), size=rows,
                                        p=[0.3, 0.15, 0.2, 0.1, 0.1, 0.1, 0.05])]
    npis = np.array([f"1{100_000_000 + 7_919 * k:09d}" for k in range(40)])
    frame = pd.DataFrame({
        "claim_id": np.char.add("C", np.char.zfill(numbers, 8)),
        "appointment_id": np.char.add("A", np.char.zfill(numbers, 8)),
        "patient_id": np.char.add("PT", np.char.zfill(patient, 7)),
        "patient_name": np.char.add("Patient ", patient),
        "patient_dob": (np.datetime64("1940-01-01")
                        + rng.integers(0, 30_000, size=rows).astype("timedelta64[D]")
                        ).astype(str),
        "member_id": np.where(payer == "SELF", "", np.char.add("M", np.char.zfill(patient, 9))),
        "payer_id": payer,
        "rendering_npi": npis[rng.integers(0, len(npis), size=rows)],
        "location_id": np.where(rng.random(rows) < 0.7, "MAIN", "NORTH"),
        "date_of_service": dos.astype(str),
        "submitted_date": submitted.astype(str),
    })
    frame.to_csv(path, index=False)


def claims_file(rows: int) -> Path:
    """The generated file for ``rows`` rows, written on first use."""
    folder = Path(tempfile.gettempdir()) / "pracops-bench-loader"
    folder.mkdir(exist_ok=True)
    path = folder / f"claims-{rows}.csv"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        write_claims(partial, rows)
        partial.replace(path)
    return path


def _best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _time(rows: int, repeat: int) -> tuple[float, float]:
    from pracops import data

    path = claims_file(rows)
    data.load("claims", path)  # warm: imports, the catalogue, the file in the page cache
    loader = anchor = float("inf")
    for _ in range(repeat):  # interleaved, so a busy moment hurts both alike
        loader = min(loader, _best(1, lambda: data.load("claims", path)))
        anchor = min(anchor, _best(1, lambda: pd.read_csv(path, engine="pyarrow")))
    return loader, anchor


def measures(quick: bool = False) -> list[dict]:
    """The issue's row: the loader on a 1 M-row claims CSV against pyarrow's reader."""
    rows = QUICK_ROWS if quick else ROWS
    loader, anchor = _time(rows, 1 if quick else 3)
    return [{
        "measure": f"loader, {rows / 1e6:g} M-row claims CSV",
        "pracops": loader, "anchor": anchor,
        "anchor_name": 'pd.read_csv(engine="pyarrow")', "unit": "s",
        "ratio": loader / anchor, "target": f"≤ {TARGET:.1f}×",
        "ok": loader / anchor <= TARGET,
    }]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one load")
    args = parser.parse_args()

    path = claims_file(args.rows)
    print(f"{path}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, "
          f"load average {os.getloadavg()[0]:.2f}")
    loader, anchor = _time(args.rows, args.repeat)
    print(f"loader (pracops.data.load)             {loader:7.3f} s")
    print(f'anchor (pd.read_csv(engine="pyarrow")) {anchor:7.3f} s')
    print(f"ratio                                  {loader / anchor:7.2f}x  (target <= "
          f"{TARGET:.1f}x)")
    if args.profile:
        from pracops import data

        profile = cProfile.Profile()
        profile.runcall(data.load, "claims", path)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
