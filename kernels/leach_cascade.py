"""Continuous cascade of N stirred tanks at steady state, with exact mixed-flow solids.

Slurry flows through N ideally mixed tanks; tank k has mean residence time
tau_k for both liquid and solids.  At steady state each tank's reagent
concentration C_k is constant, so inside tank k a particle follows the
constant-concentration law t_k(xi) = sum_m tau_m(1) g_m(xi) / sigma_m(C_k)
(see ``shrinking_core``), and its residence time is exponential with mean
tau_k, independent of the other tanks.  With H_k(xi) the fraction of a
population whose core ratio at the exit of tank k is <= xi:

    H_1(xi)  = exp(-t_1(xi) / tau_1)                        (fresh feed, xi = 1)
    H_k(xi)  = H_{k-1}(xi) + int_{y > xi} exp(-(t_k(xi) - t_k(y)) / tau_k) dH_{k-1}(y)
    Xbar_k   = 1 - E[xi**3] = int_0^1 3 xi**2 H_k(xi) dxi

This is the segregated-flow population balance, exact for any number of
tanks; no plug-flow shortcut is taken.  H is carried on a uniform xi grid;
the integral is accumulated from xi = 1 downwards with H taken linear in t_k
inside each interval (so the exponential weight is integrated exactly), and
Xbar by Simpson's rule.  Tank 1 is evaluated in closed form on the grid.

Tank k's reagent balance, Q_L (C_{k-1,r} - C_{k,r}) = sum_p nu[j, r] F_p
(Xbar_{k,p} - Xbar_{k-1,p}), with F_p the molar feed of population p
(mol/s), is solved for C_k by Gauss-Seidel over reagents, each with the
Illinois (modified regula falsi) method on [0, C_{k-1,r}].  A topped-up
reagent keeps its feed concentration and its consumption is reported.
"""
import math

import numpy as np
from numba import njit, prange

from ._numba import JIT_OPTS, PARALLEL_OPTS
from .leach_batch import STATUS_NAN, STATUS_OK, setup_populations
from .shrinking_core import N_MECH, drive, elapsed

STATUS_NO_CONVERGENCE = 4


@njit(**JIT_OPTS)
def tank_exit_distribution(geom, tau1, sigma, tau_res, H_in, first, H_out):
    """Exit CDF H_out on the uniform xi grid of H_in (len G+1, xi_g = g/G)."""
    G = H_in.shape[0] - 1
    active = False
    for m in range(N_MECH):
        if tau1[m] > 0.0:
            active = True
            if sigma[m] <= 0.0:
                active = False
                break
    if not active:
        H_out[:] = H_in
        return
    if first:
        for g in range(G):
            H_out[g] = math.exp(-elapsed(geom, g / G, tau1, sigma) / tau_res)
        H_out[G] = 1.0
        return
    J = 0.0
    t_hi = elapsed(geom, 1.0, tau1, sigma)
    H_out[G] = H_in[G]
    for g in range(G - 1, -1, -1):
        t_lo = elapsed(geom, g / G, tau1, sigma)
        dt = t_lo - t_hi
        dH = H_in[g + 1] - H_in[g]
        decay = math.exp(-dt / tau_res)
        if dt > 0.0:
            J = decay * J + dH * tau_res * (1.0 - decay) / dt
        else:
            J = J + dH
        H_out[g] = H_in[g] + J
        t_hi = t_lo


@njit(**JIT_OPTS)
def mean_conversion(H):
    """Xbar = int_0^1 3 xi^2 H(xi) dxi, Simpson's rule on the uniform grid (G even)."""
    G = H.shape[0] - 1
    s = 0.0
    for g in range(G + 1):
        xi = g / G
        w = 1.0 if (g == 0 or g == G) else (4.0 if g % 2 == 1 else 2.0)
        s += w * 3.0 * xi * xi * H[g]
    return s / (3.0 * G)


@njit(**JIT_OPTS)
def _tank(C, k, geom, primary, orders, tau1, tau_res, H, Hk, Xk):
    n_phase = geom.shape[0]
    sigma = np.zeros(N_MECH)
    for p in range(Xk.shape[0]):
        j = p % n_phase
        drive(C, primary[j], orders[j], sigma)
        tank_exit_distribution(geom[j], tau1[p], sigma, tau_res, H[p], k == 0, Hk[p])
        Xk[p] = mean_conversion(Hk[p])


@njit(**JIT_OPTS)
def _consumption(r, nu, F, X_prev, Xk):
    n_phase = nu.shape[0]
    c = 0.0
    for p in range(Xk.shape[0]):
        c += nu[p % n_phase, r] * F[p] * (Xk[p] - X_prev[p])
    return c


@njit(**JIT_OPTS)
def run_cascade(T, Q_L, C_feed, top_up, geom, mask, primary, rho, coef, Ea, T_ref, orders, nu,
                release, R0, F, tau_res, n_grid, X_out, C_out, consumed_out, M_out, stats):
    """Steady state of a cascade of len(tau_res) tanks.

    Inputs as for ``leach_batch.run_batch`` except: Q_L liquid flow (m3/s),
    C_feed[r] feed reagent concentrations (mol/m3), F[p] molar feed of each
    population (mol/s), tau_res[k] residence times (s), n_grid even number of
    xi intervals.  Outputs per tank k: X_out[k, p] mean conversion, C_out[k, r],
    consumed_out[k, r] reagent consumed in tank k (mol/s), M_out[k, e] element
    flow dissolved up to tank k (mol/s).  stats = [residual evaluations,
    Gauss-Seidel sweeps, worst relative residual, 0].
    """
    n_phase = geom.shape[0]
    n_pop = F.shape[0]
    n_r = C_feed.shape[0]
    n_tank = tau_res.shape[0]
    tau1 = setup_populations(T, geom, mask, primary, rho, nu, coef, Ea, T_ref, R0)

    H = np.zeros((n_pop, n_grid + 1))
    H[:, n_grid] = 1.0  # feed: all particles unreacted, xi = 1
    Hk = np.zeros((n_pop, n_grid + 1))
    X_prev = np.zeros(n_pop)
    Xk = np.zeros(n_pop)
    C_in = C_feed.copy()
    C = C_feed.copy()
    n_eval = 0
    n_sweep = 0
    worst = 0.0
    stats[:] = 0.0
    for k in range(n_tank):
        for r in range(n_r):
            C[r] = C_feed[r] if top_up[r] else C_in[r]
        converged = False
        for sweep in range(200):
            n_sweep += 1
            change = 0.0
            for r in range(n_r):
                if top_up[r] or C_in[r] <= 0.0:
                    continue
                # residual f(c) = Q_L (C_in - c) - consumption(c), decreasing in c
                c_old = C[r]
                a = 0.0
                C[r] = a
                _tank(C, k, geom, primary, orders, tau1, tau_res[k], H, Hk, Xk)
                fa = Q_L * (C_in[r] - a) - _consumption(r, nu, F, X_prev, Xk)
                b = C_in[r]
                C[r] = b
                _tank(C, k, geom, primary, orders, tau1, tau_res[k], H, Hk, Xk)
                fb = Q_L * (C_in[r] - b) - _consumption(r, nu, F, X_prev, Xk)
                n_eval += 2
                if fb >= 0.0:
                    c = b
                elif fa <= 0.0:
                    c = a
                else:
                    side = 0
                    c = b
                    for _ in range(200):
                        c = (a * fb - b * fa) / (fb - fa)
                        C[r] = c
                        _tank(C, k, geom, primary, orders, tau1, tau_res[k], H, Hk, Xk)
                        fc = Q_L * (C_in[r] - c) - _consumption(r, nu, F, X_prev, Xk)
                        n_eval += 1
                        if not np.isfinite(fc):
                            stats[0] = n_eval
                            return STATUS_NAN
                        if abs(fc) <= 1e-13 * Q_L * C_in[r] or b - a <= 1e-14 * C_in[r]:
                            break
                        if fc > 0.0:
                            a = c
                            fa = fc
                            if side == 1:
                                fb *= 0.5
                            side = 1
                        else:
                            b = c
                            fb = fc
                            if side == -1:
                                fa *= 0.5
                            side = -1
                C[r] = c
                change = max(change, abs(c - c_old) / C_in[r])
            if change <= 1e-12:
                converged = True
                break
        _tank(C, k, geom, primary, orders, tau1, tau_res[k], H, Hk, Xk)
        n_eval += 1
        for r in range(n_r):
            cons = _consumption(r, nu, F, X_prev, Xk)
            consumed_out[k, r] = cons
            if not top_up[r] and C_in[r] > 0.0:
                worst = max(worst, abs(Q_L * (C_in[r] - C[r]) - cons) / (Q_L * C_in[r]))
        for p in range(n_pop):
            X_out[k, p] = Xk[p]
            X_prev[p] = Xk[p]
            for g in range(n_grid + 1):
                H[p, g] = Hk[p, g]
        for e in range(release.shape[1]):
            m = 0.0
            for p in range(n_pop):
                m += release[p % n_phase, e] * F[p] * Xk[p]
            M_out[k, e] = m
        C_out[k, :] = C
        C_in[:] = C
        if not converged:
            stats[0] = n_eval
            stats[1] = n_sweep
            stats[2] = worst
            return STATUS_NO_CONVERGENCE
    stats[0] = n_eval
    stats[1] = n_sweep
    stats[2] = worst
    return STATUS_OK


@njit(**PARALLEL_OPTS)
def run_cascade_many(T, Q_L, C_feed, top_up, geom, mask, primary, rho, coef, Ea, T_ref, orders,
                     nu, release, R0, F, tau_res, n_grid, X_out, C_out, consumed_out, M_out,
                     stats, status):
    """``run_cascade`` over the leading (scenario) axis of every array, in parallel."""
    for s in prange(T.shape[0]):
        status[s] = run_cascade(T[s], Q_L[s], C_feed[s], top_up[s], geom[s], mask[s],
                                primary[s], rho[s], coef[s], Ea[s], T_ref[s], orders[s], nu[s],
                                release[s], R0[s], F[s], tau_res[s], n_grid, X_out[s], C_out[s],
                                consumed_out[s], M_out[s], stats[s])
