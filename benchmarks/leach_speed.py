#!/usr/bin/env python
"""Speed of leachsim's batch-leaching path: compile time, single runs, batched throughput.

    python benchmarks/leach_speed.py            # full run (5 repeats, 10,000 scenarios)
    python benchmarks/leach_speed.py --quick    # smoke run (fewer repeats, 1,000 scenarios)

Sections (every figure is the median of repeated runs, with min and max):

1. Start-up.  A fresh ``python`` with ``NUMBA_CACHE_DIR`` pointing at a new, empty
   folder times ``import leachsim``, the first ``run_leach`` (compiles
   ``run_batch``) and the first ``run_leach_many`` of two scenarios (compiles the
   parallel ``run_batch_many``); the same child again on the now-warm folder gives
   the cached start.  Compile time is kept apart from run time: the child also
   times a second call, and "compile" = first call - second call.  Whole-process
   wall times of the CLI-like path ``python -c "import leachsim;
   leachsim.run(leachsim.load_scenario(CONFIG))"`` (and of ``leachsim run CONFIG -o
   tmp.h5`` when that console script works) are taken with the user's ordinary
   (warm) cache after one warm-up call.  Project aim: ``leachsim run`` < 3 s warm.
2. One batch leach, 20 size classes x 3 reacting phases, 24 h, 97 outputs:
   ``run_leach`` end to end and the bare ``leach_batch.run_batch`` kernel.
3. Throughput: N (10,000) variants of a scenario (5 x 3 by default, ``--classes``)
   varying temperature, acid concentration and particle size (seeded RNG):
   ``parse_scenario`` of every dict, ``run_leach_many`` end to end, and the bare
   ``leach_batch.run_batch_many`` on pre-stacked arrays with all numba threads and
   with one thread, in the same repeats (speed-up = 1-thread time / N-thread time).
   Project aim: >= 5,000 scenarios/s for the batched kernel on a 2-core machine.
4. Where the time goes: steps and right-hand-side evaluations per scenario and
   time per population per RHS evaluation; step counts with 97 outputs vs the end
   time only (equal, since outputs come from dense output) at two tolerances; one
   run of ``run_batch``'s Python source (``py_func``) with ``_rhs``, ``_state`` and
   ``xi_at_progress`` also from their sources, which records the solver's own
   inputs and counts the Newton iterations of every ``xi_at_progress`` call (its
   step statistics must equal the compiled run's); micro-timings of ``_rhs``,
   ``_state`` and ``xi_at_progress`` (the real kernel functions called from small
   uncached njit loops) on those recorded inputs, per population and per phase;
   and the per-scenario Python overhead of ``run_leach_many``.

Besides the public entry points, a few private helpers are used:
``simulate._kernel_args``, ``leach_batch.run_batch`` / ``_rhs`` / ``_state`` /
``xi_at_progress`` and their ``py_func``.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "configs" / "bof_slag_vanadium_h2so4.toml"
AIM_KERNEL_RATE = 5000.0  # scenarios/s, batched kernel, 2-core machine
AIM_RUN_WARM_S = 3.0  # s, `leachsim run` on a shipped scenario, warm cache

now = time.perf_counter


# --------------------------------------------------------------------------- reporting
class Table:
    """Collects (label, values, unit, aim) rows for the summary at the end."""

    def __init__(self):
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.data: dict[str, dict] = {}

    def time(self, label: str, seconds: list[float], unit: str = "s", aim: str = "",
             key: str | None = None) -> None:
        scale = {"s": 1.0, "ms": 1e3, "us": 1e6}[unit]
        med, lo, hi = (statistics.median(seconds), min(seconds), max(seconds))
        self.rows.append((label, _g(med * scale), _g(lo * scale), _g(hi * scale), unit, aim))
        self.data[key or label] = {"median_s": med, "min_s": lo, "max_s": hi, "n": len(seconds)}
        print(f"  {label:<52s} {_g(med * scale):>10s} {unit:<6s}"
              f"(min {_g(lo * scale)}, max {_g(hi * scale)}, n={len(seconds)}){aim and '  ' + aim}")

    def rate(self, label: str, n: int, seconds: list[float], aim: str = "",
             key: str | None = None) -> float:
        """Scenarios per second from wall times of n scenarios (median rate = n / median time)."""
        med, lo, hi = (statistics.median(seconds), min(seconds), max(seconds))
        r = n / med
        self.rows.append((label, _g(r), _g(n / hi), _g(n / lo), "scen/s", aim))
        self.data[key or label] = {"scenarios": n, "median_s": med, "min_s": lo, "max_s": hi,
                                   "rate_per_s": r, "repeats": len(seconds)}
        print(f"  {label:<52s} {_g(r):>10s} scen/s (min {_g(n / hi)}, max {_g(n / lo)}; "
              f"{_g(med)} s per {n:,}, n={len(seconds)}){aim and '  ' + aim}")
        return r

    def ratio(self, label: str, values: list[float], aim: str = "") -> None:
        med = statistics.median(values)
        self.rows.append((label, _g(med), _g(min(values)), _g(max(values)), "x", aim))
        self.data[label] = {"median": med, "min": min(values), "max": max(values)}
        print(f"  {label:<52s} {_g(med):>10s} x      (min {_g(min(values))}, "
              f"max {_g(max(values))}, n={len(values)})")

    def note(self, label: str, text: str) -> None:
        self.rows.append((label, text, "", "", "", ""))
        self.data[label] = {"note": text}
        print(f"  {label:<52s} {text}")

    def print(self, machine: str) -> None:
        print("\n" + "=" * 100)
        print("SUMMARY   " + machine)
        print("=" * 100)
        head = ("figure", "median", "min", "max", "unit", "aim")
        figs = [r for r in self.rows if r[4]]
        w = [max(len(r[k]) for r in figs + [head]) for k in range(6)]
        w[0] = max(w[0], max((len(r[0]) for r in self.rows), default=0))
        line = lambda r: (f"{r[0]:<{w[0]}s}  {r[1]:>{w[1]}s}  {r[2]:>{w[2]}s}  {r[3]:>{w[3]}s}"
                          f"  {r[4]:<{w[4]}s}  {r[5]}").rstrip()
        print(line(head))
        print("-" * (sum(w[:5]) + 10 + len("aim")))
        for r in self.rows:
            print(line(r) if r[4] else f"{r[0]:<{w[0]}s}  {r[1]}")


def _g(x: float) -> str:
    if x == 0 or not np.isfinite(x):
        return f"{x:g}"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _aim(ok: bool, text: str) -> str:
    return f"{text}: {'met' if ok else 'NOT met'}"


def loadavg() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load average n/a"


def header(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)))
    print(f"  ({loadavg()}: other processes on the machine skew the timings, parallel ones most)")


# --------------------------------------------------------------------------- scenarios
def scenario_20x3(classes: int = 20, name: str = "bench_20x3") -> dict:
    """BOF-slag-like batch leach: 3 reacting phases (ash, reaction and mixed control) + 1 inert,
    one reagent (H2SO4) not topped up, so the acid falls from 1.5 to about 0.5 mol/L; 24 h,
    97 outputs (every 15 min); Rosin-Rammler size distribution cut into ``classes`` classes."""
    return {
        "schema_version": 1,
        "meta": {"name": name, "targets": ["V"]},
        "solid": {
            "density": "3400 kg/m^3",
            "size": {"distribution": "rosin-rammler", "d63": "60 um", "spread": 1.2,
                     "classes": classes},
            "phases": [
                {"name": "larnite", "mineral": "larnite", "mass_fraction": 0.40,
                 "trace": {"V": "1.0 wt%"}, "consumes": {"H2SO4": 2.0},
                 "kinetics": {"control": "ash",
                              "ash": {"D": "5e-14 m^2/s", "Ea": "15 kJ/mol",
                                      "T_ref": "60 degC"}}},
                {"name": "wustite", "mineral": "wustite", "mass_fraction": 0.15,
                 "consumes": {"H2SO4": 1.0},
                 "kinetics": {"control": "reaction",
                              "reaction": {"k": "2e-8 m/s", "Ea": "55 kJ/mol",
                                           "T_ref": "60 degC", "orders": {"H2SO4": 1}}}},
                {"name": "dicalcium ferrite", "mineral": "srebrodolskite", "mass_fraction": 0.20,
                 "trace": {"V": "3.0 wt%"}, "consumes": {"H2SO4": 5.0},
                 "kinetics": {"control": "mixed",
                              "ash": {"D": "1e-13 m^2/s", "Ea": "15 kJ/mol", "T_ref": "60 degC"},
                              "reaction": {"k": "1e-8 m/s", "Ea": "40 kJ/mol",
                                           "T_ref": "60 degC", "orders": {"H2SO4": 1}}}},
                {"name": "magnetite", "mineral": "magnetite", "mass_fraction": 0.25},
            ],
        },
        "leach": {
            "type": "batch", "temperature": "60 degC", "solid_liquid_ratio": "100 g/L",
            "volume": "1 L", "duration": "24 h", "outputs": 97,
            "leachant": {"H2SO4": "1.5 mol/L"},
        },
    }


VARIATION = ("temperature 40-90 degC, H2SO4 0.5-3 mol/L, d63 20-150 um (uniform)")


def variants(base: dict, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    T = rng.uniform(40.0, 90.0, n)
    acid = rng.uniform(0.5, 3.0, n)
    d63 = rng.uniform(20.0, 150.0, n)
    out = []
    for k in range(n):
        d = copy.deepcopy(base)
        d["meta"]["name"] = f"variant_{k:05d}"
        d["leach"]["temperature"] = f"{T[k]:.3f} degC"
        d["leach"]["leachant"]["H2SO4"] = f"{acid[k]:.4f} mol/L"
        d["solid"]["size"]["d63"] = f"{d63[k]:.3f} um"
        out.append(d)
    return out


# --------------------------------------------------------------------------- 1. start-up
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import leachsim
t1 = time.perf_counter()
sc = leachsim.load_scenario(sys.argv[1])
t2 = time.perf_counter()
leachsim.run_leach(sc)
t3 = time.perf_counter()
leachsim.run_leach(sc)
t4 = time.perf_counter()
leachsim.run_leach_many([sc, sc])
t5 = time.perf_counter()
leachsim.run_leach_many([sc, sc])
t6 = time.perf_counter()
import numba
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first_run": t3 - t2,
                  "second_run": t4 - t3, "first_many": t5 - t4, "second_many": t6 - t5,
                  "cache_dir": str(numba.config.CACHE_DIR)}))
"""


def _child(config: Path, cache_dir: str) -> tuple[dict, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    t0 = now()
    p = subprocess.run([sys.executable, "-c", CHILD, str(config)], env=env, cwd=REPO,
                       capture_output=True, text=True)
    wall = now() - t0
    if p.returncode != 0:
        raise RuntimeError(f"child failed (rc {p.returncode}):\n{p.stderr[-3000:]}")
    d = json.loads(p.stdout.strip().splitlines()[-1])
    if Path(d["cache_dir"]).resolve() != Path(cache_dir).resolve():
        raise RuntimeError(f"child used numba cache {d['cache_dir']}, not {cache_dir}")
    return d, wall


def _cache_files(folder: str) -> int:
    return sum(1 for p in Path(folder).rglob("*") if p.suffix in (".nbi", ".nbc"))


def _wall(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = now()
    p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    return now() - t0, p


def bench_startup(tab: Table, config: Path, repeats: int, compile_repeats: int) -> None:
    header(f"1. start-up: compile, cached start, CLI-like process ({config.name})")
    keys = ("import", "first_run", "second_run", "first_many", "second_many")
    cold: dict[str, list[float]] = {k: [] for k in keys + ("wall", "files")}
    warm: dict[str, list[float]] = {k: [] for k in keys + ("wall",)}
    for r in range(compile_repeats):
        with tempfile.TemporaryDirectory(prefix="leachsim-numba-") as cache:
            d, wall = _child(config, cache)  # empty cache: compiles
            for k in keys:
                cold[k].append(d[k])
            cold["wall"].append(wall)
            cold["files"].append(_cache_files(cache))
            d, wall = _child(config, cache)  # same folder, now warm
            for k in keys:
                warm[k].append(d[k])
            warm["wall"].append(wall)
        print(f"  [repeat {r + 1}/{compile_repeats}] cold child {cold['wall'][-1]:.2f} s "
              f"({int(cold['files'][-1])} cache files written), warm child {warm['wall'][-1]:.2f} s")
    print("  empty numba cache (fresh NUMBA_CACHE_DIR):")
    tab.time("cold: import leachsim", cold["import"], key="cold_import")
    tab.time("cold: first run_leach (compiles run_batch)", cold["first_run"], key="cold_first_run")
    tab.time("cold: first run_leach_many (compiles run_batch_many)", cold["first_many"],
             key="cold_first_many")
    tab.time("cold: compile only, run_batch (1st - 2nd call)",
             [a - b for a, b in zip(cold["first_run"], cold["second_run"])], key="compile_run_batch")
    tab.time("cold: compile only, run_batch_many (1st - 2nd call)",
             [a - b for a, b in zip(cold["first_many"], cold["second_many"])],
             key="compile_run_batch_many")
    tab.time("cold: whole child process", cold["wall"], key="cold_process")
    print("  same cache folder again (warm):")
    tab.time("warm: import leachsim", warm["import"], key="warm_import")
    tab.time("warm: first run_leach (cache load + run)", warm["first_run"], key="warm_first_run")
    tab.time("warm: second run_leach (run only)", warm["second_run"], "ms", key="warm_second_run")
    tab.time("warm: first run_leach_many (cache load + run)", warm["first_many"],
             key="warm_first_many")
    tab.time("warm: whole child process", warm["wall"], key="warm_process")

    print("  whole-process wall time, ordinary (warm) cache, after one warm-up call:")
    py = sys.executable
    cfg = str(config)
    cases = [
        ("process: python -c 'pass'", [py, "-c", "pass"]),
        ("process: python -c 'import leachsim'", [py, "-c", "import leachsim"]),
        ("process: python -c 'leachsim.run(load_scenario(CONFIG))'",
         [py, "-c", f"import leachsim; leachsim.run(leachsim.load_scenario({cfg!r}))"]),
    ]
    tmpdir = tempfile.mkdtemp(prefix="leachsim-bench-")
    h5 = os.path.join(tmpdir, "tmp.h5")
    cases.append(("process: ... + leachsim.save(res, tmp.h5)",
                  [py, "-c", f"import leachsim; leachsim.save(leachsim.run("
                             f"leachsim.load_scenario({cfg!r})), {h5!r})"]))
    try:
        for label, cmd in cases:
            t, p = _wall(cmd)  # warm-up (fills the ordinary cache if it is cold)
            if p.returncode != 0:
                tab.note(label, f"FAILED: {p.stderr.strip().splitlines()[-1]}")
                continue
            times = [_wall(cmd)[0] for _ in range(repeats)]
            aim = ""
            if "run(" in label and "save" not in label:
                aim = _aim(statistics.median(times) < AIM_RUN_WARM_S, f"< {AIM_RUN_WARM_S:g} s")
            tab.time(label, times, aim=aim, key=label)

        # the console script, if it exists and works
        exe = Path(py).parent / "leachsim"
        exe = str(exe) if exe.exists() else shutil.which("leachsim")
        label = "process: leachsim run CONFIG -o tmp.h5"
        if exe is None:
            tab.note(label, "n/a: no 'leachsim' console script on PATH")
        else:
            h5c = os.path.join(tmpdir, "cli.h5")
            cmd = [exe, "run", cfg, "-o", h5c]
            t, p = _wall(cmd)
            if p.returncode != 0 or not os.path.exists(h5c):
                err = (p.stderr.strip().splitlines() or ["no output file written"])[-1]
                tab.note(label, f"n/a: {exe} exits {p.returncode}: {err}")
            else:
                times = []
                for _ in range(repeats):
                    os.remove(h5c)
                    times.append(_wall(cmd)[0])
                tab.time(label, times, key="cli",
                         aim=_aim(statistics.median(times) < AIM_RUN_WARM_S,
                                  f"< {AIM_RUN_WARM_S:g} s"))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# --------------------------------------------------------------------------- 2. one batch run
def bench_single(tab: Table, repeats: int) -> None:
    import leachsim
    from leachsim.kernels import leach_batch
    from leachsim.leaching import simulate
    from leachsim.leaching.model import build_arrays

    header("2. one batch leach: 20 size classes x 3 reacting phases, 24 h, 97 outputs")
    sc = leachsim.parse_scenario(scenario_20x3(20))
    for _ in range(2):
        res = leachsim.run_leach(sc)  # warm-up (cache load)
    e2e = []
    for _ in range(repeats):
        t0 = now()
        res = leachsim.run_leach(sc)
        e2e.append(now() - t0)

    a = build_arrays(sc)
    args = [x[0] for x in simulate._kernel_args([a])]
    t_out = simulate.output_times(sc)
    n_r, n_ph, n_e, n_c = a.structure
    X = np.zeros((len(t_out), n_c * n_ph))
    C = np.zeros((len(t_out), n_r))
    cons = np.zeros_like(C)
    M = np.zeros((len(t_out), n_e))
    stats = np.zeros(4)
    kern = []
    for _ in range(repeats + 1):
        t0 = now()
        st = leach_batch.run_batch(*args, t_out, sc.solver.rtol, sc.solver.atol, X, C, cons, M,
                                   stats)
        kern.append(now() - t0)
    kern = kern[1:]
    assert st == 0, st
    print(f"  populations {n_c} x {n_ph} = {n_c * n_ph}; rtol {sc.solver.rtol:g}, "
          f"atol {sc.solver.atol:g}; steps accepted {stats[0]:.0f}, rejected {stats[1]:.0f}, "
          f"RHS evaluations {stats[2]:.0f}")
    print(f"  V extraction at 24 h {res.select('extraction', element='V')[-1]:.4f}; H2SO4 "
          f"{res['reagent_concentration'][0, 0] / 1e3:.3g} -> "
          f"{res['reagent_concentration'][-1, 0] / 1e3:.3g} mol/L; "
          f"mass balance error {res.scalar('mass_balance_error_max'):.1e}")
    tab.time("20x3 run: leachsim.run_leach (end to end)", e2e, "ms", key="single_run_leach")
    tab.time("20x3 run: bare leach_batch.run_batch", kern, "ms", key="single_run_batch")


# --------------------------------------------------------------------------- 3. throughput
def bench_throughput(tab: Table, n: int, classes: int, repeats: int, seed: int) -> dict:
    import numba

    import leachsim
    from leachsim.kernels import leach_batch
    from leachsim.leaching import simulate
    from leachsim.leaching.model import build_arrays

    threads = numba.get_num_threads()
    header(f"3. throughput: {n:,} scenarios, {classes} size classes x 3 reacting phases, "
           f"{threads} numba threads")
    base = scenario_20x3(classes, name=f"bench_{classes}x3")
    t0 = now()
    raws = variants(base, n, seed)
    t_dicts = now() - t0
    print(f"  scenario: scenario_20x3(classes={classes}) (24 h, 97 outputs, rtol 1e-8, atol 1e-10)"
          f"\n  varied:   {VARIATION}, seed {seed}"
          f"\n  building {n:,} dicts (deepcopy): {t_dicts:.2f} s (not in any figure below)")

    scenarios = [leachsim.parse_scenario(d, "bench") for d in raws]
    t0 = now()
    arrays = [build_arrays(s) for s in scenarios]
    t_build = now() - t0
    t0 = now()
    args = simulate._kernel_args(arrays)
    t_out = np.ascontiguousarray(np.stack([simulate.output_times(s) for s in scenarios]))
    t_stack = now() - t0
    n_r, n_ph, n_e, n_c = arrays[0].structure
    n_t = t_out.shape[1]
    X = np.zeros((n, n_t, n_c * n_ph))
    C = np.zeros((n, n_t, n_r))
    cons = np.zeros((n, n_t, n_r))
    M = np.zeros((n, n_t, n_e))
    stats = np.zeros((n, 4))
    status = np.zeros(n, np.int64)
    for arr in (X, C, cons, M):
        arr[...] = 1.0  # touch every page now, not inside the timed kernel call
    rtol, atol = scenarios[0].solver.rtol, scenarios[0].solver.atol

    def kernel(m=n):
        leach_batch.run_batch_many(*(x[:m] for x in args), t_out[:m], rtol, atol, X[:m], C[:m],
                                   cons[:m], M[:m], stats[:m], status[:m])

    warm = min(n, 4 * threads)
    t0 = now()
    kernel(warm)  # loads (or compiles) run_batch_many
    leachsim.run_leach_many(scenarios[:warm])
    print(f"  warm-up ({warm} scenarios, kernel cache load): {now() - t0:.2f} s; "
          f"threading layer: {numba.threading_layer()}")

    t_parse, t_e2e, t_par, t_one = [], [], [], []
    for r in range(repeats):
        t0 = now()
        parsed = [leachsim.parse_scenario(d, "bench") for d in raws]
        t_parse.append(now() - t0)
        del parsed

        status[:] = -1
        t0 = now()
        kernel()
        t_par.append(now() - t0)
        if np.any(status != 0):
            bad = np.flatnonzero(status != 0)
            raise RuntimeError(f"{len(bad)} scenarios failed, e.g. #{bad[0]} status {status[bad[0]]}")

        numba.set_num_threads(1)
        try:
            t0 = now()
            kernel()
            t_one.append(now() - t0)
        finally:
            numba.set_num_threads(threads)

        t0 = now()
        res = leachsim.run_leach_many(scenarios)
        t_e2e.append(now() - t0)
        if r == 0:  # same kernel, same inputs: the end-to-end results must match
            diff = max(float(np.max(np.abs(res[k]["conversion"][-1].ravel() - X[k, -1])))
                       for k in range(0, n, max(1, n // 50)))
            print(f"  check: run_leach_many vs bare kernel, final conversions max |diff| = "
                  f"{diff:.1e}")
        del res
        print(f"  [repeat {r + 1}/{repeats}] parse {t_parse[-1]:.2f} s, kernel {threads} thr "
              f"{t_par[-1]:.2f} s, kernel 1 thr {t_one[-1]:.2f} s, run_leach_many "
              f"{t_e2e[-1]:.2f} s")

    print(f"  preparing kernel inputs once (not in the kernel figures): build_arrays "
          f"{t_build:.2f} s, stacking (_kernel_args + t_out) {t_stack:.2f} s")
    tab.rate(f"{n:,} x {classes}x3: parse_scenario (validation)", n, t_parse, key="rate_parse")
    tab.rate(f"{n:,} x {classes}x3: run_leach_many (end to end)", n, t_e2e, key="rate_e2e")
    rate = tab.rate(f"{n:,} x {classes}x3: bare run_batch_many, {threads} threads", n, t_par,
                    key="rate_kernel_parallel",
                    aim=_aim(n / statistics.median(t_par) >= AIM_KERNEL_RATE,
                             f">= {AIM_KERNEL_RATE:,.0f}/s on 2 cores"))
    tab.rate(f"{n:,} x {classes}x3: bare run_batch_many, 1 thread", n, t_one,
             key="rate_kernel_1thread")
    tab.ratio(f"parallel speed-up ({threads} threads / 1 thread)",
              [a / b for a, b in zip(t_one, t_par)])
    return {"n": n, "classes": classes, "threads": threads, "scenarios": scenarios,
            "arrays": arrays, "stats": stats.copy(), "t_par": t_par, "t_one": t_one,
            "t_e2e": t_e2e, "t_parse": t_parse, "t_build": t_build, "t_stack": t_stack,
            "rate": rate, "n_pop": n_c * n_ph, "n_t": n_t}


# --------------------------------------------------------------------------- 4. profile
def _micro_kernels():
    """Small uncached njit loops that call the real kernel functions many times.

    Each loop replays a recorded sequence of inputs, in order, over and over; ``xi`` is
    carried from call to call (reset to 1 at the start of the sequence, as in ``run_batch``),
    so the Newton guesses inside ``_state`` are the previous stage's roots, as in the solver
    (there, the output rows written by ``_record`` also update xi; they are not replayed).
    """
    from numba import njit

    from leachsim.kernels import leach_batch

    @njit(cache=False)
    def rhs_loop(n, phis, primary, orders, n0, V, C0, top_up, nu, poly):
        n_call, n_pop = phis.shape
        xi = np.ones(n_pop)
        X = np.zeros(n_pop)
        C = np.empty(C0.shape[0])
        consumed = np.zeros(C0.shape[0])
        sigma = np.zeros((primary.shape[0], 3))
        dphi = np.zeros(n_pop)
        s = 0.0
        for i in range(n):
            k = i % n_call
            if k == 0:
                xi[:] = 1.0
            leach_batch._rhs(phis[k], primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C,
                             consumed, sigma, dphi)
            s += dphi[0]
        return s

    @njit(cache=False)
    def state_loop(n, phis, poly):
        n_call, n_pop = phis.shape
        xi = np.ones(n_pop)
        X = np.zeros(n_pop)
        s = 0.0
        for i in range(n):
            k = i % n_call
            if k == 0:
                xi[:] = 1.0
            leach_batch._state(phis[k], poly, xi, X)
            s += X[0]
        return s

    @njit(cache=False)
    def invert_loop(n, c, phi, guess):
        s = 0.0
        for i in range(n):
            k = i % phi.shape[0]
            s += leach_batch.xi_at_progress(c[k], phi[k], guess[k])
        return s

    return rhs_loop, state_loop, invert_loop


def _per_call(fn, n, *args) -> float:
    fn(10, *args)
    best = []
    for _ in range(3):
        t0 = now()
        fn(n, *args)
        best.append((now() - t0) / n)
    return statistics.median(best)


def _py(fn, **names):
    """Python copy of an njit function's source (``py_func``) in a copy of its globals with
    ``names`` replaced; the module itself is left untouched."""
    import types

    f = fn.py_func
    return types.FunctionType(f.__code__, dict(f.__globals__, **names), f.__name__,
                              f.__defaults__, f.__closure__)


def solver_replay(args: list, t_out: np.ndarray, rtol: float, atol: float) -> dict:
    """Run ``run_batch``'s Python source once, with ``_rhs -> _state -> xi_at_progress`` also
    run from their Python sources and ``range`` in ``xi_at_progress`` wrapped by a counter
    (one count per pass of its Newton loop).  Everything else stays compiled.

    Returns the phi vector of every ``_rhs`` call, every ``xi_at_progress`` call made from
    ``_rhs`` as (population, phi, guess, Newton iterations), ``poly`` and the stats; output
    rows (``_record``) stay compiled and are not counted.
    """
    import builtins

    from leachsim.kernels import leach_batch as lb

    count = [0]

    def counting_range(*a):
        for i in builtins.range(*a):
            count[0] += 1
            yield i

    xi_py = _py(lb.xi_at_progress, range=counting_range)
    rec: dict = {"phis": [], "calls": [], "poly": None, "owner": None}

    def xi_at_progress(c, phi, guess):
        count[0] = 0
        x = xi_py(c, phi, guess)
        rec["calls"].append((rec["owner"][tuple(c)], phi, guess, count[0]))
        return x

    rhs_py = _py(lb._rhs, _state=_py(lb._state, xi_at_progress=xi_at_progress))

    def _rhs(phi, *rest):
        poly = rest[7]
        if rec["poly"] is None:
            rec["poly"] = poly.copy()
            rec["owner"] = {tuple(row): p for p, row in enumerate(poly)}
        rec["phis"].append(phi.copy())
        return rhs_py(phi, *rest)

    n_t = len(t_out)
    n_pop, n_r, n_e = len(args[15]), len(args[2]), args[13].shape[1]
    X = np.zeros((n_t, n_pop))
    C = np.zeros((n_t, n_r))
    M = np.zeros((n_t, n_e))
    stats = np.zeros(4)
    status = _py(lb.run_batch, _rhs=_rhs)(*args, t_out, rtol, atol, X, C, np.zeros_like(C), M,
                                          stats)
    calls = np.array(rec["calls"], dtype=float).reshape(-1, 4)
    return {"status": status, "stats": stats, "X": X, "poly": rec["poly"],
            "phis": np.array(rec["phis"]), "pop": calls[:, 0].astype(np.int64),
            "phi": calls[:, 1].copy(), "guess": calls[:, 2].copy(),
            "iterations": calls[:, 3].astype(np.int64)}


def bench_profile(tab: Table, thr: dict | None) -> None:
    import leachsim
    from leachsim.kernels import leach_batch
    from leachsim.leaching import simulate
    from leachsim.leaching.model import build_arrays
    from leachsim.results.provenance import provenance

    header("4. where the time goes")
    if thr is not None:
        st = thr["stats"]
        n, n_pop = thr["n"], thr["n_pop"]
        acc, rej, rhs = st[:, 0], st[:, 1], st[:, 2]
        q = lambda v: f"median {np.median(v):.0f}, min {v.min():.0f}, max {v.max():.0f}"
        print(f"  per scenario ({n:,} x {thr['classes']}x3, {n_pop} populations, "
              f"{thr['n_t']} output times from dense output):"
              f"\n    steps accepted {q(acc)}\n    steps rejected {q(rej)}"
              f"\n    RHS evaluations {q(rhs)} (6 per attempted step + 1)")
        t1 = statistics.median(thr["t_one"])
        ns = t1 / float(rhs.sum() * n_pop) * 1e9
        print(f"    1-thread kernel time per scenario {t1 / n * 1e3:.3f} ms = "
              f"{t1 / float(rhs.sum()) * 1e6:.2f} us per RHS evaluation = {ns:.0f} ns per "
              f"population per RHS evaluation")
        tab.note("profile: steps / RHS evals per scenario (median)",
                 f"{np.median(acc):.0f} accepted, {np.median(rej):.0f} rejected, "
                 f"{np.median(rhs):.0f} RHS; {ns:.0f} ns per population per RHS")

    # step counts with every output vs the end time only (dense output: should be equal)
    sc = leachsim.parse_scenario(scenario_20x3(thr["classes"] if thr else 5))
    a = build_arrays(sc)
    args = [x[0] for x in simulate._kernel_args([a])]
    n_r, n_ph, n_e, n_c = a.structure
    print(f"  outputs and tolerance ({n_c}x{n_ph} base scenario, bare run_batch; 'outputs 2' = "
          f"end time only; outputs come from dense output, so the step counts should not "
          f"depend on them):")
    steps = {}
    for rtol, atol in ((sc.solver.rtol, sc.solver.atol), (1e-6, 1e-8)):
        for outs in (97, 2):
            t_out = np.linspace(0.0, sc.leach.duration, outs)
            X = np.zeros((outs, n_c * n_ph))
            C = np.zeros((outs, n_r))
            cons = np.zeros_like(C)
            M = np.zeros((outs, n_e))
            stats = np.zeros(4)
            times = []
            for _ in range(6):
                t0 = now()
                leach_batch.run_batch(*args, t_out, rtol, atol, X, C, cons, M, stats)
                times.append(now() - t0)
            steps[rtol, outs] = tuple(stats[:3])
            v = M[-1, list(sc.elements).index("V")]
            print(f"    rtol {rtol:g}, outputs {outs:3d}: steps {stats[0]:4.0f} accepted "
                  f"{stats[1]:3.0f} rejected, {stats[2]:5.0f} RHS, "
                  f"{statistics.median(times[1:]) * 1e3:6.3f} ms, V dissolved {v:.9e} mol")
        same = steps[rtol, 97] == steps[rtol, 2]
        print(f"    rtol {rtol:g}: step and RHS counts for 97 and 2 outputs "
              f"{'equal' if same else 'DIFFER'}")
    tab.note("profile: steps, 97 outputs vs end time only",
             ", ".join(f"rtol {r:g}: {steps[r, 97][0]:.0f} vs {steps[r, 2][0]:.0f}"
                       for r in (sc.solver.rtol, 1e-6)))

    # the solver's own calls, replayed from the Python sources with a Newton counter
    t_out = simulate.output_times(sc)
    t0 = now()
    rp = solver_replay(args, t_out, sc.solver.rtol, sc.solver.atol)
    t_replay = now() - t0
    X = np.zeros((len(t_out), n_c * n_ph))
    C = np.zeros((len(t_out), n_r))
    stats = np.zeros(4)
    leach_batch.run_batch(*args, t_out, sc.solver.rtol, sc.solver.atol, X, C, np.zeros_like(C),
                          np.zeros((len(t_out), n_e)), stats)
    same = rp["status"] == 0 and np.array_equal(rp["stats"], stats)
    print(f"  Python replay of run_batch ({t_replay:.2f} s): {rp['stats'][0]:.0f} steps, "
          f"{len(rp['phis'])} _rhs calls, {len(rp['phi'])} xi_at_progress calls from _state; "
          f"stats {'identical to' if same else 'DIFFER from'} the compiled run, conversions "
          f"max |diff| {np.max(np.abs(rp['X'] - X)):.1e}")

    # micro-timings on the replayed inputs
    t0 = now()
    rhs_loop, state_loop, invert_loop = _micro_kernels()
    n_pop = n_c * n_ph
    phis, poly = rp["phis"], rp["poly"]
    rhs_ns = _per_call(rhs_loop, 20000, phis, a.primary, a.orders, a.amount, a.liquid, a.C0,
                       a.top_up, a.nu, poly) * 1e9
    state_ns = _per_call(state_loop, 20000, phis, poly) * 1e9
    print(f"  micro-timings (real kernel functions in uncached njit loops, compiled in "
          f"{now() - t0:.1f} s, not counted) on the replayed inputs, in solver order:")
    print(f"    _rhs   {rhs_ns / 1e3:7.3f} us per call ({rhs_ns / n_pop:5.0f} ns per population)"
          f"\n    _state {state_ns / 1e3:7.3f} us per call ({state_ns / n_pop:5.0f} ns per "
          f"population) = {100 * state_ns / rhs_ns:.0f} % of _rhs (the xi(phi) inversions)")
    names = [f"{ph.name} ({ph.kinetics.control})" for ph in sc.solid.reacting]
    parts = []
    for j in range(n_ph):
        sel = rp["pop"] % n_ph == j
        inv = _per_call(invert_loop, 200000, poly[rp["pop"][sel]], rp["phi"][sel],
                        rp["guess"][sel]) * 1e9
        its = rp["iterations"][sel]
        kind = names[j].split(" (")[1][:-1]
        if its.max() > 0:  # the closed forms return before the Newton loop
            parts.append(f"{kind} {inv:.0f} ns/{np.mean(its):.2f} it")
            detail = (f"Newton iterations per call median {np.median(its):.0f}, mean "
                      f"{np.mean(its):.2f}, max {its.max()}, {np.mean(its >= 10) * 100:.0f} % "
                      f">= 10")
        else:
            parts.append(f"{kind} {inv:.0f} ns (closed form)")
            detail = "closed form"
        print(f"    xi_at_progress, {names[j]:<32s} {inv:6.1f} ns per call ({sel.sum()} calls); "
              f"{detail}")
    tab.note("profile: _state share of _rhs; xi_at_progress",
             f"{100 * state_ns / rhs_ns:.0f} % of {rhs_ns / 1e3:.2f} us; " + ", ".join(parts))

    # Python overhead per scenario (run_leach_many minus the kernel)
    if thr is not None:
        n = thr["n"]
        scs = thr["scenarios"][:1000]
        m = len(scs)
        t0 = now()
        for _ in range(m):
            provenance()
        t_prov = (now() - t0) / m
        t0 = now()
        for s in scs:
            s.resolved()
        t_res = (now() - t0) / m
        e2e = statistics.median(thr["t_e2e"]) / n
        par = statistics.median(thr["t_par"]) / n
        parse = statistics.median(thr["t_parse"]) / n
        build = thr["t_build"] / n
        stack = thr["t_stack"] / n
        rest = e2e - par - build - stack - t_prov - t_res
        print(f"  Python overhead per scenario (run_leach_many = {e2e * 1e3:.3f} ms per scenario "
              f"at {thr['threads']} threads):")
        rows = [("bare kernel (parallel)", par), ("build_arrays", build),
                ("stacking (_kernel_args)", stack), ("_label: provenance()", t_prov),
                ("_label: Scenario.resolved()", t_res),
                ("remainder: rest of _label, checks", rest)]
        for label, t in rows:
            print(f"    {label:<34s} {t * 1e6:8.1f} us  {100 * t / e2e:5.1f} %")
        print(f"    (parse_scenario, before the call: {parse * 1e6:.1f} us per scenario)")
        tab.note("profile: run_leach_many per scenario",
                 f"{e2e * 1e3:.3f} ms = kernel {100 * par / e2e:.0f} %, provenance() "
                 f"{100 * t_prov / e2e:.0f} %, resolved() {100 * t_res / e2e:.0f} %, "
                 f"build+stack {100 * (build + stack) / e2e:.0f} %, rest {100 * rest / e2e:.0f} %")


# --------------------------------------------------------------------------- main
def machine() -> str:
    import numba

    try:
        aff = len(os.sched_getaffinity(0))
    except AttributeError:
        aff = os.cpu_count()
    return (f"os.cpu_count()={os.cpu_count()} (usable {aff}), {platform.platform()}, "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"numba {numba.__version__} ({numba.get_num_threads()} threads), "
            f"numpy {np.__version__}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 repeats (2 cold compiles), 1,000 scenarios")
    ap.add_argument("--repeats", type=int, help="repeats per figure (default 5, quick 3)")
    ap.add_argument("--compile-repeats", type=int,
                    help="cold/warm child pairs (default = repeats, quick 2)")
    ap.add_argument("--scenarios", type=int, help="batch size (default 10,000, quick 1,000)")
    ap.add_argument("--classes", type=int, default=5,
                    help="size classes of the batched scenario (default 5: 5 x 3 phases)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                    help="shipped scenario for the start-up figures")
    ap.add_argument("--skip", action="append", default=[], choices=("startup", "single",
                    "throughput", "profile"), help="leave out a section (repeatable)")
    ap.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    opt = ap.parse_args(argv)
    repeats = opt.repeats or (3 if opt.quick else 5)
    compile_repeats = opt.compile_repeats or (2 if opt.quick else repeats)
    n = opt.scenarios or (1000 if opt.quick else 10_000)

    import leachsim  # noqa: F401  (fail early if the package is not installed)

    mach = machine()
    print(f"leachsim speed benchmark{' (--quick)' if opt.quick else ''}\nmachine: {mach}")
    if "NUMBA_CACHE_DIR" in os.environ:
        print(f"NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}")
    tab = Table()
    load0 = loadavg()
    t_start = now()
    if "startup" not in opt.skip:
        bench_startup(tab, opt.config.resolve(), repeats, compile_repeats)
    if "single" not in opt.skip:
        bench_single(tab, 3 * repeats)
    thr = None
    if "throughput" not in opt.skip:
        thr = bench_throughput(tab, n, opt.classes, repeats, opt.seed)
    if "profile" not in opt.skip:
        bench_profile(tab, thr)
    tab.print(mach)
    print(f"(benchmark wall time {now() - t_start:.0f} s; {loadavg()} at the end; "
          f"{load0} at the start)")
    if opt.json:
        opt.json.write_text(json.dumps({"machine": mach, "quick": opt.quick,
                                        "figures": tab.data}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
