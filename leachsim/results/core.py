"""Named result arrays with SI units and labelled axes, shared by every kind of run."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Variable:
    """One result array: ``dims`` names its axes (labels in ``Results.coords``)."""

    values: np.ndarray
    units: str
    dims: tuple[str, ...]
    description: str


@dataclass
class Results:
    """The outcome of one run: variables, scalar figures, the scenario and provenance.

    ``results["extraction"]`` is the array; ``results.units("extraction")`` its
    SI unit; ``results.select("extraction", element="V")`` picks by label.
    """

    kind: str
    name: str
    coords: dict[str, list[str]]
    variables: dict[str, Variable]
    scalars: dict[str, tuple[float, str]] = field(default_factory=dict)
    config: dict = field(default_factory=dict)  # {"raw": file as read, "resolved": SI values}
    provenance: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.variables[name].values

    def __contains__(self, name: str) -> bool:
        return name in self.variables

    def units(self, name: str) -> str:
        return self.variables[name].units

    def select(self, name: str, **labels: str) -> np.ndarray:
        """Index a variable by axis labels, e.g. ``select("extraction", element="V")``."""
        var = self.variables[name]
        index: list = [slice(None)] * len(var.dims)
        for dim, label in labels.items():
            if dim not in var.dims:
                raise KeyError(f"'{name}' has no axis '{dim}' (axes: {', '.join(var.dims)})")
            names = self.coords[dim]
            if label not in names:
                raise KeyError(f"no {dim} '{label}' (have: {', '.join(names)})")
            index[var.dims.index(dim)] = names.index(label)
        return var.values[tuple(index)]

    def scalar(self, name: str) -> float:
        return self.scalars[name][0]
