"""Speed of the weekly shift plan: pracops.staffing.model.plan_shifts (OR-Tools CP-SAT).

Run from the project root::

    python bench/bench_staffing.py                  # the target size, 3 repeats (make bench)
    python bench/bench_staffing.py --repeat 1 --no-whole-week   # quickest check
    python bench/bench_staffing.py --repeat 5 --open 06:00 --close 22:00 --step 15

The target instance: 7 days × 15-minute intervals × 5 roles (front desk, medical assistant,
nurse, lab technician, billing), open 07:00-19:00 every day (48 intervals a day, 1,680
coverage constraints), candidate shifts starting every 30 minutes with lengths 4, 8 and 10
hours, minimising cost at each role's rate. The required people per interval are synthetic and
deterministic (seeded): a morning and an afternoon peak scaled per role, with noise, weekends
at 60 %. A second row plans the bundled sample's MAIN clinic from its own forecast (4 roles,
Mon-Fri 07:30-17:30). CP-SAT runs as plan_shifts runs it: one worker, a fixed seed and a work
budget in deterministic time (``--budget``, default the report's 2 units; no wall-clock limit,
so every repeat gives the same plan); the table shows the status (OPTIMAL = proved cheapest,
FEASIBLE = best found in the budget, FALLBACK = greedy cover for some role and day), whether
the repeats gave identical plans, the wall time of the solves, the CP-SAT work used and the gap
between the plan and CP-SAT's proved bound.

By default it also times the same program as a single CP-SAT model (all roles and days at
once) instead of plan_shifts' one model per role and day, to show why plan_shifts splits it
(``--no-whole-week`` leaves that row out).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time

import numpy as np
import ortools
import pandas as pd
from ortools.sat.python import cp_model

from pracops import data
from pracops.staffing import model as st

ROLES = {"front desk": (3.0, 1900), "medical assistant": (5.0, 2200), "nurse": (2.0, 3700),
         "lab technician": (1.5, 2600), "billing": (2.0, 2500)}
"""Role: (peak people, hourly rate in cents) of the synthetic instance."""


def synthetic_required(opens: str, closes: str, seed: int = 7) -> pd.DataFrame:
    """People required per role, day and 15-minute interval (deterministic)."""
    rng = np.random.default_rng(seed)
    o, c = (int(x[:2]) * 60 + int(x[3:]) for x in (opens, closes))
    t = np.arange(o, c, 15)
    hours = t / 60
    shape = 0.35 + np.exp(-((hours - 10) ** 2) / 3) + 0.8 * np.exp(-((hours - 15) ** 2) / 4)
    shape = shape / shape.max()
    rows = []
    for role, (peak, _) in ROLES.items():
        for i, day in enumerate(st.DAYS):
            scale = peak * (0.6 if i >= 5 else 1.0)
            need = np.maximum(0, np.round(scale * shape + rng.normal(0, 0.4, len(t))))
            rows += [(role, day, f"{m // 60:02d}:{m % 60:02d}", int(n))
                     for m, n in zip(t.tolist(), need, strict=True)]
    return pd.DataFrame(rows, columns=["role", "day", "interval_start", "required"])


def sample_required() -> tuple[pd.DataFrame, dict[str, int]]:
    """The bundled sample's MAIN clinic: required people from its 2026 forecast, and rates."""
    appts, staff = data.load("appointments"), data.load("staff")
    main = appts[appts["location_id"] == "MAIN"]
    daily = st.forecast_daily(main, "2026-01-01", "2026-12-31")
    week = st.typical_week(st.forecast_hourly(daily, st.weekday_hour_profile(main)))
    rates = st.role_rates(staff).set_index("role")["hourly_rate_cents"].to_dict()
    return st.interval_requirements(week, "07:30", "17:30"), rates


def run(name: str, required: pd.DataFrame, opens: str, closes: str, rates: dict[str, int],
        args: argparse.Namespace) -> dict[str, object]:
    times, plans = [], []
    for _ in range(args.repeat):
        began = time.perf_counter()
        plan = st.plan_shifts(required, opens, closes, hourly_rate_cents=rates,
                              start_step_minutes=args.step, shift_lengths_hours=args.lengths,
                              solver_deterministic_time=args.budget)
        times.append(time.perf_counter() - began)
        plans.append(plan)
    best = plans[0]
    same = all(p.shifts.equals(best.shifts) and p.blocks.equals(best.blocks) for p in plans)
    return {
        "instance": name,
        "roles": required["role"].nunique(),
        "days": required["day"].nunique(),
        "intervals": len(required),
        "status": "/".join(sorted({p.status for p in plans})),
        "same plan": "yes" if same else "NO",
        "solve s (median)": statistics.median(p.solve_seconds for p in plans),
        "solve s (max)": max(p.solve_seconds for p in plans),
        "call s (median)": statistics.median(times),
        "work used": best.deterministic_time,
        "paid h/week": best.paid_hours,
        "cost $/week": best.cost_cents / 100,
        "gap to bound %": best.gap_pct,
    }


def whole_week(required: pd.DataFrame, opens: str, closes: str, rates: dict[str, int],
               args: argparse.Namespace) -> dict[str, object]:
    """The same program as one CP-SAT model over all roles and days (for comparison)."""
    o, c = (int(x[:2]) * 60 + int(x[3:]) for x in (opens, closes))
    lengths = [round(h * 60) for h in args.lengths]
    candidates = [(s, s + m) for s in range(o, c, args.step) for m in lengths if s + m <= c]
    model = cp_model.CpModel()
    terms = []
    for (role, day), g in required.groupby(["role", "day"]):
        need = {int(t[:2]) * 60 + int(t[3:]): int(n)
                for t, n in zip(g["interval_start"], g["required"], strict=True) if n > 0}
        if not need:
            continue
        cover: dict[int, list] = {t: [] for t in need}
        for s, e in candidates:
            x = model.new_int_var(0, max(need.values()), f"{role}|{day}|{s}|{e}")
            terms.append(x * (e - s) * rates[role])
            for t in range(s, e - 15 + 1, 15):
                if t in cover:
                    cover[t].append(x)
        for t, n in need.items():
            model.add(sum(cover[t]) >= n)
    model.minimize(sum(terms))
    results = []
    for _ in range(args.repeat):
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = args.budget
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = st.SOLVER_SEED
        began = time.perf_counter()
        status = solver.solve(model)
        results.append((solver.status_name(status), time.perf_counter() - began,
                        solver.objective_value / 60, solver.best_objective_bound / 60,
                        solver.response_proto.deterministic_time))
    best = min(results, key=lambda r: r[2])
    return {
        "instance": "same synthetic week as ONE CP-SAT model",
        "roles": required["role"].nunique(), "days": required["day"].nunique(),
        "intervals": len(required),
        "status": "/".join(sorted({r[0] for r in results})),
        "same plan": "yes" if len({(r[2], r[3]) for r in results}) == 1 else "NO",
        "solve s (median)": statistics.median(r[1] for r in results),
        "solve s (max)": max(r[1] for r in results),
        "call s (median)": statistics.median(r[1] for r in results),
        "work used": best[4],
        "paid h/week": math.nan,
        "cost $/week": best[2] / 100,
        "gap to bound %": 100 * (best[2] - best[3]) / best[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--open", default="07:00")
    parser.add_argument("--close", default="19:00")
    parser.add_argument("--step", type=int, default=30, help="minutes between shift starts")
    parser.add_argument("--lengths", type=float, nargs="+", default=[4, 8, 10])
    parser.add_argument("--budget", type=float, default=st.DEFAULT_SOLVER_DETERMINISTIC_TIME,
                        help="CP-SAT work budget (deterministic time units) of each plan")
    parser.add_argument("--whole-week", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the week as a single CP-SAT model (default: yes)")
    args = parser.parse_args()

    rates = {role: rate for role, (_, rate) in ROLES.items()}
    synthetic = synthetic_required(args.open, args.close)
    rows = [run(f"synthetic {args.open}-{args.close}, 7 days", synthetic, args.open, args.close,
                rates, args)]
    if args.whole_week:
        rows.append(whole_week(synthetic, args.open, args.close, rates, args))
    required, sample_rates = sample_required()
    rows.append(run("sample MAIN clinic, Mon-Fri 07:30-17:30", required, "07:30", "17:30",
                    sample_rates, args))
    table = pd.DataFrame(rows)
    print(f"python {platform.python_version()}, ortools {ortools.__version__}, "
          f"pandas {pd.__version__}, {os.cpu_count()} cores; repeat {args.repeat}, "
          f"starts every {args.step} min, lengths {args.lengths} h, "
          f"budget {args.budget:g} deterministic units, 1 worker, seed {st.SOLVER_SEED}")
    print(table.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))


if __name__ == "__main__":
    main()
