"""pracops.money: exact cents from export text, and back."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pracops.errors import DataError
from pracops.money import format_cents, to_cents, to_cents_series


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$1,234.56", 123456),
        ("(12.00)", -1200),
        ("-0.01", -1),
        ("1234.5", 123450),
        ("  42  ", 4200),
        (" $ 7.10 ".replace(" $ ", "$"), 710),
        ("-$5.25", -525),
        ("$-5.25", -525),
        ("+3", 300),
        ("1,000,000.00", 100000000),
        (".05", 5),
        ("0", 0),
        ("( $1,234.56 )", -123456),
        ("12.", 1200),
    ],
)
def test_to_cents_export_forms(text: str, cents: int) -> None:
    assert to_cents(text) == cents


@pytest.mark.parametrize(
    "text", ["12.3.4", "", "   ", "abc", "1,23", "12,34.00", "--1", "(-1)", ".", "$", "1.234",
             "1e3", "12 34", "(12"],
)
def test_to_cents_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="amount|cents"):
        to_cents(text)


def test_to_cents_numbers() -> None:
    assert to_cents(12) == 1200
    assert to_cents(Decimal("12.34")) == 1234
    assert to_cents(0.1) == 10
    assert to_cents(1234.56) == 123456
    assert to_cents(-0.07) == -7
    for bad in (0.001, float("nan"), float("inf"), Decimal("1.005"), True):
        with pytest.raises(ValueError):
            to_cents(bad)


def test_format_cents() -> None:
    assert format_cents(123456) == "$1,234.56"
    assert format_cents(-5) == "-$0.05"
    assert format_cents(-123456, accounting=True) == "($1,234.56)"
    assert format_cents(0) == "$0.00"
    assert format_cents(np.int64(100000000)) == "$1,000,000.00"
    with pytest.raises(TypeError):
        format_cents(12.5)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip(cents: int) -> None:
    assert to_cents(format_cents(cents)) == cents
    assert to_cents(format_cents(cents, accounting=True)) == cents
    assert to_cents(str(Decimal(cents).scaleb(-2))) == cents


@given(st.lists(st.integers(min_value=-(10**11), max_value=10**11), max_size=200))
def test_series_matches_scalar(values: list[int]) -> None:
    texts = pd.Series([format_cents(v, accounting=i % 2 == 0) for i, v in enumerate(values)],
                      dtype="string")
    got = to_cents_series(texts)
    assert got.dtype == "int64"
    assert got.tolist() == [to_cents(t) for t in texts]
    assert got.tolist() == values


def test_sum_of_a_million_values_is_exact() -> None:
    rng = np.random.default_rng(7)
    cents = rng.integers(-10**9, 10**9, size=1_000_000)
    whole, frac = np.divmod(np.abs(cents), 100)
    sign = np.where(cents < 0, "-", "")
    texts = pd.Series(sign, dtype=object) + whole.astype(str) + "." + pd.Series(frac).map(
        "{:02d}".format)
    parsed = to_cents_series(texts.astype("string"))
    # Independent method: exact decimal arithmetic on the texts.
    expected = sum((Decimal(t) for t in texts), Decimal(0))
    assert Decimal(int(parsed.sum())).scaleb(-2) == expected
    assert int(parsed.sum()) == int(cents.sum())


def test_series_error_names_row_column_and_file() -> None:
    s = pd.Series(["1.00", "2.00", "12.3.4", "x"], dtype="string")
    with pytest.raises(DataError) as info:
        to_cents_series(s, file="deposits.csv", column="amount")
    err = info.value
    assert (err.file, err.row, err.column, err.value) == ("deposits.csv", 4, "amount", "12.3.4")
    assert "1 other row" in str(err)


def test_series_missing_value_is_an_error() -> None:
    with pytest.raises(DataError) as info:
        to_cents_series(pd.Series(["1.00", None], dtype="string"), column="charge")
    assert info.value.row == 3
    assert "missing" in str(info.value)


def test_series_numeric_inputs() -> None:
    assert to_cents_series(pd.Series([1, -2])).tolist() == [100, -200]
    assert to_cents_series(pd.Series([1234.56, 0.1, -0.07])).tolist() == [123456, 10, -7]
    with pytest.raises(DataError):
        to_cents_series(pd.Series([1.005]))


def test_round_half_away_from_zero() -> None:
    from fractions import Fraction

    from pracops.money import round_half_away

    cases = {Fraction(5, 2): 3, Fraction(-5, 2): -3, Fraction(7, 3): 2, Fraction(-7, 3): -2,
             Fraction(8, 3): 3, Fraction(1, 2): 1, Fraction(-1, 2): -1, 0: 0, 41: 41,
             Fraction(123_456_789, 10): 12_345_679}
    for x, expected in cases.items():
        assert round_half_away(x) == expected, x
    assert round_half_away(2.5) == 3 and round_half_away(-0.5) == -1


def test_round_half_away_takes_decimals() -> None:
    from decimal import Decimal

    from pracops.money import round_half_away

    assert [round_half_away(Decimal(t)) for t in ("2.5", "-2.5", "2.4999", "1234.5000")] == \
        [3, -3, 2, 1235]


def test_zeros_beyond_two_decimals_change_nothing() -> None:
    # a 3- or 4-decimal export (or a Parquet decimal(14, 3) column) writes 12.500 for $12.50
    assert [to_cents(t) for t in ("12.500", "(1,234.5000)", ".100", "-0.010")] == [
        1250, -123450, 10, -1]
    assert to_cents_series(pd.Series(["12.500", "3.10000", "7"])).tolist() == [1250, 310, 700]
    for text in ("12.345", "12.3450", "12.5001"):
        with pytest.raises(ValueError):
            to_cents(text)
        with pytest.raises(DataError):
            to_cents_series(pd.Series([text]))


@pytest.mark.parametrize("parts", [
    [Fraction(1, 3)] * 3, [Fraction(201, 2), Fraction(1, 2)], [Fraction(7, 8), Fraction(5, 8)],
    [Fraction(0), Fraction(12345, 7), Fraction(99, 100)], [3, 4], []])
def test_split_rounded_adds_up_to_the_total_rounded_once(parts: list) -> None:
    from pracops.money import round_half_away, split_rounded

    got = split_rounded(parts)
    total = sum(parts, Fraction(0))
    assert sum(got) == round_half_away(total)
    assert all(g - math.floor(p) in (0, 1) for g, p in zip(got, parts, strict=True))


def test_split_rounded_gives_the_missing_cents_to_the_largest_remainders() -> None:
    from pracops.money import split_rounded

    # 1.2 + 2.7 + 3.6 = 7.5 -> 8: floors 1 + 2 + 3 = 6, two cents to the .7 and the .6
    assert split_rounded([Fraction(12, 10), Fraction(27, 10), Fraction(36, 10)]) == [1, 3, 4]
    with pytest.raises(ValueError):
        split_rounded([Fraction(-1, 2)])
