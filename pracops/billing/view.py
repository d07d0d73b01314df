"""What the billing reconciliation notebook shows: the summary in words, formatted tables and
charts, and the explorer's filters for live kernels.

The chain (inputs, reconciliation, figures, alerts, worklists) lives in
:mod:`pracops.billing.chain`, the calculations in :mod:`pracops.billing.model`; this module
only turns their results into what a practice administrator reads. Tables are returned as
pandas Stylers (values stay exact cents; only the display is dollars), charts are drawn on an
axis the caller owns. Nothing here shows patient names, birth dates or member IDs.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pracops.billing import chain
from pracops.billing import model as billing
from pracops.report import (
    PALETTE,
    bars_whole,
    fmt_money,
    fmt_pct,
    format_table,
    kpi_table,
    legend_outside,
    money_axis,
    no_math,
)
from pracops.widgets import chart, panel

__all__ = [
    "HEADLINE_FIGURES",
    "summary_text",
    "control_table",
    "deposit_summary_table",
    "deposit_exception_tables",
    "underpayment_table",
    "top_denials_table",
    "denials_by_table",
    "adjustments_table",
    "quarantine_table",
    "era_warnings_table",
    "exclusions_table",
    "aging_table",
    "worklist_index",
    "collections_by_month",
    "plot_collections_by_month",
    "plot_denials_by_category",
    "plot_aging",
    "payer_names",
    "explorer",
]

_MOVED_TO_CHAIN = ("BillingInputs", "load_inputs", "default_as_of", "summary_figures", "alerts")
"""The chain's functions this module (``pracops.billing_view`` of the flat layout) held: they
still work from here, with a DeprecationWarning (:func:`__getattr__`)."""


def _run_reconciliation(inputs: chain.BillingInputs, *, as_of: str | pd.Timestamp | None = None,
                        **options: Any) -> billing.BillingReconciliation:
    """The old ``run_reconciliation``: :func:`pracops.billing.model.reconcile` on loaded inputs
    with the model's option names; a ``deposit_window_days`` given the old way, ``(0, days)``,
    is read as ``days``."""
    window = options.get("deposit_window_days")
    if isinstance(window, tuple) and len(window) == 2 and window[0] == 0:
        options["deposit_window_days"] = window[1]
    when = pd.Timestamp(as_of) if as_of else chain.default_as_of(inputs)
    return billing.reconcile(
        inputs.remittance, inputs.claims, inputs.claim_lines, inputs.fee_schedule,
        inputs.deposits, as_of=when, payments_posted=inputs.payments_posted,
        self_pay_payer_ids=billing.self_pay_payer_ids(inputs.payers), **options)


def __getattr__(name: str) -> Any:
    if name == "run_reconciliation":
        warnings.warn("pracops.billing.view.run_reconciliation is deprecated: use "
                      "pracops.billing.chain.compute or chain.run", DeprecationWarning,
                      stacklevel=2)
        return _run_reconciliation
    if name in _MOVED_TO_CHAIN:
        warnings.warn(f"pracops.billing.view.{name} moved to pracops.billing.chain.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(chain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


HEADLINE_FIGURES = ("net_collection_rate", "days_in_ar", "denial_rate", "open_ar_cents",
                    "underpaid_cents", "unmatched_era_count")
"""Figures shown for this report on the run's index page."""

_BUCKETS = [("days_0_30_cents", "0–30"), ("days_31_60_cents", "31–60"),
            ("days_61_90_cents", "61–90"), ("days_91_120_cents", "91–120"),
            ("days_over_120_cents", "over 120")]


def summary_text(result: billing.BillingReconciliation, fig: Mapping[str, Any]) -> str:
    """The executive summary in a few sentences of Markdown."""
    kp = result.kpis.set_index("key")
    lines = [
        f"As of **{fig['as_of']}**: {fmt_money(fig['charges_cents'])} charged, "
        f"{fmt_money(fig['payments_cents'])} collected, "
        f"{fmt_money(fig['open_ar_cents'])} still open "
        f"({fmt_money(fig['insurance_ar_cents'])} with payers, "
        f"{fmt_money(fig['patient_ar_cents'])} with patients).",
        f"Net collection rate {fmt_pct(fig['net_collection_rate'])} "
        f"(target {fmt_pct(kp.loc['net_collection_rate', 'target'])}), "
        f"days in A/R {fig['days_in_ar']:.1f} (target ≤ {kp.loc['days_in_ar', 'target']:.0f}), "
        f"initial denial rate {fmt_pct(fig['denial_rate'])} of claims "
        f"(target ≤ {fmt_pct(kp.loc['initial_denial_rate', 'target'])}).",
        f"{fig['underpaid_line_count']} claim lines on {fig['underpaid_claim_count']} claims "
        f"were paid below contract, {fmt_money(fig['underpaid_cents'])} in all; "
        f"{fmt_money(fig['denied_cents'])} is denied and still to work.",
        "Every cent balances: charges, ERA payments and deposits reconcile."
        if fig["control_totals_balanced"] else
        "**The control totals do not balance**: see the control totals below.",
    ]
    if fig["quarantined_era_count"]:
        lines.append(f"**{fig['quarantined_era_count']} ERA file(s) could not be used** and are "
                     f"left out of every figure ({fmt_money(fig['quarantined_era_cents'])} in "
                     "the payments they announce): see the alerts and the quarantined files "
                     "below.")
    return no_math("\n\n".join(lines))


def control_table(result: billing.BillingReconciliation) -> Any:
    """The control totals: each check, its total, the parts and what is unexplained."""
    detail = result.control_detail.rename(columns={"check": "Check", "item": "Item",
                                                   "amount_cents": "Amount"})
    return format_table(detail, money=["Amount"])


def deposit_summary_table(result: billing.BillingReconciliation) -> Any:
    """ERA payments and deposits: how many matched, how, and what is left over."""
    d = result.deposits
    rows = [
        ("ERA payments matched to a deposit by trace number",
         int((d.matches["match"] == "trace").sum()),
         int(d.matches.loc[(d.matches["match"] == "trace").to_numpy(), "era_amount_cents"].sum())),
        ("ERA payments matched by amount and date (checks)",
         int((d.matches["match"] == "amount").sum()),
         int(d.matches.loc[(d.matches["match"] == "amount").to_numpy(),
                           "era_amount_cents"].sum())),
        ("ERA payments with no deposit", len(d.eras_without_deposit),
         int(d.eras_without_deposit["total_paid_cents"].sum())
         if "total_paid_cents" in d.eras_without_deposit else 0),
        ("Payer deposits with no ERA", len(d.deposits_without_era),
         int(d.deposits_without_era["amount_cents"].sum())),
        ("Patient deposits (card, cash)", len(d.patient_deposits),
         int(d.patient_deposits["amount_cents"].sum())),
    ]
    table = pd.DataFrame(rows, columns=["What", "Count", "Amount"])
    return format_table(table, money=["Amount"], count=["Count"])


def _money_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith("_cents")]


_WORKBOOK = "worklists.xlsx"
"""The workbook :func:`pracops.billing.chain.write_worklists` writes, a sheet per worklist."""

_HEADINGS = {"carc": "Denial reason (CARC)", "description": "Reason",
             "remark_codes": "Remark codes (RARC)", "cpt": "Procedure (CPT)",
             "rendering_npi": "Provider NPI", "payer_id": "Payer code", "line_no": "Line",
             "group_code": "Group code (CAS)", "reason_code": "Reason code",
             "segment": "Segment number",
             "segment_id": "Segment", "remit_claim_id": "Claim ID in the 835",
             "payer_claim_number": "Payer's claim number"}
"""Column headings in words where the column's name is a code."""


def _words(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns renamed to their headings in words (money columns keep ``_cents``)."""
    return frame.rename(columns={c: h for c, h in _HEADINGS.items() if c in frame.columns})


def payer_names(result: billing.BillingReconciliation,
                payers: pd.DataFrame | None = None) -> dict[str, str]:
    """Payer code → name: from ``payers`` (``payer_id``, ``name``) when given, else the name
    each payer gives itself in its 835s (N1*PR, as the deposit tables show it), read off the
    claims it answered; a payer that answered none keeps its code."""
    if payers is not None:
        return dict(zip(payers["payer_id"].astype(str), payers["name"].astype(str),
                        strict=True))
    answered = result.remit_claims[["claim_id", "payer_name"]].dropna().merge(
        result.balances[["claim_id", "payer_id"]], on="claim_id")
    if answered.empty:
        return {}
    named = (answered.groupby(["payer_id", "payer_name"]).size().reset_index(name="n")
             .sort_values(["payer_id", "n", "payer_name"], ascending=[True, False, True])
             .drop_duplicates("payer_id"))
    return dict(zip(named["payer_id"].astype(str), named["payer_name"].astype(str),
                    strict=True))


def _with_payer_names(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """``payer_id`` shown as the payer's name (:func:`payer_names`), the code kept in a
    second column for billers."""
    if "payer_id" not in frame.columns:
        return frame
    codes = frame["payer_id"].astype("string")
    shown = codes.map(lambda c: names.get(str(c), c) if pd.notna(c) else c)
    out = frame.rename(columns={"payer_id": "payer_code"})
    out.insert(list(out.columns).index("payer_code"), "payer", shown)
    return out


def _show(frame: pd.DataFrame, columns: Sequence[str], limit: int | None = None,
          sheet: str | None = None) -> Any:
    """The columns of a table, file paths as file names; ``limit`` rows at most, with a note
    naming the worklist that holds them all (``sheet``: its CSV and its sheet)."""
    shown = frame[list(columns)]
    for c in ("file", "kept_file"):
        if c in shown.columns:
            shown = shown.assign(**{c: shown[c].map(lambda p: Path(str(p)).name)})
    shown = _words(shown)
    full_in = f"{sheet}.csv and {_WORKBOOK}" if sheet else None
    return format_table(shown, money=_money_columns(shown), limit=limit if sheet else None,
                        full_in=full_in)


def _practice_spelling(result: billing.BillingReconciliation,
                       payers: pd.DataFrame | None) -> dict[str, str]:
    """A payer's name as its 835s write it (``PRAIRIE SHIELD PPO``) → as the practice's payer
    list writes it (``Prairie Shield PPO``), through the claims the payer answered."""
    if payers is None:
        return {}
    answered = result.remit_claims[["claim_id", "payer_name"]].dropna().merge(
        result.balances[["claim_id", "payer_id"]], on="claim_id")
    names = payer_names(result, payers)
    return {str(n): names[str(i)] for n, i in zip(answered["payer_name"], answered["payer_id"],
                                                  strict=True) if str(i) in names}


def deposit_exception_tables(result: billing.BillingReconciliation,
                             payers: pd.DataFrame | None = None) -> dict[str, Any]:
    """The exceptions to work, titled; empty ones are left out. With the practice's
    ``payers``, a payer's name is written as the practice writes it, as in the other tables."""
    d = result.deposits
    spelling = _practice_spelling(result, payers)
    # cut only where a worklist holds every row; the others are short and shown whole
    specs = [
        ("ERA payments with no deposit", d.eras_without_deposit,
         ["trace_number", "payer_name", "payment_method", "payment_date", "total_paid_cents",
          "file"], "eras_without_deposit"),
        ("Payer deposits with no ERA", d.deposits_without_era,
         ["deposit_id", "posted_date", "type", "amount_cents", "trace_number"],
         "deposits_without_era"),
        ("Deposits whose amount differs from the ERA", d.amount_mismatches,
         ["trace_number", "payer_name", "payment_date", "era_amount_cents", "deposit_id",
          "posted_date", "deposit_amount_cents", "difference_cents"], None),
        ("835 payments received twice (counted once)", result.duplicates,
         ["trace_number", "payment_date", "total_paid_cents", "claim_count", "file",
          "kept_file"], None),
        ("Provider-level adjustments (PLB)", result.plb,
         ["trace_number", "payer_name", "payment_date", "reason_code", "description",
          "reference_id", "payment_effect_cents"], None),
        ("Remittance claims that match no submitted claim", result.unmatched_remittances,
         ["remit_claim_id", "payer_claim_number", "status", "trace_number", "payer_name",
          "paid_cents"], "remittances_without_claim"),
    ]
    return {title: _show(_respelled(frame, spelling), columns, 25, sheet)
            for title, frame, columns, sheet in specs if len(frame)}


def _respelled(frame: pd.DataFrame, spelling: Mapping[str, str]) -> pd.DataFrame:
    if "payer_name" not in frame.columns or not spelling:
        return frame
    return frame.assign(payer_name=frame["payer_name"].map(
        lambda n: spelling.get(str(n), n) if pd.notna(n) else n))


def underpayment_table(result: billing.BillingReconciliation, limit: int = 30,
                       payers: pd.DataFrame | None = None) -> Any:
    """Claim lines paid below contract, the largest shortfalls first; the first ``limit``,
    with a note naming the worklist that has them all. ``payers`` (``payer_id``, ``name``)
    puts each payer's name before its code."""
    under = result.underpayments.sort_values(["shortfall_cents", "claim_id"],
                                             ascending=[False, True])
    under = _with_payer_names(under, payer_names(result, payers))
    return _show(under, ["claim_id", "line_no", "payer", "payer_code", "cpt", "units",
                         "contract_allowed_cents", "payer_allowed_cents", "paid_cents",
                         "shortfall_cents"], limit, "underpayments")


def top_denials_table(result: billing.BillingReconciliation, n: int = 10) -> Any:
    """The denial reasons with the most dollars."""
    top = billing.top_denial_reasons(result.denials, n)
    return format_table(_words(top), money=["denied_cents"], pct=["share"])


def denials_by_table(result: billing.BillingReconciliation, by: str,
                     providers: pd.DataFrame | None = None,
                     payers: pd.DataFrame | None = None) -> Any:
    """Denied dollars by payer (``payer_id``: its name, from ``payers``, then its code),
    procedure (``cpt``; a denial of the whole claim has none) or provider (``rendering_npi``,
    shown with the provider's name when ``providers`` is given)."""
    table = billing.denials_by(result.denials, by)
    if by == "rendering_npi" and providers is not None:
        names = dict(zip(providers["npi"].astype(str), providers["name"].astype(str),
                         strict=True))
        table.insert(0, "provider", table["rendering_npi"].astype(str).map(names))
    if by == "cpt":
        table["cpt"] = table["cpt"].astype("string").fillna("whole claim")
    if by == "payer_id":
        table = _with_payer_names(table, payer_names(result, payers))
    return format_table(_words(table), money=["denied_cents"], pct=["share"])


def adjustments_table(result: billing.BillingReconciliation) -> Any:
    """Adjustments of answered claims by category (contractual, patient responsibility,
    denial to work, payer reduction, other) and group code."""
    return format_table(billing.adjustments_by_category(result.adjustments),
                        money=["amount_cents"], count=["claims"])


def quarantine_table(result: billing.BillingReconciliation) -> Any:
    """The 835 files left out: file name, why, where and the money they announce."""
    q = result.remittance.quarantined
    table = pd.DataFrame({"file": q["file"].map(lambda p: Path(str(p)).name).astype("string"),
                          "reason": q["reason"], "segment": q["segment_number"],
                          "paid_cents": q["paid_cents"]})
    return format_table(table, money=["paid_cents"])


def era_warnings_table(result: billing.BillingReconciliation, limit: int = 25) -> Any:
    """What the 835 reader read leniently (envelope faults, odd dates …), the first
    ``limit`` items: file name, segment position and id, message."""
    w = result.remittance.warnings.head(limit)
    table = pd.DataFrame({"file": w["file"].map(lambda p: Path(str(p)).name).astype("string"),
                          "segment": w["segment_number"], "segment_id": w["segment_id"],
                          "message": w["message"]})
    return format_table(table)


def exclusions_table(result: billing.BillingReconciliation) -> Any:
    """Rows left out of figures on purpose: what, how many, how much and why."""
    return format_table(result.exclusions, money=["amount_cents"], count=["count"])


def aging_table(result: billing.BillingReconciliation,
                payers: pd.DataFrame | None = None) -> Any:
    """Insurance A/R by payer (its name from ``payers``, then its code) and age bucket, with a
    total row."""
    table = result.aging.copy()
    total = {c: table[c].sum() for c in table.columns if c != "payer_id"}
    table = _with_payer_names(table, payer_names(result, payers))
    table = pd.concat([table, pd.DataFrame([{"payer": "Total", "payer_code": "", **total}])],
                      ignore_index=True)
    table = table.rename(columns={c: f"{label} days" for c, label in _BUCKETS})
    money = [f"{label} days" for _, label in _BUCKETS] + ["total_cents"]
    return format_table(table.rename(columns={"total_cents": "total"}),
                        money=[m if m != "total_cents" else "total" for m in money],
                        count=["claims"])


def worklist_index(lists: Mapping[str, pd.DataFrame], files: Sequence[Path]) -> Any:
    """One row per worklist: how many items and the file to open."""
    csv = {p.stem: p.name for p in files if p.suffix == ".csv"}
    workbook = next((p.name for p in files if p.suffix == ".xlsx"), "")
    rows = [(name.replace("_", " "), len(frame), csv.get(name, ""), workbook)
            for name, frame in lists.items()]
    return format_table(pd.DataFrame(rows, columns=["Worklist", "Items", "CSV", "Workbook"]),
                        count=["Items"])


def collections_by_month(result: billing.BillingReconciliation) -> pd.DataFrame:
    """Charges by month of service and insurance payments by month paid (cents)."""
    bal = result.balances
    charged = (bal.groupby(bal["date_of_service"].dt.to_period("M"))["charge_cents"].sum()
               .rename("charged_cents"))
    pay = result.remittance.payments
    paid = (pay.groupby(pay["payment_date"].dt.to_period("M"))["total_paid_cents"].sum()
            .rename("paid_cents"))
    out = pd.concat([charged, paid], axis=1).fillna(0).astype("int64").sort_index()
    out.index = out.index.astype(str)
    out.index.name = "month"
    return out.reset_index()


def plot_collections_by_month(result: billing.BillingReconciliation, ax: Any) -> None:
    """Bars of charges and payments per month."""
    table = collections_by_month(result)
    x = range(len(table))
    ax.bar([i - 0.2 for i in x], table["charged_cents"], width=0.4,
           label="charged (by date of service)")
    ax.bar([i + 0.2 for i in x], table["paid_cents"], width=0.4,
           label="paid by payers (by date paid, ERA)")
    ax.set_xticks(list(x), table["month"], rotation=45, ha="right")
    ax.set_title("Charges and collections by month")
    ax.set_xlabel("month")
    ax.set_ylabel("amount (US$)")
    money_axis(ax)
    legend_outside(ax)


def plot_denials_by_category(result: billing.BillingReconciliation, ax: Any) -> None:
    """Horizontal bars of denied dollars by CARC reason."""
    top = billing.top_denial_reasons(result.denials, 8).iloc[::-1]
    # every word of the reason, wrapped on lines of 30 characters (three at most for CARC's)
    labels = [textwrap.fill(f"{c} {d}", 30)
              for c, d in zip(top["carc"], top["description"], strict=True)]
    ax.barh(range(len(top)), top["denied_cents"], color=PALETTE[3])
    ax.set_yticks(range(len(top)), labels, fontsize=8)
    ax.set_title("Denied dollars by reason (CARC)")
    ax.set_xlabel("denied amount (US$)")
    ax.set_ylabel("denial reason (CARC)")
    money_axis(ax, "x")


def plot_aging(result: billing.BillingReconciliation, ax: Any,
               payers: pd.DataFrame | None = None) -> None:
    """Stacked bars of insurance A/R by payer (by name, from ``payers``) and age bucket."""
    table = _with_payer_names(result.aging, payer_names(result, payers))
    bottom = pd.Series(0, index=table.index, dtype="int64")
    for column, label in _BUCKETS:
        ax.bar(range(len(table)), table[column], bottom=bottom, label=f"{label} days")
        bottom = bottom + table[column]
    bars_whole(ax)
    # long payer names wrapped on two or three lines, level and readable
    ax.set_xticks(range(len(table)), [textwrap.fill(str(n), 18) for n in table["payer"]],
                  fontsize=8)
    ax.set_title(f"Insurance A/R by payer and age, as of {result.as_of.date()}")
    ax.set_xlabel("payer")
    ax.set_ylabel("open balance (US$)")
    money_axis(ax)
    legend_outside(ax, title="age")


def explorer(report: chain.BillingReport) -> Any:
    """Payer, provider and date-of-service filters that recompute the billing KPIs and aging.

    Each change runs :func:`pracops.billing.chain.compute` (no file written) on the claims
    chosen, with the report's parameters and its as-of date, and redraws the KPI table and the
    aging chart.

    Parameters
    ----------
    report
        From :func:`pracops.billing.chain.run` (its inputs and parameters).

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws on every change.
    """
    import ipywidgets as w
    from IPython.display import Markdown, display

    inputs = report.inputs
    parameters = {**report.parameters, "as_of": report.as_of.date().isoformat()}
    claims = inputs.claims
    names = dict(zip(inputs.providers["npi"].astype(str), inputs.providers["name"].astype(str),
                     strict=True))
    payer = w.Dropdown(options=[("All payers", "")] + [
        (f"{name} ({pid})", pid) for pid, name in zip(inputs.payers["payer_id"],
                                                      inputs.payers["name"], strict=True)])
    provider = w.Dropdown(options=[("All providers", "")] + [
        (names.get(npi, npi), npi) for npi in sorted(claims["rendering_npi"].astype(str).unique())])
    first, last = claims["date_of_service"].min().date(), claims["date_of_service"].max().date()
    start = w.DatePicker(value=first)
    end = w.DatePicker(value=last)

    def showing() -> str:
        dates = (f"served {start.value or 'from the first claim'} to "
                 f"{end.value or 'the last claim'}")
        return ", ".join([payer.label if payer.value else "all payers",
                          provider.label if provider.value else "all providers", dates])

    def draw() -> None:
        keep = pd.Series(True, index=claims.index)
        if payer.value:
            keep &= claims["payer_id"] == payer.value
        if provider.value:
            keep &= claims["rendering_npi"].astype(str) == provider.value
        if start.value:
            keep &= claims["date_of_service"] >= pd.Timestamp(start.value)
        if end.value:
            keep &= claims["date_of_service"] <= pd.Timestamp(end.value)
        chosen = claims[keep.to_numpy()]
        if chosen.empty:
            display(Markdown("No claims match these filters."))
            return
        lines = inputs.claim_lines[inputs.claim_lines["claim_id"].isin(chosen["claim_id"])]
        subset = chain.BillingInputs(**{**inputs.__dict__, "claims": chosen,
                                        "claim_lines": lines})
        result = chain.compute(subset, **parameters).reconciliation
        open_cents = int(result.aging["total_cents"].sum())
        display(Markdown(no_math(f"**{len(chosen):,} claims**; insurance A/R "
                                 f"{fmt_money(open_cents)} open.")))
        display(kpi_table(billing.report_kpis(result.kpis)))
        display(chart(lambda figure: plot_aging(result, figure.subplots(), inputs.payers),
                      alt=f"Insurance A/R by payer and age for {showing()}: stacked bars, "
                          f"{fmt_money(open_cents)} open in all."))

    return panel({"Payer": payer, "Provider": provider, "Served from": start,
                  "Served to": end}, draw, showing=showing)
