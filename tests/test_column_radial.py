"""General rate model with the beads on radial orthogonal collocation (pm GRM_COLLOCATION):
the Gauss-Radau points, weights and differentiation matrix in x = (r/R_p)^2; spectral
convergence against the Laplace-domain solution of the linear GRM (kinetic and rapid
equilibrium) where the equidistant finite-volume shells converge at second order; agreement
with extrapolated fine shells for surface diffusion under kinetic binding and for a
competitive Langmuir pair; and the [sorbent] radial_scheme = "collocation" scenario keys.

To show the radial error on its own the linear runs use a DG bed (8 P4 elements) and tight
time tolerances: its axial and time error, with the Laplace inversion's, is ~1.5e-8 in C/C0,
far under the radial error of anything but the finest beads.  Measured figures are in the
docstrings and comments (this machine, numba kernels cached)."""
import copy
import math
import tomllib

import numpy as np
import pytest
from scipy.special import roots_jacobi

import leachsim
import naive_column as ref
from conftest import CONFIGS
from leachsim.column.simulate import node_geometry
from leachsim.config import ConfigError
from leachsim.config.column import parse_column_scenario
from leachsim.kernels import binding as bd
from leachsim.kernels import column as kc
from test_column import EPS, GRM_CASE, L, simulate

COL, FV = kc.GRM_COLLOCATION, kc.GRM
DG = dict(n=8, K=5, rtol=1e-9, atol=1e-11)  # axial + time floor ~1.5e-8 (see module doc)


# ------------------------------------------------------------------ the points
@pytest.mark.parametrize("m", [1, 2, 3, 4, 6, 8, 12, 20, 30])
def test_radial_points_are_gauss_radau_points_of_the_sphere(m):
    """Points increasing in (0, 1], the last on the surface; the interior ones the roots of
    P_m-1^(1, 1/2)(2x - 1) (scipy, an independent root finder: measured to 1.1e-16); the
    weights integrate x^k against the sphere's weight, int_0^1 s^2 s^(2k) ds = 1/(2k + 3),
    exactly for k <= 2m - 2 (measured <= 1.7e-16) and not for k = 2m - 1 (the Radau
    degree; measured error 0.13, 7.3e-3, 4.3e-4, 1.6e-6 (m = 5), 3.8e-10 (m = 8), under
    round-off from m = 12 on); Dx differentiates every polynomial of degree <= m - 1
    exactly (to 1e-16 m^3; measured <= 3.7e-13 at m = 30, round-off of the Lagrange
    basis); the points' shares of a bead are 3 W_j and sum to one."""
    x, W, Dx = kc.radial_points(m)
    assert x.shape == W.shape == (m,) and Dx.shape == (m, m)
    assert x[-1] == 1.0 and x[0] > 0.0 and np.all(np.diff(x) > 0.0)
    if m > 1:
        t = roots_jacobi(m - 1, 1.0, 0.5)[0]
        np.testing.assert_allclose(x[:-1], np.sort(0.5 * (t + 1.0)), rtol=0, atol=1e-14)
    assert np.all(W > 0.0)
    k = np.arange(2 * m)
    moments = (W[None, :] * x[None, :] ** k[:, None]).sum(axis=1)
    exact = 1.0 / (2.0 * k + 3.0)
    np.testing.assert_allclose(moments[:-1], exact[:-1], rtol=0, atol=1e-13)
    if m <= 8:
        assert abs(moments[-1] - exact[-1]) > 1e-11, moments[-1] - exact[-1]
    for d in range(m):
        deriv = d * x ** (d - 1) if d else np.zeros(m)
        np.testing.assert_allclose(Dx @ x ** d, deriv, rtol=0, atol=1e-16 * max(m, 3) ** 3)
    share = kc.bead_fractions(COL, m)
    np.testing.assert_allclose(share, 3.0 * W, rtol=1e-15, atol=0)
    assert share.sum() == pytest.approx(1.0, abs=1e-14)


def test_two_points_are_villadsen_michelsen_values():
    """m = 2: interior point x = 3/7 (Villadsen & Michelsen's sphere value), weights from
    the two exact moments W_0 + W_1 = 1/3, 3/7 W_0 + W_1 = 1/5: W = (7/30, 1/10); Dx of
    the two linear Lagrange polynomials, -+7/4; m = 3: interior points 0.21981919 and
    0.68927172 (r/R = 0.46885, 0.83022)."""
    x, W, Dx = kc.radial_points(2)
    assert x[0] == pytest.approx(3.0 / 7.0, abs=1e-15)
    np.testing.assert_allclose(W, [7.0 / 30.0, 1.0 / 10.0], rtol=1e-14)
    np.testing.assert_allclose(Dx, np.array([[-1.0, 1.0], [-1.0, 1.0]]) * 7.0 / 4.0,
                               rtol=1e-14)
    np.testing.assert_allclose(kc.radial_points(3)[0][:2], [0.21981919, 0.68927172],
                               atol=5e-9)


# ------------------------------------------------------------------ linear GRM, Laplace
def _linear(pm, nr, rapid=0, D_s=0.0, n=80, K=1, rtol=1e-7, atol=1e-9, outputs=3001,
            t_mu=6.0):
    """GRM_CASE (film, pore and optionally surface diffusion, linear isotherm H = 2, LDF
    k = 0.5/s or rapid equilibrium), step feed, against de Hoog's inversion of the Laplace-
    domain solution: max |delta C/C0|, relative errors of the first two moments of the
    impulse response (meaningful for t_mu = 6 mean residence times, the default), and the
    mass-balance closure at the end."""
    g = GRM_CASE
    k = 0.5
    D_e = g["eps_p"] * g["D_p"] + (1 - g["eps_p"]) * D_s * g["H"]
    k_ref = math.inf if rapid else k
    mu1, var = ref.grm_moments(L, g["u"], EPS, g["D"], g["eps_p"], g["R_p"], g["k_f"], D_e,
                               g["H"], k_ref)
    t, c, closure = simulate(g["u"], g["D"], n, bd.LINEAR,
                             {"H": [g["H"]], "k_ldf": [k], "k_f": [g["k_f"]],
                              "D_p": [g["D_p"]], "D_s": [D_s]}, [1.0], t_mu * mu1,
                             outputs=outputs, pores=(g["eps_p"], g["R_p"]), pm=pm, nr=nr,
                             rapid=rapid, K=K, rtol=rtol, atol=atol)
    exact = ref.grm_outlet_laplace(t, L, g["u"], EPS, g["D"], g["eps_p"], g["R_p"], g["k_f"],
                                   D_e, g["H"], 1.0, k_ref)
    m1 = np.trapezoid(1.0 - c[:, 0], t)
    m2 = np.trapezoid(2.0 * t * (1.0 - c[:, 0]), t)
    return dict(err=np.max(np.abs(c[:, 0] - exact)), mu1=m1 / mu1 - 1,
                var=(m2 - m1 ** 2) / var - 1, closure=closure.max())


def test_collocation_converges_spectrally_to_the_laplace_solution():
    """Linear LDF binding (k = 0.5/s), film and pore diffusion, DG bed: max |delta C/C0|
    against the Laplace solution for 1, 2, 3, 4 points 0.127, 8.2e-4, 6.0e-6, 3.2e-8
    (150, 140, 190x per point) and 1.4e-8 for 6 (the axial/time floor); 16 and 32
    equidistant shells on the same bed 6.5e-4 and 1.6e-4 (second order), so 3 points beat
    32 shells 27x.  The first moment holds to 6e-9 and the variance, whose radial part
    R_p^2/(15 D_e) only needs the bead profile's first correction (quadratic in r, linear
    in x), is exact from two points on: 4.2e-6 relative error for 2..6 points, all of it
    the trapezoid rule on 3001 outputs (2 and 6 points differ by 2e-8), against 0.56 for
    one point and 3.7e-3 for 16 shells.  Balance closes to 1e-15, also at one mean
    residence time, with the beads half loaded (where the bead shares 3 W_j count; at six
    the bed is saturated and any shares summing to one would close it)."""
    runs = {m: _linear(COL, m, **DG) for m in (1, 2, 3, 4, 6)}
    fv16 = _linear(FV, 16, **DG)
    err = np.array([runs[m]["err"] for m in (1, 2, 3, 4)])
    assert np.all(err[:-1] / err[1:] > 50), err
    assert 2e-4 < err[1] < 2e-3 and err[2] < 1.2e-5 and err[3] < 1e-7, err
    assert runs[6]["err"] < 5e-8, runs[6]["err"]
    assert fv16["err"] > 30 * err[2], (fv16["err"], err)
    assert abs(fv16["var"]) > 1e-3  # second order: 3.7e-3
    assert abs(runs[1]["var"]) > 0.3  # one point: 0.56
    for m in (2, 3, 4, 6):
        r = runs[m]
        assert abs(r["mu1"]) < 1e-7, (m, r)
        assert abs(r["var"]) < 1e-5, (m, r)
        assert abs(r["var"] - runs[6]["var"]) < 2e-7, (m, r)
    for r in list(runs.values()) + [fv16]:
        assert r["closure"] < 1e-12, r
    for m in (2, 3, 6):  # measured <= 1.4e-15 (1.3e-2 with the shells' shares)
        half = _linear(COL, m, t_mu=1.0, outputs=501, **DG)
        assert half["closure"] < 1e-12, (m, half)


def test_collocation_rapid_equilibrium_with_surface_diffusion_matches_laplace():
    """Rapid-equilibrium linear binding, pore and surface diffusion (D_s = 2e-11,
    effective D_e = eps_p D_p + (1 - eps_p) D_s H), DG bed: 0.105, 4.1e-4, 1.3e-6, 1.8e-8
    for 1..4 points (260x, 310x, then the floor); 16 shells 5.4e-4.  First moment to 6e-9,
    variance to 5.3e-6 (trapezoid), balance to 1e-15."""
    runs = [_linear(COL, m, rapid=1, D_s=2e-11, **DG) for m in (1, 2, 3, 4)]
    fv16 = _linear(FV, 16, rapid=1, D_s=2e-11, **DG)
    err = np.array([r["err"] for r in runs])
    assert np.all(err[:2] / err[1:3] > 100), err
    assert err[2] < 3e-6 and err[3] < 5e-8, err
    assert fv16["err"] > 100 * err[2], (fv16["err"], err)
    for r in runs[1:]:
        assert abs(r["mu1"]) < 1e-7 and abs(r["var"]) < 1e-5, r
    for r in runs + [fv16]:
        assert r["closure"] < 1e-12, r


def test_collocation_on_the_finite_volume_bed_reaches_its_floor_with_three_points():
    """On the default 80 finite-volume cells (rtol 1e-7) the axial error, 3.3e-4, is
    reached with 3 points (2: 1.04e-3; 3, 4, 6: 3.301e-4, 3.320e-4, 3.321e-4); the first
    moment still to 1e-5 (measured 2e-7) and the balance to 1e-15."""
    runs = [_linear(COL, m) for m in (2, 3, 6)]
    err = np.array([r["err"] for r in runs])
    assert err[0] > 2 * err[1], err
    assert abs(err[1] - err[2]) < 1e-5 and err[2] < 5e-4, err  # measured 2.0e-6 apart
    for r in runs:
        assert abs(r["mu1"]) < 1e-5 and r["closure"] < 1e-12, r


# ------------------------------------------------------------------ beyond the Laplace reference
def _curve(pm, nr, params, c0, t_end, n, K, rtol, atol, outputs=301):
    t, c, closure = simulate(GRM_CASE["u"], 1e-6, n, bd.LANGMUIR if "K" in params else
                             bd.LINEAR, params, c0, t_end, outputs=outputs,
                             pores=(0.5, 1e-4), pm=pm, nr=nr, K=K, rtol=rtol, atol=atol)
    assert closure.max() < 1e-12, closure  # measured <= 1.9e-15
    return c


def test_kinetic_surface_diffusion_agrees_with_extrapolated_shells():
    """Kinetic linear binding with surface diffusion (the loading diffuses on its own, dq/dr
    = 0 at the surface; no Laplace reference): 6 and 8 points against the Richardson
    extrapolation of 64 and 128 shells on the same DG bed: 6.6e-6 and 1.7e-7 (the
    extrapolation's own error: 20 points are 1.4e-7 off); 3 points 2.0e-3, 4 points
    4.5e-4, and 128 shells 3.3e-5."""
    p = {"H": [2.0], "k_ldf": [0.5], "k_f": [1e-5], "D_p": [1e-10], "D_s": [2e-11]}

    def run(pm, nr):
        return _curve(pm, nr, p, [1.0], 3000.0, 8, 5, 1e-9, 1e-11)[:, 0]

    fv = {m: run(FV, m) for m in (64, 128)}
    rich = (4 * fv[128] - fv[64]) / 3
    gap = {m: np.max(np.abs(run(COL, m) - rich)) for m in (3, 6, 8)}
    assert gap[3] > 5e-4 and gap[6] < 1.5e-5 and gap[8] < 5e-7, gap
    assert np.max(np.abs(fv[128] - rich)) > 50 * gap[8]


def test_competitive_langmuir_agrees_with_extrapolated_shells():
    """Binary competitive Langmuir with LDF (q_max 20, K 0.5 and 1.0 m^3/mol, k 0.5/s),
    film and pore diffusion, feed 1 + 1 mol/m^3, DG bed of 4 P4 elements: against the
    Richardson extrapolation of 16 and 32 shells, 3, 4, 6 points are 1.6e-4, 6.9e-6,
    9.5e-7 off (6 against 10 points: 1.3e-7, so the rest is the extrapolation's), and
    32 shells 2.9e-4; the shells' own gaps to 6 points fall 4.0x per halving (second
    order to the same limit).  The weaker metal rolls up to 1.130.  Balances to 1e-15."""
    p = {"q_max": [20.0, 20.0], "K": [0.5, 1.0], "k_ldf": [0.5, 0.5], "k_f": [1e-5, 1e-5],
         "D_p": [1e-10, 1e-10]}

    def run(pm, nr):
        return _curve(pm, nr, p, [1.0, 1.0], 2000.0, 4, 5, 1e-8, 1e-10, outputs=201)

    fv = {m: run(FV, m) for m in (16, 32)}
    rich = (4 * fv[32] - fv[16]) / 3
    col = {m: run(COL, m) for m in (3, 4, 6)}
    gap = {m: np.max(np.abs(c - rich)) for m, c in col.items()}
    assert gap[3] > 5e-5 and gap[4] < 2e-5 and gap[6] < 3e-6, gap
    shell_gap = [np.max(np.abs(fv[m] - col[6])) for m in (16, 32)]
    assert 3.5 < shell_gap[0] / shell_gap[1] < 4.5, shell_gap
    assert shell_gap[1] > 50 * gap[6], (shell_gap, gap)
    assert col[6][:, 0].max() == pytest.approx(1.1301, abs=1e-3)


# ------------------------------------------------------------------ scenario keys
def _grm_raw():
    raw = tomllib.loads((CONFIGS / "column_cobalt_tea_leaves.toml").read_text())
    raw["column"]["cells"] = 40
    raw["solver"]["outputs"] = 145
    raw["sorbent"] |= {"particle_model": "general-rate", "binding": "langmuir",
                       "particle_porosity": 0.5, "particle_radius": "0.5 mm",
                       "radial_scheme": "collocation", "radial_points": 4}
    raw["sorbent"]["parameters"]["Co"] = {
        "q_max": "59.7 mg/g", "K": "0.05 L/mg", "k_ldf": "1e-3 1/s", "k_f": "1e-5 m/s",
        "pore_diffusion": "1e-10 m^2/s", "surface_diffusion": "1e-12 m^2/s"}
    return raw


def test_collocation_scenario_runs_and_reports_point_profiles():
    """radial_scheme = "collocation", radial_points = 4: the scenario holds the count in
    radial_cells, runs (measured closure 1.9e-15), reports r = sqrt(x_j) R_p and one
    radial profile per point; the bead averages are the points weighted by 3 W_j, and the
    profiles' inventory is the held amount (1e-9)."""
    raw = _grm_raw()
    sc = parse_column_scenario(raw)
    assert sc.radial_scheme == "collocation" and sc.radial_cells == 4
    res = leachsim.run(sc)
    assert res.scalar("mass_balance_error_max") < 1e-12
    x, W, _ = kc.radial_points(4)
    np.testing.assert_allclose(res["r"], np.sqrt(x) * 0.5e-3, rtol=1e-14)
    radial_q = res["profile_loading_radial"]
    radial_c = res["profile_pore_radial"]
    assert radial_q.shape == radial_c.shape == (len(sc.profiles), 40, 4, 1)
    np.testing.assert_allclose(np.einsum("j,pijk->pik", 3 * W, radial_q),
                               res["profile_loading"], rtol=1e-12)
    np.testing.assert_allclose(np.einsum("j,pijk->pik", 3 * W, radial_c),
                               res["profile_pore"], rtol=1e-12)
    # an uptake front: the surface point loaded ahead of the centre near the inlet
    assert radial_q[0, 0, -1, 0] > 1.2 * radial_q[0, 0, 0, 0]  # measured 1744 vs 1136
    _, width = node_geometry(sc)
    eps, eps_p = sc.bed_porosity, sc.particle_porosity
    k = -1
    inv = sc.area * width @ (eps * res["profile_bulk"][k, :, 0] + (1 - eps) * (
        eps_p * res["profile_pore"][k, :, 0] + (1 - eps_p) * res["profile_loading"][k, :, 0]))
    assert res["profile_time"][k] == res["time"][-1]
    assert inv == pytest.approx(res["held"][0], rel=1e-9)


def test_collocation_scenario_defaults_and_refused_keys():
    """radial_points defaults to 5 and is bounded 1..30; radial_cells under collocation is
    refused with its path; a misspelt scheme names the valid one; finite-volume stays
    the default (8 shells) and does not take radial_points."""
    raw = _grm_raw()
    del raw["sorbent"]["radial_points"]
    sc = parse_column_scenario(raw)
    assert (sc.radial_scheme, sc.radial_cells) == ("collocation", 5)

    bad = copy.deepcopy(raw)
    bad["sorbent"]["radial_cells"] = 6
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(bad)
    assert "sorbent.radial_cells" in {i.path for i in info.value.issues}
    assert "sorbent.radial_cells" in str(info.value) and "radial_points" in str(info.value)

    for n in (0, 31):
        bad = copy.deepcopy(raw)
        bad["sorbent"]["radial_points"] = n
        with pytest.raises(ConfigError) as info:
            parse_column_scenario(bad)
        assert "sorbent.radial_points" in {i.path for i in info.value.issues}

    bad = copy.deepcopy(raw)
    bad["sorbent"]["radial_scheme"] = "colocation"
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(bad)
    assert "sorbent.radial_scheme" in {i.path for i in info.value.issues}
    assert "did you mean 'collocation'" in str(info.value)
    bad["sorbent"]["radial_scheme"] = "spectral"
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(bad)
    assert "collocation" in str(info.value) and "finite-volume" in str(info.value)

    fv = copy.deepcopy(raw)
    del fv["sorbent"]["radial_scheme"]
    sc = parse_column_scenario(fv)
    assert (sc.radial_scheme, sc.radial_cells) == ("finite-volume", 8)
    fv["sorbent"]["radial_points"] = 4
    with pytest.raises(ConfigError) as info:
        parse_column_scenario(fv)
    assert "sorbent.radial_points" in str(info.value)
