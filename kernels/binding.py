"""Binding (adsorption / ion-exchange) models of a fixed-bed column: equilibrium and kinetics.

Two entry points, both compiled, both writing into caller-owned arrays:

    equilibrium(code, c, par, out, work)   out[k] = q*_k(c), the rapid-equilibrium loading
    kinetic_rate(code, c, q, par, out)     out[k] = dq_k/dt at liquid c and loading q

``code`` is one of the integer model codes below, ``c`` and ``q`` hold n_comp
components, ``par`` is ``par[N_PAR_ROWS, n_comp]`` (rows below), ``out`` and
``work`` have length >= n_comp (``work`` is scratch; its contents on return are
unspecified).  Nothing is allocated.

Symbols and SI units
--------------------
c_k      liquid (pore or bulk) concentration of component k        mol m^-3 (liquid)
q_k      loading of component k per volume of solid skeleton      mol m^-3 (solid)
Lambda   ion-exchange capacity per volume of solid skeleton        eq m^-3 (solid)
t        time                                                       s

Every nonlinear isotherm reads max(c_k, 0), so a small negative undershoot of
the transport solver gives zero uptake, never NaN.  Where c_k enters a rate linearly
(LINEAR, the adsorption terms of KINETIC_LANGMUIR and SMA) it is used as it is, as
CADET does: a negative undershoot (the ringing of a high-order scheme at a sharp inlet
step) is then taken up at the same rate as liquid is, and decays, instead of travelling
through the bed unabsorbed.

Parameter rows ``par[row, k]`` (one column per component)
---------------------------------------------------------
row        name     meaning                                              unit
P_KLDF     k_ldf    linear-driving-force coefficient, dq/dt=k(q*-q)      s^-1
P_H        H        Henry coefficient, q* = H c                          m^3 liquid / m^3 solid
P_QMAX     q_max    saturation capacity (Langmuir, Sips, proton-Langmuir,
                    langmuir-kinetic)                                    mol m^-3 solid
P_K        K        affinity (Langmuir, Sips, proton-Langmuir; there
                    column 0 is the proton affinity K_H)                 m^3 mol^-1
P_KF       K_F      Freundlich coefficient, q* = K_F c^(1/n)             mol m^-3 (mol m^-3)^(-1/n)
P_N        n        Freundlich: q* ~ c^(1/n); Sips: q* ~ (K c)^n         -
P_CLIN     c_lin    threshold of the finite-slope blend near c = 0       mol m^-3
P_Z        z        valence magnitude |z_k| (mass-action ion exchange)   -
P_KSEL     K_sel    selectivity coefficient of k vs. the counter-ion 0
                    (mass action; column 0 ignored, K_0 = 1)             - (see MASS_ACTION_IX)
P_LAMBDA   Lambda   total capacity; column 0 only (mass action, SMA)     eq m^-3 solid
P_NU       nu       SMA characteristic charge (column 0 ignored)         -
P_SIGMA    sigma    SMA steric factor (column 0 ignored)                 -
P_KA       k_a      adsorption rate constant: langmuir-kinetic           m^3 mol^-1 s^-1
                                              SMA                        s^-1 (mol m^-3)^(-nu_k)
P_KD       k_d      desorption rate constant: langmuir-kinetic           s^-1
                                              SMA                        s^-1 (mol m^-3)^(-nu_k)

Rows a model does not use are ignored (``REQUIRED_PARAMS`` lists, per model,
the names it reads; ``PARAM_ROWS`` maps names to rows).

Models
------
LINEAR            q*_k = H_k c_k.

LANGMUIR          competitive (extended) Langmuir,
                      q*_k = q_max,k K_k c_k / (1 + sum_j K_j c_j);
                  one component is the ordinary Langmuir isotherm.

KINETIC_LANGMUIR  the same sites with second-order (Thomas / CADET MULTI_COMPONENT_LANGMUIR)
                  kinetics,
                      dq_k/dt = k_a,k c_k q_max,k (1 - sum_j q_j / q_max,j) - k_d,k q_k,
                  components with q_max,j = 0 do not bind and are left out of the sum.
                  Its equilibrium is LANGMUIR with K_k = k_a,k / k_d,k (needs k_d > 0).

FREUNDLICH        q*_k = K_F,k f(c_k; beta_k, c_lin,k), beta = 1/n, independent components;
                  f is the finite-slope power law below (for beta >= 1 or c_lin = 0 it is
                  the pure power law c^beta).

SIPS              competitive Langmuir-Freundlich,
                      q*_k = q_max,k s_k / (1 + sum_j s_j),  s_j = f(K_j c_j; n_j, K_j c_lin,j),
                  so far from zero s_j = (K_j c_j)^n_j; n = 1 is LANGMUIR.

MASS_ACTION_IX    stoichiometric ion exchange against the counter-ion 0 (e.g. Na+, H+, Cl-;
                  the resin's presaturant and the regenerant's ion).  See the section below.

SMA               steric mass action (Brooks & Cramer 1992, CADET's formulation); see below.

PROTON_LANGMUIR   proton-competitive Langmuir for chelating resins and biosorbents.
                  Component 0 is H+ and competes for the same sites:
                      q*_k = q_max,k K_k c_k / (1 + K_H c_H + sum_{j>=1} K_j c_j),  k >= 1,
                      q*_0 = q_max,0 K_H c_H / (same denominator),
                  with K_H = K[0].  Metal uptake falls as pH falls (c_H rises) and a strong acid
                  strips the metals (elution).  Bound protons are tracked when q_max,0 > 0
                  (sites protonated, so the resin consumes/releases H+ in the column); with
                  q_max,0 = 0 they are not tracked: q*_0 = 0, H+ only competes and the resin
                  never changes the liquid's H+.  It is a site-competition model, not a
                  charge-balanced exchange (use MASS_ACTION_IX for that).

The kinetic form of LINEAR, LANGMUIR, FREUNDLICH, SIPS and PROTON_LANGMUIR is the
linear driving force dq_k/dt = k_ldf,k (q*_k(c) - q_k) for every component.

Finite slope at c = 0 (FREUNDLICH; SIPS with n < 1)
---------------------------------------------------
A power law x^beta with 0 < beta < 1 has an infinite slope at x = 0, which stiffens
a column solver without end.  Below the threshold x_l > 0 it is replaced by the
quadratic through the origin that meets the power law with equal value and equal
slope at x_l (C^1; the second derivative jumps there):

    f(x) = x^beta                                         x >= x_l
    f(x) = x_l^beta [(2 - beta) u - (1 - beta) u^2],      0 <= x < x_l,   u = x / x_l

so f(0) = 0, f'(0) = (2 - beta) x_l^(beta - 1) (finite), f(x_l) = x_l^beta and
f'(x_l) = beta x_l^(beta - 1).  On [0, x_l] f is increasing (f' >= beta x_l^(beta-1) > 0)
and concave, like the power law it replaces.  For beta >= 1 (slope already finite)
or x_l = 0 f is the plain power law.  FREUNDLICH applies f to x = c with x_l = c_lin
and beta = 1/n; SIPS applies it to x = K c with x_l = K c_lin and beta = n.

MASS_ACTION_IX (stoichiometric ion exchange)
--------------------------------------------
Exchange of ion k (valence z_k) against the counter-ion 0 (valence z_0), all of the
same sign (P_Z holds magnitudes):

    z_0 B_k + z_k A_resin  <=>  z_0 B_k,resin + z_k A,

    K_k = q_k^z_0 c_0^z_k / (q_0^z_k c_k^z_0),        K_0 = 1,

with molar q (mol m^-3 solid) and c (mol m^-3 liquid).  The z factors cancel, so
K_k has the same value written with equivalent concentrations z q and z c; it is
not the equivalent-fraction coefficient (that one differs by powers of
Lambda / total liquid normality).  Resin electroneutrality:

    sum_k z_k q_k = Lambda.

Rapid equilibrium: with a_k = K_k^(1/z_0) c_k (a_0 = c_0) every loading is
q_k = a_k s^z_k for one scalar s = (q_0/c_0)^(1/z_0) > 0, and electroneutrality
becomes the monotone equation sum_k z_k a_k s^z_k = Lambda.  It is solved for
x = ln s (convex, increasing in x) by safeguarded Newton started from the upper
bound x = min_k ln(Lambda/(z_k a_k))/z_k, from which Newton decreases
monotonically; the bracket's lower end is min_k ln(Lambda/(n z_k a_k))/z_k.  Every
q_k is formed as exp(ln a_k + z_k x), so trace components keep full relative
precision and c_k = 0 gives q_k = 0 exactly (also c_0 = 0: the resin then holds no
counter-ion).  Finally the component with the largest z_k q_k is set from
electroneutrality, so sum z q = Lambda holds to rounding.  With no exchanging ion
in the liquid (every a_k = 0) the resin is returned in counter-ion form,
q_0 = Lambda / z_0.

Kinetic form: LDF for the exchanging ions, the counter-ion from electroneutrality,

    dq_k/dt = k_ldf,k (q*_k(c) - q_k),                k >= 1
    dq_0/dt = -(1/z_0) sum_{k>=1} z_k dq_k/dt,

so d/dt sum_k z_k q_k = 0 exactly (to rounding) and a state that starts
electroneutral stays so; it vanishes at q = q*(c).  The counter-ion's own k_ldf
is not read.  With unequal k_ldf a fast incoming ion can outrun a slow leaving one
and drive q_0 transiently below zero; with one k_ldf for all ions q(t) is a convex
combination of electroneutral non-negative states and stays in bounds.  (For a
mass-action law on the rates themselves use SMA with sigma = 0, nu_k = z_k, z_0 = 1:
it is this exchange with K_k = k_a,k / k_d,k.)

SMA (steric mass action; CADET STERIC_MASS_ACTION without reference concentrations)
-----------------------------------------------------------------------------------
Component 0 is the salt (counter-ion), k >= 1 proteins or ions with characteristic
charge nu_k > 0 and steric factor sigma_k >= 0:

    q_0    = Lambda - sum_{k>=1} nu_k q_k                      bound salt
    qbar_0 = Lambda - sum_{k>=1} (nu_k + sigma_k) q_k          salt sites not shielded
    dq_k/dt = k_a,k c_k qbar_0^nu_k - k_d,k q_k c_0^nu_k       k >= 1
    dq_0/dt = -sum_{k>=1} nu_k dq_k/dt

(CADET carries q_0 as an algebraic state; here its rate is returned so it can be
integrated, and it keeps q_0 + sum nu q = Lambda exactly.)  qbar_0 and c are
clamped at 0 before the powers.  CADET's reference concentrations c_ref, q_ref are
taken as 1 mol m^-3, so k_a and k_d carry the units in the table.

Rapid equilibrium, K_k = k_a,k / k_d,k (k_d > 0): q_k = K_k c_k (qbar_0/c_0)^nu_k.
With s = qbar_0 / c_0, qbar_0 = c_0 s and q_k = K_k c_k s^nu_k, and the
definition of qbar_0 becomes the monotone equation

    c_0 s + sum_{k>=1} (nu_k + sigma_k) K_k c_k s^nu_k = Lambda,

solved for ln s as above (c_0 = 0 is allowed: then qbar_0 = 0).  With every c = 0
the resin is in salt form, q_0 = Lambda.
"""
import math

from numba import njit

from ._numba import BORROW_OPTS, INLINE_OPTS, JIT_OPTS

# model codes
LINEAR = 0
LANGMUIR = 1
KINETIC_LANGMUIR = 2
FREUNDLICH = 3
SIPS = 4
MASS_ACTION_IX = 5
SMA = 6
PROTON_LANGMUIR = 7
N_MODELS = 8

# parameter rows of par[row, k]
P_KLDF = 0
P_H = 1
P_QMAX = 2
P_K = 3
P_KF = 4
P_N = 5
P_CLIN = 6
P_Z = 7
P_KSEL = 8
P_LAMBDA = 9
P_NU = 10
P_SIGMA = 11
P_KA = 12
P_KD = 13
N_PAR_ROWS = 14
n_par_rows = N_PAR_ROWS

MAX_NEWTON = 100
_NEG_INF = -math.inf

# ---------------------------------------------------------------- Python-level tables

MODELS = {
    "linear": LINEAR,
    "langmuir": LANGMUIR,
    "langmuir-kinetic": KINETIC_LANGMUIR,
    "freundlich": FREUNDLICH,
    "sips": SIPS,
    "mass-action-ix": MASS_ACTION_IX,
    "sma": SMA,
    "proton-langmuir": PROTON_LANGMUIR,
}
MODEL_NAMES = {code: name for name, code in MODELS.items()}

PARAM_ROWS = {
    "k_ldf": P_KLDF, "H": P_H, "q_max": P_QMAX, "K": P_K, "K_F": P_KF, "n": P_N,
    "c_lin": P_CLIN, "z": P_Z, "K_sel": P_KSEL, "Lambda": P_LAMBDA, "nu": P_NU,
    "sigma": P_SIGMA, "k_a": P_KA, "k_d": P_KD,
}
PARAM_UNITS = {
    "k_ldf": "1/s", "H": "m^3 liquid/m^3 solid", "q_max": "mol/m^3 solid", "K": "m^3/mol",
    "K_F": "mol/m^3 solid (mol/m^3)^(-1/n)", "n": "1", "c_lin": "mol/m^3", "z": "1",
    "K_sel": "1", "Lambda": "eq/m^3 solid", "nu": "1", "sigma": "1",
    "k_a": "m^3/(mol s) (langmuir-kinetic); 1/s (mol/m^3)^-nu (sma)",
    "k_d": "1/s (langmuir-kinetic); 1/s (mol/m^3)^-nu (sma)",
}
# parameters read from column 0 only (one value for the whole sorbent)
COLUMN0_PARAMS = frozenset({"Lambda"})

# names each model reads for its rapid equilibrium ...
EQUILIBRIUM_PARAMS = {
    "linear": ("H",),
    "langmuir": ("q_max", "K"),
    "langmuir-kinetic": ("q_max", "k_a", "k_d"),
    "freundlich": ("K_F", "n", "c_lin"),
    "sips": ("q_max", "K", "n", "c_lin"),
    "mass-action-ix": ("z", "K_sel", "Lambda"),
    "sma": ("nu", "sigma", "k_a", "k_d", "Lambda"),
    "proton-langmuir": ("q_max", "K"),
}
# ... and for its kinetic form (a superset): what a config must give for either use
REQUIRED_PARAMS = {
    "linear": ("H", "k_ldf"),
    "langmuir": ("q_max", "K", "k_ldf"),
    "langmuir-kinetic": ("q_max", "k_a", "k_d"),
    "freundlich": ("K_F", "n", "c_lin", "k_ldf"),
    "sips": ("q_max", "K", "n", "c_lin", "k_ldf"),
    "mass-action-ix": ("z", "K_sel", "Lambda", "k_ldf"),
    "sma": ("nu", "sigma", "k_a", "k_d", "Lambda"),
    "proton-langmuir": ("q_max", "K", "k_ldf"),
}
# first component of the models that give component 0 a special role
COMPONENT0_ROLE = {
    "mass-action-ix": "counter-ion (presaturant / regenerant ion), K_sel[0] = 1",
    "sma": "salt (counter-ion); nu, sigma, k_a, k_d of column 0 unused",
    "proton-langmuir": "H+; K[0] = K_H, q_max[0] = 0 leaves bound H+ untracked",
}


# value rules for param_problems: name -> (test, description)
_RULES = {
    "k_ldf": (lambda v: v >= 0.0, ">= 0"), "H": (lambda v: True, "finite"),
    "q_max": (lambda v: v >= 0.0, ">= 0"), "K": (lambda v: v >= 0.0, ">= 0"),
    "K_F": (lambda v: v >= 0.0, ">= 0"), "n": (lambda v: v > 0.0, "> 0"),
    "c_lin": (lambda v: v >= 0.0, ">= 0"), "z": (lambda v: v > 0.0, "> 0 (a magnitude)"),
    "K_sel": (lambda v: v >= 0.0, ">= 0"), "Lambda": (lambda v: v > 0.0, "> 0"),
    "nu": (lambda v: v > 0.0, "> 0"), "sigma": (lambda v: v >= 0.0, ">= 0"),
    "k_a": (lambda v: v >= 0.0, ">= 0"), "k_d": (lambda v: v > 0.0, "> 0"),
}
# parameters whose column 0 a model does not read
SKIP_COLUMN0 = {
    "mass-action-ix": frozenset({"K_sel", "k_ldf"}),
    "sma": frozenset({"nu", "sigma", "k_a", "k_d"}),
}


def param_problems(code, par):
    """Plain-Python check of ``par`` for model ``code``: a list of messages, empty if fine.

    Every parameter the model reads must be finite and in range: n, z, Lambda, nu and
    k_d (langmuir-kinetic, sma) > 0; H any; all others >= 0.
    """
    import numpy as np

    name = MODEL_NAMES.get(code)
    if name is None:
        return [f"unknown binding model code {code!r}"]
    par = np.asarray(par, dtype=float)
    if par.ndim != 2 or par.shape[0] != N_PAR_ROWS or par.shape[1] < 1:
        return [f"par must have shape ({N_PAR_ROWS}, n_comp), got {par.shape}"]
    n = par.shape[1]
    if code in (MASS_ACTION_IX, SMA) and n < 2:
        return [f"{name}: needs component 0 (counter-ion or salt) and at least one more"]
    problems = []
    skip = SKIP_COLUMN0.get(name, frozenset())
    for pname in REQUIRED_PARAMS[name]:
        ok, what = _RULES[pname]
        if pname in COLUMN0_PARAMS:
            cols = [0]
        else:
            cols = range(1 if pname in skip else 0, n)
        for k in cols:
            v = par[PARAM_ROWS[pname], k]
            if not (np.isfinite(v) and ok(v)):
                problems.append(f"{name}: {pname}[{k}] = {float(v)!r}, expected {what}")
    return problems


# ---------------------------------------------------------------- compiled helpers

@njit(**JIT_OPTS)
def finite_slope_power(x, beta, x_l):
    """f(x) = x^beta, replaced below x_l by the C^1 quadratic through the origin.

    f = x_l^beta [(2 - beta) u - (1 - beta) u^2], u = x/x_l, for 0 <= x < x_l when
    0 < beta < 1 and x_l > 0; x^beta otherwise.  x < 0 is read as 0.
    """
    if x <= 0.0:
        return 0.0
    if beta < 1.0 and x < x_l:
        u = x / x_l
        return x_l ** beta * ((2.0 - beta) * u - (1.0 - beta) * u * u)
    return x ** beta


@njit(**JIT_OPTS)
def _langmuir(c, qmax, K, par, out):
    """out[k] = q_max,k K_k c_k / (1 + sum_j K_j c_j), rows ``qmax`` and ``K`` of par."""
    nc = c.shape[0]
    den = 1.0
    for j in range(nc):
        cj = c[j] if c[j] > 0.0 else 0.0
        den += par[K, j] * cj
    for k in range(nc):
        ck = c[k] if c[k] > 0.0 else 0.0
        out[k] = par[qmax, k] * par[K, k] * ck / den


@njit(**JIT_OPTS)
def _kinetic_langmuir_eq(c, par, out):
    """Equilibrium of KINETIC_LANGMUIR: Langmuir with K_k = k_a,k / k_d,k."""
    nc = c.shape[0]
    den = 1.0
    for j in range(nc):
        cj = c[j] if c[j] > 0.0 else 0.0
        if cj > 0.0 and par[P_KA, j] > 0.0:
            den += par[P_KA, j] / par[P_KD, j] * cj
    for k in range(nc):
        ck = c[k] if c[k] > 0.0 else 0.0
        if ck > 0.0 and par[P_KA, k] > 0.0:
            out[k] = par[P_QMAX, k] * (par[P_KA, k] / par[P_KD, k]) * ck / den
        else:
            out[k] = 0.0


@njit(**JIT_OPTS)
def _freundlich(c, par, out):
    """out[k] = K_F,k f(c_k; 1/n_k, c_lin,k)."""
    for k in range(c.shape[0]):
        out[k] = par[P_KF, k] * finite_slope_power(c[k], 1.0 / par[P_N, k], par[P_CLIN, k])


@njit(**JIT_OPTS)
def _sips(c, par, out):
    """out[k] = q_max,k s_k / (1 + sum_j s_j), s_j = f(K_j c_j; n_j, K_j c_lin,j)."""
    nc = c.shape[0]
    den = 1.0
    for k in range(nc):
        Kk = par[P_K, k]
        s = finite_slope_power(Kk * c[k], par[P_N, k], Kk * par[P_CLIN, k])
        out[k] = s
        den += s
    for k in range(nc):
        out[k] = par[P_QMAX, k] * out[k] / den


@njit(**JIT_OPTS)
def _charge_weight(code, par, k):
    """w_k of the site balance sum_k w_k a_k s^e_k = Lambda (MASS_ACTION_IX or SMA)."""
    if code == MASS_ACTION_IX:
        return par[P_Z, k]
    if k == 0:
        return 1.0
    return par[P_NU, k] + par[P_SIGMA, k]


@njit(**JIT_OPTS)
def _charge_expo(code, par, k):
    """e_k of the site balance sum_k w_k a_k s^e_k = Lambda (MASS_ACTION_IX or SMA)."""
    if code == MASS_ACTION_IX:
        return par[P_Z, k]
    if k == 0:
        return 1.0
    return par[P_NU, k]


@njit(**JIT_OPTS)
def site_balance_root(code, la, par, lam):
    """x = ln s with sum_k w_k exp(la_k + e_k x) = lam; NaN if no term is active.

    ``la[k] = ln a_k`` (-inf for an absent component); w_k, e_k from ``_charge_weight``
    and ``_charge_expo``.  G(x) = ln(sum_k w_k exp(la_k + e_k x)) - ln(lam) is convex and
    increasing, so Newton from the upper bound decreases monotonically to the root;
    a bracket [lo, hi] guards against rounding.  Active terms need w_k > 0, e_k > 0.
    """
    n = la.shape[0]
    lnlam = math.log(lam)
    lnn = math.log(n)
    hi = math.inf
    lo = math.inf
    for k in range(n):
        if la[k] == _NEG_INF:
            continue
        w = _charge_weight(code, par, k)
        e = _charge_expo(code, par, k)
        if w > 0.0 and e > 0.0:
            b = lnlam - math.log(w) - la[k]
            hi = min(hi, b / e)
            lo = min(lo, (b - lnn) / e)
    if hi == math.inf:
        return math.nan
    x = hi
    for _ in range(MAX_NEWTON):
        S = 0.0
        D = 0.0
        for k in range(n):
            if la[k] == _NEG_INF:
                continue
            e = _charge_expo(code, par, k)
            t = _charge_weight(code, par, k) * math.exp(la[k] + e * x)
            S += t
            D += e * t
        g = math.log(S) - lnlam
        if g > 0.0:
            hi = x
        elif g < 0.0:
            lo = x
        else:
            return x
        xn = x - g * S / D
        if not (lo <= xn <= hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 1e-15 * max(1.0, abs(x)):
            return xn
        x = xn
    return x


@njit(**JIT_OPTS)
def _ix_equilibrium(c, par, la, out):
    """Mass-action ion exchange q*(c); ``la`` is scratch and may be ``out`` itself."""
    nc = c.shape[0]
    lam = par[P_LAMBDA, 0]
    if lam <= 0.0:
        for k in range(nc):
            out[k] = 0.0
        return
    z0 = par[P_Z, 0]
    for k in range(nc):
        ck = c[k]
        if ck > 0.0 and (k == 0 or par[P_KSEL, k] > 0.0):
            la[k] = math.log(ck)
            if k > 0:
                la[k] += math.log(par[P_KSEL, k]) / z0
        else:
            la[k] = _NEG_INF
    x = site_balance_root(MASS_ACTION_IX, la, par, lam)
    if x != x:  # no exchanging ion in the liquid: counter-ion form
        for k in range(nc):
            out[k] = 0.0
        out[0] = lam / z0
        return
    m = 0
    big = -1.0
    for k in range(nc):
        out[k] = math.exp(la[k] + par[P_Z, k] * x)  # exp(-inf) = 0
        if par[P_Z, k] * out[k] > big:
            big = par[P_Z, k] * out[k]
            m = k
    rest = 0.0
    for k in range(nc):
        if k != m:
            rest += par[P_Z, k] * out[k]
    out[m] = (lam - rest) / par[P_Z, m]


@njit(**JIT_OPTS)
def _sma_equilibrium(c, par, la, out):
    """SMA q*(c) (K_k = k_a,k / k_d,k); ``la`` is scratch and may be ``out`` itself."""
    nc = c.shape[0]
    lam = par[P_LAMBDA, 0]
    if lam <= 0.0:
        for k in range(nc):
            out[k] = 0.0
        return
    for k in range(nc):
        ck = c[k]
        if ck > 0.0 and (k == 0 or par[P_KA, k] > 0.0):
            la[k] = math.log(ck)
            if k > 0:
                la[k] += math.log(par[P_KA, k] / par[P_KD, k])
        else:
            la[k] = _NEG_INF
    x = site_balance_root(SMA, la, par, lam)
    if x != x:  # nothing in the liquid: salt form
        for k in range(nc):
            out[k] = 0.0
        out[0] = lam
        return
    bound = 0.0
    for k in range(1, nc):
        out[k] = math.exp(la[k] + par[P_NU, k] * x)
        bound += par[P_NU, k] * out[k]
    out[0] = lam - bound


@njit(**JIT_OPTS)
def _ldf(c, q, par, out, first):
    """out[k] = k_ldf,k (out[k] - q[k]) for k >= first (out holds q* on entry)."""
    for k in range(first, c.shape[0]):
        out[k] = par[P_KLDF, k] * (out[k] - q[k])


# ---------------------------------------------------------------- entry points

@njit(**JIT_OPTS)
def equilibrium(code, c, par, out, work):
    """Rapid-equilibrium loading out[k] = q*_k(c) (mol m^-3 solid) of model ``code``.

    c (mol m^-3 liquid), par[N_PAR_ROWS, n_comp]; out, work of length n_comp (work:
    scratch).  Equations in the module docstring.  An unknown code gives NaN.
    """
    if code == LINEAR:
        for k in range(c.shape[0]):
            out[k] = par[P_H, k] * c[k]
    elif code == LANGMUIR or code == PROTON_LANGMUIR:
        _langmuir(c, P_QMAX, P_K, par, out)
    elif code == KINETIC_LANGMUIR:
        _kinetic_langmuir_eq(c, par, out)
    elif code == FREUNDLICH:
        _freundlich(c, par, out)
    elif code == SIPS:
        _sips(c, par, out)
    elif code == MASS_ACTION_IX:
        _ix_equilibrium(c, par, work, out)
    elif code == SMA:
        _sma_equilibrium(c, par, work, out)
    else:
        for k in range(c.shape[0]):
            out[k] = math.nan


@njit(**JIT_OPTS)
def kinetic_rate(code, c, q, par, out):
    """dq_k/dt (mol m^-3 solid s^-1) of model ``code`` at liquid c and loading q.

    LDF k_ldf,k (q*_k(c) - q_k) for LINEAR, LANGMUIR, FREUNDLICH, SIPS, PROTON_LANGMUIR;
    second-order Langmuir for KINETIC_LANGMUIR; LDF for k >= 1 and the counter-ion from
    electroneutrality for MASS_ACTION_IX; CADET's SMA kinetics for SMA (module docstring).
    ``out`` (length n_comp) is also used as scratch.  An unknown code gives NaN.
    """
    nc = c.shape[0]
    kinetic_rates(code, c.reshape((1, nc)), q.reshape((1, nc)), par, out.reshape((1, nc)), 0, 1)


@njit(**INLINE_OPTS)
def _power(x, nu):
    """x ** nu, by products for the charges 1, 2 and 3 of metal ions (pow is the costliest
    part of an SMA rate otherwise)."""
    if nu == 2.0:
        return x * x
    if nu == 1.0:
        return x
    if nu == 3.0:
        return x * x * x
    return x ** nu


@njit(**BORROW_OPTS)
def kinetic_rates(code, C, Q, par, R, m0, m1):
    """Rows m0 .. m1 - 1 at once: R[m] = kinetic_rate(code, C[m], Q[m]) (every node and
    shell of a column in one call).  The model is dispatched once per call and the
    second-order Langmuir, SMA and linear kinetics loop over the rows in place: a compiled
    call per row, with its array arguments, cost several times these rates themselves."""
    nc = C.shape[1]
    if code == KINETIC_LANGMUIR:
        # component by component over all rows (loops that vectorise, no division per
        # row): R[:, 0] first holds the free fraction 1 - sum_j q_j/q_max,j, and is
        # overwritten last
        for m in range(m0, m1):
            R[m, 0] = 1.0
        for j in range(nc):
            inv = 1.0 / par[P_QMAX, j] if par[P_QMAX, j] > 0.0 else 0.0
            for m in range(m0, m1):
                R[m, 0] -= Q[m, j] * inv
        for k in range(nc - 1, -1, -1):
            ka = par[P_KA, k] * par[P_QMAX, k]
            kd = par[P_KD, k]
            for m in range(m0, m1):
                R[m, k] = ka * C[m, k] * R[m, 0] - kd * Q[m, k]
    elif code == SMA:
        lam = par[P_LAMBDA, 0]
        for m in range(m0, m1):
            qbar = lam
            for j in range(1, nc):
                qbar -= (par[P_NU, j] + par[P_SIGMA, j]) * Q[m, j]
            if qbar < 0.0:
                qbar = 0.0
            c0 = C[m, 0] if C[m, 0] > 0.0 else 0.0
            dsalt = 0.0
            for k in range(1, nc):
                nu = par[P_NU, k]
                r = (par[P_KA, k] * C[m, k] * _power(qbar, nu)
                     - par[P_KD, k] * Q[m, k] * _power(c0, nu))
                R[m, k] = r
                dsalt -= nu * r
            R[m, 0] = dsalt
    elif code == LINEAR:
        for m in range(m0, m1):
            for k in range(nc):
                R[m, k] = par[P_KLDF, k] * (par[P_H, k] * C[m, k] - Q[m, k])
    else:
        for m in range(m0, m1):
            _ldf_rate(code, C[m], Q[m], par, R[m])


@njit(**JIT_OPTS)
def _ldf_rate(code, c, q, par, out):
    """kinetic_rate of the models written as a linear driving force to an isotherm."""
    nc = c.shape[0]
    if code == MASS_ACTION_IX:
        _ix_equilibrium(c, par, out, out)
        _ldf(c, q, par, out, 1)
        s = 0.0
        for k in range(1, nc):
            s += par[P_Z, k] * out[k]
        out[0] = -s / par[P_Z, 0]
    elif code == LANGMUIR or code == PROTON_LANGMUIR:
        _langmuir(c, P_QMAX, P_K, par, out)
        _ldf(c, q, par, out, 0)
    elif code == FREUNDLICH:
        _freundlich(c, par, out)
        _ldf(c, q, par, out, 0)
    elif code == SIPS:
        _sips(c, par, out)
        _ldf(c, q, par, out, 0)
    else:
        for k in range(nc):
            out[k] = math.nan
