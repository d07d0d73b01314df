"""The staffing plan's chain: ``chain.run`` called from Python on the bundled sample gives what
the notebook records (the stored copy in tests/fixtures/recorded/staffing_plan.json, written
by the suite before the chain existed), ``compute`` reads and writes no file, parameters keep
their names and defaults from the declaration down to the model, and the old names still work
with a DeprecationWarning."""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from pathlib import Path

import pytest

from pracops import config, report
from pracops.errors import ParameterError
from pracops.staffing import PARAMETERS, chain, model, view

STORED = json.loads((Path(__file__).parents[1] / "fixtures" / "recorded" / "staffing_plan.json")
                    .read_text(encoding="utf-8"))
TEST_PARAMETERS = {"solver_deterministic_time": 1.0}  # parameters/test/staffing_plan.yaml


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> chain.StaffingReport:
    return chain.run(None, **TEST_PARAMETERS,
                     output_dir=str(tmp_path_factory.mktemp("staffing_files")))


def test_run_gives_the_figures_alerts_and_files_the_notebook_recorded(
        result: chain.StaffingReport) -> None:
    assert json.loads(json.dumps(result.figures)) == STORED["figures"]
    assert [{"level": level, "message": message} for level, message in result.alerts] == \
        STORED["alerts"]
    digests = {f"staffing_plan_files/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
               for p in result.files if p.suffix == ".csv"}
    assert digests == STORED["handouts"]
    assert sorted(p.name for p in result.files) == sorted(
        Path(name).name for name in STORED["files"]["attachments"])


def test_run_reports_the_parameters_it_ran_with(result: chain.StaffingReport) -> None:
    expected = {**PARAMETERS.defaults(run_only=True), **TEST_PARAMETERS}
    assert {k: v for k, v in result.parameters.items() if k != "output_dir"} == \
        {k: v for k, v in expected.items() if k != "output_dir"}


def test_compute_writes_nothing_and_gives_runs_plan(result: chain.StaffingReport,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compute wrote a file")

    monkeypatch.setattr(report, "write_handouts", refuse)
    monkeypatch.setattr(config, "report_files_dir", refuse)
    monkeypatch.chdir(tmp_path)
    params = {k: v for k, v in result.parameters.items() if k not in ("data_dir", "output_dir")}
    plan = chain.compute(result.inputs, **params)
    assert chain.summary_figures(plan) == result.figures
    assert list(tmp_path.iterdir()) == []


def test_compute_takes_runs_parameters_with_the_declared_defaults() -> None:
    run = inspect.signature(chain.run).parameters
    compute = inspect.signature(chain.compute).parameters
    assert list(compute) == ["inputs"] + [n for n in run if n not in ("data_dir", "output_dir")]
    for name in compute:
        if name != "inputs":
            assert compute[name].default == PARAMETERS[name].default or \
                list(compute[name].default) == PARAMETERS[name].default, name


# Model arguments named like a parameter of the report, but meaning another quantity: the
# check-in desk's service level (the report's target is the phones') has its own default.
OTHER_MEANING = {("checkin_agents", "service_level_target")}
MODEL_NAMES = {"start": "plan_start", "growth_pct": "visit_growth_pct",
               "paid_hours": "paid_hours_per_fte",
               "service_level_target": "phone_service_level_target",
               "start_step_minutes": "shift_start_step_minutes",
               "staff_per_provider_fte": "staff_per_provider_benchmark"}


def test_no_model_function_defaults_a_parameter_to_another_value() -> None:
    # The model's argument names that the chain converts from the report's (growth_pct is
    # visit_growth_pct …): where a model function gives a default, it is the declared one.
    declared = PARAMETERS.defaults()
    checked = 0
    for name in model.__all__:
        f = getattr(model, name)
        if not inspect.isfunction(f):
            continue
        for p in inspect.signature(f).parameters.values():
            key = MODEL_NAMES.get(p.name, p.name)
            if key not in declared or p.default is inspect.Parameter.empty \
                    or (name, p.name) in OTHER_MEANING:
                continue
            default = declared[key]
            given = p.default
            if given is None and isinstance(default, dict):  # None: the model's DEFAULT_*
                given = {"minutes_per_visit": model.DEFAULT_MINUTES_PER_VISIT,
                         "minimum_staff": model.DEFAULT_MINIMUM_STAFF,
                         "ratios": model.DEFAULT_RATIOS}[key]
            if isinstance(given, tuple):
                given = list(given)
            assert given == default, f"{name}({p.name}={p.default!r}), declared {default!r}"
            checked += 1
    assert checked > 30


def test_dollars_become_cents_in_the_chain(result: chain.StaffingReport) -> None:
    plan = chain.compute(result.inputs, horizon_weeks=4, backtest_month=None,
                         hourly_rates={"nurse": 41.25, "manager": "52.10"})
    assert plan.rates["nurse"] == 4125 and plan.rates["manager"] == 5210
    nurse = plan.cost.set_index("role").loc["nurse", "hourly_rate_cents"]
    assert nurse == 4125
    with pytest.raises(ParameterError, match=r"hourly_rates\['nurse'\]"):
        chain.compute(result.inputs, horizon_weeks=4, backtest_month=None,
                      hourly_rates={"nurse": 41.255})
    with pytest.raises(ParameterError, match="labor_cost_per_visit_benchmark"):
        chain.compute(result.inputs, horizon_weeks=4, backtest_month=None,
                      labor_cost_per_visit_benchmark=-0.001)


def test_compute_names_bad_parameters_by_their_declared_names(
        result: chain.StaffingReport) -> None:
    with pytest.raises(ParameterError, match="plan_start must be a Monday"):
        chain.compute(result.inputs, plan_start="2026-01-06")
    with pytest.raises(ParameterError, match="demand_week must be one of forecast, history"):
        chain.compute(result.inputs, demand_week="typical")
    with pytest.raises(ParameterError, match="phone_staffing"):
        chain.compute(result.inputs, phone_staffing="erlang-c")
    with pytest.raises(ParameterError, match="solver_deterministic_time"):
        chain.compute(result.inputs, solver_deterministic_time=0)


def test_old_names_still_work_with_a_deprecation_warning(result: chain.StaffingReport) -> None:
    import pracops.staffing as package

    with pytest.warns(DeprecationWarning, match="pracops.staffing.model.plan_shifts"):
        assert package.plan_shifts is model.plan_shifts
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
    with pytest.warns(DeprecationWarning, match="chain.load_inputs"):
        assert view.load_inputs is chain.load_inputs
    with pytest.warns(DeprecationWarning, match="run_plan"):
        run_plan = view.run_plan
    # The old names and cents, mapped to the declared ones: the same plan as compute's, and
    # phone_staffing now defaults to the declared "workload" (it was "erlang").
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        old = run_plan(result.inputs, start="2026-01-05", horizon_weeks=4, growth_pct=5.0,
                       service_level_target=0.9, hourly_rate_cents={"nurse": 4125},
                       backtest_month=None)
    new = chain.compute(result.inputs, plan_start="2026-01-05", horizon_weeks=4,
                        visit_growth_pct=5.0, phone_service_level_target=0.9,
                        hourly_rates={"nurse": 41.25}, backtest_month=None)
    assert chain.summary_figures(old) == chain.summary_figures(new)
    assert old.settings["phone_staffing"] == "workload"


def test_the_explorer_recomputes_without_writing_files(result: chain.StaffingReport,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("agg")
    calls = []
    compute = chain.compute

    def counted(*args: object, **kwargs: object) -> chain.StaffingPlan:
        calls.append(kwargs)
        return compute(*args, **kwargs)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(report, "write_handouts", refuse)
    monkeypatch.setattr(chain, "compute", counted)
    params = {k: v for k, v in result.parameters.items() if k not in ("data_dir", "output_dir")}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        box = view.explorer(result.inputs, **{**params, "horizon_weeks": 4})
    label, growth = box.children[0].children[0].children
    assert ">Visit growth (%)</div>" in label.value and growth.value == 0.0
    growth.value = 10.0
    assert "Showing:</b> visits +10 %" in box.children[1].value
    assert len(calls) == 2 and calls[-1]["visit_growth_pct"] == 10.0
    assert calls[-1]["horizon_weeks"] == 4 and calls[-1]["phone_staffing"] == "workload"
