"""Benchmark of the compliance calendar at a group's size: the bundled sample's practice
copied ``copies`` times (people, credentials, trainings, reviews, equipment and its logs, each
id suffixed), ``chain.compute`` end to end against a plain vectorised pandas version of its
largest step (requirements × people → latest record → due date → status) in the same process;
the two must give the same statuses.

    python bench/bench_compliance_calendar.py [--copies 40]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from pracops.compliance_calendar import chain

SIZES = (10, 40)
QUICK_SIZES = (2,)


def scaled(copies: int) -> dict[str, pd.DataFrame]:
    """The sample's frames with the practice's people and assets repeated ``copies`` times."""
    base = chain.load_inputs()
    out = dict(base)

    def many(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
        parts = []
        for k in range(copies):
            part = frame.copy()
            for col in ids:
                part[col] = part[col].astype("str") + f"x{k}"
            parts.append(part)
        return pd.concat(parts, ignore_index=True).astype(frame.dtypes.to_dict())

    out["staff"] = many(base["staff"], ["employee_id"])
    out["providers"] = many(base["providers"], ["provider_id", "npi"])
    out["reviews"] = many(base["reviews"], ["employee_id"])
    out["credentials"] = many(base["credentials"], ["credential_id", "person_id"])
    out["trainings"] = many(base["trainings"], ["training_id", "person_id"])
    out["equipment"] = many(base["equipment"], ["asset_id"])
    out["equipment_logs"] = many(base["equipment_logs"], ["asset_id"])
    out["practice_documents"] = many(base["practice_documents"], ["document_id"])
    return out


def anchor(frames: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.Series:
    """Status counts of the credential and training obligations, by merges."""
    req = frames["requirements"]
    req = req[req["kind"].isin(("credential", "training"))].copy()
    req["token"] = req["applies_to"].str.split(";")
    req = req.explode("token")
    staff = frames["staff"]
    people = pd.concat([
        pd.DataFrame({"person_id": staff["employee_id"], "role": staff["role"].astype("str"),
                      "start": staff["employee_id"].map(
                          frames["reviews"].set_index("employee_id")["hire_date"]),
                      "staff": True}),
        pd.DataFrame({"person_id": frames["providers"]["provider_id"], "role": "provider",
                      "start": frames["providers"]["start_date"], "staff": False})])
    pairs = people.merge(req, how="cross")
    pairs = pairs[(pairs["token"] == "all") | (pairs["token"] == pairs["role"])
                  | ((pairs["token"] == "staff") & pairs["staff"])]
    pairs = pairs.drop_duplicates(["person_id", "requirement"])
    cred = frames["credentials"].sort_values("issued").drop_duplicates(
        ["person_id", "kind", "payer_id"], keep="last").rename(columns={"kind": "requirement"})
    cred["due"] = cred["expires"]
    tr = frames["trainings"].sort_values("completed").drop_duplicates(
        ["person_id", "course"], keep="last").rename(columns={"course": "requirement"})
    records = pd.concat([cred[["person_id", "requirement", "due", "issued"]],
                         tr.rename(columns={"completed": "issued"})[
                             ["person_id", "requirement", "issued"]]])
    m = pairs.merge(records, on=["person_id", "requirement"], how="left", indicator=True)
    step = pd.to_timedelta(m["interval_days"].astype("float"), unit="D")
    m["due"] = m["due"].fillna(m["issued"] + step)
    days = (m["due"] - as_of).dt.days
    status = pd.Series("current", index=m.index)
    status[days.le(90).fillna(False)] = "due"
    status[days.lt(0).fillna(False)] = "overdue"
    status[m["_merge"] == "left_only"] = "missing"
    return status.value_counts().sort_index()


def measure(copies: int, repeat: int = 3) -> dict:
    frames = scaled(copies)
    best, best_anchor = float("inf"), float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        cal = chain.compute(frames)
        best = min(best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        counts = anchor(frames, cal.as_of)
        best_anchor = min(best_anchor, time.perf_counter() - t0)
    ours = cal.obligations[cal.obligations["kind"].isin(("credential", "training"))]
    same = ours["status"].value_counts().sort_index().to_dict() == counts.to_dict()
    return {"people": len(frames["staff"]) + len(frames["providers"]),
            "log_rows": len(frames["equipment_logs"]), "compute_s": best,
            "anchor_s": best_anchor, "same": same, "obligations": len(cal.obligations)}


def measures(quick: bool = False) -> list[dict]:
    """The whole calendar at the largest size against the issue-less bound of 10 s and
    against the plain pandas version of its largest step."""
    sizes = QUICK_SIZES if quick else SIZES
    big = measure(sizes[-1], repeat=1 if quick else 3)
    label = f"{big['people']:,} people, {big['log_rows']:,} log rows"
    return [
        {"measure": f"compliance calendar {label}: chain.compute", "pracops": big["compute_s"],
         "anchor": 10.0, "anchor_name": "a monthly report's budget", "unit": "s",
         "ratio": big["compute_s"] / 10, "target": "≤ 10 s", "ok": big["compute_s"] <= 10},
        {"measure": f"compliance calendar {label}: whole compute vs the obligations' step in "
                    "plain pandas" + ("" if big["same"] else " — STATUSES DIFFER"),
         "pracops": big["compute_s"], "anchor": big["anchor_s"],
         "anchor_name": "pandas merges (one step)", "unit": "s",
         "ratio": big["compute_s"] / big["anchor_s"], "target": "≤ 50×",
         "ok": big["same"] and big["compute_s"] / big["anchor_s"] <= 50},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="*", default=list(SIZES))
    for n in parser.parse_args().copies:
        print(n, measure(n))
