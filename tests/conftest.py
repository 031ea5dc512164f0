"""Shared fixtures.  The tests folder (not the repository root) goes on sys.path so that
test modules can import the independent reference implementations in ``tests/naive.py``;
the repository root stays off it, so a top-level ``kernels`` is never importable."""
import copy
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))
REPO = TESTS.parent
CONFIGS = REPO / "configs"

# One reacting phase, one size class, one reagent: the smallest complete scenario.
MINIMAL = {
    "schema_version": 1,
    "meta": {"name": "minimal", "targets": ["Ca"]},
    "solid": {
        "density": "3000 kg/m^3",
        "size": {"distribution": "monodisperse", "diameter": "100 um"},
        "phases": [
            {"name": "lime", "mineral": "lime", "mass_fraction": 0.5,
             "consumes": {"H2SO4": 1.0},
             "kinetics": {"control": "reaction",
                          "reaction": {"k": "1e-6 m/s", "Ea": "40 kJ/mol", "T_ref": "25 degC",
                                       "orders": {"H2SO4": 1}}}},
            {"name": "quartz", "mineral": "quartz", "mass_fraction": 0.5},
        ],
    },
    "leach": {
        "type": "batch", "temperature": "25 degC", "solid_liquid_ratio": "50 g/L",
        "volume": "1 L", "duration": "2 h", "outputs": 25,
        "leachant": {"H2SO4": "0.5 mol/L"},
    },
}


@pytest.fixture
def minimal():
    """A fresh, deep-copied minimal scenario table (edit freely)."""
    return copy.deepcopy(MINIMAL)
