"""The sweep file: one HDF5 file, one row per case, written as cases finish, resumable.

Layout::

    /                      attrs: format, name, kind, n_cases, complete (0/1), elapsed_s
    /config                attrs: raw (base scenario, JSON), source, sweep (the [sweep] table)
    /provenance            attrs: versions, platform, created
    /design/numbers        (cases, parameters) float64, each parameter in its own unit;
                           attrs paths, units, categories (JSON)
    /design/values         (cases,) JSON text: what each case wrote at each path (null: base)
    /design/block          (cases,) int32: layout (Sobol A/B/AB_j, one-at-a-time parameter)
    /status                (cases,) int8: 0 pending, 1 done, 2 failed
    /message               (cases,) bytes: the error of a failed case (or a note)
    /outputs               (cases, outputs) float64, NaN where absent; attrs names, units
    /curves/<variable>     (cases, ...) float64; attrs units, dims, coords

Why it survives a kill.  The file is built complete under a temporary name and renamed
into place, so it exists only once it holds the whole design.  Every dataset that changes
later has a fixed shape, no compression and all its chunks allocated and filled when it is
created (``H5D_ALLOC_TIME_EARLY``): recording cases only overwrites bytes already in the
file, never HDF5's metadata (no chunk index, heap or free-space update), so a process killed
at any instant cannot leave the file unreadable.  Each batch of finished cases is one short
transaction: open, write the rows, flush, then set their status, flush, close.  A row whose
status is still 0 (killed between the two flushes) is simply run again on resume; the
status byte is what makes a row count.  The default (earliest) file format has no
"open for writing" flag in its superblock, so a killed writer leaves no flag that would
make the next open fail, and the OS drops the file lock with the process.  Attributes that
change (``complete``, ``elapsed_s``) are overwritten in place (``attrs.modify``).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from ..results import ResultsFileError
from ..results.hdf5 import open_checked

FORMAT = "leachsim-sweep-1"
PENDING, DONE, FAILED = 0, 1, 2
MESSAGE_BYTES = 240
_ROWS_PER_CHUNK_BYTES = 1 << 18


class SweepFileError(ResultsFileError):
    """A file that is not a readable sweep file, or one that does not match the sweep."""


def is_sweep_file(path: str | Path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("format") == FORMAT
    except OSError:
        return False


def _fixed(parent, name: str, shape: tuple, dtype, fill) -> h5py.Dataset:
    """A fixed-shape chunked dataset with every chunk allocated and filled now."""
    if 0 in shape:  # nothing to record (no output names): nothing will ever be written
        return parent.create_dataset(name, shape=shape, dtype=dtype)
    row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * np.dtype(dtype).itemsize or 1
    rows = int(max(1, min(shape[0], _ROWS_PER_CHUNK_BYTES // row_bytes)))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    return parent.create_dataset(name, shape=shape, dtype=dtype, chunks=(rows,) + shape[1:],
                                 fillvalue=fill, dcpl=dcpl)


def _message_bytes(text: str) -> bytes:
    data = text.encode("utf-8")[:MESSAGE_BYTES]
    return data.decode("utf-8", "ignore").encode("utf-8")


def create(path: Path, *, name: str, kind: str, raw: dict, source: str, sweep_table: dict,
           parameters, cases, output_names: list[str], output_units: list[str],
           curves: dict[str, dict], provenance: dict) -> None:
    """Write a new sweep file (all rows pending), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    n = len(cases)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs.update({"format": FORMAT, "name": name, "kind": kind, "n_cases": n,
                            "complete": np.int8(0), "elapsed_s": 0.0})
            cfg = f.create_group("config")
            cfg.attrs.update({"raw": json.dumps(raw), "source": source,
                              "sweep": json.dumps(sweep_table)})
            prov = f.create_group("provenance")
            for k, v in provenance.items():
                prov.attrs[k] = str(v)
            d = f.create_group("design")
            nums = d.create_dataset("numbers", data=np.asarray(cases.numbers, float)
                                    .reshape(n, len(parameters)))
            nums.attrs["paths"] = json.dumps([p.path for p in parameters])
            nums.attrs["units"] = json.dumps([p.unit for p in parameters])
            nums.attrs["categories"] = json.dumps([list(p.values) if p.categorical else None
                                                   for p in parameters])
            d.create_dataset("values", data=np.array([json.dumps(list(v)) for v in cases.values],
                                                     dtype=h5py.string_dtype()))
            d.create_dataset("block", data=np.asarray(cases.block, np.int32))
            _fixed(f, "status", (n,), np.int8, PENDING)
            _fixed(f, "message", (n,), f"S{MESSAGE_BYTES}", b"")
            out = _fixed(f, "outputs", (n, len(output_names)), np.float64, np.nan)
            out.attrs["names"] = json.dumps(output_names)
            out.attrs["units"] = json.dumps(output_units)
            g = f.create_group("curves")
            for cname, meta in curves.items():
                ds = _fixed(g, cname, (n,) + tuple(meta["shape"]), np.float64, np.nan)
                ds.attrs["units"] = meta["units"]
                ds.attrs["dims"] = json.dumps(meta["dims"])
                ds.attrs["coords"] = json.dumps(meta["coords"])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open_for_writing(path: Path, wait_s: float = 10.0) -> h5py.File:
    """Open read-write; waits a little for a reader that holds the file's lock."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return h5py.File(path, "r+")
        except OSError as exc:
            if time.monotonic() > deadline or not path.exists():
                raise SweepFileError(f"{path}: cannot open for writing ({exc}); is another "
                                     f"program holding it open?") from None
            time.sleep(0.2)


def write_rows(path: Path, index, status, messages, outputs, curves: dict) -> None:
    """Record finished cases (rows ``index``): data first, then their status (see above)."""
    order = np.argsort(index)
    idx = np.asarray(index)[order]
    with _open_for_writing(path) as f:
        if outputs.shape[1]:
            f["outputs"][idx, :] = np.asarray(outputs)[order]
        for cname, values in curves.items():
            f["curves"][cname][idx, ...] = np.asarray(values)[order]
        f["message"][idx] = np.array([_message_bytes(messages[k]) for k in order],
                                     dtype=f"S{MESSAGE_BYTES}")
        f.flush()
        f["status"][idx] = np.asarray(status, np.int8)[order]
        f.flush()


def finish(path: Path, elapsed_s: float) -> bool:
    """Mark the file complete when no case is pending; add this run's time.  True if complete."""
    with _open_for_writing(path) as f:
        complete = not np.any(f["status"][()] == PENDING)
        f.attrs.modify("complete", np.int8(complete))
        f.attrs.modify("elapsed_s", float(f.attrs["elapsed_s"]) + elapsed_s)
        f.flush()
    return complete


def read_state(path: str | Path) -> dict:
    """What resuming needs: base scenario, sweep table, design values, status, output names."""
    path = Path(path)
    with open_checked(path, FORMAT, SweepFileError, "sweep") as f:
        return {
            "raw": json.loads(f["config"].attrs["raw"]),
            "source": str(f["config"].attrs["source"]),
            "sweep": json.loads(f["config"].attrs["sweep"]),
            "values": [tuple(json.loads(v)) for v in f["design/values"].asstr()[()]],
            "numbers": f["design/numbers"][()],
            "block": f["design/block"][()],
            "status": f["status"][()],
            "output_names": json.loads(f["outputs"].attrs["names"]),
            "curves": {c: ds.shape[1:] for c, ds in f["curves"].items()},
        }
