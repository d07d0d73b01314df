"""The patient access page's sentences: each problem as a manager reads it (no field names, money
in dollars, a rate with what it is of), the reminder's effect in points with its direction."""

from __future__ import annotations

import datetime as dt

import pytest
from sample_text import day, rows

from pracops.patient_access import chain, view


@pytest.mark.parametrize(("problem", "sentence"), [
    ({"kind": "no_show_group", "provider_id": "P003", "weekday": "Mon", "session": "morning",
      "no_shows": 86, "kept": 533},
     "No-shows high for P003, Mon mornings: 86 of 533 visits (16.1%), against 6.9% for the "
     "practice."),
    ({"kind": "no_show_group", "dimension": "payer class", "group": "Medicaid",
      "no_shows": 5, "kept": 15},
     "No-shows high for payer class Medicaid: 5 of 15 visits (33.3%), against 6.9% for the "
     "practice."),
    ({"kind": "no_show_week", "week": "2025-10-06", "no_shows": 55, "kept": 345},
     "No-shows above the control limit in the week of 2025-10-06: 55 of 345 visits (15.9%)."),
    ({"kind": "third_next_available", "provider_id": "P001", "measured_on": "2025-12-31",
      "days": 20},
     "Third next available appointment with P001 is 20 days out on 2025-12-31, above the "
     "target of 14 days."),
    ({"kind": "third_next_available", "provider_id": "P002", "measured_on": "2025-12-31",
      "days": 59, "beyond_template": True},
     "No third open appointment with P002 in the schedule on 2025-12-31: at least 59 days "
     "out, above the target of 14 days."),
    ({"kind": "unverified_eligibility_denials", "payer_id": "NWH", "claims": ["C1", "C2"],
      "denied_cents": 1746500},
     "NWH: 2 claims denied for eligibility, $17,465.00, on visits whose insurance was never "
     "checked."),
    ({"kind": "unverified_eligibility_denials", "payer_id": "NWH", "claims": ["C1"],
      "denied_cents": 25000},
     "NWH: 1 claim denied for eligibility, $250.00, on visits whose insurance was never "
     "checked."),
])
def test_each_problem_is_one_sentence(problem: dict, sentence: str) -> None:
    # "kept" is completed visits and no-shows together: 86 of 533 is 16.14 %
    assert view.alert_text(problem, 0.0693) == sentence


def test_an_unknown_problem_is_refused_not_shown_as_fields() -> None:
    with pytest.raises(ValueError, match="no_such"):
        view.alert_text({"kind": "no_such"}, 0.07)


def _counts(visits: list[dict[str, str]]) -> tuple[int, int]:
    """No-shows and visits held to the end (completed or no-show) among ``visits``."""
    held = [v for v in visits if v["status"] in ("completed", "no-show")]
    return sum(v["status"] == "no-show" for v in held), len(held)


def test_the_sample_alerts_count_what_appointments_csv_says(tmp_path) -> None:
    result = chain.run(output_dir=tmp_path)
    period = [a for a in rows("appointments")
              if dt.date(2025, 1, 1) <= day(a["date"]) <= dt.date(2025, 12, 31)]
    missed, held = _counts(period)
    practice = f"{100 * missed / held:.1f}%"
    cell = _counts([a for a in period if a["provider_id"] == "P003"
                    and day(a["date"]).weekday() == 0 and a["start_time"] < "12:00"])
    week = _counts([a for a in period
                    if dt.date(2025, 10, 6) <= day(a["date"]) <= dt.date(2025, 10, 12)])
    sentences = [view.alert_text(p, result.practice_rate) for p in result.problems]
    assert (f"No-shows high for P003, Mon mornings: {cell[0]} of {cell[1]} visits "
            f"({100 * cell[0] / cell[1]:.1f}%), against {practice} for the practice."
            ) in sentences
    assert (f"No-shows above the control limit in the week of 2025-10-06: {week[0]} of "
            f"{week[1]} visits ({100 * week[0] / week[1]:.1f}%).") in sentences


def test_the_reminder_effect_reads_in_points_with_its_direction() -> None:
    # reminded 5.5 %, not reminded 20.0 %: 14.5 points lower, interval -16.3 to -12.9 points
    among = ("Among visits booked 2 days or more ahead (those a reminder can reach), ")
    assert view._reminder_effect(0.055 - 0.200, -0.163, -0.129) == (
        among + "visits with a reminder have a no-show rate 14.5 points lower than those "
        "without (95 % interval 12.9 to 16.3 points lower).")
    assert view._reminder_effect(0.004, -0.01, 0.018).startswith(
        among + "reminders make no clear difference to the no-show rate: 0.4 points higher "
        "with one (95 % interval -1.0 to +1.8 points)")


def test_the_summary_names_the_worst_wait_and_the_access_target(tmp_path) -> None:
    result = chain.run(output_dir=tmp_path)
    text = view.summary_text(result, 14, 20)
    assert ("Third next available appointment over the 14-day target on 2025-12-31: "
            "P001 (20 days).") in text
    # mean wait for a room by location and hour of the appointment, from the CSV text
    where = {a["appointment_id"]: (a["location_id"], a["start_time"][:2] + ":00")
             for a in rows("appointments")}
    waits: dict[tuple[str, str], list[int]] = {}
    for e in rows("visit_events"):
        arrived, roomed = (int(e[c][:2]) * 60 + int(e[c][3:]) for c in ("arrival", "roomed"))
        waits.setdefault(where[e["appointment_id"]], []).append(roomed - arrived)
    (location, hour), worst = max(waits.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))
    over = sum(w > 20 for w in worst)
    assert (f"Longest wait for a room: {sum(worst) / len(worst):.0f} minutes on average at "
            f"{location} for appointments at {hour}, where {over:,} of {len(worst):,} "
            "patients waited past the 20-minute target;") in text
