"""Independent reference implementations of the binding (sorption / ion-exchange) models.

Nothing here imports ``leachsim``: each model is written out again from its defining
equations with plain numpy and scipy, using different unknowns and different solvers
from the compiled kernels (which solve one scalar site balance in ln s by Newton):

* mass-action ion exchange: ``scipy.optimize.brentq`` on the log-loading of a reference
  ion (the counter-ion, or, when the liquid holds none, the most concentrated ion),
  with every other loading from its pairwise mass-action law; and ``fsolve`` on the full
  system (n log-loadings, n - 1 mass-action laws plus electroneutrality);
* SMA: ``brentq`` on ln(qbar_0) (unshielded bound salt) and ``fsolve`` on the full
  system of kinetic equilibria plus the site balance;
* the finite-slope power law: the quadratic's two coefficients from a 2x2 linear solve
  of the matching conditions (value and slope at the threshold), not from the formula.

Units: c mol/m^3 liquid, q mol/m^3 solid, Lambda eq/m^3 solid.  Arguments are plain
numpy arrays, one entry per component; component 0 is the counter-ion / salt / H+
where a model says so.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import brentq, fsolve
from scipy.special import logsumexp


def _fsolve_checked(F, guess):
    """fsolve, then polished by a few more fsolve restarts; the residual must be ~ 0
    (fsolve's own 'no further improvement' message is normal at machine precision)."""
    v = guess
    for _ in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            v = fsolve(F, v, xtol=1e-15)
        if np.max(np.abs(F(v))) < 1e-13:
            return v
    raise AssertionError(f"fsolve did not converge: residual {np.max(np.abs(F(v))):.3g}")


def linear(c, H):
    return np.asarray(H, float) * np.asarray(c, float)


def langmuir(c, qmax, K):
    """Competitive Langmuir q_k = qmax_k K_k c_k / (1 + sum_j K_j c_j) with c clipped at 0."""
    c = np.clip(np.asarray(c, float), 0.0, None)
    K = np.asarray(K, float)
    return np.asarray(qmax, float) * K * c / (1.0 + np.dot(K, c))


def langmuir_second_order_rate(c, q, qmax, ka, kd):
    """dq_k/dt = ka_k c_k qmax_k theta_free - kd_k q_k, theta_free = 1 - sum q_j/qmax_j."""
    c = np.clip(np.asarray(c, float), 0.0, None)
    qmax = np.asarray(qmax, float)
    theta = 1.0 - sum(qj / qm for qj, qm in zip(q, qmax) if qm > 0)
    return np.asarray(ka) * c * qmax * theta - np.asarray(kd) * np.asarray(q)


def blend_coefficients(beta, x_l):
    """(a, b) of a x + b x^2 matching x^beta in value and slope at x_l (2x2 solve)."""
    A = np.array([[x_l, x_l ** 2], [1.0, 2.0 * x_l]])
    rhs = np.array([x_l ** beta, beta * x_l ** (beta - 1.0)])
    return np.linalg.solve(A, rhs)


def soft_power(x, beta, x_l):
    """x^beta above x_l, the C1 quadratic through 0 below (only when beta < 1, x_l > 0)."""
    x = max(float(x), 0.0)
    if beta < 1.0 and x_l > 0.0 and x < x_l:
        a, b = blend_coefficients(beta, x_l)
        return a * x + b * x * x
    return x ** beta


def freundlich(c, KF, n, c_lin):
    return np.array([KF[k] * soft_power(c[k], 1.0 / n[k], c_lin[k]) for k in range(len(c))])


def sips(c, qmax, K, n, c_lin):
    s = np.array([soft_power(K[k] * c[k], n[k], K[k] * c_lin[k]) for k in range(len(c))])
    return np.asarray(qmax) * s / (1.0 + s.sum())


# ------------------------------------------------------------------ mass-action ion exchange

def ix_pair_lnK(K, z, k, r):
    """ln of the selectivity of k over reference r, from the coefficients vs ion 0:
    K_{k/r} = q_k^z_r c_r^z_k / (q_r^z_k c_k^z_r) = K_k^(z_r/z_0) / K_r^(z_k/z_0)."""
    return (z[r] * np.log(K[k]) - z[k] * np.log(K[r])) / z[0]


def ix_equilibrium(c, z, K, lam):
    """Mass-action loadings by brentq on u = ln q_r of a reference ion r.

    K[0] is taken as 1.  r = 0 when c_0 > 0, otherwise the exchanging ion with the
    largest c.  For every other ion with c_k > 0 and K_k > 0,
        z_r ln q_k = ln K_{k/r} + z_r ln c_k + z_k (u - ln c_r),
    and u solves ln(sum_k z_k q_k) = ln Lambda.
    """
    c = np.asarray(c, float)
    z = np.asarray(z, float)
    K = np.array(K, float)
    K[0] = 1.0
    n = len(c)
    active = [k for k in range(n) if c[k] > 0 and K[k] > 0]
    if not active:
        q = np.zeros(n)
        q[0] = lam / z[0]
        return q
    r = 0 if c[0] > 0 else max(active, key=lambda k: c[k])

    def lnq(u):
        out = np.full(n, -np.inf)
        for k in active:
            out[k] = (ix_pair_lnK(K, z, k, r) + z[r] * np.log(c[k])
                      + z[k] * (u - np.log(c[r]))) / z[r]
        return out

    def g(u):
        return logsumexp(lnq(u), b=z) - np.log(lam)

    top = np.log(lam / z[r]) + 1.0  # + 1: g(top) > 0 beyond rounding
    u = brentq(g, top - 1500.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return np.exp(lnq(u))


def ix_equilibrium_fsolve(c, z, K, lam, guess=None):
    """Full-system route (all c_k > 0): unknowns v_k = ln q_k,
        z_0 v_k - z_k v_0 = ln K_k + z_0 ln c_k - z_k ln c_0     (k >= 1)
        ln(sum_k z_k e^v_k) = ln Lambda."""
    c = np.asarray(c, float)
    z = np.asarray(z, float)
    K = np.asarray(K, float)
    n = len(c)
    if guess is None:
        guess = np.log(lam / (n * z))

    def F(v):
        res = np.empty(n)
        for k in range(1, n):
            res[k] = (z[0] * v[k] - z[k] * v[0]
                      - (np.log(K[k]) + z[0] * np.log(c[k]) - z[k] * np.log(c[0])))
        res[0] = logsumexp(v, b=z) - np.log(lam)
        return res

    v = _fsolve_checked(F, guess)
    return np.exp(v)


def ix_binary_12(c_na, c_ca, K, lam):
    """Closed form for Na+ (counter-ion, z=1) / Ca2+ (z=2):
    q_Ca c_Na^2 / (q_Na^2 c_Ca) = K, q_Na + 2 q_Ca = Lambda
    => 2 A q_Na^2 + q_Na - Lambda = 0, A = K c_Ca / c_Na^2."""
    A = K * c_ca / c_na ** 2
    q_na = 2.0 * lam / (1.0 + np.sqrt(1.0 + 8.0 * A * lam))  # stable root
    return q_na, A * q_na ** 2  # not (Lambda - q_na)/2, which cancels for trace Ca


# ------------------------------------------------------------------ steric mass action

def sma_equilibrium(c, nu, sigma, ka, kd, lam):
    """SMA rapid equilibrium by brentq on w = ln(qbar_0) (c_0 > 0), or, when c_0 = 0,
    on ln q_r of the most concentrated protein r (then qbar_0 = 0).

    q_k = K_k c_k (qbar_0 / c_0)^nu_k, K_k = ka_k/kd_k; qbar_0 + sum (nu+sigma) q = Lambda;
    returns q with q_0 = Lambda - sum nu_k q_k."""
    c = np.asarray(c, float)
    nu, sigma, ka, kd = (np.asarray(a, float) for a in (nu, sigma, ka, kd))
    n = len(c)
    prot = [k for k in range(1, n) if c[k] > 0 and ka[k] > 0]
    q = np.zeros(n)
    if not prot:
        q[0] = lam
        return q
    lnK = np.zeros(n)
    lnK[1:] = np.log(ka[1:]) - np.log(kd[1:])
    wgt = nu + sigma
    if c[0] > 0:
        def lnq(w):
            return {k: lnK[k] + np.log(c[k]) + nu[k] * (w - np.log(c[0])) for k in prot}

        def g(w):
            terms = lnq(w)
            return logsumexp([w] + list(terms.values()),
                             b=[1.0] + [wgt[k] for k in terms]) - np.log(lam)
        top = np.log(lam)
    else:
        r = max(prot, key=lambda k: c[k])

        def lnq(w):  # w = ln q_r;  q_k = K_k c_k (q_r/(K_r c_r))^(nu_k/nu_r)
            return {k: lnK[k] + np.log(c[k])
                    + nu[k] / nu[r] * (w - lnK[r] - np.log(c[r])) for k in prot}

        def g(w):
            terms = lnq(w)
            return logsumexp(list(terms.values()), b=[wgt[k] for k in terms]) - np.log(lam)
        top = np.log(lam / wgt[r])
    top += 1.0  # g(top) > 0 beyond rounding
    w = brentq(g, top - 1500.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    for k, v in lnq(w).items():
        q[k] = np.exp(v)
    q[0] = lam - np.dot(nu[1:], q[1:])
    return q


def sma_equilibrium_fsolve(c, nu, sigma, ka, kd, lam):
    """Full-system route (all c > 0): unknowns v_0 = ln qbar_0, v_k = ln q_k (k >= 1),
        ln ka_k + ln c_k + nu_k v_0 = ln kd_k + v_k + nu_k ln c_0      (rates balance)
        e^v_0 + sum (nu_k + sigma_k) e^v_k = Lambda."""
    c = np.asarray(c, float)
    nu, sigma, ka, kd = (np.asarray(a, float) for a in (nu, sigma, ka, kd))
    n = len(c)

    def F(v):
        res = np.empty(n)
        for k in range(1, n):
            res[k] = (np.log(ka[k]) + np.log(c[k]) + nu[k] * v[0]
                      - np.log(kd[k]) - v[k] - nu[k] * np.log(c[0]))
        res[0] = logsumexp(v, b=np.r_[1.0, nu[1:] + sigma[1:]]) - np.log(lam)
        return res

    guess = np.log(np.r_[lam / n, lam / (n * (nu[1:] + sigma[1:]))])
    v = _fsolve_checked(F, guess)
    q = np.exp(v)
    q[0] = lam - np.dot(nu[1:], q[1:])
    return q


def sma_rate(c, q, nu, sigma, ka, kd, lam):
    """CADET SMA kinetics: dq_k/dt = ka c_k qbar0^nu - kd q_k c_0^nu; dq_0 = -sum nu dq_k."""
    c = np.clip(np.asarray(c, float), 0.0, None)
    q = np.asarray(q, float)
    qbar = max(lam - np.dot(np.asarray(nu)[1:] + np.asarray(sigma)[1:], q[1:]), 0.0)
    r = np.zeros(len(c))
    for k in range(1, len(c)):
        r[k] = ka[k] * c[k] * qbar ** nu[k] - kd[k] * q[k] * c[0] ** nu[k]
    r[0] = -np.dot(np.asarray(nu)[1:], r[1:])
    return r
