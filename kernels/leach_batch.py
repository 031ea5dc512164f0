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
weighted RMS norm of the local error, atol + rtol |phi|; output times inside
a step come from the method's 4th-order continuous extension, so they do
not shorten the steps.  All loops run here; Python is called once per run.
"""
import math

import numpy as np
from numba import njit, prange

from ._numba import JIT_OPTS, PARALLEL_OPTS
from .shrinking_core import (
    ASH,
    FILM,
    GEOM_CORE,
    N_MECH,
    REACTION,
    arrhenius,
    drive,
    unit_times,
)

STATUS_OK = 0
STATUS_STEP_UNDERFLOW = 1
STATUS_NAN = 2
STATUS_MAX_STEPS = 3

MAX_STEPS = 1_000_000
MAX_GROWTH = 5.0  # largest step-size increase after an accepted step

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
# Continuous extension of order 4 (Shampine 1986; Hairer, Norsett & Wanner, Solving ODEs I,
# sec. II.6): y(t + s h) = y + h sum_i k_i (P_i1 s + P_i2 s^2 + P_i3 s^3 + P_i4 s^4).
# tests/test_leach_physics.py checks the order conditions sum_i P_i(s) c_i^q = s^(q+1)/(q+1).
DENSE = np.array([
    [1.0, -8048581381.0 / 2820520608.0, 8663915743.0 / 2820520608.0,
     -12715105075.0 / 11282082432.0],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0,
     87487479700.0 / 32700410799.0],
    [0.0, -1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0,
     -10690763975.0 / 1880347072.0],
    [0.0, 127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0,
     701980252875.0 / 199316789632.0],
    [0.0, -282668133.0 / 205662961.0, 2019193451.0 / 616988883.0,
     -1453857185.0 / 822651844.0],
    [0.0, 40617522.0 / 29380423.0, -110615467.0 / 29380423.0, 69997945.0 / 29380423.0],
])


@njit(**JIT_OPTS)
def progress_polynomial(geom, tau1, c):
    """t_ref(xi) = c0 + c1 xi + c2 xi^2 + c3 xi^3 (s), the time from xi = 1 to xi at unit
    concentrations; c0 = t_ref(0).  Reaction gives c1 only; film and ash give c2 and c3."""
    tf = tau1[FILM]
    ta = tau1[ASH]
    tr = tau1[REACTION]
    c[1] = -tr
    if geom == GEOM_CORE:
        c[0] = tf + ta + tr
        c[2] = -3.0 * ta
        c[3] = 2.0 * ta - tf
    else:
        c[0] = tf + tr
        c[2] = -tf
        c[3] = 0.0


@njit(**JIT_OPTS)
def xi_at_progress(c, phi, guess):
    """Solve t_ref(xi) = phi c0 for xi in [0, 1] (0 < phi < 1): closed form for a single
    film or reaction resistance, else Newton from ``guess`` inside a bisection bracket,
    to |dxi| < 1e-14."""
    if c[2] == 0.0 and c[3] == 0.0:
        return 1.0 - phi
    if c[1] == 0.0 and c[2] == 0.0:
        return (1.0 - phi) ** (1.0 / 3.0)
    if c[1] == 0.0 and c[3] == 0.0:
        return math.sqrt(1.0 - phi)
    target = phi * c[0]
    lo = 0.0  # t_ref(lo) >= target
    hi = 1.0  # t_ref(hi) <= target
    x = guess if 0.0 < guess < 1.0 else 1.0 - phi
    for _ in range(100):
        f = c[0] + x * (c[1] + x * (c[2] + x * c[3])) - target
        if f > 0.0:
            lo = x
        else:
            hi = x
        d = c[1] + x * (2.0 * c[2] + 3.0 * x * c[3])  # dt_ref/dxi <= 0
        x_new = x - f / d if d < 0.0 else 0.5 * (lo + hi)
        if x_new < lo or x_new > hi:
            x_new = 0.5 * (lo + hi)
        # t_ref is evaluated to ~eps c0, so xi is known to ~eps c0 / |dt_ref/dxi|: stop at
        # 1e-14 rather than chase the last few ulps (which can oscillate)
        if abs(x_new - x) < 1e-14 or hi - lo < 1e-14:
            return x_new
        x = x_new
    return x


@njit(**JIT_OPTS)
def progress_rate(c, xi, sigma_diffusion, sigma_reaction):
    """dphi/dt = [R_d + R_r] / [R_d / sigma_d + R_r / sigma_r] / c0, where R_d = -(2 c2 xi +
    3 c3 xi^2) and R_r = -c1 are the diffusive and reaction parts of -dt_ref/dxi (s).

    0 when an active resistance has no driving force; at xi = 1 under pure product-layer
    control (R_d = R_r = 0) the limit sigma_d / c0 is taken."""
    rd = -xi * (2.0 * c[2] + 3.0 * xi * c[3])
    rr = -c[1]
    if (rd > 0.0 and sigma_diffusion <= 0.0) or (rr > 0.0 and sigma_reaction <= 0.0):
        return 0.0
    if rd + rr == 0.0:
        return sigma_diffusion / c[0]
    den = 0.0
    if rd > 0.0:
        den += rd / sigma_diffusion
    if rr > 0.0:
        den += rr / sigma_reaction
    return (rd + rr) / (den * c[0])


@njit(**JIT_OPTS)
def setup_populations(T, geom, mask, primary, rho, nu, coef, Ea, T_ref, R0):
    """tau1[p, m]: unit-concentration times of each mechanism at temperature T (s).

    coef[j, m] are the reference coefficients Sh*D_L, D_e, k_s at T_ref[j, m]
    with activation energies Ea[j, m] (J/mol); population p = i * n_phase + j.
    """
    n_class = R0.shape[0]
    n_phase = geom.shape[0]
    tau1 = np.zeros((n_class * n_phase, N_MECH))
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
    return tau1


@njit(**JIT_OPTS)
def _state(phi, poly, xi, X):
    """xi and X of every population from its progress phi; xi holds the previous values on
    entry and serves as the Newton starting guess (the stages of a step are close)."""
    for p in range(phi.shape[0]):
        if poly[p, 0] <= 0.0:
            xi[p] = 1.0
        elif phi[p] >= 1.0:
            xi[p] = 0.0
        elif phi[p] <= 0.0:
            xi[p] = 1.0
        else:
            xi[p] = xi_at_progress(poly[p], phi[p], xi[p])
        X[p] = 1.0 - xi[p] * xi[p] * xi[p]


@njit(**JIT_OPTS)
def reagents(X, n0, V, C0, top_up, nu, C, consumed):
    """Reagent concentrations C (mol/m3) and reagent consumed (mol) at conversions X."""
    n_phase = nu.shape[0]
    consumed[:] = 0.0
    for p in range(X.shape[0]):
        dn = n0[p] * X[p]
        for r in range(nu.shape[1]):
            consumed[r] += nu[p % n_phase, r] * dn
    for r in range(C.shape[0]):
        C[r] = C0[r] if top_up[r] else C0[r] - consumed[r] / V


@njit(**JIT_OPTS)
def dissolved(X, n0, release, M):
    """Elements dissolved M (mol) at conversions X."""
    n_phase = release.shape[0]
    M[:] = 0.0
    for p in range(X.shape[0]):
        dn = n0[p] * X[p]
        for e in range(release.shape[1]):
            M[e] += release[p % n_phase, e] * dn


@njit(**JIT_OPTS)
def _rhs(phi, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, dphi):
    """dphi/dt; sigma[j, m] is work space for the driving forces of each phase."""
    n_phase = primary.shape[0]
    _state(phi, poly, xi, X)
    reagents(X, n0, V, C0, top_up, nu, C, consumed)
    for j in range(n_phase):
        drive(C, primary[j], orders[j], sigma[j])
    for i in range(phi.shape[0] // n_phase):
        for j in range(n_phase):
            p = i * n_phase + j
            # past phi = 1 the particle is consumed (X = 1); phi keeps the rate at xi = 0 so
            # that the right-hand side stays smooth and the step control sees no kink
            if poly[p, 0] > 0.0:
                dphi[p] = progress_rate(poly[p], xi[p], sigma[j, FILM], sigma[j, REACTION])
            else:
                dphi[p] = 0.0


@njit(**JIT_OPTS)
def _record(k, phi, poly, xi, X, n0, V, C0, top_up, nu, release, C, consumed, M,
            X_out, C_out, consumed_out, M_out):
    """Write the state phi as output row k."""
    _state(phi, poly, xi, X)
    reagents(X, n0, V, C0, top_up, nu, C, consumed)
    dissolved(X, n0, release, M)
    X_out[k, :] = X
    C_out[k, :] = C
    consumed_out[k, :] = consumed
    M_out[k, :] = M


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
    tau1 = setup_populations(T, geom, mask, primary, rho, nu, coef, Ea, T_ref, R0)
    poly = np.zeros((n_pop, 4))
    for p in range(n_pop):
        progress_polynomial(geom[p % n_phase], tau1[p], poly[p])

    xi = np.ones(n_pop)
    X = np.zeros(n_pop)
    C = np.empty(n_r)
    consumed = np.zeros(n_r)
    M = np.zeros(n_e)
    sigma = np.zeros((n_phase, N_MECH))
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

    _rhs(y, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k1)
    n_rhs += 1
    fmax = 0.0
    for p in range(n_pop):
        fmax = max(fmax, abs(k1[p]))
    t_end = t_out[t_out.shape[0] - 1]
    h_try = 1e-4 / fmax if fmax > 0.0 else t_end
    h_try = min(h_try, t_end)

    n_out = t_out.shape[0]
    k_out = 0
    while k_out < n_out and t_out[k_out] <= 0.0:
        _record(k_out, y, poly, xi, X, n0, V, C0, top_up, nu, release, C, consumed, M,
                X_out, C_out, consumed_out, M_out)
        k_out += 1
    w = np.zeros(7)
    status = STATUS_OK
    while k_out < n_out:
        if n_acc + n_rej >= MAX_STEPS:
            status = STATUS_MAX_STEPS
            break
        last = t + h_try >= t_end
        h = t_end - t if last else h_try
        if h <= 4.0 * 2.220446049250313e-16 * abs(t) or h <= 0.0:
            status = STATUS_STEP_UNDERFLOW
            break
        for p in range(n_pop):
            ytmp[p] = y[p] + h * _A21 * k1[p]
        _rhs(ytmp, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k2)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A31 * k1[p] + _A32 * k2[p])
        _rhs(ytmp, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k3)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A41 * k1[p] + _A42 * k2[p] + _A43 * k3[p])
        _rhs(ytmp, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k4)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A51 * k1[p] + _A52 * k2[p] + _A53 * k3[p] + _A54 * k4[p])
        _rhs(ytmp, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k5)
        for p in range(n_pop):
            ytmp[p] = y[p] + h * (_A61 * k1[p] + _A62 * k2[p] + _A63 * k3[p]
                                  + _A64 * k4[p] + _A65 * k5[p])
        _rhs(ytmp, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k6)
        for p in range(n_pop):
            y_new[p] = y[p] + h * (_B1 * k1[p] + _B3 * k3[p] + _B4 * k4[p]
                                   + _B5 * k5[p] + _B6 * k6[p])
        _rhs(y_new, primary, orders, n0, V, C0, top_up, nu, poly, xi, X, C, consumed, sigma, k7)
        n_rhs += 6
        for p in range(n_pop):
            err[p] = h * (_E1 * k1[p] + _E3 * k3[p] + _E4 * k4[p] + _E5 * k5[p]
                          + _E6 * k6[p] + _E7 * k7[p])
        e = _err_norm(y, y_new, err, rtol, atol)
        if not np.isfinite(e):
            status = STATUS_NAN
            break
        if e <= 1.0:
            t_new = t_end if last else t + h
            # outputs inside this step from the continuous extension; at its end, y_new
            while k_out < n_out and t_out[k_out] <= t_new:
                if t_out[k_out] < t_new:
                    theta = (t_out[k_out] - t) / h
                    for i in range(7):
                        w[i] = theta * (DENSE[i, 0] + theta * (DENSE[i, 1] + theta * (
                            DENSE[i, 2] + theta * DENSE[i, 3])))
                    for p in range(n_pop):
                        ytmp[p] = y[p] + h * (w[0] * k1[p] + w[2] * k3[p] + w[3] * k4[p]
                                              + w[4] * k5[p] + w[5] * k6[p] + w[6] * k7[p])
                    out = ytmp
                else:
                    out = y_new
                _record(k_out, out, poly, xi, X, n0, V, C0, top_up, nu, release, C, consumed,
                        M, X_out, C_out, consumed_out, M_out)
                k_out += 1
            t = t_new
            for p in range(n_pop):
                y[p] = y_new[p]
                k1[p] = k7[p]
            n_acc += 1
            fac = MAX_GROWTH if e == 0.0 else min(MAX_GROWTH, 0.9 * e ** -0.2)
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
