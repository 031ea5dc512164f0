"""Thermodynamic data for aqueous speciation: components, complexes, solids.

Every constant is transcribed from the USGS PHREEQC database ``minteq.v4.dat`` (MINTEQA2 v4
data set; repository usgs-coupled/phreeqc3, file ``database/minteq.v4.dat``).  The ``source``
of each entry names the line of the reaction in the copy shipped with the PyPI package
``phreeqc`` 1.1.1 (``phreeqc/databases/minteq.v4.dat``, header "File 1 = ...minteq.v4.dat,
15/03/2024, md5=fa307060a8f8affd6f41cb15d2225ff6"), the species' MINTEQ ``Id`` (stable across
versions of the file), and the database's own log K and ΔH source codes (NIST46.3/46.4 =
NIST Critical Stability Constants database 46; MTQ3.11 = MINTEQA2 3.11; Nord90 = Nordstrom
et al. 1990; SCD3.02 = IUPAC SC-Database; Bard85 = Bard, Parsons & Jordan 1985) with the
ionic strength (mol/kg) and temperature (°C) the database says the constant refers to.
The vanadium(V) rows agree with section 2 of ``shared/reference/published-data.md``.

Reactions are written exactly as in the database, as formation of the named species from
the master species (``VO2+``, ``Co+2``, ``SO4-2`` ...), ``H+`` and ``H2O``; log K is at
25 °C and I = 0; ΔH in kJ/mol is the standard reaction enthalpy used in the van't Hoff
equation.  The one exception to van't Hoff is the ion product of water, whose temperature
dependence follows the analytical fit ``WATER_LOG_KW_FIT`` (below).
"""
from __future__ import annotations

from typing import NamedTuple


class Reaction(NamedTuple):
    """One mass-action law: ``reaction`` forms ``species`` with K = 10**log_k at 25 °C."""
    species: str
    reaction: str
    log_k: float
    delta_h: float  # kJ/mol
    source: str


# Component name (as used in totals) -> master species of minteq.v4.dat
# (SOLUTION_MASTER_SPECIES block, lines 13-93 of the cited copy).
MASTER_SPECIES = {
    "V": "VO2+",      # V(5), l.93
    "Co": "Co+2",     # Co(2), l.31
    "Li": "Li+",      # l.53
    "Na": "Na+",      # l.65
    "K": "K+",        # l.52
    "Ca": "Ca+2",     # l.27
    "Mg": "Mg+2",     # l.54
    "Mn": "Mn+2",     # Mn(2), l.56
    "Cu": "Cu+2",     # Cu(2), l.39
    "Ni": "Ni+2",     # l.66
    "Al": "Al+3",     # l.13
    "Fe": "Fe+3",     # Fe(3), l.43; Fe(2) below
    "SO4": "SO4-2",   # S(6), l.72
    "Cl": "Cl-",      # l.29
    "CO3": "CO3-2",   # C(4), l.22
    "NO3": "NO3-",    # N(5), l.64
    "NH4": "NH4+",    # N(-3), l.62
}
# Oxidation states a caller may select instead of the default one (Fe(2): l.42).
ALTERNATIVE_MASTER_SPECIES = {("Fe", 2): "Fe+2", ("Fe", 3): "Fe+3"}

# log10 Kw(T) = A1 + A2 T + A3/T + A4 log10(T) + A5/T^2 + A6 T^2 (T in K): PHREEQC
# ``phreeqc.dat`` (same package, l.213, "H2O = OH- + H+ -analytic"), used for the temperature
# dependence of Kw only; its 25 °C value is shifted onto minteq.v4's log Kw = -13.997.
WATER_LOG_KW_FIT = (293.29227, 0.1360833, -10576.913, -123.73158, 0.0, -6.996455e-5)

_ML = "minteq.v4.dat"

REACTIONS = (
    # --- water, acids, ammonia
    Reaction("OH-", "H2O = OH- + H+", -13.997, 55.81,
             f"{_ML} l.534 Id 3300020; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("HSO4-", "H+ + SO4-2 = HSO4-", 1.99, 22.0,
             f"{_ML} l.2960 Id 3307320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("HCO3-", "H+ + CO3-2 = HCO3-", 10.329, -14.6,
             f"{_ML} l.4600 Id 3301400; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("H2CO3", "2 H+ + CO3-2 = H2CO3", 16.681, -23.76,
             f"{_ML} l.4608 Id 3301401; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("NH3", "NH4+ = NH3 + H+", -9.244, 52.0,
             f"{_ML} l.3416 Id 3304900; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("NH4SO4-", "NH4+ + SO4-2 = NH4SO4-", 1.03, 0.0,
             f"{_ML} l.2968 Id 4907320; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    # --- vanadium(V): monomers, oligomers, decavanadates, sulfate and nitrate complexes
    Reaction("H3VO4", "VO2+ + 2 H2O = H3VO4 + H+", -3.3, 44.4759,
             f"{_ML} l.5144 Id 9033300; logK MTQ3.11; dH MTQ3.11"),
    Reaction("H2VO4-", "VO2+ + 2 H2O = H2VO4- + 2 H+", -7.3, 0.0,
             f"{_ML} l.5136 Id 9033301; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("HVO4-2", "VO2+ + 2 H2O = HVO4-2 + 3 H+", -15.9, 0.0,
             f"{_ML} l.5128 Id 9033302; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("VO4-3", "VO2+ + 2 H2O = VO4-3 + 4 H+", -30.2, -25.0,
             f"{_ML} l.5120 Id 9033303; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("V2O7-4", "2 VO2+ + 3 H2O = V2O7-4 + 6 H+", -31.24, -28.0,
             f"{_ML} l.5152 Id 9030020; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("HV2O7-3", "2 VO2+ + 3 H2O = HV2O7-3 + 5 H+", -20.67, 0.0,
             f"{_ML} l.5160 Id 9030021; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("H3V2O7-", "2 VO2+ + 3 H2O = H3V2O7- + 3 H+", -3.79, 0.0,
             f"{_ML} l.5168 Id 9030022; logK MTQ3.11; dH MTQ3.11"),
    Reaction("V3O9-3", "3 VO2+ + 3 H2O = V3O9-3 + 6 H+", -15.88, 0.0,
             f"{_ML} l.5176 Id 9030023; logK MTQ3.11; dH MTQ3.11"),
    Reaction("V4O12-4", "4 VO2+ + 4 H2O = V4O12-4 + 8 H+", -20.56, -87.0,
             f"{_ML} l.5184 Id 9030024; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("V10O28-6", "10 VO2+ + 8 H2O = V10O28-6 + 16 H+", -24.0943, 0.0,
             f"{_ML} l.5192 Id 9030025; logK NIST46.4 (I=0.1, 20 C); dH MTQ3.11"),
    Reaction("HV10O28-5", "10 VO2+ + 8 H2O = HV10O28-5 + 15 H+", -15.9076, 90.0397,
             f"{_ML} l.5200 Id 9030026; logK NIST46.4 (I=0.1, 20 C); dH MTQ3.11"),
    Reaction("H2V10O28-4", "10 VO2+ + 8 H2O = H2V10O28-4 + 14 H+", -10.7, 0.0,
             f"{_ML} l.5208 Id 9030027; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("VO2SO4-", "VO2+ + SO4-2 = VO2SO4-", 1.378, 0.0,
             f"{_ML} l.3208 Id 9037320; logK NIST46.3 (I=1, 20 C); dH MTQ3.11"),
    Reaction("VO2NO3", "VO2+ + NO3- = VO2NO3", -0.296, 0.0,
             f"{_ML} l.3896 Id 9034920; logK NIST46.3 (I=1, 20 C); dH MTQ3.11"),
    # --- cobalt(II)
    Reaction("CoOH+", "Co+2 + H2O = CoOH+ + H+", -9.697, 0.0,
             f"{_ML} l.918 Id 2003300; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co(OH)2", "Co+2 + 2 H2O = Co(OH)2 + 2 H+", -18.794, 0.0,
             f"{_ML} l.926 Id 2003301; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co(OH)3-", "Co+2 + 3 H2O = Co(OH)3- + 3 H+", -31.491, 0.0,
             f"{_ML} l.934 Id 2003302; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co(OH)4-2", "Co+2 + 4 H2O = Co(OH)4-2 + 4 H+", -46.288, 0.0,
             f"{_ML} l.942 Id 2003303; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co2OH+3", "2 Co+2 + H2O = Co2OH+3 + H+", -10.997, 0.0,
             f"{_ML} l.950 Id 2003304; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co4(OH)4+4", "4 Co+2 + 4 H2O = Co4(OH)4+4 + 4 H+", -30.488, 0.0,
             f"{_ML} l.958 Id 2003306; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("CoOOH-", "Co+2 + 2 H2O = CoOOH- + 3 H+", -32.0915, 260.454,
             f"{_ML} l.966 Id 2003305; logK NIST2.1.1; dH MTQ3.11"),
    Reaction("CoSO4", "Co+2 + SO4-2 = CoSO4", 2.3, 6.2,
             f"{_ML} l.3088 Id 2007320; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("CoCl+", "Co+2 + Cl- = CoCl+", 0.539, 2.0,
             f"{_ML} l.2142 Id 2001800; logK NIST46.4 (I=0.5, 25 C); dH NIST46.4"),
    Reaction("CoNO3+", "Co+2 + NO3- = CoNO3+", 0.2, 0.0,
             f"{_ML} l.3840 Id 2004921; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Co(NO3)2", "Co+2 + 2 NO3- = Co(NO3)2", 0.5085, 0.0,
             f"{_ML} l.3848 Id 2004922; logK NIST46.4 (I=0.5, 25 C); dH MTQ3.11"),
    Reaction("CoCO3", "Co+2 + CO3-2 = CoCO3", 4.228, 0.0,
             f"{_ML} l.4744 Id 2001400; logK NIST46.4 (I=0.5, 25 C); dH MTQ3.11"),
    Reaction("CoHCO3+", "Co+2 + H+ + CO3-2 = CoHCO3+", 12.2199, 0.0,
             f"{_ML} l.4752 Id 2001401; logK NIST46.4 (I=0.7, 25 C); dH MTQ3.11"),
    Reaction("Co(NH3)+2", "Co+2 + NH4+ = Co(NH3)+2 + H+", -7.164, -65.0,
             f"{_ML} l.3496 Id 2004900; logK NIST46.4 (I=0.1, 25 C); dH NIST46.4"),
    Reaction("Co(NH3)2+2", "Co+2 + 2 NH4+ = Co(NH3)2+2 + 2 H+", -14.778, 0.0,
             f"{_ML} l.3504 Id 2004901; logK NIST46.4 (I=2, 25 C); dH MTQ3.11"),
    Reaction("Co(NH3)3+2", "Co+2 + 3 NH4+ = Co(NH3)3+2 + 3 H+", -22.922, 0.0,
             f"{_ML} l.3512 Id 2004902; logK NIST46.4 (I=2, 25 C); dH MTQ3.11"),
    Reaction("Co(NH3)4+2", "Co+2 + 4 NH4+ = Co(NH3)4+2 + 4 H+", -31.446, 0.0,
             f"{_ML} l.3520 Id 2004903; logK NIST46.4 (I=2, 30 C); dH MTQ3.11"),
    Reaction("Co(NH3)5+2", "Co+2 + 5 NH4+ = Co(NH3)5+2 + 5 H+", -40.47, 0.0,
             f"{_ML} l.3528 Id 2004904; logK NIST46.4 (I=2, 30 C); dH MTQ3.11"),
    # --- alkali metals
    Reaction("LiSO4-", "Li+ + SO4-2 = LiSO4-", 0.64, 0.0,
             f"{_ML} l.3256 Id 4407320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("NaSO4-", "Na+ + SO4-2 = NaSO4-", 0.73, 1.0,
             f"{_ML} l.3264 Id 5007320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("NaCO3-", "Na+ + CO3-2 = NaCO3-", 1.27, -20.35,
             f"{_ML} l.4872 Id 5001400; logK NIST46.3 (I=0, 25 C); dH NIST2.1.1"),
    Reaction("NaHCO3", "Na+ + H+ + CO3-2 = NaHCO3", 10.079, -28.3301,
             f"{_ML} l.4880 Id 5001401; logK NIST46.3 (I=0, 25 C); dH NIST2.1.1"),
    Reaction("KSO4-", "K+ + SO4-2 = KSO4-", 0.85, 4.1,
             f"{_ML} l.3272 Id 4107320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    # --- alkaline-earth metals
    Reaction("CaOH+", "Ca+2 + H2O = CaOH+ + H+", -12.697, 64.11,
             f"{_ML} l.1318 Id 1503300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CaSO4", "Ca+2 + SO4-2 = CaSO4", 2.36, 7.1,
             f"{_ML} l.3240 Id 1507320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CaHCO3+", "Ca+2 + H+ + CO3-2 = CaHCO3+", 11.599, 5.4,
             f"{_ML} l.4824 Id 1501400; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CaCO3", "CO3-2 + Ca+2 = CaCO3", 3.2, 16.0,
             f"{_ML} l.4832 Id 1501401; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CaNO3+", "Ca+2 + NO3- = CaNO3+", 0.5, -5.4,
             f"{_ML} l.3904 Id 1504921; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("CaNH3+2", "Ca+2 + NH4+ = CaNH3+2 + H+", -9.144, 0.0,
             f"{_ML} l.3640 Id 1504901; logK NIST46.4 (I=0.5, 25 C); dH MTQ3.11"),
    Reaction("Ca(NH3)2+2", "Ca+2 + 2 NH4+ = Ca(NH3)2+2 + 2 H+", -18.788, 0.0,
             f"{_ML} l.3648 Id 1504902; logK NIST46.4 (I=0.5, 25 C); dH MTQ3.11"),
    Reaction("MgOH+", "Mg+2 + H2O = MgOH+ + H+", -11.397, 67.81,
             f"{_ML} l.1310 Id 4603300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("MgSO4", "Mg+2 + SO4-2 = MgSO4", 2.26, 5.8,
             f"{_ML} l.3232 Id 4607320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("MgCO3", "Mg+2 + CO3-2 = MgCO3", 2.92, 12.0,
             f"{_ML} l.4808 Id 4601400; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("MgHCO3+", "Mg+2 + H+ + CO3-2 = MgHCO3+", 11.339, -10.6,
             f"{_ML} l.4816 Id 4601401; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    # --- manganese(II)
    Reaction("MnOH+", "Mn+2 + H2O = MnOH+ + H+", -10.597, 55.81,
             f"{_ML} l.1054 Id 4703300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Mn(OH)3-", "Mn+2 + 3 H2O = Mn(OH)3- + 3 H+", -34.8, 0.0,
             f"{_ML} l.1062 Id 4703301; logK MTQ3.11; dH MTQ3.11"),
    Reaction("Mn(OH)4-2", "Mn+2 + 4 H2O = Mn(OH)4-2 + 4 H+", -48.288, 0.0,
             f"{_ML} l.1070 Id 4703302; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("MnSO4", "Mn+2 + SO4-2 = MnSO4", 2.25, 8.7,
             f"{_ML} l.3120 Id 4707320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("MnCl+", "Mn+2 + Cl- = MnCl+", 0.1, 0.0,
             f"{_ML} l.2182 Id 4701800; logK NIST46.3 (I=0, 20 C); dH MTQ3.11"),
    Reaction("MnCl2", "Mn+2 + 2 Cl- = MnCl2", 0.25, 0.0,
             f"{_ML} l.2190 Id 4701801; logK Nord90 (I=0, 25 C); dH MTQ3.11"),
    Reaction("MnCl3-", "Mn+2 + 3 Cl- = MnCl3-", -0.31, 0.0,
             f"{_ML} l.2198 Id 4701802; logK Nord90 (I=0, 25 C); dH MTQ3.11"),
    Reaction("MnHCO3+", "Mn+2 + H+ + CO3-2 = MnHCO3+", 11.629, -10.6,
             f"{_ML} l.4768 Id 4701400; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("MnNO3+", "Mn+2 + NO3- = MnNO3+", 0.2, 0.0,
             f"{_ML} l.3864 Id 4704921; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Mn(NO3)2", "Mn+2 + 2 NO3- = Mn(NO3)2", 0.6, -1.6569,
             f"{_ML} l.3872 Id 4704920; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    # --- copper(II)
    Reaction("CuOH+", "Cu+2 + H2O = CuOH+ + H+", -7.497, 35.81,
             f"{_ML} l.838 Id 2313300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Cu(OH)2", "Cu+2 + 2 H2O = Cu(OH)2 + 2 H+", -16.194, 0.0,
             f"{_ML} l.846 Id 2313301; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Cu(OH)3-", "Cu+2 + 3 H2O = Cu(OH)3- + 3 H+", -26.879, 0.0,
             f"{_ML} l.854 Id 2313302; logK NIST46.3 (I=1, 25 C); dH MTQ3.11"),
    Reaction("Cu(OH)4-2", "Cu+2 + 4 H2O = Cu(OH)4-2 + 4 H+", -39.98, 0.0,
             f"{_ML} l.862 Id 2313303; logK NIST46.3 (I=1, 25 C); dH MTQ3.11"),
    Reaction("Cu2(OH)2+2", "2 Cu+2 + 2 H2O = Cu2(OH)2+2 + 2 H+", -10.594, 76.62,
             f"{_ML} l.870 Id 2313304; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CuSO4", "Cu+2 + SO4-2 = CuSO4", 2.36, 8.7,
             f"{_ML} l.3056 Id 2317320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CuCl+", "Cu+2 + Cl- = CuCl+", 0.2, 8.3,
             f"{_ML} l.2038 Id 2311800; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("CuCl2", "Cu+2 + 2 Cl- = CuCl2", -0.26, 44.183,
             f"{_ML} l.2046 Id 2311801; logK SCD3.02 (I=0, 25 C); dH MTQ3.11"),
    Reaction("CuCl3-", "Cu+2 + 3 Cl- = CuCl3-", -2.29, 57.279,
             f"{_ML} l.2054 Id 2311802; logK MTQ3.11; dH MTQ3.11"),
    Reaction("CuCl4-2", "Cu+2 + 4 Cl- = CuCl4-2", -4.59, 32.5515,
             f"{_ML} l.2062 Id 2311803; logK MTQ3.11; dH MTQ3.11"),
    Reaction("CuCO3", "Cu+2 + CO3-2 = CuCO3", 6.77, 0.0,
             f"{_ML} l.4704 Id 2311400; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("CuHCO3+", "Cu+2 + H+ + CO3-2 = CuHCO3+", 12.129, 0.0,
             f"{_ML} l.4712 Id 2311402; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Cu(CO3)2-2", "Cu+2 + 2 CO3-2 = Cu(CO3)2-2", 10.2, 0.0,
             f"{_ML} l.4720 Id 2311401; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("CuNO3+", "Cu+2 + NO3- = CuNO3+", 0.5, -4.1,
             f"{_ML} l.3792 Id 2314921; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    Reaction("Cu(NO3)2", "Cu+2 + 2 NO3- = Cu(NO3)2", -0.4, 0.0,
             f"{_ML} l.3800 Id 2314922; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("CuNH3+2", "Cu+2 + NH4+ = CuNH3+2 + H+", -5.234, -72.0,
             f"{_ML} l.3472 Id 2314901; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    # --- nickel(II)
    Reaction("NiOH+", "Ni+2 + H2O = NiOH+ + H+", -9.897, 51.81,
             f"{_ML} l.894 Id 5403300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Ni(OH)2", "Ni+2 + 2 H2O = Ni(OH)2 + 2 H+", -18.994, 0.0,
             f"{_ML} l.902 Id 5403301; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Ni(OH)3-", "Ni+2 + 3 H2O = Ni(OH)3- + 3 H+", -29.991, 0.0,
             f"{_ML} l.910 Id 5403302; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("NiSO4", "Ni+2 + SO4-2 = NiSO4", 2.3, 5.8,
             f"{_ML} l.3072 Id 5407320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Ni(SO4)2-2", "Ni+2 + 2 SO4-2 = Ni(SO4)2-2", 0.82, 0.0,
             f"{_ML} l.3080 Id 5407321; logK SCD3.02 (I=0, 25 C); dH MTQ3.11"),
    Reaction("NiCl+", "Ni+2 + Cl- = NiCl+", 0.408, 2.0,
             f"{_ML} l.2126 Id 5401800; logK NIST46.3 (I=1, 25 C); dH NIST46.3"),
    Reaction("NiCl2", "Ni+2 + 2 Cl- = NiCl2", -1.89, 0.0,
             f"{_ML} l.2134 Id 5401801; logK SCD3.02 (I=0, 25 C); dH MTQ3.11"),
    Reaction("NiCO3", "Ni+2 + CO3-2 = NiCO3", 4.5718, 0.0,
             f"{_ML} l.4728 Id 5401401; logK NIST46.3 (I=0.7, 25 C); dH MTQ3.11"),
    Reaction("NiHCO3+", "Ni+2 + H+ + CO3-2 = NiHCO3+", 12.4199, 0.0,
             f"{_ML} l.4736 Id 5401400; logK NIST46.3 (I=0.7, 25 C); dH MTQ3.11"),
    Reaction("NiNO3+", "Ni+2 + NO3- = NiNO3+", 0.4, 0.0,
             f"{_ML} l.3832 Id 5404921; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
    Reaction("NiNH3+2", "Ni+2 + NH4+ = NiNH3+2 + H+", -6.514, -67.0,
             f"{_ML} l.3480 Id 5404901; logK NIST46.4 (I=0.1, 25 C); dH NIST46.4"),
    Reaction("Ni(NH3)2+2", "Ni+2 + 2 NH4+ = Ni(NH3)2+2 + 2 H+", -13.598, -111.6,
             f"{_ML} l.3488 Id 5404902; logK NIST46.4 (I=0.1, 25 C); dH NIST46.4"),
    # --- aluminium
    Reaction("AlOH+2", "Al+3 + H2O = AlOH+2 + H+", -4.997, 47.81,
             f"{_ML} l.686 Id 303300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Al(OH)2+", "Al+3 + 2 H2O = Al(OH)2+ + 2 H+", -10.094, 0.0,
             f"{_ML} l.694 Id 303301; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Al(OH)3", "Al+3 + 3 H2O = Al(OH)3 + 3 H+", -16.791, 0.0,
             f"{_ML} l.702 Id 303303; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Al(OH)4-", "Al+3 + 4 H2O = Al(OH)4- + 4 H+", -22.688, 173.24,
             f"{_ML} l.710 Id 303302; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("AlSO4+", "Al+3 + SO4-2 = AlSO4+", 3.89, 28.0,
             f"{_ML} l.2992 Id 307320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Al(SO4)2-", "Al+3 + 2 SO4-2 = Al(SO4)2-", 4.92, 11.9,
             f"{_ML} l.3000 Id 307321; logK Nord90 (I=0, 25 C); dH Nord90"),
    # --- iron(III)
    Reaction("FeOH+2", "Fe+3 + H2O = FeOH+2 + H+", -2.187, 41.81,
             f"{_ML} l.1006 Id 2813300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Fe(OH)2+", "Fe+3 + 2 H2O = Fe(OH)2+ + 2 H+", -4.594, 0.0,
             f"{_ML} l.1014 Id 2813301; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Fe(OH)3", "Fe+3 + 3 H2O = Fe(OH)3 + 3 H+", -12.56, 103.8,
             f"{_ML} l.1022 Id 2813302; logK Nord90 (I=0, 25 C); dH Nord90"),
    Reaction("Fe(OH)4-", "Fe+3 + 4 H2O = Fe(OH)4- + 4 H+", -21.588, 0.0,
             f"{_ML} l.1030 Id 2813303; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("Fe2(OH)2+4", "2 Fe+3 + 2 H2O = Fe2(OH)2+4 + 2 H+", -2.854, 57.62,
             f"{_ML} l.1038 Id 2813304; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Fe3(OH)4+5", "3 Fe+3 + 4 H2O = Fe3(OH)4+5 + 4 H+", -6.288, 65.24,
             f"{_ML} l.1046 Id 2813305; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("FeSO4+", "Fe+3 + SO4-2 = FeSO4+", 4.05, 25.0,
             f"{_ML} l.3104 Id 2817320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Fe(SO4)2-", "Fe+3 + 2 SO4-2 = Fe(SO4)2-", 5.38, 19.2,
             f"{_ML} l.3112 Id 2817321; logK Nord90 (I=0, 25 C); dH Nord90"),
    Reaction("FeCl+2", "Fe+3 + Cl- = FeCl+2", 1.48, 23.0,
             f"{_ML} l.2158 Id 2811800; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("FeCl2+", "Fe+3 + 2 Cl- = FeCl2+", 2.13, 0.0,
             f"{_ML} l.2166 Id 2811801; logK NIST46.3 (I=0, 25 C); dH MTQ3.11"),
    Reaction("FeCl3", "Fe+3 + 3 Cl- = FeCl3", 1.13, 0.0,
             f"{_ML} l.2174 Id 2811802; logK Nord90 (I=0, 25 C); dH MTQ3.11"),
    Reaction("FeNO3+2", "Fe+3 + NO3- = FeNO3+2", 1.0, -37.0,
             f"{_ML} l.3856 Id 2814921; logK NIST46.4 (I=0, 25 C); dH NIST46.4"),
    # --- iron(II) (used with oxidation={"Fe": 2})
    Reaction("FeOH+", "Fe+2 + H2O = FeOH+ + H+", -9.397, 55.81,
             f"{_ML} l.982 Id 2803300; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Fe(OH)2", "Fe+2 + 2 H2O = Fe(OH)2 + 2 H+", -20.494, 119.62,
             f"{_ML} l.990 Id 2803302; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("Fe(OH)3-", "Fe+2 + 3 H2O = Fe(OH)3- + 3 H+", -28.991, 126.43,
             f"{_ML} l.998 Id 2803301; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("FeSO4", "Fe+2 + SO4-2 = FeSO4", 2.39, 8.0,
             f"{_ML} l.3096 Id 2807320; logK NIST46.3 (I=0, 25 C); dH NIST46.3"),
    Reaction("FeHCO3+", "Fe+2 + H+ + CO3-2 = FeHCO3+", 11.429, 0.0,
             f"{_ML} l.4760 Id 2801400; logK NIST46.4 (I=0, 25 C); dH MTQ3.11"),
)

# Solids for saturation indices: dissolution reactions, log Ksp at 25 °C, ΔH kJ/mol
# (minteq.v4.dat PHASES block; the line is the phase's name).
PHASES = (
    Reaction("Gypsum", "CaSO4:2H2O = Ca+2 + SO4-2 + 2 H2O", -4.61, 1.0, f"{_ML} l.11965"),
    Reaction("Calcite", "CaCO3 = Ca+2 + CO3-2", -8.48, -8.0, f"{_ML} l.11693"),
    Reaction("Portlandite", "Ca(OH)2 + 2 H+ = Ca+2 + 2 H2O", 22.804, -128.62, f"{_ML} l.11109"),
    Reaction("Brucite", "Mg(OH)2 + 2 H+ = Mg+2 + 2 H2O", 16.844, -113.996, f"{_ML} l.11093"),
    Reaction("Gibbsite", "Al(OH)3 + 3 H+ = Al+3 + 3 H2O", 8.291, -95.3952, f"{_ML} l.10877"),
    Reaction("Ferrihydrite", "Fe(OH)3 + 3 H+ = Fe+3 + 3 H2O", 3.191, -73.374, f"{_ML} l.10993"),
    Reaction("Co(OH)2", "Co(OH)2 + 2 H+ = Co+2 + 2 H2O", 13.094, 0.0, f"{_ML} l.10977"),
    Reaction("Ni(OH)2", "Ni(OH)2 + 2 H+ = Ni+2 + 2 H2O", 12.794, -95.96, f"{_ML} l.10965"),
)
