"""Bad scenarios stop before any computing, with one message listing every problem."""
import pytest

import leachsim
from leachsim.config import ConfigError
from leachsim.units import UnitError, to_si, MOLAR_ENERGY, TEMPERATURE, LENGTH


def problems(raw):
    with pytest.raises(ConfigError) as info:
        leachsim.parse_scenario(raw)
    return info.value.issues, str(info.value)


def test_minimal_scenario_is_valid(minimal):
    sc = leachsim.parse_scenario(minimal)
    assert sc.leach.temperature == pytest.approx(298.15)
    assert sc.leach.solid_liquid_ratio == pytest.approx(50.0)  # 50 g/L = 50 kg/m3
    assert sc.leach.leachant.concentrations["H2SO4"] == pytest.approx(500.0)  # mol/m3
    assert sc.solid.size.diameters == pytest.approx((100e-6,), rel=1e-12)


def test_every_problem_reported_at_once_with_paths(minimal):
    minimal["leach"]["solid_liquid_ratio"] = -5.0
    minimal["solid"]["phases"][1]["mass_fraction"] = 0.3       # 0.5 + 0.3 != 1
    minimal["solid"]["phases"][0]["mineral"] = "limestonee"    # unknown phase
    minimal["solid"]["phases"][0]["kinetics"]["reaction"]["Ea"] = "40 kJ"  # wrong units
    minimal["leach"]["temprature"] = "30 degC"                # misspelled key
    minimal["meta"]["targets"] = ["Co"]                        # metal in no phase
    issues, text = problems(minimal)
    by_path = {i.path: i.message for i in issues}
    assert "-5.0" in by_path["leach.solid_liquid_ratio"] and "> 0" in by_path[
        "leach.solid_liquid_ratio"]
    assert "unknown phase 'limestonee'" in by_path["solid.phases[0].mineral"]
    assert "'kJ'" in by_path["solid.phases[0].kinetics.reaction.Ea"]
    assert "expected m^2 kg/s^2/mol" in by_path["solid.phases[0].kinetics.reaction.Ea"]
    assert "did you mean 'temperature'" in by_path["leach.temprature"]
    assert "add up to 0.8" in by_path["solid.phases"]
    assert text.startswith("scenario: 5 problems found")
    # targets are checked against the phases once every phase is readable
    minimal["solid"]["phases"][0]["mineral"] = "lime"
    minimal["solid"]["phases"][0]["kinetics"]["reaction"]["Ea"] = "40 kJ/mol"
    issues, _ = problems(minimal)
    by_path = {i.path: i.message for i in issues}
    assert "metal 'Co' is in no phase" in by_path["meta.targets[0]"]


def test_unknown_metal_and_reagent(minimal):
    minimal["solid"]["phases"][0]["trace"] = {"Vx": "1 wt%"}
    minimal["solid"]["phases"][0]["consumes"] = {"H2SO5x": 1.0}
    issues, _ = problems(minimal)
    paths = {i.path: i.message for i in issues}
    assert "unknown metal 'Vx'" in paths["solid.phases[0].trace.Vx"]
    assert "not a reagent of leach.leachant" in paths["solid.phases[0].consumes.H2SO5x"]


def test_control_needs_its_mechanism(minimal):
    kin = minimal["solid"]["phases"][0]["kinetics"]
    kin["control"] = "ash"
    issues, _ = problems(minimal)
    paths = {i.path: i.message for i in issues}
    assert "missing (required for control = 'ash')" in paths["solid.phases[0].kinetics.ash"]
    assert "control = 'mixed'" in paths["solid.phases[0].kinetics.reaction"]


def test_consumption_without_rate_dependence_is_refused(minimal):
    reaction = minimal["solid"]["phases"][0]["kinetics"]["reaction"]
    reaction["orders"] = {"H2SO4": 0}
    reaction["k"] = "1e-3 mol m^-2 s^-1"  # zero order: k in mol m^-2 s^-1
    issues, _ = problems(minimal)
    assert any("rate does not depend on it" in i.message for i in issues)
    minimal["leach"]["leachant"]["top_up"] = ["H2SO4"]  # held constant: fine
    leachsim.parse_scenario(minimal)


def test_cascade_keys_checked(minimal):
    minimal["leach"] = {"type": "cascade", "temperature": "25 degC",
                        "solid_liquid_ratio": "50 g/L", "tanks": 3,
                        "residence_time": ["1 h", "1 h"], "leachant": {"H2SO4": "0.5 M"}}
    issues, _ = problems(minimal)
    assert any(i.path == "leach.residence_time" and "2 values for 3 tanks" in i.message
               for i in issues)


def test_with_value_revalidates(minimal):
    sc = leachsim.parse_scenario(minimal)
    hot = sc.with_value("leach.temperature", "80 degC")
    assert hot.leach.temperature == pytest.approx(353.15)
    named = sc.with_value("solid.phases[lime].mass_fraction", 0.5)
    assert named.solid.phases[0].mass_fraction == 0.5
    with pytest.raises(ConfigError, match="leach.temperature"):
        sc.with_value("leach.temperature", "80 kg")


@pytest.mark.parametrize("text,dims,si", [
    ("150 um", LENGTH, 150e-6), ("60 degC", TEMPERATURE, 333.15),
    ("45 kJ/mol", MOLAR_ENERGY, 45e3), ("8 kcal/mol", MOLAR_ENERGY, 8 * 4184.0),
])
def test_units_to_si(text, dims, si):
    assert to_si(text, dims) == pytest.approx(si, rel=1e-12)


def test_unit_errors_are_specific():
    with pytest.raises(UnitError, match="unknown unit 'furlong'"):
        to_si("3 furlong", LENGTH)
    with pytest.raises(UnitError, match="'degC' can only stand alone"):
        to_si("3 degC/s", TEMPERATURE)
