"""Run leaching scenarios through the compiled kernels and label the outcome.

``run_leach(scenario)`` runs one scenario; ``run_leach_many(scenarios)``
runs a list in one parallel kernel call per group of equal structure (same
numbers of reagents, phases, elements and size classes, same reactor type),
which is what a sweep does.  Both give ``Results`` with SI units.
"""
from __future__ import annotations

import numpy as np

from ..config.scenario import Scenario
from ..kernels import leach_batch, leach_cascade
from ..results import Results, Variable
from ..results.provenance import provenance
from .model import LeachArrays, build_arrays, element_inventory

_STATUS = {
    leach_batch.STATUS_STEP_UNDERFLOW: "step size underflow",
    leach_batch.STATUS_NAN: "the solution became NaN",
    leach_batch.STATUS_MAX_STEPS: f"more than {leach_batch.MAX_STEPS} steps",
    leach_cascade.STATUS_NO_CONVERGENCE: "the tank balances did not converge",
}


class SolverError(RuntimeError):
    """A run that failed; the message names the scenario, what failed and where."""


def output_times(scenario: Scenario) -> np.ndarray:
    return np.linspace(0.0, scenario.leach.duration, scenario.leach.outputs)


def _stack(arrays: list[LeachArrays], name: str) -> np.ndarray:
    return np.ascontiguousarray(np.stack([np.asarray(getattr(a, name)) for a in arrays]))


def _kernel_args(arrays: list[LeachArrays]) -> list[np.ndarray]:
    names = ("T", "liquid", "C0", "top_up", "geom", "mask", "primary", "rho", "coef", "Ea",
             "T_ref", "orders", "nu", "release", "R0", "amount")
    return [_stack(arrays, n) for n in names]


def run_leach_many(scenarios: list[Scenario]) -> list[Results]:
    """Run many scenarios; each structure group is one ``prange`` kernel call."""
    groups: dict[tuple, list[int]] = {}
    built = [build_arrays(s) for s in scenarios]
    for k, (s, a) in enumerate(zip(scenarios, built)):
        key = (s.leach.type, a.structure,
               s.leach.outputs if s.leach.type == "batch" else s.leach.tanks,
               s.solver.rtol, s.solver.atol, s.solver.grid)
        groups.setdefault(key, []).append(k)
    out: list[Results | None] = [None] * len(scenarios)
    for key, idx in groups.items():
        group = [scenarios[k] for k in idx]
        arrays = [built[k] for k in idx]
        runner = _run_batch_group if key[0] == "batch" else _run_cascade_group
        for k, res in zip(idx, runner(group, arrays)):
            out[k] = res
    return out  # type: ignore[return-value]


def run_leach(scenario: Scenario) -> Results:
    """Run one leaching scenario (batch tank or tank cascade)."""
    return run_leach_many([scenario])[0]


def _outputs(n: int, n_points: int, a: LeachArrays):
    """Zeroed kernel outputs for n scenarios: X, C, consumed, M, stats, status."""
    n_r, n_ph, n_e, n_c = a.structure
    return (np.zeros((n, n_points, n_c * n_ph)), np.zeros((n, n_points, n_r)),
            np.zeros((n, n_points, n_r)), np.zeros((n, n_points, n_e)), np.zeros((n, 4)),
            np.zeros(n, np.int64))


def _check(status: np.ndarray, stats: np.ndarray, scenarios: list[Scenario], where: str) -> None:
    for s, code, st in zip(scenarios, status, stats):
        if code != 0:
            reason = _STATUS.get(int(code), f"status {int(code)}")
            raise SolverError(f"scenario '{s.name}': {reason} {where(st)}")


def _run_batch_group(scenarios: list[Scenario], arrays: list[LeachArrays]) -> list[Results]:
    n = len(scenarios)
    t_out = np.ascontiguousarray(np.stack([output_times(s) for s in scenarios]))
    X, C, cons, M, stats, status = _outputs(n, t_out.shape[1], arrays[0])
    s0 = scenarios[0].solver
    args = _kernel_args(arrays)
    if n == 1:  # the single-run kernel itself: no parallel machinery to compile or start
        status[0] = leach_batch.run_batch(*(a[0] for a in args), t_out[0], s0.rtol, s0.atol,
                                          X[0], C[0], cons[0], M[0], stats[0])
    else:
        leach_batch.run_batch_many(*args, t_out, s0.rtol, s0.atol, X, C, cons, M, stats, status)
    _check(status, stats, scenarios, lambda st: f"at t = {st[3]:.6g} s after {int(st[0])} steps")
    return [_label(s, a, t_out[k], X[k], C[k], cons[k], M[k], stats[k])
            for k, (s, a) in enumerate(zip(scenarios, arrays))]


def _run_cascade_group(scenarios: list[Scenario], arrays: list[LeachArrays]) -> list[Results]:
    n = len(scenarios)
    taus = np.ascontiguousarray(np.array([s.leach.residence_times for s in scenarios]))
    X, C, cons, M, stats, status = _outputs(n, scenarios[0].leach.tanks, arrays[0])
    args = _kernel_args(arrays)
    grid = scenarios[0].solver.grid
    if n == 1:
        status[0] = leach_cascade.run_cascade(*(a[0] for a in args), taus[0], grid, X[0], C[0],
                                              cons[0], M[0], stats[0])
    else:
        leach_cascade.run_cascade_many(*args, taus, grid, X, C, cons, M, stats, status)
    _check(status, stats, scenarios, lambda st: f"after {int(st[0])} balance evaluations")
    return [_label(s, a, np.cumsum(taus[k]), X[k], C[k], np.cumsum(cons[k], axis=0), M[k],
                   stats[k]) for k, (s, a) in enumerate(zip(scenarios, arrays))]


def _label(s: Scenario, a: LeachArrays, time, X, C, consumed, M, stats) -> Results:
    """Wrap kernel output as Results, with the mass balance computed independently."""
    batch = s.leach.type == "batch"
    phases = s.solid.reacting
    n_ph = len(phases)
    n_c = len(a.R0)
    elements = list(s.elements)
    initial = element_inventory(s, a.basis)  # mol (batch) or mol/s (cascade)
    # metal left in the solids, summed class by class from the unreacted fractions
    solids = np.tile(initial, (X.shape[0], 1))
    for i in range(n_c):
        for j, ph in enumerate(phases):
            n0 = a.amount[i * n_ph + j]
            for e, el in enumerate(elements):
                solids[:, e] -= n0 * ph.elements.get(el, 0.0) * X[:, i * n_ph + j]
    dissolved = M
    with np.errstate(invalid="ignore", divide="ignore"):
        extraction = np.where(initial > 0, dissolved / initial, 0.0)
        closure = np.abs(solids[-1] + dissolved[-1] - initial) / initial
    reagents = list(s.leach.leachant.reagents)
    molar = np.array([s.leach.leachant.molar_masses[r] for r in reagents])
    per_tonne = consumed * molar / a.basis * 1e3  # kg reagent per t solid
    axis = "time" if batch else "tank"
    flow = "" if batch else "/s"
    v = {
        axis: Variable(np.asarray(time, float), "s",
                       (axis,), "time since start" if batch else
                       "cumulative mean residence time at each tank's exit"),
        "conversion": Variable(X.reshape(len(time), n_c, n_ph), "1", (axis, "size_class", "phase"),
                               "fraction of each phase converted, by size class"),
        "extraction": Variable(extraction, "1", (axis, "element"),
                               "fraction of each element's initial amount in solution"),
        "leachate_concentration": Variable(
            dissolved / a.liquid, "mol/m^3", (axis, "element"),
            "element concentration in the leachate"),
        "dissolved": Variable(dissolved, "mol" + flow, (axis, "element"),
                              "amount of each element in solution"),
        "solids_remaining": Variable(solids, "mol" + flow, (axis, "element"),
                                     "amount of each element left in the solids"),
        "reagent_concentration": Variable(C, "mol/m^3", (axis, "reagent"),
                                          "free reagent concentration"),
        "reagent_consumed": Variable(consumed, "mol" + flow, (axis, "reagent"),
                                     "reagent consumed by the solids (cumulative)"),
        "reagent_consumption": Variable(per_tonne, "kg/t", (axis, "reagent"),
                                        "reagent consumed per tonne of solid (cumulative)"),
        "element_initial": Variable(initial, "mol" + flow, ("element",),
                                    "amount of each element in the fresh solid"),
        "mass_balance_error": Variable(closure, "1", ("element",),
                                       "|solids + leachate - initial| / initial at the end"),
        "class_diameter": Variable(2.0 * a.R0, "m", ("size_class",),
                                   "representative diameter of each size class"),
        "class_mass_fraction": Variable(np.asarray(s.solid.size.mass_fractions), "1",
                                        ("size_class",), "mass fraction of each size class"),
    }
    coords = {"element": elements, "reagent": reagents, "phase": [p.name for p in phases],
              "size_class": [f"{d * 1e6:.4g} um" for d in 2.0 * a.R0],
              "metal": list(s.metals), "target": list(s.targets)}
    if not batch:
        coords["tank"] = [str(k + 1) for k in range(len(time))]
    scalars = {
        "temperature": (s.leach.temperature, "K"),
        "solid_liquid_ratio": (s.leach.solid_liquid_ratio, "kg/m^3"),
        "solid_basis": (a.basis, "kg" + flow),
        "liquid_basis": (a.liquid, "m^3" + flow),
        "mass_balance_error_max": (float(np.nanmax(closure)) if len(closure) else 0.0, "1"),
    }
    # end-of-leach figures by name, for sweeps and tables (final time, or last tank)
    for e, el in enumerate(elements):
        scalars[f"extraction_{el}"] = (float(extraction[-1, e]), "1")
        scalars[f"leachate_concentration_{el}"] = (float(dissolved[-1, e] / a.liquid), "mol/m^3")
    for r_idx, r in enumerate(reagents):
        scalars[f"reagent_concentration_{r}"] = (float(C[-1, r_idx]), "mol/m^3")
        scalars[f"reagent_consumption_{r}"] = (float(per_tonne[-1, r_idx]), "kg/t")
    if batch:
        scalars |= {"steps_accepted": (stats[0], "1"), "steps_rejected": (stats[1], "1"),
                    "rhs_evaluations": (stats[2], "1")}
    else:
        scalars |= {"balance_evaluations": (stats[0], "1"),
                    "balance_residual_max": (stats[2], "1")}
    return Results(kind="leach-" + s.leach.type, name=s.name, coords=coords, variables=v,
                   scalars=scalars, config={"raw": s.raw, "resolved": s.resolved()},
                   provenance=provenance())
