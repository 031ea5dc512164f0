"""Numerical validation of the leaching model against closed forms and an independent solver.

Every expected number here comes from ``tests/naive.py`` (textbook formulas and a
scipy reference integrator) or from stoichiometry written out in the test, never
from ``leachsim.kernels``.  Geometry, density and composition of the scenarios are
restated in SI below so that the references do not read them back from leachsim
(only molar masses are taken from the parsed scenario).
"""
import copy
import math

import numpy as np
import pytest

import leachsim
import naive

T_REF = 298.15  # 25 degC, T_ref of every rate below
RHO_S = 3000.0  # particle density, kg/m^3 (conftest MINIMAL)
W_LIME = 0.5  # lime mass fraction (conftest MINIMAL)
R_MINIMAL = 50e-6  # 100 um monodisperse (conftest MINIMAL)
C_ACID = 500.0  # 0.5 mol/L H2SO4 (conftest MINIMAL)

# rate coefficients at T_REF and activation energies (J/mol)
FILM = {"D": "1e-9 m^2/s", "Sh": 2.0, "Ea": "15 kJ/mol", "T_ref": "25 degC"}
ASH = {"D": "1e-11 m^2/s", "Ea": "25 kJ/mol", "T_ref": "25 degC"}
REACTION = {"k": "1e-6 m/s", "Ea": "40 kJ/mol", "T_ref": "25 degC", "orders": {"H2SO4": 1}}
SH_D, D_E, K_S = 2.0 * 1e-9, 1e-11, 1e-6
EA = {"film": 15e3, "ash": 25e3, "reaction": 40e3}
REF = {"film": SH_D, "ash": D_E, "reaction": K_S}

GEOMETRY = {"core": "shrinking-core", "particle": "shrinking-particle"}
TIGHT = {"rtol": 1e-10, "atol": 1e-12}


def molar_mass(raw, phase):
    """Molar mass (kg/mol) of a named phase, from the parsed scenario."""
    sc = leachsim.parse_scenario(raw)
    return next(p.molar_mass for p in sc.solid.phases if p.name == phase)


def set_kinetics(raw, mechanisms, geometry="core", phase=0, film=FILM, ash=ASH,
                 reaction=REACTION):
    """Give phase ``phase`` the listed mechanisms (one: that control; several: mixed)."""
    kin = {"geometry": GEOMETRY[geometry],
           "control": mechanisms[0] if len(mechanisms) == 1 else "mixed"}
    for m, table in (("film", film), ("ash", ash), ("reaction", reaction)):
        if m in mechanisms:
            kin[m] = copy.deepcopy(table)
    raw["solid"]["phases"][phase]["kinetics"] = kin
    return raw


def lime_taus(mechanisms, geometry, T, C=C_ACID, R0=R_MINIMAL, ref=REF):
    """Independent tau (s) of each mechanism for the MINIMAL lime at T (K) and H2SO4 C;
    ``ref`` holds Sh*D_L, D_e and k_s at T_REF."""
    rho = W_LIME * RHO_S / 0.056077  # CaO: 40.078 + 15.999 g/mol
    k = {m: naive.arrhenius(ref[m], EA[m], T_REF, T) for m in mechanisms}
    out = {}
    if "film" in mechanisms:
        f = naive.tau_film if geometry == "core" else naive.tau_particle_film
        out["film"] = f(rho, R0, 1.0, 1.0, k["film"], C)  # k["film"] is Sh * D already
    if "ash" in mechanisms:
        out["ash"] = naive.tau_ash(rho, R0, 1.0, k["ash"], C)
    if "reaction" in mechanisms:
        out["reaction"] = naive.tau_reaction(rho, R0, k["reaction"], C)
    return out


def run(raw):
    return leachsim.run(leachsim.parse_scenario(raw))


# ---------------------------------------------------------------------------
# constant concentration: closed forms
SINGLE = [("film", "core"), ("ash", "core"), ("reaction", "core"),
          ("film", "particle"), ("reaction", "particle")]


@pytest.mark.parametrize("mech, geometry", SINGLE)
def test_single_control_follows_integrated_law(minimal, mech, geometry):
    """Topped-up acid, one controlling step: g(X) = t/tau at every output before completion,
    with tau from Levenspiel's formula (Arrhenius-corrected to 60 degC); X = 1 exactly after."""
    T = 333.15
    tau = lime_taus([mech], geometry, T)[mech]
    raw = set_kinetics(minimal, [mech], geometry)
    raw["leach"] |= {"temperature": "60 degC", "duration": 1.25 * tau, "outputs": 51}
    raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    raw["solver"] = dict(TIGHT)
    res = run(raw)
    t, X = res["time"], res["conversion"][:, 0, 0]
    g = (naive.G_CORE if geometry == "core" else naive.G_PARTICLE)[mech]
    before, after = t < tau * (1 - 1e-9), t > tau * (1 + 1e-9)
    assert before.sum() == 40 and after.sum() == 10  # output 40 is at t = tau itself
    err = np.abs(g(X[before]) - t[before] / tau)
    assert err.max() < 1e-6, f"max |g(X) - t/tau| = {err.max():.3g}"
    assert np.all(X[after] == 1.0)


@pytest.mark.parametrize("mechs, geometry", [(("film", "ash", "reaction"), "core"),
                                             (("ash", "reaction"), "core"),
                                             (("film", "reaction"), "particle")])
def test_mixed_control_times_are_additive(minimal, mechs, geometry):
    """Topped-up acid, resistances in series: t = sum_m tau_m g_m(X) (Levenspiel ch. 25),
    checked to 1e-6 of the complete-conversion time."""
    film = dict(FILM, D="5e-11 m^2/s")  # make the three tau of one order (~1e3 s)
    raw = set_kinetics(minimal, list(mechs), geometry, film=film)
    raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    raw["leach"] |= {"outputs": 41}
    raw["solver"] = dict(TIGHT)
    taus = lime_taus(mechs, geometry, T_REF, ref=dict(REF, film=2.0 * 5e-11))
    total = sum(taus.values())
    raw["leach"]["duration"] = 1.2 * total
    res = run(raw)
    t, X = res["time"], res["conversion"][:, 0, 0]
    before, after = t < total * (1 - 1e-9), t > total * (1 + 1e-9)
    assert before.sum() >= 30 and after.sum() >= 5
    t_law = naive.time_to_conversion(X[before], taus, geometry)
    err = np.abs(t_law - t[before]) / total
    assert err.max() < 1e-6, f"max |sum tau g(X) - t| / tau_total = {err.max():.3g}"
    assert np.all(X[after] == 1.0)


def test_reference_integrator_reproduces_closed_form():
    """The scipy reference itself: at constant C it reproduces t = sum tau_m g_m(X)."""
    pop = naive.Population(n0=1.0, R0=50e-6, rho=2e4, primary="H2SO4", nu={"H2SO4": 1.0},
                           film=2e-10, ash=1e-11, reaction=1e-6, orders={"H2SO4": 1.0})
    taus = pop.taus({"H2SO4": 500.0})
    t = np.linspace(0.0, 0.9 * sum(taus.values()), 7)
    X = naive.batch_reference([pop], {"H2SO4": 500.0}, 1e-3, t, top_up=("H2SO4",))[:, 0]
    exact = [naive.conversion_at_time(s, taus) for s in t]
    assert np.max(np.abs(X - exact)) < 1e-8


# ---------------------------------------------------------------------------
# bounds, completion and reagent exhaustion
@pytest.mark.parametrize("mech", ["film", "ash", "reaction"])
def test_conversion_bounded_and_exactly_complete(minimal, mech):
    """Acid in excess (not topped up): X rises monotonically within [0, 1] and is exactly 1
    once the solid is consumed; the acid never goes negative."""
    raw = set_kinetics(minimal, [mech])
    raw["leach"]["leachant"]["H2SO4"] = "2 mol/L"  # 2 mol for 0.446 mol CaO
    raw["leach"] |= {"duration": "10 h", "outputs": 61}
    res = run(raw)
    X = res["conversion"][:, 0, 0]
    C = res["reagent_concentration"][:, 0]
    assert X[0] == 0.0 and np.all((X >= 0.0) & (X <= 1.0))
    assert np.all(np.diff(X) >= 0.0)
    assert X[-1] == 1.0 and np.sum(X == 1.0) >= 10
    assert np.all(C > 0.0)


@pytest.mark.parametrize("mech", ["film", "ash", "reaction"])
def test_reagent_limited_conversion_stops_at_stoichiometric_limit(minimal, mech):
    """Too little acid: X tends to the stoichiometric limit C0 V / (nu n0) < 1 and the acid to
    zero.  The step control may overshoot the exhaustion point by its tolerance, so C may dip
    below zero by ~rtol * C0 (measured -2e-11 C0 at rtol 1e-10), never more than 1e-9 C0."""
    raw = set_kinetics(minimal, [mech])
    raw["leach"]["leachant"]["H2SO4"] = "0.3 mol/L"
    raw["leach"] |= {"duration": "100 h", "outputs": 41}
    raw["solver"] = dict(TIGHT)
    res = run(raw)
    n0 = 0.05 * W_LIME / molar_mass(raw, "lime")
    X_lim = 300.0 * 1e-3 / n0  # ~0.67
    X = res["conversion"][:, 0, 0]
    C = res["reagent_concentration"][:, 0]
    # once the acid is gone X is constant; the xi(phi) inversion (Newton from the previous
    # value) may then move it by an ulp either way, so "never decreases" holds to rounding
    assert np.all(np.diff(X) >= -4 * np.finfo(float).eps)
    assert np.all(C >= -1e-9 * 300.0) and np.all(X <= X_lim * (1 + 1e-9))
    assert abs(X[-1] / X_lim - 1.0) < 1e-9
    assert abs(C[-1]) < 1e-9 * 300.0


# ---------------------------------------------------------------------------
# size distribution, temperature
def test_one_class_distribution_equals_monodisperse(minimal):
    """A one-class 'classes' PSD (and a one-class lognormal around the same size) is the
    monodisperse case, bit for bit up to rounding; splitting it into two equal-size classes
    changes nothing either, even with the acid falling."""
    mono = run(minimal)
    one = copy.deepcopy(minimal)
    one["solid"]["size"] = {"distribution": "classes", "diameters": ["100 um"],
                            "mass_fractions": [1.0]}
    two = copy.deepcopy(minimal)
    two["solid"]["size"] = {"distribution": "classes", "diameters": ["100 um", "100 um"],
                            "mass_fractions": [0.3, 0.7]}
    logn = copy.deepcopy(minimal)
    logn["solid"]["size"] = {"distribution": "lognormal", "d50": "100 um", "sigma_g": 1.5,
                             "classes": 1}
    r1, r2, r3 = run(one), run(two), run(logn)
    X = mono["conversion"]
    assert X[-1, 0, 0] > 0.9
    np.testing.assert_array_equal(r1["conversion"], X)
    np.testing.assert_array_equal(r1["reagent_concentration"], mono["reagent_concentration"])
    np.testing.assert_allclose(r2["conversion"], np.repeat(X, 2, axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r3["conversion"], X, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mech", ["film", "ash", "reaction"])
def test_arrhenius_ratio_of_times(minimal, mech):
    """tau(T1)/tau(T2) = exp(Ea/R (1/T1 - 1/T2)), read off g(X)/t at constant acid."""
    raw = set_kinetics(minimal, [mech])
    raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    raw["leach"] |= {"outputs": 11}
    raw["solver"] = dict(TIGHT)
    T1, T2 = 313.15, 353.15
    tau_1 = lime_taus([mech], "core", T1)[mech]
    raw["leach"]["duration"] = 0.5 * tau_1 * math.exp(-EA[mech] / naive.R_GAS * (1 / T1 - 1 / T2))
    sc = leachsim.parse_scenario(raw)
    g = naive.G_CORE[mech]
    inv_tau = []
    for T in ("40 degC", "80 degC"):
        res = leachsim.run(sc.with_value("leach.temperature", T))
        t, X = res["time"][1:], res["conversion"][1:, 0, 0]
        assert np.all(X < 1.0)
        inv_tau.append(g(X) / t)  # 1/tau at every output
    ratio = inv_tau[1] / inv_tau[0]
    expected = math.exp(EA[mech] / naive.R_GAS * (1.0 / T1 - 1.0 / T2))
    assert np.max(np.abs(ratio / expected - 1.0)) < 1e-6


def test_pre_exponential_factor_equals_reference_rate(minimal):
    """A rate given as A (T_ref = inf) with A = k_ref exp(Ea / (R T_ref)) is the same rate."""
    raw = set_kinetics(minimal, ["ash", "reaction"])
    raw["leach"] |= {"temperature": "70 degC", "duration": "10 min"}
    raw["solver"] = dict(TIGHT)
    ref = run(raw)["conversion"]
    kin = raw["solid"]["phases"][0]["kinetics"]
    for m, k in (("ash", D_E), ("reaction", K_S)):
        del kin[m]["T_ref"]
        del kin[m]["D" if m == "ash" else "k"]
        kin[m]["A"] = k * math.exp(EA[m] / (naive.R_GAS * T_REF))
    X = run(raw)["conversion"]
    assert 0.3 < X[-1, 0, 0] < 1.0
    np.testing.assert_allclose(X, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize("order", [0.5, 2.0])
def test_reaction_order_scales_time_with_concentration(minimal, order):
    """Surface reaction of order n at constant acid: tau_r = rho R0 / (k_s C^n), so g(X) = t/tau
    with tau scaling as C^-n (checked at 0.5 and 2 mol/L)."""
    raw = set_kinetics(minimal, ["reaction"])
    raw["solid"]["phases"][0]["kinetics"]["reaction"] |= {"k": 1e-6 * 500.0 ** (1 - order),
                                                          "orders": {"H2SO4": order}}
    raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    raw["leach"] |= {"outputs": 11}
    raw["solver"] = dict(TIGHT)
    rho = W_LIME * RHO_S / 0.056077
    for C in (500.0, 2000.0):
        tau = naive.tau_reaction(rho, R_MINIMAL, 1e-6 * 500.0 ** (1 - order), C ** order)
        raw["leach"]["leachant"]["H2SO4"] = C
        raw["leach"]["duration"] = 0.9 * tau
        res = run(raw)
        t, X = res["time"], res["conversion"][:, 0, 0]
        assert np.max(np.abs(naive.g_reaction(X) - t / tau)) < 1e-9


def test_size_classes_weighted_by_mass(minimal):
    """A 12-class log-normal PSD at constant acid, reaction control: each class follows its own
    closed form (tau ~ R0) and the Ca extraction is the mass-weighted mean conversion, with
    the class cut recomputed independently from the PSD definition."""
    raw = set_kinetics(minimal, ["reaction"])
    raw["solid"]["size"] = {"distribution": "lognormal", "d50": "80 um", "sigma_g": 2.0,
                            "classes": 12}
    raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    raw["leach"] |= {"duration": "1 h", "outputs": 13}
    raw["solver"] = dict(TIGHT)
    res = run(raw)
    d, w = naive.lognormal_classes(80e-6, 2.0, 12)
    np.testing.assert_allclose(res["class_diameter"], d, rtol=1e-12)
    np.testing.assert_allclose(res["class_mass_fraction"], w, rtol=1e-9, atol=1e-15)
    rho = W_LIME * RHO_S / 0.056077
    tau = naive.tau_reaction(rho, d / 2, K_S, C_ACID)
    t = res["time"]
    X = np.array([[naive.conversion_at_time(s, {"reaction": tc}) for tc in tau] for s in t])
    assert 0.0 < X[-1].min() and X[-1].max() == 1.0  # fines done, coarse part-way
    np.testing.assert_allclose(res["conversion"][:, :, 0], X, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.select("extraction", element="Ca"), X @ w, rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------
# falling concentration: stoichiometry and the independent reference solver
def falling_scenario(minimal, second="core"):
    """Two phases, two size classes, two reagents, no top-up: the acid falls by more than half.

    lime CaO  + H2SO4                 mixed film + ash + reaction (order 1 in H2SO4)
    wustite 2 FeO + 3 H2SO4 + H2O2    mixed ash (H2O2 diffusing) + reaction, orders H2SO4 1,
                                       H2O2 0.5 (second = "particle": shrinking particle,
                                       film of H2SO4 + reaction)
    """
    raw = minimal
    raw["solid"]["size"] = {"distribution": "classes", "diameters": ["60 um", "150 um"],
                            "mass_fractions": [0.4, 0.6]}
    raw["solid"]["phases"] = [
        {"name": "lime", "mineral": "lime", "mass_fraction": 0.3, "consumes": {"H2SO4": 1.0}},
        {"name": "wustite", "mineral": "wustite", "mass_fraction": 0.2,
         "consumes": {"H2SO4": 1.5, "H2O2": 0.5}},
        {"name": "quartz", "mineral": "quartz", "mass_fraction": 0.5},
    ]
    set_kinetics(raw, ["film", "ash", "reaction"], phase=0,
                 film=dict(FILM, D="1e-11 m^2/s"), ash=dict(ASH, D="1e-12 m^2/s"),
                 reaction=dict(REACTION, k="3e-8 m/s"))
    reaction2 = {"k": 2e-9, "Ea": "50 kJ/mol", "T_ref": "25 degC",
                 "orders": {"H2SO4": 1.0, "H2O2": 0.5}}
    if second == "core":
        set_kinetics(raw, ["ash", "reaction"], phase=1, ash=dict(ASH, D="4e-13 m^2/s"),
                     reaction=reaction2)
        raw["solid"]["phases"][1]["kinetics"]["primary"] = "H2O2"  # the oxidant diffuses
    else:
        set_kinetics(raw, ["film", "reaction"], "particle", phase=1,
                     film=dict(FILM, D="5e-13 m^2/s", Sh=3.0), reaction=reaction2)
    raw["leach"] = {"type": "batch", "temperature": "50 degC", "solid_liquid_ratio": "100 g/L",
                    "volume": "1 L", "duration": "90 min", "outputs": 31,
                    "leachant": {"H2SO4": "1.2 mol/L", "H2O2": "0.2 mol/L"}}
    raw["solver"] = dict(TIGHT)
    return raw


def initial_moles(raw):
    """n0[class, phase] (mol) of lime and wustite from the charge: m_s f_i w_j / M_j."""
    m_s = 100.0 * 1e-3  # 100 g/L x 1 L
    f = np.array([0.4, 0.6])
    w_over_M = np.array([0.3 / molar_mass(raw, "lime"), 0.2 / molar_mass(raw, "wustite")])
    return m_s * f[:, None] * w_over_M[None, :]


def reference_populations(raw, second="core"):
    """The falling_scenario populations for naive.batch_reference, at 50 degC."""
    T = 323.15
    n0 = initial_moles(raw)
    rho = {0: 0.3 * RHO_S / molar_mass(raw, "lime"), 1: 0.2 * RHO_S / molar_mass(raw, "wustite")}
    A = lambda k, Ea: naive.arrhenius(k, Ea, T_REF, T)  # noqa: E731
    pops = []
    for i, R0 in enumerate((30e-6, 75e-6)):
        pops.append(naive.Population(
            n0=n0[i, 0], R0=R0, rho=rho[0], primary="H2SO4", nu={"H2SO4": 1.0},
            film=A(2 * 1e-11, 15e3), ash=A(1e-12, 25e3), reaction=A(3e-8, 40e3),
            orders={"H2SO4": 1.0}))
        common = dict(n0=n0[i, 1], R0=R0, rho=rho[1], primary="H2SO4",
                      nu={"H2SO4": 1.5, "H2O2": 0.5}, reaction=A(2e-9, 50e3),
                      orders={"H2SO4": 1.0, "H2O2": 0.5})
        if second == "core":
            pops.append(naive.Population(ash=A(4e-13, 25e3), **dict(common, primary="H2O2")))
        else:
            pops.append(naive.Population(geometry="particle", film=A(3 * 5e-13, 15e3), **common))
    return pops


def test_stoichiometric_reagent_consumption(minimal):
    """No top-up: C_r(t) = C0_r - sum nu_jr n0_ij X_ij / V and reagent_consumed equals
    sum nu_jr n0_ij X_ij, at every output, to 1e-9 relative (two reagents, two phases)."""
    raw = falling_scenario(minimal)
    res = run(raw)
    X = res["conversion"]  # time x class x phase
    converted = np.einsum("kij,ij->kj", X, initial_moles(raw))  # mol of each phase converted
    nu = np.array([[1.0, 0.0], [1.5, 0.5]])  # phase x reagent (H2SO4, H2O2)
    consumed = converted @ nu
    C0 = np.array([1200.0, 200.0])
    assert res.coords["reagent"] == ["H2SO4", "H2O2"]
    np.testing.assert_allclose(res["reagent_consumed"], consumed, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(res["reagent_concentration"], C0 - consumed / 1e-3, rtol=1e-9)
    assert res["reagent_concentration"][-1, 0] < 0.5 * C0[0]  # strong acid consumption


@pytest.mark.parametrize("second", ["core", "particle"])
def test_falling_concentration_matches_reference_solver(minimal, second):
    """Mixed control (film + ash + reaction), two classes, two phases, acid and oxidant
    consumed: X(t) agrees with an independent Radau solution of dX/dt in X.  Asked for ~1e-6,
    measured ~1e-11, so the bound is 1e-8."""
    raw = falling_scenario(minimal, second)
    res = run(raw)
    t = res["time"]
    X = res["conversion"].reshape(len(t), -1)  # class-major, as the populations
    ref = naive.batch_reference(reference_populations(raw, second),
                                {"H2SO4": 1200.0, "H2O2": 200.0}, 1e-3, t)
    assert 0.2 < X[-1].min() and X[-1].max() < 0.99  # every population part-way
    assert X[-1, 0] > 0.9  # and one close to completion, where the rate law is stiffest
    err = np.abs(X - ref).max()
    assert err < 1e-8, f"max |X - X_ref| = {err:.3g}"  # measured ~1e-11


def test_solver_tolerance_is_honoured(minimal):
    """With few outputs (the step control, not the output grid, sets the steps) the global
    error in X against the reference stays below rtol for rtol = 1e-4, 1e-6, 1e-8."""
    raw = falling_scenario(minimal)
    raw["leach"]["outputs"] = 4
    t = np.linspace(0.0, 5400.0, 4)
    ref = naive.batch_reference(reference_populations(raw), {"H2SO4": 1200.0, "H2O2": 200.0},
                                1e-3, t)
    for rtol in (1e-4, 1e-6, 1e-8):
        raw["solver"] = {"rtol": rtol, "atol": 1e-2 * rtol}
        X = run(raw)["conversion"].reshape(4, -1)
        assert np.abs(X - ref).max() < rtol


def test_mass_balance_closes(minimal):
    """Metal in solids + leachate = initial to 1e-9; Ca extraction equals the converted lime
    (mass-weighted over classes) and the inert quartz releases no Si."""
    raw = falling_scenario(minimal)
    res = run(raw)
    assert np.all(res["mass_balance_error"] < 1e-9)
    assert res.scalars["mass_balance_error_max"][0] < 1e-9
    n0 = initial_moles(raw)
    X = res["conversion"]
    ca = res.select("extraction", element="Ca")
    np.testing.assert_allclose(ca, X[:, :, 0] @ n0[:, 0] / n0[:, 0].sum(), rtol=1e-12)
    fe = res.select("extraction", element="Fe")
    np.testing.assert_allclose(fe, X[:, :, 1] @ n0[:, 1] / n0[:, 1].sum(), rtol=1e-12)
    assert np.all(res.select("extraction", element="Si") == 0.0)


def test_mass_balance_shipped_scenario():
    """The shipped BOF-slag scenario (8 classes, 6 reacting phases) also closes to 1e-9."""
    from conftest import CONFIGS
    res = leachsim.run(leachsim.load_scenario(CONFIGS / "bof_slag_vanadium_h2so4.toml"))
    assert np.all(res["mass_balance_error"] < 1e-9)


# ---------------------------------------------------------------------------
# continuous tank cascade
SL_CASCADE = 80.0  # kg/m^3: Q_L = F_s / SL_CASCADE


def cascade(minimal, tanks, residence_time, top_up=True, grid=None):
    """MINIMAL as a cascade fed 1 t/h of solid at 80 g/L with 0.5 mol/L H2SO4."""
    raw = minimal
    raw["leach"] = {"type": "cascade", "temperature": "25 degC", "solid_liquid_ratio": "80 g/L",
                    "tanks": tanks, "residence_time": residence_time, "solids_feed": "1 t/h",
                    "leachant": {"H2SO4": "0.5 mol/L"}}
    if top_up:
        raw["leach"]["leachant"]["top_up"] = ["H2SO4"]
    if grid is not None:
        raw["solver"] = {"grid": grid}
    return raw


TAU_R = lime_taus(["reaction"], "core", T_REF)["reaction"]  # ~2675 s


@pytest.mark.parametrize("ratio", [0.2, 1.0, 4.0])
def test_single_tank_matches_mixed_flow_closed_form(minimal, ratio):
    """One ideal mixed tank, constant acid, reaction control: Levenspiel's mixed-flow result
    Xbar = 3a - 6a^2 + 6a^3 (1 - exp(-1/a)), a = t_mean/tau_r, to 1e-6."""
    res = run(cascade(minimal, 1, ratio * TAU_R))
    X = res["conversion"][0, 0, 0]
    expected = naive.mixed_flow_reaction(ratio * TAU_R, TAU_R)
    assert abs(X - expected) < 1e-6, f"{X} vs {expected}"


def test_cascade_approaches_plug_flow_batch(minimal):
    """N equal tanks with the same total residence time approach the batch (plug-flow) result
    as N grows: the error falls monotonically over N = 1 ... 32.  Exit age is Erlang(N) with
    variance T^2/N, so the error is ~ |X''(T)| T^2 / (2N) = 6 s^2 (1-s) / (2N) for
    X = 1 - (1-s)^3, s = T/tau_r; at s = 0.5 that is 0.375/N = 0.0117 for N = 32, and the
    N = 32 error must lie within 10 % of it.  Each N also matches the exact Erlang average
    (quadrature of the batch law over the Erlang density) to 2e-6 on a 2048 grid."""
    T = 0.5 * TAU_R
    batch = copy.deepcopy(minimal)
    batch["leach"]["leachant"]["top_up"] = ["H2SO4"]
    batch["leach"] |= {"duration": T, "outputs": 3}
    X_batch = run(batch)["conversion"][-1, 0, 0]
    assert abs(X_batch - (1 - 0.5 ** 3)) < 1e-9
    sc = leachsim.parse_scenario(cascade(minimal, 1, T, grid=2048))
    Ns = [1, 2, 4, 8, 16, 32]
    scs = [sc.with_value("leach.tanks", n).with_value("leach.residence_time", T / n) for n in Ns]
    results = leachsim.run_leach_many(scs)
    errors, erlang = [], []
    for n, res in zip(Ns, results):
        assert res["tank"][-1] == pytest.approx(T, rel=1e-12)
        X = res["conversion"][-1, 0, 0]
        errors.append(abs(X - X_batch))
        erlang.append(abs(X - naive.tanks_in_series_reaction(n, T, TAU_R)))
    assert np.all(np.diff(errors) < 0), errors
    assert abs(errors[-1] / (0.375 / 32) - 1.0) < 0.1, errors[-1]
    assert max(erlang) < 2e-6, erlang  # grid error ~ 0.8e-6 at N = 32 (O(grid^-2))


@pytest.mark.parametrize("mechs", [["reaction"], ["ash", "reaction"]])
def test_cascade_grid_refinement(minimal, mechs):
    """Three tanks, falling acid: refining the xi grid from 256 to 1024 moves every tank's
    Xbar by less than 1e-5."""
    raw = set_kinetics(minimal, mechs)
    out = []
    for grid in (256, 1024):
        res = run(cascade(copy.deepcopy(raw), 3, 1200.0, top_up=False, grid=grid))
        out.append(res["conversion"][:, 0, 0])
    assert 0.2 < out[1][-1] < 0.95
    change = np.max(np.abs(out[0] - out[1]))
    assert change < 1e-5, change


def test_cascade_grid_second_order(minimal):
    """Three tanks, falling acid, film + ash + reaction: the exit-distribution quadrature is
    second order in the grid (successive differences shrink 4x per doubling), so the default
    grid of 512 is within ~3e-6 of the converged Xbar (Richardson estimate)."""
    raw = set_kinetics(minimal, ["film", "ash", "reaction"], film=dict(FILM, D="5e-11 m^2/s"))
    X = []
    for grid in (256, 512, 1024, 2048):
        res = run(cascade(copy.deepcopy(raw), 3, 1200.0, top_up=False, grid=grid))
        X.append(res["conversion"][:, 0, 0])
    d = [np.max(np.abs(X[k + 1] - X[k])) for k in range(3)]
    assert 3.5 < d[0] / d[1] < 4.5 and 3.5 < d[1] / d[2] < 4.5, d
    richardson = np.max(np.abs(X[1] - (4 * X[3] - X[2]) / 3))  # error of the 512 grid
    assert richardson < 5e-6, richardson


def test_two_unequal_tanks_constant_acid(minimal):
    """Two tanks of unequal residence time (given as a list), constant acid, reaction control:
    the hypoexponential average of the batch law, to 1e-6."""
    t1, t2 = 0.3 * TAU_R, 0.5 * TAU_R
    res = run(cascade(minimal, 2, [t1, t2], grid=2048))
    np.testing.assert_allclose(res["tank"], [t1, t1 + t2], rtol=1e-12)
    X = res["conversion"][:, 0, 0]
    assert abs(X[0] - naive.mixed_flow_reaction(t1, TAU_R)) < 1e-6
    assert abs(X[1] - naive.two_tanks_in_series_reaction(t1, t2, TAU_R)) < 1e-6


@pytest.mark.parametrize("mechs", [["reaction"], ["ash", "reaction"], ["film", "ash", "reaction"]])
def test_two_tank_cascade_falling_acid_matches_reference(minimal, mechs):
    """Two tanks of unequal residence time, acid consumed (no top-up), resistances in series:
    each tank's Xbar and acid concentration agree with an independent quadrature of the
    segregated-flow population balance with Brent-solved tank balances (naive.py).  Tank 1 is
    evaluated in closed form on the grid (agrees to 1e-9); tank 2 carries the O(grid^-2)
    exit-distribution error, ~5e-8 at grid 4096 (tolerance 3e-7)."""
    raw = set_kinetics(minimal, mechs, film=dict(FILM, D="5e-11 m^2/s"))
    res = run(cascade(raw, 2, [900.0, 1500.0], top_up=False, grid=4096))
    pop = naive.Population(
        n0=0.0, R0=R_MINIMAL, rho=W_LIME * RHO_S / 0.056077, primary="H2SO4",
        nu={"H2SO4": 1.0}, film=2 * 5e-11 if "film" in mechs else None,
        ash=D_E if "ash" in mechs else None, reaction=K_S if "reaction" in mechs else None,
        orders={"H2SO4": 1.0})
    F_s = 1000.0 / 3600.0  # 1 t/h
    F = F_s * W_LIME / molar_mass(raw, "lime")
    X1, X2, C1, C2 = naive.two_tank_cascade_reference(pop, "H2SO4", C_ACID, F_s / SL_CASCADE, F,
                                                      900.0, 1500.0)
    X = res["conversion"][:, 0, 0]
    C = res["reagent_concentration"][:, 0]
    assert C2 < 0.6 * C_ACID  # the acid falls substantially
    assert abs(X[0] - X1) < 1e-9 and abs(C[0] - C1) < 1e-9 * C_ACID
    assert abs(X[1] - X2) < 3e-7 and abs(C[1] - C2) < 3e-7 * C_ACID


def test_cascade_reagent_balance(minimal):
    """Steady state, no top-up: Q_L (C_feed - C_k) = nu F Xbar_k at each tank's exit."""
    raw = cascade(minimal, 3, 1200.0, top_up=False)
    res = run(raw)
    F_s = 1000.0 / 3600.0  # kg/s
    Q_L = F_s / SL_CASCADE  # m^3/s
    F = F_s * W_LIME / molar_mass(raw, "lime")  # mol/s of lime
    X = res["conversion"][:, 0, 0]
    C = res["reagent_concentration"][:, 0]
    np.testing.assert_allclose(Q_L * (C_ACID - C), F * X, rtol=1e-9)
    np.testing.assert_allclose(res["reagent_consumed"][:, 0], F * X, rtol=1e-9)


# ---------------------------------------------------------------------------
# batched runs
def test_run_leach_many_matches_single_runs(minimal):
    """The parallel batched kernel gives the same numbers as one run at a time (1e-12),
    for a mixed list of batch and cascade scenarios, returned in input order."""
    base = leachsim.parse_scenario(falling_scenario(copy.deepcopy(minimal)))
    scs = [base,
           base.with_value("leach.temperature", "80 degC"),
           base.with_value("leach.solid_liquid_ratio", "150 g/L"),
           base.with_value("leach.duration", "1 h"),
           base.with_value("leach.leachant.H2SO4", "0.7 mol/L"),
           leachsim.parse_scenario(cascade(copy.deepcopy(minimal), 3, 1200.0, top_up=False)),
           leachsim.parse_scenario(cascade(copy.deepcopy(minimal), 3, 600.0, top_up=False))]
    many = leachsim.run_leach_many(scs)
    for sc, res in zip(scs, many):
        alone = leachsim.run(sc)
        for name in ("conversion", "reagent_concentration", "reagent_consumed", "extraction"):
            np.testing.assert_allclose(res[name], alone[name], rtol=1e-12, atol=1e-15)
    # the scenarios really differ, so a mix-up of results would show
    for a in range(len(many)):
        for b in range(a):
            A, B = many[a]["conversion"], many[b]["conversion"]
            assert A.shape != B.shape or np.max(np.abs(A - B)) > 1e-3


def test_dense_output_coefficients_have_order_four():
    """The continuous extension used for output times inside a step: sum_i P_i(s) c_i^q =
    s^(q+1)/(q+1) for q = 0..3, and at s = 1 it is the 5th-order solution (weights b)."""
    from fractions import Fraction

    from leachsim.kernels.leach_batch import DENSE

    c = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
    b = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
    for q in range(4):
        poly = (DENSE * (c ** q)[:, None]).sum(axis=0)  # coefficients of s, s^2, s^3, s^4
        expected = np.zeros(4)
        expected[q] = float(Fraction(1, q + 1))
        np.testing.assert_allclose(poly, expected, atol=1e-14)
    np.testing.assert_allclose(DENSE.sum(axis=1), b, atol=1e-15)


def test_output_times_do_not_change_the_solution(minimal):
    """Outputs come from the continuous extension, not from shortened steps: asking for 2 or
    241 output times gives the same end state (to the tolerance) and the same step count."""
    base = set_kinetics(minimal, ["ash", "reaction"])
    base["solver"] = {"rtol": 1e-9, "atol": 1e-12}
    few = copy.deepcopy(base)
    few["leach"]["outputs"] = 2
    many = copy.deepcopy(base)
    many["leach"]["outputs"] = 241
    r2, r241 = run(few), run(many)
    assert abs(r2["conversion"][-1, 0, 0] - r241["conversion"][-1, 0, 0]) < 1e-9
    assert r2.scalar("steps_accepted") == r241.scalar("steps_accepted")
