"""Fixed-bed column: bulk advection-dispersion with film-free solid uptake (first slice).

Symbols and SI units
--------------------
z, L     axial position, bed length                      m
u        interstitial velocity                           m/s
eps      bed (interparticle) porosity                    -
D        axial dispersion coefficient                    m^2/s
c_k      bulk concentration of component k               mol/m^3
q_k      loading per volume of solid                     mol/m^3 solid

Bulk phase, with F = (1 - eps)/eps:

    dc_k/dt = -u dc_k/dz + D d2c_k/dz2 - F dq_k/dt
    inlet  (Danckwerts):  u c_in,k = u c_k - D dc_k/dz     at z = 0
    outlet:               dc_k/dz = 0                      at z = L

Solid (``mode``):
    LDF:      dq_k/dt = k_ldf,k (q*_k(c) - q_k), with q* linear (H_k c_k) or
              competitive Langmuir q_max,k K_k c_k / (1 + sum_j K_j c_j)
    KINETIC:  dq_k/dt = k_a,k c_k q_max,k (1 - sum_j q_j / q_max,j) - k_d,k q_k
              (competitive Langmuir kinetics; one component is Thomas's model)

Finite volumes on n equal cells; the advective face value is the upwind cell
plus a Koren-limited slope (third order where smooth, no new extrema); the
dispersive flux is central.  The inlet face carries the Danckwerts flux
u c_in exactly; the outlet face carries u c_L with c_L the last cell plus a
minmod-limited backward slope, and the outflow is integrated as extra states
so the mass balance fed - out - held can be checked to solver precision.

State layout: y[i S + k] = c_ik, y[i S + nc + k] = q_ik (S = 2 nc) for cell i,
then y[n S + k] = int_0^t u c_L,k dt (mol/m^2 per unit interstitial area).
The Jacobian is banded with kl = 2 S, ku = S.
"""
import math

import numpy as np
from numba import njit, prange

from ._numba import JIT_OPTS, PARALLEL_OPTS
from .banded import band_lu, band_solve

LDF = 0
KINETIC = 1
LINEAR = 0
LANGMUIR = 1

# parameter rows of par[:, k]
P_KLDF, P_H, P_QMAX, P_K, P_KA, P_KD = 0, 1, 2, 3, 4, 5
N_PAR = 6

STATUS_OK = 0
STATUS_STEP_UNDERFLOW = 1
STATUS_NAN = 2
STATUS_MAX_STEPS = 3
STATUS_SINGULAR = 5
MAX_STEPS = 2_000_000
JAC_REUSE = 10  # accepted steps between Jacobian updates (ode23s is a W-method)

_D = 1.0 / (2.0 + math.sqrt(2.0))  # ode23s (Shampine & Reichelt 1997)
_E32 = 6.0 + math.sqrt(2.0)


@njit(**JIT_OPTS)
def koren(r):
    """Koren limiter: max(0, min(2r, (1 + 2r)/3, 2))."""
    return max(0.0, min(2.0 * r, min((1.0 + 2.0 * r) / 3.0, 2.0)))


@njit(**JIT_OPTS)
def solid_rate(mode, iso, c, q, par, out):
    """dq_k/dt for all components at one location (c, q in mol/m^3)."""
    nc = c.shape[0]
    if mode == KINETIC:
        free = 1.0
        for j in range(nc):
            free -= q[j] / par[P_QMAX, j]
        for k in range(nc):
            out[k] = par[P_KA, k] * c[k] * par[P_QMAX, k] * free - par[P_KD, k] * q[k]
        return
    if iso == LINEAR:
        for k in range(nc):
            out[k] = par[P_KLDF, k] * (par[P_H, k] * c[k] - q[k])
        return
    den = 1.0
    for j in range(nc):
        den += par[P_K, j] * max(c[j], 0.0)
    for k in range(nc):
        qstar = par[P_QMAX, k] * par[P_K, k] * max(c[k], 0.0) / den
        out[k] = par[P_KLDF, k] * (qstar - q[k])


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
def column_rhs(y, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, dydt):
    """dy/dt of the column (see module docstring); cl, ql, rate are work arrays (nc)."""
    S = 2 * nc
    dz = L / n
    F = (1.0 - eps) / eps
    for i in range(n):
        for k in range(nc):
            cl[k] = y[i * S + k]
            ql[k] = y[i * S + nc + k]
        solid_rate(mode, iso, cl, ql, par, rate)
        for k in range(nc):
            dydt[i * S + nc + k] = rate[k]
            dydt[i * S + k] = -F * rate[k]
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
def _jacobian(y, f0, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, kl, ku, yp, fp,
              jb):
    """Banded finite-difference Jacobian by column grouping: jb[i, j - i + kl] = df_i/dy_j."""
    N = y.shape[0]
    w = kl + ku + 1
    jb[:, :] = 0.0
    for g in range(w):
        yp[:] = y
        for j in range(g, N, w):
            yp[j] = y[j] + 1e-7 * max(abs(y[j]), 1e-3)
        column_rhs(yp, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, fp)
        for j in range(g, N, w):
            dj = yp[j] - y[j]
            for i in range(max(0, j - ku), min(N, j + kl + 1)):
                jb[i, j - i + kl] = (fp[i] - f0[i]) / dj


@njit(**JIT_OPTS)
def _norm(err, y, y_new, scale, rtol, atol):
    s = 0.0
    for i in range(err.shape[0]):
        sc = atol * scale[i] + rtol * max(abs(y[i]), abs(y_new[i]))
        e = err[i] / sc
        s += e * e
    return math.sqrt(s / err.shape[0])


@njit(**JIT_OPTS)
def run_column(L, u_sec, eps, D, n, mode, iso, par, t_sec, c_sec, t_out, rtol, atol, scale,
               c_out, y_end, stats):
    """Integrate one column from a clean bed through the inlet sections.

    Section s runs from t_sec[s] to t_sec[s + 1] with inlet c_sec[s, :] at interstitial
    velocity u_sec[s] (len(t_sec) = n_sections + 1).  Fills c_out[k_t, k] (outlet,
    mol/m3) at t_out, y_end (final state incl. integrated outflow), stats = [accepted,
    rejected, rhs, jacobians, t reached].  ode23s (Rosenbrock-W, order 2 with an order-3 error
    estimate, L-stable) with a banded finite-difference Jacobian refreshed every
    JAC_REUSE steps or after a rejection, and a banded LU each step; outputs by cubic
    Hermite interpolation.  ``scale`` sets atol per state (atol * scale).
    """
    nc = par.shape[1]
    S = 2 * nc
    N = n * S + nc
    kl = 2 * S
    ku = S
    y = np.zeros(N)
    y_new = np.zeros(N)
    f0 = np.zeros(N)
    f1 = np.zeros(N)
    f2 = np.zeros(N)
    k1 = np.zeros(N)
    k2 = np.zeros(N)
    k3 = np.zeros(N)
    tmp = np.zeros(N)
    err = np.zeros(N)
    yp = np.zeros(N)
    fp = np.zeros(N)
    jb = np.zeros((N, 2 * kl + ku + 1))
    ab = np.zeros((N, 2 * kl + ku + 1))
    piv = np.zeros(N, np.int64)
    cl = np.zeros(nc)
    ql = np.zeros(nc)
    rate = np.zeros(nc)
    tmp3 = np.zeros(3)
    n_acc = 0
    n_rej = 0
    n_rhs = 0
    n_jac = 0
    k_out = 0
    n_out = t_out.shape[0]
    t = t_sec[0]
    while k_out < n_out and t_out[k_out] <= t:
        for k in range(nc):
            c_out[k_out, k] = 0.0
        k_out += 1
    status = STATUS_OK
    h = 0.0
    for s in range(t_sec.shape[0] - 1):
        c_in = c_sec[s]
        u = u_sec[s]
        t_end = t_sec[s + 1]
        column_rhs(y, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, f0)
        n_rhs += 1
        if h <= 0.0:
            h = 1e-6 * (t_end - t)
        jac_age = JAC_REUSE  # the inlet changed: new Jacobian
        while t < t_end:
            if n_acc + n_rej >= MAX_STEPS:
                status = STATUS_MAX_STEPS
                break
            last = t + h >= t_end
            if last:
                h = t_end - t
            if h <= 4.0 * 2.220446049250313e-16 * abs(t) or h <= 0.0:
                status = STATUS_STEP_UNDERFLOW
                break
            if jac_age >= JAC_REUSE:
                _jacobian(y, f0, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, kl,
                          ku, yp, fp, jb)
                n_jac += 1
                n_rhs += kl + ku + 1
                jac_age = 0
            hd = h * _D
            for i in range(N):
                for m in range(ab.shape[1]):
                    ab[i, m] = -hd * jb[i, m]
                ab[i, kl] += 1.0
            if band_lu(ab, kl, ku, piv) != 0:
                status = STATUS_SINGULAR
                break
            k1[:] = f0
            band_solve(ab, kl, ku, piv, k1)
            for i in range(N):
                tmp[i] = y[i] + 0.5 * h * k1[i]
            column_rhs(tmp, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, f1)
            for i in range(N):
                k2[i] = f1[i] - k1[i]
            band_solve(ab, kl, ku, piv, k2)
            for i in range(N):
                k2[i] += k1[i]
                y_new[i] = y[i] + h * k2[i]
            column_rhs(y_new, c_in, L, u, eps, D, n, nc, mode, iso, par, cl, ql, rate, f2)
            for i in range(N):
                k3[i] = f2[i] - _E32 * (k2[i] - f1[i]) - 2.0 * (k1[i] - f0[i])
            band_solve(ab, kl, ku, piv, k3)
            n_rhs += 2
            for i in range(N):
                err[i] = h / 6.0 * (k1[i] - 2.0 * k2[i] + k3[i])
            e = _norm(err, y, y_new, scale, rtol, atol)
            if not np.isfinite(e):
                status = STATUS_NAN
                break
            if e <= 1.0:
                t_new = t_end if last else t + h
                while k_out < n_out and t_out[k_out] <= t_new:
                    th = (t_out[k_out] - t) / h
                    h00 = (1.0 + 2.0 * th) * (1.0 - th) ** 2
                    h10 = th * (1.0 - th) ** 2
                    h01 = th * th * (3.0 - 2.0 * th)
                    h11 = th * th * (th - 1.0)
                    for k in range(nc):
                        # Hermite-interpolate the last cells, then reconstruct the outlet
                        for m in range(3):
                            i = max(n - 1 - m, 0) * S + k
                            tmp3[m] = h00 * y[i] + h01 * y_new[i] + h * (h10 * f0[i] + h11 * f2[i])
                        c_out[k_out, k] = (tmp3[0] if n < 3 else
                                           outlet_from_cells(tmp3[0], tmp3[1], tmp3[2]))
                    k_out += 1
                t = t_new
                y[:] = y_new
                f0[:] = f2
                n_acc += 1
                jac_age += 1
                fac = 5.0 if e == 0.0 else min(5.0, 0.8 * e ** (-1.0 / 3.0))
                if not last:
                    h *= fac
                else:
                    h = max(h, h * fac)
            else:
                n_rej += 1
                jac_age = JAC_REUSE  # fresh Jacobian for the retry
                h *= max(0.1, 0.8 * e ** (-1.0 / 3.0))
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
def run_column_many(L, u_sec, eps, D, n, mode, iso, par, t_sec, c_sec, t_out, rtol, atol,
                    scale, c_out, y_end, stats, status):
    """``run_column`` over the leading (case) axis of every array, in parallel."""
    for s in prange(L.shape[0]):
        status[s] = run_column(L[s], u_sec[s], eps[s], D[s], n, mode, iso, par[s], t_sec[s],
                               c_sec[s], t_out[s], rtol, atol, scale[s], c_out[s], y_end[s],
                               stats[s])
