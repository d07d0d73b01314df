"""What the billing tables and charts show a reader: payers by name (the code beside it),
headings in words, a cut table that says so, figures as the summary writes them. Expected
values are worked out here from the frames, independently of the view."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pracops.billing import chain, view  # noqa: E402

PAYERS = pd.DataFrame({"payer_id": ["MCR", "LKM"],
                       "name": ["Medicare Part B", "Lakeshore Mutual Insurance"]})


@pytest.fixture(scope="module")
def report() -> chain.BillingReport:
    return chain.compute(chain.load_inputs(None))


def test_underpayments_cut_at_30_say_how_many_and_where(report: chain.BillingReport) -> None:
    recon = report.reconciliation
    n = len(recon.underpayments)
    assert n > 30  # the sample plants more than a table's worth
    html = view.underpayment_table(recon, payers=report.inputs.payers).to_html()
    assert f"Showing 30 of {n}; all in underpayments.csv and worklists.xlsx." in html
    assert html.count("<tr>") == 31
    # payer by name, then its code; headings in words
    payer = recon.underpayments.sort_values(["shortfall_cents", "claim_id"],
                                            ascending=[False, True])["payer_id"].iloc[0]
    name = report.inputs.payers.set_index("payer_id").loc[payer, "name"]
    assert f">{name}<" in html and f">{payer}<" in html
    assert ">Payer<" in html and ">Payer code<" in html and ">Procedure (CPT)<" in html


def test_denial_headings_in_words(report: chain.BillingReport) -> None:
    html = view.top_denials_table(report.reconciliation).to_html()
    assert ">Denial reason (CARC)<" in html and ">Carc<" not in html
    assert ">Remark codes (RARC)<" in html
    by_cpt = view.denials_by_table(report.reconciliation, "cpt").to_html()
    # a denial of a whole claim has no procedure: said in words, not a blank cell
    if report.reconciliation.denials["cpt"].isna().any():
        assert ">whole claim<" in by_cpt


def test_aging_by_payer_name_with_money_totals(report: chain.BillingReport) -> None:
    recon = report.reconciliation
    html = view.aging_table(recon, payers=report.inputs.payers).to_html()
    for pid, name in zip(report.inputs.payers["payer_id"], report.inputs.payers["name"],
                         strict=True):
        if pid in set(recon.aging["payer_id"]):
            assert f">{name}<" in html
    total = int(recon.aging["total_cents"].sum())
    assert f"${total // 100:,}.{total % 100:02d}" in html


def test_aging_chart_names_payers_and_keeps_its_legend_off_the_bars() -> None:
    aging = pd.DataFrame({"payer_id": ["MCR", "LKM"], "days_0_30_cents": [500_000, 100_000],
                          "days_31_60_cents": [0, 20_000], "days_61_90_cents": [0, 0],
                          "days_91_120_cents": [0, 0], "days_over_120_cents": [1_000, 0],
                          "total_cents": [501_000, 120_000], "claims": [3, 2]})
    recon = type("R", (), {"aging": aging, "as_of": pd.Timestamp("2025-12-31")})()
    fig, ax = plt.subplots()
    view.plot_aging(recon, ax, payers=PAYERS)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert [t.replace("\n", " ") for t in labels] == ["Medicare Part B",
                                                       "Lakeshore Mutual Insurance"]
    assert ax.get_title() and ax.get_xlabel() == "payer" and "US$" in ax.get_ylabel()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
    plt.close(fig)


def test_payers_named_as_in_their_835s_when_no_payer_list_is_given(
        report: chain.BillingReport) -> None:
    recon = report.reconciliation
    names = view.payer_names(recon)
    # worked out independently: the 835 name on the claims each payer code answered
    claims = report.inputs.claims.set_index("claim_id")["payer_id"]
    for _, row in recon.remit_claims.dropna(subset=["claim_id"]).iterrows():
        assert names[claims[row["claim_id"]]] == row["payer_name"]
    html = view.aging_table(recon).to_html()
    for code in recon.aging["payer_id"]:
        assert f">{names.get(code, code)}<" in html and f">{code}<" in html


def test_provider_adjustments_show_money(report: chain.BillingReport) -> None:
    plb = report.reconciliation.plb
    tables = view.deposit_exception_tables(report.reconciliation)
    html = tables["Provider-level adjustments (PLB)"].to_html()
    for cents in plb["payment_effect_cents"]:
        c = int(cents)
        text = f"${abs(c) // 100:,}.{abs(c) % 100:02d}"
        assert f">{f'({text})' if c < 0 else text}<" in html
        assert f">{c}<" not in html


def test_deposit_tables_spell_payers_as_the_practice_does(report: chain.BillingReport) -> None:
    recon, payers = report.reconciliation, report.inputs.payers
    plb = recon.plb
    assert len(plb) and (plb["payer_name"] == plb["payer_name"].str.upper()).all()  # 835 caps
    html = view.deposit_exception_tables(recon, payers)["Provider-level adjustments (PLB)"]
    html = html.to_html()
    for name in plb["payer_name"].unique():
        assert f">{name}<" not in html, name
    shown = {n for n in payers["name"] if f">{n}<" in html}
    assert len(shown) == plb["payer_name"].nunique()


def test_denial_reasons_are_whole_on_at_most_three_lines(report: chain.BillingReport) -> None:
    """Every word of each reason is on the chart (the longest CARC description among them),
    in the bars' order, wrapped on lines of 30 characters and never cut with an ellipsis."""
    result = report.reconciliation
    fig, ax = plt.subplots(figsize=(9, 4.2))
    view.plot_denials_by_category(result, ax)
    fig.savefig(io.BytesIO(), bbox_inches="tight")
    shown = [t.get_text() for t in ax.get_yticklabels()]
    top = result.denials.groupby(["carc", "description"])["denied_cents"].sum()
    top = top.sort_values(ascending=False).head(8).iloc[::-1]  # the longest bar on top
    assert [" ".join(s.split("\n")) for s in shown] == [f"{c} {d}" for c, d in top.index]
    assert not any("…" in s for s in shown)
    assert all(len(line) <= 30 for s in shown for line in s.split("\n"))
    assert max(s.count("\n") for s in shown) <= 2
    assert [p.get_width() for p in ax.patches] == list(top.to_numpy())
    plt.close(fig)
