"""Fixed-bed column: advection-dispersion in the bulk, lumped rate models for the sorbent.

Symbols and SI units
--------------------
z, L     axial position, bed length                      m
u        interstitial velocity                           m/s
eps      bed (interparticle) porosity                    -
D        axial dispersion coefficient                    m^2/s
c_k      bulk concentration of component k               mol/m^3
c_p,k    pore concentration (PORES)                      mol/m^3 pore liquid
q_k      loading per volume of solid skeleton            mol/m^3 solid
eps_p    particle porosity, R_p particle radius          -, m
k_f,k    film mass-transfer coefficient                  m/s

Bulk phase, with F = (1 - eps)/eps:

    SOLID (lumped rate model):       dc_k/dt = -u dc_k/dz + D d2c_k/dz2 - F dq_k/dt
    PORES (lumped rate model with pores):
        dc_k/dt = -u dc_k/dz + D d2c_k/dz2 - F (3/R_p) k_f,k (c_k - c_p,k)
        eps_p dc_p,k/dt + (1 - eps_p) dq_k/dt = (3/R_p) k_f,k (c_k - c_p,k)
    inlet  (Danckwerts):  u c_in,k = u c_k - D dc_k/dz     at z = 0
    outlet:               dc_k/dz = 0                      at z = L

Binding: dq/dt = binding.kinetic_rate(code, c, q) with c the liquid the solid sees
(bulk for SOLID, pore for PORES): the linear driving force to an isotherm (linear,
Langmuir, Freundlich, Sips, mass-action ion exchange, proton-competitive Langmuir) or
true binding kinetics (Langmuir k_a/k_d, i.e. Thomas's model without pores; steric
mass action); see ``kernels/binding.py``.

Finite volumes on n equal cells; the advective face value is the upwind cell
plus a Koren-limited slope (third order where smooth, no new extrema); the
dispersive flux is central.  The inlet face carries the Danckwerts flux
u c_in exactly; the outlet face carries u c_L with c_L the last cell plus a
minmod-limited backward slope, and the outflow is integrated as extra states
so the mass balance fed - out - held can be checked to solver precision.

State layout per cell i (S states): c_ik at y[i S + k], then (PORES) c_p,ik at
y[i S + nc + k], then q_ik; after the n cells, y[n S + k] = int_0^t u c_L,k dt
(mol/m^2 per unit interstitial area).  The Jacobian is banded with kl = 3 S, ku = S.
"""
import math

import numpy as np
from numba import njit, prange

from ._numba import JIT_OPTS, PARALLEL_OPTS
from .banded import band_lu, band_solve
from .binding import N_PAR_ROWS, kinetic_rate

# particle models: the solid takes up straight from the bulk (lumped rate model), or
# through a film into pores (lumped rate model with pores); pp = [eps_p, R_p]
SOLID = 0
PORES = 1

# parameter rows of par[:, k]: the binding rows of ``binding`` and the film coefficient
P_FILM = N_PAR_ROWS
N_PAR = N_PAR_ROWS + 1

STATUS_OK = 0
STATUS_STEP_UNDERFLOW = 1
STATUS_NAN = 2
STATUS_MAX_STEPS = 3
STATUS_SINGULAR = 5
MAX_STEPS = 2_000_000

# NDF coefficients (Shampine & Reichelt 1997): kappa per order, gamma_k = sum_{j<=k} 1/j,
# alpha = (1 - kappa) gamma, error constant kappa gamma + 1/(k + 1)
MAX_ORDER = 5
NEWTON_MAXITER = 4
MIN_FACTOR = 0.2
MAX_FACTOR = 10.0
KAPPA = np.array([0.0, -0.1850, -1.0 / 9.0, -0.0823, -0.0415, 0.0])
GAMMA = np.array([0.0, 1.0, 1.5, 11.0 / 6.0, 25.0 / 12.0, 137.0 / 60.0])
ALPHA = (1.0 - KAPPA) * GAMMA
ERROR_CONST = KAPPA * GAMMA + 1.0 / np.arange(1, MAX_ORDER + 2)


@njit(**JIT_OPTS)
def koren(r):
    """Koren limiter: max(0, min(2r, (1 + 2r)/3, 2))."""
    return max(0.0, min(2.0 * r, min((1.0 + 2.0 * r) / 3.0, 2.0)))


@njit(**JIT_OPTS)
def outlet_from_cells(c1, c2, c3):
    """c at z = L from the last three cells (c1 last): c1 plus a minmod-limited slope."""
    a = c1 - c2
    b = c2 - c3
    if a * b <= 0.0:
        return c1
    return c1 + 0.5 * (a if abs(a) < abs(b) else b)


@njit(**JIT_OPTS)
def outlet_value(y, n, S, k):
    """c at z = L of component k in state y."""
    if n < 3:
        return y[(n - 1) * S + k]
    return outlet_from_cells(y[(n - 1) * S + k], y[(n - 2) * S + k], y[(n - 3) * S + k])


@njit(**JIT_OPTS)
def states_per_cell(pm, nc):
    """c and q per component (SOLID), or c, c_p and q (PORES)."""
    return 3 * nc if pm == PORES else 2 * nc


@njit(**JIT_OPTS)
def column_rhs(y, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, dydt):
    """dy/dt of the column (see module docstring); cl, ql, rate are work arrays (nc)."""
    S = states_per_cell(pm, nc)
    dz = L / n
    F = (1.0 - eps) / eps
    for i in range(n):
        base = i * S
        if pm == PORES:
            eps_p = pp[0]
            a = 3.0 / pp[1]  # film area per particle volume, 1/m
            for k in range(nc):
                cl[k] = y[base + nc + k]
                ql[k] = y[base + 2 * nc + k]
            kinetic_rate(code, cl, ql, par, rate)
            for k in range(nc):
                film = a * par[P_FILM, k] * (y[base + k] - cl[k])  # mol/m3 particle/s
                dydt[base + 2 * nc + k] = rate[k]
                dydt[base + nc + k] = (film - (1.0 - eps_p) * rate[k]) / eps_p
                dydt[base + k] = -F * film
        else:
            for k in range(nc):
                cl[k] = y[base + k]
                ql[k] = y[base + nc + k]
            kinetic_rate(code, cl, ql, par, rate)
            for k in range(nc):
                dydt[base + nc + k] = rate[k]
                dydt[base + k] = -F * rate[k]
    for k in range(nc):
        flux_in = u * c_in[k]  # Danckwerts: advective + dispersive flux at z = 0
        for f in range(1, n + 1):
            i = f - 1  # upwind cell of face f
            ci = y[i * S + k]
            if f == n:
                flux_out = u * outlet_value(y, n, S, k)
                dydt[n * S + k] = flux_out
            else:
                cd = y[(i + 1) * S + k]
                cu = y[(i - 1) * S + k] if i > 0 else c_in[k]
                down = cd - ci
                face = ci
                if down != 0.0:
                    face = ci + 0.5 * koren((ci - cu) / down) * down
                flux_out = u * face - D * down / dz
            dydt[i * S + k] += (flux_in - flux_out) / dz
            flux_in = flux_out


@njit(**JIT_OPTS)
def _jacobian(y, f0, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, kl, ku, yp, fp,
              jb):
    """Banded finite-difference Jacobian by column grouping: jb[i, j - i + kl] = df_i/dy_j."""
    N = y.shape[0]
    w = kl + ku + 1
    jb[:, :] = 0.0
    for g in range(w):
        yp[:] = y
        for j in range(g, N, w):
            yp[j] = y[j] + 1e-7 * max(abs(y[j]), 1e-3)
        column_rhs(yp, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, fp)
        for j in range(g, N, w):
            dj = yp[j] - y[j]
            for i in range(max(0, j - ku), min(N, j + kl + 1)):
                jb[i, j - i + kl] = (fp[i] - f0[i]) / dj


@njit(**JIT_OPTS)
def _rms(v, scale):
    s = 0.0
    for i in range(v.shape[0]):
        e = v[i] / scale[i]
        s += e * e
    return math.sqrt(s / v.shape[0])


@njit(**JIT_OPTS)
def _inlet(c_sec, c_end, t_sec, s, t, c_in):
    """Inlet of section s at time t: linear from c_sec[s] at its start to c_end[s] at its end."""
    w = (t - t_sec[s]) / (t_sec[s + 1] - t_sec[s])
    w = min(max(w, 0.0), 1.0)
    for k in range(c_in.shape[0]):
        c_in[k] = c_sec[s, k] + w * (c_end[s, k] - c_sec[s, k])


@njit(**JIT_OPTS)
def _interpolate(Dd, order, t, h, tq, i):
    """State i at time tq from the NDF interpolating polynomial through the last step
    (differences Dd at t, step h): y = D0 + sum_j Dj prod_{m<j} (tq - (t - m h))/((m+1) h)."""
    val = Dd[0, i]
    p = 1.0
    for j in range(order):
        p *= (tq - (t - j * h)) / ((j + 1) * h)
        val += Dd[j + 1, i] * p
    return val


@njit(**JIT_OPTS)
def _rescale(Dd, order, factor, R, U, RU, tmp):
    """Rescale the difference array to step h * factor (Shampine & Reichelt 1997):
    D[:order+1] <- (R(factor) U)^T D[:order+1], R_ij = prod_{m=1..i} (m - 1 - factor j)/m."""
    k = order + 1
    for which in range(2):
        M = R if which == 0 else U
        f = factor if which == 0 else 1.0
        for j in range(k):
            M[0, j] = 1.0
        for i in range(1, k):
            M[i, 0] = 0.0
            for j in range(1, k):
                M[i, j] = M[i - 1, j] * (i - 1.0 - f * j) / i
    for i in range(k):
        for j in range(k):
            acc = 0.0
            for m in range(k):
                acc += R[i, m] * U[m, j]
            RU[i, j] = acc
    N = Dd.shape[1]
    for a in range(k):
        for x in range(N):
            acc = 0.0
            for b in range(k):
                acc += RU[b, a] * Dd[b, x]
            tmp[a, x] = acc
    for a in range(k):
        for x in range(N):
            Dd[a, x] = tmp[a, x]


@njit(**JIT_OPTS)
def run_column(L, u_sec, eps, D, n, code, pm, pp, par, t_sec, c_sec, c_end, c_init, q_init,
               t_out, t_prof, rtol, atol, scale, c_out, prof_out, y_end, stats):
    """Integrate one column through the inlet sections, from a bed whose liquid holds
    c_init and whose solid holds q_init everywhere (a clean bed: zeros; a resin in its
    counter-ion form: q_init = binding.equilibrium of its regenerant).

    Section s runs from t_sec[s] to t_sec[s + 1] at interstitial velocity u_sec[s] with an
    inlet ramped linearly from c_sec[s, :] to c_end[s, :] (equal: piecewise constant;
    len(t_sec) = n_sections + 1).  Fills c_out[k_t, k] (outlet,
    mol/m3) at t_out, y_end (final state incl. integrated outflow), stats = [accepted,
    rejected, rhs, jacobians, t reached].  ``scale`` sets atol per state (atol * scale).
    prof_out[k, :] is the whole state of the n cells (n S values) at t_prof[k] (sorted;
    may be empty): in-bed profiles.

    Integrator: variable-order (1-5), variable-step numerical differentiation formulas
    (NDF; Shampine & Reichelt, SIAM J. Sci. Comput. 18 (1997) 1-22) in difference form,
    with a simplified Newton iteration on the banded iteration matrix I - h/alpha J; the
    banded finite-difference Jacobian is refreshed only when Newton fails.  Each section
    restarts at order 1 (the inlet jumps); outputs come from the interpolating polynomial.
    """
    nc = par.shape[1]
    S = states_per_cell(pm, nc)
    N = n * S + nc
    kl = 3 * S  # the outflow states see the last three cells
    ku = S
    y = np.zeros(N)
    f = np.zeros(N)
    d = np.zeros(N)
    dy = np.zeros(N)
    ypred = np.zeros(N)
    psi = np.zeros(N)
    sc = np.zeros(N)
    yp = np.zeros(N)
    fp = np.zeros(N)
    Dd = np.zeros((MAX_ORDER + 3, N))
    tmp = np.zeros((MAX_ORDER + 1, N))
    R = np.zeros((MAX_ORDER + 1, MAX_ORDER + 1))
    U = np.zeros((MAX_ORDER + 1, MAX_ORDER + 1))
    RU = np.zeros((MAX_ORDER + 1, MAX_ORDER + 1))
    jb = np.zeros((N, 2 * kl + ku + 1))
    ab = np.zeros((N, 2 * kl + ku + 1))
    piv = np.zeros(N, np.int64)
    cl = np.zeros(nc)
    ql = np.zeros(nc)
    rate = np.zeros(nc)
    cells3 = np.zeros(3)
    newton_tol = max(10.0 * 2.220446049250313e-16 / rtol, min(0.03, rtol ** 0.5))
    n_acc = 0
    n_rej = 0
    n_rhs = 0
    n_jac = 0
    k_out = 0
    n_out = t_out.shape[0]
    t = t_sec[0]
    while k_out < n_out and t_out[k_out] <= t:
        for k in range(nc):
            c_out[k_out, k] = c_init[k]
        k_out += 1
    for i in range(n):
        for k in range(nc):
            y[i * S + k] = c_init[k]
            y[i * S + S - nc + k] = q_init[k]
            if pm == PORES:
                y[i * S + nc + k] = c_init[k]
    k_prof = 0
    n_prof = t_prof.shape[0]
    while k_prof < n_prof and t_prof[k_prof] <= t:
        prof_out[k_prof, :] = y[:n * S]
        k_prof += 1
    status = STATUS_OK
    h = 0.0
    c_in = np.zeros(nc)
    for s in range(t_sec.shape[0] - 1):
        u = u_sec[s]
        t_bound = t_sec[s + 1]
        _inlet(c_sec, c_end, t_sec, s, t, c_in)
        column_rhs(y, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, f)
        n_rhs += 1
        _jacobian(y, f, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, kl, ku, yp,
                  fp, jb)
        n_jac += 1
        n_rhs += kl + ku + 1
        current_jac = True
        if h <= 0.0:
            h = 1e-6 * (t_bound - t)
        h = min(h, t_bound - t)
        order = 1
        Dd[:, :] = 0.0
        for i in range(N):
            Dd[0, i] = y[i]
            Dd[1, i] = f[i] * h
        n_equal = 0
        lu_ok = False
        c_lu = 0.0
        while t < t_bound:
            if n_acc + n_rej >= MAX_STEPS:
                status = STATUS_MAX_STEPS
                break
            if t + h > t_bound:
                factor = (t_bound - t) / h
                _rescale(Dd, order, factor, R, U, RU, tmp)
                h = t_bound - t
                n_equal = 0
                lu_ok = False
            if h <= 4.0 * 2.220446049250313e-16 * abs(t) or h <= 0.0:
                status = STATUS_STEP_UNDERFLOW
                break
            t_new = t + h
            if t_bound - t_new <= 4.0 * 2.220446049250313e-16 * abs(t_bound):
                t_new = t_bound
            for i in range(N):
                acc = 0.0
                for m in range(order + 1):
                    acc += Dd[m, i]
                ypred[i] = acc
                sc[i] = atol * scale[i] + rtol * abs(acc)
                acc = 0.0
                for m in range(1, order + 1):
                    acc += Dd[m, i] * GAMMA[m]
                psi[i] = acc / ALPHA[order]
            c = h / ALPHA[order]
            if not lu_ok or c != c_lu:
                for i in range(N):
                    for m in range(ab.shape[1]):
                        ab[i, m] = -c * jb[i, m]
                    ab[i, kl] += 1.0
                if band_lu(ab, kl, ku, piv) != 0:
                    status = STATUS_SINGULAR
                    break
                lu_ok = True
                c_lu = c
            # simplified Newton for y = ypred + d, d = c f(y) - psi
            for i in range(N):
                y[i] = ypred[i]
                d[i] = 0.0
            converged = False
            n_iter = 0
            dy_old = -1.0
            for it in range(NEWTON_MAXITER):
                n_iter = it + 1
                _inlet(c_sec, c_end, t_sec, s, t_new, c_in)
                column_rhs(y, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate, f)
                n_rhs += 1
                for i in range(N):
                    dy[i] = c * f[i] - psi[i] - d[i]
                band_solve(ab, kl, ku, piv, dy)
                dy_norm = _rms(dy, sc)
                if not np.isfinite(dy_norm):
                    break
                ratio = dy_norm / dy_old if dy_old > 0.0 else -1.0
                if ratio >= 0.0 and (ratio >= 1.0 or ratio ** (NEWTON_MAXITER - it)
                                     / (1.0 - ratio) * dy_norm > newton_tol):
                    break
                for i in range(N):
                    y[i] += dy[i]
                    d[i] += dy[i]
                if dy_norm == 0.0 or (ratio >= 0.0 and ratio / (1.0 - ratio) * dy_norm
                                      < newton_tol):
                    converged = True
                    break
                dy_old = dy_norm
            if not converged:
                if current_jac:
                    _rescale(Dd, order, 0.5, R, U, RU, tmp)
                    h *= 0.5
                    n_equal = 0
                    n_rej += 1
                else:
                    column_rhs(ypred, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql, rate,
                               fp)
                    for i in range(N):
                        f[i] = fp[i]
                    _jacobian(ypred, f, c_in, L, u, eps, D, n, nc, code, pm, pp, par, cl, ql,
                              rate, kl, ku, yp, fp, jb)
                    n_jac += 1
                    n_rhs += kl + ku + 2
                    current_jac = True
                lu_ok = False
                continue
            safety = 0.9 * (2 * NEWTON_MAXITER + 1) / (2 * NEWTON_MAXITER + n_iter)
            for i in range(N):
                sc[i] = atol * scale[i] + rtol * abs(y[i])
                dy[i] = ERROR_CONST[order] * d[i]
            err = _rms(dy, sc)
            if not np.isfinite(err):
                status = STATUS_NAN
                break
            if err > 1.0:
                factor = max(MIN_FACTOR, safety * err ** (-1.0 / (order + 1)))
                _rescale(Dd, order, factor, R, U, RU, tmp)
                h *= factor
                n_equal = 0
                lu_ok = False
                n_rej += 1
                continue
            # accepted
            n_acc += 1
            current_jac = False
            n_equal += 1
            t_old = t
            t = t_new
            for i in range(N):
                Dd[order + 2, i] = d[i] - Dd[order + 1, i]
                Dd[order + 1, i] = d[i]
            for m in range(order, -1, -1):
                for i in range(N):
                    Dd[m, i] += Dd[m + 1, i]
            # outputs in (t_old, t] from the interpolating polynomial of this step
            while k_out < n_out and t_out[k_out] <= t:
                tq = t_out[k_out]
                for k in range(nc):
                    for mm in range(3):
                        cells3[mm] = _interpolate(Dd, order, t, h, tq,
                                                  max(n - 1 - mm, 0) * S + k)
                    c_out[k_out, k] = (cells3[0] if n < 3 else
                                       outlet_from_cells(cells3[0], cells3[1], cells3[2]))
                k_out += 1
            while k_prof < n_prof and t_prof[k_prof] <= t:
                tq = t_prof[k_prof]
                for i in range(n * S):
                    prof_out[k_prof, i] = _interpolate(Dd, order, t, h, tq, i)
                k_prof += 1
            if t_old == t:
                break
            if n_equal < order + 1:
                continue
            e_minus = np.inf
            e_plus = np.inf
            if order > 1:
                for i in range(N):
                    dy[i] = ERROR_CONST[order - 1] * Dd[order, i]
                e_minus = _rms(dy, sc)
            if order < MAX_ORDER:
                for i in range(N):
                    dy[i] = ERROR_CONST[order + 1] * Dd[order + 2, i]
                e_plus = _rms(dy, sc)
            f_minus = e_minus ** (-1.0 / order) if e_minus > 0.0 else np.inf
            f_same = err ** (-1.0 / (order + 1)) if err > 0.0 else np.inf
            f_plus = e_plus ** (-1.0 / (order + 2)) if e_plus > 0.0 else np.inf
            best = f_same
            delta = 0
            if f_minus > best:
                best = f_minus
                delta = -1
            if f_plus > best:
                best = f_plus
                delta = 1
            order += delta
            factor = min(MAX_FACTOR, safety * best)
            _rescale(Dd, order, factor, R, U, RU, tmp)
            h *= factor
            n_equal = 0
            lu_ok = False
        for i in range(N):
            y[i] = Dd[0, i]
        if status != STATUS_OK:
            break
    y_end[:] = y
    stats[0] = n_acc
    stats[1] = n_rej
    stats[2] = n_rhs
    stats[3] = n_jac
    stats[4] = t
    return status


@njit(**PARALLEL_OPTS)
def run_column_many(L, u_sec, eps, D, n, code, pm, pp, par, t_sec, c_sec, c_end, c_init, q_init,
                    t_out, t_prof, rtol, atol, scale, c_out, prof_out, y_end, stats, status):
    """``run_column`` over the leading (case) axis of every array, in parallel."""
    for s in prange(L.shape[0]):
        status[s] = run_column(L[s], u_sec[s], eps[s], D[s], n, code, pm, pp[s], par[s],
                               t_sec[s], c_sec[s], c_end[s], c_init[s], q_init[s], t_out[s],
                               t_prof[s], rtol, atol, scale[s], c_out[s], prof_out[s],
                               y_end[s], stats[s])
