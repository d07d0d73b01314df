"""The money side of the daily close: the day's collections followed from the front desk to the
bank (:func:`day_close`), and the operating account reconciled at a month end
(:func:`bank_reconciliation`).

Pure functions on the typed frames of :mod:`pracops.data` (no I/O, no display), in integer
cents, vectorised: matching is done on merged candidate pairs, taken greedily by a total order
(:func:`_pair`), never row by row.

Decisions, and why
------------------
- **One cash slip a day for every clinic.** The practice takes the day's cash and checks of
  both clinics to the bank on one slip (as the sample's ``deposits`` have it), so a day's desk
  cash and checks, all locations together, are matched to one slip credit, and the slip is
  attributed back to the clinics from the desk. A practice slipping each clinic apart would
  need a match per location too (not built: no data has it).
- **Which deposits.** The practice's deposit register (``deposits``: its ``type`` tells a
  patient cash slip and a card settlement from a payer's ACH or check) when present; else the
  statement's credits, told apart by their text (:data:`CASH_SLIP_TEXT`, :data:`CARD_TEXT`) or,
  for cards, by the processor's batch number in the line's reference.
- **Cards** are one processor batch a day: the desk's card receipts and the patient portal's
  card payments (the journal's payments by user ``PORTAL``), settled net of fees. With
  ``card_settlements`` the batch's gross is checked against the journal, its net against gross
  − fees (the short amount) and its credit against the net; without it the credit is matched
  to the day's gross and the difference is the fees as far as anyone can tell (a short
  settlement cannot be told from fees: the notes say so).
- **The reference of a day never deposited** is the slip number the day would have had: slip
  numbers are issued in sequence for every batch the practice closes (the day's card batch and
  its cash slip), so the missing number is read from its neighbours' (it is given only where
  the slip before and the slip after agree on the numbering; else the day itself, ISO dated).
- **Findings are dated by the day the money was taken** (the day close they belong to), and
  carry the credit's id (deposit id, else statement line id) as reference where a credit is at
  fault, the slip number where a slip is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.daily_close import businessdays
from pracops.daily_close.findings import findings_frame
from pracops.money import format_cents

__all__ = ["CARD_TEXT", "CASH_SLIP_TEXT", "DEPOSIT_CREDIT_DAYS", "PAYROLL_TEXT",
           "STALE_CHECK_DAYS", "STANDING_DEBIT_MONTHS", "BankReconciliation", "DayClose",
           "bank_reconciliation", "day_close"]

CASH_SLIP_TEXT = r"(?i)\bDEPOSIT CASH\b|\bCASH DEPOSIT\b"
"""A statement line that is a patient cash-and-checks slip (used without ``deposits``)."""

CARD_TEXT = r"(?i)BANKCARD|MERCHANT|CARD SETTLE"
"""A statement line that is the card processor's settlement (used without ``deposits``)."""

PAYROLL_TEXT = r"(?i)\b(?:PAYROLL|PAYCHEX|ADP|GUSTO|BENEFITS?|EFTPS)\b"
"""A statement debit that is part of a payroll: net pay, the taxes, the benefits premium."""

DEPOSIT_CREDIT_DAYS = 1
"""Business days a recorded deposit may take to appear on the statement (a slip taken after
the bank's cut-off is credited the next business day); later, it is a deposit not credited."""

STALE_CHECK_DAYS = 90
"""Days after which a check still outstanding at a month end is stale (to follow up or void)."""

STANDING_DEBIT_MONTHS = 3
"""A debit that no payable or payroll explains, whose text recurs in this many months of the
statement, is a standing order (rent, loan, provider draws, bank fees)."""

_D = "datetime64[ns]"


def _money(cents: object) -> list[str]:
    return [format_cents(int(c)) for c in np.asarray(cents)]


def _day(dates: object) -> list[str]:
    return [f"{pd.Timestamp(d).day} {pd.Timestamp(d):%b %Y}" for d in np.asarray(dates)]


def _isin(values: pd.Series, keys: object) -> np.ndarray:
    """``values.isin(keys)`` for text, through Arrow's hash lookup (pandas' isin on string
    columns goes value by value: seconds on a group's year of postings); a categorical's
    categories looked up once each."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        known = np.append(_isin(pd.Series(values.cat.categories), keys), False)
        return known[values.cat.codes.to_numpy()]  # code -1 (missing): False
    found = pc.is_in(pa.array(values.astype("string"), type=pa.string()),
                     value_set=pa.array(pd.Series(keys, dtype="string").dropna().unique(),
                                        type=pa.string()))
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _pair(candidates: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One-to-one pairs from candidate pairs (columns ``l``, ``r`` and the ``order`` columns):
    the greedy assignment by ``order`` (then ``l``, ``r``), found in rounds of pairs that are
    each other's first choice (the same pairs a one-by-one greedy takes)."""
    keys = [*order, "l", "r"]
    left = candidates.sort_values(keys, kind="stable")
    chosen = []
    while len(left):
        first_l = ~left["l"].duplicated()
        first_r = ~left["r"].duplicated()
        mutual = left[first_l & first_r]  # the global first is always one: rounds end
        chosen.append(mutual)
        left = left[~left["l"].isin(mutual["l"]) & ~left["r"].isin(mutual["r"])]
    if not chosen:
        return candidates.iloc[:0]
    return pd.concat(chosen, ignore_index=True)


def _window(days: pd.Series, lag: int) -> pd.DataFrame:
    """Each day (by index) with every business day from it (rolled forward) to ``lag``
    business days after: the days a deposit of it may be credited on (columns ``l``, ``date``,
    ``k``)."""
    parts = []
    for k in range(lag + 1):  # the lag's days, never the rows
        parts.append(pd.DataFrame({"l": days.index, "k": k,
                                   "date": businessdays.add(days.to_numpy(), k).astype(_D)}))
    same = pd.DataFrame({"l": days.index, "k": 0, "date": days.to_numpy()})
    return pd.concat([same, *parts], ignore_index=True).drop_duplicates(["l", "date"])


# ------------------------------------------------------------------------------------------
# The day close


@dataclass(frozen=True)
class DayClose:
    """Each day's money from the front desk to the practice-management journal and the bank.

    Attributes
    ----------
    close_date
        The last day closed; days after it are left out.
    days
        One row per location and business day with desk activity: ``receipts``,
        ``cash_cents``, ``check_cents``, ``card_cents``, ``collected_cents`` (the three),
        ``posted_cents`` (the journal's postings of those receipts, by the day and location
        they were posted to), ``posting_difference_cents`` (collected − posted),
        ``slip_cents`` (cash + checks), ``deposited_cents`` (the part of it on a slip the bank
        credited: the desk's amount, the slip's own difference being the day's in ``slips``),
        ``deposit_date``, ``carried_forward_cents`` (cash and checks taken up to this day at
        this location and not on a credited slip by its end: the drawer's undeposited money),
        ``card_settled`` (the day's card batch reached the bank), ``balanced``.
    drawers
        One row per drawer (``batch``): ``date``, ``location_id``, ``user``, the tenders,
        ``collected_cents``, ``posted_cents``, ``difference_cents``.
    slips
        One row per day with desk cash or checks (all locations): ``slip_cents`` (the desk's),
        ``credit_id`` (deposit or statement line), ``credit_date``, ``slip`` (its number,
        or the one it should have had), ``credited_cents``, ``difference_cents`` (desk −
        credit) and ``status``: ``deposited``, ``deposited with a difference`` (beyond the
        tolerance: a finding), ``carried forward`` (its deposit is not due yet at the close)
        or ``not deposited`` (a finding).
    card_batches
        One row per day with card payments: ``desk_card_cents``, ``portal_card_cents``,
        ``gross_cents`` (their sum, what the journal says the batch was), the settlement's
        ``batch_id``, ``settled_gross_cents``, ``fees_cents``, ``net_cents`` and
        ``short_cents`` (gross − fees − net), the credit (``credit_id``, ``credit_date``,
        ``credited_cents``) and ``status`` (``settled``, ``pending``, ``not settled``).
    credits
        The patient credits in the bank (cash slips and card settlements up to the close):
        ``credit_id``, ``date``, ``kind`` (``cash``, ``card``), ``amount_cents``, ``slip``,
        ``matched`` (to a desk day or a card batch) and ``status`` (``matched``,
        ``check deposited twice``, ``without collections``).
    control
        The control totals, one row each for cash and checks, for cards, and for the bank's
        patient credits: what came in, where every cent went, and ``unexplained_cents``
        (what is left: 0 when every cent is deposited, carried forward or a named difference).
    findings
        The problems (:func:`~pracops.daily_close.findings.findings_frame`).
    notes
        What was done without an optional input, one sentence each.
    """

    close_date: pd.Timestamp
    days: pd.DataFrame
    drawers: pd.DataFrame
    slips: pd.DataFrame
    card_batches: pd.DataFrame
    credits: pd.DataFrame
    control: pd.DataFrame
    findings: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def collected_cents(self) -> int:
        """Everything the desk took up to the close."""
        return int(self.days["collected_cents"].sum())

    @property
    def carried_forward_cents(self) -> int:
        """Cash and checks in the drawers at the close: taken, not yet credited (their
        deposit not due yet, or never made)."""
        waiting = self.slips["status"].isin(["carried forward", "not deposited"])
        return int(self.slips.loc[waiting, "slip_cents"].sum())

    @property
    def balanced(self) -> bool:
        """Every cent accounted for and no problem found."""
        return bool((self.control["unexplained_cents"] == 0).all() and self.findings.empty)

    def day(self, date: object) -> pd.DataFrame:
        """The close of one day, a row per location."""
        return self.days[self.days["date"] == pd.Timestamp(date)]


def _patient_credits(deposits: pd.DataFrame | None, bank: pd.DataFrame | None,
                     settlements: pd.DataFrame | None) -> pd.DataFrame:
    """The cash slips and card settlements the bank credited: from the deposit register when
    there is one, else from the statement's credits by their text."""
    cols = ["credit_id", "date", "kind", "amount_cents", "slip"]
    if deposits is not None:
        mine = deposits[deposits["type"].isin(["cash", "card"])]
        frame = pd.DataFrame({"credit_id": mine["deposit_id"], "date": mine["posted_date"],
                              "kind": mine["type"].astype("string"),
                              "amount_cents": mine["amount_cents"],
                              "slip": mine["description"].str.extract(r"(\d+)\s*$")[0]})
    elif bank is not None:
        credit = bank[bank["type"] == "credit"]
        batch_ids = (set(settlements["batch_id"].dropna()) if settlements is not None
                     else set())
        card = (credit["description"].str.contains(CARD_TEXT, regex=True)
                | credit["reference"].isin(batch_ids))
        cash = ~card & credit["description"].str.contains(CASH_SLIP_TEXT, regex=True)
        mine = credit[card | cash]
        slip = mine["reference"].where(mine["reference"].str.fullmatch(r"\d+").fillna(False),
                                       mine["description"].str.extract(r"(\d+)\s*$")[0])
        frame = pd.DataFrame({"credit_id": mine["line_id"], "date": mine["date"],
                              "kind": pd.Series(np.where(card[card | cash], "card", "cash"),
                                                index=mine.index, dtype="string"),
                              "amount_cents": mine["amount_cents"], "slip": slip})
    else:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            cols, ["string", _D, "string", "int64", "string"], strict=True)})
    return frame.astype({"slip": "string"}).reset_index(drop=True)


def _as_text(values: pd.Series) -> pd.Series:
    """The journal's locations as text when they are a categorical (as
    :func:`pracops.daily_close.chain.load_inputs` holds them), to merge and compare with the
    desk's: done on the few rows summed from the journal, not on its payments."""
    return values.astype("str") if isinstance(values.dtype, pd.CategoricalDtype) else values


def _postings(desk: pd.DataFrame, journal: pd.DataFrame, tolerance: int
              ) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Each receipt with its journal posting, and the findings: a receipt not posted or posted
    for another amount, day or clinic; a payment posted by a desk user with no receipt."""
    pay = journal[journal["kind"] == "payment"]
    is_receipt = _isin(pay["reference"], desk["receipt"])
    posted = pay[is_receipt]
    posted = posted.groupby("reference", observed=True).agg(
        posted_cents=("amount_cents", "sum"), posted_date=("posted_date", "first"),
        posted_location=("location_id", "first"))
    posted["posted_cents"] = -posted["posted_cents"]
    posted["posted_location"] = _as_text(posted["posted_location"])
    rows = desk.merge(posted, left_on="receipt", right_index=True, how="left")
    rows["posted_cents"] = rows["posted_cents"].fillna(0).astype("int64")
    gap = rows["amount_cents"] - rows["posted_cents"]
    wrong = ((gap.abs() > tolerance) | rows["posted_date"].isna()
             | (rows["posted_date"] != rows["date"])
             | (rows["posted_location"] != rows["location_id"]))
    found: list[dict[str, object]] = []
    bad = rows[wrong.fillna(True)]
    for r, when, why in zip(bad.itertuples(), _day(bad["date"]), np.where(
            bad["posted_date"].isna(), "was never posted in the practice-management system",
            "was posted for another amount, day or clinic"), strict=True):
        found.append({"kind": "posting_difference", "date": r.date, "location_id":
                      r.location_id, "reference": r.receipt,
                      "amount_cents": abs(r.amount_cents - r.posted_cents) or r.amount_cents,
                      "detail": f"Receipt {r.receipt} of {when} "
                                f"({format_cents(r.amount_cents)}) {why}."})
    users = desk["user"].dropna().unique()
    stray = pay[_isin(pay["user"], users) & ~is_receipt]
    for r, when in zip(stray.itertuples(), _day(stray["posted_date"]), strict=True):
        found.append({"kind": "posting_without_receipt", "date": r.posted_date,
                      "location_id": r.location_id, "reference": r.transaction_id,
                      "amount_cents": abs(r.amount_cents),
                      "detail": f"Payment {r.transaction_id} posted on {when} by front-desk "
                                f"user {r.user} ({format_cents(abs(r.amount_cents))}) has no "
                                "desk receipt."})
    return rows, found


def _slip_numbers(slips: pd.DataFrame, card_days: pd.Index) -> pd.Series:
    """The slip number each day's cash had or should have had (by ``date``), from the
    numbering of the slips around it (see the module's notes); missing where the neighbours
    disagree or there is no numbered slip on both sides."""
    events = pd.concat([
        pd.DataFrame({"date": pd.Series(card_days, dtype=_D), "tender": 0,
                      "slip": pd.Series(pd.NA, index=range(len(card_days)), dtype="string")}),
        pd.DataFrame({"date": slips["date"].to_numpy(), "tender": 1,
                      "slip": slips["slip"].astype("string").to_numpy()}),
    ], ignore_index=True).sort_values(["date", "tender"], kind="stable").reset_index(drop=True)
    numbered = events["slip"].where(events["slip"].str.fullmatch(r"\d+").fillna(False))
    offset = pd.to_numeric(numbered, errors="coerce") - events.index.to_numpy()
    cash = events["tender"] == 1
    before, after = offset.where(cash).ffill(), offset.where(cash).bfill()
    guess = (events.index.to_numpy() + before).where(before == after).astype("Int64")
    width = int(numbered.str.len().max()) if numbered.notna().any() else 0
    text = guess.astype("string").str.zfill(width)
    out = events["slip"].where(events["slip"].notna(), text)[cash]
    return pd.Series(out.to_numpy(), index=pd.DatetimeIndex(events.loc[cash, "date"]),
                     dtype="string")


def _status_findings(slips: pd.DataFrame, desk: pd.DataFrame) -> list[dict[str, object]]:
    """The findings of the desk days whose cash and checks did not reach the bank whole."""
    found: list[dict[str, object]] = []
    where = desk.groupby("date")["location_id"].agg(["nunique", "first"])
    gone = slips[slips["status"] == "not deposited"]
    for r, when, money in zip(gone.itertuples(), _day(gone["date"]),
                              _money(gone["slip_cents"]), strict=True):
        ref = r.slip if pd.notna(r.slip) else f"{r.date:%Y-%m-%d}"
        found.append({"kind": "undeposited_cash", "date": r.date,
                      "location_id": where.at[r.date, "first"]
                      if where.at[r.date, "nunique"] == 1 else pd.NA,
                      "reference": ref, "amount_cents": r.slip_cents,
                      "detail": f"Cash and checks of {when} ({money}, {r.receipts} receipts) "
                                f"were never deposited (slip {ref})."})
    off = slips[slips["status"] == "deposited with a difference"]
    for r, when in zip(off.itertuples(), _day(off["date"]), strict=True):
        found.append({"kind": "deposit_difference", "date": r.date, "location_id": pd.NA,
                      "reference": r.credit_id, "amount_cents": abs(r.difference_cents),
                      "detail": f"The slip for {when} was credited "
                                f"{format_cents(r.credited_cents)} (deposit {r.credit_id}) "
                                f"against {format_cents(r.slip_cents)} taken at the desk."})
    return found


def _match_slips(slips: pd.DataFrame, credits: pd.DataFrame, checks: pd.DataFrame, *,
                 close: pd.Timestamp, tolerance: int, lag: int
                 ) -> list[dict[str, object]]:
    """Fill ``slips`` (per day) and ``credits`` (``matched``, ``status``) in place: each day's
    cash and checks to one slip credited within the lag, then a check credited again, then a
    slip for another amount; returns the findings of the credits."""
    cash = credits[credits["kind"] == "cash"]
    window = _window(slips["date"], lag)
    cand = window.merge(cash.reset_index().rename(columns={"index": "r"}), on="date")
    cand["diff"] = (slips["slip_cents"].to_numpy()[cand["l"]] - cand["amount_cents"]).abs()
    exact = _pair(cand[cand["diff"] <= tolerance], ["diff", "l", "date"])
    slips.loc[exact["l"], "status"] = "deposited"
    found: list[dict[str, object]] = []
    # A check of a deposited day credited again on a slip of its own within its day's lag.
    # Where checks of two days could be the one (the same amount, both days' windows holding
    # the credit), the check whose own slip was credited that same day is taken first (a
    # check deposited twice goes to the bank with its slip, or is rescanned with it), then
    # the nearest day.
    used = set(exact["r"])
    left = cash[~cash.index.isin(used)]
    slip_credited = pd.Series(exact["date"].to_numpy(),
                              index=slips.loc[exact["l"], "date"].to_numpy())
    twice_checks = checks[checks["date"].isin(slip_credited.index)].reset_index(drop=True)
    tw = _window(twice_checks["date"], lag).merge(
        left.reset_index().rename(columns={"index": "r"}), on="date")
    tw = tw[twice_checks["amount_cents"].to_numpy()[tw["l"]] == tw["amount_cents"]]
    own_slip_day = slip_credited.reindex(twice_checks["date"].to_numpy()[tw["l"]]).to_numpy()
    tw = tw.assign(apart=(own_slip_day != tw["date"].to_numpy()).astype(np.int8))
    twice = _pair(tw, ["apart", "k"])
    for r, c in zip(twice.itertuples(), twice_checks.loc[twice["l"]].itertuples(), strict=True):
        credits.loc[r.r, ["status", "matched"]] = ["check deposited twice", c.date]
        found.append({"kind": "check_deposited_twice", "date": c.date,
                      "location_id": c.location_id, "reference": r.credit_id,
                      "amount_cents": c.amount_cents,
                      "detail": f"Check {c.check_number} (receipt {c.receipt}, "
                                f"{format_cents(c.amount_cents)}, taken {_day([c.date])[0]}) "
                                f"was on its day's slip and was credited again on "
                                f"{_day([r.date])[0]} (deposit {r.credit_id})."})
    used |= set(twice["r"])
    # A day and a slip of its window for different amounts: deposited with a difference.
    rest = cand[~cand["l"].isin(exact["l"]) & ~cand["r"].isin(used)]
    off = _pair(rest, ["diff", "l", "date"])
    slips.loc[off["l"], "status"] = "deposited with a difference"
    pairs = pd.concat([exact, off], ignore_index=True)
    slips.loc[pairs["l"], ["credit_id", "credit_date", "credited_cents", "credit_slip"]] = \
        pairs[["credit_id", "date", "amount_cents", "slip"]].to_numpy()
    credits.loc[pairs["r"], "status"] = "matched"
    credits.loc[pairs["r"], "matched"] = slips.loc[pairs["l"], "date"].to_numpy()
    due = pd.Series(businessdays.add(slips["date"].to_numpy(), lag).astype(_D),
                    index=slips.index)
    open_ = slips["status"].isna()
    slips.loc[open_ & (due > close), "status"] = "carried forward"
    slips.loc[open_ & (due <= close), "status"] = "not deposited"
    stray = credits[(credits["kind"] == "cash") & credits["status"].isna()]
    credits.loc[stray.index, "status"] = "without collections"
    for r, when in zip(stray.itertuples(), _day(stray["date"]), strict=True):
        found.append({"kind": "deposit_without_collections", "date": r.date,
                      "location_id": pd.NA, "reference": r.credit_id,
                      "amount_cents": r.amount_cents,
                      "detail": f"Slip {r.slip} credited on {when} "
                                f"({format_cents(r.amount_cents)}, deposit {r.credit_id}) has no "
                                "desk cash or checks behind it."})
    return found


def _card_batches(desk: pd.DataFrame, journal: pd.DataFrame, credits: pd.DataFrame,
                  settlements: pd.DataFrame | None, *, close: pd.Timestamp, tolerance: int,
                  lag: int, notes: list[str]) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Each day's card batch (desk and portal) to its settlement and its credit; fills the
    card credits' ``matched`` and ``status`` in place."""
    desk_card = desk[desk["tender"] == "card"].groupby("date")["amount_cents"].sum()
    portal = journal[(journal["kind"] == "payment") & (journal["user"] == "PORTAL")]
    portal = -portal.groupby("posted_date")["amount_cents"].sum()
    batches = pd.concat([desk_card.rename("desk_card_cents"),
                         portal.rename("portal_card_cents")], axis=1, sort=False).fillna(0)
    batches = batches.astype("int64").rename_axis("date").reset_index().sort_values(
        "date", ignore_index=True)
    batches["gross_cents"] = batches["desk_card_cents"] + batches["portal_card_cents"]
    batches = batches[batches["gross_cents"] != 0].reset_index(drop=True)
    cards = credits[credits["kind"] == "card"]
    found: list[dict[str, object]] = []
    zero = pd.Series(0, index=batches.index, dtype="int64")
    if settlements is not None:
        s = settlements[settlements["batch_date"] <= close].reset_index(drop=True)
        cand = _window(s["batch_date"], lag).merge(
            cards.reset_index().rename(columns={"index": "r"}), on="date")
        cand["diff"] = (s["net_cents"].to_numpy()[cand["l"]] - cand["amount_cents"]).abs()
        pairs = _pair(cand[cand["diff"] <= tolerance], ["diff", "l", "date"])
        s["credit_id"] = pd.Series(pd.NA, index=s.index, dtype="string")
        s.loc[pairs["l"], "credit_id"] = pairs["credit_id"].to_numpy()
        s["credit_date"] = pd.Series(pd.NaT, index=s.index, dtype=_D)
        s.loc[pairs["l"], "credit_date"] = pairs["date"].to_numpy()
        s["credited_cents"] = 0
        s.loc[pairs["l"], "credited_cents"] = pairs["amount_cents"].to_numpy()
        credits.loc[pairs["r"], "status"] = "matched"
        credits.loc[pairs["r"], "matched"] = s.loc[pairs["l"], "batch_date"].to_numpy()
        s["short_cents"] = s["gross_cents"] - s["fees_cents"] - s["net_cents"]
        odd = s[s["short_cents"].abs() > tolerance]
        for r, when in zip(odd.itertuples(), _day(odd["batch_date"]), strict=True):
            ref = r.credit_id if pd.notna(r.credit_id) else r.batch_id
            word = "short of" if r.short_cents > 0 else "more than"
            found.append({"kind": "card_settlement_short" if r.short_cents > 0
                          else "card_settlement_over", "date": r.batch_date,
                          "location_id": pd.NA, "reference": ref,
                          "amount_cents": abs(r.short_cents),
                          "detail": f"The card batch of {when} (batch {r.batch_id}) was settled "
                                    f"{format_cents(r.net_cents)}, "
                                    f"{format_cents(abs(r.short_cents))} {word} its gross "
                                    f"{format_cents(r.gross_cents)} less fees "
                                    f"{format_cents(r.fees_cents)}."})
        day = s.groupby("batch_date").agg(
            batch_id=("batch_id", "first"), settled_gross_cents=("gross_cents", "sum"),
            fees_cents=("fees_cents", "sum"), net_cents=("net_cents", "sum"),
            short_cents=("short_cents", "sum"), credit_id=("credit_id", "first"),
            credit_date=("credit_date", "max"), credited_cents=("credited_cents", "sum"),
            uncredited=("credit_date", lambda d: int(d.isna().sum())))
        batches = batches.merge(day.rename_axis("date").reset_index(), on="date",
                                how="outer").sort_values("date", ignore_index=True)
        for col in ("desk_card_cents", "portal_card_cents", "gross_cents",
                    "settled_gross_cents", "fees_cents", "net_cents", "short_cents",
                    "credited_cents", "uncredited"):
            batches[col] = batches[col].fillna(0).astype("int64")
        settled = batches["batch_id"].notna()
        differ = batches[settled & ((batches["gross_cents"] - batches["settled_gross_cents"])
                                    .abs() > tolerance)]
        for r, when in zip(differ.itertuples(), _day(differ["date"]), strict=True):
            found.append({"kind": "card_batch_difference", "date": r.date, "location_id": pd.NA,
                          "reference": r.batch_id,
                          "amount_cents": abs(r.gross_cents - r.settled_gross_cents),
                          "detail": f"The card batch of {when} (batch {r.batch_id}) was "
                                    f"settled for a gross of {format_cents(r.settled_gross_cents)}"
                                    f" against {format_cents(r.gross_cents)} taken by card."})
        credited = settled & (batches["uncredited"] == 0)
        gone_net = batches["net_cents"].where(settled & ~credited, 0) - \
            batches["credited_cents"].where(settled & ~credited, 0)
        gone = batches["gross_cents"].where(~settled, gone_net)
        diffs = (batches["gross_cents"] - batches["settled_gross_cents"] + batches["short_cents"]
                 + batches["net_cents"] - batches["credited_cents"]).where(settled, 0) - \
            gone_net
    else:
        notes.append("No card_settlements: each day's card batch (desk and portal) was matched "
                     "to the card credit of its lag; the difference is taken as the "
                     "processor's fees, and a settlement short of its fees cannot be told "
                     "from them.")
        cand = _window(batches["date"], lag).merge(
            cards.reset_index().rename(columns={"index": "r"}), on="date")
        cand["fee"] = batches["gross_cents"].to_numpy()[cand["l"]] - cand["amount_cents"]
        cand["dist"] = (cand["k"] - min(1, lag)).abs()
        pairs = _pair(cand[cand["fee"] >= -tolerance], ["dist", "fee", "l"])
        for col in ("batch_id", "credit_id"):
            batches[col] = pd.Series(pd.NA, index=batches.index, dtype="string")
        batches.loc[pairs["l"], "credit_id"] = pairs["credit_id"].to_numpy()
        batches["credit_date"] = pd.Series(pd.NaT, index=batches.index, dtype=_D)
        batches.loc[pairs["l"], "credit_date"] = pairs["date"].to_numpy()
        batches["credited_cents"] = zero.copy()
        batches.loc[pairs["l"], "credited_cents"] = pairs["amount_cents"].to_numpy()
        credits.loc[pairs["r"], "status"] = "matched"
        credits.loc[pairs["r"], "matched"] = batches.loc[pairs["l"], "date"].to_numpy()
        credited = batches["credit_id"].notna()
        batches["settled_gross_cents"] = batches["gross_cents"].where(credited, 0)
        batches["fees_cents"] = (batches["gross_cents"] - batches["credited_cents"]).where(
            credited, 0)
        batches["net_cents"] = batches["credited_cents"]
        batches["short_cents"] = zero.copy()
        gone, diffs = batches["gross_cents"].where(~credited, 0), zero.copy()
    due = pd.Series(businessdays.add(batches["date"].to_numpy(), lag).astype(_D),
                    index=batches.index)
    batches["status"] = np.where(credited, "settled", np.where(due > close, "pending",
                                                               "not settled"))
    batches["pending_cents"] = gone.where(batches["status"] == "pending", 0)
    batches["not_settled_cents"] = gone.where(batches["status"] == "not settled", 0)
    batches["differences_cents"] = diffs
    late = batches[batches["status"] == "not settled"]
    for r, when in zip(late.itertuples(), _day(late["date"]), strict=True):
        ref = r.batch_id if pd.notna(r.batch_id) else f"{r.date:%Y-%m-%d}"
        found.append({"kind": "card_batch_not_settled", "date": r.date, "location_id": pd.NA,
                      "reference": ref, "amount_cents": r.not_settled_cents,
                      "detail": f"The card batch of {when} ({format_cents(r.gross_cents)}) "
                                f"has not reached the bank within {lag} business days."})
    stray = credits[(credits["kind"] == "card") & credits["status"].isna()]
    credits.loc[stray.index, "status"] = "without collections"
    for r, when in zip(stray.itertuples(), _day(stray["date"]), strict=True):
        found.append({"kind": "deposit_without_collections", "date": r.date,
                      "location_id": pd.NA, "reference": r.credit_id,
                      "amount_cents": r.amount_cents,
                      "detail": f"A card credit of {when} ({format_cents(r.amount_cents)}, "
                                f"{r.credit_id}) matches no card batch."})
    return batches.drop(columns="uncredited", errors="ignore"), found


def day_close(front_desk_payments: pd.DataFrame, pm_transactions: pd.DataFrame, *,
              deposits: pd.DataFrame | None = None,
              bank_statement: pd.DataFrame | None = None,
              card_settlements: pd.DataFrame | None = None,
              close_date: object = None, tolerance_cents: int = 0,
              cash_deposit_lag_days: int = 1, card_settlement_lag_days: int = 2) -> DayClose:
    """Close every day up to ``close_date``: the desk's receipts by tender and drawer, their
    postings in the journal, and their deposits in the bank.

    Parameters
    ----------
    front_desk_payments, pm_transactions
        The desk's receipts and the practice-management journal (its payments: the desk's by
        receipt number, the portal's card payments by user ``PORTAL``).
    deposits, bank_statement
        Where the credits are read: the deposit register when given, else the statement (one
        of them is needed for the deposits; without both, nothing is deposited).
    card_settlements
        The processor's batches (optional, see the module's notes).
    close_date
        The last day to close; ``None`` for the last business day in the desk's and the
        journal's data.
    tolerance_cents
        A difference up to this many cents still balances (it is still counted in the
        control totals' differences).
    cash_deposit_lag_days, card_settlement_lag_days
        Business days a day's cash and checks may take to be credited (from the day itself),
        and its card batch to be settled. A deposit not due by the close date is carried
        forward, not a finding.

    Returns
    -------
    DayClose
    """
    close = (pd.Timestamp(close_date) if close_date not in (None, "")
             else businessdays.last_business_day(pd.Series(  # the later of the two, NaT skipped
                 [front_desk_payments["date"].max(), pm_transactions["posted_date"].max()]).max()))
    tolerance = int(tolerance_cents)
    notes: list[str] = []
    desk = front_desk_payments[front_desk_payments["date"] <= close].reset_index(drop=True)
    journal = pm_transactions.loc[  # the payments, and of the journal what is read of them
        ((pm_transactions["posted_date"] <= close) & (pm_transactions["kind"] == "payment")
         ).to_numpy(bool, na_value=False),
        ["transaction_id", "posted_date", "location_id", "kind", "amount_cents", "reference",
         "user"]]
    credits = _patient_credits(deposits, bank_statement, card_settlements)
    if deposits is None and bank_statement is None:
        notes.append("Neither deposits nor bank_statement: nothing can be shown deposited.")
    first = desk["date"].min()
    early = credits["date"] < first
    if early.any():
        notes.append(f"{int(early.sum())} credits before the first desk day were left out "
                     f"({format_cents(int(credits.loc[early, 'amount_cents'].sum()))}).")
    credits = credits[~early & (credits["date"] <= close)].reset_index(drop=True)
    credits["matched"] = pd.Series(pd.NaT, index=credits.index, dtype=_D)
    credits["status"] = pd.Series(pd.NA, index=credits.index, dtype="string")

    receipts, found = _postings(desk, journal, tolerance)
    tender = receipts["tender"].astype("string")
    for name in ("cash", "check", "card"):
        receipts[f"{name}_cents"] = receipts["amount_cents"].where(tender == name, 0)
    receipts["collected_cents"] = receipts["amount_cents"]
    drawers = receipts.groupby("batch", observed=True).agg(
        date=("date", "first"), location_id=("location_id", "first"), user=("user", "first"),
        receipts=("receipt", "size"), cash_cents=("cash_cents", "sum"),
        check_cents=("check_cents", "sum"), card_cents=("card_cents", "sum"),
        collected_cents=("collected_cents", "sum"), posted_cents=("posted_cents", "sum"),
    ).reset_index()
    drawers["difference_cents"] = drawers["collected_cents"] - drawers["posted_cents"]

    slip_day = receipts.assign(slip_cents=receipts["cash_cents"] + receipts["check_cents"])
    slips = slip_day[slip_day["slip_cents"] > 0].groupby("date").agg(
        slip_cents=("slip_cents", "sum"), receipts=("receipt", "size")).reset_index()
    for col, dtype in (("status", "string"), ("credit_id", "string"), ("credit_date", _D),
                       ("credited_cents", "Int64"), ("credit_slip", "string")):
        slips[col] = pd.Series(pd.NA if dtype != _D else pd.NaT, index=slips.index,
                               dtype=dtype)
    checks = receipts[tender == "check"].reset_index(drop=True)
    found += _match_slips(slips, credits, checks, close=close, tolerance=tolerance,
                          lag=cash_deposit_lag_days)
    batches, card_found = _card_batches(desk, journal, credits, card_settlements, close=close,
                                        tolerance=tolerance, lag=card_settlement_lag_days,
                                        notes=notes)
    found += card_found
    numbers = _slip_numbers(slips.rename(columns={"credit_slip": "slip"}),
                            pd.DatetimeIndex(batches["date"]))
    slips["slip"] = numbers.reindex(pd.DatetimeIndex(slips["date"])).to_numpy()
    slips["credited_cents"] = slips["credited_cents"].fillna(0).astype("int64")
    credited = slips["credit_id"].notna()
    slips["difference_cents"] = (slips["slip_cents"] - slips["credited_cents"]).where(
        credited, 0)
    slips = slips.drop(columns="credit_slip")
    found += _status_findings(slips, desk)

    days = _days(receipts, journal, slips, batches)
    findings = findings_frame(found).sort_values(["date", "kind", "reference"],
                                                 ignore_index=True)
    flagged = findings[["date", "location_id"]].drop_duplicates()
    whole = flagged[flagged["location_id"].isna()]["date"]
    local = flagged.dropna().assign(hit=True)
    hit = days.merge(local, on=["date", "location_id"], how="left")["hit"].fillna(False)
    days["balanced"] = ~(hit.to_numpy().astype(bool) | days["date"].isin(whole).to_numpy())
    control = _control(slips, batches, credits)
    return DayClose(close_date=close, days=days, drawers=drawers, slips=slips,
                    card_batches=batches, credits=credits, control=control,
                    findings=findings, notes=tuple(notes))


def _days(receipts: pd.DataFrame, journal: pd.DataFrame, slips: pd.DataFrame,
          batches: pd.DataFrame) -> pd.DataFrame:
    """The day close's table, a row per location and day."""
    desk = receipts.groupby(["date", "location_id"], observed=True).agg(
        receipts=("receipt", "size"), cash_cents=("cash_cents", "sum"),
        check_cents=("check_cents", "sum"), card_cents=("card_cents", "sum"),
        collected_cents=("collected_cents", "sum")).reset_index()
    pay = journal[_isin(journal["reference"], receipts["receipt"])]
    posted = (-pay.groupby(["posted_date", "location_id"], observed=True)["amount_cents"].sum()
              ).rename("posted_cents").rename_axis(["date", "location_id"]).reset_index()
    posted["location_id"] = _as_text(posted["location_id"])
    days = desk.merge(posted, on=["date", "location_id"], how="outer").sort_values(
        ["date", "location_id"], ignore_index=True)
    money = ["receipts", "cash_cents", "check_cents", "card_cents", "collected_cents",
             "posted_cents"]
    days[money] = days[money].fillna(0).astype("int64")
    days["posting_difference_cents"] = days["collected_cents"] - days["posted_cents"]
    days["slip_cents"] = days["cash_cents"] + days["check_cents"]
    state = slips[["date", "credit_id", "credit_date"]].astype({"credit_date": _D})
    state = days[["date"]].merge(state, on="date", how="left")
    on_slip = state["credit_id"].notna().to_numpy()
    days["deposited_cents"] = days["slip_cents"].where(on_slip, 0)
    days["deposit_date"] = state["credit_date"].where(on_slip).to_numpy()
    # The drawer's undeposited cash: taken so far, less what the bank has credited so far.
    taken = days[["location_id", "date", "slip_cents"]].rename(columns={"slip_cents": "d"})
    banked = days.loc[on_slip, ["location_id", "deposit_date", "deposited_cents"]].set_axis(
        ["location_id", "date", "d"], axis=1).assign(d=lambda f: -f["d"])
    flow = pd.concat([taken, banked]).groupby(["location_id", "date"], observed=True)["d"].sum()
    running = flow.groupby(level=0, observed=True).cumsum().rename("carried_forward_cents")
    days = pd.merge_asof(days.sort_values("date"), running.reset_index().sort_values("date"),
                         on="date", by="location_id").sort_values(["date", "location_id"],
                                                                  ignore_index=True)
    days["carried_forward_cents"] = days["carried_forward_cents"].astype("int64")
    days["card_settled"] = days["date"].map(batches.set_index("date")["status"]).eq("settled") \
        | (days["card_cents"] == 0)
    return days


def _control(slips: pd.DataFrame, batches: pd.DataFrame, credits: pd.DataFrame) -> pd.DataFrame:
    """The control totals: in = credited + fees + differences + carried forward + not
    deposited, and what is left unexplained."""
    status = slips["status"]
    cash = {"line": "cash and checks", "in_cents": slips["slip_cents"].sum(),
            "credited_cents": slips["credited_cents"].sum(), "fees_cents": 0,
            "differences_cents": slips["difference_cents"].sum(),
            "carried_forward_cents": slips["slip_cents"][status == "carried forward"].sum(),
            "not_deposited_cents": slips["slip_cents"][status == "not deposited"].sum()}
    card = {"line": "cards (desk and portal)", "in_cents": batches["gross_cents"].sum(),
            "credited_cents": batches["credited_cents"].sum(),
            "fees_cents": batches["fees_cents"].sum(),
            "differences_cents": batches["differences_cents"].sum(),
            "carried_forward_cents": batches["pending_cents"].sum(),
            "not_deposited_cents": batches["not_settled_cents"].sum()}
    matched = credits["status"] == "matched"
    bank = {"line": "patient credits in the bank", "in_cents": credits["amount_cents"].sum(),
            "credited_cents": credits["amount_cents"][matched].sum(), "fees_cents": 0,
            "differences_cents": credits["amount_cents"][~matched].sum(),
            "carried_forward_cents": 0, "not_deposited_cents": 0}
    control = pd.DataFrame([cash, card, bank])
    parts = ["credited_cents", "fees_cents", "differences_cents", "carried_forward_cents",
             "not_deposited_cents"]
    control[["in_cents", *parts]] = control[["in_cents", *parts]].astype("int64")
    control["unexplained_cents"] = control["in_cents"] - control[parts].sum(axis=1)
    return control


# ------------------------------------------------------------------------------------------
# The bank reconciliation


@dataclass(frozen=True)
class BankReconciliation:
    """The operating account reconciled at a month end: the statement's balance and the
    book's, with every item between them listed.

    **The book** is the practice's own record of the account: the statement's opening balance
    (the account taken as reconciled when the statement starts), plus the deposit register
    (``deposits``, on their dates), less the payables paid (``ap_invoices`` with a paid date:
    a check on the day it was written, an ACH on its day), less each payroll
    (``payroll_runs``: gross + employer taxes + benefits, on its pay date), less the standing
    orders (rent, loan, provider draws, bank fees: debits no payable or payroll explains whose
    text recurs in :data:`STANDING_DEBIT_MONTHS` months), which the bookkeeper records as the
    bank takes them. Without ``deposits`` the credits, and without ``payroll_runs`` the
    payroll debits, are recorded from the statement the same way (``notes`` says so).

    **Deposits and the statement must agree**: this is checked here, as findings, not refused
    at load time. A deposit recorded and not yet credited at a month end is a deposit in
    transit, a normal item; one recorded and never credited (a slip lost on the way) or a
    credit with no deposit recorded is what a reconciliation is for, and must not stop the
    rest of the report. The sample's plants (a day's slip never made, a check on a second
    slip) are in both files alike, and are the day close's findings.

    Attributes
    ----------
    month
        The month reconciled, ``YYYY-MM``; ``month_end`` its last day.
    opening_balance_cents
        The statement's balance before its first line.
    statement_balance_cents
        The statement's balance at the month end (after its last line on or before it).
    book_balance_cents
        The book's balance at the month end (as above).
    deposits_in_transit
        Deposits recorded by the month end, not credited by it: ``entry_id``, ``date``,
        ``amount_cents``, ``description``, ``cleared_date`` (when the statement shows it
        later, else missing).
    outstanding_checks
        Payments recorded by the month end (checks, and any ACH or payroll) not debited by it:
        ``entry_id``, ``kind``, ``reference``, ``date``, ``amount_cents`` (positive),
        ``description``, ``cleared_date``, ``days_outstanding``.
    bank_not_in_books
        Statement lines up to the month end that no book entry explains (signed amounts):
        the book must record them.
    cleared_differences
        Book entries up to the month end matched to a line for another amount, or cleared
        before they were recorded: ``entry_id``, ``line_id``, ``difference_cents`` (the
        statement's amount − the book's, up to the month end).
    standing_debits
        The statement's debits recorded in the book as the bank took them (all months).
    book
        Every book entry (all months): ``entry_id``, ``kind``, ``date``, ``amount_cents``
        (signed), ``reference``, ``description``, ``line_id`` and ``cleared_date`` of the
        statement line(s) matched.
    proof
        The reconciliation as a table: statement balance, + deposits in transit,
        − outstanding checks, = adjusted bank balance; book balance, + statement lines not in
        the books, + differences on cleared items, = adjusted book balance; difference.
    adjusted_bank_cents, adjusted_book_cents, difference_cents
        The proof's figures: the difference is 0 when every line is matched or listed.
    findings
        Deposits not credited within :data:`DEPOSIT_CREDIT_DAYS`, checks outstanding more
        than :data:`STALE_CHECK_DAYS` days, statement lines not in the books, payrolls debited
        for another amount, items cleared for another amount.
    notes
        What was done without an optional input.
    """

    month: str
    month_end: pd.Timestamp
    opening_balance_cents: int
    statement_balance_cents: int
    book_balance_cents: int
    deposits_in_transit: pd.DataFrame
    outstanding_checks: pd.DataFrame
    bank_not_in_books: pd.DataFrame
    cleared_differences: pd.DataFrame
    standing_debits: pd.DataFrame
    book: pd.DataFrame
    proof: pd.DataFrame
    adjusted_bank_cents: int
    adjusted_book_cents: int
    difference_cents: int
    findings: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def reconciled(self) -> bool:
        """The adjusted balances agree to the cent."""
        return self.difference_cents == 0


_BOOK = ["entry_id", "kind", "date", "amount_cents", "reference", "description"]


def _book_frame(**columns: object) -> pd.DataFrame:
    frame = pd.DataFrame({k: v.to_numpy() if isinstance(v, pd.Series) else v
                          for k, v in columns.items()})
    return frame.astype({"entry_id": "string", "kind": "string", "date": _D,
                         "amount_cents": "int64", "reference": "string",
                         "description": "string"})[_BOOK]


def _text_key(text: pd.Series) -> pd.Series:
    """A statement line's text without its numbers: what stays the same month after month."""
    return text.str.upper().str.replace(r"[\d#*\\/\-]+", " ", regex=True).str.replace(
        r"\s+", " ", regex=True).str.strip()


def bank_reconciliation(bank_statement: pd.DataFrame, *,
                        deposits: pd.DataFrame | None = None,
                        ap_invoices: pd.DataFrame | None = None,
                        payroll_runs: pd.DataFrame | None = None,
                        month: object = None) -> BankReconciliation:
    """Reconcile the operating account at the end of ``month``.

    Parameters
    ----------
    bank_statement
        The statement, every line in the bank's order (its balance follows line by line).
    deposits, ap_invoices, payroll_runs
        The practice's records (see :class:`BankReconciliation` for the book they make).
    month
        Any day of the month, or ``YYYY-MM``; ``None`` for the statement's last month.

    Returns
    -------
    BankReconciliation
    """
    bank = bank_statement.reset_index(drop=True)
    when = pd.Timestamp(month if month not in (None, "") else bank["date"].max())
    period = when.to_period("M")
    month_end = period.to_timestamp(how="end").normalize()
    opening = int(bank["balance_cents"].iloc[0] - bank["amount_cents"].iloc[0]) \
        if len(bank) else 0
    start = bank["date"].min()
    notes: list[str] = []
    bank["entry_id"] = pd.Series(pd.NA, index=bank.index, dtype="string")
    entries: list[pd.DataFrame] = []
    found: list[dict[str, object]] = []

    # Deposits: each to one credit of the same amount, on its day or within the clearing days.
    credit = bank[bank["type"] == "credit"]
    if deposits is not None:
        dep = _book_frame(entry_id=deposits["deposit_id"], kind="deposit",
                          date=deposits["posted_date"], amount_cents=deposits["amount_cents"],
                          reference=pd.NA, description=deposits["description"])
        cand = _window(dep["date"], DEPOSIT_CREDIT_DAYS).merge(
            credit[["date", "amount_cents"]].reset_index().rename(columns={"index": "r"}),
            on="date")
        cand = cand[dep["amount_cents"].to_numpy()[cand["l"]] == cand["amount_cents"]]
        pairs = _pair(cand, ["k", "l"])
        bank.loc[pairs["r"], "entry_id"] = dep["entry_id"].to_numpy()[pairs["l"]]
        entries.append(dep)
    else:
        notes.append("No deposits: the statement's credits were taken into the book as the "
                     "bank posted them (nothing can be in transit).")
    # Payables: by the check or ACH number the statement shows.
    if ap_invoices is not None:
        paid = ap_invoices[ap_invoices["paid_date"].notna()]
        ref = paid["payment_reference"]
        ap = _book_frame(entry_id=paid["voucher_id"],
                         kind=np.where(ref.str.fullmatch(r"\d+").fillna(False), "check",
                                       "payment"),
                         date=paid["paid_date"], amount_cents=-paid["paid_cents"].astype("int64"),
                         reference=ref, description=paid["vendor"] + " " + paid[
                             "invoice_number"])
        lines = bank[bank["entry_id"].isna() & bank["reference"].notna()]
        cand = ap.reset_index().rename(columns={"index": "l"})[["l", "reference", "date"]] \
            .merge(lines[["reference", "date"]].reset_index().rename(
                columns={"index": "r", "date": "line_date"}), on="reference")
        cand["late"] = (cand["line_date"] < cand["date"]).astype(int)
        pairs = _pair(cand, ["late", "line_date"])
        bank.loc[pairs["r"], "entry_id"] = ap["entry_id"].to_numpy()[pairs["l"]]
        entries.append(ap)
    else:
        notes.append("No ap_invoices: the checks and ACH payments the statement shows are not "
                     "in the books (listed as such).")
    # Payroll: the payroll debits within two business days of each pay date.
    if payroll_runs is not None:
        runs = _book_frame(entry_id="PAYROLL " + payroll_runs["pay_date"].dt.strftime("%Y-%m-%d"),
                           kind="payroll", date=payroll_runs["pay_date"],
                           amount_cents=-(payroll_runs["gross_cents"]
                                          + payroll_runs["employer_taxes_cents"]
                                          + payroll_runs["benefits_cents"]),
                           reference=pd.NA, description="payroll")
        pay_lines = bank[bank["entry_id"].isna() & (bank["type"] == "debit")
                         & bank["description"].str.contains(PAYROLL_TEXT, regex=True)]
        window = pd.concat([_window(pd.Series(businessdays.add(runs["date"], -2).astype(_D)),
                                    4)], ignore_index=True)
        cand = window.merge(pay_lines[["date"]].reset_index().rename(columns={"index": "r"}),
                            on="date")
        cand["dist"] = (cand["k"] - 2).abs()
        cand = cand.sort_values(["r", "dist", "l"]).drop_duplicates("r")
        bank.loc[cand["r"], "entry_id"] = runs["entry_id"].to_numpy()[cand["l"]]
        entries.append(runs)
    else:
        notes.append("No payroll_runs: the payroll debits were taken into the book as the bank "
                     "took them.")
    # Standing orders (and, without the records, credits and payroll) from the statement.
    key = _text_key(bank["description"].fillna(""))
    months = bank.assign(key=key, m=bank["date"].dt.to_period("M")).groupby("key")[
        "m"].nunique()
    free = bank["entry_id"].isna()
    payroll_text = bank["description"].str.contains(PAYROLL_TEXT, regex=True).fillna(False)
    check = bank["reference"].str.fullmatch(r"\d+").fillna(False)  # a check: never standing
    standing = (free & (bank["type"] == "debit") & ~check
                & key.map(months).ge(STANDING_DEBIT_MONTHS)
                & ~(payroll_text & (payroll_runs is not None)))
    taken = standing.copy()
    if deposits is None:
        taken |= free & (bank["type"] == "credit")
    if payroll_runs is None:
        taken |= free & (bank["type"] == "debit") & payroll_text
    from_bank = bank[taken]
    stand = _book_frame(entry_id="STMT " + from_bank["line_id"],
                        kind=np.where(from_bank["type"] == "credit", "credit from statement",
                                      np.where(standing[taken], "standing debit",
                                               "payroll from statement")),
                        date=from_bank["date"], amount_cents=from_bank["amount_cents"],
                        reference=from_bank["reference"], description=from_bank["description"])
    bank.loc[taken, "entry_id"] = stand["entry_id"].to_numpy()
    entries.append(stand)
    book = pd.concat(entries, ignore_index=True)
    early = book["date"] < start
    if early.any():
        notes.append(f"{int(early.sum())} book entries dated before the statement's first day "
                     "were left out (the opening balance is the bank's).")
        book = book[~early].reset_index(drop=True)

    # Each entry's statement lines (a payroll has several).
    lines = bank[bank["entry_id"].notna()]
    lines = lines.assign(by_end=lines["amount_cents"].where(lines["date"] <= month_end, 0))
    cleared = lines.groupby("entry_id").agg(
        line_id=("line_id", "first"), cleared_date=("date", "max"),
        cleared_cents=("amount_cents", "sum"), cleared_by_end=("by_end", "sum"))
    book = book.merge(cleared, left_on="entry_id", right_index=True, how="left")
    book["cleared_by_end"] = book["cleared_by_end"].fillna(0).astype("int64")
    booked = book["date"] <= month_end
    done = book["cleared_date"] <= month_end

    statement = bank[bank["date"] <= month_end]
    statement_balance = int(statement["balance_cents"].iloc[-1]) if len(statement) else opening
    book_balance = opening + int(book.loc[booked, "amount_cents"].sum())
    book = book.sort_values(["date", "entry_id"], ignore_index=True)
    booked = book["date"] <= month_end
    done = book["cleared_date"] <= month_end
    transit = book[booked & ~done & (book["amount_cents"] > 0)]
    outstanding = book[booked & ~done & (book["amount_cents"] < 0)].assign(
        amount_cents=lambda f: -f["amount_cents"],
        days_outstanding=lambda f: (month_end - f["date"]).dt.days)
    not_in_books = statement[statement["entry_id"].isna()][
        ["line_id", "date", "type", "amount_cents", "description", "reference"]]
    diff = book[(booked & done & (book["cleared_by_end"] != book["amount_cents"]))
                | (~booked & (book["cleared_by_end"] != 0))]
    diff = diff.assign(difference_cents=np.where(diff["date"] <= month_end,
                                                 diff["cleared_by_end"] - diff["amount_cents"],
                                                 diff["cleared_by_end"]))
    in_transit = int(transit["amount_cents"].sum())
    out = int(outstanding["amount_cents"].sum())
    unbooked = int(not_in_books["amount_cents"].sum())
    differences = int(diff["difference_cents"].sum())
    adjusted_bank = statement_balance + in_transit - out
    adjusted_book = book_balance + unbooked + differences
    proof = pd.DataFrame({"line": [
        "balance per statement", "+ deposits in transit", "- outstanding checks",
        "= adjusted bank balance", "balance per books", "+ statement lines not in the books",
        "+ differences on cleared items", "= adjusted book balance", "difference"],
        "amount_cents": [statement_balance, in_transit, -out, adjusted_bank, book_balance,
                         unbooked, differences, adjusted_book, adjusted_bank - adjusted_book]})

    for r, day in zip(transit.itertuples(), _day(transit["date"]), strict=True):
        due = pd.Timestamp(businessdays.add([r.date], DEPOSIT_CREDIT_DAYS)[0])
        if due <= month_end:
            found.append({"kind": "deposit_not_credited", "date": r.date, "location_id": pd.NA,
                          "reference": r.entry_id, "amount_cents": r.amount_cents,
                          "detail": f"Deposit {r.entry_id} of {day} "
                                    f"({format_cents(r.amount_cents)}) is not on the "
                                    f"statement by {_day([month_end])[0]}."})
    stale = outstanding[outstanding["days_outstanding"] > STALE_CHECK_DAYS]
    for r, day in zip(stale.itertuples(), _day(stale["date"]), strict=True):
        found.append({"kind": "stale_outstanding_check", "date": r.date, "location_id": pd.NA,
                      "reference": r.entry_id, "amount_cents": r.amount_cents,
                      "detail": f"Payment {r.reference} of {day} ({format_cents(r.amount_cents)}"
                                f", {r.description}) has been outstanding "
                                f"{r.days_outstanding} days."})
    for r, day in zip(not_in_books.itertuples(), _day(not_in_books["date"]), strict=True):
        found.append({"kind": "bank_line_not_in_books", "date": r.date, "location_id": pd.NA,
                      "reference": r.line_id, "amount_cents": abs(r.amount_cents),
                      "detail": f"Statement line {r.line_id} of {day} ({r.description}, "
                                f"{format_cents(r.amount_cents)}) is not in the books."})
    for r, day in zip(diff.itertuples(), _day(diff["date"]), strict=True):
        found.append({"kind": "cleared_amount_difference", "date": r.date,
                      "location_id": pd.NA, "reference": r.entry_id,
                      "amount_cents": abs(r.difference_cents),
                      "detail": f"{r.kind.capitalize()} {r.entry_id} of {day} was "
                                f"recorded as {format_cents(r.amount_cents)} and cleared the "
                                f"bank as {format_cents(r.cleared_by_end)} by the month end."})
    return BankReconciliation(
        month=str(period), month_end=month_end, opening_balance_cents=opening,
        statement_balance_cents=statement_balance, book_balance_cents=book_balance,
        deposits_in_transit=transit[["entry_id", "date", "amount_cents", "description",
                                     "cleared_date"]].reset_index(drop=True),
        outstanding_checks=outstanding[["entry_id", "kind", "reference", "date",
                                        "amount_cents", "description", "cleared_date",
                                        "days_outstanding"]].reset_index(drop=True),
        bank_not_in_books=not_in_books.reset_index(drop=True),
        cleared_differences=diff[["entry_id", "line_id", "date", "amount_cents",
                                  "cleared_by_end", "difference_cents"]].reset_index(drop=True),
        standing_debits=stand[stand["kind"] == "standing debit"].reset_index(drop=True),
        book=book.drop(columns="cleared_by_end"), proof=proof,
        adjusted_bank_cents=adjusted_bank, adjusted_book_cents=adjusted_book,
        difference_cents=adjusted_bank - adjusted_book,
        findings=findings_frame(found).sort_values(["date", "kind", "reference"],
                                                   ignore_index=True),
        notes=tuple(notes))
