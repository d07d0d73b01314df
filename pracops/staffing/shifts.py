"""The shift plan: the cheapest weekly shifts covering the people required per interval, an
integer program per role and day solved by OR-Tools CP-SAT deterministically
(:func:`plan_shifts`), with a greedy cover where the work budget finds none
(:func:`greedy_cover`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from pracops.data import require_columns, rows_error
from pracops.errors import ParameterError, PracopsError
from pracops.staffing.common import (
    DAYS,
    ROLES,
    _check_clock,
    _check_hhmm,
    _check_interval,
    _day_column,
    _hhmm,
    _minutes,
)

__all__ = [
    "SOLVER_STATUSES",
    "DEFAULT_SOLVER_DETERMINISTIC_TIME",
    "SOLVER_SEED",
    "ShiftPlan",
    "worst_status",
    "greedy_cover",
    "plan_shifts",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

SOLVER_STATUSES: tuple[str, ...] = ("OPTIMAL", "FEASIBLE", "FALLBACK")
"""How a shift plan (or one role and day of it) was found, best first: ``OPTIMAL`` proved the
cheapest; ``FEASIBLE`` the cheapest CP-SAT found within its work budget, not proved; ``FALLBACK``
CP-SAT found none within its budget, so the plan is the greedy cover of
:func:`greedy_cover` (every interval covered, cost not minimised)."""

DEFAULT_SOLVER_DETERMINISTIC_TIME = 2.0
"""CP-SAT work budget of a whole shift plan, in CP-SAT's deterministic time units (see
:func:`plan_shifts`); the notebook's ``solver_deterministic_time`` has the same default. The
sample's plan uses about 0.001 units and is proved optimal from about 0.002; a model that uses
all 2 units took 4–9 s on the project's 2-core VM, depending on its load
(bench/bench_staffing.py ``--whole-week``), about what the old 10 s wall-clock limit allowed."""

SOLVER_SEED = 20260105
"""CP-SAT's ``random_seed``: fixed, so that the same input gives the same plan."""


@dataclass(frozen=True)
class ShiftPlan:
    """The cheapest shifts covering the required people, and how today's roster compares.

    Every attribute but ``solve_seconds`` and ``deterministic_time`` depends on the input only:
    the same input gives the same plan on any load of the same machine (see
    :func:`plan_shifts`).

    Attributes
    ----------
    status
        The worst of the (role, day) parts' :data:`SOLVER_STATUSES`: ``"OPTIMAL"`` (every part
        proved cheapest), ``"FEASIBLE"`` (covers everything; the work budget stopped the proof
        for at least one part) or ``"FALLBACK"`` (at least one part is the greedy cover).
    solve_seconds
        Wall time of the solves: it varies with the machine's load, so it is for benchmarks and
        logs, never a figure of the report.
    deterministic_time
        CP-SAT work the solves used, in its deterministic time units: for benchmarks, not a
        figure of the report (CP-SAT adds it up across threads, so its last digits can differ
        from run to run).
    paid_hours
        Paid hours a week of the chosen shifts.
    cost_cents
        Their cost a week (sum of the shifts' rounded costs), ``None`` without rates.
    lower_bound
        The sum of CP-SAT's proved lower bounds: paid hours without rates, cents (before
        rounding each shift) with them; it meets the objective when ``OPTIMAL``.
    gap_pct
        ``100 · (objective − lower_bound) / objective``, the objective being the plan's paid
        hours, or its cost before rounding each shift: how much cheaper a plan could at most
        be (0 when ``OPTIMAL``).
    blocks
        One row per role and day solved: ``role, day, status, objective, lower_bound``
        (objective and bound in the units of ``lower_bound``).
    shifts
        ``role, day, start, end, hours, people, paid_hours, cost_cents`` (``Int64``, missing
        without rates) for each shift pattern chosen.
    coverage
        ``role, day, interval_start, required, planned, plan_surplus`` and, with a roster,
        ``on_roster, roster_gap, roster_surplus`` (``gap = max(required − on_roster, 0)``,
        ``surplus = max(on_roster − required, 0)``).
    """

    status: str
    solve_seconds: float
    deterministic_time: float
    paid_hours: float
    cost_cents: int | None
    lower_bound: float
    gap_pct: float
    blocks: pd.DataFrame
    shifts: pd.DataFrame
    coverage: pd.DataFrame


def worst_status(statuses: Sequence[str]) -> str:
    """The worst of several :data:`SOLVER_STATUSES` (``OPTIMAL`` for none)."""
    return max(statuses, key=SOLVER_STATUSES.index, default="OPTIMAL")


def _check_required(required: pd.DataFrame, o: int, c: int, interval_minutes: int) -> None:
    require_columns(required, "required", ("role", "day", "interval_start", "required"))
    bad = ~required["role"].astype("object").isin(ROLES)
    if bad.any():
        raise rows_error(required, bad, "required", "role", "unknown role",
                         "one of " + ", ".join(ROLES))
    bad = ~required["day"].astype("object").isin(DAYS)
    if bad.any():
        raise rows_error(required, bad, "required", "day", "unknown day", ", ".join(DAYS))
    _check_hhmm(required, "required", "interval_start")
    n = pd.to_numeric(required["required"], errors="coerce")
    bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        raise rows_error(required, bad, "required", "required", "not a number of people",
                         "a whole number 0 or more")
    t = required["interval_start"].astype("str").map(_minutes)
    bad = (t % interval_minutes != 0) | (t < o) | (t + interval_minutes > c)
    bad &= n > 0
    if bad.any():
        raise rows_error(required, bad, "required", "interval_start",
                         "people required when the clinic is closed, or off the interval grid",
                         f"{interval_minutes}-minute intervals between {_hhmm(o)} and {_hhmm(c)}")
    if required[["role", "day", "interval_start"]].astype("str").duplicated().any():
        raise rows_error(required, required[["role", "day", "interval_start"]].astype("str")
                         .duplicated(keep=False), "required", "interval_start",
                         "an interval is listed twice", "one row per role, day and interval")


def _spans(s: int, e: int, interval_minutes: int) -> range:
    """Interval starts a shift ``s``–``e`` covers entirely."""
    return range(s, e - interval_minutes + 1, interval_minutes)


def greedy_cover(need: Mapping[int, int], candidates: Sequence[tuple[int, int]],
                 interval_minutes: int) -> dict[tuple[int, int], int]:
    """A cover of one role's day without a solver: the fallback of :func:`plan_shifts`.

    Sweeping the intervals in time order, each interval still short of ``need`` gets the
    missing people on the candidate shift that covers it and reaches furthest (the latest end;
    among those, the latest start, so the shortest). Every interval ends up covered (each must
    have a covering candidate); the cost is not minimised. Deterministic: the same input gives
    the same cover.

    Parameters
    ----------
    need
        People required per interval start (minutes from midnight), those above 0.
    candidates
        ``(start, end)`` minutes of the allowed shifts.
    interval_minutes
        Length of the intervals.

    Returns
    -------
    dict
        People per ``(start, end)`` chosen.

    Raises
    ------
    ParameterError
        An interval that no candidate shift covers.
    """
    covered = dict.fromkeys(need, 0)
    chosen: dict[tuple[int, int], int] = {}
    for t in sorted(need):
        short = need[t] - covered[t]
        if short <= 0:
            continue
        best = max((c for c in candidates if c[0] <= t and t + interval_minutes <= c[1]),
                   key=lambda c: (c[1], c[0]), default=None)
        if best is None:
            raise ParameterError(f"no candidate shift covers {_hhmm(t)}: allow shorter shifts "
                                 "or more start times")
        s, e = best
        chosen[(s, e)] = chosen.get((s, e), 0) + short
        for u in _spans(s, e, interval_minutes):
            if u in covered:
                covered[u] += short
    return chosen


def _solve_block(need: Mapping[int, int], candidates: Sequence[tuple[int, int]],
                 interval_minutes: int, rate: int, budget: float
                 ) -> tuple[str, dict[tuple[int, int], int], float, float]:
    """One role on one day: ``min Σ x_s m_s rate`` s.t. every interval covered ``need`` times.

    CP-SAT runs deterministically: one search worker (its sequential loop, no race between
    threads), :data:`SOLVER_SEED` as ``random_seed``, and ``max_deterministic_time = budget``
    as the only limit (no wall-clock limit), so where it stops depends on the model alone.
    Without a plan within the budget the block takes :func:`greedy_cover` (``FALLBACK``); a
    plan found but not proved optimal (``FEASIBLE``) is replaced by the greedy cover when that
    is cheaper.

    Returns the status (:data:`SOLVER_STATUSES`), people per candidate ``(start, end)``, the
    proved bound of the objective (minutes × rate) and the deterministic time used.
    """
    model = cp_model.CpModel()
    peak = max(need.values())
    shifts = {}
    covering: dict[int, list[cp_model.IntVar]] = {t: [] for t in need}
    for s, e in candidates:
        spans = [t for t in _spans(s, e, interval_minutes) if t in need]
        if not spans:
            continue
        var = model.new_int_var(0, peak, f"{s}-{e}")
        shifts[(s, e)] = var
        for t in spans:
            covering[t].append(var)
    for t, n in need.items():
        model.add(sum(covering[t]) >= n)
    model.minimize(sum((e - s) * rate * v for (s, e), v in shifts.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_deterministic_time = budget
    status = solver.solve(model)
    work = float(solver.response_proto.deterministic_time)
    bound = max(float(solver.best_objective_bound), 0.0)
    if status == cp_model.OPTIMAL:
        return "OPTIMAL", {k: int(solver.value(v)) for k, v in shifts.items()}, bound, work
    if status not in (cp_model.FEASIBLE, cp_model.UNKNOWN):  # a bug, not the budget
        raise PracopsError(f"CP-SAT could not plan the shifts (status "
                           f"{solver.status_name(status)})")
    greedy = greedy_cover(need, candidates, interval_minutes)
    if status == cp_model.UNKNOWN:
        return "FALLBACK", greedy, bound, work
    found = {k: int(solver.value(v)) for k, v in shifts.items()}

    def minutes(plan: Mapping[tuple[int, int], int]) -> int:
        return sum((e - s) * n for (s, e), n in plan.items())

    # Interrupted early, CP-SAT's best can be dearer than the greedy cover: keep the cheaper.
    return "FEASIBLE", greedy if minutes(greedy) < minutes(found) else found, bound, work


def plan_shifts(required: pd.DataFrame, opens: str, closes: str, *,
                shift_lengths_hours: Sequence[float] = (4, 8, 9, 10),
                start_step_minutes: int = 30,
                hourly_rate_cents: Mapping[str, int] | None = None,
                roster: pd.DataFrame | None = None,
                interval_minutes: int = 15,
                solver_deterministic_time: float = DEFAULT_SOLVER_DETERMINISTIC_TIME
                ) -> ShiftPlan:
    """Choose the cheapest weekly shifts that put enough people in every interval.

    Candidate shifts, per role and day: every start from ``opens`` in steps of
    ``start_step_minutes``, every length in ``shift_lengths_hours``, ending by ``closes``.
    With ``x_s ≥ 0`` integer people on shift *s*, ``m_s`` its minutes and ``r`` its role's rate:

    .. math::

        \\min \\sum_s x_s \\, m_s \\, r_{role(s)} \\quad \\text{s.t.} \\quad
        \\sum_{s \\ni i} x_s \\ge \\text{required}_i \\;\\; \\forall i

    (``r = 1``: paid hours, when no rates are given). A shift covers an interval it spans
    entirely; paid time is the shift's length (breaks are not modelled). No constraint links two
    roles or two days, so the program is solved as one OR-Tools CP-SAT model per role and day
    (the sum of their optima is the week's optimum).

    The plan depends on the input only, never on the machine's load: each model is solved by
    one CP-SAT worker with a fixed seed (:data:`SOLVER_SEED`) and a limit in CP-SAT's
    deterministic time (work counted by the solver, not seconds on a clock), an equal share of
    ``solver_deterministic_time`` set before any solve. A part not proved optimal within its
    share keeps the cheapest cover found (``FEASIBLE``, with the gap to the proved bound); a
    part with no cover found takes :func:`greedy_cover` (``FALLBACK``). A plan never fails for
    want of time.

    Parameters
    ----------
    required
        ``role, day, interval_start, required`` (:func:`interval_requirements` output).
    opens, closes
        Opening hours, ``HH:MM``.
    shift_lengths_hours
        Shift lengths allowed, hours (whole multiples of ``interval_minutes``).
    start_step_minutes
        Minutes between candidate starts (a multiple of ``interval_minutes``).
    hourly_rate_cents
        Rate per role (e.g. from :func:`role_rates`); minimises cost instead of hours.
    roster
        :func:`roster_coverage` output, to report today's gaps and surpluses.
    interval_minutes
        Length of the intervals in ``required``.
    solver_deterministic_time
        CP-SAT work budget of all the (role, day) models together, in its deterministic time
        units (the solver's count of work, made to be about a second of a typical machine, but
        the same however busy the machine is); each model gets an equal share.

    Returns
    -------
    ShiftPlan

    Raises
    ------
    DataError
        Bad ``required`` rows (unknown role or day, people required when closed).
    ParameterError
        Bad parameters, or an interval no candidate shift can cover.
    """
    o, c, lengths = _check_shift_options(opens, closes, shift_lengths_hours, start_step_minutes,
                                         interval_minutes, solver_deterministic_time)
    _check_required(required, o, c, interval_minutes)
    rates = _check_rates(required, hourly_rate_cents)
    req = required.assign(role=required["role"].astype("object"),
                          day=required["day"].astype("object"),
                          t=required["interval_start"].astype("str").map(_minutes),
                          n=required["required"].astype("int64"))
    candidates = [(s, s + m) for s in range(o, c, start_step_minutes) for m in lengths
                  if s + m <= c]
    blocks = _blocks(req, candidates, interval_minutes)
    began = time.perf_counter()
    chosen, blocks_table, work = _solve_blocks(blocks, candidates, interval_minutes, rates,
                                               solver_deterministic_time)
    elapsed = time.perf_counter() - began
    logger.debug("shift plan: %d blocks in %.2f s", len(blocks), elapsed)
    shifts, planned = _shift_table(chosen, rates, interval_minutes)
    objective = float(blocks_table["objective"].sum())
    bound = float(blocks_table["lower_bound"].sum())
    return ShiftPlan(
        status=worst_status(list(blocks_table["status"])),
        solve_seconds=elapsed,
        deterministic_time=work,
        paid_hours=float(shifts["paid_hours"].sum()),
        cost_cents=None if rates is None else int(shifts["cost_cents"].sum()),
        lower_bound=bound,
        gap_pct=100 * (objective - bound) / objective if objective > 0 else 0.0,
        blocks=blocks_table,
        shifts=shifts,
        coverage=_coverage_table(req, planned, roster),
    )


def _check_shift_options(opens: str, closes: str, shift_lengths_hours: Sequence[float],
                         start_step_minutes: int, interval_minutes: int,
                         solver_deterministic_time: float) -> tuple[int, int, list[int]]:
    """Opening and closing minutes and the allowed shift lengths in minutes, checked."""
    _check_interval(interval_minutes)
    o, c = _check_clock("opens", opens), _check_clock("closes", closes)
    if c <= o:
        raise ParameterError(f"closes {closes} must be after opens {opens}")
    if start_step_minutes <= 0 or start_step_minutes % interval_minutes:
        raise ParameterError(f"start_step_minutes must be a positive multiple of "
                             f"{interval_minutes}, got {start_step_minutes!r}")
    lengths = sorted({round(float(h) * 60) for h in shift_lengths_hours})
    if not lengths or any(m <= 0 or m % interval_minutes for m in lengths):
        raise ParameterError(f"shift_lengths_hours must be positive whole multiples of "
                             f"{interval_minutes} minutes, got {list(shift_lengths_hours)}")
    if not (isinstance(solver_deterministic_time, int | float)
            and math.isfinite(solver_deterministic_time) and solver_deterministic_time > 0):
        raise ParameterError(f"solver_deterministic_time must be a number above 0, "
                             f"got {solver_deterministic_time!r}")
    return o, c, lengths


def _check_rates(required: pd.DataFrame, hourly_rate_cents: Mapping[str, int] | None
                 ) -> dict[str, int] | None:
    """The rates as a dict (``None`` without), with whole cents 0 or more for every role
    planned."""
    if hourly_rate_cents is None:
        return None
    rates = dict(hourly_rate_cents)
    roles = [r for r in ROLES if r in set(required["role"].astype("object"))]
    missing = [r for r in roles if r not in rates]
    if missing or any(int(v) != v or v < 0 for v in rates.values()):
        raise ParameterError(f"hourly_rate_cents needs whole cents 0 or more for every role "
                             f"planned; missing {missing}")
    return rates


def _blocks(req: pd.DataFrame, candidates: Sequence[tuple[int, int]], interval_minutes: int
            ) -> dict[tuple[str, str], dict[int, int]]:
    """People needed per interval start (those above 0), by (role, day), each interval
    checked to have a covering candidate shift."""
    need = {(r, d, t): n for r, d, t, n in zip(req["role"], req["day"], req["t"], req["n"],
                                                strict=True) if n > 0}
    blocks: dict[tuple[str, str], dict[int, int]] = {}
    for (r, d, t), n in need.items():
        blocks.setdefault((r, d), {})[t] = n
    for (r, d), block in blocks.items():
        for t in block:
            if not any(s <= t and t + interval_minutes <= e for s, e in candidates):
                raise ParameterError(f"no candidate shift covers {r} on {d} at {_hhmm(t)}: "
                                     "allow shorter shifts or more start times")
    return blocks


def _solve_blocks(blocks: Mapping[tuple[str, str], Mapping[int, int]],
                  candidates: Sequence[tuple[int, int]], interval_minutes: int,
                  rates: Mapping[str, int] | None, solver_deterministic_time: float
                  ) -> tuple[dict[tuple[str, str, int, int], int], pd.DataFrame, float]:
    """Solve each (role, day) block in role and day order with an equal share of the budget.

    Roles and days share no constraint, so the program splits into one small program per
    (role, day) whose optima add up to the week's optimum; CP-SAT proves each in
    milliseconds, where the whole week at once can exhaust the budget (see
    bench/bench_staffing.py). Each block's share is fixed before any solve, so no block's
    result depends on how long another took.

    Returns people per ``(role, day, start, end)``, the blocks table (``role, day, status,
    objective, lower_bound``) and the CP-SAT work used.
    """
    share = float(solver_deterministic_time) / max(len(blocks), 1)
    chosen: dict[tuple[str, str, int, int], int] = {}
    parts = []
    work = 0.0
    for (role, day), block in sorted(blocks.items(), key=lambda kv: (ROLES.index(kv[0][0]),
                                                                     DAYS.index(kv[0][1]))):
        rate = rates[role] if rates is not None else 1
        status, values, block_bound, used = _solve_block(block, candidates, interval_minutes,
                                                         rate, share)
        work += used
        objective = sum((e - s) * rate * n for (s, e), n in values.items())
        parts.append((role, day, status, objective / 60, block_bound / 60))
        chosen.update({(role, day, s, e): n for (s, e), n in values.items()})
    table = pd.DataFrame(parts, columns=["role", "day", "status", "objective", "lower_bound"])
    table["day"] = _day_column(table["day"])
    return chosen, table.astype({"objective": "float64", "lower_bound": "float64"}), work


def _shift_table(chosen: Mapping[tuple[str, str, int, int], int],
                 rates: Mapping[str, int] | None, interval_minutes: int
                 ) -> tuple[pd.DataFrame, dict[tuple[str, str, int], int]]:
    """The shifts chosen (``role, day, start, end, hours, people, paid_hours, cost_cents``,
    each shift's cost rounded half-up to a cent) and the people they put in each
    ``(role, day, interval start)``."""
    rows = []
    planned: dict[tuple[str, str, int], int] = {}
    for (role, day, s, e), people in chosen.items():
        if people:
            for t in _spans(s, e, interval_minutes):
                planned[(role, day, t)] = planned.get((role, day, t), 0) + people
            cost = (None if rates is None
                    else (2 * people * (e - s) * int(rates[role]) + 60) // 120)
            rows.append((role, day, _hhmm(s), _hhmm(e), (e - s) / 60, people,
                         people * (e - s) / 60, cost))
    shifts = pd.DataFrame(rows, columns=["role", "day", "start", "end", "hours", "people",
                                         "paid_hours", "cost_cents"])
    shifts = shifts.astype({"hours": "float64", "people": "int64", "paid_hours": "float64",
                            "cost_cents": "Int64"})
    shifts["day"] = _day_column(shifts["day"])
    return shifts.sort_values(["role", "day", "start", "end"], ignore_index=True), planned


def _coverage_table(req: pd.DataFrame, planned: Mapping[tuple[str, str, int], int],
                    roster: pd.DataFrame | None) -> pd.DataFrame:
    """Required, planned and (with a roster) on-roster people per interval, with the plan's
    surplus and the roster's gap and surplus."""
    coverage = pd.DataFrame({"role": req["role"], "day": req["day"],
                             "interval_start": req["t"].map(_hhmm), "required": req["n"]})
    coverage["planned"] = [planned.get(k, 0) for k in zip(req["role"], req["day"], req["t"],
                                                          strict=True)]
    coverage["plan_surplus"] = coverage["planned"] - coverage["required"]
    if roster is not None:
        on = roster.assign(role=roster["role"].astype("object"),
                           day=roster["day"].astype("object")).set_index(
            ["role", "day", "interval_start"])["on_roster"]
        key = pd.MultiIndex.from_frame(coverage[["role", "day", "interval_start"]])
        coverage["on_roster"] = on.reindex(key).fillna(0).astype("int64").to_numpy()
        diff = coverage["on_roster"] - coverage["required"]
        coverage["roster_gap"] = (-diff).clip(lower=0)
        coverage["roster_surplus"] = diff.clip(lower=0)
    coverage["day"] = _day_column(coverage["day"])
    coverage = coverage.astype({c: "int64" for c in coverage.columns
                                if c not in ("role", "day", "interval_start")})
    return coverage.sort_values(["role", "day", "interval_start"], ignore_index=True)
