"""Hand-outs carry input text as data: pracops.report.write_handouts (the one CSV/XLSX writer)
and, end to end, the budget, purchasing and billing reports run on a copy of the sample whose
names hold formula text and markup.

Formula text must reach the CSV and XLSX files with a leading apostrophe (OWASP, CSV Injection)
and never as a formula; numbers must stay numbers. Markup must reach the HTML escaped, never as
a tag. Expected cells are written out by hand from the planted text.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pracops import config, report, runner
from pracops.errors import ParameterError

DANGEROUS = ["=1+2", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
             "\tx", "\rx", "\nx"]
HARMLESS = ["a=b", "x - y", "Rent", "'quoted", " =1+1", ""]


def read_csv_cells(path: Path) -> list[list[str]]:
    """A CSV as the csv module reads it: every row, every cell as text."""
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


# ---- the writer -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_cell_starting_a_formula_gets_an_apostrophe(text: str, tmp_path: Path) -> None:
    paths = report.write_handouts({"t": pd.DataFrame({"name": [text]})}, tmp_path,
                                  workbook="t.xlsx")
    assert [p.name for p in paths] == ["t.xlsx", "t.csv"]
    assert read_csv_cells(tmp_path / "t.csv") == [["name"], ["'" + text]]
    cell = load_workbook(tmp_path / "t.xlsx")["t"]["A2"]
    # XML reads a carriage return back as a line feed (end-of-line normalisation)
    assert (cell.value, cell.data_type) == ("'" + text.replace("\r", "\n"), "s")


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_written_as_it_is(text: str, tmp_path: Path) -> None:
    report.write_handouts({"t": pd.DataFrame({"name": [text, "z"]})}, tmp_path,
                          workbook="t.xlsx")
    assert read_csv_cells(tmp_path / "t.csv")[1] == [text]
    cell = load_workbook(tmp_path / "t.xlsx")["t"]["A2"]
    assert (cell.value, cell.data_type) == ((text, "s") if text else (None, "n"))


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "shortfall_cents": pd.array([-1250, 5, None], dtype="Int64"),
        "units": [-3, 0, 7],
        "rate": [-0.5, 1.25, float("nan")],
        "amount": pd.Series([Decimal("-2.30"), Decimal("0.10"), None], dtype="object"),
        "text": ["-2", "+1", "=3"],
    })
    report.write_handouts({"n": frame}, tmp_path, workbook="n.xlsx")
    # money in cents: exact dollars with 2 decimals, renamed; a negative amount unprefixed
    assert read_csv_cells(tmp_path / "n.csv") == [
        ["shortfall", "units", "rate", "amount", "text"],
        ["-12.50", "-3", "-0.5", "-2.30", "'-2"],
        ["0.05", "0", "1.25", "0.10", "'+1"],
        ["", "7", "", "", "'=3"]]
    ws = load_workbook(tmp_path / "n.xlsx")["n"]
    rows = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0] == [(-12.5, "n"), (-3, "n"), (-0.5, "n"), (-2.3, "n"), ("'-2", "s")]
    assert rows[1] == [(0.05, "n"), (0, "n"), (1.25, "n"), (0.1, "n"), ("'+1", "s")]
    assert rows[2][1] == (7, "n") and rows[2][4] == ("'=3", "s")
    assert [rows[2][i][0] for i in (0, 2, 3)] == [None, None, None]
    assert ws["A2"].number_format == ws["D2"].number_format == report.MONEY_FORMAT
    assert ws["B2"].number_format == "General"


def test_dates_headers_and_control_characters(tmp_path: Path) -> None:
    frame = pd.DataFrame({"posted": pd.to_datetime(["2025-04-15", None]),
                          "=bad header": ["a\x01b", "ok"]})
    report.write_handouts({"d": frame}, tmp_path, workbook="d.xlsx")
    assert read_csv_cells(tmp_path / "d.csv") == [["posted", "'=bad header"],
                                                  ["2025-04-15", "a\x01b"], ["", "ok"]]
    ws = load_workbook(tmp_path / "d.xlsx")["d"]
    assert (ws["A2"].value, ws["A2"].number_format) == (dt.datetime(2025, 4, 15), "yyyy-mm-dd")
    assert (ws["B1"].value, ws["B1"].data_type) == ("'=bad header", "s")
    assert ws["B2"].value == "a\ufffdb"  # a control character XLSX cannot hold
    assert ws["A1"].font.b and not ws["A2"].font.b


def test_a_laid_out_sheet(tmp_path: Path) -> None:
    table = pd.DataFrame([["4100", "=Revenue", Decimal("10.00")],
                          [None, None, None],
                          ["", "Total", Decimal("10.00")]], columns=["Account", "Name", "Jan"])
    sheet = report.Sheet(table, title="Budget 2026", bold_rows=[2], widths={"B": 30},
                         freeze="C3")
    (path,) = report.write_handouts({"Budget vs actual": sheet}, tmp_path, workbook="b.xlsx",
                                    csv=False)
    ws = load_workbook(path)["Budget vs actual"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Budget 2026", None, None], ["Account", "Name", "Jan"], ["4100", "'=Revenue", 10],
        [None, None, None], [None, "Total", 10]]
    assert ws["A1"].font.b and ws["A1"].font.sz == 13
    assert ws["B2"].font.b and ws["B5"].font.b and not ws["B3"].font.b
    assert (ws.freeze_panes, ws.column_dimensions["B"].width) == ("C3", 30)
    assert not list(tmp_path.glob("*.csv"))


def test_names_are_checked_and_nothing_half_written(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="cannot name a sheet and a file"):
        report.write_handouts({"bad/name": pd.DataFrame()}, tmp_path)
    with pytest.raises(ParameterError, match="cannot name a sheet"):
        report.write_handouts({"x" * 32: pd.DataFrame()}, tmp_path, workbook="w.xlsx",
                              csv=False)
    report.write_handouts({"a": pd.DataFrame({"x": [1]})}, tmp_path / "new", workbook="w.xlsx")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["a.csv", "w.xlsx"]


# ---- end to end: budget, purchasing and billing on a sample with planted text -----------------

FORMULAS = {"4100": '=HYPERLINK("http://x","y")', "4200": "+cmd|' /C calc'!A0",
            "4300": "@SUM(1)", "4400": "-2+3"}
MARKUP = "<img src=x onerror=alert(1)>"


def _edit_csv(path: Path, key: str, edits: dict[str, dict[str, str]]) -> None:
    """Set cells of a CSV (``edits``: key value → column → text), every other byte of every
    other cell kept (the csv module, not pandas, so numbers keep their text)."""
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    fields = list(rows[0])
    for row in rows:
        row.update(edits.get(row[key], {}))
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The budget, purchasing and billing reports run once on a copy of the sample where the
    revenue accounts are named by formula text, every expense account's name starts with
    markup, items ordered, expiring, dearer and repriced have formula text or markup in them,
    the payer of the 835 without a deposit is named by formula text and every provider's name
    starts with markup."""
    data = tmp_path_factory.mktemp("data") / "sample"
    shutil.copytree(config.SAMPLE_DIR, data)
    chart = {a: {"name": f} for a, f in FORMULAS.items()}
    with (data / "chart_of_accounts.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["account"] not in chart:
                chart[row["account"]] = {"name": f"{MARKUP} {row['name']}"}
    _edit_csv(data / "chart_of_accounts.csv", "account", chart)
    _edit_csv(data / "items.csv", "sku", {
        "MS-1385": {"description": FORMULAS["4100"], "unit_of_use": FORMULAS["4400"]},
        "RX-1847": {"description": FORMULAS["4200"]},
        "VX-1763": {"description": FORMULAS["4300"]},
        "VX-1721": {"description": f"{MARKUP} vaccine"}})
    with (data / "providers.csv").open(encoding="utf-8") as stream:
        providers = {r["provider_id"]: {"name": f"{MARKUP} {r['name']}"}
                     for r in csv.DictReader(stream)}
    _edit_csv(data / "providers.csv", "provider_id", providers)
    truth = json.loads((data / "ground_truth.json").read_text(encoding="utf-8"))
    (undeposited,) = [e for e in truth["billing"] if e["kind"] == "era_without_deposit"]
    (era,) = (data / "era").glob(f"*_{undeposited['trace']}.835")
    text = era.read_text(encoding="ascii")
    text, named = re.subn(r"N1\*PR\*[^*~]*\*", f"N1*PR*{FORMULAS['4200']}*", text)
    assert named == 1, era
    era.write_text(text, encoding="ascii")
    reports = runner.check_reports(["operating_budget", "purchasing", "billing_reconciliation"],
                                   runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=data)
    result = runner.run(reports, params, out=tmp_path_factory.mktemp("out"))
    assert [r.status for r in result.reports] == ["ok"] * 3, [r.error for r in result.reports]
    return {"dir": result.run_dir}


def _handout_cells(run_dir: Path) -> list[tuple[str, str, str]]:
    """Every text cell of every CSV and XLSX the run handed out: (file, type, value); the
    type is ``csv`` or openpyxl's data type (``s`` text, ``f`` formula ...)."""
    cells = []
    for path in sorted(run_dir.glob("*_files/*.csv")):
        cells += [(path.name, "csv", v) for row in read_csv_cells(path) for v in row]
    for path in sorted(run_dir.glob("*_files/*.xlsx")):
        for ws in load_workbook(path).worksheets:
            cells += [(f"{path.name}:{ws.title}", c.data_type, c.value)
                      for row in ws.iter_rows() for c in row
                      if isinstance(c.value, str) or c.data_type == "f"]
    return cells


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def test_no_handout_cell_is_a_formula(planted: dict) -> None:
    cells = _handout_cells(planted["dir"])
    assert {f for f, _, _ in cells} >= {"operating_budget.xlsx:Budget", "po_summary.csv",
                                        "purchase_orders.xlsx:po_summary"}
    assert not [c for c in cells if c[1] == "f"]
    live = [c for c in cells if c[2].startswith(report.FORMULA_PREFIXES)
            and not (c[1] == "csv" and _is_number(c[2]))]
    assert live == []


def test_planted_formula_text_arrives_with_an_apostrophe(planted: dict) -> None:
    cells = _handout_cells(planted["dir"])
    for text in FORMULAS.values():
        found = {(f.split(":")[0], v) for f, _, v in cells if v.lstrip("'") == text}
        # the budget workbook names the revenue accounts; -2+3 is also the unit of the
        # ordered item in its purchase order
        assert ("operating_budget.xlsx", "'" + text) in found
        assert {v for _, v in found} == {"'" + text}
    ordered = {(f.split(":")[0], v) for f, _, v in cells if v.lstrip("'") in (
        FORMULAS["4100"], FORMULAS["4400"]) and f.split(":")[0] != "operating_budget.xlsx"}
    assert {f for f, _ in ordered} >= {"purchase_orders.xlsx"}
    assert any(f.endswith(".csv") for f, _ in ordered)
    assert {v for _, v in ordered} == {"'" + FORMULAS["4100"], "'" + FORMULAS["4400"]}
    payer = {f.split(":")[0] for f, _, v in cells if v == "'" + FORMULAS["4200"]}
    assert payer >= {"eras_without_deposit.csv", "worklists.xlsx"}


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("name", ["operating_budget", "purchasing", "billing_reconciliation"])
def test_markup_reaches_the_html_escaped(planted: dict, name: str) -> None:
    html = (planted["dir"] / f"{name}.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    # the planted tag never becomes an element (nbconvert rewrites tags it embeds, so the
    # page is parsed rather than searched for the planted text)
    assert not [t for t in parser.tags if "onerror" in t[1]]
    assert not [t for t in parser.tags if t[0] == "img" and t[1].get("src") == "x"]
    # it is shown as text: in a table (for billing, denials by provider), in an alert (budget
    # and purchasing) and, for the budget, in the summary's Markdown (the expense account with
    # the largest spending variance)
    shown = re.escape("&lt;img src=x onerror=alert(1)&gt;")
    assert re.search(rf"<td [^>]*>{shown}", html)
    if name != "billing_reconciliation":
        assert re.search(rf'<div class="pracops-alert [^>]*><strong>\w+:</strong> [^<]*{shown}',
                         html)
    if name == "operating_budget":
        assert re.search(rf"most from {shown} ", html)
