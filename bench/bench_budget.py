"""Speed of the operating budget chain: books → budget → comparison (pracops.budget).

Run from the project root::

    python bench/bench_budget.py              # the bundled sample and three synthetic sizes
    python bench/bench_budget.py --repeat 5

Each row times, best of ``--repeat``, the whole chain the notebook runs
(:func:`pracops.budget.chain.compute`, without writing the workbook): ``read_books`` (the
cross-checks), ``build_budget`` (base year, visits and rates, phasing with the holiday calendar,
expenses by behaviour, monthly amounts), ``compare`` (flags, volume/mix/rate, flexible budget,
bridge, forecast), ``break_even``, the figures and the alerts. Synthetic books (deterministic,
seeded): ``accounts`` accounts over ``classes`` payer classes, 35 months of ledger (2023 and
2024 whole, 2025 to November; the budget year is 2025), a new provider joining in July.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from pracops.budget import chain as budget_chain
from pracops.budget import model as bd

CATEGORIES = ["provider compensation", "staff salaries", "benefits", "medical supplies",
              "office supplies", "rent and occupancy", "malpractice", "IT/EHR",
              "purchased services", "depreciation", "other"]
BEHAVIOUR = {"provider compensation": "step per provider FTE", "medical supplies":
             "variable per visit", "office supplies": "variable per visit"}


def synthetic(accounts: int, classes: int, seed: int = 11) -> tuple[pd.DataFrame, ...]:
    """Chart, ledger and volumes of a practice with ``accounts`` accounts (deterministic)."""
    rng = np.random.default_rng(seed)
    names = [f"Class {i}" for i in range(classes)]
    chart = [{"account": f"4{i:03d}", "name": f"Revenue {n}", "category": "revenue",
              "behaviour": "variable per visit", "payer_class": n, "pay_months": None}
             for i, n in enumerate(names)]
    for i in range(accounts - classes):
        cat = CATEGORIES[i % len(CATEGORIES)]
        chart.append({"account": f"5{i:03d}", "name": f"{cat} {i}", "category": cat,
                      "behaviour": BEHAVIOUR.get(cat, "fixed"), "payer_class": None,
                      "pay_months": "1" if cat == "malpractice" else None})
    chart = pd.DataFrame(chart)
    periods = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)][:-1]
    # revenue accounts large enough that the practice covers its costs
    size = np.where(chart["category"] == "revenue", 400_000_000 / classes, 1.0) \
        * rng.uniform(0.5, 1.5, len(chart)) * np.where(chart["category"] == "revenue", 1,
                                                       300_000_000 / max(accounts - classes, 1))
    gl = pd.DataFrame([{"month": p, "account": a, "amount_cents": int(s * rng.uniform(0.9, 1.1))}
                       for p in periods for a, s in zip(chart["account"], size, strict=True)])
    visits = rng.integers(200, 3_000, classes)
    vol = pd.DataFrame([{"month": p, "payer_class": n, "visits": int(v * rng.uniform(0.9, 1.1)),
                         "wrvus": None, "provider_fte": 12.0}
                        for p in periods for n, v in zip(names, visits, strict=True)])
    return gl, chart, vol


def chain(gl: pd.DataFrame, chart: pd.DataFrame, vol: pd.DataFrame, year: int) -> float:
    """Seconds of :func:`pracops.budget.chain.compute` (the whole chain, no file written)."""
    start = time.perf_counter()
    inflation = {c: 3 for c in CATEGORIES if c not in bd.WAGE_CATEGORIES and c != "benefits"}
    rep = budget_chain.compute(
        budget_chain.BudgetInputs(gl_actuals=gl, chart_of_accounts=chart, volumes=vol),
        budget_year=year, visit_growth_pct=3, wage_increase_pct=3, benefits_load_pct=None,
        inflation_pct=inflation, new_providers=[{"name": "new", "start_month": 7}],
        materiality_dollars=5_000, materiality_pct=10)
    assert rep.comparison is not None
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cores; best of {args.repeat}")
    print(f"{'books':<40} {'ledger rows':>12} {'seconds':>8}")
    inputs = budget_chain.load_inputs(None)
    cases = [("bundled sample", (inputs.gl_actuals, inputs.chart_of_accounts, inputs.volumes),
              int(inputs.gl_actuals["month"].max()[:4]))]
    for accounts, classes in ((40, 4), (200, 8), (1_000, 12)):
        cases.append((f"synthetic: {accounts} accounts, {classes} classes",
                      synthetic(accounts, classes), 2025))
    for label, (gl, chart, vol), year in cases:
        best = min(chain(gl, chart, vol, year) for _ in range(args.repeat))
        print(f"{label:<40} {len(gl):>12,} {best:>8.2f}")


if __name__ == "__main__":
    main()
