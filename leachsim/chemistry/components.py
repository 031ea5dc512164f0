"""Solution components of column and flowsheet scenarios: any element, plus the polyatomic
ions that sorbents exchange (hydroxide is the eluting ion of an anion exchanger in NaOH,
sulfate and carbonate compete for its sites).  Molar masses in kg/mol."""
from .elements import ATOMIC_MASS
from .formula import molar_mass

ION_CHARGE = {"OH": -1, "SO4": -2, "CO3": -2, "NO3": -1, "NH4": +1}
COMPONENT_MASS = {**ATOMIC_MASS, **{ion: molar_mass(ion) for ion in ION_CHARGE}}
