"""Column solver (first slice: LDF and Langmuir-kinetic solids) against analytical solutions:
the advection-dispersion equation (Brenner), Thomas's exact solution, equilibrium-theory
shock and roll-up, grid convergence, and the mass balance."""
import math
import tomllib

import numpy as np
import pytest

import leachsim
import naive_column as ref
from leachsim.kernels import binding as bd
from leachsim.column.simulate import node_geometry
from leachsim.config import ConfigError
from leachsim.config.scenario import scenario_from_raw
from leachsim.kernels import column as kc

from conftest import CONFIGS

L, EPS = 0.1, 0.4
F = (1 - EPS) / EPS


def simulate(u, D, n, code, params, c0, t_end, outputs=401, rtol=1e-7, atol=1e-9,
             pores=None, c_init=None, capacity=None, pm=None, rapid=0, nr=1, K=1):
    """Step feed c0 (one value per component) into the bed; outlet and mass balance.
    ``pores = (eps_p, R_p)`` selects the lumped rate model with pores (or ``pm``, e.g. the
    general rate model with ``nr`` shells); ``rapid = 1`` binding in rapid equilibrium;
    the bed starts with liquid c_init (default clean) and the solid in equilibrium with it.
    ``params`` maps binding names and k_f, D_p, D_s to per-component values."""
    nc = len(c0)
    par = np.zeros((kc.N_PAR, nc))
    rows = {"k_f": kc.P_FILM, "D_p": kc.P_DP, "D_s": kc.P_DS}
    for key, value in params.items():
        par[rows[key] if key in rows else bd.PARAM_ROWS[key]] = value
    if capacity is not None:
        par[bd.P_LAMBDA, 0] = capacity
    if pm is None:
        pm = kc.SOLID if pores is None else kc.PORES
    pp = np.zeros(2) if pores is None else np.array(pores, float)
    c_init = np.zeros(nc) if c_init is None else np.asarray(c_init, float)
    q_init = np.zeros(nc)
    bd.equilibrium(code, c_init, par, q_init, np.zeros(nc))
    c_sec = np.array([c0], float)
    t_sec = np.array([0.0, t_end])
    t_out = np.linspace(0.0, t_end, outputs)
    S = kc.states_per_cell(pm, nc, nr, rapid)
    P = kc.physical_per_cell(pm, nc, nr)
    nn = n * K  # axial nodes
    scale = np.ones(nn * S + nc)
    q_scale = np.maximum(np.maximum(par[bd.P_QMAX], par[bd.P_H] * c_sec[0]), q_init) + 1e-30
    if capacity is not None:
        q_scale[:] = capacity
    kc.atol_scale(pm, rapid, nr, nn, EPS, pp, np.ones(nc), q_scale,
                  u * t_end * np.maximum(c_sec[0], 1e-3), scale)
    c_out = np.zeros((outputs, nc))
    y = np.zeros(nn * P + nc)
    st = np.zeros(6)
    status = kc.run_column(L, np.array([u]), EPS, D, n, K, code, pm, rapid, nr, pp, par, t_sec,
                           c_sec, c_sec, c_init, q_init, t_out, np.zeros(0), rtol, atol, scale,
                           c_out, np.zeros((0, nn * P)), y, st)
    assert status == 0
    simulate.stats = st
    # bed volume per node: the cell width, or (DG) the quadrature weight of the node
    dz = np.full(nn, L / n) if K == 1 else np.tile(kc.lgl(K)[1] * L / (2 * n), n)
    cells = y[:nn * P].reshape(nn, P)
    if pm == kc.SOLID:
        per_bed = cells[:, :nc] + F * cells[:, nc:]
    else:
        m = kc.n_shells(pm, nr)
        v = kc.bead_fractions(pm, nr)
        eps_p = pores[0]
        cp = cells[:, nc:nc + m * nc].reshape(nn, m, nc)
        q = cells[:, nc + m * nc:].reshape(nn, m, nc)
        per_bed = (cells[:, :nc] + F * np.einsum("j,ijk->ik", v, eps_p * cp + (1 - eps_p) * q))
    held = dz @ per_bed
    start = L * (c_init + (F * q_init if pores is None else
                           F * pores[0] * c_init + F * (1 - pores[0]) * q_init))
    fed = u * t_end * c_sec[0]
    closure = np.abs(fed + start - y[nn * P:] - held) / np.maximum(fed, start)
    return t_out, c_out, closure


def test_tracer_matches_brenner_and_converges_at_second_order():
    """No sorption (H = 0): outlet against Brenner's series; error falls ~4x per grid halving."""
    u, D = 1e-3, 2e-6  # Pe = 50
    errors = []
    for n in (40, 80, 160):
        t, c, closure = simulate(u, D, n, bd.LINEAR, {"H": [0.0], "k_ldf": [1.0]},
                                 [1.0], 300.0)
        exact = ref.ade_outlet_danckwerts(t, L, u, D, 1.0, 1.0)
        errors.append(np.max(np.abs(c[:, 0] - exact)))
        assert closure.max() < 1e-6
    order = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < 2e-3, errors
    assert order.min() > 1.7, (errors, order)


def test_linear_retardation_matches_brenner():
    """Linear isotherm with fast LDF: the front is retarded by R = 1 + F H (local equilibrium)."""
    u, D, H = 1e-3, 2e-6, 2.0
    R = 1 + F * H
    t, c, closure = simulate(u, D, 160, bd.LINEAR, {"H": [H], "k_ldf": [50.0]},
                             [1.0], 300.0 * R)
    exact = ref.ade_outlet_danckwerts(t, L, u, D, R, 1.0)
    assert np.max(np.abs(c[:, 0] - exact)) < 5e-3
    assert closure.max() < 1e-6


def test_thomas_exact_solution():
    """Second-order reversible Langmuir kinetics without dispersion (Thomas 1944)."""
    u, q_max, k_a, k_d, c0 = 1e-3, 100.0, 2e-3, 1e-3, 1.0
    p = ref.thomas_parameters(L, u, EPS, q_max, k_a, k_d, c0)
    t_end = 2.0 * p["t_stoich"]
    t, c, closure = simulate(u, 0.0, 400, bd.KINETIC_LANGMUIR,
                             {"q_max": [q_max], "k_a": [k_a], "k_d": [k_d]}, [c0], t_end)
    exact = ref.thomas_outlet(t, L, u, EPS, q_max, k_a, k_d, c0)
    assert np.max(np.abs(c[:, 0] - exact)) < 1e-2
    assert closure.max() < 1e-6


def test_langmuir_shock_arrival():
    """Fast LDF, little dispersion: C/C0 = 0.5 arrives at the equilibrium-theory shock time."""
    u, q_max, K, c0 = 1e-3, 100.0, 0.5, 1.0
    t_shock = ref.langmuir_shock_time(L, u, EPS, q_max, K, c0)
    t, c, closure = simulate(u, 1e-6, 120, bd.LANGMUIR,
                             {"q_max": [q_max], "K": [K], "k_ldf": [1.0]}, [c0], 1.5 * t_shock,
                             outputs=3001, rtol=1e-5, atol=1e-7)
    t_half = np.interp(0.5, c[:, 0], t)
    assert t_half == pytest.approx(t_shock, rel=5e-3)
    assert closure.max() < 1e-6


def test_binary_langmuir_rollup():
    """Competitive Langmuir: the weaker component rolls up (C/C0 > 1) to the coherence plateau
    between the two shocks."""
    u, qm, K1, K2, c1, c2 = 1e-3, 100.0, 0.2, 1.0, 1.0, 1.0
    sol = ref.binary_langmuir_rollup(L, u, EPS, qm, K1, qm, K2, c1, c2)
    t_end = 1.3 * sol.t_rear
    t, c, closure = simulate(u, 1e-6, 120, bd.LANGMUIR,
                             {"q_max": [qm, qm], "K": [K1, K2], "k_ldf": [1.0, 1.0]},
                             [c1, c2], t_end, outputs=3001, rtol=1e-5, atol=1e-7)
    mid = (t > 1.1 * sol.t_front) & (t < 0.9 * sol.t_rear)
    assert np.median(c[mid, 0]) == pytest.approx(sol.c1_plateau, rel=1e-2)
    assert c[mid, 0].max() > 1.2 * c1  # the roll-up
    assert np.interp(0.5 * sol.c1_plateau, c[:, 0], t) == pytest.approx(sol.t_front, rel=1e-2)
    assert closure.max() < 1e-6


def test_column_scenario_file_runs(tmp_path):
    """The shipped column scenario: validates, runs, closes its balance, orders its metrics;
    its in-bed profiles agree with the outlet history and the bed inventory."""
    sc = leachsim.load_scenario(CONFIGS / "column_cobalt_tea_leaves.toml")
    res = leachsim.run(sc)
    # a profile at the last output time: its last cell is the outlet's upwind cell, and
    # the bed holds what went in and did not come out
    tp = res["profile_time"]
    assert res["profile_bulk"].shape == (len(tp), sc.cells, 1)
    k = int(np.argmin(np.abs(tp - res["time"][-1])))
    assert tp[k] == res["time"][-1]
    held = res["held"][0]
    dz = sc.length / sc.cells
    inv = sc.area * dz * (sc.bed_porosity * res["profile_bulk"][k, :, 0].sum()
                          + (1 - sc.bed_porosity) * res["profile_loading"][k, :, 0].sum())
    assert inv == pytest.approx(held, rel=1e-9)
    assert res.scalar("mass_balance_error_max") < 1e-6
    assert res["bv_0.05"][0] < res["bv_0.5"][0] < res["bv_0.95"][0]
    assert 0 < res["bed_utilisation"][0] <= 1
    # equilibrium capacity = Langmuir loading at C0 per kg of sorbent (1e-3 relative)
    p = sc.parameters["Co"]
    c0 = sc.inlet[0].composition["Co"]
    q0 = p["q_max"] * (p["k_a"] / p["k_d"]) * c0 / (1 + p["k_a"] / p["k_d"] * c0)
    assert res["equilibrium_capacity"][0] == pytest.approx(q0 / sc.sorbent_density, rel=2e-2)
    back = leachsim.load(leachsim.save(res, tmp_path / "c.h5"))
    np.testing.assert_array_equal(back["outlet_concentration"], res["outlet_concentration"])


def test_dg_column_scenario_runs_and_matches_finite_volumes():
    """[column] scheme = "dg": the shipped column run on 8 P4 elements gives the breakthrough
    of its 120 finite-volume cells, its node-weighted inventory equals the held amount, and
    keys that belong to the other scheme are refused with their path."""
    raw = tomllib.loads((CONFIGS / "column_cobalt_tea_leaves.toml").read_text())
    fv = leachsim.run(leachsim.load_scenario(CONFIGS / "column_cobalt_tea_leaves.toml"))
    del raw["column"]["cells"]
    raw["column"] |= {"scheme": "dg", "elements": 8, "polynomial_degree": 4}
    sc = scenario_from_raw(raw, "dg.toml")
    assert (sc.cells, sc.nodes_per_element) == (8, 5)
    res = leachsim.run(sc)
    assert res.scalar("mass_balance_error_max") < 1e-9  # measured 4e-15
    # measured: BV at C/C0 = 0.05, 0.5, 0.95 within 0.3 of the 120-cell run (of ~270)
    for lv in ("0.05", "0.5", "0.95"):
        assert res[f"bv_{lv}"][0] == pytest.approx(fv[f"bv_{lv}"][0], rel=3e-3)
    k = -1  # the last profile: node-weighted inventory = what the bed holds
    z, width = node_geometry(sc)
    assert res["z"] == pytest.approx(z) and res["profile_bulk"].shape[1] == 40
    inv = sc.area * width @ (sc.bed_porosity * res["profile_bulk"][k, :, 0]
                             + (1 - sc.bed_porosity) * res["profile_loading"][k, :, 0])
    assert res["profile_time"][k] == res["time"][-1]
    assert inv == pytest.approx(res["held"][0], rel=1e-9)
    raw["column"]["cells"] = 50
    with pytest.raises(ConfigError) as err:
        scenario_from_raw(raw, "dg.toml")
    assert "column.cells" in str(err.value) and "elements" in str(err.value)


def test_pores_with_fast_film_equal_lumped_rate_model():
    """Lumped rate model with pores, fast film: the pore liquid adds eps_p to the capacity, so
    it equals the model without pores with H_eff = eps_p + (1 - eps_p) H (a different set of
    equations and states); and its mean residence time is the first moment
    (L/u)(1 + F (eps_p + (1 - eps_p) H)), which the stationary-phase capacity fixes."""
    u, D, H, eps_p = 1e-3, 2e-6, 2.0, 0.5
    R = 1 + F * (eps_p + (1 - eps_p) * H)
    t_end = 300.0 * R
    t, c_p, closure = simulate(u, D, 120, bd.LINEAR, {"H": [H], "k_ldf": [50.0],
                               "k_f": [1e-2]}, [1.0], t_end, pores=(eps_p, 1e-4))
    H_eff = eps_p + (1 - eps_p) * H
    _, c_l, _ = simulate(u, D, 120, bd.LINEAR, {"H": [H_eff], "k_ldf": [50.0]}, [1.0],
                         t_end)
    assert np.max(np.abs(c_p[:, 0] - c_l[:, 0])) < 5e-3
    assert closure.max() < 1e-6
    mean_time = np.trapezoid(1.0 - c_p[:, 0], t)  # first moment of a step response
    assert mean_time == pytest.approx(L / u * R, rel=2e-3)


def test_film_resistance_spreads_the_front():
    """A slow film broadens the breakthrough without moving its mean (same capacity)."""
    u, D, H, eps_p = 1e-3, 2e-6, 2.0, 0.5
    R = 1 + F * (eps_p + (1 - eps_p) * H)
    t_end = 1000.0 * R  # long enough for the slow-film tail to finish (first moment)
    curves = []
    for k_f in (1e-2, 3e-7):  # film rate (3/R_p) k_f: 300/s, then 9e-3/s
        t, c, closure = simulate(u, D, 80, bd.LINEAR,
                                 {"H": [H], "k_ldf": [50.0], "k_f": [k_f]}, [1.0], t_end,
                                 pores=(eps_p, 1e-4), outputs=2001)
        curves.append(c[:, 0])
        assert closure.max() < 1e-6
        assert np.trapezoid(1.0 - c[:, 0], t) == pytest.approx(L / u * R, rel=5e-3)
    width = [np.interp(0.9, cc, t) - np.interp(0.1, cc, t) for cc in curves]
    assert width[1] > 1.5 * width[0]


def test_heterovalent_ion_exchange_against_equilibrium_theory():
    """Ca2+ and K+ displacing Na+ from a Na-form resin (mass action, valences 1 and 2).
    Equilibrium theory: the Ca front (Ca absent ahead of it) arrives at
    t = (L/u)(1 + F q*_Ca(feed)/c_Ca,feed); the weaker K+ rolls up ahead of it; at the end
    the bed holds c_feed + F q*(feed) per unit length, q* from an independent brentq solve
    (tests/naive_binding.py); the resin stays electroneutral."""
    import naive_binding

    z = np.array([1.0, 1.0, 2.0])  # Na (counter-ion), K, Ca
    K_sel = np.array([1.0, 2.0, 5.0])
    lam = 1000.0  # eq per m^3 solid
    feed = np.array([10.0, 2.0, 2.0])  # mol/m^3
    q_feed = naive_binding.ix_equilibrium(feed, z, K_sel, lam)
    u = 1e-3
    t_ca = L / u * (1 + F * q_feed[2] / feed[2])
    t_end = 1.6 * t_ca
    params = {"z": z, "K_sel": K_sel, "k_ldf": [0.0, 2.0, 2.0]}
    t, c, closure = simulate(u, 1e-7, 40, bd.MASS_ACTION_IX, params, feed, t_end,
                             outputs=801, rtol=1e-6, atol=1e-8, c_init=[10.0, 0.0, 0.0],
                             capacity=lam)
    assert closure.max() < 1e-6
    assert np.interp(0.5, c[:, 2] / feed[2], t) == pytest.approx(t_ca, rel=2e-2)
    assert c[:, 1].max() > 1.3 * feed[1]  # K+ roll-up between the fronts
    np.testing.assert_allclose(c[-1], feed, rtol=1e-3)  # saturated: outlet = feed


def test_bad_column_scenario_lists_every_problem():
    """Wrong binding name, missing and unknown parameters, unknown component: one message."""
    import tomllib

    from leachsim.config import ConfigError
    from leachsim.config.column import parse_column_scenario

    raw = tomllib.loads((CONFIGS / "column_cobalt_tea_leaves.toml").read_text())
    raw["sorbent"]["binding"] = "langmuir-kinetc"
    with pytest.raises(ConfigError, match="did you mean 'langmuir-kinetic'"):
        parse_column_scenario(raw)
    raw["sorbent"]["binding"] = "mass-action-ix"  # needs z, K_sel, k_ldf, capacity, counter_ion
    raw["inlet"][0]["composition"]["Xq"] = "1 mg/L"
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(raw)
    paths = {i.path for i in info.value.issues}
    assert {"sorbent.counter_ion", "sorbent.capacity", "sorbent.parameters.Co.z",
            "sorbent.parameters.Co.k_a", "inlet[0].composition.Xq"} <= paths


def test_batched_columns_equal_single_runs():
    """run_columns runs equal-structure scenarios in one parallel kernel call; each result is
    the single run's, bit for bit."""
    from leachsim.column import run_column, run_columns

    sc = leachsim.load_scenario(CONFIGS / "column_cobalt_tea_leaves.toml")
    variants = [sc.with_value("inlet[0].flow_rate", f"{q} mL/min") for q in (4, 5, 6)]
    batch = run_columns(variants)
    for s, r in zip(variants, batch):
        single = run_column(s)
        np.testing.assert_array_equal(r["outlet_concentration"], single["outlet_concentration"])
    assert batch[0]["bv_0.5"][0] != batch[2]["bv_0.5"][0]


def test_ramped_inlet_arrives_delayed_and_balances():
    """A linear inlet ramp 0 -> 1 over the section through a non-retaining bed with little
    dispersion leaves the bed as the same ramp delayed by L/u; fed = Q c_mean t exactly."""
    import tomllib

    from leachsim.config.column import parse_column_scenario

    raw = tomllib.loads((CONFIGS / "column_cobalt_tea_leaves.toml").read_text())
    raw["sorbent"]["binding"] = "linear"
    raw["sorbent"]["parameters"]["Co"] = {"H": 0.0, "k_ldf": "1 1/s"}
    raw["column"]["dispersion"] = "1e-9 m^2/s"
    raw["column"]["cells"] = 200
    raw["inlet"][0] |= {"duration": "2 h", "composition": {"Co": "0 mg/L"},
                        "composition_end": {"Co": "100 mg/L"}}
    raw["solver"] = {"rtol": 1e-8, "atol": 1e-10, "outputs": 241}
    sc = parse_column_scenario(raw)
    res = leachsim.run(sc)
    u = sc.inlet[0].flow_rate / (sc.area * sc.bed_porosity)
    t = res["time"]
    T = sc.inlet[0].duration
    expected = np.clip((t - sc.length / u) / T, 0.0, None)
    late = t > 2 * sc.length / u
    assert np.max(np.abs(res["outlet_relative"][late, 0] - expected[late])) < 2e-3
    assert res.scalar("mass_balance_error_max") < 1e-8


# ------------------------------------------------------------------ general rate model
GRM_CASE = dict(u=1e-3, D=2e-6, eps_p=0.5, R_p=1e-4, k_f=1e-5, D_p=1e-10, H=2.0)


def _grm_linear(nr, n=80, rapid=0, k=0.5, D_s=0.0, outputs=3001):
    """GRM, linear isotherm, step feed: outlet, closure, and the Laplace-domain reference."""
    g = GRM_CASE
    D_e = g["eps_p"] * g["D_p"] + (1 - g["eps_p"]) * D_s * g["H"]
    k_ref = math.inf if rapid else k
    mu1, var = ref.grm_moments(L, g["u"], EPS, g["D"], g["eps_p"], g["R_p"], g["k_f"], D_e,
                               g["H"], k_ref)
    t, c, closure = simulate(g["u"], g["D"], n, bd.LINEAR,
                             {"H": [g["H"]], "k_ldf": [k], "k_f": [g["k_f"]], "D_p": [g["D_p"]],
                              "D_s": [D_s]}, [1.0], 6 * mu1, outputs=outputs,
                             pores=(g["eps_p"], g["R_p"]), pm=kc.GRM, nr=nr, rapid=rapid)
    exact = ref.grm_outlet_laplace(t, L, g["u"], EPS, g["D"], g["eps_p"], g["R_p"], g["k_f"],
                                   D_e, g["H"], 1.0, k_ref)
    m1 = np.trapezoid(1.0 - c[:, 0], t)  # moments of the impulse response from the step's
    m2 = np.trapezoid(2.0 * t * (1.0 - c[:, 0]), t)
    return dict(mu1=m1, var=m2 - m1 ** 2, mu1_ref=mu1, var_ref=var, closure=closure.max(),
                err=np.max(np.abs(c[:, 0] - exact)))


def test_grm_linear_moments_and_laplace_solution_converge_radially():
    """General rate model, linear LDF binding (k = 0.5/s), film and pore diffusion: the mean
    residence time equals Kucera's first moment (L/u)(1 + F(eps_p + (1 - eps_p) H)) to 1e-5;
    the variance (axial dispersion + film + pore diffusion + binding kinetics) and the whole
    curve (de Hoog inversion of the closed-form transfer function) converge at second order
    in the radial shells: variance error 23%, 5.7%, 1.4%, 0.36% and max |delta C/C0|
    0.036, 0.0098, 0.0023, 6e-4 for 2, 4, 8, 16 shells (80 axial cells)."""
    runs = [_grm_linear(nr) for nr in (2, 4, 8, 16)]
    var_err = np.array([abs(r["var"] / r["var_ref"] - 1) for r in runs])
    curve_err = np.array([r["err"] for r in runs])
    for r in runs:
        assert r["mu1"] == pytest.approx(r["mu1_ref"], rel=1e-5)
        assert r["closure"] < 1e-6
    assert np.all(var_err[:-1] / var_err[1:] > 3.5), var_err  # second order: ~4x per halving
    assert np.all(curve_err[:-1] / curve_err[1:] > 3.0), curve_err
    assert var_err[-1] < 5e-3 and curve_err[-1] < 1e-3, (var_err, curve_err)


def test_grm_rapid_equilibrium_with_surface_diffusion_matches_laplace_solution():
    """Rapid-equilibrium linear binding with pore and surface diffusion: the bead's effective
    diffusivity is eps_p D_p + (1 - eps_p) D_s H, and the outlet converges to the Laplace
    solution with it (max |delta C/C0| 8e-3, 1.8e-3, 3.2e-4 for 4, 8, 16 shells); the
    first moment holds to 1e-5 and the balance closes."""
    runs = [_grm_linear(nr, rapid=1, D_s=2e-11) for nr in (4, 8, 16)]
    err = np.array([r["err"] for r in runs])
    assert np.all(err[:-1] / err[1:] > 3.5), err
    assert err[-1] < 5e-4, err
    for r in runs:
        assert r["mu1"] == pytest.approx(r["mu1_ref"], rel=1e-5)
        assert r["closure"] < 1e-6


def test_grm_limits_fast_pore_diffusion_and_fast_binding():
    """GRM limits.  (1) Pore diffusion 1e5x faster: the lumped rate model with pores (same
    film, Langmuir LDF), to 1e-5 in C/C0.  (2) Binary competitive Langmuir with LDF rate
    1e3/s against the same isotherm in rapid equilibrium (a different state set: totals,
    c recovered by Newton): agree to 2e-5 in C/C0 (the difference is O(1/k))."""
    u, R_p, eps_p, k_f = 1e-3, 1e-4, 0.5, 1e-5
    p = {"q_max": [100.0], "K": [0.5], "k_ldf": [0.05], "k_f": [k_f]}
    _, c_grm, cl_grm = simulate(u, 2e-6, 60, bd.LANGMUIR, p | {"D_p": [1e-5]}, [1.0], 3000.0,
                                outputs=601, pores=(eps_p, R_p), pm=kc.GRM, nr=4)
    _, c_lrmp, _ = simulate(u, 2e-6, 60, bd.LANGMUIR, p, [1.0], 3000.0, outputs=601,
                            pores=(eps_p, R_p))
    assert np.max(np.abs(c_grm - c_lrmp)) < 1e-5
    assert cl_grm.max() < 1e-6
    p2 = {"q_max": [100.0, 100.0], "K": [0.2, 1.0], "k_ldf": [1e3, 1e3], "k_f": [k_f, k_f],
          "D_p": [1e-10, 1e-10]}
    runs = [simulate(u, 1e-6, 60, bd.LANGMUIR, p2, [1.0, 1.0], 2500.0, outputs=1001,
                     pores=(eps_p, R_p), pm=kc.GRM, nr=6, rapid=rapid, rtol=1e-6, atol=1e-8)
            for rapid in (0, 1)]
    assert np.max(np.abs(runs[0][1] - runs[1][1])) < 2e-5
    assert runs[0][1][:, 0].max() > 1.1  # the weaker metal rolls up
    for r in runs:
        assert r[2].max() < 1e-6


# ------------------------------------------------------------------ local equilibrium
def test_local_equilibrium_langmuir_shock_arrival():
    """Equilibrium model (no pores, q = q*(c) at once, little dispersion): C/C0 = 0.5 arrives
    at the equilibrium-theory shock time (L/u)(1 + F q_max K/(1 + K c0)) to 5e-3."""
    u, q_max, K, c0 = 1e-3, 100.0, 0.5, 1.0
    t_shock = ref.langmuir_shock_time(L, u, EPS, q_max, K, c0)
    t, c, closure = simulate(u, 1e-6, 120, bd.LANGMUIR, {"q_max": [q_max], "K": [K]}, [c0],
                             1.5 * t_shock, outputs=3001, rtol=1e-5, atol=1e-7, rapid=1)
    assert np.interp(0.5, c[:, 0], t) == pytest.approx(t_shock, rel=5e-3)
    assert closure.max() < 1e-6


def test_local_equilibrium_binary_rollup():
    """Equilibrium model, competitive Langmuir: the plateau of the weaker component between
    the shocks (coherence / h-transformation) to 1e-2, its front to 1e-2, mass to 1e-6."""
    u, qm, K1, K2, c1, c2 = 1e-3, 100.0, 0.2, 1.0, 1.0, 1.0
    sol = ref.binary_langmuir_rollup(L, u, EPS, qm, K1, qm, K2, c1, c2)
    t, c, closure = simulate(u, 1e-6, 120, bd.LANGMUIR, {"q_max": [qm, qm], "K": [K1, K2]},
                             [c1, c2], 1.3 * sol.t_rear, outputs=3001, rtol=1e-5, atol=1e-7,
                             rapid=1)
    mid = (t > 1.1 * sol.t_front) & (t < 0.9 * sol.t_rear)
    assert np.median(c[mid, 0]) == pytest.approx(sol.c1_plateau, rel=1e-2)
    assert np.interp(0.5 * sol.c1_plateau, c[:, 0], t) == pytest.approx(sol.t_front, rel=1e-2)
    assert np.interp(0.5 * c2, c[:, 1], t) == pytest.approx(sol.t_rear, rel=1e-2)
    assert closure.max() < 1e-6


def test_general_rate_and_equilibrium_scenarios_run_and_report_missing_keys():
    """Config names: particle_model 'general-rate' with per-component pore_diffusion and k_f,
    radial_cells; 'equilibrium' (rapid-equilibrium binding, no k_ldf needed).  Missing keys
    are named by their path; 'kinetic = true' contradicts 'equilibrium'.  Both scenarios
    run, close their balance to 1e-6 and report bead-averaged and radial profiles."""
    import tomllib

    from leachsim.config import ConfigError
    from leachsim.config.column import parse_column_scenario

    raw = tomllib.loads((CONFIGS / "column_cobalt_tea_leaves.toml").read_text())
    raw["column"]["cells"] = 40
    raw["solver"]["outputs"] = 145
    raw["sorbent"] |= {"particle_model": "general-rate", "binding": "langmuir",
                       "particle_porosity": 0.5, "particle_radius": "0.5 mm",
                       "radial_cells": 5}
    raw["sorbent"]["parameters"]["Co"] = {"q_max": "59.7 mg/g", "K": "0.05 L/mg",
                                          "k_ldf": "1e-3 1/s"}
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(raw)
    paths = {i.path for i in info.value.issues}
    assert {"sorbent.parameters.Co.k_f", "sorbent.parameters.Co.pore_diffusion"} <= paths
    raw["sorbent"]["parameters"]["Co"] |= {"k_f": "1e-5 m/s", "pore_diffusion": "1e-10 m^2/s",
                                           "surface_diffusion": "1e-12 m^2/s"}
    sc = parse_column_scenario(raw)
    assert sc.kinetic and sc.radial_cells == 5
    res = leachsim.run(sc)
    assert res.scalar("mass_balance_error_max") < 1e-6
    assert res["profile_loading_radial"].shape == (len(sc.profiles), 40, 5, 1)
    assert res["profile_pore"].shape == (len(sc.profiles), 40, 1)

    eq = dict(raw, sorbent=dict(raw["sorbent"], particle_model="equilibrium", kinetic=True))
    for key in ("particle_porosity", "particle_radius", "radial_cells"):
        del eq["sorbent"][key]  # no beads in the equilibrium model: unknown keys there
    eq["sorbent"]["parameters"] = {"Co": {"q_max": "59.7 mg/g", "K": "0.05 L/mg"}}
    with pytest.raises(ConfigError, match="sorbent.kinetic"):
        parse_column_scenario(eq)
    del eq["sorbent"]["kinetic"]
    sc_eq = parse_column_scenario(eq)
    assert not sc_eq.kinetic
    res_eq = leachsim.run(sc_eq)
    assert res_eq.scalar("mass_balance_error_max") < 1e-6
    # same isotherm, no mass-transfer resistance: breakthrough later than with the GRM's
    assert res_eq["t_0.05"][0] > res["t_0.05"][0]
