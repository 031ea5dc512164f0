"""Batch stirred-tank leaching: shrinking-core populations coupled through the leachate.

A population p is one (size class i, phase j) pair holding n0[i, j] mol of
phase.  Its state is the normalised progress

    phi_p = t_ref(xi_p) / t_ref(0)      in [0, 1],

where t_ref(xi) is the time to reach core ratio xi at unit reagent
concentrations (see ``shrinking_core``).  For a single controlling mechanism
phi is the textbook integrated law g(X) scaled to 1 at complete conversion.
Differentiating, with the resistances in series at the current core radius,

    dphi_p/dt = [sum_m w_m] / [sum_m w_m / sigma_m(C)] / t_ref(0),
    w_m = tau_m(1) (-g_m'(xi_p)),

which is bounded everywhere, including the start of pure product-layer
control where dX/dt is infinite.  A population with phi >= 1 is fully
converted (X = 1); phi itself runs on at the xi = 0 rate, which keeps the
right-hand side continuous and spares the step control a kink.  The reagents follow from stoichiometry,

    C_r(t) = C0_r - sum_p nu[j, r] n0_p X_p(t) / V       (C_r = C0_r if topped up),

and each element e in the leachate is M_e = sum_p release[j, e] n0_p X_p,
so metal in solids plus leachate is conserved by construction.

Integration: Dormand-Prince 5(4) with FSAL, elementary step control on the
weighted RMS norm of the local error, atol + rtol |phi|, landing exactly on
every output time.  All loops run here; Python is called once per run.
"""
import numpy as np
from numba import njit, prange

from ._numba import JIT_OPTS, PARALLEL_OPTS
from .shrinking_core import (
    ASH,
    FILM,
    N_MECH,
    REACTION,
    arrhenius,
    drive,
    elapsed,
    shape_slope,
    unit_times,
    xi_at_elapsed,
)

STATUS_OK = 0
STATUS_STEP_UNDERFLOW = 1
STATUS_NAN = 2
STATUS_MAX_STEPS = 3

MAX_STEPS = 1_000_000

# Dormand-Prince 5(4) tableau.
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = (9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0,
                                49.0 / 176.0, -5103.0 / 18656.0)
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
_E1, _E3, _E4, _E5, _E6, _E7 = (71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0,
                                -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0)


@njit(**JIT_OPTS)
def progress_rate_ratio(geom, xi, tau1, sigma):
    """dt_ref/dt = [sum w_m] / [sum w_m / sigma_m]; 0 when a needed reagent is gone."""
    num = 0.0
    den = 0.0
    for m in range(N_MECH):
        if tau1[m] > 0.0:
            w = tau1[m] * shape_slope(geom, m, xi)
            if w > 0.0:
                if sigma[m] <= 0.0:
                    return 0.0
                num += w
                den += w / sigma[m]
    if num == 0.0:
        # all slopes vanish (xi = 1 under pure product-layer control): the
        # limit of the ratio is the tau-weighted harmonic mean of the sigmas
        for m in range(N_MECH):
            if tau1[m] > 0.0:
                if sigma[m] <= 0.0:
                    return 0.0
                num += tau1[m]
                den += tau1[m] / sigma[m]
    return num / den


@njit(**JIT_OPTS)
def setup_populations(T, geom, mask, primary, rho, nu, coef, Ea, T_ref, R0):
    """tau1[p, m] (unit-concentration times at temperature T, s) and total[p] = t_ref(0).

    coef[j, m] are the reference coefficients Sh*D_L, D_e, k_s at T_ref[j, m]
    with activation energies Ea[j, m] (J/mol); population p = i * n_phase + j.
    """
    n_class = R0.shape[0]
    n_phase = geom.shape[0]
    tau1 = np.zeros((n_class * n_phase, N_MECH))
    total = np.zeros(n_class * n_phase)
    ones = np.ones(N_MECH)
    k = np.zeros(N_MECH)
    for j in range(n_phase):
        for m in range(N_MECH):
            if mask[j] & (1 << m):
                k[m] = arrhenius(coef[j, m], Ea[j, m], T_ref[j, m], T)
            else:
                k[m] = 0.0
        for i in range(n_class):
            p = i * n_phase + j
            unit_times(geom[j], mask[j], R0[i], rho[j], nu[j, primary[j]],
                       k[FILM], k[ASH], k[REACTION], tau1[p])
            total[p] = elapsed(geom[j], 0.0, tau1[p], ones)
    return tau1, total


@njit(**JIT_OPTS)
def _state(phi, geom, n_phase, tau1, total, ones, xi, X):
    """xi and X of every population from its progress phi; xi holds the previous values on
    entry and serves as the Newton starting guess (the stages of a step are close)."""
    for p in range(phi.shape[0]):
        j = p % n_phase
        if total[p] <= 0.0 or phi[p] >= 1.0:
            xi[p] = 0.0 if total[p] > 0.0 else 1.0
        elif phi[p] <= 0.0:
            xi[p] = 1.0
        else:
            xi[p] = xi_at_elapsed(geom[j], phi[p] * total[p], tau1[p], ones, xi[p])
        X[p] = 1.0 - xi[p] * xi[p] * xi[p]


@njit(**JIT_OPTS)
def leachate(X, n0, V, C0, top_up, nu, release, C, consumed, M):
    """Reagent concentrations C (mol/m3), reagent consumed (mol), elements dissolved M (mol)."""
    n_phase = nu.shape[0]
    consumed[:] = 0.0
    M[:] = 0.0
    for p in range(X.shape[0]):
        j = p % n_phase
        dn = n0[p] * X[p]
        for r in range(nu.shape[1]):
            consumed[r] += nu[j, r] * dn
        for e in range(release.shape[1]):
            M[e] += release[j, e] * dn
    for r in range(C.shape[0]):
        C[r] = C0[r] if top_up[r] else C0[r] - consumed[r] / V


@njit(**JIT_OPTS)
def _rhs(phi, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
         xi, X, C, consumed, M, sigma, dphi):
    """dphi/dt; sigma[j, m] is work space for the driving forces of each phase."""
    n_phase = geom.shape[0]
    _state(phi, geom, n_phase, tau1, total, ones, xi, X)
    leachate(X, n0, V, C0, top_up, nu, release, C, consumed, M)
    for j in range(n_phase):
        drive(C, primary[j], orders[j], sigma[j])
    for p in range(phi.shape[0]):
        j = p % n_phase
        if total[p] <= 0.0:
            dphi[p] = 0.0
            continue
        # past phi = 1 the particle is consumed (X = 1); phi keeps the rate at xi = 0 so
        # that the right-hand side stays smooth and the step control sees no kink
        dphi[p] = progress_rate_ratio(geom[j], xi[p], tau1[p], sigma[j]) / total[p]


@njit(**JIT_OPTS)
def _err_norm(y, y_new, err, rtol, atol):
    s = 0.0
    for i in range(y.shape[0]):
        sc = atol + rtol * max(abs(y[i]), abs(y_new[i]))
        e = err[i] / sc
        s += e * e
    return np.sqrt(s / max(y.shape[0], 1))


@njit(**JIT_OPTS)
def run_batch(T, V, C0, top_up, geom, mask, primary, rho, coef, Ea, T_ref, orders, nu,
              release, R0, n0, t_out, rtol, atol, X_out, C_out, consumed_out, M_out, stats):
    """Integrate one batch leach and fill the output arrays at the times t_out (s).

    Inputs (SI): T temperature (K); V liquid volume (m3); C0[r] initial reagent
    concentrations (mol/m3); top_up[r] nonzero keeps C_r constant; per phase j:
    geom, mask (active mechanisms), primary (index of the diffusing reagent),
    rho (mol/m3 of particle), coef/Ea/T_ref[j, m] rate coefficients, orders[j, r]
    reaction orders, nu[j, r] mol reagent per mol phase, release[j, e] mol element
    per mol phase; R0[i] class radii (m); n0[i * n_phase + j] mol of phase.

    Outputs: X_out[k, p] conversion, C_out[k, r], consumed_out[k, r] (mol),
    M_out[k, e] (mol dissolved); stats = [accepted, rejected, rhs calls, t reached].
    Returns a STATUS_* code.
    """
    n_phase = geom.shape[0]
    n_pop = n0.shape[0]
    n_r = C0.shape[0]
    n_e = release.shape[1]
    tau1, total = setup_populations(T, geom, mask, primary, rho, nu, coef, Ea, T_ref, R0)

    xi = np.ones(n_pop)
    X = np.zeros(n_pop)
    C = np.empty(n_r)
    consumed = np.zeros(n_r)
    M = np.zeros(n_e)
    sigma = np.zeros((n_phase, N_MECH))
    ones = np.ones(N_MECH)
    y = np.zeros(n_pop)
    y_new = np.zeros(n_pop)
    ytmp = np.zeros(n_pop)
    err = np.zeros(n_pop)
    k1 = np.zeros(n_pop)
    k2 = np.zeros(n_pop)
    k3 = np.zeros(n_pop)
    k4 = np.zeros(n_pop)
    k5 = np.zeros(n_pop)
    k6 = np.zeros(n_pop)
    k7 = np.zeros(n_pop)

    n_acc = 0
    n_rej = 0
    n_rhs = 0
    t = 0.0
    stats[:] = 0.0

    _rhs(y, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
         xi, X, C, consumed, M, sigma, k1)
    n_rhs += 1
    fmax = 0.0
    for p in range(n_pop):
        fmax = max(fmax, abs(k1[p]))
    t_end = t_out[t_out.shape[0] - 1]
    h_try = 0.01 / fmax if fmax > 0.0 else t_end
    h_try = min(h_try, t_end)

    k_out = 0
    status = STATUS_OK
    while k_out < t_out.shape[0]:
        if t >= t_out[k_out]:
            _state(y, geom, n_phase, tau1, total, ones, xi, X)
            leachate(X, n0, V, C0, top_up, nu, release, C, consumed, M)
            X_out[k_out, :] = X
            C_out[k_out, :] = C
            consumed_out[k_out, :] = consumed
            M_out[k_out, :] = M
            k_out += 1
            continue
        if n_acc + n_rej >= MAX_STEPS:
            status = STATUS_MAX_STEPS
            break
        t_next = t_out[k_out]
        last = t + h_try >= t_next
        h = t_next - t if last else h_try
        if h <= 4.0 * 2.220446049250313e-16 * abs(t) or h <= 0.0:
            status = STATUS_STEP_UNDERFLOW
            break
        for p in range(n_pop):
            ytmp[p] = y[p] + h * _A21 * k1[p]
        _rhs(ytmp, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k2)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A31 * k1[p] + _A32 * k2[p])
        _rhs(ytmp, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k3)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A41 * k1[p] + _A42 * k2[p] + _A43 * k3[p])
        _rhs(ytmp, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k4)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A51 * k1[p] + _A52 * k2[p] + _A53 * k3[p] + _A54 * k4[p])
        _rhs(ytmp, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k5)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A61 * k1[p] + _A62 * k2[p] + _A63 * k3[p]
                                  + _A64 * k4[p] + _A65 * k5[p])
        _rhs(ytmp, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k6)
        for p in range(n_pop):
            y_new[p] = y[p] + h * (_B1 * k1[p] + _B3 * k3[p] + _B4 * k4[p]
                                   + _B5 * k5[p] + _B6 * k6[p])
        _rhs(y_new, geom, primary, orders, n0, V, C0, top_up, nu, release, tau1, total, ones,
             xi, X, C, consumed, M, sigma, k7)
        n_rhs += 6
        for p in range(n_pop):
            err[p] = h * (_E1 * k1[p] + _E3 * k3[p] + _E4 * k4[p] + _E5 * k5[p]
                          + _E6 * k6[p] + _E7 * k7[p])
        e = _err_norm(y, y_new, err, rtol, atol)
        if not np.isfinite(e):
            status = STATUS_NAN
            break
        if e <= 1.0:
            t = t_next if last else t + h
            for p in range(n_pop):
                y[p] = y_new[p]
                k1[p] = k7[p]
            n_acc += 1
            fac = 10.0 if e == 0.0 else min(10.0, 0.9 * e ** -0.2)
            h_try = max(h_try, h * fac) if last else h * fac
        else:
            n_rej += 1
            h_try = h * max(0.2, 0.9 * e ** -0.2)
    stats[0] = n_acc
    stats[1] = n_rej
    stats[2] = n_rhs
    stats[3] = t
    return status


@njit(**PARALLEL_OPTS)
def run_batch_many(T, V, C0, top_up, geom, mask, primary, rho, coef, Ea, T_ref, orders, nu,
                   release, R0, n0, t_out, rtol, atol, X_out, C_out, consumed_out, M_out,
                   stats, status):
    """``run_batch`` over the leading (scenario) axis of every array, in parallel."""
    for s in prange(T.shape[0]):
        status[s] = run_batch(T[s], V[s], C0[s], top_up[s], geom[s], mask[s], primary[s],
                              rho[s], coef[s], Ea[s], T_ref[s], orders[s], nu[s], release[s],
                              R0[s], n0[s], t_out[s], rtol, atol, X_out[s], C_out[s],
                              consumed_out[s], M_out[s], stats[s])
