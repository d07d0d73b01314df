"""ipywidgets controls for live kernels: filters and sliders that recompute a report's figures.

Widgets need a live kernel; notebooks build them only when their ``interactive`` parameter is
true, so headless runs and the shared HTML stay static.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["billing_explorer"]


def billing_explorer(inputs: Any, *, as_of: pd.Timestamp, age_from: str = "date_of_service",
                     **options: Any) -> Any:
    """Payer, provider and date-of-service filters that recompute the billing KPIs and aging.

    Parameters
    ----------
    inputs
        :class:`pracops.billing_view.BillingInputs`.
    as_of, age_from, options
        As for :func:`pracops.billing_view.run_reconciliation`.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws on every change.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from pracops import billing, billing_view
    from pracops.report import kpi_table

    claims = inputs.claims
    names = dict(zip(inputs.providers["npi"].astype(str), inputs.providers["name"].astype(str),
                     strict=True))
    payer = w.Dropdown(description="Payer", options=[("All payers", "")] + [
        (f"{pid} – {name}", pid) for pid, name in zip(inputs.payers["payer_id"],
                                                      inputs.payers["name"], strict=True)])
    provider = w.Dropdown(description="Provider", options=[("All providers", "")] + [
        (names.get(npi, npi), npi) for npi in sorted(claims["rendering_npi"].astype(str).unique())])
    first, last = claims["date_of_service"].min().date(), claims["date_of_service"].max().date()
    start = w.DatePicker(description="DOS from", value=first)
    end = w.DatePicker(description="DOS to", value=last)
    out = w.Output()

    def redraw(_change: object = None) -> None:
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
        lines = inputs.claim_lines[inputs.claim_lines["claim_id"].isin(chosen["claim_id"])]
        out.clear_output(wait=True)
        with out:
            if chosen.empty:
                print("No claims match these filters.")
                return
            subset = billing_view.BillingInputs(**{**inputs.__dict__, "claims": chosen,
                                                   "claim_lines": lines})
            result = billing_view.run_reconciliation(subset, as_of=as_of, age_from=age_from,
                                                     **options)
            print(f"{len(chosen):,} claims")
            display(kpi_table(billing.report_kpis(result.kpis)))
            fig, ax = plt.subplots()
            billing_view.plot_aging(result, ax)
            plt.show()

    for control in (payer, provider, start, end):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([payer, provider]), w.HBox([start, end]), out])
