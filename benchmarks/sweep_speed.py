#!/usr/bin/env python
"""Speed of ``leachsim sweep``: cases per second on all local cores and on a local Dask
cluster, against the ideal (single-case time / cores).

    python benchmarks/sweep_speed.py               # 10,000 cases of each sweep, 3 repeats
    python benchmarks/sweep_speed.py --quick       # 1,000 leach + 200 column cases, 1 repeat
    python benchmarks/sweep_speed.py --only leach --cases 5000 --repeats 5 --json out.json

Two sweeps (Latin hypercube, seeded):

- ``leach``: ``configs/bof_slag_vanadium_h2so4.toml`` (8 size classes x 6 reacting phases,
  batch, 9 h, 109 outputs): temperature 40-90 degC, H2SO4 1-6 mol/L (log), d63 30-120 um;
- ``column``: a one-component column of 100 cells (``column_cobalt_tea_leaves.toml`` with
  100 cells, a 50 h load, 101 outputs, no profiles): flow 3-8 mL/min, q_max 40-80 mg/g,
  k_a 1e-4-4e-4 m^3/mol/s (log).

Each records a few scalars and no curves, into a sweep file in a temporary folder (the
HDF5 streaming is part of what is timed).  For each sweep, every figure is the median of
the repeats (and the best, i.e. fastest, repeat, which other load on the machine disturbs
least):

1. warm-up, kept apart: a small sweep in this process (compiles the kernels or loads them
   from numba's cache), the start of a pool of N local worker processes and of a local Dask
   cluster of N single-threaded worker processes (spawn, import, cache load), each then
   warmed with a small sweep;
2. single case: the first K cases of the design one at a time through ``evaluate_chunk``
   (scenario built and validated, run, scalars taken: what the sweep does per case) with
   one numba thread; t1 = time / K.  Ideal rate = N / t1, N = the number of cores;
3. local sweep on the warm pool (``scheduler=LocalPool(N)``): rate and efficiency = rate /
   ideal (aim >= 0.9);
4. the same through ``run_sweep(workers=N)`` as ``leachsim sweep`` does it, pool start-up
   included (what a user waits for);
5. in this process (``workers=1``): the batched prange kernels on all numba threads, while
   building and labelling the cases stays serial Python;
6. Dask: the warm local cluster (``scheduler=client``): rate, and overhead = Dask time /
   local warm-pool time - 1 (aim <= 0.2).

Other processes on the machine distort wall-clock ratios: the single case runs on one core
while the sweep needs all of them.  So each run also counts the CPU seconds of every process
of the sweep (this one, finished children, and live pool or Dask workers from /proc), and
"CPU efficiency" = cases x single-case CPU time / CPU time of the sweep: the share of the
sweep's CPU that does the cases' own work, which other load on the machine hardly changes.
The load average is printed with every repeat.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AIM_EFFICIENCY = 0.9
AIM_DASK_OVERHEAD = 0.2

now = time.perf_counter


def loadavg() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average n/a"


def make_sweeps(n: int, seed: int) -> dict:
    import leachsim
    from leachsim import sweep

    leach = leachsim.load_scenario(REPO / "configs" / "bof_slag_vanadium_h2so4.toml")
    column = leachsim.load_scenario(REPO / "configs" / "column_cobalt_tea_leaves.toml")
    for path, value in (("column.cells", 100), ("solver.profiles", []),
                        ("solver.outputs", 101), ("inlet[load].duration", "50 h")):
        column = column.with_value(path, value)
    return {
        "leach": sweep.make_sweep(leach, {
            "design": "lhs", "samples": n, "seed": seed,
            "record": ["extraction_V", "extraction_Fe", "reagent_consumption_H2SO4"],
            "vary": [{"path": "leach.temperature", "range": ["40 degC", "90 degC"]},
                     {"path": "leach.leachant.H2SO4", "range": ["1 mol/L", "6 mol/L"],
                      "scale": "log"},
                     {"path": "solid.size.d63", "range": ["30 um", "120 um"]}]}),
        "column": sweep.make_sweep(column, {
            "design": "lhs", "samples": n, "seed": seed,
            "record": ["bv_0.05_Co", "bv_0.5_Co", "dynamic_capacity_Co"],
            "vary": [{"path": "inlet[load].flow_rate", "range": ["3 mL/min", "8 mL/min"]},
                     {"path": "sorbent.parameters.Co.q_max", "range": ["40 mg/g", "80 mg/g"]},
                     {"path": "sorbent.parameters.Co.k_a",
                      "range": ["1e-4 m^3/mol/s", "4e-4 m^3/mol/s"], "scale": "log"}]}),
    }


def subset(sw, n: int):
    """The same sweep with the first n cases' design (a small LHS of the same ranges)."""
    from leachsim import sweep

    return sweep.make_sweep(sw.scenario, sw.spec.table | {"samples": n})


def cpu_seconds() -> float:
    """CPU time of this process, of its finished children and of its live descendants
    (pool or Dask workers), from /proc (Linux; this process alone elsewhere)."""
    import resource

    total = time.process_time()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total += ru.ru_utime + ru.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
    me = os.getpid()
    for pid in cpu:
        p, seen = parents.get(pid), 0
        while p and p != me and seen < 64:
            p, seen = parents.get(p), seen + 1
        if p == me:
            total += cpu[pid]
    return total


def timed_sweep(sw, folder: Path, **options) -> tuple[float, float]:
    """Wall and CPU seconds (all processes of the sweep) of one run of ``sw``."""
    from leachsim import sweep

    out = Path(tempfile.mktemp(suffix=".h5", dir=folder))
    c0, t0 = cpu_seconds(), now()
    summary = sweep.run_sweep(sw, out, progress=False, **options)
    elapsed, cpu = now() - t0, cpu_seconds() - c0
    out.unlink()
    if summary.failed or not summary.complete:
        raise SystemExit(f"benchmark sweep had {summary.failed} failed cases: "
                         f"{summary.failures.most_common(2)}")
    return elapsed, cpu


def single_case_time(sw, k: int) -> tuple[float, float]:
    """Wall and CPU seconds per case, one case at a time as the sweep does it, one numba
    thread."""
    import numba

    from leachsim.sweep.runner import evaluate_chunk

    cases = sw.cases()
    c0, t0 = time.process_time(), now()
    for i in range(k):
        evaluate_chunk(sw.raw, sw.source, sw.spec.paths, [(i, cases.values[i])], sw.spec.record,
                       sw.spec.curves, threads=1)
    elapsed, cpu = now() - t0, time.process_time() - c0
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return elapsed / k, cpu / k


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<58s} {value:>14s}  {note}")


def bench(name, sw, args, pool, client, folder, results) -> None:
    n = len(sw.cases())
    cores = args.workers
    k = min(n, args.single or (200 if name == "leach" else 30))
    print(f"\n== {name}: {n:,} cases, {cores} workers ({loadavg()})")
    small = subset(sw, 2 * cores)
    t_warm, _ = timed_sweep(small, folder, workers=1)
    line("warm-up in this process (compile or cache load), 2N cases", f"{t_warm:.2f} s")
    t_pool_warm, _ = timed_sweep(small, folder, scheduler=pool)
    line("warm-up of the pool (first use of each worker)", f"{t_pool_warm:.2f} s")
    if client is not None:
        t_dask_warm, _ = timed_sweep(small, folder, scheduler=client)
        line("warm-up of the Dask cluster", f"{t_dask_warm:.2f} s")
    runs: dict[str, list] = {"single": [], "pool": [], "fresh": [], "inproc": [], "dask": []}
    for r in range(args.repeats):
        print(f"  repeat {r + 1}/{args.repeats} ({loadavg()})")
        runs["single"].append(single_case_time(sw, k))
        runs["pool"].append(timed_sweep(sw, folder, scheduler=pool))
        if client is not None:
            runs["dask"].append(timed_sweep(sw, folder, scheduler=client))
        if not args.skip_fresh:
            runs["fresh"].append(timed_sweep(sw, folder, workers=cores))
        if not args.skip_inprocess:
            runs["inproc"].append(timed_sweep(sw, folder, workers=1))
    wall = {key: statistics.median(w for w, _ in v) for key, v in runs.items() if v}
    best = {key: min(w for w, _ in v) for key, v in runs.items() if v}
    cpu = {key: statistics.median(c for _, c in v) for key, v in runs.items() if v}
    t1, c1 = wall["single"], cpu["single"]
    ideal, ideal_best = cores / t1, cores / best["single"]
    rate = n / wall["pool"]
    eff, eff_best = rate / ideal, n / best["pool"] / ideal_best
    out = {"cases": n, "workers": cores, "single_case_s": t1, "single_case_cpu_s": c1,
           "ideal_rate": ideal, "pool_rate": rate, "efficiency": eff,
           "efficiency_best": eff_best, "cpu_efficiency": n * c1 / cpu["pool"],
           "repeats": args.repeats, "runs_wall_cpu_s": runs, "warmup_s": t_warm}
    line(f"single case (mean of {k}; median, best of repeats)",
         f"{t1 * 1e3:.3f} ms", f"best {best['single'] * 1e3:.3f} ms; CPU {c1 * 1e3:.3f} ms")
    line(f"ideal: {cores} / single-case time", f"{ideal:,.1f} /s", f"best {ideal_best:,.1f} /s")
    line("local sweep, warm pool (LocalPool)", f"{rate:,.1f} /s",
         f"best {n / best['pool']:,.1f} /s; efficiency {eff:.3f}, best {eff_best:.3f} (aim >= "
         f"{AIM_EFFICIENCY}: {'met' if max(eff, eff_best) >= AIM_EFFICIENCY else 'NOT met'}); "
         f"CPU efficiency {out['cpu_efficiency']:.3f}")
    for key, label in (("fresh", "local sweep as `leachsim sweep` (pool start-up included)"),
                       ("inproc", "in this process (workers=1, prange on all numba threads)")):
        if key in wall:
            out[f"{key}_rate"] = n / wall[key]
            line(label, f"{n / wall[key]:,.1f} /s",
                 f"best {n / best[key]:,.1f} /s; efficiency {n / wall[key] / ideal:.3f}, best "
                 f"{n / best[key] / ideal_best:.3f}; CPU efficiency {n * c1 / cpu[key]:.3f}")
    if "dask" in wall:
        overhead = wall["dask"] / wall["pool"] - 1.0
        overhead_best = best["dask"] / best["pool"] - 1.0
        out |= {"dask_rate": n / wall["dask"], "dask_overhead": overhead,
                "dask_overhead_best": overhead_best,
                "dask_cpu_overhead": cpu["dask"] / cpu["pool"] - 1.0}
        line(f"Dask LocalCluster ({cores} worker processes x 1 thread)",
             f"{n / wall['dask']:,.1f} /s",
             f"best {n / best['dask']:,.1f} /s; overhead {100 * overhead:+.1f} %, best "
             f"{100 * overhead_best:+.1f} % (aim <= {100 * AIM_DASK_OVERHEAD:.0f} %: "
             f"{'met' if min(overhead, overhead_best) <= AIM_DASK_OVERHEAD else 'NOT met'}); "
             f"CPU overhead {100 * out['dask_cpu_overhead']:+.1f} %")
    results[name] = out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="1,000 leach and 200 column cases, 1 repeat")
    p.add_argument("--cases", type=int, help="cases per sweep (default 10,000)")
    p.add_argument("--repeats", type=int, help="repeats (default 3; quick 1)")
    p.add_argument("--workers", type=int, default=os.cpu_count(), help="default: all cores")
    p.add_argument("--single", type=int, help="cases timed one at a time (default 200 leach, "
                                              "30 column)")
    p.add_argument("--only", choices=("leach", "column"), action="append")
    p.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    p.add_argument("--skip-fresh", action="store_true", help="skip the run with pool start-up")
    p.add_argument("--skip-inprocess", action="store_true", help="skip the in-process run")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="write every figure to this JSON file")
    args = p.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 3)
    sizes = {"leach": args.cases or (1000 if args.quick else 10_000),
             "column": args.cases or (200 if args.quick else 10_000)}
    import numba
    import numpy
    import platform

    import leachsim
    from leachsim.sweep import LocalPool

    machine = (f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, numba {numba.__version__}, numpy "
               f"{numpy.__version__}, leachsim {leachsim.__version__}")
    print(f"sweep_speed: {machine}\n({loadavg()}: other processes skew the timings)")
    names = args.only or ["leach", "column"]
    results: dict = {"machine": machine}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = now()
        pool = LocalPool(args.workers)
        print()
        line("start of the local pool (spawn only; workers start on first use)",
             f"{now() - t0:.2f} s")
        client = cluster = None
        if not args.no_dask:
            try:
                import distributed
            except ImportError:
                print("  (Dask not installed: pip install 'leachsim[dask]'; skipped)")
            else:
                t0 = now()
                cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                                   processes=True, dashboard_address=None)
                client = distributed.Client(cluster)
                line("start of the Dask LocalCluster", f"{now() - t0:.2f} s")
        try:
            for name in names:
                sw = make_sweeps(sizes[name], args.seed)[name]
                bench(name, sw, args, pool, client, folder, results)
        finally:
            pool.shutdown()
            if client is not None:
                client.close()
                cluster.close()
    print("\nSUMMARY (" + loadavg() + ")")
    for name in names:
        r = results[name]
        dask = (f", Dask {r['dask_rate']:,.1f}/s (overhead {100 * r['dask_overhead']:+.1f} %, "
                f"best {100 * r['dask_overhead_best']:+.1f} %)" if "dask_rate" in r else "")
        print(f"  {name:<7s} {r['cases']:>6,} cases: ideal {r['ideal_rate']:,.1f}/s, local "
              f"{r['pool_rate']:,.1f}/s (efficiency {r['efficiency']:.3f}, best "
              f"{r['efficiency_best']:.3f}, CPU efficiency {r['cpu_efficiency']:.3f}){dask}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
