"""The row rules of the daily close's datasets (pracops.daily_close.datasets): each broken in a
copy of one sample file is refused with one line naming the file, the row, the column as the
file heads it and the value found as a person reads it (dollars, not cents; a date without a
time) — never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_edits import Edit, set_cell, write_edited

import pracops.daily_close  # noqa: F401  (registers the datasets)
from pracops import config, data
from pracops.errors import DataError

CASES = [
    ("front_desk_payments", "check_number", "", set_cell("check_number", "", lambda r: r["tender"]
                                                     == "check"), "a check without its number"),
    ("front_desk_payments", "check_number", "1234", set_cell("check_number", "1234", lambda r:
                                                         r["tender"] == "cash"),
     "a check number on a cash or card receipt"),
    ("card_settlements", "fees", "$99,999.00", set_cell("fees", "99999.00"),
     "fees larger than the batch"),
    ("bank_statement", "amount", "-$5.00",
     set_cell("amount", "-5.00", lambda r: r["type"] == "credit"),
     "the sign does not match the type"),
    ("bank_statement", "balance", "$1.00", set_cell("balance", "1.00", lambda r: r["line_id"]
                                                 == "L00010"),
     "the running balance does not follow"),
    ("ap_invoices", "paid_date", "", set_cell("paid_date", "", lambda r: r["paid_date"] != ""),
     "a payment date without an amount or an amount without a date"),
    ("ap_invoices", "paid_date", "2024-01-02", set_cell("paid_date", "2024-01-02", lambda r:
                                                    r["paid_date"] != ""),
     "paid before it was invoiced"),
    ("pm_transactions", "claim_id", "", set_cell("claim_id", "", lambda r: r["kind"] == "charge"),
     "a charge without its claim"),
    ("pm_transactions", "service_date", "", set_cell("service_date", "", lambda r: r["kind"] ==
                                                 "charge"),
     "a charge without its date of service"),
]


@pytest.mark.parametrize(("dataset", "header", "shown", "edit", "reason"), CASES,
                         ids=[f"{c[0]}-{c[4][:24]}" for c in CASES])
def test_a_broken_rule_is_one_line_naming_file_row_column_and_value(
        tmp_path: Path, dataset: str, header: str, shown: str,
        edit: Edit, reason: str) -> None:
    source = Path(config.SAMPLE_DIR) / f"{dataset}.csv"
    path = tmp_path / source.name
    row = write_edited(source, path, edit)
    with pytest.raises(DataError) as caught:
        data.load(dataset, path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and f"column '{header}'" in message and reason in message
    assert f"row {row}," in message  # a line's balance is checked against the line before
    assert f"(found '{shown}')" in message
