"""Independent, deliberately simple reference implementations for the leaching tests.

Nothing here imports ``leachsim``: the formulas are written out again from the
textbook (Levenspiel, *Chemical Reaction Engineering*, 3rd ed., ch. 25) so
that a mistake in the package cannot be copied into its own reference.

Symbols (SI): R0 particle radius (m), rho molar density of the reacting phase
in the particle (mol/m^3), nu mol of reagent consumed per mol of phase,
C concentration (mol/m^3), xi = r_core / R0, X = 1 - xi^3.

Constant-concentration integrated laws, t = tau * g(X):

    film, shrinking core        g = X                            tau = rho R0 nu / (3 k_m C)
    product layer (G-B)         g = 1 - 3 (1-X)^(2/3) + 2 (1-X)  tau = rho R0^2 nu / (6 D_e C)
    surface reaction            g = 1 - (1-X)^(1/3)              tau = rho R0 / (k_s C^n)
    film, shrinking particle    g = 1 - (1-X)^(2/3)              tau = rho R0^2 nu / (Sh D C)

with k_m = Sh D / (2 R0).  Resistances in series (shrinking core):

    dX/dt = 1 / (tau_f + 2 tau_a (1 - xi)/xi + tau_r / (3 xi^2)),

and for a shrinking particle (film + reaction), from t = tau_f (1 - xi^2) + tau_r (1 - xi),

    dX/dt = 3 xi^2 / (2 tau_f xi + tau_r).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq
from scipy.stats import gamma, norm

R_GAS = 8.314462618  # J/(mol K), CODATA 2018 (exact)


# ---------------------------------------------------------------------------
# closed-form integrated laws g(X) and characteristic times tau
def g_film(X):
    """Film diffusion around an unreacted shrinking core: g = X."""
    return np.asarray(X, float)


def g_ash(X):
    """Product-layer diffusion, Ginstling-Brounshtein: 1 - 3 (1-X)^(2/3) + 2 (1-X)."""
    X = np.asarray(X, float)
    return 1.0 - 3.0 * (1.0 - X) ** (2.0 / 3.0) + 2.0 * (1.0 - X)


def g_reaction(X):
    """Surface-reaction control (core or particle): 1 - (1-X)^(1/3)."""
    X = np.asarray(X, float)
    return 1.0 - (1.0 - X) ** (1.0 / 3.0)


def g_particle_film(X):
    """Film diffusion around a shrinking particle (k_m ~ 1/r): 1 - (1-X)^(2/3)."""
    X = np.asarray(X, float)
    return 1.0 - (1.0 - X) ** (2.0 / 3.0)


G_CORE = {"film": g_film, "ash": g_ash, "reaction": g_reaction}
G_PARTICLE = {"film": g_particle_film, "reaction": g_reaction}


def tau_film(rho, R0, nu, Sh, D, C):
    """Complete-conversion time under film control, shrinking core: rho R0 nu / (3 k_m C)."""
    k_m = Sh * D / (2.0 * R0)
    return rho * R0 * nu / (3.0 * k_m * C)


def tau_ash(rho, R0, nu, De, C):
    """Complete-conversion time under product-layer control: rho R0^2 nu / (6 D_e C)."""
    return rho * R0 ** 2 * nu / (6.0 * De * C)


def tau_reaction(rho, R0, k_s, drive):
    """Complete-conversion time under surface-reaction control: rho R0 / (k_s prod C^n)."""
    return rho * R0 / (k_s * drive)


def tau_particle_film(rho, R0, nu, Sh, D, C):
    """Shrinking particle, film control: rho R0^2 nu / (Sh D C)."""
    return rho * R0 ** 2 * nu / (Sh * D * C)


def arrhenius(k_ref, Ea, T_ref, T):
    """k(T) = k_ref exp(-Ea/R (1/T - 1/T_ref))."""
    return k_ref * math.exp(-Ea / R_GAS * (1.0 / T - 1.0 / T_ref))


def time_to_conversion(X, taus: dict, geometry: str = "core"):
    """Additive reaction times at fixed C: t(X) = sum_m tau_m g_m(X)."""
    g = G_CORE if geometry == "core" else G_PARTICLE
    return sum(tau * g[m](X) for m, tau in taus.items())


def conversion_at_time(t, taus: dict, geometry: str = "core"):
    """Invert time_to_conversion (bisection/Brent on [0, 1]); X = 1 past completion."""
    t_end = time_to_conversion(1.0, taus, geometry)
    if t <= 0.0:
        return 0.0
    if t >= t_end:
        return 1.0
    return brentq(lambda X: time_to_conversion(X, taus, geometry) - t, 0.0, 1.0,
                  xtol=1e-16, rtol=4 * np.finfo(float).eps, maxiter=500)


# ---------------------------------------------------------------------------
# reference batch leach, integrated in X with scipy
@dataclass
class Population:
    """One (size class, phase) population with its rate coefficients at the run temperature.

    film = Sh * D_L (m^2/s), ash = D_e (m^2/s), reaction = k_s; ``orders`` maps a
    reagent to its reaction order, ``nu`` a reagent to mol consumed per mol phase.
    """

    n0: float  # mol of phase
    R0: float  # m
    rho: float  # mol/m^3 of particle
    primary: str
    nu: dict
    geometry: str = "core"  # or "particle"
    film: float | None = None
    ash: float | None = None
    reaction: float | None = None
    orders: dict = field(default_factory=dict)

    def taus(self, C: dict) -> dict:
        """tau of each active mechanism at concentrations C (inf where the driver is gone)."""
        cp = max(C[self.primary], 0.0)
        nu = self.nu[self.primary] if self.primary in self.nu else 0.0
        out = {}
        if self.film is not None:
            if self.geometry == "core":
                out["film"] = tau_film(self.rho, self.R0, nu, 1.0, self.film, cp) if cp > 0 \
                    else math.inf
            else:
                out["film"] = tau_particle_film(self.rho, self.R0, nu, 1.0, self.film, cp) \
                    if cp > 0 else math.inf
        if self.ash is not None:
            out["ash"] = tau_ash(self.rho, self.R0, nu, self.ash, cp) if cp > 0 else math.inf
        if self.reaction is not None:
            drive = 1.0
            for r, n in self.orders.items():
                drive *= max(C[r], 0.0) ** n
            out["reaction"] = tau_reaction(self.rho, self.R0, self.reaction, drive) \
                if drive > 0 else math.inf
        return out

    def rate(self, X: float, C: dict) -> float:
        """dX/dt with the resistances in series at the current core radius."""
        if X >= 1.0:
            return 0.0
        xi = (1.0 - X) ** (1.0 / 3.0)
        t = self.taus(C)
        if any(math.isinf(v) for v in t.values()):
            return 0.0
        tf, ta, tr = t.get("film", 0.0), t.get("ash", 0.0), t.get("reaction", 0.0)
        if self.geometry == "core":
            return 1.0 / (tf + 2.0 * ta * (1.0 - xi) / xi + tr / (3.0 * xi * xi))
        return 3.0 * xi * xi / (2.0 * tf * xi + tr)


def concentrations(pops, X, C0: dict, V: float, top_up=()) -> dict:
    """C_r = C0_r - sum_p nu_pr n0_p X_p / V (unchanged for topped-up reagents)."""
    C = {}
    for r, c0 in C0.items():
        if r in top_up:
            C[r] = c0
        else:
            C[r] = c0 - sum(p.nu.get(r, 0.0) * p.n0 * x for p, x in zip(pops, X)) / V
    return C


def batch_reference(pops, C0: dict, V: float, t_out, top_up=(), rtol=1e-11, atol=1e-14,
                    method="Radau"):
    """X[k, p] at the times t_out for a batch leach, by solve_ivp on dX/dt.

    The integration starts at a tiny t0 from the constant-C closed form (the
    concentration has not moved yet), which avoids the infinite initial rate
    of product-layer control; before t0 the reported X is that closed form.
    """
    t_out = np.asarray(t_out, float)
    t0 = 1e-9 * t_out[-1]
    taus0 = [p.taus(C0) for p in pops]
    X0 = np.array([conversion_at_time(t0, tau, p.geometry) for p, tau in zip(pops, taus0)])

    def rhs(t, X):
        C = concentrations(pops, X, C0, V, top_up)
        return [p.rate(x, C) for p, x in zip(pops, X)]

    out = np.zeros((t_out.size, len(pops)))
    late = t_out > t0
    for k in np.flatnonzero(~late):
        out[k] = [conversion_at_time(t_out[k], tau, p.geometry) for p, tau in zip(pops, taus0)]
    sol = solve_ivp(rhs, (t0, t_out[-1]), X0, method=method, t_eval=t_out[late],
                    rtol=rtol, atol=atol)
    assert sol.success, sol.message
    out[late] = np.minimum(sol.y.T, 1.0)
    return out


# ---------------------------------------------------------------------------
# continuous stirred tanks, constant concentration, reaction control
def mixed_flow_reaction(t_mean, tau_r):
    """Mean conversion leaving one ideal mixed tank, reaction control, constant C.

    Xbar = int_0^tau_r [1 - (1 - t/tau_r)^3] exp(-t/t_mean) dt/t_mean + exp(-tau_r/t_mean)
         = 3 a - 6 a^2 + 6 a^3 (1 - exp(-1/a)),   a = t_mean / tau_r
    For t_mean >> tau_r this is Levenspiel's series
    1 - Xbar = (1/4)(tau_r/t_mean) - (1/20)(tau_r/t_mean)^2 + ...
    """
    a = t_mean / tau_r
    return 3.0 * a - 6.0 * a ** 2 + 6.0 * a ** 3 * (-math.expm1(-1.0 / a))


def tanks_in_series_reaction(n_tanks, t_total, tau_r):
    """Mean conversion after N equal ideal tanks (total mean residence t_total), reaction
    control at constant C: the batch law averaged over the Erlang(N) residence-time density.
    """
    scale = t_total / n_tanks
    unreacted = quad(lambda t: (1.0 - t / tau_r) ** 3 * gamma.pdf(t, n_tanks, scale=scale),
                     0.0, tau_r, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    return 1.0 - unreacted


def two_tanks_in_series_reaction(t1, t2, tau_r):
    """As tanks_in_series_reaction for two tanks of unequal mean residence times t1 != t2:
    the exit age has the hypoexponential density (exp(-t/t1) - exp(-t/t2)) / (t1 - t2)."""
    pdf = lambda t: (math.exp(-t / t1) - math.exp(-t / t2)) / (t1 - t2)  # noqa: E731
    unreacted = quad(lambda t: (1.0 - t / tau_r) ** 3 * pdf(t), 0.0, tau_r,
                     epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    return 1.0 - unreacted


# ---------------------------------------------------------------------------
# two mixed tanks with a falling reagent, shrinking core, by direct quadrature
_GL_X, _GL_W = np.polynomial.legendre.leggauss(80)


def _gauss(a, b):
    """Gauss-Legendre nodes and weights on [a, b] (arrays broadcast)."""
    a, b = np.asarray(a, float)[..., None], np.asarray(b, float)[..., None]
    return 0.5 * (b - a) * _GL_X + 0.5 * (b + a), 0.5 * (b - a) * _GL_W


def _t_xi(xi, taus):
    """Time to reach core ratio xi at fixed C: sum_m tau_m g_m written in xi."""
    return (taus.get("film", 0.0) * (1 - xi ** 3) + taus.get("ash", 0.0) * (1 - 3 * xi ** 2
            + 2 * xi ** 3) + taus.get("reaction", 0.0) * (1 - xi))


def _dt_xi(xi, taus):
    """-d t / d xi (s), non-negative."""
    return (3 * xi ** 2 * taus.get("film", 0.0) + 6 * xi * (1 - xi) * taus.get("ash", 0.0)
            + taus.get("reaction", 0.0))


def mixed_tank_conversions(taus_1, tau_1, taus_2=None, tau_2=None):
    """Mean conversion leaving tank 1 and (optionally) tank 2 of a cascade, segregated flow.

    H_k(z) = P(core ratio at the exit of tank k <= z); within tank k the concentration,
    hence the law t_k(xi), is fixed:

        H_1(z) = exp(-t_1(z) / tau_1)
        H_2(z) = H_1(z) + int_z^1 exp(-(t_2(z) - t_2(y)) / tau_2) dH_1(y)
        Xbar_k = int_0^1 3 z^2 H_k(z) dz

    Every integrand is smooth in xi, so plain Gauss-Legendre quadrature is used.
    """
    z, wz = _gauss(0.0, 1.0)
    H1 = np.exp(-_t_xi(z, taus_1) / tau_1)
    X1 = float(np.sum(wz * 3 * z ** 2 * H1))
    if taus_2 is None:
        return X1
    y, wy = _gauss(z, 1.0)  # for each z, nodes y in (z, 1)
    dH1 = _dt_xi(y, taus_1) / tau_1 * np.exp(-_t_xi(y, taus_1) / tau_1)
    decay = np.exp(-(_t_xi(z, taus_2)[:, None] - _t_xi(y, taus_2)) / tau_2)
    H2 = H1 + np.sum(wy * decay * dH1, axis=1)
    X2 = float(np.sum(wz * 3 * z ** 2 * H2))
    return X1, X2


def two_tank_cascade_reference(pop: Population, reagent: str, C_feed: float, Q_L: float,
                               F: float, tau_1: float, tau_2: float):
    """Steady state of two mixed tanks, one population, one consumed reagent (no top-up).

    Tank k's balance Q_L (C_{k-1} - C_k) = nu F (Xbar_k - Xbar_{k-1}) is solved for C_k by
    Brent's method.  Returns (Xbar_1, Xbar_2, C_1, C_2).
    """
    nu = pop.nu[reagent]
    taus = lambda c: pop.taus({reagent: c})  # noqa: E731

    def f1(c):
        return Q_L * (C_feed - c) - nu * F * mixed_tank_conversions(taus(c), tau_1)

    C1 = brentq(f1, 1e-12 * C_feed, C_feed, xtol=1e-14 * C_feed, rtol=1e-15)
    X1 = mixed_tank_conversions(taus(C1), tau_1)

    def f2(c):
        return Q_L * (C1 - c) - nu * F * (mixed_tank_conversions(taus(C1), tau_1, taus(c),
                                                                  tau_2)[1] - X1)

    C2 = brentq(f2, 1e-12 * C1, C1, xtol=1e-14 * C_feed, rtol=1e-15)
    X2 = mixed_tank_conversions(taus(C1), tau_1, taus(C2), tau_2)[1]
    return X1, X2, C1, C2


# ---------------------------------------------------------------------------
# size classes
def lognormal_classes(d50, sigma_g, n):
    """Mass-weighted classes of a log-normal PSD: n classes equally spaced in ln d between the
    0.1 % and 99.9 % mass quantiles, the end classes carrying the tails, each represented by
    the geometric mean of its bounds.  Returns (diameters, mass fractions)."""
    s = math.log(sigma_g)
    lo, hi = d50 * math.exp(s * norm.ppf(1e-3)), d50 * math.exp(s * norm.ppf(1 - 1e-3))
    edges = np.exp(np.linspace(math.log(lo), math.log(hi), n + 1))
    F = norm.cdf(np.log(edges / d50) / s)
    F[0], F[-1] = 0.0, 1.0
    return np.sqrt(edges[:-1] * edges[1:]), np.diff(F)
