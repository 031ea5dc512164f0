"""Reading a sweep file: the case table (parameters, status, outputs), curves, CSV, pandas."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from . import store

STATUS_NAMES = {store.PENDING: "pending", store.DONE: "done", store.FAILED: "failed"}


@dataclass(frozen=True)
class Curve:
    """One recorded variable of every case: ``values[case, ...]`` with ``dims`` after the
    case axis and the labels of those axes in ``coords``."""

    values: np.ndarray
    units: str
    dims: tuple[str, ...]
    coords: dict[str, list[str]]


@dataclass(frozen=True)
class SweepData:
    """Everything in a sweep file, as arrays (one row per case)."""

    path: Path
    name: str
    kind: str
    design: str
    complete: bool
    parameters: tuple[str, ...]  # dotted paths
    parameter_units: tuple[str, ...]
    categories: tuple[list | None, ...]  # list values of a categorical parameter
    numbers: np.ndarray  # (cases, parameters), each in its own unit
    values: list[tuple]  # what each case wrote at each path (None: the base value)
    block: np.ndarray
    status: np.ndarray
    messages: list[str]
    output_names: tuple[str, ...]
    output_units: tuple[str, ...]
    outputs: np.ndarray  # (cases, outputs), SI, NaN where absent
    curves: dict[str, Curve] = field(default_factory=dict)
    sweep: dict = field(default_factory=dict)  # the [sweep] table
    elapsed_s: float = 0.0

    def __len__(self) -> int:
        return len(self.status)

    @property
    def ok(self) -> np.ndarray:
        return self.status == store.DONE

    def parameter(self, path: str) -> np.ndarray:
        return self.numbers[:, _find(path, self.parameters, "parameter")]

    def output(self, name: str) -> np.ndarray:
        return self.outputs[:, _find(name, self.output_names, "output")]

    def output_unit(self, name: str) -> str:
        return self.output_units[_find(name, self.output_names, "output")]

    def label(self, name: str) -> str:
        """Axis label of a parameter or an output: 'name (unit)'."""
        if name in self.parameters:
            j = self.parameters.index(name)
            unit = self.parameter_units[j] or ("-" if self.categories[j] is None else "")
        else:
            unit = self.output_unit(name)
        unit = "-" if unit == "1" else unit
        return f"{name} ({unit})" if unit else name

    def columns(self) -> dict[str, np.ndarray | list]:
        """The case table as named columns: case, status, message, parameters, outputs."""
        cols: dict = {"case": np.arange(len(self)),
                      "status": [STATUS_NAMES[int(s)] for s in self.status],
                      "message": list(self.messages)}
        for j, p in enumerate(self.parameters):
            if self.categories[j] is not None:
                cols[p] = [None if np.isnan(x) else self.categories[j][int(x)]
                           for x in self.numbers[:, j]]
            else:
                cols[p] = self.numbers[:, j]
        for k, name in enumerate(self.output_names):
            cols[name] = self.outputs[:, k]
        return cols

    def to_csv(self, path: str | Path) -> Path:
        """Write the case table as CSV (header: names with units; numbers with 17 digits)."""
        path = Path(path)
        cols = self.columns()
        header = ["case", "status", "message"] + [self.label(p) for p in self.parameters] + [
            self.label(n) for n in self.output_names]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for i in range(len(self)):
                w.writerow([_cell(cols[c][i]) for c in cols])
        return path

    def to_dataframe(self):
        """The case table as a pandas DataFrame (pandas is optional)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install pandas") from None
        df = pd.DataFrame(self.columns()).set_index("case")
        df.attrs["units"] = {**dict(zip(self.parameters, self.parameter_units)),
                             **dict(zip(self.output_names, self.output_units))}
        return df


def _find(name: str, names, what: str) -> int:
    if name not in names:
        from ..config.reader import suggest

        raise KeyError(f"no {what} '{name}'{suggest(name, names)}")
    return list(names).index(name)


def _cell(x):
    if isinstance(x, (float, np.floating)):
        return "" if np.isnan(x) else repr(float(x))
    if isinstance(x, (int, np.integer)):
        return int(x)
    return "" if x is None else x


def read_sweep(path: str | Path) -> SweepData:
    """Load a sweep file (complete or not) into memory."""
    path = Path(path)
    store.read_state(path)  # checks it is a sweep file, with a clear error if not
    with h5py.File(path, "r") as f:
        nums = f["design/numbers"]
        out = f["outputs"]
        curves = {c: Curve(ds[()], str(ds.attrs["units"]), tuple(json.loads(ds.attrs["dims"])),
                           json.loads(ds.attrs["coords"])) for c, ds in f["curves"].items()}
        return SweepData(
            path=path, name=str(f.attrs["name"]), kind=str(f.attrs["kind"]),
            design=json.loads(f["config"].attrs["sweep"]).get("design", "grid"),
            complete=bool(f.attrs["complete"]),
            parameters=tuple(json.loads(nums.attrs["paths"])),
            parameter_units=tuple(json.loads(nums.attrs["units"])),
            categories=tuple(json.loads(nums.attrs["categories"])),
            numbers=nums[()], values=[tuple(json.loads(v)) for v in f["design/values"].asstr()[()]],
            block=f["design/block"][()], status=f["status"][()],
            messages=[m.decode("utf-8", "replace") for m in f["message"][()]],
            output_names=tuple(json.loads(out.attrs["names"])),
            output_units=tuple(json.loads(out.attrs["units"])), outputs=out[()],
            curves=curves, sweep=json.loads(f["config"].attrs["sweep"]),
            elapsed_s=float(f.attrs["elapsed_s"]))
