"""Column solver (first slice: LDF and Langmuir-kinetic solids) against analytical solutions:
the advection-dispersion equation (Brenner), Thomas's exact solution, equilibrium-theory
shock and roll-up, grid convergence, and the mass balance."""
import numpy as np
import pytest

import leachsim
import naive_column as ref
from leachsim.kernels import binding as bd
from leachsim.kernels import column as kc

from conftest import CONFIGS

L, EPS = 0.1, 0.4
F = (1 - EPS) / EPS


def simulate(u, D, n, code, params, c0, t_end, outputs=401, rtol=1e-7, atol=1e-9,
             pores=None, c_init=None, capacity=None, pm=None, rapid=0, nr=1):
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
    scale = np.ones(n * S + nc)
    q_scale = np.maximum(np.maximum(par[bd.P_QMAX], par[bd.P_H] * c_sec[0]), q_init) + 1e-30
    if capacity is not None:
        q_scale[:] = capacity
    kc.atol_scale(pm, rapid, nr, n, EPS, pp, np.ones(nc), q_scale,
                  u * t_end * np.maximum(c_sec[0], 1e-3), scale)
    c_out = np.zeros((outputs, nc))
    y = np.zeros(n * P + nc)
    st = np.zeros(5)
    status = kc.run_column(L, np.array([u]), EPS, D, n, code, pm, rapid, nr, pp, par, t_sec,
                           c_sec, c_sec, c_init, q_init, t_out, np.zeros(0), rtol, atol, scale,
                           c_out, np.zeros((0, n * P)), y, st)
    assert status == 0
    simulate.stats = st
    dz = L / n
    cells = y[:n * P].reshape(n, P)
    if pm == kc.SOLID:
        per_bed = cells[:, :nc] + F * cells[:, nc:]
    else:
        m = kc.n_shells(pm, nr)
        v = np.diff(np.arange(m + 1.0) ** 3) / m ** 3  # shell volume fractions
        eps_p = pores[0]
        cp = cells[:, nc:nc + m * nc].reshape(n, m, nc)
        q = cells[:, nc + m * nc:].reshape(n, m, nc)
        per_bed = (cells[:, :nc] + F * np.einsum("j,ijk->ik", v, eps_p * cp + (1 - eps_p) * q))
    held = dz * per_bed.sum(axis=0)
    start = L * (c_init + (F * q_init if pores is None else
                           F * pores[0] * c_init + F * (1 - pores[0]) * q_init))
    fed = u * t_end * c_sec[0]
    closure = np.abs(fed + start - y[n * P:] - held) / np.maximum(fed, start)
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
