"""The purchasing chain called from Python, as an analyst would: :func:`chain.run` on the
bundled sample gives the figures, alerts and hand-outs the notebook recorded (the stored copy
in ``tests/fixtures/recorded/purchasing.json``); :func:`chain.compute` reads and writes no
file; the explorer recomputes without writing; the old names of ``pracops.purchasing`` still
resolve, with a warning."""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from pathlib import Path

import pytest

import pracops.purchasing
from pracops import data, report
from pracops.purchasing import chain, model, view
from pracops.purchasing.parameters import PARAMETERS

STORED = json.loads((Path(__file__).parents[1] / "fixtures" / "recorded" / "purchasing.json")
                    .read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> chain.PurchasingReport:
    return chain.run(output_dir=str(tmp_path_factory.mktemp("po")))


def test_run_gives_the_notebooks_figures_and_alerts(result: chain.PurchasingReport) -> None:
    # The notebook's figures went through JSON: compare them the same way.
    assert json.loads(json.dumps(result.figures)) == STORED["figures"]
    assert [{"level": level, "message": message} for level, message in result.alerts] == \
        STORED["alerts"]
    assert [k for k in result.figures if k in view.HEADLINE_FIGURES] == STORED["headline"]


def test_run_writes_the_notebooks_hand_outs(result: chain.PurchasingReport) -> None:
    names = sorted(f"purchasing_files/{p.name}" for p in result.files)
    assert names == STORED["files"]["attachments"]
    for p in result.files:
        if p.suffix == ".csv":
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            assert digest == STORED["handouts"][f"purchasing_files/{p.name}"], p.name


def test_run_keeps_what_it_ran_with(result: chain.PurchasingReport) -> None:
    declared = PARAMETERS.defaults(run_only=True)
    assert result.parameters == {k: v for k, v in declared.items()
                                 if k not in ("data_dir", "output_dir")}
    assert len(result.inputs.items) == STORED["figures"]["skus"] == len(result.plan.skus)


def test_compute_takes_the_declared_parameters_without_the_folders() -> None:
    takes = {n: p.default for n, p in inspect.signature(chain.compute).parameters.items()}
    assert takes.pop("inputs") is inspect.Parameter.empty
    declared = PARAMETERS.defaults(run_only=True)
    del declared["data_dir"], declared["output_dir"]
    assert takes == declared and list(takes) == list(declared)


def test_compute_reads_and_writes_no_file(result: chain.PurchasingReport,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compute did I/O")

    monkeypatch.setattr(report, "write_handouts", refuse)
    monkeypatch.setattr(data, "load", refuse)
    plan = chain.compute(result.inputs, **result.parameters)
    assert chain.summary_figures(plan) == result.figures


def test_compute_converts_dollars_to_cents_once(result: chain.PurchasingReport) -> None:
    # A budget of $325,499.87 against the sample's spend of 32,549,987 cents: exactly 100 %.
    plan = chain.compute(result.inputs, supply_budget=325499.87)
    assert plan.budget_cents == 32_549_987 == plan.spend_cents
    assert chain.summary_figures(plan)["spend_vs_budget_pct"] == 1.0
    # The ordering cost moves the EOQ: a dearer order means fewer, larger orders.
    cheap = chain.compute(result.inputs, order_cost=1)
    dear = chain.compute(result.inputs, order_cost=100)
    assert (cheap.skus["eoq_units"] <= dear.skus["eoq_units"]).all()
    assert (cheap.skus["eoq_units"] < dear.skus["eoq_units"]).any()


def test_the_explorer_recomputes_without_writing(result: chain.PurchasingReport,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    calls: list[float] = []
    compute = chain.compute

    def counted(inputs: chain.PurchasingInputs, **kw: object) -> chain.PurchasingPlan:
        calls.append(float(kw["service_level"]))  # type: ignore[arg-type]
        return compute(inputs, **kw)  # type: ignore[arg-type]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(chain, "compute", counted)
    monkeypatch.setattr(report, "write_handouts", refuse)
    box = view.explorer(result.inputs, **result.parameters)
    level = box.children[0].children[0].children[1]
    assert level.value == 0.95 and calls == [0.95]
    level.value = 0.9
    assert calls == [0.95, 0.9]


def test_old_names_resolve_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="pracops.purchasing.model.choose_vendor"):
        assert pracops.purchasing.choose_vendor is model.choose_vendor
    with pytest.warns(DeprecationWarning, match="pracops.purchasing.chain.load_inputs"):
        assert view.load_inputs is chain.load_inputs  # the chain lived in the old view
    with pytest.warns(DeprecationWarning, match="purchasing.view.explorer"):
        assert pracops.widgets.purchasing_explorer is view.explorer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pracops.purchasing.chain is chain  # a room, reached as an attribute
        with pytest.raises(AttributeError):  # never a name of pracops.purchasing
            pracops.purchasing.load_inputs  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            pracops.purchasing.reorder_point  # noqa: B018  (removed: used only by tests)


def test_old_run_purchasing_maps_its_names_to_the_declared_ones(
        result: chain.PurchasingReport) -> None:
    """The old names and units (cents, ``a_share``) give the plan the declared ones give."""
    with pytest.warns(DeprecationWarning, match="run_purchasing"):
        run_purchasing = view.run_purchasing
    old = run_purchasing(result.inputs, order_cost_cents=3000, supply_budget_cents=30_000_000,
                         a_share=0.7, b_share=0.9, material_increase_pct=3.0)
    new = chain.compute(result.inputs, order_cost=30.0, supply_budget=300000.0,
                        abc_a_share=0.7, abc_b_share=0.9, material_price_increase_pct=3.0)
    assert chain.summary_figures(old) == chain.summary_figures(new)
    assert chain.summary_figures(old) != chain.summary_figures(result.plan)
