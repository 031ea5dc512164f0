"""What the reagents of a route put into solution, as solution components.

``SOLUTION_IONS[reagent]`` gives, per mol of reagent dissolved, the mol of each component a
column sees (strong electrolytes taken as fully dissociated; H is the free proton, OH the
hydroxide).  ``LEACHATE_IONS[reagent]`` splits a leachant's ions into those that stay in the
leachate however much reagent the solids consume (the anion of an acid stays as the metal's
counter-ion: sulfate of H2SO4), and those that leave with what the reagent is consumed to form
(the carbonate of Na2CO3 leaves as CaCO3): ``(kept, consumed_with_solid)``.
"""
from __future__ import annotations

SOLUTION_IONS: dict[str, dict[str, float]] = {
    "H2SO4": {"H": 2.0, "SO4": 1.0},
    "HCl": {"H": 1.0, "Cl": 1.0},
    "HNO3": {"H": 1.0, "NO3": 1.0},
    "NaOH": {"Na": 1.0, "OH": 1.0},
    "KOH": {"K": 1.0, "OH": 1.0},
    "NaCl": {"Na": 1.0, "Cl": 1.0},
    "KCl": {"K": 1.0, "Cl": 1.0},
    "Na2SO4": {"Na": 2.0, "SO4": 1.0},
    "Na2CO3": {"Na": 2.0, "CO3": 1.0},
    "NH4Cl": {"NH4": 1.0, "Cl": 1.0},
}

LEACHATE_IONS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "H2SO4": ({"SO4": 1.0}, {}),
    "HCl": ({"Cl": 1.0}, {}),
    "HNO3": ({"NO3": 1.0}, {}),
    "NaOH": ({"Na": 1.0}, {}),
    "Na2CO3": ({"Na": 2.0}, {"CO3": 1.0}),
    "NaHCO3": ({"Na": 1.0}, {"CO3": 1.0}),
    "SO2": ({"SO4": 1.0}, {}),        # oxidised to sulfate by what it reduces
    "Na2S2O5": ({"Na": 2.0, "SO4": 2.0}, {}),
    "H2O2": ({}, {}),
}
