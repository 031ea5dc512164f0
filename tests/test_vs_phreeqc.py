"""leachsim's speciation against PHREEQC (optional: skipped without ``phreeqpython``).

PHREEQC runs on a database written from leachsim's own species table with no ion-size
parameters, so both codes use the Davies equation: the comparison checks the solver, the
mass-action bookkeeping, the activity and water-activity terms, and Kw(T), independently.
"""
import sys
from pathlib import Path

import pytest

pytest.importorskip("phreeqpython")

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import vs_phreeqc  # noqa: E402


@pytest.fixture(scope="module")
def phreeqc():
    from phreeqpython import PhreeqPython
    return vs_phreeqc.new_phreeqc(PhreeqPython, vs_phreeqc.database_text())


@pytest.mark.parametrize("temperature", [298.15, 333.15])
@pytest.mark.parametrize("name", list(vs_phreeqc.LEACHATES))
def test_agrees_with_phreeqc_on_leachates(phreeqc, name, temperature):
    """I < 0.1 mol/kg: pH within 0.002, every species share within 0.002 (absolute)."""
    result = vs_phreeqc.compare(phreeqc, name, vs_phreeqc.LEACHATES[name], temperature)
    ours_ph, phreeqc_ph = result["pH"]
    assert result["I"][0] < 0.1
    assert ours_ph == pytest.approx(phreeqc_ph, abs=2e-3)
    assert result["I"][0] == pytest.approx(result["I"][1], rel=1e-3)
    for element, shares in result["fractions"].items():
        for species, (ours, theirs) in shares.items():
            assert ours == pytest.approx(theirs, abs=2e-3), (element, species)
