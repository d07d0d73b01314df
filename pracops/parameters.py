"""Report parameters: each declared once, with its name, type, default, help and range.

A report declares its parameters in ``pracops/<report>/parameters.py`` as a
:class:`Parameters`. That one declaration is what the notebook's ``parameters`` cell must
say (a test reads the cell and compares each name, type, default and help), what
``pracops list`` prints, what the runner checks every value against before a kernel starts,
and what the report's ``run(...)`` takes, name for name and default for default (a test
compares the signature). The name a user types is the name in the code.

Date parameters: a ``str`` or ``list`` parameter whose help names the form ``YYYY-MM-DD``
(``as_of``: "report date YYYY-MM-DD; empty for ...") holds dates, a list one date per item;
one naming ``YYYY-MM`` holds months. A value must be a real date (month) in that form between
1900-01-01 and 2100-12-31, or the empty text when the declared default is empty ("from the
data"). Values are checked by :meth:`Parameter.check`, which raises a one-line
:class:`~pracops.errors.ParameterError` naming the parameter, the value and what is expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from pracops import config
from pracops.errors import ParameterError

__all__ = ["ALLOWED_TYPES", "DATE_FORMS", "Parameter", "Parameters", "YamlLoader", "closest"]

ALLOWED_TYPES = ("str", "int", "float", "bool", "list", "dict")
#: Forms of date parameters (see :attr:`Parameter.date_form`) and the strptime pattern of each.
DATE_FORMS = {"YYYY-MM-DD": "%Y-%m-%d", "YYYY-MM": "%Y-%m"}

_HINTS = {"bool": "true or false", "int": "a whole number", "float": "a number", "str": "text",
          "list": "a list such as [a, b]", "dict": "a mapping such as {a: 1}"}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a report.

    Parameters
    ----------
    name
        The name in the notebook, in YAML files, on the command line and in ``run(...)``.
    type
        ``str``, ``int``, ``float``, ``bool``, ``list`` or ``dict``.
    default
        The value when nobody sets one; it must pass :meth:`check`.
    help
        What it means, in the words ``pracops list`` and the notebook's comment show.
    optional
        ``None`` is allowed too (the annotation reads ``type | None``).
    minimum, maximum
        Inclusive bounds of a number (``int`` or ``float``).
    choices
        The values a ``str`` may take.
    run
        ``False`` for a parameter of the notebook only (``interactive``: whether to show the
        widgets), which ``run(...)`` does not take.
    rule
        A check of the value beyond its type (a list's items, their order): called with the
        typed value, it returns ``None`` when the value is good, else what is expected in
        words with an example ("whole days rising from 0, such as [0, 3, 8]"), which
        :meth:`check` puts in its one-line error.
    """

    name: str
    type: str
    default: Any
    help: str
    optional: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    run: bool = True
    rule: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if self.type not in ALLOWED_TYPES:
            raise ValueError(f"parameter {self.name!r}: type {self.type!r} is not one of "
                             f"{ALLOWED_TYPES}")
        object.__setattr__(self, "choices", tuple(self.choices))
        self.check(self.default, f"the default of {self.name!r}")

    @property
    def type_label(self) -> str:
        """The annotation as written: ``int``, ``str | None`` …"""
        return f"{self.type} | None" if self.optional else self.type

    @property
    def date_form(self) -> str | None:
        """``YYYY-MM-DD`` or ``YYYY-MM`` when the parameter holds dates (or months), else None:
        a ``str`` or ``list`` parameter whose help names the form holds dates in that form."""
        if self.type not in ("str", "list"):
            return None
        for form in DATE_FORMS:
            if re.search(rf"(?<![\w-]){form}(?![\w-])", self.help):
                return form
        return None

    @property
    def range_text(self) -> str:
        """The allowed values in words (empty when any value of the type goes)."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.minimum is not None and self.maximum is not None:
            return f"from {_num(self.minimum)} to {_num(self.maximum)}"
        if self.minimum is not None:
            return f"at least {_num(self.minimum)}"
        if self.maximum is not None:
            return f"at most {_num(self.maximum)}"
        return ""

    def check(self, value: Any, where: str) -> Any:
        """Return ``value`` converted to the parameter's type (an ``int`` for a ``float``
        becomes a ``float``) after checking its type, range, choices, :attr:`rule` and date
        form.

        Raises
        ------
        ParameterError
            One line naming ``where``, the value and what is expected.
        """
        value = self._typed(value, where)
        if value is None:
            return None
        if self.type in ("int", "float"):
            if isinstance(value, float) and not math.isfinite(value):
                raise ParameterError(f"{where} must be a finite number, got {value!r}")
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise ParameterError(f"{where} must be {self.range_text}, got {value!r}")
        if self.choices and value not in self.choices:
            raise ParameterError(f"{where} must be {self.range_text}, got {value!r}"
                                 f"{closest(str(value), self.choices)}")
        expected = self.rule(value) if self.rule is not None else None
        if expected is not None:
            raise ParameterError(f"{where} must be {expected}, got {value!r}")
        form = self.date_form
        if form is not None:
            if self.type == "str":
                if not (value == "" and self.default == ""):  # empty means "from the data"
                    _check_date(form, value, where)              # when the default says so
            else:
                for i, item in enumerate(value):
                    _check_date(form, item, f"{where}, item {i + 1}")
        return value

    def _typed(self, value: Any, where: str) -> Any:
        if value is None and self.optional:
            return None
        if self.type == "bool":
            ok = isinstance(value, bool)
        elif self.type == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.type == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = float(value) if ok else value
        elif self.type == "str":
            ok = isinstance(value, str)
        elif self.type == "list":
            ok = isinstance(value, list)
        else:
            ok = isinstance(value, dict)
        if not ok:
            raise ParameterError(f"{where} must be {self.type_label} ({_HINTS[self.type]}), "
                                 f"got {value!r}")
        return value

    def parse(self, raw: str) -> Any:
        """The value a command-line text stands for (``-p NAME TEXT``), before :meth:`check`:
        text for a ``str``, YAML for the other types, ``None`` for an empty or ``none``."""
        if self.optional and raw.strip().lower() in ("", "none", "null", "~"):
            return None
        if self.type == "str":
            return raw
        try:
            return yaml.load(raw, Loader=YamlLoader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            return raw



class Parameters(Mapping[str, Parameter]):
    """A report's parameters, in the order its notebook declares them."""

    def __init__(self, *parameters: Parameter) -> None:
        self._by_name: dict[str, Parameter] = {}
        for p in parameters:
            if p.name in self._by_name:
                raise ValueError(f"parameter {p.name!r} declared twice")
            self._by_name[p.name] = p

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def defaults(self, *, run_only: bool = False) -> dict[str, Any]:
        """Name → default (with ``run_only``, only those ``run(...)`` takes)."""
        return {n: p.default for n, p in self._by_name.items() if p.run or not run_only}


class YamlLoader(yaml.SafeLoader):
    """YAML's safe loader, except that ``2024-01-31`` stays the text it is: dates are checked
    by :meth:`Parameter.check` (a parameter names its form), and YAML's own reading of a date
    that does not exist (``2024-02-30``) is a ValueError naming neither the parameter nor the
    fix."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def closest(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the choice closest to ``name``, or ``""``."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {match[0]!r}?" if match else ""


def _num(x: float) -> str:
    return f"{x:g}"


def _check_date(form: str, value: Any, where: str) -> None:
    pattern = DATE_FORMS[form]
    first, last = config.FIRST_DATE.strftime(pattern), config.LAST_DATE.strftime(pattern)
    digits = form.replace("YYYY", r"\d{4}").replace("MM", r"\d{2}").replace("DD", r"\d{2}")
    ok = isinstance(value, str) and re.fullmatch(digits, value) is not None
    if ok:
        try:
            day = dt.datetime.strptime(value, pattern).date()
        except ValueError:
            ok = False
        else:
            ok = config.FIRST_DATE <= day <= config.LAST_DATE
    if not ok:
        kind = "date" if form == "YYYY-MM-DD" else "month"
        raise ParameterError(f"{where} must be a real {kind} {form} between {first} and "
                             f"{last}, got {value!r}")
