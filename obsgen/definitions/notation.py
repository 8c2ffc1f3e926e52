"""Promtool's expanding notation for input series values, with exact numbers.

promtool reads input series values such as `0+10x20 _x2 stale 5`:

- `a+bxn` and `a-bxn` are the n+1 values a, a±b, ..., and `axn` is a n+1 times;
- `_` is a missing sample and `_xn` is n missing samples;
- `stale` is a staleness marker, after which the series is gone.

promtool adds the step b to a running float64 sum, so `0+0.1x3` ends at
0.30000000000000004, not 0.3. obsgen keeps values as exact fractions, writes
them as exact decimals, and writes the short form only where that float sum
gives the exact values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# A float whose shortest repr has more significant digits than this is float
# noise such as 0.1 * 3 = 0.30000000000000004, not a value someone wrote.
MAX_FLOAT_DIGITS = 15

# The largest integer that a float64 represents exactly.
_MAX_EXACT_INTEGER = 2**53

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_UNSIGNED = r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN_RES = (
    ("missing", re.compile(r"_(?:x(\d+))?")),
    ("stale", re.compile(r"stale")),
    ("steps", re.compile(rf"({_NUMBER})([+-])({_UNSIGNED})x(\d+)")),
    ("repeat", re.compile(rf"({_NUMBER})x(\d+)")),
    ("number", re.compile(rf"({_NUMBER})")),
)

NOTATION_HINT = (
    "write values in promtool's expanding notation, such as '0+10x20', '1x30', "
    "'_', '_x3' or 'stale'"
)


class Stale:
    """The staleness marker `stale`: the series ends at this sample."""

    _instance: Stale | None = None

    def __new__(cls) -> Stale:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "STALE"


STALE = Stale()

# One sample of an input series: a value, a missing sample (None) or STALE.
Point = Fraction | None | Stale
Number = int | float | Fraction | Decimal | str


def to_fraction(value: Number) -> Fraction:
    """Return `value` as an exact fraction.

    Accepts int, Fraction, Decimal, decimal strings such as "0.05", and floats
    whose shortest repr has at most 15 significant digits. Raises ValueError
    for float noise, NaN, infinities and anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the bool {value!r}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        text = repr(value)
        if _significant_digits(text) > MAX_FLOAT_DIGITS:
            raise ValueError(
                f"the float {text} carries float rounding noise; write it as "
                "an int, a Fraction, a Decimal or a string such as '0.05'"
            )
        return Fraction(Decimal(text))
    if isinstance(value, (Decimal, str)):
        try:
            decimal = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
        if not decimal.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(decimal)
    raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")


def _significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("-+").replace(".", "")
    return len(mantissa.strip("0")) or 1


def fraction(value: Number) -> Fraction:
    """Return the exact fraction of the decimal that a number was written as.

    Thresholds in the service configuration are floats; `fraction(0.05)` is
    Fraction(1, 20), so scenario arithmetic on thresholds stays exact.
    """
    return to_fraction(value)


def format_number(value: Fraction) -> str:
    """Format `value` as an exact decimal, such as `0.05` or `268435456`.

    Raises ValueError when the value has no finite decimal form, such as 1/3.
    """
    numerator, denominator = value.numerator, value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(
            f"{value} has no finite decimal form; choose values whose decimals end"
        )
    places = max(twos, fives)
    scaled = numerator * 10**places // value.denominator
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    whole, decimals = digits[:-places], digits[-places:].rstrip("0")
    return sign + whole + ("." + decimals if decimals else "")


def format_sample_value(value: Fraction) -> int | float:
    """Return the YAML number of an expected sample value.

    An exact decimal stays exact. A value without one, such as 1/3, becomes
    the float64 nearest to it, which is what PromQL's division returns.
    """
    if value.denominator == 1 and abs(value) < _MAX_EXACT_INTEGER:
        return int(value)
    return float(value)


def parse_values(text: str) -> tuple[Point, ...]:
    """Expand promtool's notation into one point per interval.

    Raises ValueError for unknown tokens, including promtool's Inf and NaN,
    and for steps whose float64 sum in promtool differs from the exact values.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            f"input series values must be a non-empty string, got {text!r}"
        )
    points: list[Point] = []
    for token in text.split():
        points.extend(_expand_token(token))
    return tuple(points)


def _expand_token(token: str) -> list[Point]:
    for kind, pattern in _TOKEN_RES:
        match = pattern.fullmatch(token)
        if match is None:
            continue
        if kind == "missing":
            return [None] * int(match.group(1) or 1)
        if kind == "stale":
            return [STALE]
        if kind == "number":
            return [Fraction(Decimal(match.group(1)))]
        start = Fraction(Decimal(match.group(1)))
        if kind == "repeat":
            return [start] * (int(match.group(2)) + 1)
        step = Fraction(Decimal(match.group(3)))
        if match.group(2) == "-":
            step = -step
        count = int(match.group(4))
        values = [start + step * index for index in range(count + 1)]
        if not _float_sum_is_exact(start, step, count):
            raise ValueError(
                f"{token!r} is not exact in promtool, which adds the step to a "
                "float64 sum; use integer steps or list the values one by one"
            )
        return list(values)
    raise ValueError(f"invalid token {token!r} in input series values")


def _float_sum_is_exact(start: Fraction, step: Fraction, count: int) -> bool:
    total = float(start)
    if total != start:
        return False
    for index in range(1, count + 1):
        total += float(step)
        if total != start + step * index:
            return False
    return True


def format_values(points: Sequence[Point]) -> str:
    """Write points in promtool's notation, as short as exactness allows."""
    if not points:
        raise ValueError("an input series needs at least one value")
    tokens: list[str] = []
    index = 0
    while index < len(points):
        point = points[index]
        if point is None:
            end = _run_end(points, index, lambda value: value is None)
            count = end - index
            tokens.append("_" if count == 1 else f"_x{count}")
            index = end
        elif point is STALE:
            tokens.append("stale")
            index += 1
        else:
            token, index = _number_run(points, index)
            tokens.append(token)
    return " ".join(tokens)


def _run_end(
    points: Sequence[Point], start: int, predicate: Callable[[Point], bool]
) -> int:
    end = start
    while end < len(points) and predicate(points[end]):
        end += 1
    return end


def _number_run(points: Sequence[Point], start: int) -> tuple[str, int]:
    first = points[start]
    assert isinstance(first, Fraction)
    end = start + 1
    if end < len(points) and isinstance(points[end], Fraction):
        step = points[end] - first
        while (
            end < len(points)
            and isinstance(points[end], Fraction)
            and points[end] == first + step * (end - start)
        ):
            end += 1
        # Shorten the run to the prefix promtool's float sum reproduces.
        while end - start > 1 and not _float_sum_is_exact(first, step, end - start - 1):
            end -= 1
        count = end - start - 1
        # Two values read more easily as they are than as `a+bx1`.
        if count >= 2:
            if step == 0:
                return f"{format_number(first)}x{count}", end
            sign = "+" if step > 0 else "-"
            token = f"{format_number(first)}{sign}{format_number(abs(step))}x{count}"
            return token, end
    return format_number(first), start + 1
