"""The operating budget's chain (pracops.budget.chain): run() called from Python on the bundled
sample gives the figures and alerts the notebook recorded (tests/fixtures/recorded), compute()
writes nothing, and the analyst API takes the report's parameters by name and default."""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import pytest

import pracops.budget
from pracops import report
from pracops.budget import chain, view
from pracops.budget import model as bd
from pracops.budget.parameters import PARAMETERS

RECORDED = json.loads((Path(__file__).parents[1] / "fixtures" / "recorded"
                       / "operating_budget.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[chain.BudgetReport, Path]:
    out = tmp_path_factory.mktemp("budget")
    return chain.run(None, output_dir=str(out)), out


def test_run_gives_the_figures_and_alerts_the_notebook_recorded(
        ran: tuple[chain.BudgetReport, Path]) -> None:
    rep, _ = ran
    # through JSON as the run's summary holds them (tuples become lists ...)
    assert json.loads(json.dumps(rep.figures)) == RECORDED["figures"]
    assert [{"level": level, "message": message} for level, message in rep.alerts] \
        == RECORDED["alerts"]
    # the stored copy by hand: the sample's Medicaid shift and Medicare cut are flagged
    assert rep.figures["flagged_account_list"] == ["4100", "4200", "4300", "5400"]
    assert rep.figures["budget_margin_cents"] == (rep.figures["budget_revenue_cents"]
                                                  - rep.figures["budget_expense_cents"])


def test_run_writes_the_workbook_and_compute_writes_nothing(
        ran: tuple[chain.BudgetReport, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    rep, out = ran
    assert rep.files == [out / chain.WORKBOOK] and rep.files[0].stat().st_size > 0
    assert sorted(p.name for p in out.iterdir()) == [chain.WORKBOOK]

    def no_files(*_: object, **__: object) -> None:
        raise AssertionError("compute wrote a file")

    monkeypatch.setattr(report, "write_handouts", no_files)
    monkeypatch.setenv("PRACOPS_RUN_DIR", str(tmp_path))
    computed = chain.compute(chain.load_inputs(None))
    assert computed.files == [] and list(tmp_path.iterdir()) == []
    assert computed.figures == rep.figures and computed.alerts == rep.alerts
    assert computed.parameters == {n: p.default for n, p in PARAMETERS.items()
                                   if p.run and n not in ("data_dir", "output_dir")}


def test_a_parameter_changes_the_budget_by_its_own_name() -> None:
    inputs = chain.load_inputs(None)
    base = chain.compute(inputs)
    grown = chain.compute(inputs, visit_growth_pct=13.0)
    assert grown.budget.assumptions.visit_growth_pct == 13.0
    # ten points more growth: about 10 % more visits (whole visits, phased per class)
    ratio = grown.figures["budget_visits"] / base.figures["budget_visits"]
    assert ratio == pytest.approx(1.13 / 1.03, abs=1e-3)
    stricter = chain.compute(inputs, materiality_dollars=1_000_000.0)
    assert stricter.materiality_cents == 100_000_000
    assert stricter.figures["flagged_accounts"] == 0


def test_the_analyst_api_defaults_are_the_declared_ones() -> None:
    declared = PARAMETERS.defaults(run_only=True)
    takes = {n: p.default for n, p in inspect.signature(chain.compute).parameters.items()
             if n != "inputs"}
    assert takes == {n: v for n, v in declared.items() if n not in ("data_dir", "output_dir")}
    # the model's assumptions default to the declaration too (budget_year has no default)
    a = bd.Assumptions(budget_year=2025)
    for name in ("visit_growth_pct", "payer_mix_pct", "rate_change_pct", "wage_increase_pct",
                 "benefits_load_pct", "inflation_pct", "other_revenue_change_pct",
                 "holiday_country", "holiday_subdivision"):
        assert getattr(a, name) == declared[name], name
    assert list(a.holiday_names) == declared["holiday_names"]
    # nothing the chain does changes the declaration's defaults
    chain.compute(chain.load_inputs(None), new_providers=[{"start_month": 5}])
    assert PARAMETERS["new_providers"].default == []
    assert chain.run.__kwdefaults__["new_providers"] == []


def test_old_names_keep_working_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="pracops.budget.model.build_budget"):
        assert pracops.budget.build_budget is bd.build_budget
    with pytest.warns(DeprecationWarning, match="pracops.budget.chain.load_inputs"):
        assert view.load_inputs is chain.load_inputs  # the chain lived in the old view
    with pytest.warns(DeprecationWarning, match="moved to pracops.budget.chain.summary_figures"):
        assert view.summary_figures is chain.summary_figures
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pracops.budget.chain is chain  # a submodule is no old name
        with pytest.raises(AttributeError):  # never a name of pracops.budget
            pracops.budget.load_inputs  # noqa: B018
    with pytest.raises(AttributeError, match="chain.compute"):
        view.run_budget  # noqa: B018  (renamed arguments: no silent forwarding)
    with pytest.raises(AttributeError):
        pracops.budget.no_such_name  # noqa: B018
