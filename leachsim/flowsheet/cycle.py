"""The column cycle of a route: load to a stop criterion, then wash, elute, regenerate.

One cycle is simulated from fresh beds with the column solver (``leachsim.column``):

1. the stop time: for a breakthrough criterion, the train (``columns`` beds in series,
   simulated as one bed of the summed length with the same dispersion and cells per bed) is
   loaded until the criterion's component reaches C/C0 at the train outlet;
2. with more than one bed (lead-lag), the train is loaded again for exactly that time, which
   gives the raffinate and what the train holds;
3. the lead bed alone runs the whole cycle: load for the stop time, then every step, with
   in-bed inventories at each section boundary, so the amount leaving in each step is
   fed - change of inventory (exact: the kernel conserves mass, the split telescopes).

The lead bed's load is computed as if it were alone (its outlet boundary is Danckwerts rather
than the lag bed's inlet; the difference is of order 1/Peclet).  What the lag bed holds at the
stop is carried into the next cycle, where it becomes the lead: it is given the lead's fate
(the same split between eluate, other step outlets and resin), the steady-carousel assumption,
so every mol has one destination and the route balance closes.

Sorbent parameters refer to the sorbed species; for the feed they become conditional constants
with the fraction ``alpha`` of each component in species of the charge the sorbent takes
(``chemistry.speciation``): K, H and k_a times alpha, K_sel times alpha^z0 (mass action),
K_F times alpha^(1/n).  So a vanadium anion exchanger fed at a pH where V(V) is the cation
VO2+ loads less because the chemistry says so.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..column.simulate import first_crossing, kernel_inputs, run_column
from ..config.column import ColumnScenario, Section
from ..config.errors import ConfigError, Issue
from ..kernels import binding as bd
from ..leaching.simulate import SolverError
from ..results import Results
from .reagents import SOLUTION_IONS
from .scenario import RouteScenario, column_solver


class RouteError(SolverError):
    """A route that ran but could not complete a stage (named in the message)."""


@dataclass(frozen=True)
class CycleResult:
    components: tuple[str, ...]
    feed: dict[str, float]  # mol/m^3 entering the column in the load
    alpha: dict[str, float]  # fraction in the form the sorbent takes
    t_stop: float  # s
    load_volume: float  # m^3 per cycle
    fed: np.ndarray  # mol per cycle, load
    raffinate: np.ndarray  # mol per cycle leaving the train during the load
    lag_held: np.ndarray  # mol per cycle carried to the next cycle in the lag bed(s)
    lead_loaded: np.ndarray  # mol in the lead bed at the end of the load
    step_fed: np.ndarray  # [step, component] mol fed by each step
    step_out: np.ndarray  # [step, component] mol leaving in each step
    resin_final: np.ndarray  # mol left on the lead bed after the last step
    search: Results | None  # the breakthrough search run (train)
    lead: Results  # the lead bed's whole cycle
    closure: np.ndarray  # per component, relative


def conditional(column: ColumnScenario, alpha: dict[str, float]) -> dict:
    """Sorbent parameters made conditional on the feed's speciation (see module docstring)."""
    z0 = 1.0
    if column.counter_ion is not None:
        z0 = column.parameters.get(column.counter_ion, {}).get("z", 1.0)
    out = {}
    for comp, par in column.parameters.items():
        a = alpha.get(comp, 1.0)
        p = dict(par)
        for key in ("K", "H", "k_a"):
            if key in p and comp != column.counter_ion and not (
                    column.binding == "proton-langmuir" and comp == "H"):
                p[key] *= a
        if "K_sel" in p:
            p["K_sel"] *= a ** z0
        if "K_F" in p:
            p["K_F"] *= a ** (1.0 / p.get("n", 1.0))
        out[comp] = p
    return out


def _scenario(template: ColumnScenario, name: str, sections, beds: int, profiles, solver):
    return dataclasses.replace(
        template, name=name, inlet=tuple(sections), length=template.length * beds,
        cells=template.cells * beds, profiles=tuple(profiles), targets=(),
        rtol=solver["rtol"], atol=solver["atol"], outputs=solver["outputs"])


def step_composition(step, components) -> dict[str, float]:
    if step.reagent is not None:
        ions = SOLUTION_IONS[step.reagent]
        return {c: ions[c] * step.concentration for c in components if c in ions}
    return {c: v for c, v in step.composition.items() if c in components}


def distribution_ratio(column: ColumnScenario, feed: dict[str, float]) -> dict[str, float]:
    """q*/c (m^3 liquid per m^3 solid) of each component at the feed, by the binding model."""
    comps = column.components
    a = kernel_inputs(dataclasses.replace(
        column, inlet=(Section("feed", 1.0, 1.0, feed, feed),)))
    c = np.array([feed.get(k, 0.0) for k in comps])
    q = np.zeros(len(comps))
    bd.equilibrium(a["code"], c, a["par"], q, np.zeros(len(comps)))
    return {k: (q[i] / c[i] if c[i] > 0 else 0.0) for i, k in enumerate(comps)}


def run_cycle(sc: RouteScenario, feed: dict[str, float], alpha: dict[str, float]
              ) -> CycleResult:
    """Simulate one cycle of the route's column(s) on ``feed`` (mol/m^3 per component)."""
    col = dataclasses.replace(sc.column, parameters=conditional(sc.column, alpha))
    comps = col.components
    cyc = sc.cycle
    solver = column_solver(sc)
    load = cyc.load
    Q = load.flow_rate
    feed = {c: feed.get(c, 0.0) for c in comps}
    kd = distribution_ratio(col, feed)
    watch = load.stop_component or next((t for t in sc.targets if t in comps), None) or \
        next(c for c in comps if c != col.counter_ion)
    eps, eps_p = col.bed_porosity, col.particle_porosity or 0.0
    retention = (1 - eps) / eps * (eps_p + (1 - eps_p) * kd[watch])
    if feed[watch] <= 0:
        raise ConfigError([Issue("cycle.load.stop.component" if load.stop_component else
                                 "meta.targets", f"'{watch}' is not in the column feed "
                                 f"(0 mol/m^3 after leach, separation and conditioning)")],
                          sc.source)
    if retention < 1.0:
        raise ConfigError([Issue(f"sorbent.parameters.{watch}", (
            f"the column would never load {watch}: at the conditioned feed "
            f"({100 * alpha.get(watch, 1.0):.3g} % of {watch} in the form the sorbent takes) "
            f"q*/c = {kd[watch]:.3g}, a retention factor of {retention:.3g}, so {watch} "
            f"leaves with about {1 + retention:.3g} bed void volumes"))], sc.source)
    v_bed = col.bed_volume
    search = None
    if load.stop_kind == "breakthrough":
        t_cap = load.max_bed_volumes * v_bed / Q
        t_est = cyc.columns * v_bed * eps * (1.0 + retention) / Q
        t_run = min(t_cap, 3.0 * t_est)
        while True:
            search = run_column(_scenario(col, f"{sc.name}: load", [Section("load", t_run, Q,
                                feed, feed)], cyc.columns, (), solver))
            k = comps.index(watch)
            t_stop = first_crossing(search["time"], search["outlet_relative"][:, k],
                                    load.stop_value)
            if np.isfinite(t_stop) or t_run >= t_cap:
                break
            t_run = min(t_cap, 3.0 * t_run)
        if not np.isfinite(t_stop):
            raise RouteError(f"scenario '{sc.name}': {watch} did not reach C/C0 = "
                             f"{load.stop_value:g} within {load.max_bed_volumes:g} bed volumes "
                             f"(cycle.load.max_bed_volumes)")
    elif load.stop_kind == "bed_volumes":
        t_stop = load.stop_value * v_bed / Q
    else:
        t_stop = load.stop_value
    sections = [Section("load", t_stop, Q, feed, feed)]
    for st in cyc.steps:
        comp = step_composition(st, comps)
        sections.append(Section(st.name, st.volume / st.flow_rate, st.flow_rate, comp, comp))
    bounds = np.concatenate([[0.0], np.cumsum([s.duration for s in sections])])
    lead = run_column(_scenario(col, f"{sc.name}: lead bed cycle", sections, 1, bounds, solver))
    held = lead["profile_held"]  # [boundary, component]
    fed_sec = np.array([[s.flow_rate * s.duration * s.composition.get(c, 0.0) for c in comps]
                        for s in sections])
    out_sec = fed_sec + held[:-1] - held[1:]
    if cyc.columns > 1:
        train = run_column(_scenario(col, f"{sc.name}: train load", sections[:1], cyc.columns,
                                     (0.0,), solver))
        raffinate = train["eluted"]
        lag_held = train["held"] - held[1] - (train["profile_held"][0] - held[0])
        closure = train["mass_balance_error"]
    else:
        raffinate = out_sec[0]
        lag_held = np.zeros(len(comps))
        closure = lead["mass_balance_error"]
    closure = np.nan_to_num(np.fmax(closure, lead["mass_balance_error"]))  # 0/0: not present
    return CycleResult(comps, feed, {c: alpha.get(c, 1.0) for c in comps}, t_stop, Q * t_stop,
                       fed_sec[0], raffinate, lag_held, held[1], fed_sec[1:], out_sec[1:],
                       held[-1], search, lead, closure)
