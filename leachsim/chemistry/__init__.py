"""Elements, chemical formulas, and the named phases and reagents of scenario files."""
from .elements import ATOMIC_MASS, NON_METALS
from .components import COMPONENT_MASS, ION_CHARGE
from .formula import FormulaError, composition, molar_mass
from .minerals import MINERALS, REAGENTS

__all__ = ["ATOMIC_MASS", "COMPONENT_MASS", "ION_CHARGE", "NON_METALS", "FormulaError", "composition", "molar_mass",
           "MINERALS", "REAGENTS"]
