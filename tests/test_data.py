"""Tests of pracops.data: the dataset registry and the loader, one test per kind of bad input.

Expected values are written out by hand from the small files each test builds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pracops import config, data
from pracops.budget import datasets as budget_datasets
from pracops.data import Column, Dataset
from pracops.errors import DataError

PROVIDERS = (
    "provider_id,npi,name,kind,specialty,fte,location_id,sessions_per_week,"
    "visits_per_day_target,start_date\n"
    "P001,1234567893,Ana Test,MD,Family Medicine,1,MAIN,9,22,2019-03-15\n"
    "P002,1111111112,Ben Test,NP,Family Medicine,0.8,NORTH,7,18,03/01/2021\n"
    "P003,2222222228,Cy Test,PA,Family Medicine,0.5,MAIN,4,16,2020-07-01\n"
)
STAFF = (
    "employee_id,name,role,fte,hourly_rate,overtime_eligible,location_id,usual_shifts\n"
    "E001,Jo Test,front desk,1,18.50,yes,MAIN,Mon-Fri 08:00-16:30\n"
    'E002,Kim Test,manager,1,"$1,234.56",N,MAIN,"Mon,Wed 07:30-16:00; Sat 08:00-12:00"\n'
    "E003,Lee Test,Nurse,0.5,30,1,NORTH,Tue-Thu 09:00-17:00\n"
)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def replace_cell(text: str, line: int, column: str, value: str) -> str:
    """``text`` with the cell of ``column`` on (1-based) ``line`` set to ``value``."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The good path


def test_load_types_and_values(tmp_path: Path) -> None:
    df = data.load("providers", write(tmp_path, "providers.csv", PROVIDERS))
    assert list(df.columns) == [c.name for c in data.DATASETS["providers"].columns]
    assert df["provider_id"].tolist() == ["P001", "P002", "P003"]
    assert df["kind"].dtype == "category"
    assert list(df["kind"].cat.categories) == ["MD", "DO", "NP", "PA"]
    assert df["kind"].tolist() == ["MD", "NP", "PA"]
    assert df["fte"].dtype == "float64" and df["fte"].tolist() == [1.0, 0.8, 0.5]
    assert df["sessions_per_week"].dtype == "int64"
    assert df["sessions_per_week"].tolist() == [9, 7, 4]
    assert df["start_date"].dtype == "datetime64[ns]"
    # ISO and US dates side by side: 03/01/2021 is March 1st.
    assert df["start_date"].tolist() == [pd.Timestamp("2019-03-15"), pd.Timestamp("2021-03-01"),
                                         pd.Timestamp("2020-07-01")]
    assert pd.api.types.is_string_dtype(df["npi"].dtype)
    assert df.attrs["source"] == str(tmp_path / "providers.csv")
    assert df.attrs["rows_read"] == 3
    assert df.attrs["encoding"] == "utf-8"
    assert isinstance(df.index, pd.RangeIndex)


def test_money_bool_and_category_spelling(tmp_path: Path) -> None:
    df = data.load("staff", write(tmp_path, "staff.csv", STAFF))
    assert "hourly_rate" not in df.columns
    assert df["hourly_rate_cents"].dtype == "int64"
    assert df["hourly_rate_cents"].tolist() == [1850, 123456, 3000]
    assert df["overtime_eligible"].dtype == "bool"
    assert df["overtime_eligible"].tolist() == [True, False, True]
    assert df["role"].tolist() == ["front desk", "manager", "nurse"]  # 'Nurse' -> declared spelling
    assert df.attrs["headers"]["hourly_rate_cents"] == "hourly_rate"


def test_plain_amounts_whole_numbers_and_untrimmed_text_read_as_the_general_rules(
        tmp_path: Path) -> None:
    """The loader's quick ways (every amount written -1234.56: the point dropped; whole numbers
    Arrow casts; text without surrounding spaces kept as read) and its general ones (a '+'
    sign, spaces) give the values written, checked by hand."""
    plain = STAFF.replace('"$1,234.56"', "1234.56").replace("Nurse,0.5,30,", "Nurse,0.5,30.00,")
    df = data.load("staff", write(tmp_path, "staff.csv", plain))
    assert df["hourly_rate_cents"].tolist() == [1850, 123456, 3000]
    assert df["employee_id"].tolist() == ["E001", "E002", "E003"]
    signed = replace_cell(replace_cell(PROVIDERS, 3, "sessions_per_week", "+7"), 2,
                          "provider_id", " P001 ")
    df = data.load("providers", write(tmp_path, "providers.csv", signed))
    assert df["sessions_per_week"].dtype == "int64"
    assert df["sessions_per_week"].tolist() == [9, 7, 4]
    assert df["provider_id"].tolist() == ["P001", "P002", "P003"]
    assert list(df["kind"].cat.codes) == [0, 2, 3]  # MD, NP, PA of MD, DO, NP, PA


def test_bundled_sample_validates() -> None:
    assert data.check_folder().errors == []
    assert data.check_folder(config.SAMPLE_DIR).errors == []
    assert {p.name for p in data.input_files()} >= {
        "locations.csv", "providers.csv", "staff.csv", "payers.csv"}
    assert data.load("providers").attrs["source"] == str(config.SAMPLE_DIR / "providers.csv")


def test_extra_columns_kept_and_blank_lines_skipped(tmp_path: Path) -> None:
    lines = PROVIDERS.splitlines()
    text = "\n".join([lines[0] + ",Notes", lines[1] + ",call back", "", lines[2] + ",",
                      lines[3] + ",x"]) + "\n\n"
    df = data.load("providers", write(tmp_path, "providers.csv", text))
    assert df["Notes"].tolist() == ["call back", "", "x"]
    assert df.attrs["rows_read"] == 3


def test_nullable_column_and_optional_dataset(tmp_path: Path) -> None:
    text = ("payer_id,name,type,trn03,n1_pr_id,class\n"
            "MCR,Medicare Part B,medicare,1234567890,12345,Medicare\n"
            "SELF,Self-pay,self-pay,,,Self-pay\n")
    df = data.load("payers", write(tmp_path, "payers.csv", text))
    assert df["trn03"].iloc[0] == "1234567890"
    assert pd.isna(df["trn03"].iloc[1]) and pd.isna(df["n1_pr_id"].iloc[1])
    assert df["type"].tolist() == ["Medicare", "self-pay"]


# --------------------------------------------------------------------------------------------
# Files: missing, empty, unknown, ambiguous


def test_missing_file_in_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        data.load("providers", tmp_path)
    assert err.value.file == str(tmp_path / "providers.csv")
    assert str(tmp_path) in str(err.value)
    assert "providers.xlsx" in str(err.value) and "providers.parquet" in str(err.value)


def test_missing_file_path(tmp_path: Path) -> None:
    missing = tmp_path / "exports" / "docs.csv"
    with pytest.raises(DataError) as err:
        data.load("providers", missing)
    assert err.value.file == str(missing)
    assert str(tmp_path / "exports") in str(err.value)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "providers.csv", "")
    with pytest.raises(DataError, match="empty") as err:
        data.load("providers", path)
    assert err.value.file == str(path) and err.value.row is None


def test_header_without_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "providers.csv", PROVIDERS.splitlines()[0] + "\n")
    with pytest.raises(DataError, match="no data rows") as err:
        data.load("providers", path)
    assert err.value.file == str(path) and err.value.row == 2


def test_unknown_suffix_and_two_candidates(tmp_path: Path) -> None:
    odd = write(tmp_path, "providers.json", "{}")
    with pytest.raises(DataError) as err:
        data.load("providers", odd)
    assert err.value.file == str(odd) and err.value.value == ".json"
    write(tmp_path, "staff.csv", STAFF)
    data.load("staff", tmp_path / "staff.csv").to_parquet(tmp_path / "Staff.parquet")
    with pytest.raises(DataError) as err:
        data.load("staff", tmp_path)
    assert "staff.csv and Staff.parquet" in str(err.value)


def test_unknown_dataset() -> None:
    with pytest.raises(DataError, match="did you mean 'providers'"):
        data.load("provider")


# --------------------------------------------------------------------------------------------
# Headers


def test_missing_required_columns_suggests_mapping(tmp_path: Path) -> None:
    text = PROVIDERS.replace("provider_id,npi,", "provider_id,NPI Number,", 1)
    path = write(tmp_path, "providers.csv", text)
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), 1, "npi")
    assert "missing required column 'npi'" in str(e)
    assert "found 'provider_id', 'NPI Number', 'name'" in str(e)
    assert "columns={'NPI Number': 'npi'}" in e.fix
    # The suggested mapping works.
    assert data.load("providers", path, {"NPI Number": "npi"})["npi"].iloc[0] == "1234567893"


def test_mapping_matches_case_and_spaces(tmp_path: Path) -> None:
    text = STAFF.replace("employee_id,name,role,", " EMPLOYEE #,Full Name , Job Title,", 1)
    text = text.replace(",hourly_rate,", ",Rate ($/hr),", 1)
    path = write(tmp_path, "staff.csv", text)
    mapping = {"employee #": "employee_id", "full name": "name", "JOB TITLE ": "role",
               "rate ($/hr)": "hourly_rate"}
    df = data.load("staff", path, mapping)
    assert df["employee_id"].tolist() == ["E001", "E002", "E003"]
    assert df["hourly_rate_cents"].tolist() == [1850, 123456, 3000]
    assert df.attrs["headers"]["name"] == "Full Name"


def test_headers_tolerate_case_spaces_and_underscores(tmp_path: Path) -> None:
    header = " Employee ID,NAME,Role,FTE,Hourly Rate,Overtime Eligible,Location_ID,Usual Shifts"
    text = header + "\n" + STAFF.split("\n", 1)[1]
    df = data.load("staff", write(tmp_path, "staff.csv", text))
    assert df["hourly_rate_cents"].tolist() == [1850, 123456, 3000]


def test_mapping_key_not_in_file(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", STAFF)
    with pytest.raises(DataError) as err:
        data.load("staff", path, {"Emp No": "employee_id"})
    assert (err.value.row, err.value.value) == (1, "Emp No")


def test_duplicate_headers(tmp_path: Path) -> None:
    text = STAFF.replace(",usual_shifts", ",Name", 1)
    with pytest.raises(DataError, match="same name") as err:
        data.load("staff", write(tmp_path, "staff.csv", text))
    assert (err.value.row, err.value.column) == (1, "Name")


# --------------------------------------------------------------------------------------------
# Encodings


def test_windows_1252_detected(tmp_path: Path) -> None:
    text = STAFF.replace("Jo Test", "Luis Nuñez").replace("Kim Test", "Café Owner")
    path = write(tmp_path, "staff.csv", text, encoding="cp1252")
    assert b"Nu\xf1ez" in path.read_bytes()
    df = data.load("staff", path)
    assert df.attrs["encoding"] == "cp1252"
    assert df["name"].tolist()[:2] == ["Luis Nuñez", "Café Owner"]
    stated = data.load("staff", path, encoding="cp1252")
    assert stated.attrs["encoding"] == "cp1252"
    assert stated["name"].iloc[0] == "Luis Nuñez"


def test_stated_encoding_that_does_not_fit(tmp_path: Path) -> None:
    text = STAFF.replace("Kim Test", "Café Owner")  # line 3
    path = write(tmp_path, "staff.csv", text, encoding="cp1252")
    with pytest.raises(DataError) as err:
        data.load("staff", path, encoding="utf-8")
    assert (err.value.file, err.value.row) == (str(path), 3)
    assert "0xe9" in str(err.value)


def test_utf8_with_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", STAFF, encoding="utf-8-sig")
    df = data.load("staff", path)
    assert df.attrs["encoding"] == "utf-8-sig"
    assert df["employee_id"].iloc[0] == "E001"


# --------------------------------------------------------------------------------------------
# Bad values


def test_date_that_does_not_parse(tmp_path: Path) -> None:
    text = replace_cell(PROVIDERS, 3, "start_date", "2021-02-30")
    text = replace_cell(text, 4, "start_date", "7/1/20")
    path = write(tmp_path, "providers.csv", text)
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, "start_date", "2021-02-30")
    assert "1 other row" in str(e)
    assert "YYYY-MM-DD or MM/DD/YYYY" in e.expected


def test_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    lines = PROVIDERS.splitlines()
    text = "\n".join([lines[0], lines[1], "", ",,,", lines[2], lines[3].replace("PA", "RN")])
    path = write(tmp_path, "providers.csv", text + "\n")
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (6, "kind", "RN")


def test_money_that_is_not_an_amount(tmp_path: Path) -> None:
    text = replace_cell(STAFF, 4, "hourly_rate", "12.3.4")
    path = write(tmp_path, "staff.csv", text)
    with pytest.raises(DataError) as err:
        data.load("staff", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 4, "hourly_rate", "12.3.4")


def test_missing_value_in_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", replace_cell(STAFF, 2, "fte", " "))
    with pytest.raises(DataError, match="missing") as err:
        data.load("staff", path)
    assert (err.value.row, err.value.column, err.value.value) == (2, "fte", "")


def test_bool_and_int_that_do_not_parse(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", replace_cell(STAFF, 4, "overtime_eligible", "maybe"))
    with pytest.raises(DataError) as err:
        data.load("staff", path)
    assert (err.value.row, err.value.column, err.value.value) == (4, "overtime_eligible", "maybe")
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 2, "sessions_per_week", "9.5"))
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (2, "sessions_per_week", "9.5")


def test_duplicate_key_names_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 4, "provider_id", "P001"))
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 4, "provider_id", "P001")
    assert "rows 2 and 4" in str(e)


def test_value_outside_allowed_set(tmp_path: Path) -> None:
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 3, "kind", "RN"))
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, "kind", "RN")
    assert e.expected == "one of MD, DO, NP, PA"


def test_number_out_of_range(tmp_path: Path) -> None:
    text = replace_cell(PROVIDERS, 4, "fte", "2")
    text = replace_cell(text, 2, "fte", "-0.5")
    path = write(tmp_path, "providers.csv", text)
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    e = err.value
    assert (e.row, e.column, e.value) == (2, "fte", -0.5)
    assert e.expected == "a value from 0 to 1.5"
    assert "1 other row" in str(e)


def test_text_of_the_wrong_form_and_bad_npi_check_digit(tmp_path: Path) -> None:
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 3, "npi", "111111111"))
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (3, "npi", "111111111")
    assert err.value.expected == "10 digits"
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 4, "npi", "2222222222"))
    with pytest.raises(DataError, match="check digit") as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (4, "npi", "2222222222")


def test_row_with_more_cells_than_header(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", STAFF.replace("Tue-Thu 09:00-17:00", "Tue 1,2"))
    with pytest.raises(DataError) as err:
        data.load("staff", path)
    assert (err.value.file, err.value.row) == (str(path), 4)


def test_short_row_is_padded_and_quoted_line_breaks_kept(tmp_path: Path) -> None:
    # pyarrow refuses a row with fewer cells; pandas' reader pads it, so the message names
    # the first empty cell, as before
    lines = PROVIDERS.splitlines()
    short = lines[2].rsplit(",", 2)[0]  # visits_per_day_target and start_date cut off
    path = write(tmp_path, "providers.csv", "\n".join([lines[0], lines[1], short, lines[3]]))
    with pytest.raises(DataError, match="value is missing") as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column) == (3, "visits_per_day_target")
    # a quoted line break stays in its cell; the row after it is row 4 (records, not lines)
    text = PROVIDERS.replace("Ben Test", '"Ben\nTest"')
    df = data.load("providers", write(tmp_path, "providers.csv", text.replace("\n", "\r\n")))
    assert df["name"].tolist() == ["Ana Test", "Ben\r\nTest", "Cy Test"]
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 4, "kind", "RN").replace(
        "Ben Test", '"Ben\nTest"'))
    with pytest.raises(DataError) as err:
        data.load("providers", path)
    assert (err.value.row, err.value.value) == (4, "RN")


def test_line_ends_of_old_macs_and_a_blank_first_line(tmp_path: Path) -> None:
    df = data.load("providers", write(tmp_path, "providers.csv", PROVIDERS.replace("\n", "\r")))
    assert df["provider_id"].tolist() == ["P001", "P002", "P003"]
    with pytest.raises(DataError, match="no header and no rows"):
        data.load("providers", write(tmp_path, "providers.csv", "\n" + PROVIDERS))


def test_nul_byte_inside_a_cell_is_refused(tmp_path: Path) -> None:
    # Arrow reads such a file without complaint (NUL is UTF-8); the loader must not
    text = PROVIDERS.replace("Ben Test", "Ben\x00Test")
    path = write(tmp_path, "providers.csv", text)
    with pytest.raises(DataError, match="NUL byte") as err:
        data.load("providers", path)
    assert err.value.row == 3
    assert f"byte offset {text.index(chr(0))} " in str(err.value)


def test_earliest_row_then_first_declared_column_is_named(tmp_path: Path) -> None:
    # npi (a pattern) is declared before fte (bounds): the earlier row wins, whatever the
    # column; on the same row, the column declared first
    text = replace_cell(replace_cell(PROVIDERS, 3, "npi", "12345"), 2, "fte", "2")
    with pytest.raises(DataError, match="out of range") as err:
        data.load("providers", write(tmp_path, "providers.csv", text))
    assert (err.value.row, err.value.column, err.value.value) == (2, "fte", 2.0)
    text = replace_cell(replace_cell(PROVIDERS, 3, "npi", "12345"), 3, "fte", "2")
    with pytest.raises(DataError, match="wrong form") as err:
        data.load("providers", write(tmp_path, "providers.csv", text))
    assert (err.value.row, err.value.column, err.value.value) == (3, "npi", "12345")
    # a repeated key comes before any other rule, even on an earlier row
    text = replace_cell(replace_cell(PROVIDERS, 2, "kind", "RN"), 4, "provider_id", "P002")
    with pytest.raises(DataError, match="duplicate key") as err:
        data.load("providers", write(tmp_path, "providers.csv", text))
    assert (err.value.row, err.value.column, err.value.value) == (4, "provider_id", "P002")


def test_pattern_digits_are_ascii_digits(tmp_path: Path) -> None:
    # Python's re took Arabic-Indic digits for \d; no 835 carries such an NPI
    arabic = "".join(chr(0x0660 + int(d)) for d in "1234567893")
    path = write(tmp_path, "providers.csv", replace_cell(PROVIDERS, 2, "npi", arabic))
    with pytest.raises(DataError, match="wrong form") as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (2, "npi", arabic)


@pytest.mark.parametrize(("value", "reason"), [
    ("2023-02-29", "not a date"), ("2024-04-31", "not a date"),
    ("1899-12-31", "date outside 1900–2100"), ("2101-01-01", "date outside 1900–2100"),
    ("0000-01-01", "date outside 1900–2100")])
def test_iso_dates_checked_against_calendar_and_range(tmp_path: Path, value: str,
                                                      reason: str) -> None:
    text = PROVIDERS.replace("03/01/2021", "2021-03-01")  # every date ISO: Arrow's cast
    path = write(tmp_path, "providers.csv", replace_cell(text, 4, "start_date", value))
    with pytest.raises(DataError, match=reason) as err:
        data.load("providers", path)
    assert (err.value.row, err.value.column, err.value.value) == (4, "start_date", value)
    df = data.load("providers", write(tmp_path, "providers.csv",
                                      replace_cell(text, 4, "start_date", "2024-02-29")))
    assert df["start_date"].tolist() == [pd.Timestamp("2019-03-15"), pd.Timestamp("2021-03-01"),
                                         pd.Timestamp("2024-02-29")]


def test_key_sorted_or_not_repeats_found(tmp_path: Path) -> None:
    lines = PROVIDERS.splitlines()
    # sorted by the key (Arrow compares neighbours), then unsorted (counted by hashing)
    for order, rows in (([1, 2, 2, 3], (3, 4)), ([3, 1, 2, 1], (3, 5))):
        path = write(tmp_path, "providers.csv", "\n".join([lines[0]] + [lines[i] for i in order]))
        with pytest.raises(DataError, match=f"in rows {rows[0]} and {rows[1]}") as err:
            data.load("providers", path)
        assert err.value.row == rows[1]
    df = data.load("providers", write(tmp_path, "providers.csv",
                                      "\n".join([lines[0], lines[3], lines[2], lines[1]])))
    assert df["provider_id"].tolist() == ["P003", "P002", "P001"]


def test_columns_on_every_core_give_the_same_frames_and_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large tables are converted column by column in threads: the frames and the error
    (the first declared column that fails, not the first to finish) are those of one
    column after the other."""
    from pracops.data import loader

    names = [n for n, ds in data.DATASETS.items()
             if (config.SAMPLE_DIR / f"{ds.stem}.csv").exists()]
    one_by_one = {n: data.load(n) for n in names}
    bad = replace_cell(replace_cell(PROVIDERS, 4, "start_date", "2021-02-30"), 2,
                       "sessions_per_week", "many")
    path = write(tmp_path, "providers.csv", bad)
    with pytest.raises(DataError) as alone:
        data.load("providers", path)
    monkeypatch.setattr(loader, "_PARALLEL_ROWS", 1)
    for name in names:
        pd.testing.assert_frame_equal(data.load(name), one_by_one[name], check_exact=True)
    with pytest.raises(DataError) as threaded:
        data.load("providers", path)
    assert str(threaded.value) == str(alone.value)
    assert (threaded.value.row, threaded.value.column) == (2, "sessions_per_week")


def test_cross_column_check_of_locations(tmp_path: Path) -> None:
    text = ("location_id,name,address,city,state,zip,opens,closes,days_open\n"
            "A,Clinic A,1 Elm St,Town,MN,55369,08:00,17:00,Mon-Fri\n"
            "B,Clinic B,2 Elm St,Town,MN,02139,18:00,09:00,\"Mon,Wed\"\n")
    path = write(tmp_path, "locations.csv", text)
    with pytest.raises(DataError, match="closes before it opens") as err:
        data.load("locations", path)
    assert (err.value.row, err.value.column, err.value.value) == (3, "closes", "09:00")


# --------------------------------------------------------------------------------------------
# Excel and Parquet


def test_xlsx_round_trip_with_numeric_money(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(STAFF.splitlines()[0].split(","))
    sheet.append(["E001", "Jo Test", "front desk", 1, 18.5, "yes", "MAIN", "Mon-Fri 08:00-16:30"])
    sheet.append(["E002", "Kim Test", "manager", 1, 1234.56, False, "MAIN",
                  "Mon,Wed 07:30-16:00; Sat 08:00-12:00"])
    sheet.append(["E003", "Lee Test", "nurse", 0.5, 30, 1, "NORTH", "Tue-Thu 09:00-17:00"])
    book.save(tmp_path / "staff.xlsx")
    from_xlsx = data.load("staff", tmp_path)
    assert from_xlsx["hourly_rate_cents"].tolist() == [1850, 123456, 3000]
    assert from_xlsx.attrs["sheet"] == "Sheet"
    (tmp_path / "csv").mkdir()
    from_csv = data.load("staff", write(tmp_path / "csv", "staff.csv", STAFF))
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_xlsx_dates_and_sheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(["Providers as of 2026-01-31"])  # row 1: a title
    sheet.append([])                               # row 2: blank
    sheet.append(PROVIDERS.splitlines()[0].split(","))  # row 3: header
    sheet.append(["P001", 1234567893, "Ana Test", "MD", "Family Medicine", 1, "MAIN", 9, 22,
                  dt.date(2019, 3, 15)])
    sheet.append(["P002", "1111111112", "Ben Test", "np", "Family Medicine", 0.8, "NORTH", 7,
                  18, dt.datetime(2021, 3, 1)])
    book.create_sheet("Other")
    path = tmp_path / "roster.xlsx"
    book.save(path)
    df = data.load("providers", path, sheet="Export")
    assert df["npi"].tolist() == ["1234567893", "1111111112"]
    assert df["start_date"].tolist() == [pd.Timestamp("2019-03-15"), pd.Timestamp("2021-03-01")]
    assert df["kind"].tolist() == ["MD", "NP"]
    sheet.cell(row=5, column=10, value=dt.datetime(2021, 3, 1, 14, 30))
    book.save(path)
    with pytest.raises(DataError) as err:
        data.load("providers", path, sheet=0)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 5, "start_date")
    with pytest.raises(DataError, match="no such sheet"):
        data.load("providers", path, sheet="Roster")


def test_parquet_round_trip(tmp_path: Path) -> None:
    from_csv = data.load("staff", write(tmp_path, "staff.csv", STAFF))
    # A loaded frame written back keeps its *_cents column: read as whole cents.
    from_csv.to_parquet(tmp_path / "saved.parquet")
    pd.testing.assert_frame_equal(data.load("staff", tmp_path / "saved.parquet"), from_csv)
    # ... and so does one indexed by its key.
    from_csv.set_index("employee_id").to_parquet(tmp_path / "indexed.parquet")
    pd.testing.assert_frame_equal(data.load("staff", tmp_path / "indexed.parquet"), from_csv)
    # A typed export with dollars as floats and booleans as booleans.
    export = pd.DataFrame({
        "employee_id": ["E001", "E002", "E003"], "name": ["Jo Test", "Kim Test", "Lee Test"],
        "role": ["front desk", "manager", "nurse"], "fte": [1.0, 1.0, 0.5],
        "hourly_rate": [18.5, 1234.56, 30.0], "overtime_eligible": [True, False, True],
        "location_id": ["MAIN", "MAIN", "NORTH"],
        "usual_shifts": ["Mon-Fri 08:00-16:30", "Mon,Wed 07:30-16:00; Sat 08:00-12:00",
                         "Tue-Thu 09:00-17:00"],
    })
    export.to_parquet(tmp_path / "export.parquet")
    pd.testing.assert_frame_equal(data.load("staff", tmp_path / "export.parquet"), from_csv)


def test_parquet_errors_use_record_numbers(tmp_path: Path) -> None:
    export = pd.DataFrame({"payer_id": ["A", "B", "C"], "name": ["a", "b", "c"],
                           "type": ["Medicare", "Medicaid", "HMO"], "trn03": [None] * 3,
                           "n1_pr_id": [None] * 3, "class": ["Medicare", "Medicaid", "Other"]})
    path = tmp_path / "payers.parquet"
    export.to_parquet(path)
    with pytest.raises(DataError) as err:
        data.load("payers", path)
    assert (err.value.row, err.value.column, err.value.value) == (4, "type", "HMO")


# --------------------------------------------------------------------------------------------
# Registry, check_folder, checks hook


@pytest.fixture
def visits(monkeypatch: pytest.MonkeyPatch) -> Dataset:
    """A throwaway optional dataset with a nullable optional column and a checks hook."""

    def no_future_visits(frame: pd.DataFrame) -> None:
        bad = frame["seen_on"] > pd.Timestamp("2026-12-31")
        if bad.any():
            raise data.row_error(frame, bad, "seen_on", "visit in the future", "a past date")

    dataset = Dataset(
        name="visits_test", stem="visits", optional=True, key=("visit_id", "line"),
        checks=no_future_visits,
        columns=(Column("visit_id", "str"), Column("line", "int"),
                 Column("seen_on", "date"),
                 Column("copay_cents", "money", required=False, nullable=True)),
    )
    monkeypatch.setitem(data.DATASETS, dataset.name, dataset)
    return dataset


def test_optional_column_filled_and_composite_key(tmp_path: Path, visits: Dataset) -> None:
    path = write(tmp_path, "visits.csv", "visit_id,line,seen on\nV1,1,2026-01-05\nV1,2,1/6/2026\n")
    df = data.load("visits_test", path)
    assert df["copay_cents"].dtype == "Int64" and df["copay_cents"].isna().all()
    assert df["line"].tolist() == [1, 2]
    write(tmp_path, "visits.csv", "visit_id,line,seen_on,copay\nV1,1,2026-01-05,\n"
                                  "V2,1,2026-01-06,25\nV1,1,2026-01-07,10.50\n")
    with pytest.raises(DataError) as err:
        data.load("visits_test", tmp_path)
    assert err.value.row == 4 and "rows 2 and 4" in str(err.value)
    assert err.value.value == "visit_id=V1, line=1"
    df = data.load("visits_test", write(tmp_path, "visits.csv",
                                        "visit_id,line,seen_on,copay\nV1,1,2026-01-05,\n"
                                        "V2,1,2026-01-06,10.50\n"))
    assert df["copay_cents"].tolist() == [pd.NA, 1050]
    df = data.load("visits_test", write(tmp_path, "visits.csv",
                                        "visit_id,line,seen_on,copay\nV1,1,2026-01-05,5\n"))
    assert df["copay_cents"].dtype == "Int64"  # the same dtype whether or not any is missing
    assert df["copay_cents"].tolist() == [500]


def test_checks_hook_names_file_row_and_header(tmp_path: Path, visits: Dataset) -> None:
    path = write(tmp_path, "visits.csv", "visit_id,line,Seen On\nV1,1,2026-01-05\n"
                                         "V2,1,2027-01-05\n")
    with pytest.raises(DataError, match="visit in the future") as err:
        data.load("visits_test", path)
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), 3, "Seen On")
    assert e.value == pd.Timestamp("2027-01-05")


def test_check_folder_collects_and_skips_optional(tmp_path: Path, visits: Dataset) -> None:
    for name in ("locations", "payers"):
        (tmp_path / f"{name}.csv").write_bytes((config.SAMPLE_DIR / f"{name}.csv").read_bytes())
    write(tmp_path, "staff.csv", replace_cell(STAFF, 4, "hourly_rate", "12.3.4"))
    problems = data.check_folder(tmp_path).errors
    missing_billing = [(str(tmp_path / f"{d.stem}.csv"), None) for d in data.DATASETS.values()
                       if d.name in ("appointments", "claims", "claim_lines", "fee_schedule",
                                     "deposits")]
    assert [(p.file, p.row) for p in problems] == [
        (str(tmp_path / "providers.csv"), None),  # missing
        (str(tmp_path / "staff.csv"), 4),
        *missing_billing,  # the billing datasets are required too; payments_posted is optional
    ]
    assert sorted(p.name for p in data.input_files(tmp_path)) == [
        "locations.csv", "payers.csv", "staff.csv"]
    assert data.check_folder(tmp_path / "nowhere").errors[0].file == str(tmp_path / "nowhere")


def test_declaration_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="_cents"):
        Column("rate", "money")
    with pytest.raises(ValueError, match="nullable"):
        Column("x", "str", required=False)
    with pytest.raises(ValueError, match="allowed"):
        Column("x", "category")
    with pytest.raises(ValueError, match="key"):
        Dataset(name="d", stem="d", columns=(Column("a", "str"),), key=("b",))


# --------------------------------------------------------------------------------------------
# NPI check digit


def test_npi_check_digit_known_values() -> None:
    # CMS's worked example: 123456789 -> check digit 3.
    assert data.npi_check_digit("123456789") == "3"
    # By hand: 24 (prefix 80840) + doubled 1s at positions 1,3,5,7,9 (2*5) + undoubled (4) = 38.
    assert data.npi_check_digit("111111111") == "2"
    # 24 + 5 doubled 2s (4*5=20) + 4 undoubled 2s (8) = 52 -> 8.
    assert data.npi_check_digit("222222222") == "8"
    assert data.npi_is_valid("1234567893")
    assert not data.npi_is_valid("1234567890")
    assert not data.npi_is_valid("123456789")
    with pytest.raises(ValueError):
        data.npi_check_digit("12345678")


@given(st.text("0123456789", min_size=9, max_size=9), st.integers(0, 9), st.integers(1, 9))
def test_npi_check_detects_any_single_digit_change(first_nine: str, pos: int, delta: int) -> None:
    npi = first_nine + data.npi_check_digit(first_nine)
    assert data.npi_is_valid(npi)
    changed = npi[:pos] + str((int(npi[pos]) + delta) % 10) + npi[pos + 1:]
    assert not data.npi_is_valid(changed)


def test_sample_dataset_columns_are_strings_not_objects() -> None:
    for name in data.DATASETS:
        df = data.load(name)
        for col in data.DATASETS[name].columns:
            assert df[col.name].dtype != np.dtype(object), (name, col.name)


# --------------------------------------------------------------------------------------------
# The budget datasets

CHART = (
    "account,name,category,behaviour,payer_class,pay_months\n"
    "4100,Patient revenue - Medicare,revenue,variable per visit,Medicare,\n"
    "5400,Medical supplies,medical supplies,variable per visit,,\n"
    "6200,Malpractice insurance,malpractice,fixed,,1\n"
    "6210,Property insurance,other,Fixed,,\"1, 7\"\n"
)
GL = (
    "month,account,amount\n"
    "2025-01,4100,\"73,007.40\"\n"
    "2025-01,5400,15830.58\n"
    "2025-02,4100,59912.00\n"
    "2025-02,5400,-12.50\n"
)
VOLUMES = (
    "month,payer_class,visits,wrvus,provider_fte\n"
    "2025-01,Medicare,574,905.41,4.4\n"
    "2025-01,Commercial,770,,4.4\n"
    "2025-02,Medicare,476,758.59,4.4\n"
    "2025-02,Commercial,647,1001.5,4.4\n"
)


def test_budget_datasets_load_typed(tmp_path: Path) -> None:
    chart = data.load("chart_of_accounts", write(tmp_path, "chart_of_accounts.csv", CHART))
    assert chart["account"].tolist() == ["4100", "5400", "6200", "6210"]
    assert chart["behaviour"].tolist() == ["variable per visit", "variable per visit", "fixed",
                                           "fixed"]
    assert list(chart["category"].cat.categories) == list(budget_datasets.ACCOUNT_CATEGORIES)
    assert chart["payer_class"].isna().tolist() == [False, True, True, True]
    assert chart["pay_months"].tolist()[2:] == ["1", "1, 7"]
    gl = data.load("gl_actuals", write(tmp_path, "gl_actuals.csv", GL))
    assert gl["amount_cents"].tolist() == [7_300_740, 1_583_058, 5_991_200, -1_250]
    assert gl["amount_cents"].dtype == np.dtype("int64")
    volumes = data.load("volumes", write(tmp_path, "volumes.csv", VOLUMES))
    assert volumes["visits"].tolist() == [574, 770, 476, 647]
    assert volumes["wrvus"].isna().tolist() == [False, True, False, False]
    assert volumes["provider_fte"].eq(4.4).all()


def test_gl_duplicate_account_month_names_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "gl_actuals.csv", GL + "2025-01,5400,99.00\n")
    with pytest.raises(DataError) as err:
        data.load("gl_actuals", path)
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), 6, "month, account")
    assert "month=2025-01, account=5400 in rows 3 and 6" in str(e)


@pytest.mark.parametrize("name, text", [("gl_actuals", GL), ("volumes", VOLUMES)])
def test_month_that_does_not_exist(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, f"{name}.csv", replace_cell(text, 4, "month", "2025-13"))
    with pytest.raises(DataError, match="no such month") as err:
        data.load(name, path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 4, "month", "2025-13")
    assert "YYYY-MM" in e.expected and "2025-12" in e.fix
    path = write(tmp_path, f"{name}.csv", replace_cell(text, 2, "month", "Jan 2025"))
    with pytest.raises(DataError, match="wrong form") as err:
        data.load(name, path)
    assert (err.value.row, err.value.column, err.value.value) == (2, "month", "Jan 2025")
    assert "YYYY-MM" in err.value.expected


def test_revenue_account_needs_its_payer_class(tmp_path: Path) -> None:
    path = write(tmp_path, "chart_of_accounts.csv", replace_cell(CHART, 2, "payer_class", ""))
    with pytest.raises(DataError, match="revenue account without a payer class") as err:
        data.load("chart_of_accounts", path)
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), 2, "payer_class")
    assert "Medicare" in e.expected
    path = write(tmp_path, "chart_of_accounts.csv",
                 replace_cell(CHART, 3, "payer_class", "Commercial"))
    with pytest.raises(DataError, match="not patient revenue") as err:
        data.load("chart_of_accounts", path)
    assert (err.value.row, err.value.column, err.value.value) == (3, "payer_class",
                                                                  "Commercial")


def test_pay_months_only_on_fixed_accounts_and_real_months(tmp_path: Path) -> None:
    path = write(tmp_path, "chart_of_accounts.csv", replace_cell(CHART, 3, "pay_months", "6"))
    with pytest.raises(DataError, match="not fixed") as err:
        data.load("chart_of_accounts", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, "pay_months", "6")
    assert "behaviour fixed" in e.fix
    for bad, reason in (("13", "1–12"), ("\"1,1\"", "1–12"), ("January", "wrong form")):
        path = write(tmp_path, "chart_of_accounts.csv",
                     replace_cell(CHART, 4, "pay_months", bad))
        with pytest.raises(DataError, match=reason) as err:
            data.load("chart_of_accounts", path)
        assert (err.value.row, err.value.column, err.value.value) == (4, "pay_months",
                                                                      bad.strip("\""))


def test_category_and_behaviour_must_be_known(tmp_path: Path) -> None:
    path = write(tmp_path, "chart_of_accounts.csv",
                 replace_cell(CHART, 3, "behaviour", "semi-variable"))
    with pytest.raises(DataError) as err:
        data.load("chart_of_accounts", path)
    assert (err.value.row, err.value.column, err.value.value) == (3, "behaviour",
                                                                  "semi-variable")
    assert err.value.expected == "one of " + ", ".join(budget_datasets.COST_BEHAVIOURS)


def test_provider_fte_differs_within_a_month(tmp_path: Path) -> None:
    path = write(tmp_path, "volumes.csv", replace_cell(VOLUMES, 5, "provider_fte", "3.4"))
    with pytest.raises(DataError, match="provider FTE of 2025-02 differs") as err:
        data.load("volumes", path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 5, "provider_fte", 3.4)
    assert "4.4 in row 4" in e.expected


def test_volumes_refuse_negative_visits_and_duplicate_class_months(tmp_path: Path) -> None:
    path = write(tmp_path, "volumes.csv", replace_cell(VOLUMES, 3, "visits", "-1"))
    with pytest.raises(DataError, match="out of range") as err:
        data.load("volumes", path)
    assert (err.value.row, err.value.column) == (3, "visits")
    path = write(tmp_path, "volumes.csv", VOLUMES + "2025-02,Medicare,1,,4.4\n")
    with pytest.raises(DataError, match="rows 4 and 6"):
        data.load("volumes", path)


def test_budget_datasets_are_optional(tmp_path: Path) -> None:
    write(tmp_path, "providers.csv", PROVIDERS)
    assert data.locate("gl_actuals", tmp_path, missing_ok=True) is None
    assert all(data.get(n).optional for n in ("chart_of_accounts", "gl_actuals", "volumes"))
    assert not any(e.file and "gl_actuals" in e.file for e in data.check_folder(tmp_path).errors)


def test_open_orders_refuse_more_received_than_ordered(tmp_path: Path) -> None:
    header = "po_number,vendor,sku,quantity_units,order_date,expected_date,quantity_received\n"
    write(tmp_path, "open_orders.csv", header
          + "PO-1,ACME,MS-1000,100,2025-12-01,2025-12-05,40\n"
          + "PO-2,ACME,MS-1001,10,2025-12-01,2025-12-05,100\n")
    with pytest.raises(DataError) as info:
        data.load("open_orders", tmp_path)
    e = info.value
    assert (e.row, e.column) == (3, "quantity_received")
    assert "more received than ordered" in str(e) and "not packs" in str(e)
