"""Run column scenarios through the compiled column kernel; breakthrough metrics.

Metrics per component, on the outlet history of the first section that feeds it
(C0 = its feed concentration there; the capacities assume that feed is constant, the
larger end of a ramp otherwise):

- t and bed volumes (BV = Q t / V_bed, cumulative) at C/C0 = 0.05, 0.1, 0.5, 0.9, 0.95
  (first crossing, linear interpolation);
- mass-transfer-zone length MTZ = L (t_0.95 - t_0.05) / t_0.95;
- dynamic capacity: amount captured until C/C0 = ``stop`` (default 0.05), per kg sorbent;
- equilibrium capacity: amount captured until the end of that section, per kg sorbent;
- bed utilisation = dynamic / equilibrium capacity;
- fraction captured until the stop criterion = captured / fed up to then.

Mass balance per component: fed - out - held, relative to fed, with fed exact for the
piecewise-constant inlet, out the integrated outlet flux and held the bed inventory.
"""
from __future__ import annotations

import numpy as np

from ..config.column import ColumnScenario
from ..kernels import binding as bd
from ..kernels import column as kc
from ..results import Results, Variable
from ..results.provenance import provenance
from ..leaching.simulate import SolverError

LEVELS = (0.05, 0.1, 0.5, 0.9, 0.95)
_PM = {"equilibrium": kc.SOLID, "lumped-rate": kc.SOLID, "lumped-rate-pores": kc.PORES,
       "general-rate": kc.GRM}
# per-component transport parameters and their rows of par
_TRANSPORT_ROWS = {"k_f": kc.P_FILM, "pore_diffusion": kc.P_DP, "surface_diffusion": kc.P_DS}
_STATUS = {kc.STATUS_STEP_UNDERFLOW: "step size underflow", kc.STATUS_NAN: "NaN in the solution",
           kc.STATUS_MAX_STEPS: f"more than {kc.MAX_STEPS} steps",
           kc.STATUS_SINGULAR: "singular iteration matrix"}


def kernel_inputs(sc: ColumnScenario) -> dict:
    """SI arrays for ``kernels.column.run_column``."""
    nc = len(sc.components)
    par = np.zeros((kc.N_PAR, nc))
    for k, comp in enumerate(sc.components):
        for key, value in sc.parameters.get(comp, {}).items():
            par[_TRANSPORT_ROWS[key] if key in _TRANSPORT_ROWS else bd.PARAM_ROWS[key], k] = value
    if sc.capacity is not None:
        par[bd.P_LAMBDA, 0] = sc.capacity
    code = bd.MODELS[sc.binding]
    t_sec = np.concatenate([[0.0], np.cumsum([s.duration for s in sc.inlet])])
    c_sec = np.array([[s.composition.get(c, 0.0) for c in sc.components] for s in sc.inlet])
    c_end = np.array([[s.composition_end.get(c, 0.0) for c in sc.components]
                      for s in sc.inlet])
    u_sec = np.array([s.flow_rate / (sc.area * sc.bed_porosity) for s in sc.inlet])
    t_out = np.linspace(0.0, t_sec[-1], sc.outputs)
    c_init = np.array([sc.initial.get(c, 0.0) for c in sc.components])
    q_init = np.zeros(nc)
    work = np.zeros(nc)
    bd.equilibrium(code, c_init, par, q_init, work)
    # scales for the absolute tolerance: the largest liquid and solid levels each state sees
    c_ref = np.maximum(np.maximum(c_sec.max(axis=0), c_end.max(axis=0)), c_init)
    c_ref = np.maximum(c_ref, 1e-6 * c_ref.max())
    q_ref = np.maximum(q_init, 0.0)
    for c_row in np.vstack([c_sec, c_end]):
        q = np.zeros(nc)
        bd.equilibrium(code, c_row, par, q, work)
        q_ref = np.maximum(q_ref, q)
    q_ref = np.maximum(q_ref, 1e-6 * max(q_ref.max(), c_ref.max()))
    pm = _PM[sc.particle_model]
    if sc.radial_scheme == "collocation":
        pm = kc.GRM_COLLOCATION
    rapid = 0 if sc.kinetic else 1
    nr = sc.radial_cells or 1
    pp = np.array([sc.particle_porosity or 0.0, sc.particle_radius or 0.0])
    K = sc.nodes_per_element
    scale = np.empty(sc.cells * K * kc.states_per_cell(pm, nc, nr, rapid) + nc)
    kc.atol_scale(pm, rapid, nr, sc.cells * K, sc.bed_porosity, pp, c_ref, q_ref,
                  c_ref * u_sec.max() * t_sec[-1], scale)
    return dict(L=sc.length, u_sec=u_sec, eps=sc.bed_porosity, D=sc.dispersion, n=sc.cells, K=K,
                code=code, pm=pm, rapid=rapid, nr=nr, pp=pp, par=par, t_sec=t_sec, c_sec=c_sec,
                c_end=c_end, c_init=c_init, q_init=q_init, t_out=t_out, scale=scale)


def run_column(sc: ColumnScenario, stop: float = 0.05) -> Results:
    """Simulate one column scenario; ``stop`` is the C/C0 of the capture criterion."""
    return run_columns([sc], stop)[0]


_PER_CASE = ("L", "u_sec", "eps", "D", "pp", "par", "t_sec", "c_sec", "c_end", "c_init",
             "q_init", "t_out", "t_prof", "scale")


def run_columns(scenarios: list[ColumnScenario], stop: float = 0.05) -> list[Results]:
    """Simulate many column scenarios.  Scenarios of equal structure (cells, components,
    binding and particle model, radial cells, sections, outputs, profiles, tolerances) run in
    one call of the parallel kernel ``run_column_many`` (a prange over ``run_column``); a single
    scenario calls ``run_column`` itself."""
    inputs = []
    for sc in scenarios:
        a = kernel_inputs(sc)
        a["t_prof"] = np.array(sc.profiles, float)
        inputs.append(a)
    groups: dict[tuple, list[int]] = {}
    for k, (sc, a) in enumerate(zip(scenarios, inputs)):
        key = (sc.cells, sc.nodes_per_element, len(sc.components), a["code"], a["pm"],
               a["rapid"], a["nr"], len(sc.inlet), sc.outputs, len(sc.profiles), sc.rtol, sc.atol)
        groups.setdefault(key, []).append(k)
    out: list[Results | None] = [None] * len(scenarios)
    for key, idx in groups.items():
        m = len(idx)
        first = inputs[idx[0]]
        nc = key[2]
        P = kc.physical_per_cell(first["pm"], nc, first["nr"])
        nodes = scenarios[idx[0]].cells * first["K"]
        c_out = np.zeros((m, scenarios[idx[0]].outputs, nc))
        prof = np.zeros((m, len(scenarios[idx[0]].profiles), nodes * P))
        y_end = np.zeros((m, nodes * P + nc))
        stats = np.zeros((m, 6))
        status = np.zeros(m, np.int64)
        arr = {name: np.ascontiguousarray(np.stack([np.asarray(inputs[k][name], float)
                                                    for k in idx])) for name in _PER_CASE}
        sc0 = scenarios[idx[0]]
        common = (first["n"], first["K"], first["code"], first["pm"], first["rapid"], first["nr"])
        if m == 1:
            status[0] = kc.run_column(
                arr["L"][0], arr["u_sec"][0], arr["eps"][0], arr["D"][0], *common, arr["pp"][0],
                arr["par"][0], arr["t_sec"][0], arr["c_sec"][0], arr["c_end"][0], arr["c_init"][0],
                arr["q_init"][0], arr["t_out"][0], arr["t_prof"][0], sc0.rtol, sc0.atol,
                arr["scale"][0], c_out[0], prof[0], y_end[0], stats[0])
        else:
            kc.run_column_many(arr["L"], arr["u_sec"], arr["eps"], arr["D"], *common, arr["pp"],
                               arr["par"], arr["t_sec"], arr["c_sec"], arr["c_end"], arr["c_init"],
                               arr["q_init"], arr["t_out"], arr["t_prof"], sc0.rtol, sc0.atol,
                               arr["scale"], c_out, prof, y_end, stats, status)
        for j, k in enumerate(idx):
            if status[j] != kc.STATUS_OK:
                raise SolverError(f"scenario '{scenarios[k].name}': "
                                  f"{_STATUS.get(int(status[j]), status[j])} at "
                                  f"t = {stats[j, 4]:.6g} s after {int(stats[j, 0])} steps")
            out[k] = _label(scenarios[k], inputs[k], c_out[j], prof[j], y_end[j], stats[j],
                            stop)
    return out  # type: ignore[return-value]


def bead_average(cells, pm, nc, nr):
    """(c_p, q) averaged over each bead, from rows in the physical layout (rows, P)."""
    m = kc.n_shells(pm, nr)
    v = kc.bead_fractions(pm, nr)
    cp = cells[:, nc:nc + m * nc].reshape(len(cells), m, nc)
    q = cells[:, nc + m * nc:].reshape(len(cells), m, nc)
    return np.einsum("j,rjk->rk", v, cp), np.einsum("j,rjk->rk", v, q)


def _per_bed_volume(cells, pm, nc, nr, eps, eps_p):
    """Amount per m^3 of bed in each row of the physical layout: bulk liquid, pore liquid
    and solid."""
    if pm == kc.SOLID:
        return eps * cells[:, :nc] + (1 - eps) * cells[:, nc:]
    cp, q = bead_average(cells, pm, nc, nr)
    return eps * cells[:, :nc] + (1 - eps) * (eps_p * cp + (1 - eps_p) * q)


def node_geometry(sc: ColumnScenario) -> tuple[np.ndarray, np.ndarray]:
    """Axial position of each node (m from the inlet) and the bed length it stands for (m):
    cell centres and widths, or (DG) each element's Legendre-Gauss-Lobatto nodes and their
    quadrature weights times dz/2, so that a sum over nodes integrates over the bed."""
    n, K = sc.cells, sc.nodes_per_element
    dz = sc.length / n
    if K == 1:
        return (np.arange(n) + 0.5) * dz, np.full(n, dz)
    x, w, _ = kc.lgl(K)
    z = (np.arange(n)[:, None] + 0.5 * (x[None, :] + 1.0)) * dz
    return z.ravel(), np.tile(0.5 * dz * w, n)


def first_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """First t where y reaches ``level`` (linear interpolation); nan if never."""
    above = np.nonzero(y >= level)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(t[0])
    return float(t[i - 1] + (level - y[i - 1]) * (t[i] - t[i - 1]) / (y[i] - y[i - 1]))


def _label(sc: ColumnScenario, a: dict, c_out, prof, y_end, stats, stop) -> Results:
    nc = len(sc.components)
    t = a["t_out"]
    # cumulative volume fed at each output time (exact for piecewise-constant flow)
    vol = np.zeros_like(t)
    for s_idx, sec in enumerate(sc.inlet):
        t0, t1 = a["t_sec"][s_idx], a["t_sec"][s_idx + 1]
        vol += sec.flow_rate * np.clip(t - t0, 0.0, t1 - t0)
    bv = vol / sc.bed_volume
    P = kc.physical_per_cell(a["pm"], nc, a["nr"])
    m = kc.n_shells(a["pm"], a["nr"])
    z, width = node_geometry(sc)
    nodes = len(z)
    A, eps = sc.area, sc.bed_porosity
    volumes = np.array([s.flow_rate * s.duration for s in sc.inlet])[:, None]
    fed = (0.5 * (a["c_sec"] + a["c_end"]) * volumes).sum(0)  # exact for linear ramps
    out = A * eps * y_end[nodes * P:]
    cells = y_end[:nodes * P].reshape(nodes, P)
    held = A * width @ _per_bed_volume(cells, a["pm"], nc, a["nr"], eps, sc.particle_porosity)
    start = np.concatenate([a["c_init"], np.tile(a["c_init"], m),
                            np.tile(a["q_init"], max(m, 1))])[None, :]
    held0 = A * sc.length * _per_bed_volume(start, a["pm"], nc, a["nr"], eps,
                                            sc.particle_porosity)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        # relative to what passed through or sat in the bed (a counter-ion may not be fed)
        closure = np.abs(fed + held0 - out - held) / np.maximum(fed, held0)
    sorbent_mass = sc.bed_volume * (1 - eps) * sc.sorbent_density
    rel = np.full_like(c_out, np.nan)
    metrics = {f"t_{lv:g}": np.full(nc, np.nan) for lv in LEVELS}
    metrics |= {f"bv_{lv:g}": np.full(nc, np.nan) for lv in LEVELS}
    for key in ("mtz_length", "dynamic_capacity", "equilibrium_capacity", "bed_utilisation",
                "captured_fraction"):
        metrics[key] = np.full(nc, np.nan)
    for k, comp in enumerate(sc.components):
        feeding = [i for i, s in enumerate(sc.inlet)
                   if max(s.composition.get(comp, 0.0), s.composition_end.get(comp, 0.0)) > 0]
        if not feeding:
            continue
        s0 = feeding[0]
        c0 = max(sc.inlet[s0].composition.get(comp, 0.0),
                 sc.inlet[s0].composition_end.get(comp, 0.0))
        t_start, t_stop = a["t_sec"][s0], a["t_sec"][s0 + 1]
        rel[:, k] = c_out[:, k] / c0
        win = (t >= t_start) & (t <= t_stop)
        for lv in LEVELS:
            tc = first_crossing(t[win], rel[win, k], lv)
            metrics[f"t_{lv:g}"][k] = tc
            metrics[f"bv_{lv:g}"][k] = np.interp(tc, t, bv) if np.isfinite(tc) else np.nan
        t05, t95 = metrics["t_0.05"][k], metrics["t_0.95"][k]
        metrics["mtz_length"][k] = sc.length * (t95 - t05) / (t95 - t_start)
        Q = sc.inlet[s0].flow_rate
        tw = t[win]

        def captured_until(t_end):
            mask = tw <= t_end
            tt = np.append(tw[mask], t_end)
            cc = np.append(c_out[win, k][mask], np.interp(t_end, tw, c_out[win, k]))
            return Q * (c0 * (t_end - t_start) - np.trapezoid(cc, tt))

        t_stop_crit = first_crossing(tw, rel[win, k], stop)
        t_crit = t_stop_crit if np.isfinite(t_stop_crit) else t_stop
        dyn = captured_until(t_crit)
        eq = captured_until(t_stop)
        metrics["dynamic_capacity"][k] = dyn / sorbent_mass
        metrics["equilibrium_capacity"][k] = eq / sorbent_mass
        metrics["bed_utilisation"][k] = dyn / eq if eq > 0 else np.nan
        metrics["captured_fraction"][k] = dyn / (Q * c0 * (t_crit - t_start))
    comps = list(sc.components)
    v = {
        "time": Variable(t, "s", ("time",), "time since the start of the first section"),
        "bed_volumes": Variable(bv, "1", ("time",), "cumulative feed volume / bed volume"),
        "outlet_concentration": Variable(c_out, "mol/m^3", ("time", "component"),
                                         "outlet concentration"),
        "outlet_relative": Variable(rel, "1", ("time", "component"),
                                    "C/C0, C0 = feed concentration of the first section feeding it"),
        "fed": Variable(fed, "mol", ("component",), "amount fed"),
        "eluted": Variable(out, "mol", ("component",), "amount left through the outlet"),
        "held": Variable(held, "mol", ("component",), "amount in the bed at the end"),
        "mass_balance_error": Variable(closure, "1", ("component",),
                                       "|fed + initial - out - held| / max(fed, initial)"),
        "section_start": Variable(a["t_sec"][:-1], "s", ("section",), "start of each section"),
    }
    if len(sc.profiles):
        rows = prof.reshape(len(sc.profiles) * nodes, P)
        cells_t = rows.reshape(len(sc.profiles), nodes, P)
        if a["pm"] == kc.SOLID:
            loading = cells_t[:, :, nc:]
        else:
            pore, loading = (x.reshape(len(sc.profiles), nodes, nc)
                             for x in bead_average(rows, a["pm"], nc, a["nr"]))
        v["profile_time"] = Variable(np.array(sc.profiles), "s", ("profile",),
                                     "times of the in-bed profiles")
        v["z"] = Variable(z, "m", ("cell",), "cell centre (DG: node), from the inlet")
        v["profile_bulk"] = Variable(cells_t[:, :, :nc], "mol/m^3", ("profile", "cell",
                                     "component"), "bulk liquid concentration in the bed")
        v["profile_held"] = Variable(
            A * np.stack([width @ _per_bed_volume(c, a["pm"], nc, a["nr"], eps,
                                                  sc.particle_porosity) for c in cells_t]),
            "mol", ("profile", "component"),
            "amount in the bed (liquid and solid) at each profile time")
        v["profile_loading"] = Variable(loading, "mol/m^3 solid",
                                        ("profile", "cell", "component"),
                                        "loading per volume of solid (bead average)")
        if a["pm"] != kc.SOLID:
            v["profile_pore"] = Variable(pore, "mol/m^3", ("profile", "cell", "component"),
                                         "pore liquid concentration (bead average)")
        if a["pm"] in (kc.GRM, kc.GRM_COLLOCATION):
            shape = (len(sc.profiles), nodes, m, nc)
            if a["pm"] == kc.GRM:
                r, what = (np.arange(m) + 0.5) * sc.particle_radius / m, "radial shell centre"
            else:
                r, what = np.sqrt(kc.radial_points(m)[0]) * sc.particle_radius, "collocation point"
            v["r"] = Variable(r, "m", ("shell",), f"{what} in a bead")
            v["profile_pore_radial"] = Variable(
                cells_t[:, :, nc:nc + m * nc].reshape(shape), "mol/m^3",
                ("profile", "cell", "shell", "component"), "pore liquid concentration per shell")
            v["profile_loading_radial"] = Variable(
                cells_t[:, :, nc + m * nc:].reshape(shape), "mol/m^3 solid",
                ("profile", "cell", "shell", "component"), "loading per shell")
    for key, val in metrics.items():
        unit = ("s" if key.startswith("t_") else "m" if key == "mtz_length" else
                "mol/kg" if key.endswith("capacity") else "1")
        v[key] = Variable(val, unit, ("component",), f"breakthrough metric {key}")
    scalars = {"mass_balance_error_max": (float(np.nanmax(closure)), "1"),
               "bed_volume": (sc.bed_volume, "m^3"), "sorbent_mass": (sorbent_mass, "kg"),
               "stop_level": (stop, "1"),
               "steps_accepted": (stats[0], "1"), "steps_rejected": (stats[1], "1"),
               "rhs_evaluations": (stats[2], "1"), "jacobian_evaluations": (stats[3], "1"),
               "lu_factorisations": (stats[5], "1")}
    for key, val in metrics.items():  # per-component metrics by name, for sweeps and tables
        for k, comp in enumerate(comps):
            scalars[f"{key}_{comp}"] = (float(val[k]), v[key].units)
    coords = {"component": comps, "target": list(sc.targets),
              "section": [s.name for s in sc.inlet]}
    return Results(kind="column", name=sc.name, coords=coords, variables=v, scalars=scalars,
                   config={"raw": sc.raw, "resolved": sc.resolved()},
                   provenance=provenance())
