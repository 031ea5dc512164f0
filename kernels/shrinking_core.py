"""Shrinking-core rate laws for one particle population (one size class, one phase).

Symbols and SI units
--------------------
R0     initial particle radius                                   m
xi     core (or particle) radius ratio r_c/R0, X = 1 - xi**3       -
rho    molar density of the reacting phase in the particle       mol m^-3
nu     mol of diffusing (primary) reagent consumed per mol phase  -
C_p    bulk concentration of the primary reagent                 mol m^-3
Sh     Sherwood number of the liquid film (2 for small particles) -
D_L    diffusivity of the reagent in the liquid                  m^2 s^-1
D_e    effective diffusivity in the product (ash) layer          m^2 s^-1
k_s    surface rate constant, rate = k_s * prod_r C_r**n_r,
       in mol of phase per m^2 of core surface per s             mol m^-2 s^-1 (mol m^-3)^-sum(n)

Unreacted shrinking core (GEOM_CORE), resistances in series at the current
core radius (Levenspiel, Chemical Reaction Engineering, 3rd ed., ch. 25).
The reagent flux through film, ash layer and core surface is the same, so

    dX/dt = 1 / (tau_f + 2 tau_a (1 - xi)/xi + tau_r / (3 xi**2))

and at constant concentration the time to reach X is additive,

    t(X) = tau_f g_f + tau_a g_a + tau_r g_r,
    g_f = X = 1 - xi**3                     film diffusion
    g_a = 1 - 3 xi**2 + 2 xi**3             product-layer (Ginstling-Brounshtein)
    g_r = 1 - xi                            surface reaction

    tau_f = rho R0 nu / (3 k_m C_p),   k_m = Sh D_L / (2 R0)
    tau_a = rho R0**2 nu / (6 D_e C_p)
    tau_r = rho R0 / (k_s prod_r C_r**n_r)

Shrinking particle without product layer (GEOM_PARTICLE): the film
coefficient follows the shrinking radius, k_m = Sh D_L / (2 xi R0), so

    t(X) = tau_f (1 - xi**2) + tau_r (1 - xi),   tau_f = rho R0**2 nu / (Sh D_L C_p)

For a reaction order other than one in the primary reagent the series sum is
the usual linearisation: the reaction resistance is evaluated at the bulk
concentration.

Every tau scales with concentration as tau_m(C) = tau_m(1) / sigma_m(C), with
sigma_f = sigma_a = C_p and sigma_r = prod_r C_r**n_r.  The kernels keep the
tau at unit concentration (1 mol m^-3) and the sigma separately, so that a
vanishing reagent gives a vanishing rate without 0 * inf.
"""
import math

from numba import njit

from ._numba import JIT_OPTS

GAS_CONSTANT = 8.314462618  # J mol^-1 K^-1

GEOM_CORE = 0
GEOM_PARTICLE = 1

FILM = 0
ASH = 1
REACTION = 2
N_MECH = 3


@njit(**JIT_OPTS)
def arrhenius(k_ref, Ea, T_ref, T):
    """k(T) = k_ref exp(-Ea/R (1/T - 1/T_ref)); Ea in J/mol, temperatures in K."""
    return k_ref * math.exp(-Ea / GAS_CONSTANT * (1.0 / T - 1.0 / T_ref))


@njit(**JIT_OPTS)
def shape(geom, mech, xi):
    """Integrated rate law g_m(xi) of one mechanism (0 at xi = 1, 1 at xi = 0)."""
    if geom == GEOM_CORE:
        if mech == FILM:
            return 1.0 - xi * xi * xi
        if mech == ASH:
            return 1.0 - 3.0 * xi * xi + 2.0 * xi * xi * xi
        return 1.0 - xi
    if mech == FILM:
        return 1.0 - xi * xi
    if mech == REACTION:
        return 1.0 - xi
    return 0.0


@njit(**JIT_OPTS)
def unit_times(geom, mask, R0, rho, nu, sh_DL, D_e, k_s, out):
    """tau of film, ash and reaction at unit concentrations (s); 0 where absent.

    ``mask`` bit m is set when mechanism m is active; the coefficients are
    already at the run temperature.
    """
    out[FILM] = 0.0
    out[ASH] = 0.0
    out[REACTION] = 0.0
    if mask & (1 << FILM):
        if geom == GEOM_CORE:
            out[FILM] = 2.0 * rho * R0 * R0 * nu / (3.0 * sh_DL)
        else:
            out[FILM] = rho * R0 * R0 * nu / sh_DL
    if mask & (1 << ASH) and geom == GEOM_CORE:
        out[ASH] = rho * R0 * R0 * nu / (6.0 * D_e)
    if mask & (1 << REACTION):
        out[REACTION] = rho * R0 / k_s


@njit(**JIT_OPTS)
def drive(C, primary, orders, out):
    """sigma_m(C): C_p for film and ash, prod_r max(C_r, 0)**n_r for reaction."""
    cp = C[primary] if C[primary] > 0.0 else 0.0
    out[FILM] = cp
    out[ASH] = cp
    s = 1.0
    for r in range(C.shape[0]):
        n = orders[r]
        if n != 0.0:
            c = C[r] if C[r] > 0.0 else 0.0
            s *= c ** n
    out[REACTION] = s


@njit(**JIT_OPTS)
def elapsed(geom, xi, tau1, sigma):
    """t(xi) = sum_m tau_m(1) g_m(xi) / sigma_m: time from xi = 1 to xi at fixed C (s)."""
    t = 0.0
    for m in range(N_MECH):
        if tau1[m] > 0.0:
            g = shape(geom, m, xi)
            if g > 0.0:
                t += tau1[m] * g / sigma[m]
    return t
