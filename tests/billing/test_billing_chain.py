"""The billing report's chain (pracops.billing.chain): ``run(...)`` called from Python on the
bundled sample gives what the notebook run recorded (tests/fixtures/recorded/), ``compute``
writes no file, parameters are checked against their declaration before anything is read, the
explorer recomputes through ``compute``, and the old ``pracops.billing.<name>`` still works
with a DeprecationWarning."""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import pracops.billing
from pracops import config
from pracops.billing import chain, model, view
from pracops.billing.parameters import PARAMETERS
from pracops.errors import DataError, ParameterError
from pracops.report import to_jsonable

STORED = json.loads((Path(__file__).parents[1] / "fixtures" / "recorded"
                     / "billing_reconciliation.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[chain.BillingReport, Path]:
    folder = tmp_path_factory.mktemp("worklists")
    return chain.run(output_dir=str(folder)), folder


def test_run_gives_the_figures_and_alerts_the_notebook_recorded(sample_run) -> None:
    report, _ = sample_run
    assert json.loads(json.dumps(to_jsonable(report.figures))) == STORED["figures"]
    assert [{"level": level, "message": message} for level, message in report.alerts] == \
        STORED["alerts"]
    assert report.as_of == pd.Timestamp("2025-12-31")


def test_run_writes_the_hand_outs_the_notebook_wrote(sample_run) -> None:
    report, folder = sample_run
    names = sorted(p.name for p in report.files)
    assert names == sorted(Path(a).name for a in STORED["files"]["attachments"])
    assert sorted(p.name for p in folder.iterdir()) == names
    for attachment, digest in STORED["handouts"].items():
        path = folder / Path(attachment).name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, attachment


def test_compute_is_run_without_files(sample_run, monkeypatch: pytest.MonkeyPatch) -> None:
    report, _ = sample_run

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compute wrote a file")

    monkeypatch.setattr(chain, "write_worklists", refuse)
    monkeypatch.setattr(chain, "write_handouts", refuse)
    again = chain.compute(report.inputs)
    assert again.files == []
    assert again.figures == report.figures
    assert list(again.worklists) == list(report.worklists)


def test_compute_takes_the_parameters_of_run_but_the_folders() -> None:
    run = inspect.signature(chain.run).parameters
    compute = inspect.signature(chain.compute).parameters
    assert list(compute) == ["inputs"] + [n for n in run if n not in ("data_dir", "output_dir")]
    for name in list(compute)[1:]:
        assert compute[name].default == run[name].default == PARAMETERS[name].default


def test_a_parameter_changes_what_it_names(sample_run) -> None:
    # dollars in, cents out: the sample's planted underpayments are each $13.40 short (its
    # ground truth), and a line is listed when its shortfall is above the threshold
    report, _ = sample_run
    truth = json.loads((config.SAMPLE_DIR / "ground_truth.json").read_text())["billing"]
    short = [e["difference_cents"] for e in truth if e["kind"] == "underpayment"]
    assert set(short) == {1340}
    for dollars, lines in ((13.39, len(short)), (13.40, 0)):
        found = chain.compute(report.inputs, underpayment_threshold=dollars)
        assert found.figures["underpaid_line_count"] == lines
        assert len(found.worklists["underpayments"]) == lines
    later = chain.compute(report.inputs, unanswered_after_days=10_000)
    assert later.figures["claims_never_answered"] == 0
    assert later.worklists["claims_never_answered"].empty
    # a target is the report's own name, no dict on the way
    strict = chain.compute(report.inputs, days_in_ar_target=1.0)
    kpis = strict.reconciliation.kpis.set_index("key")
    assert kpis.loc["days_in_ar", "target"] == 1.0 and kpis.loc["days_in_ar", "breached"]


@pytest.mark.parametrize(("name", "value"), [
    ("deposit_window_days", -1), ("deposit_window_days", (0, 10)), ("collection_lag_days", 1.5),
    ("underpayment_threshold", -0.01), ("underpayment_threshold_pct", 1.5),
    ("net_collection_target", 95), ("age_from", "service_date"), ("as_of", "2025-02-30"),
])
def test_bad_values_are_refused_before_anything_is_read(name: str, value: object) -> None:
    with pytest.raises(ParameterError, match=name):
        chain.run("/no/such/folder", **{name: value})


def test_a_threshold_in_fractions_of_a_cent_is_refused(sample_run) -> None:
    report, _ = sample_run
    with pytest.raises(ParameterError, match="underpayment_threshold"):
        chain.compute(report.inputs, underpayment_threshold=1.005)


def test_the_explorer_recomputes_without_writing(sample_run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    report, _ = sample_run
    calls: list[tuple[chain.BillingInputs, dict]] = []
    compute = chain.compute

    def spy(inputs: chain.BillingInputs, **parameters: object) -> chain.BillingReport:
        calls.append((inputs, parameters))
        return compute(inputs, **parameters)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(chain, "compute", spy)
    monkeypatch.setattr(chain, "write_worklists", refuse)
    box = view.explorer(report)
    payer_box = box.children[0].children[0].children[1]
    payer = sorted(set(report.inputs.claims["payer_id"]))[0]
    payer_box.value = payer
    name = report.inputs.payers.set_index("payer_id").loc[payer, "name"]
    assert f"Showing:</b> {name} ({payer}), all providers" in box.children[1].value
    assert len(calls) == 2
    subset, parameters = calls[-1]
    assert set(subset.claims["payer_id"]) == {payer}
    assert set(subset.claim_lines["claim_id"]) <= set(subset.claims["claim_id"])
    assert parameters == {**report.parameters, "as_of": "2025-12-31"}


def test_the_old_module_names_still_work_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="pracops.billing.model.reconcile"):
        assert pracops.billing.reconcile is model.reconcile
    with pytest.warns(DeprecationWarning, match="pracops.billing.chain.write_worklists"):
        assert pracops.billing.write_worklists is chain.write_worklists
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pracops.billing.chain is chain  # a submodule is no deprecated name
    with pytest.raises(AttributeError):
        _ = pracops.billing.no_such_name
    with pytest.raises(AttributeError):
        _ = pracops.billing._age_days  # private names were never the module's API


def test_the_old_view_names_still_work_with_a_warning(sample_run) -> None:
    """``pracops.billing_view`` of the flat layout is ``pracops.billing.view`` now: the chain's
    functions it held are forwarded; the old call gives the report's figures."""
    report, _ = sample_run
    for name in ("BillingInputs", "load_inputs", "default_as_of", "summary_figures", "alerts"):
        with pytest.warns(DeprecationWarning, match=f"pracops.billing.chain.{name}"):
            assert getattr(view, name) is getattr(chain, name)
    with pytest.warns(DeprecationWarning, match="run_reconciliation"):
        old = view.run_reconciliation(report.inputs, deposit_window_days=(0, 10))
    assert chain.summary_figures(old) == report.figures
    with pytest.raises(AttributeError):
        _ = view.no_such_name


def test_a_folder_without_payments_posted_loads_without_them(tmp_path: Path) -> None:
    """``payments_posted`` is optional: a folder without it loads, the other tables as in the
    sample; two candidate files for it are still refused, naming both."""
    sample = config.data_dir(None)
    for path in sample.iterdir():
        if not path.name.startswith("payments_posted."):
            (tmp_path / path.name).symlink_to(path)
    inputs = chain.load_inputs(tmp_path)
    assert inputs.payments_posted is None
    assert len(inputs.claims) == len(chain.load_inputs(None).claims)
    (tmp_path / "payments_posted.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "payments_posted.xlsx").write_bytes(b"")
    with pytest.raises(DataError, match="two files could be the payments_posted data"):
        chain.load_inputs(tmp_path)
