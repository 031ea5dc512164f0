"""Unit strings to SI, with a whitelist of units (no external unit library).

A quantity in a scenario file is either a bare number, already in the
parameter's SI unit, or a string ``"<number> <unit>"`` such as ``"150 um"``,
``"60 degC"``, ``"2 mol/L"``, ``"1e-10 m^2/s"`` or ``"45 kJ/mol"``.  Units
multiply by juxtaposition or ``*``; everything after the first ``/`` is in
the denominator (``"J/mol/K"`` and ``"J/(mol K)"`` both mean J mol^-1 K^-1);
``^`` or a trailing integer gives a power (``m^3``, ``m3``, ``s^-1``).

Internally: m, kg, s, mol, K.  Dimensions are exponent tuples over those five.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

Dims = tuple[int, int, int, int, int]  # m, kg, s, mol, K

DIMENSIONLESS: Dims = (0, 0, 0, 0, 0)
LENGTH: Dims = (1, 0, 0, 0, 0)
MASS: Dims = (0, 1, 0, 0, 0)
TIME: Dims = (0, 0, 1, 0, 0)
AMOUNT: Dims = (0, 0, 0, 1, 0)
TEMPERATURE: Dims = (0, 0, 0, 0, 1)
VOLUME: Dims = (3, 0, 0, 0, 0)
AREA: Dims = (2, 0, 0, 0, 0)
DIFFUSIVITY: Dims = (2, 0, -1, 0, 0)
VELOCITY: Dims = (1, 0, -1, 0, 0)
MOLAR_CONCENTRATION: Dims = (-3, 0, 0, 1, 0)
MASS_CONCENTRATION: Dims = (-3, 1, 0, 0, 0)
DENSITY: Dims = MASS_CONCENTRATION
SPECIFIC_VOLUME: Dims = (3, -1, 0, 0, 0)
MOLAR_ENERGY: Dims = (2, 1, -2, -1, 0)
MOLAR_MASS: Dims = (0, 1, 0, -1, 0)
MASS_FLOW: Dims = (0, 1, -1, 0, 0)
VOLUME_FLOW: Dims = (3, 0, -1, 0, 0)
SURFACE_RATE: Dims = (-2, 0, -1, 1, 0)  # mol m^-2 s^-1

_SI_SYMBOLS = ("m", "kg", "s", "mol", "K")

# symbol -> (factor to SI, dims)
_UNITS: dict[str, tuple[float, Dims]] = {
    "m": (1.0, LENGTH), "km": (1e3, LENGTH), "cm": (1e-2, LENGTH), "mm": (1e-3, LENGTH),
    "um": (1e-6, LENGTH), "µm": (1e-6, LENGTH), "μm": (1e-6, LENGTH), "nm": (1e-9, LENGTH),
    "kg": (1.0, MASS), "g": (1e-3, MASS), "mg": (1e-6, MASS), "ug": (1e-9, MASS),
    "µg": (1e-9, MASS), "t": (1e3, MASS), "Mt": (1e9, MASS), "kt": (1e6, MASS),
    "s": (1.0, TIME), "ms": (1e-3, TIME), "min": (60.0, TIME), "h": (3600.0, TIME),
    "d": (86400.0, TIME), "day": (86400.0, TIME), "yr": (365.25 * 86400.0, TIME),
    "L": (1e-3, VOLUME), "l": (1e-3, VOLUME), "mL": (1e-6, VOLUME), "ml": (1e-6, VOLUME),
    "uL": (1e-9, VOLUME), "µL": (1e-9, VOLUME),
    "mol": (1.0, AMOUNT), "mmol": (1e-3, AMOUNT), "umol": (1e-6, AMOUNT),
    "µmol": (1e-6, AMOUNT), "kmol": (1e3, AMOUNT),
    "eq": (1.0, AMOUNT), "meq": (1e-3, AMOUNT),  # equivalents: mol of unit charge
    "M": (1e3, MOLAR_CONCENTRATION), "mM": (1.0, MOLAR_CONCENTRATION),
    "uM": (1e-3, MOLAR_CONCENTRATION), "µM": (1e-3, MOLAR_CONCENTRATION),
    "K": (1.0, TEMPERATURE),
    "J": (1.0, (2, 1, -2, 0, 0)), "kJ": (1e3, (2, 1, -2, 0, 0)),
    "cal": (4.184, (2, 1, -2, 0, 0)), "kcal": (4184.0, (2, 1, -2, 0, 0)),
    "Pa": (1.0, (-1, 1, -2, 0, 0)), "kPa": (1e3, (-1, 1, -2, 0, 0)),
    "bar": (1e5, (-1, 1, -2, 0, 0)), "atm": (101325.0, (-1, 1, -2, 0, 0)),
    "%": (1e-2, DIMENSIONLESS), "wt%": (1e-2, DIMENSIONLESS),
}
_AFFINE = {"degC": 273.15, "°C": 273.15}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")
_FACTOR = re.compile(r"^([^\d^\-+]+?)(?:\^?([-+]?\d+))?$")


class UnitError(ValueError):
    """A unit string that cannot be read or has the wrong dimension."""


@dataclass(frozen=True)
class Unit:
    factor: float
    dims: Dims
    offset: float = 0.0


def _combine(a: Dims, b: Dims, power: int) -> Dims:
    return tuple(x + power * y for x, y in zip(a, b))  # type: ignore[return-value]


def parse_unit(text: str) -> Unit:
    """Read a unit expression (``"mol/m^2/s"``, ``"kJ/mol"``, ``"degC"``) into a Unit."""
    text = text.strip()
    if text in _AFFINE:
        return Unit(1.0, TEMPERATURE, _AFFINE[text])
    if not text:
        return Unit(1.0, DIMENSIONLESS)
    factor = 1.0
    dims = DIMENSIONLESS
    sign = 1
    for token in re.findall(r"/|[^\s*/()]+", text.replace("(", " ").replace(")", " ")):
        if token == "/":
            sign = -1
            continue
        if token == "1":  # "1/s"
            continue
        m = _FACTOR.match(token)
        if not m or m.group(1) not in _UNITS:
            symbol = m.group(1) if m else token
            if symbol in _AFFINE:
                raise UnitError(f"'{symbol}' can only stand alone (e.g. '60 degC')")
            raise UnitError(f"unknown unit '{symbol}' in '{text}'")
        f, d = _UNITS[m.group(1)]
        power = sign * int(m.group(2) or 1)
        factor *= f ** power
        dims = _combine(dims, d, power)
    return Unit(factor, dims)


def describe(dims: Dims) -> str:
    """SI unit string for a dimension tuple, e.g. (2, 0, -1, 0, 0) -> 'm^2/s'."""
    num = []
    den = []
    for sym, p in zip(_SI_SYMBOLS, dims):
        if p > 0:
            num.append(sym if p == 1 else f"{sym}^{p:.4g}")
        elif p < 0:
            den.append(sym if p == -1 else f"{sym}^{-p:.4g}")
    out = " ".join(num) or "1"
    if den:
        out += "/" + "/".join(den)
    return out if out != "1" else "dimensionless"


def to_si(value: object, dims: Dims) -> float:
    """Convert a bare number (taken as SI) or a ``"<number> <unit>"`` string to SI.

    Raises UnitError with a readable reason when the string cannot be read or
    its dimension is not ``dims``.
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a number or a '<number> <unit>' string, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a number or a '<number> <unit>' string, got {value!r}")
    m = _QUANTITY.match(value)
    if not m:
        raise UnitError(f"cannot read {value!r} as '<number> <unit>'")
    unit = parse_unit(m.group(2))
    if unit.dims != dims:
        raise UnitError(f"'{m.group(2) or '(no unit)'}' is {describe(unit.dims)}, "
                        f"expected {describe(dims)}")
    return float(m.group(1)) * unit.factor + unit.offset


def split_quantity(value: str) -> tuple[float, Unit]:
    """Split ``"<number> <unit>"`` into the number and its Unit (no conversion)."""
    m = _QUANTITY.match(value)
    if not m:
        raise UnitError(f"cannot read {value!r} as '<number> <unit>'")
    return float(m.group(1)), parse_unit(m.group(2))


def split_text(value: str) -> tuple[float, str]:
    """Split ``"<number> <unit>"`` into the number and the unit as written (not checked)."""
    m = _QUANTITY.match(value)
    if not m:
        raise UnitError(f"cannot read {value!r} as '<number> <unit>'")
    return float(m.group(1)), m.group(2)
