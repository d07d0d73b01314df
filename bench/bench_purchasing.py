"""Speed of the purchasing chain (pracops.purchasing.chain.compute) and its notebook.

Run from the project root::

    python bench/bench_purchasing.py                 # 1x, 10x, 100x the sample, 3 repeats,
                                                     # and the notebook (what make bench runs)
    python bench/bench_purchasing.py --scales 1 10 --repeat 5 --no-notebook

The sample catalogue (160 items, 293 vendor price rows, 261 lots, 22,371 usage rows, 15 open-order
lines) is copied ``k`` times with the skus (and purchase-order numbers) suffixed ``-<copy>``,
so a 100x catalogue has 16,000 items and 2.2 million usage rows with the sample's own shape.
The copies are built in memory from the loaded sample; the timings are of
:func:`~pracops.purchasing.chain.check_inputs` and
:func:`~pracops.purchasing.chain.compute` with the notebook's defaults (demand →
levels → order lines → purchase orders → ABC → expiry → savings → spend → overdue), plus the
time to load the five sample files. The notebook is also run headless through the runner
(``parameters/test/purchasing.yaml``) and its summary timings reported, unless
``--no-notebook``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

import pandas as pd

from pracops import config, runner
from pracops.purchasing import chain


def scaled(inputs: chain.PurchasingInputs, k: int) -> chain.PurchasingInputs:
    """``k`` copies of every dataset, skus and purchase-order numbers suffixed ``-<copy>``."""
    if k == 1:
        return inputs

    def copies(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.DataFrame:
        parts = []
        for i in range(k):
            part = frame.copy()
            for key in keys:
                part[key] = part[key].astype("object") + f"-{i}"
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    return chain.PurchasingInputs(
        items=copies(inputs.items, ("sku",)),
        vendor_prices=copies(inputs.vendor_prices, ("sku",)),
        inventory_lots=copies(inputs.inventory_lots, ("sku",)),
        usage=copies(inputs.usage, ("sku",)),
        open_orders=copies(inputs.open_orders, ("sku", "po_number")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notebook", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the notebook (the default)")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cores")
    began = time.perf_counter()
    sample = chain.load_inputs(None)
    print(f"load the five sample files: {time.perf_counter() - began:.2f} s")
    print("| scale | items | offers | lots | usage rows | order lines | "
          "chain s (median / max) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for k in args.scales:
        inputs = scaled(sample, k)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            chain.check_inputs(inputs)
            plan = chain.compute(inputs, as_of="2025-12-31")
            times.append(time.perf_counter() - began)
        print(f"| {k}x | {len(inputs.items):,} | {len(inputs.vendor_prices):,} | "
              f"{len(inputs.inventory_lots):,} | {len(inputs.usage):,} | {len(plan.lines):,} | "
              f"{statistics.median(times):.2f} / {max(times):.2f} |")
    if args.notebook:
        reports = runner.check_reports(["purchasing"], runner.discover())
        params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
        with tempfile.TemporaryDirectory() as out:
            result = runner.run(reports, params, out=out)
        t = result.reports[0].timings
        print(f"notebook headless ({result.reports[0].status}): {t['seconds']:.1f} s "
              f"({t['execute_seconds']:.1f} s executing, {t['export_seconds']:.1f} s HTML)")


if __name__ == "__main__":
    main()
