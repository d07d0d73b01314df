"""The lead-time bands and the expected payments checked by their declarations, before any
kernel starts; given payments pricing the no-shows."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pracops import config
from pracops.errors import ParameterError
from pracops.patient_access.parameters import PARAMETERS


@pytest.mark.parametrize("bad", [[0, 5, 3], [3, 8], [0, 8, 8], [0, 2.5], [], [0, True]])
def test_the_declaration_refuses_bands_that_do_not_rise_from_0(bad: list) -> None:
    with pytest.raises(ParameterError, match=r"^where must be each band's first day as whole "
                                             r"days rising from 0, such as \[0, 3, 8, 15, 31\], "
                                             rf"got {re.escape(repr(bad))}$"):
        PARAMETERS["lead_time_bands"].check(bad, "where")


def test_the_declaration_takes_rising_bands() -> None:
    assert PARAMETERS["lead_time_bands"].check([0, 1, 30], "where") == [0, 1, 30]


def test_run_refuses_bad_bands_before_any_kernel_starts(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "pracops.cli", "run", "patient_access",
                           "--out", str(tmp_path), "-p", "lead_time_bands", "[0, 5, 3]"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == ["pracops: error: -p lead_time_bands: parameter 'lead_time_bands' of "
                     "patient_access must be each band's first day as whole days rising from "
                     "0, such as [0, 3, 8, 15, 31], got [0, 5, 3]"]
    assert list(tmp_path.iterdir()) == []  # no run folder: nothing started


@pytest.mark.parametrize("bad", [[100], {"follow-up": -5}, {"follow-up": 12.345},
                                 {"follow-up": "lots"}, {"follow-up": {}},
                                 {"follow-up": {"Medicare": True}}, {3: 100}])
def test_the_declaration_refuses_expected_payments_that_are_not_dollars(bad: object) -> None:
    expected = r"^where must be (dict|visit type to dollars per visit)"
    with pytest.raises(ParameterError, match=expected):
        PARAMETERS["expected_payment"].check(bad, "where")


def test_the_declaration_takes_dollars_by_type_and_by_payer_class() -> None:
    given = {"new": 180, "follow-up": {"Medicare": 95.5, "Commercial": "120.00"}}
    assert PARAMETERS["expected_payment"].check(given, "where") == given


def test_given_payments_price_the_no_shows_of_their_visit_types() -> None:
    """Every visit type given a price: revenue lost is then no-shows × price, from the CSV."""
    from collections import Counter

    from sample_text import day, rows

    from pracops.patient_access import chain

    start, as_of = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    missed = Counter(r["visit_type"] for r in rows("appointments")
                     if start <= day(r["date"]) <= as_of and r["status"] == "no-show")
    prices = {kind: 100 + 7 * i + 0.25 for i, kind in enumerate(sorted(missed))}
    result = chain.compute(chain.load_inputs(), expected_payment=prices)
    assert result.revenue_lost_cents == sum(n * round(prices[k] * 100) for k, n in missed.items())
    table = result.lost_by_payer
    assert table["given"].sum() == table["no_shows"].sum() == sum(missed.values())
    assert table["at_type_average"].sum() == table["unpriced"].sum() == 0
    # one visit type for one payer class only: the other no-shows keep their billing price
    kind = sorted(missed)[0]
    only = chain.compute(chain.load_inputs(), expected_payment={kind: {"Medicare": 1}})
    medicare = only.lost_by_payer.set_index("payer_class").loc["Medicare"]
    assert 0 < medicare["given"] < missed[kind]
    assert only.lost_by_payer["given"].sum() == medicare["given"]


def test_a_payment_for_a_visit_type_or_payer_class_the_data_lacks_is_refused() -> None:
    from pracops.patient_access import chain

    inputs = chain.load_inputs()
    with pytest.raises(ParameterError, match=r"visit type 'folow-up', which the appointments "
                                             r"do not have; they have \['annual wellness'"):
        chain.compute(inputs, expected_payment={"folow-up": 1})
    with pytest.raises(ParameterError, match=r"payer class 'Medicre' for 'new patient', which "
                                             r"the payers table does not have"):
        chain.compute(inputs, expected_payment={"new patient": {"Medicre": 1}})
