"""One declaration per parameter (issue 12): for every report of the registry, the notebook's
``parameters`` cell, ``pracops list``, the runner's checks and ``run(...)`` agree with the
declaration in ``pracops/<report>/parameters.py``."""

from __future__ import annotations

import importlib
import inspect

import pytest

from pracops import cli, config, registry, runner
from pracops.errors import ParameterError
from pracops.parameters import Parameter, Parameters

SPECS = registry.reports()


@pytest.mark.parametrize("name", SPECS)
def test_the_notebook_cell_says_what_the_declaration_says(name: str) -> None:
    declared = SPECS[name].parameters
    in_notebook = runner.notebook_parameters(config.NOTEBOOKS_DIR / f"{name}.ipynb")
    assert list(in_notebook) == list(declared)
    for p in declared.values():
        cell = in_notebook[p.name]
        assert (cell.type_label, cell.default, cell.help) == (p.type_label, p.default, p.help), \
            p.name


@pytest.mark.parametrize("name", SPECS)
def test_run_takes_every_parameter_by_its_name_and_default(name: str) -> None:
    spec = SPECS[name]
    chain = importlib.import_module(f"pracops.{spec.package}.chain")
    signature = inspect.signature(chain.run)
    takes = {n: p.default for n, p in signature.parameters.items()}
    assert takes == spec.parameters.defaults(run_only=True)
    assert list(takes) == [n for n, p in spec.parameters.items() if p.run]


@pytest.mark.parametrize("name", SPECS)
def test_the_runner_checks_against_the_declaration(name: str) -> None:
    report = runner.discover()[name]
    assert report.parameters is SPECS[name].parameters
    for p in SPECS[name].parameters.values():
        if p.minimum is not None:
            with pytest.raises(ParameterError, match=p.name):
                runner.resolve_parameters([report], overrides=[(p.name, str(p.minimum - 1))])
        if p.choices:
            with pytest.raises(ParameterError, match=p.name):
                runner.resolve_parameters([report], overrides=[(p.name, "no-such-choice")])


def test_pracops_list_prints_each_declaration(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for spec in SPECS.values():
        for p in spec.parameters.values():
            assert f"    {p.name}: {p.type_label} = {p.default!r}" in out
            if p.range_text:
                assert p.range_text in out


def test_a_declaration_refuses_a_default_outside_its_range() -> None:
    with pytest.raises(ParameterError, match="rate"):
        Parameter("rate", "float", 1.5, "a share", minimum=0, maximum=1)
    with pytest.raises(ParameterError, match="one of a, b"):
        Parameter("kind", "str", "c", "a kind", choices=("a", "b"))
    with pytest.raises(ValueError, match="twice"):
        Parameters(Parameter("x", "int", 1, "x"), Parameter("x", "int", 2, "x"))


def test_checks_of_type_range_choice_and_date() -> None:
    share = Parameter("share", "float", 0.5, "a share", minimum=0, maximum=1)
    assert share.check(1, "share") == 1.0 and isinstance(share.check(1, "share"), float)
    for bad in (1.01, -0.1, float("nan"), "0.5", True):
        with pytest.raises(ParameterError, match="share"):
            share.check(bad, "share")
    day = Parameter("as_of", "str", "", "report date YYYY-MM-DD; empty for the last one")
    assert day.check("", "as_of") == "" and day.check("2024-02-29", "as_of") == "2024-02-29"
    for bad in ("2023-02-29", "2024-2-1", "1899-12-31"):
        with pytest.raises(ParameterError, match="real date YYYY-MM-DD"):
            day.check(bad, "as_of")
    assert share.range_text == "from 0 to 1"
    assert Parameter("n", "int", 3, "n", minimum=1).range_text == "at least 1"


@pytest.mark.parametrize("name", SPECS)
def test_compute_takes_the_declared_defaults_too(name: str) -> None:
    """``compute(inputs, ...)`` (the chain without I/O, which the explorer calls) defaults each
    declared parameter it takes to the declared value, so an analyst calling it gets the
    numbers the report shows."""
    spec = SPECS[name]
    chain = importlib.import_module(f"pracops.{spec.package}.chain")
    takes = {n: p.default for n, p in inspect.signature(chain.compute).parameters.items()
             if n in spec.parameters and p.default is not inspect.Parameter.empty}
    assert takes, "compute declares no defaults"
    takes = {n: list(v) if isinstance(v, tuple) else v for n, v in takes.items()}  # immutable
    assert takes == {n: spec.parameters[n].default for n in takes}
