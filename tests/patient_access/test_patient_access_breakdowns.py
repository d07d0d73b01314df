"""The lead-time band and payer class breakdowns of the no-show rate, the template's use by
slot type and the explorer's figures, against an independent reading of the sample's CSV text
(csv, datetime, fractions and math; no pandas, no pracops calculation), and the explorer's
widgets without a kernel."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from fractions import Fraction

import pandas as pd
import pytest
from sample_text import day, rows

from pracops import report
from pracops.errors import ParameterError
from pracops.patient_access import chain, model, view

START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
Z = 1.959963984540054


@pytest.fixture(scope="module")
def kept() -> list[dict[str, str]]:
    return [r for r in rows("appointments") if START <= day(r["date"]) <= AS_OF
            and r["status"] in ("completed", "no-show")]


def counted(kept: list[dict[str, str]], key) -> dict[str, tuple[int, int]]:
    """(no-shows, kept) by ``key(row)``."""
    shows, total = Counter(), Counter()
    for r in kept:
        total[key(r)] += 1
        shows[key(r)] += r["status"] == "no-show"
    return {k: (shows[k], total[k]) for k in total}


def wilson_low(k: int, n: int) -> float:
    p = k / n
    return ((p + Z * Z / (2 * n)) - Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))) \
        / (1 + Z * Z / n)


def table(result: chain.PatientAccess, dimension: str) -> dict[str, tuple[int, int, bool]]:
    t = result.groups[result.groups["dimension"] == dimension]
    return {g: (int(k), int(n), bool(f)) for g, k, n, f in
            zip(t["group"], t["no_shows"], t["kept"], t["flagged"], strict=True)}


def flagged(k: int, n: int, practice: Fraction, points: float = 5.0) -> bool:
    return wilson_low(k, n) > practice and Fraction(k, n) >= practice + Fraction(points) / 100


def test_band_labels_read_as_days() -> None:
    assert model.band_labels((0, 3, 8, 15, 31)) == [
        "0-2 days", "3-7 days", "8-14 days", "15-30 days", "31+ days"]
    assert model.band_labels((0, 1, 7)) == ["0 days", "1-6 days", "7+ days"]


def test_no_shows_by_lead_time_band(result, kept) -> None:
    def band(r: dict[str, str]) -> str:
        lead = (day(r["date"]) - day(r["booked_date"])).days
        edges = [(0, "0-2 days"), (3, "3-7 days"), (8, "8-14 days"), (15, "15-30 days"),
                 (31, "31+ days")]
        return [label for first, label in edges if lead >= first][-1]

    expected = counted(kept, band)
    practice = Fraction(sum(k for k, _ in expected.values()), len(kept))
    got = table(result, "lead-time band")
    assert list(got) == ["0-2 days", "3-7 days", "8-14 days", "15-30 days", "31+ days"]
    assert {g: (k, n) for g, (k, n, _) in got.items()} == expected
    assert {g: f for g, (_, _, f) in got.items()} == {
        g: flagged(k, n, practice) for g, (k, n) in expected.items()}
    assert not any(f for _, _, f in got.values())  # nothing planted, nothing flagged


def test_the_bands_are_a_parameter(kept) -> None:
    inputs = chain.load_inputs()
    wide = chain.compute(inputs, lead_time_bands=[0, 15])
    expected = counted(kept, lambda r: "0-14 days" if (
        day(r["date"]) - day(r["booked_date"])).days < 15 else "15+ days")
    assert {g: (k, n) for g, (k, n, _) in table(wide, "lead-time band").items()} == expected
    for bad in ([3, 8], [0, 8, 8], [0, 2.5], [], [0, True]):
        with pytest.raises(ParameterError, match="lead_time_bands"):
            chain.compute(inputs, lead_time_bands=bad)


def payer_of_visits() -> dict[str, str]:
    """Each appointment's payer as the report reads it: its claim's; else its latest
    eligibility check's; else its patient's claim nearest in time."""
    appointments = {r["appointment_id"]: r for r in rows("appointments")}
    billed = {r["appointment_id"]: r["payer_id"] for r in rows("claims")}
    checked: dict[str, tuple[str, str]] = {}
    for r in rows("eligibility_checks"):
        if r["appointment_id"] not in checked or r["checked_date"] >= checked[
                r["appointment_id"]][0]:
            checked[r["appointment_id"]] = (r["checked_date"], r["payer_id"])
    history = defaultdict(list)
    for r in rows("claims"):
        history[r["patient_id"]].append((day(appointments[r["appointment_id"]]["date"]),
                                         r["payer_id"]))
    out = {}
    for a, r in appointments.items():
        if a in billed:
            out[a] = billed[a]
        elif a in checked:
            out[a] = checked[a][1]
        elif history[r["patient_id"]]:
            out[a] = min(history[r["patient_id"]],
                         key=lambda h: abs((h[0] - day(r["date"])).days))[1]
    return out


def test_no_shows_by_payer_class(result, kept) -> None:
    classes = {r["payer_id"]: r["class"] for r in rows("payers")}
    payer = payer_of_visits()
    expected = counted(kept, lambda r: classes[payer[r["appointment_id"]]]
                       if r["appointment_id"] in payer else "Not known")
    practice = Fraction(sum(k for k, _ in expected.values()), len(kept))
    got = table(result, "payer class")
    assert {g: (k, n) for g, (k, n, _) in got.items()} == expected
    assert set(got) == {"Commercial", "Medicaid", "Medicare", "Self-pay", "Not known"}
    for group, (k, n) in expected.items():
        assert got[group][2] == (group != "Not known" and flagged(k, n, practice)), group
    # a visit has no payer at all only when it never took place and was never checked:
    # every such visit is a no-show, so its 100 % is where the payer is read from, never
    # flagged (it would be the only group flagged on the sample)
    k, n = expected["Not known"]
    assert k == n > 0 and flagged(k, n, practice) and not got["Not known"][2]


def half_up(x: Fraction) -> int:
    """Whole cents of a positive amount, half a cent up."""
    return math.floor(x + Fraction(1, 2))


def test_revenue_lost_prices_each_no_show_by_visit_type_and_payer_class(result, kept) -> None:
    classes = {r["payer_id"]: r["class"] for r in rows("payers")}
    payer = payer_of_visits()

    def payer_class(a: str) -> str:
        return classes[payer[a]] if a in payer else "Not known"

    done = {r["appointment_id"]: (r["visit_type"], payer_class(r["appointment_id"]))
            for r in kept if r["status"] == "completed"}
    claim_visit = {r["claim_id"]: r["appointment_id"] for r in rows("claims")}
    paid, completed = defaultdict(Fraction), Counter(done.values())
    for r in rows("payments_posted"):
        visit = claim_visit.get(r["claim_id"])
        if visit in done and day(r["posted_date"]) <= AS_OF:
            paid[done[visit]] += Fraction(r["amount"]) * 100  # dollars text to cents, exact
    type_paid, type_done = defaultdict(Fraction), Counter()
    for (kind, cls), n in completed.items():
        type_paid[kind] += paid[(kind, cls)]
        type_done[kind] += n
    lost, fallback = defaultdict(Fraction), Counter()
    for r in kept:
        if r["status"] == "no-show":
            pair = (r["visit_type"], payer_class(r["appointment_id"]))
            if completed[pair]:
                lost[pair[1]] += paid[pair] / completed[pair]
            else:
                lost[pair[1]] += type_paid[pair[0]] / type_done[pair[0]]
                fallback[pair[1]] += 1
    assert result.revenue_lost_cents == half_up(sum(lost.values())) > 0
    table = result.lost_by_payer.set_index("payer_class")
    assert sorted(table.index) == sorted(lost)
    for cls, amount in lost.items():
        # each row its exact amount floored or raised by one cent …
        assert table.loc[cls, "lost_cents"] - math.floor(amount) in (0, 1)
        assert table.loc[cls, "at_type_average"] == fallback[cls]
    assert table.loc["Not known", "at_type_average"] == table.loc["Not known", "no_shows"] > 0
    # … the cents raised those of the largest remainders, so the rows add up to the total
    assert int(table["lost_cents"].sum()) == result.revenue_lost_cents
    raised = {cls for cls, amount in lost.items()
              if table.loc[cls, "lost_cents"] > math.floor(amount)}
    remainder = {cls: amount - math.floor(amount) for cls, amount in lost.items()}
    assert all(remainder[a] >= remainder[b] for a in raised for b in set(lost) - raised)


def test_the_plants_stay_the_only_problems(result) -> None:
    kinds = Counter(p["kind"] for p in result.problems)
    assert kinds == Counter({"no_show_group": 1, "no_show_week": 1, "third_next_available": 1,
                             "long_lead_time": 1, "afternoon_room_wait": 1,
                             "unverified_eligibility_denials": 1})


def test_the_explorer_figures_of_a_provider_and_a_quarter(result, kept) -> None:
    periods = dict(chain.periods(result))
    assert list(periods) == ["2025-01-01 to 2025-12-31", "2025 Q1", "2025 Q2", "2025 Q3",
                             "2025 Q4"]
    first, last = periods["2025 Q2"]
    assert (first, last) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    sel = chain.explore(result, "P003", "established", first, last, tolerance_pct=10)
    mine = [r for r in kept if r["provider_id"] == "P003" and r["visit_type"] == "established"
            and first <= day(r["date"]) <= last]
    assert (sel.no_shows, sel.kept) == (sum(r["status"] == "no-show" for r in mine), len(mine))
    assert sel.rate == pytest.approx(sel.no_shows / sel.kept)
    assert sel.low == pytest.approx(wilson_low(sel.no_shows, sel.kept))
    assert sel.chart["kept"].sum() == len(mine)
    assert set(sel.groups.loc[sel.groups["dimension"] == "provider", "group"]) == {"P003"}
    assert (sel.overbooking["provider_id"] == "P003").all()


def test_the_whole_selection_is_the_report(result) -> None:
    sel = chain.explore(result)
    assert sel.rate == result.practice_rate
    assert sel.chart.equals(result.chart)
    assert sel.groups.equals(result.groups)


def test_a_higher_tolerance_never_books_fewer_extra_visits(result) -> None:
    low = chain.explore(result, "P003", tolerance_pct=5).overbooking
    high = chain.explore(result, "P003", tolerance_pct=40).overbooking
    assert (high["extra"] >= low["extra"]).all() and high["extra"].sum() > low["extra"].sum()


def test_overbooking_takes_each_next_session_of_the_template(result) -> None:
    # P003's sessions after the as-of date, from schedule_slots.csv as text: the first day of
    # each weekday and half-day, its slots not blocked and their minutes
    sessions: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for s in rows("schedule_slots"):
        if s["provider_id"] == "P003" and day(s["date"]) > AS_OF and s["state"] != "blocked":
            half = "morning" if s["start_time"] < "12:00" else "afternoon"
            sessions[(day(s["date"]).strftime("%a"), half)].append(
                (day(s["date"]), int(s["minutes"])))
    expected = {}
    for cell, found in sessions.items():
        first = min(d for d, _ in found)
        mine = [m for d, m in found if d == first]
        expected[cell] = (first, len(mine), sum(mine))
    table = result.overbooking[result.overbooking["provider_id"] == "P003"]
    assert {(r.weekday, r.session): (r.date.date(), r.slots, r.session_minutes)
            for r in table.itertuples()} == expected


def test_an_empty_selection_says_so(result) -> None:
    from pracops.patient_access import view

    sel = chain.explore(result, "P003", "procedure", dt.date(2025, 1, 4), dt.date(2025, 1, 5))
    assert sel.kept == 0
    assert view.selection_text(sel).startswith("No completed or missed visits")


def test_the_explorer_redraws_without_a_kernel_or_a_file(result, monkeypatch) -> None:
    pytest.importorskip("ipywidgets")
    from pracops.patient_access import view

    calls = []
    explore = chain.explore

    def counted_explore(res, provider, visit_type, start, end, **kw):
        calls.append((provider, visit_type, start, end, kw["tolerance_pct"]))
        return explore(res, provider, visit_type, start, end, **kw)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(chain, "explore", counted_explore)
    monkeypatch.setattr(report, "write_handouts", refuse)
    box = view.explorer(result, overbooking_tolerance_pct=10.0)
    grid = box.children[0].children
    provider, visit_type, period, tolerance = (cell.children[1] for cell in grid)
    showing = box.children[1].value
    assert calls == [("", "", START, AS_OF, 10.0)]
    provider.value = "P002"
    period.value = (dt.date(2025, 10, 1), AS_OF)
    tolerance.value = 25.0
    assert calls[1:] == [("P002", "", START, AS_OF, 10.0),
                         ("P002", "", dt.date(2025, 10, 1), AS_OF, 10.0),
                         ("P002", "", dt.date(2025, 10, 1), AS_OF, 25.0)]
    assert box.children[1].value != showing
    assert "provider P002" in box.children[1].value and "2025 Q4" in box.children[1].value


def test_template_use_by_slot_type(result) -> None:
    count: dict[str, Counter] = defaultdict(Counter)
    for r in rows("schedule_slots"):
        if START <= day(r["date"]) <= AS_OF:
            count[r["slot_type"]][r["state"]] += 1
            count["every type"][r["state"]] += 1
    got = result.template.set_index("slot_type")
    assert list(got.index) == ["established", "new patient", "same-day", "every type"]
    for kind, c in count.items():
        row = got.loc[kind]
        assert (row["slots"], row["blocked"], row["booked"], row["unfilled"]) == (
            sum(c.values()), c["blocked"], c["booked"], c["open"]), kind
        assert row["utilisation"] == pytest.approx(c["booked"] / (c["booked"] + c["open"]))
    # the same-day slots are kept for the day itself: most are left unfilled
    assert got.loc["same-day", "utilisation"] < 0.5 < got.loc["established", "utilisation"]


def test_the_share_of_visits_verified_two_days_ahead(result, kept) -> None:
    visit_day = {r["appointment_id"]: day(r["date"]) for r in kept if r["status"] == "completed"}
    verified = {c["appointment_id"] for c in rows("eligibility_checks")
                if c["result"] == "active" and c["appointment_id"] in visit_day
                and (visit_day[c["appointment_id"]] - day(c["checked_date"])).days >= 2}
    got = result.verification
    assert (got["visits"], got["verified"]) == (len(visit_day), len(verified))
    assert 0 < len(verified) < len(visit_day)  # the sample has both
    assert view.figures(result)["verified_ahead_share"] == round(
        len(verified) / len(visit_day), 4)


def test_a_period_without_completed_visits_records_no_share() -> None:
    appointments = pd.DataFrame({
        "appointment_id": ["A1"], "date": pd.to_datetime(["2025-06-02"]),
        "status": pd.Series(["no-show"], dtype="category")})
    checks = pd.DataFrame({"appointment_id": ["A1"], "result": ["active"],
                           "checked_date": pd.to_datetime(["2025-05-20"])})
    got = model.verified_ahead(appointments, checks, START, AS_OF)
    assert (got["visits"], got["verified"], got["share"]) == (0, 0, None)


def test_a_no_show_of_a_type_never_completed_is_counted_unpriced_not_dropped() -> None:
    appointments = pd.DataFrame({
        "appointment_id": ["A1", "A2", "A3"],
        "date": pd.to_datetime(["2025-06-02"] * 3),
        "visit_type": ["established", "established", "telehealth"],
        "status": pd.Series(["no-show", "no-show", "no-show"], dtype="category")})
    payment = pd.DataFrame({"visit_type": ["established"], "payer_class": ["Medicare"],
                            "paid_cents": [10001], "completed": [3]})
    classes = pd.Series(["Medicare", "Commercial", "Medicare"], index=appointments.index)
    total, table = model.revenue_lost(appointments, payment, classes, START, AS_OF)
    # A1 at its pair's 10001/3, A2 at its type's 10001/3, A3 unpriced: 20002/3 -> 6667
    assert total == 6667 == int(table["lost_cents"].sum())
    by = table.set_index("payer_class")
    assert by.loc["Medicare", ["no_shows", "at_type_average", "unpriced"]].tolist() == [2, 1, 1]
    assert by.loc["Commercial", ["no_shows", "at_type_average", "unpriced"]].tolist() == [1, 1, 0]
