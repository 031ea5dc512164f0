"""One HDF5 file per run: scenario, provenance and results, with SI ``units`` attributes.

Layout::

    /                   attrs: format, kind, name
    /config             attrs: raw (the scenario file as JSON), resolved (validated SI values, JSON)
    /provenance         attrs: leachsim, numba, numpy, scipy, h5py, python, platform, created
    /coords/<axis>      UTF-8 labels of an axis (element, reagent, phase, ...)
    /data/<variable>    array; attrs units, dims, description
    /scalars            attrs <name> = value, <name>.units = unit

Writing goes to a temporary file beside the target, renamed into place only
when complete; on any error or interrupt the temporary file is removed, so
a results file is either complete or absent.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np

from .core import Results, Variable

FORMAT = "leachsim-results-1"


class ResultsFileError(ValueError):
    """A file that is not a readable leachsim results file."""


def save(results: Results, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["kind"] = results.kind
            f.attrs["name"] = results.name
            cfg = f.create_group("config")
            cfg.attrs["raw"] = json.dumps(results.config.get("raw", {}))
            cfg.attrs["resolved"] = json.dumps(results.config.get("resolved", {}))
            prov = f.create_group("provenance")
            for k, v in results.provenance.items():
                prov.attrs[k] = str(v)
            coords = f.create_group("coords")
            for k, labels in results.coords.items():
                coords.create_dataset(k, data=np.array(labels, dtype=h5py.string_dtype()))
            data = f.create_group("data")
            for k, var in results.variables.items():
                ds = data.create_dataset(k, data=var.values,
                                         compression="gzip" if var.values.size > 4096 else None)
                ds.attrs["units"] = var.units
                ds.attrs["dims"] = json.dumps(list(var.dims))
                ds.attrs["description"] = var.description
            sc = f.create_group("scalars")
            for k, (value, unit) in results.scalars.items():
                sc.attrs[k] = value
                sc.attrs[f"{k}.units"] = unit
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def open_checked(path: Path, fmt: str, error, what: str) -> h5py.File:
    """Open ``path`` read-only and check its ``format`` attribute is ``fmt``; a file that
    cannot be opened or is of another kind raises ``error`` naming the path."""
    try:
        f = h5py.File(path, "r")
    except (OSError, FileNotFoundError) as exc:
        raise error(f"{path}: cannot open as HDF5 ({exc})") from None
    if f.attrs.get("format") != fmt:
        found = f.attrs.get("format")
        f.close()
        raise error(f"{path}: not a leachsim {what} file (format {found!r}, expected {fmt!r})")
    return f


def load(path: str | Path) -> Results:
    path = Path(path)
    with open_checked(path, FORMAT, ResultsFileError, "results") as f:
        coords = {k: [s.decode() if isinstance(s, bytes) else str(s) for s in ds[()]]
                  for k, ds in f["coords"].items()}
        variables = {k: Variable(ds[()], ds.attrs["units"], tuple(json.loads(ds.attrs["dims"])),
                                 ds.attrs["description"]) for k, ds in f["data"].items()}
        sc = f["scalars"].attrs
        scalars = {k: (float(sc[k]) if np.ndim(sc[k]) == 0 else sc[k], str(sc[f"{k}.units"]))
                   for k in sc if not k.endswith(".units")}
        config = {"raw": json.loads(f["config"].attrs["raw"]),
                  "resolved": json.loads(f["config"].attrs["resolved"])}
        provenance = {k: str(v) for k, v in f["provenance"].attrs.items()}
        return Results(str(f.attrs["kind"]), str(f.attrs["name"]), coords, variables, scalars,
                       config, provenance)
