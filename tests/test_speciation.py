"""Aqueous speciation and pH adjustment against closed forms, data checks and limits."""
import math
import re

import numpy as np
import pytest

from leachsim.chemistry.aqueous_data import PHASES, REACTIONS
from leachsim.chemistry.formula import composition
from leachsim.chemistry.speciation import (COMPONENTS, REAGENTS, SpeciationError, adjust_ph,
                                           davies_a, formation_stoichiometry, speciate,
                                           van_t_hoff)

LEACHATE_12 = {"Fe": 50.0, "Al": 20.0, "Co": 5.0, "Ca": 10.0, "Mg": 30.0, "SO4": 300.0,
               "Na": 5.0, "K": 2.0, "Cl": 5.0, "Mn": 3.0, "Cu": 1.0, "Ni": 1.0}


def davies_gamma(z, ionic_strength, temperature=298.15):
    root = math.sqrt(ionic_strength)
    return 10 ** (-davies_a(temperature) * z * z * (root / (1 + root) - 0.3 * ionic_strength))


def formation_stoichiometry_count(result, species, element):
    column = result._system.components.index(element)
    return result._system.stoichiometry[result.species.index(species), column]


# --- the data table -------------------------------------------------------------------------

def _atoms(name):
    body = re.sub(r"[+-]\d*$", "", name).replace(":", "*")
    return composition(body)


@pytest.mark.parametrize("reaction", REACTIONS + PHASES, ids=lambda r: r.species)
def test_every_reaction_balances_atoms_and_charge(reaction):
    """Catches transcription errors in the table: atoms and charge balance on both sides."""
    left, right = reaction.reaction.split("=")
    totals = {}
    charge = 0
    for side, sign in ((left, -1), (right, 1)):
        for term in side.strip().split(" + "):
            m = re.fullmatch(r"(?:(\d+)\s+)?(\S+)", term.strip())
            n = int(m.group(1) or 1)
            for element, count in _atoms(m.group(2)).items():
                totals[element] = totals.get(element, 0) + sign * n * count
            z = re.search(r"([+-])(\d*)$", m.group(2))
            if z and not m.group(2).endswith(")"):
                charge += sign * n * (1 if z.group(1) == "+" else -1) * int(z.group(2) or 1)
    assert all(abs(v) < 1e-12 for v in totals.values()), totals
    assert charge == 0


def test_vanadium_constants_are_those_of_the_reference_file():
    """Section 2 of shared/reference/published-data.md (minteq.v4.dat)."""
    expected = {"H3VO4": -3.3, "H2VO4-": -7.3, "HVO4-2": -15.9, "VO4-3": -30.2,
                "V2O7-4": -31.24, "HV2O7-3": -20.67, "H3V2O7-": -3.79, "V3O9-3": -15.88,
                "V4O12-4": -20.56, "V10O28-6": -24.0943, "HV10O28-5": -15.9076,
                "H2V10O28-4": -10.7, "VO2SO4-": 1.378, "CoOH+": -9.697, "CoSO4": 2.3,
                "LiSO4-": 0.64}
    table = {r.species: r.log_k for r in REACTIONS}
    assert {k: table[k] for k in expected} == expected


# --- closed forms ---------------------------------------------------------------------------

def test_strong_acid_and_base_ph_with_davies():
    acid = speciate({"Cl": 10.0})                     # 0.01 mol/kg HCl
    assert acid.ionic_strength == pytest.approx(0.01, rel=1e-6)
    assert acid.pH == pytest.approx(-math.log10(0.01 * davies_gamma(1, 0.01)), abs=1e-6)
    base = speciate({"Na": 10.0})                     # 0.01 mol/kg NaOH
    water = 1 - 0.017 * 0.02                          # a_w = 1 - 0.017 Σ m (Na+ + OH-)
    assert base.water_activity == pytest.approx(water, rel=1e-9)
    kw = 10 ** -13.997 * water                        # a_H a_OH = Kw a_w
    assert base.pH == pytest.approx(-math.log10(kw / (0.01 * davies_gamma(1, 0.01))), abs=1e-6)


def test_dilute_strong_acid_includes_water_dissociation():
    """1e-7 mol/kg HCl: [H+] = (C + sqrt(C^2 + 4 Kw)) / 2 (activities ~ 1 at I ~ 2e-7)."""
    c, kw = 1e-7, 10 ** -13.997
    result = speciate({"Cl": c * 1e3})
    assert result.pH == pytest.approx(-math.log10((c + math.sqrt(c * c + 4 * kw)) / 2), abs=2e-4)


def test_bisulfate_split_against_quadratic():
    """H2SO4 of total C: x = [SO4-2] solves x^2 + (C + K') x - K' C = 0, K' = K2 γHSO4/(γH γSO4)."""
    c = 0.01                                           # mol/kg
    result = speciate({"SO4": c * 1e3})
    gamma = dict(zip(result.species, result.activity_coefficient))
    k2 = 10 ** -1.99 * gamma["HSO4-"] / (gamma["H+"] * gamma["SO4-2"])
    x = (-(c + k2) + math.sqrt((c + k2) ** 2 + 4 * k2 * c)) / 2
    assert result["SO4-2"] * 1e-3 == pytest.approx(x, rel=1e-6)
    assert result["HSO4-"] * 1e-3 == pytest.approx(c - x, rel=1e-6)


def test_vanadate_monomer_ratio_at_ph7():
    """Dilute V(V) at pH 7: [HVO4-2]/[H2VO4-] = 10^(pH - 8.6) at I -> 0 (pKa from the table)."""
    result = speciate({"V": 1e-4}, pH=7.0)            # 1e-7 mol/kg
    assert result.ionic_strength < 1e-6
    assert result["HVO4-2"] / result["H2VO4-"] == pytest.approx(10 ** (7.0 - 8.6), rel=2e-3)
    shares = result.fraction("V")
    assert shares["H2VO4-"] + shares["HVO4-2"] > 0.99


@pytest.mark.parametrize("pH", [4.0, 5.0, 6.0])
def test_decavanadate_share_rises_with_total_vanadium(pH):
    totals = [1.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    shares = []
    for v in totals:
        result = speciate({"V": v}, pH=pH)
        column = result._system.components.index("V")
        in_species = float(result._system.stoichiometry[:, column] @ result.concentration)
        assert in_species == pytest.approx(v, rel=1e-10)
        shares.append(sum(f for s, f in result.fraction("V").items() if "V10O28" in s))
    assert all(b > a for a, b in zip(shares, shares[1:]))
    assert shares[0] < 1e-6 and shares[-1] > 0.8


def test_cobalt_sulfate_against_one_to_one_closed_form():
    """Co M, SO4 L at pH 6 (hydrolysis and HSO4- < 1e-3): [CoSO4] = x with
    K' = x / ((M - x)(L - x)), K' = K γCo γSO4 / γCoSO4, the quadratic's smaller root."""
    m = l = 5e-3                                        # mol/kg
    result = speciate({"Co": m * 1e3, "SO4": l * 1e3}, pH=6.0)
    gamma = dict(zip(result.species, result.activity_coefficient))
    k = 10 ** 2.3 * gamma["Co+2"] * gamma["SO4-2"] / gamma["CoSO4"]
    b = m + l + 1 / k
    x = (b - math.sqrt(b * b - 4 * m * l)) / 2
    assert result.fraction("Co")["CoSO4"] == pytest.approx(x / m, rel=2e-3)


def test_charge_balance_closes_on_a_twelve_component_leachate():
    result = speciate(LEACHATE_12)
    charge = result.charge * result.concentration
    assert abs(charge.sum()) < 1e-11 * np.abs(charge).sum()
    for component, total in LEACHATE_12.items():
        column = result._system.components.index(component)
        assert result._system.stoichiometry[:, column] @ result.concentration == pytest.approx(
            total, rel=1e-10)
    assert result.acid_required == 0.0


def test_van_t_hoff_at_60_degC():
    t = 333.15
    expected = -3.3 - 44475.9 / (8.314462618 * math.log(10)) * (1 / t - 1 / 298.15)
    assert van_t_hoff(-3.3, 44.4759, t) == pytest.approx(expected, abs=1e-12)
    assert expected - (-3.3) == pytest.approx(0.8183, abs=1e-3)
    # ... and the speciation uses it: [H3VO4]/[VO2+] = K a_H^-1 γVO2+/γH3VO4
    cold = speciate({"V": 1e-3}, pH=3.0)
    hot = speciate({"V": 1e-3}, temperature=t, pH=3.0)
    for result, log_k in ((cold, -3.3), (hot, expected)):
        gamma = dict(zip(result.species, result.activity_coefficient))
        ratio = (10 ** (log_k + 3.0) * gamma["VO2+"] / gamma["H3VO4"]
                 * result.water_activity ** 2)          # VO2+ + 2 H2O = H3VO4 + H+
        assert result["H3VO4"] / result["VO2+"] == pytest.approx(ratio, rel=1e-8)


def test_water_ion_product_and_debye_hueckel_a_at_60_degC():
    """pKw(60 °C) = 13.02 (Bandura & Powell 2006: 13.017).  Davies A as PHREEQC 3 computes it
    (backed out of γ(Na+) in 0.01 mol/kg NaCl run in IPhreeqc): 0.51002 at 25 °C, 0.54590 at
    60 °C."""
    neutral = speciate({"Na": 1e-6, "Cl": 1e-6}, temperature=333.15)
    assert 2 * neutral.pH == pytest.approx(13.02, abs=0.02)
    assert davies_a(298.15) == pytest.approx(0.51002, abs=2e-5)
    assert davies_a(333.15) == pytest.approx(0.54590, abs=2e-5)


# --- derived quantities the sorbent sees ----------------------------------------------------

def test_anion_exchanger_sees_cation_at_low_ph_and_anion_at_ph6():
    acid = speciate({"V": 0.1, "Na": 10.0, "Cl": 40.0}, pH=1.5)
    mild = speciate({"V": 1e-4, "Na": 10.0, "Cl": 10.0}, pH=6.0)   # trace: monomers
    assert acid.charge_fraction("V", -1) < 0.05        # VO2+: an anion exchanger takes nothing
    assert mild.charge_fraction("V", -1) > 0.99
    assert mild.mean_charge("V") == pytest.approx(-1.0, abs=0.01)
    # at 0.1 mol/m^3 the minteq.v4 dimer H3V2O7- (-0.5 per V) already holds most V
    dimer = speciate({"V": 0.1, "Na": 10.0, "Cl": 10.0}, pH=6.0)
    assert dimer.fraction("V")["H3V2O7-"] > 0.5 and dimer.mean_charge("V") > -0.8


def test_mean_charge_per_vanadium_with_decavanadate():
    result = speciate({"V": 1000.0}, pH=4.0)
    anions = [(s, z, c) for s, z, c in zip(result.species, result.charge, result.concentration)
              if z < 0 and formation_stoichiometry_count(result, s, "V") > 0]
    charge = sum(z * c for _, z, c in anions)
    vanadium = sum(formation_stoichiometry_count(result, s, "V") * c for s, _, c in anions)
    assert result.mean_charge("V") == pytest.approx(charge / vanadium, rel=1e-12)
    assert -1.0 < result.mean_charge("V") < -0.4        # between H3V2O7- (-0.5) ... and -0.4
    shares = result.fraction("V")
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert (result.charge_fraction("V", -1) + result.charge_fraction("V", 0)
            + result.charge_fraction("V", 1)) == pytest.approx(1.0, abs=1e-12)


# --- limits, warnings, errors ---------------------------------------------------------------

def test_concentrated_acid_is_flagged_beyond_davies():
    result = speciate({"SO4": 1000.0})                 # 1 mol/L H2SO4
    assert not result.davies_valid
    assert any("Davies" in w for w in result.warnings)
    assert result.fraction("SO4")["HSO4-"] > 0.9
    assert speciate(LEACHATE_12).warnings == ()


def test_unknown_component_lists_known_ones():
    with pytest.raises(ValueError, match="unknown component 'Zn'.*Co, Li"):
        speciate({"Zn": 1.0})
    with pytest.raises(ValueError, match="NO3.*NH4"):
        speciate({"N": 1.0})
    with pytest.raises(ValueError, match="oxidation"):
        speciate({"Co": 1.0}, oxidation={"Co": 3})


def test_fixed_ph_reports_the_acid_that_balances_the_charge():
    """0.01 mol/kg NaCl held at pH 3 holds H+ ≈ 1e-3/γ mol/kg with no anion for it: that much
    strong acid (positive) makes it electroneutral."""
    result = speciate({"Na": 10.0, "Cl": 10.0}, pH=3.0)
    gamma = dict(zip(result.species, result.activity_coefficient))
    assert result.acid_required == pytest.approx((1e-3 / gamma["H+"]) * 1e3, rel=1e-6)
    alkaline = speciate({"Na": 10.0, "Cl": 10.0}, pH=11.0)
    assert alkaline.acid_required == pytest.approx(-alkaline["OH-"], rel=1e-6)


def test_ferrous_iron_is_selected_by_oxidation():
    ferric = speciate({"Fe": 1.0, "SO4": 10.0})
    ferrous = speciate({"Fe": 1.0, "SO4": 10.0}, oxidation={"Fe": 2})
    assert "FeSO4+" in ferric.species and "FeSO4+" not in ferrous.species
    assert "FeSO4" in ferrous.species and ferrous.free("Fe") == ferrous["Fe+2"]


def test_solver_converges_across_concentration_and_ph_range():
    rng = np.random.default_rng(7)
    for v in (1e-6, 1e-2, 1.0, 1e2, 1e4):
        for pH in (None, 0.0, 2.0, 4.0, 6.0, 8.0, 11.0, 14.0):
            for extra in ({}, {"Na": v, "SO4": 0.5 * v}, {"Ca": 10.0, "CO3": 5.0, "Cl": 3e3}):
                totals = {"V": v, **extra}
                result = speciate(totals, pH=pH)
                column = result._system.components.index("V")
                assert (result._system.stoichiometry[:, column] @ result.concentration
                        == pytest.approx(v, rel=1e-10))
    for _ in range(60):
        picked = rng.choice(COMPONENTS, size=rng.integers(1, 10), replace=False)
        totals = {c: 10 ** rng.uniform(-6, 4) for c in picked}
        result = speciate(totals, pH=None if rng.random() < 0.5 else rng.uniform(0, 14))
        assert np.all(np.isfinite(result.concentration))
    assert issubclass(SpeciationError, RuntimeError)


# --- pH adjustment --------------------------------------------------------------------------

def test_naoh_neutralises_sulfuric_acid():
    """0.1 mol/L H2SO4 to pH 7 takes 2 x 0.1 mol/L NaOH (HSO4- and H+ are < 1e-5 of it)."""
    result = adjust_ph({"SO4": 100.0}, 7.0, "NaOH")
    assert result.dose == pytest.approx(200.0, abs=0.01)
    assert result.dose_mass == pytest.approx(200.0 * 0.039997, rel=1e-4)
    assert result.speciation.pH == pytest.approx(7.0, abs=1e-4)   # steep: equivalence point


def test_naoh_to_ph2_leaves_the_bisulfate_unneutralised():
    """At pH 2 the dose is 2 C minus the free H+ and the HSO4- still present (proton balance)."""
    result = adjust_ph({"SO4": 100.0}, 2.0, "NaOH")
    s = result.speciation
    assert result.dose == pytest.approx(200.0 - s["H+"] - s["HSO4-"] + s["OH-"], rel=1e-9)
    assert 150.0 < result.dose < 190.0


@pytest.mark.parametrize("oxidation,z", [(None, 3), ({"Fe": 2}, 2)])
def test_iron_removal_consumes_z_hydroxide_per_iron(oxidation, z):
    """Removing Fe as Fe(OH)z costs z OH- per Fe less the OH- the dissolved Fe already holds
    at the target pH (n̄, from the hydroxo species); nitrate medium, so no ligand is protonated."""
    totals = {"NO3": 100.0, "Fe": 10.0}
    target = 2.5 if z == 3 else 7.0
    keep = adjust_ph(totals, target, "NaOH", oxidation=oxidation)
    removed = adjust_ph(totals, target, "NaOH", remove={"Fe": 0.95}, oxidation=oxidation)
    n_bar = 0.0                                        # OH- bound per dissolved Fe
    for species, share in keep.speciation.fraction("Fe").items():
        if species not in ("Fe+3", "Fe+2"):
            nu = formation_stoichiometry(species, next(r.reaction for r in REACTIONS
                                                       if r.species == species))
            n_bar += share * -nu.get("H+", 0.0) / nu[f"Fe+{z}"]
    assert removed.precipitated["Fe"] == pytest.approx(9.5)
    per_iron = (removed.dose - keep.dose) / 9.5
    assert per_iron == pytest.approx(z - n_bar, rel=5e-3)
    formula_mass = 0.055845 + z * 0.017007
    assert removed.precipitated_mass["Fe"] == pytest.approx(9.5 * formula_mass, rel=1e-3)


def test_unreachable_targets_raise_clear_errors():
    acid = {"SO4": 100.0, "Fe": 10.0}
    with pytest.raises(ValueError, match=r"H2SO4 cannot bring .* to pH 9.0.*acid.*NaOH"):
        adjust_ph(acid, 9.0, "H2SO4")
    with pytest.raises(ValueError, match=r"CaCO3 cannot .* pH 9.0.*closest it gets is pH "
                                         r"\d.*Calcite saturates"):
        adjust_ph(acid, 9.0, "CaCO3")
    with pytest.raises(ValueError, match="unknown pH reagent 'lime'.*NaOH.*Ca\\(OH\\)2"):
        adjust_ph(acid, 5.0, "lime")
    with pytest.raises(ValueError, match="not a metal cation.*removable"):
        adjust_ph(acid, 5.0, "NaOH", remove={"SO4": 0.5})


def test_lime_reports_gypsum_saturation():
    result = adjust_ph({"SO4": 100.0, "Co": 5.0}, 6.0, "Ca(OH)2")
    s = result.speciation
    iap = s.activity("Ca+2") * s.activity("SO4-2") * s.water_activity ** 2
    assert result.gypsum_saturation_index == pytest.approx(math.log10(iap) + 4.61, abs=1e-9)
    assert result.gypsum_saturation_index > 0 and any("gypsum" in w for w in result.warnings)
    assert adjust_ph({"SO4": 100.0}, 6.0, "NaOH").gypsum_saturation_index is None


def test_reagent_table_is_consistent():
    """Every reagent reaches a modest target from sodium sulfate (pH 7) in its direction."""
    for name, reagent in REAGENTS.items():
        assert reagent.molar_mass > 0
        assert set(reagent.adds) <= set(COMPONENTS)
        target = 8.5 if reagent.raises_pH else 5.0
        result = adjust_ph({"SO4": 10.0, "Na": 20.0}, target, name)
        assert result.speciation.pH == pytest.approx(target, abs=1e-7), name
        assert result.dose > 0
