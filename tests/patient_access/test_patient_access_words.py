"""The patient access page's sentences: each problem as a manager reads it (no field names, money
in dollars, a rate with what it is of), the reminder's effect in points with its direction."""

from __future__ import annotations

import pytest

from pracops.patient_access import view


@pytest.mark.parametrize(("problem", "sentence"), [
    ({"kind": "no_show_group", "provider_id": "P003", "weekday": "Mon", "session": "morning",
      "no_shows": 86, "kept": 533},
     "No-shows high for P003, Mon mornings: 86 of 619 visits (13.9%), well above the "
     "practice's rate."),
    ({"kind": "no_show_group", "dimension": "payer class", "group": "Medicaid",
      "no_shows": 5, "kept": 15},
     "No-shows high for payer class Medicaid: 5 of 20 visits (25.0%), well above the "
     "practice's rate."),
    ({"kind": "no_show_week", "week": "2025-10-06", "no_shows": 55, "kept": 345},
     "No-shows above the control limit in the week of 2025-10-06: 55 of 400 visits (13.8%)."),
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
     "NWH: 2 claim(s) denied for eligibility, $17,465.00, on visits whose insurance was never "
     "checked."),
])
def test_each_problem_is_one_sentence(problem: dict, sentence: str) -> None:
    assert view.alert_text(problem) == sentence


def test_an_unknown_problem_is_refused_not_shown_as_fields() -> None:
    with pytest.raises(ValueError, match="no_such"):
        view.alert_text({"kind": "no_such"})


def test_the_reminder_effect_reads_in_points_with_its_direction() -> None:
    # reminded 5.5 %, not reminded 20.0 %: 14.5 points lower, interval -16.3 to -12.9 points
    assert view._reminder_effect(0.055 - 0.200, -0.163, -0.129) == (
        "Visits with a reminder have a no-show rate 14.5 points lower than those without "
        "(95 % interval 12.9 to 16.3 points lower).")
    assert view._reminder_effect(0.004, -0.01, 0.018).startswith(
        "Reminders make no clear difference to the no-show rate: 0.4 points higher with one "
        "(95 % interval -1.0 to +1.8 points)")
