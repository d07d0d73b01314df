"""How a compliance calendar finding matches a plant of the ground truth (shared by the tests
on the bundled sample and on another seed)."""

from __future__ import annotations

from typing import Any


def plant_key(p: dict[str, Any]) -> tuple:
    """The identity of a plant as a finding states it."""
    if p["kind"] in ("overdue", "missing", "lapse"):
        return (p["kind"], p.get("person_id") or p.get("document"), p["requirement"], p["due"])
    if p["kind"] == "log_gap":
        return ("log_gap", p["asset_id"], p["first"], p["last"])
    if p["kind"] == "out_of_range":
        return ("out_of_range", p["asset_id"], p["date"], p["time"], p["reading"])
    return ("coverage", p["location_id"], p["from"], p["person_id"])


def finding_key(f: dict[str, Any]) -> tuple:
    """The identity of a finding, comparable with :func:`plant_key`."""
    if f["kind"] in ("overdue", "missing", "lapse"):
        return (f["kind"], f["subject"], f["requirement"], f["due"])
    if f["kind"] == "log_gap":
        return ("log_gap", f["subject"], f["first"], f["last"])
    if f["kind"] == "out_of_range":
        return ("out_of_range", f["subject"], f["first"], f["time"], f["reading"])
    return ("coverage", f["subject"], f["from"], f["lapsed"])
