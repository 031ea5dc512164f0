"""Run the cases of a sweep: in this process, on a pool of local processes, or on Dask.

The unit of work is a chunk of cases, ``evaluate_chunk``: it builds each case's scenario
(base table + the case's values, validated again), runs all leaching cases of the chunk
through ``run_leach_many`` and all column cases through ``run_columns`` (each group of
equal structure is one call of the batched compiled kernel, a ``prange`` over the
single-run kernel), and any other kind of scenario one by one with ``leachsim.run``.  A
case that cannot be built (an invalid combination) or whose run fails is recorded as
failed with its error: a batch that raises is split in halves and retried until the
failing cases are alone, so one failure costs about two runs of the batch, not the sweep.

Why a pool of processes by default, and not one process with the parallel kernel: building
and validating a case's scenario and labelling its results is Python, and for a leach case it
is most of the time (the compiled kernel is about an eighth of a BOF-slag case end to end), so
one process with ``prange`` leaves the other cores idle most of the time (about half of the
ideal rate on two cores).  The pool runs the Python part in parallel too, and each worker
still runs its chunk through the batched kernel (with one numba thread).

Executors (all run the same ``evaluate_chunk``, so they give the same numbers):

- ``workers=1``: in this process, the batched kernels using every numba thread;
- ``workers=N`` (default: all cores): a pool of N spawned processes, one numba thread each,
  so that building and labelling the cases (Python) runs in parallel too;
- ``scheduler="tcp://host:port"`` or a ``distributed.Client``: the chunks as Dask tasks
  (Dask is optional: ``pip install "leachsim[dask]"``);
- ``scheduler=LocalPool(N)``: a pool kept open across sweeps (no start-up per sweep).

Finished chunks stream into the sweep file (``store``); Ctrl-C stops the run with the
finished cases recorded, and ``resume_sweep`` runs the rest.
"""
from __future__ import annotations

import collections
import copy
import json
import math
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.errors import ConfigError, Issue
from ..config.scenario import scenario_from_raw, set_path
from ..results.provenance import provenance
from . import store
from .design import BASE, Cases
from .progress import Progress
from .sweep import Sweep, sweep_from_state


# --------------------------------------------------------------------------- one chunk
def _batch_runner(scenario):
    """The batched entry point for a scenario's kind, or None (run one by one)."""
    from ..config.column import ColumnScenario
    from ..config.scenario import Scenario

    if isinstance(scenario, Scenario):
        from ..leaching import run_leach_many

        return run_leach_many
    if isinstance(scenario, ColumnScenario):
        from ..column import run_columns

        return run_columns
    return None


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ConfigError):
        return "invalid scenario: " + "; ".join(str(i) for i in exc.issues)
    if isinstance(exc, KeyError):
        return f"invalid scenario: {exc.args[0]}"
    return f"{type(exc).__name__}: {exc}"


def _run_isolating(run_many, items: list, out: dict) -> None:
    """Run ``items`` [(k, scenario)] as one batch; on an exception split it in halves until
    each failing case stands alone.  ``out[k]`` gets a Results or the error text."""
    try:
        results = run_many([s for _, s in items])
    except Exception as exc:  # any failure of a case: solver, numerics, a bug in a model
        if len(items) == 1:
            out[items[0][0]] = _error_text(exc)
            return
        half = len(items) // 2
        _run_isolating(run_many, items[:half], out)
        _run_isolating(run_many, items[half:], out)
        return
    for (k, _), res in zip(items, results):
        out[k] = res


def evaluate_chunk(raw: dict, source: str, paths: tuple[str, ...], cases: list[tuple],
                   record: tuple[str, ...] | None, curves: tuple[str, ...],
                   threads: int | None = None) -> dict:
    """Run ``cases`` [(index, values)] of a sweep.  Returns plain data: per case its status,
    message, recorded scalars and curves, plus ``meta`` (names, units and shapes) taken from
    the first case that ran."""
    if threads is not None:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    from .. import run

    outcome: dict[int, object] = {}
    batches: dict[object, list] = collections.defaultdict(list)
    for k, values in cases:
        case_raw = copy.deepcopy(raw)
        try:
            for path, value in zip(paths, values):
                if value is not BASE:
                    set_path(case_raw, path, value)
            scenario = scenario_from_raw(case_raw, source)
        except (ConfigError, KeyError) as exc:
            outcome[k] = _error_text(exc)
            continue
        batches[_batch_runner(scenario)].append((k, scenario))
    for run_many, items in batches.items():
        if run_many is None:
            for item in items:
                _run_isolating(lambda scs: [run(s) for s in scs], [item], outcome)
        else:
            _run_isolating(run_many, items, outcome)

    result = {"index": [], "status": [], "message": [], "scalars": [], "curves": [],
              "meta": None}
    for k, _ in cases:
        res = outcome[k]
        if not isinstance(res, str):
            try:
                scalars, arrays = _recorded(res, record, curves)
                if result["meta"] is None:
                    result["meta"] = _meta(res, curves)
            except Exception as exc:  # a result that cannot be recorded fails its case only
                res = f"cannot record the results: {_error_text(exc)}"
        result["index"].append(k)
        failed = isinstance(res, str)
        result["status"].append(store.FAILED if failed else store.DONE)
        result["message"].append(res if failed else "")
        result["scalars"].append({} if failed else scalars)
        result["curves"].append({} if failed else arrays)
    return result


def _recorded(res, record, curves) -> tuple[dict, dict]:
    """The scalars (all, or those in ``record``) and the curves of one Results."""
    names = res.scalars if record is None else [n for n in record if n in res.scalars]
    scalars = {}
    for n in names:
        value = res.scalars[n][0]
        if np.ndim(value) == 0:  # a non-scalar "scalar" is not recorded
            scalars[n] = float(value)
    return scalars, {c: np.asarray(res[c], float) for c in curves if c in res.variables}


def _meta(res, curves) -> dict:
    """Names, units, shapes and axis labels of what a case records (from the first case)."""
    def coords(c):
        return {d: res.coords[d] for d in (*res.variables[c].dims, "target") if d in res.coords}

    return {"scalars": {n: u for n, (v, u) in res.scalars.items() if np.ndim(v) == 0},
            "variables": list(res.variables),
            "curves": {c: {"shape": list(res[c].shape), "units": res.units(c),
                           "dims": list(res.variables[c].dims), "coords": coords(c)}
                       for c in curves if c in res.variables},
            "kind": res.kind}


# --------------------------------------------------------------------------- executors
def _worker_init(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them in order, and exit by
    themselves if the parent dies (killed), rather than idle on as orphans."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class _InProcess:
    threads = None

    def __init__(self):
        self.workers = 1

    def map_unordered(self, fn, tasks):
        for task in tasks:
            yield fn(*task)

    def close(self, cancel: bool = False) -> None:
        pass


class LocalPool:
    """A pool of local worker processes (spawned, one numba thread each).  ``run_sweep``
    makes one per run; pass one as ``scheduler=`` to keep it (and its warm workers) across
    runs, as a Dask client is kept; ``shutdown()`` when done."""

    threads = 1

    def __init__(self, workers: int | None = None, keep_open: bool = True):
        import multiprocessing

        self.workers = workers or os.cpu_count() or 1
        self.keep_open = keep_open
        self.pool = ProcessPoolExecutor(self.workers,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_worker_init, initargs=(os.getpid(),))

    def map_unordered(self, fn, tasks):
        pending = {self.pool.submit(fn, *task) for task in tasks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)

    def close(self, cancel: bool = False) -> None:
        if self.keep_open and not cancel:
            return
        if cancel:  # Ctrl-C: drop queued chunks and stop the workers now
            workers = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers:
                proc.terminate()
        self.pool.shutdown(wait=True)


class _Dask:
    threads = 1

    def __init__(self, scheduler):
        try:
            import distributed
        except ImportError:
            raise ConfigError([Issue("scheduler", "running on a Dask cluster needs Dask: "
                                                  "pip install \"leachsim[dask]\"")],
                              "sweep") from None
        self.distributed = distributed
        self.own = not isinstance(scheduler, distributed.Client)
        try:
            self.client = distributed.Client(scheduler) if self.own else scheduler
        except OSError as exc:
            raise ConfigError([Issue("scheduler", f"{scheduler!r}: cannot reach the Dask "
                                                  f"scheduler ({exc})")], "sweep") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map_unordered(self, fn, tasks):
        futures = [self.client.submit(fn, *task, pure=False) for task in tasks]
        self.futures = futures
        for fut in self.distributed.as_completed(futures):
            yield fut.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self.client.cancel(getattr(self, "futures", []))
        if self.own:
            self.client.close()


def make_executor(workers: int | None = None, scheduler=None):
    if isinstance(scheduler, LocalPool):
        return scheduler
    if scheduler is not None:
        return _Dask(scheduler)
    workers = workers or os.cpu_count() or 1
    return _InProcess() if workers == 1 else LocalPool(workers, keep_open=False)


def default_chunk_size(n_pending: int, workers: int) -> int:
    """About sixteen chunks per worker, at most 256 cases each: big enough for the batched
    kernel, small enough that the workers finish together (the last chunk is short), that
    a killed run loses little and that the progress bar moves."""
    return max(1, min(256, math.ceil(n_pending / (16 * workers))))


# --------------------------------------------------------------------------- the run
@dataclass
class Summary:
    """The outcome of one run of a sweep (counts cover the whole file)."""

    path: Path
    n_cases: int
    done: int
    failed: int
    pending: int
    ran: int  # cases run by this call
    elapsed_s: float
    complete: bool
    failures: collections.Counter = field(default_factory=collections.Counter)

    def text(self) -> str:
        rate = self.ran / self.elapsed_s if self.elapsed_s > 0 else 0.0
        lines = [f"{self.path}: {self.done + self.failed} of {self.n_cases} cases "
                 f"({self.done} done, {self.failed} failed"
                 + (f", {self.pending} pending" if self.pending else "") + ")",
                 f"  this run: {self.ran} cases in {self.elapsed_s:.2f} s ({rate:,.1f} cases/s)"]
        for message, count in self.failures.most_common(5):
            lines.append(f"  failed x{count}: {message}")
        if not self.complete:
            lines.append(f"  incomplete: finish it with  leachsim sweep --resume {self.path}")
        return "\n".join(lines)


class _Recorder:
    """Turns chunk results into rows of the sweep file; creates the file once the first
    successful case has given the output names, units and curve shapes."""

    def __init__(self, sweep: Sweep, path: Path, cases, output_names=None, curve_shapes=None):
        self.sweep, self.path, self.cases = sweep, path, cases
        self.names = output_names
        self.shapes: dict[str, tuple] = curve_shapes or {}
        self.buffer: list[dict] = []
        self.created = output_names is not None
        self.failures: collections.Counter = collections.Counter()
        self.ran = self.failed = 0

    def add(self, chunk: dict) -> None:
        self.ran += len(chunk["index"])
        for status, message in zip(chunk["status"], chunk["message"]):
            if status == store.FAILED:
                self.failed += 1
                self.failures[message] += 1
        self.buffer.append(chunk)
        if not self.created:
            meta = next((c["meta"] for c in self.buffer if c["meta"] is not None), None)
            if meta is None:
                return
            self._create(meta)
        self.flush()

    def _create(self, meta: dict | None) -> None:
        spec = self.sweep.spec
        available = meta["scalars"] if meta else {}
        names = list(available) if spec.record is None else list(spec.record)
        issues = []
        if meta is not None:
            from ..config.reader import suggest

            for i, n in enumerate(names):
                if n not in available:
                    issues.append(Issue(f"sweep.record[{i}]", f"'{n}' is not a scalar of the "
                                        f"results{suggest(n, available)}"))
            for i, c in enumerate(spec.curves):
                if c not in meta["variables"]:
                    issues.append(Issue(f"sweep.curves[{i}]", f"'{c}' is not a variable of the "
                                        f"results{suggest(c, meta['variables'])}"))
        if issues:
            raise ConfigError(issues, self.sweep.source)
        curves = meta["curves"] if meta else {}
        self.shapes = {c: tuple(m["shape"]) for c, m in curves.items()}
        store.create(self.path, name=self.sweep.scenario.name,
                     kind=meta["kind"] if meta else "unknown", raw=self.sweep.raw,
                     source=self.sweep.source, sweep_table=spec.table,
                     parameters=spec.design.parameters, cases=self.cases,
                     output_names=names, output_units=[available.get(n, "") for n in names],
                     curves=curves, provenance=provenance())
        self.names, self.created = names, True

    def flush(self) -> None:
        if not self.buffer or not self.created:
            return
        index, status, messages, rows = [], [], [], []
        curves = {c: [] for c in self.shapes}
        for chunk in self.buffer:
            for k, st, msg, sc, cv in zip(chunk["index"], chunk["status"], chunk["message"],
                                          chunk["scalars"], chunk["curves"]):
                index.append(k)
                rows.append([sc.get(n, np.nan) for n in self.names])
                for c, shape in self.shapes.items():
                    arr = cv.get(c)
                    if arr is not None and arr.shape != shape:
                        msg = (f"curve '{c}' has shape {arr.shape}, not {shape} as in the "
                               f"first case: not stored")
                        arr = None
                    curves[c].append(np.full(shape, np.nan) if arr is None else arr)
                status.append(st)
                messages.append(msg)
        store.write_rows(self.path, index, status, messages,
                         np.array(rows, float).reshape(len(index), len(self.names)),
                         {c: np.array(v) for c, v in curves.items()})
        self.buffer.clear()

    def close(self) -> None:
        """Write what is buffered; with no successful case at all, create the file anyway."""
        if self.buffer and not self.created:
            self._create(None)
        self.flush()


def _execute(sweep: Sweep, path: Path, cases, todo: list[int], state: dict | None, *, workers,
             scheduler, chunk_size, progress) -> Summary:
    t0 = time.perf_counter()
    recorder = (_Recorder(sweep, path, cases) if state is None else
                _Recorder(sweep, path, cases, state["output_names"], state["curves"]))
    executor = make_executor(workers, scheduler) if todo else _InProcess()
    size = chunk_size or default_chunk_size(len(todo), executor.workers)
    spec = sweep.spec
    tasks = [(sweep.raw, sweep.source, spec.paths,
              [(k, cases.values[k]) for k in todo[i:i + size]], spec.record, spec.curves,
              executor.threads) for i in range(0, len(todo), size)]
    bar = Progress(len(cases), len(cases) - len(todo), enabled=progress)
    try:
        for chunk in executor.map_unordered(evaluate_chunk, tasks):
            recorder.add(chunk)
            bar.update(recorder.ran, recorder.failed)
        bar.update(recorder.ran, recorder.failed, force=True)
    except BaseException as exc:
        bar.close()
        executor.close(cancel=True)
        if isinstance(exc, KeyboardInterrupt):  # keep what has finished
            recorder.close()
            if recorder.created:
                store.finish(path, time.perf_counter() - t0)
        raise
    bar.close()
    executor.close()
    recorder.close()
    elapsed = time.perf_counter() - t0
    complete = store.finish(path, elapsed)
    status = store.read_state(path)["status"]
    return Summary(path, len(cases), int(np.sum(status == store.DONE)),
                   int(np.sum(status == store.FAILED)), int(np.sum(status == store.PENDING)),
                   recorder.ran, elapsed, complete, recorder.failures)


def run_sweep(sweep: Sweep, path: str | Path, *, workers: int | None = None, scheduler=None,
              chunk_size: int | None = None, progress: bool | None = None,
              overwrite: bool = False) -> Summary:
    """Run every case of ``sweep`` into a new sweep file at ``path``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ConfigError([Issue("output", f"{path} exists: resume it (leachsim sweep --resume "
                                           f"{path}) or overwrite it (--overwrite)")], "sweep")
    if path.exists():
        path.unlink()
    cases = sweep.cases()
    if not len(cases):
        raise ConfigError([Issue("sweep", "the design gives no case")], sweep.source)
    return _execute(sweep, path, cases, list(range(len(cases))), None, workers=workers,
                    scheduler=scheduler, chunk_size=chunk_size, progress=progress)


def resume_sweep(path: str | Path, expected: Sweep | None = None, *, workers: int | None = None,
                 scheduler=None, chunk_size: int | None = None,
                 progress: bool | None = None) -> Summary:
    """Run the cases of a sweep file that are still pending.  The file alone defines the
    sweep; ``expected`` (from the scenario file) must match it if given."""
    path = Path(path)
    state = store.read_state(path)
    sweep = sweep_from_state(state)
    stored = Cases(state["values"], state["numbers"], state["block"])
    if expected is not None:
        same = (_as_json(expected.raw) == state["raw"]
                and _as_json(expected.spec.table) == state["sweep"]
                and _as_json([list(v) for v in expected.cases().values])
                == [list(v) for v in state["values"]])
        if not same:
            raise store.SweepFileError(f"{path} was made from another scenario or sweep than "
                                       f"{expected.source}; resume it without the scenario, or "
                                       f"start a new file")
    todo = [int(k) for k in np.flatnonzero(state["status"] == store.PENDING)]
    return _execute(sweep, path, stored, todo, state, workers=workers,
                    scheduler=scheduler, chunk_size=chunk_size, progress=progress)


def _as_json(value):
    """A value as it comes back from the file's JSON (tuples become lists)."""
    return json.loads(json.dumps(value))
