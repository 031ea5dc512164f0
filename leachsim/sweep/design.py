"""Designs of a sweep: which value every swept parameter takes in every case.

A ``Parameter`` is a dotted scenario path with either an explicit list of values (as they
would be written in the scenario file: numbers, ``"60 degC"``, ``"langmuir"``...) or a
range ``low..high`` in one unit, sampled on a linear or a log scale.  A ``Design`` combines
the parameters into cases:

- ``grid``: every combination of the parameters' levels (a range gives ``points`` levels);
- ``zip``: the levels taken in lockstep (all lists of equal length);
- ``lhs``: Latin hypercube of ``samples`` points (scipy.stats.qmc, seeded);
- ``sobol``: scrambled Sobol points (seeded; ``samples`` a power of 2); with
  ``indices = true`` the Saltelli layout A, B, AB_1..AB_d (``samples * (d + 2)`` cases) from
  which ``sobol_indices`` estimates first-order and total indices;
- ``oat``: one at a time: the base case, then each parameter through its levels with the
  others at the scenario's value (for sensitivity bars).

Values go into the scenario as text with their unit (``"63.2 degC"``) and are converted to
SI by the scenario reader, exactly as if written in the file; the design table keeps the
number in the unit the sweep was given in (``Parameter.unit``), which is what plots show.
A list whose values are not numbers in one unit (model names, mixed units) is
categorical: its number is the position in the list.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import units

DESIGNS = ("grid", "zip", "lhs", "sobol", "oat")
SCALES = ("linear", "log")
BASE = None  # a case's value for a parameter it leaves at the scenario's value (oat)


@dataclass(frozen=True)
class Parameter:
    """One swept value: ``values`` (explicit list) or ``low``/``high`` in ``unit``."""

    path: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""  # unit text of the range or of a numeric list ('' = bare SI number)
    scale: str = "linear"
    points: int | None = None  # levels of a range in grid / zip / oat designs
    integer: bool = False  # a range of integers (cells, tanks): values are rounded

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def categorical(self) -> bool:
        return not self.is_range and numeric_values(self.values) is None

    def text(self, x: float):
        """The scenario value for the number ``x`` in this parameter's unit."""
        if self.integer:
            return int(x)
        return float(x) if not self.unit else f"{float(x)!r} {self.unit}"

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) onto the range (linear or log) or onto list positions."""
        if not self.is_range:
            pos = np.minimum(np.floor(u * len(self.values)), len(self.values) - 1)
            return self.levels()[pos.astype(int)]
        if self.scale == "log":
            lo, hi = math.log(self.low), math.log(self.high)
            x = np.exp(lo + u * (hi - lo))
        else:
            x = self.low + u * (self.high - self.low)
        return np.round(x) if self.integer else x

    def levels(self) -> np.ndarray:
        """Numbers of the grid levels: list values (positions if categorical) or range points."""
        if not self.is_range:
            nums = numeric_values(self.values)
            return np.arange(len(self.values), dtype=float) if nums is None else nums[0]
        n = self.points or 2
        x = (np.geomspace if self.scale == "log" else np.linspace)(self.low, self.high, n)
        return np.round(x) if self.integer else x

    def value_of(self, x: float):
        """The scenario value for a level number (list entry for a list parameter)."""
        if self.is_range:
            return self.text(x)
        return self.values[int(x)] if self.categorical else self.values[
            int(np.flatnonzero(self.levels() == x)[0])]

    def number(self, value) -> float:
        """A scenario value as a number in this parameter's unit (nan if not convertible)."""
        if self.categorical:
            return float(self.values.index(value)) if value in self.values else math.nan
        return number_in(value, self.unit)


def numeric_values(values) -> tuple[np.ndarray, str] | None:
    """(numbers, unit) if every value is a number or a quantity string in one unit."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array(values, float), ""
    if not all(isinstance(v, str) for v in values):
        return None
    nums, unit_texts = [], set()
    for v in values:
        try:  # the unit is the scenario reader's to check ('10 BV/h' is not a unit string)
            x, unit = units.split_text(v)
        except units.UnitError:
            return None
        nums.append(x)
        unit_texts.add(unit)
    return (np.array(nums), unit_texts.pop()) if len(unit_texts) == 1 else None


def number_in(value, unit: str) -> float:
    """A scenario value (bare SI number or quantity string) as a number in ``unit``."""
    try:
        if isinstance(value, bool):
            return math.nan
        target = units.parse_unit(unit)
        if isinstance(value, (int, float)):
            x_si = float(value)  # bare numbers are SI
        else:
            x, u = units.split_quantity(value)
            if u.dims != target.dims:
                return math.nan
            x_si = x * u.factor + u.offset
        return (x_si - target.offset) / target.factor
    except (units.UnitError, TypeError):
        return math.nan


@dataclass(frozen=True)
class Cases:
    """The cases of a design: ``values[i][j]`` is what case i writes at parameter j's path
    (``BASE``: the scenario's own value), ``numbers`` the same as numbers in each
    parameter's unit, ``block`` the layout (sobol indices: 0 = A, 1 = B, 2 + j = AB_j;
    oat: -1 base, j = parameter j varied; otherwise 0)."""

    values: list[tuple]
    numbers: np.ndarray
    block: np.ndarray

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Design:
    kind: str
    parameters: tuple[Parameter, ...]
    samples: int | None = None
    seed: int = 0
    indices: bool = False  # sobol: Saltelli layout for Sobol indices

    def cases(self, base_values: tuple = ()) -> Cases:
        """Generate the cases; ``base_values`` (oat only) are the scenario's own values."""
        d = len(self.parameters)
        block = None
        if self.kind == "grid":
            levels = [p.levels() for p in self.parameters]
            nums = np.array(list(itertools.product(*levels)), float).reshape(-1, d)
        elif self.kind == "zip":
            nums = np.column_stack([p.levels() for p in self.parameters])
        elif self.kind == "oat":
            return self._oat(base_values)
        else:
            u, block = self._unit_points()
            nums = np.column_stack([p.from_unit(u[:, j]) for j, p in enumerate(self.parameters)])
        values = [tuple(p.value_of(x) for p, x in zip(self.parameters, row)) for row in nums]
        if block is None:
            block = np.zeros(len(values), np.int32)
        return Cases(values, nums, block)

    def _unit_points(self) -> tuple[np.ndarray, np.ndarray | None]:
        from scipy.stats import qmc

        d, n = len(self.parameters), self.samples
        if self.kind == "lhs":
            return _qmc(qmc.LatinHypercube, d, self.seed).random(n), None
        if not self.indices:
            return _qmc(qmc.Sobol, d, self.seed).random_base2(int(math.log2(n))), None
        ab = _qmc(qmc.Sobol, 2 * d, self.seed).random_base2(int(math.log2(n)))
        A, B = ab[:, :d], ab[:, d:]
        blocks = [A, B]
        for j in range(d):
            ABj = A.copy()
            ABj[:, j] = B[:, j]
            blocks.append(ABj)
        layout = np.repeat(np.arange(d + 2, dtype=np.int32), n)
        return np.vstack(blocks), layout

    def _oat(self, base_values: tuple) -> Cases:
        ps = self.parameters
        base_nums = [p.number(v) for p, v in zip(ps, base_values)]
        values: list[tuple] = [(BASE,) * len(ps)]
        nums = [base_nums]
        block = [-1]
        for j, p in enumerate(ps):
            for x in p.levels():
                row = [BASE] * len(ps)
                row[j] = p.value_of(x)
                values.append(tuple(row))
                nums.append(base_nums[:j] + [float(x)] + base_nums[j + 1:])
                block.append(j)
        return Cases(values, np.array(nums, float), np.array(block, np.int32))


def _qmc(engine, d: int, seed: int):
    """A seeded scipy.stats.qmc engine (``rng=`` since scipy 1.15, ``seed=`` before)."""
    try:
        return engine(d, rng=np.random.default_rng(seed))
    except TypeError:
        return engine(d, seed=np.random.default_rng(seed))
