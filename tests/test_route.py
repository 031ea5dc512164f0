"""Recovery routes: stage arithmetic, chemistry-driven uptake, published end points of the
shipped routes, mass balance over the whole route, and bad routes rejected before computing."""
import copy
import dataclasses
import math

import numpy as np
import pytest

import leachsim
from leachsim.chemistry import COMPONENT_MASS
from leachsim.chemistry.speciation import adjust_ph, speciate
from leachsim.config import ConfigError
from leachsim.flowsheet.cycle import conditional, distribution_ratio
from leachsim.flowsheet.scenario import Separation, parse_route_scenario
from leachsim.flowsheet.stages import separate

from conftest import CONFIGS

ROUTES = sorted(CONFIGS.glob("route_*.toml"))


def _raw(name):
    """A route file as a dict with its base leach merged in (as load_scenario does)."""
    from leachsim.config.scenario import _read_toml

    path = CONFIGS / f"{name}.toml"
    return _read_toml(path, (path.resolve(),))


@pytest.fixture(scope="module")
def runs():
    """Each shipped route run once (module scope: the column runs dominate the time)."""
    return {p.stem: leachsim.run(leachsim.load_scenario(p)) for p in ROUTES}


# -- stage arithmetic --------------------------------------------------------------------------
def test_separation_reslurry_washing_closed_form():
    """n ideal reslurry stages at wash ratio R leave (1 + R)^-n of the cake liquor's solute."""
    sep = Separation(entrained_liquor=0.4e-3, wash_ratio=2.0, wash_stages=3, reprecipitated={"Ca": 0.5})
    out = separate(sep, leachate_volume=5.0, dissolved={"V": 10.0, "Ca": 8.0})
    f = 3.0 ** -3
    assert out.entrained_loss["V"] == pytest.approx(10.0 * f * 0.4 / 5.0, rel=1e-14)
    assert out.recovered["V"] + out.entrained_loss["V"] == pytest.approx(10.0, rel=1e-15)
    assert out.reprecipitated["Ca"] == pytest.approx(4.0)
    assert out.recovered["Ca"] == pytest.approx(4.0 * (1 - f * 0.4 / 5.0), rel=1e-14)
    assert out.volume == pytest.approx(5.0 - 0.4 + 3 * 2.0 * 0.4)
    assert out.wash_water == pytest.approx(2.4)


def test_anion_exchanger_sees_less_vanadium_at_the_wrong_ph():
    """At pH 11.5 V(V) is all vanadate anions; at pH 1.5 in chloride most of it is the cation
    VO2+, so the conditional affinity of an anion exchanger, and its distribution ratio from
    a 0.5 M chloride background, collapse."""
    sc = leachsim.load_scenario(CONFIGS / "route_bof_slag_vanadium_sba.toml")
    totals = {"V": 3.0, "Na": 500.0, "Cl": 500.0}
    kd = {}
    for pH in (11.5, 1.5):
        reagent = "NaOH" if pH > speciate(totals).pH else "HCl"
        spec = adjust_ph(totals, pH, reagent).speciation
        alpha = spec.charge_fraction("V", -1)
        column = dataclasses.replace(sc.column, parameters=conditional(sc.column, {"V": alpha}))
        feed = {"Cl": spec.totals["Cl"], "V": 3.0, "SO4": 0.0, "CO3": 0.0, "OH": spec["OH-"]}
        kd[pH] = (alpha, distribution_ratio(column, feed)["V"])
    assert kd[11.5][0] > 0.999
    assert kd[1.5][0] < 0.2
    assert kd[1.5][1] < 0.1 * kd[11.5][1]


def test_conditional_constants_scale_by_available_fraction():
    sc = leachsim.load_scenario(CONFIGS / "route_cu_co_tailings_cobalt_ida.toml")
    par = conditional(sc.column, {"Co": 0.25, "H": 0.5})
    assert par["Co"]["K"] == pytest.approx(0.25 * sc.column.parameters["Co"]["K"])
    assert par["H"]["K"] == sc.column.parameters["H"]["K"]  # protons are given as free H+
    assert par["Cu"]["K"] == sc.column.parameters["Cu"]["K"]


def test_biosorbent_holds_the_thomas_capacity_of_case_d():
    """Case D (reference file): spent peppermint tea holds q0 = 59.7 mg/g in equilibrium with
    100 mg/L Co(II) at pH 6."""
    sc = leachsim.load_scenario(CONFIGS / "route_cu_co_tailings_cobalt_biosorbent.toml")
    col = sc.column
    c_co = 100e-3 / COMPONENT_MASS["Co"]  # mol/m^3
    kd = distribution_ratio(col, {"H": 1e-3, "Co": c_co, "Ca": 0.0, "Mg": 0.0})["Co"]
    skeleton = col.sorbent_density  # no pores in the lumped-rate bed: kg per m^3 of solid
    q_mg_g = kd * c_co / skeleton * COMPONENT_MASS["Co"] * 1e3
    assert q_mg_g == pytest.approx(59.7, abs=3.0)


# -- shipped routes --------------------------------------------------------------------------
@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.stem)
def test_route_closes_its_mass_balance_and_yields_multiply(runs, path):
    res = runs[path.stem]
    assert res.scalar("mass_balance_error_max") < 1e-6
    y = res["stage_yield"]
    fate = res["fate"]
    for i, m in enumerate(res.coords["metal"]):
        assert fate[i].sum() == pytest.approx(fate[i].sum(), rel=1e-12)
        assert (fate[i] >= -1e-9 * fate[i].sum()).all(), (m, fate[i])
        if np.isfinite(y[i, 2]) and np.isfinite(y[i, 3]):
            assert y[i, 4] == pytest.approx(y[i, 1] * y[i, 2] * y[i, 3], rel=1e-9)
    assert (res["cycle_closure"] < 1e-6).all()
    for t in res.coords["target"]:
        assert 0.0 < res.scalar(f"overall_yield_{t}") <= 1.0


# (route, metal, stage, reported value, tolerance, source)
PUBLISHED = [
    ("route_cu_co_tailings_cobalt_ida", "Co", "leach", 0.90, 0.05, "Seo et al. 2013"),
    ("route_cu_co_tailings_cobalt_ida", "Co", "eluted", 0.98, 0.05,
     "~98 % Co stripped by strong acid (Hindawi AMSE 2019, 3430176)"),
    ("route_bof_slag_vanadium_sba", "V", "eluted", 0.69, 0.05,
     "Gomes et al. 2017: 2 M NaOH recovers 57-72 %, mean 69 %"),
    ("route_lepidolite_lithium_hto", "Li", "leach", 0.9418, 0.05, "Liu et al. 2019"),
    ("route_lepidolite_lithium_hto", "Li", "eluted", 0.92, 0.08,
     "Miyai et al. 1994: > 92 % eluted by 0.5 N HCl"),
]


@pytest.mark.parametrize("name,metal,stage,value,tol,source", PUBLISHED,
                         ids=[f"{n}-{m}-{s}" for n, m, s, *_ in PUBLISHED])
def test_route_reproduces_published_figure(runs, name, metal, stage, value, tol, source):
    res = runs[name]
    got = res["stage_yield"][res.coords["metal"].index(metal), res.coords["stage"].index(stage)]
    assert got == pytest.approx(value, abs=tol), source


def test_vanadium_capacity_stays_under_the_langmuir_maximum(runs):
    """Gomes et al. 2017: q_max 27 mg V/g at pH 11.5; the bed at the load stop holds less."""
    res = runs["route_bof_slag_vanadium_sba"]
    sc = leachsim.load_scenario(CONFIGS / "route_bof_slag_vanadium_sba.toml")
    k = res.coords["component"].index("V")
    feed = res["column_feed"][k]
    loaded = res["stage_yield"][res.coords["metal"].index("V"), 2] * feed * \
        res.scalar("load_stop_bed_volumes") * sc.column.bed_volume  # mol captured per cycle
    mass = sc.column.bed_volume * (1 - sc.column.bed_porosity) * sc.column.sorbent_density
    q = loaded * COMPONENT_MASS["V"] * 1e3 / mass  # mg/g
    assert 5.0 < q < 27.0


def test_lead_lag_captures_more_than_one_bed(runs):
    """Two beds in series, stopped on the lag's breakthrough, capture the cobalt that one bed
    would let through."""
    res = runs["route_cu_co_tailings_cobalt_ida"]
    i = res.coords["metal"].index("Co")
    assert res["stage_yield"][i, 2] > 0.99


def test_route_results_round_trip_and_figure(runs, tmp_path):
    from leachsim.plotting import figures

    res = runs["route_lepidolite_lithium_hto"]
    leachsim.save(res, tmp_path / "r.h5")
    back = leachsim.load(tmp_path / "r.h5")
    assert np.array_equal(back["fate"], res["fate"])
    assert back.scalar("overall_yield_Li") == res.scalar("overall_yield_Li")
    fig = figures(back)["route"]
    bars = fig.subfigs[0].axes[0]
    leached = (res["stage_yield"][:, 0] > 0).sum()  # Li, K, Al, Rb, Cs (albite's Na: none)
    assert leached == 5
    assert len(bars.patches) == leached * len(res.coords["stage"])
    assert {line.get_gid() for line in fig.subfigs[1].axes[1].lines} >= {"cycle:Li"}


# -- bad routes ------------------------------------------------------------------------------
def _issues(raw):
    with pytest.raises(ConfigError) as exc:
        parse_route_scenario(raw, "route.toml")
    return {i.path: i.message for i in exc.value.issues}


def test_stop_on_a_metal_that_is_not_fed():
    raw = _raw("route_lepidolite_lithium_hto")
    raw["sorbent"]["parameters"]["Co"] = copy.deepcopy(raw["sorbent"]["parameters"]["K"])
    raw["cycle"]["load"]["stop"] = {"component": "Co", "breakthrough": 0.1}
    issues = _issues(raw)
    assert "not fed" in issues["cycle.load.stop.component"]


def test_eluant_the_binding_model_does_not_know():
    raw = _raw("route_lepidolite_lithium_hto")
    raw["cycle"]["steps"][1]["reagent"] = "NaOH"  # Na+ and OH-: the sieve lists neither
    issues = _issues(raw)
    assert "none of which the binding model knows" in issues["cycle.steps[1].reagent"]


def test_route_errors_are_collected_with_paths():
    raw = _raw("route_cu_co_tailings_cobalt_ida")
    raw["conditioning"]["reagent"] = "lime"
    raw["cycle"]["load"]["stop"] = {"component": "Co", "breakthrough": 1.5}
    raw["cycle"]["steps"][1]["collect"] = False
    raw["separation"]["wash_ratoi"] = 2
    issues = _issues(raw)
    assert "conditioning.reagent" in issues and "NaOH" in issues["conditioning.reagent"]
    assert "cycle.load.stop.breakthrough" in issues
    assert "cycle.steps" in issues
    assert "did you mean 'wash_ratio'" in issues["separation.wash_ratoi"]


def test_a_column_that_would_never_load_is_refused_before_the_column_runs(monkeypatch):
    """Co on the IDA resin at pH 1.5: protons hold the sites; the run stops with the path."""
    from leachsim.flowsheet import cycle

    def no_column(*a, **k):
        raise AssertionError("the column must not run")

    monkeypatch.setattr(cycle, "run_column", no_column)
    raw = _raw("route_cu_co_tailings_cobalt_ida")
    raw["conditioning"]["pH"] = 1.5
    raw["conditioning"]["reagent"] = "NaOH"
    raw["conditioning"]["remove"] = {}
    sc = parse_route_scenario(raw, "route.toml")
    with pytest.raises(ConfigError) as exc:
        leachsim.run(sc)
    assert exc.value.issues[0].path == "sorbent.parameters.Co"
    assert "would never load" in exc.value.issues[0].message


def test_cli_runs_a_route(tmp_path):
    from leachsim.cli import main

    out = tmp_path / "route.h5"
    assert main(["run", str(CONFIGS / "route_lepidolite_lithium_hto.toml"), "-o", str(out),
                 "-q"]) == 0
    assert out.exists()
    assert main(["check", str(CONFIGS / "route_bof_slag_vanadium_sba.toml")]) == 0


def test_resource_potential_uses_the_simulated_yield(runs):
    res = runs["route_bof_slag_vanadium_sba"]
    raw = _raw("route_bof_slag_vanadium_sba")
    assert raw["resource"]["inventory"] == "190 Mt"
    expected = 190e9 * 0.0047 * res.scalar("overall_yield_V")
    assert res.scalar("resource_recoverable_V") == pytest.approx(expected, rel=1e-12)
    assert res.scalar("resource_import_years_V") == pytest.approx(expected / 8.3e6, rel=1e-12)
    assert math.isfinite(res.scalar("resource_value_V"))


def test_leachate_ph_follows_from_the_leachate(runs):
    """No pH is given for the leachate: it follows from electroneutrality of what the leach
    left in solution (0.36 M H2SO4 partly consumed: strongly acid; Na2CO3 leach: alkaline),
    and the conditioning reaches its target."""
    co = runs["route_cu_co_tailings_cobalt_ida"]
    v = runs["route_bof_slag_vanadium_sba"]
    assert co.scalar("leachate_pH") < 1.5 and v.scalar("leachate_pH") > 12.5
    assert co.scalar("feed_pH") == pytest.approx(4.5, abs=1e-6)
    assert v.scalar("feed_pH") == pytest.approx(11.5, abs=1e-6)
    assert speciate({"SO4": 360.0}).pH < co.scalar("leachate_pH")


def test_an_unreachable_ph_target_names_the_path():
    raw = _raw("route_lepidolite_lithium_hto")
    raw["conditioning"]["reagent"] = "HCl"  # an acid cannot raise pH 1 to 9
    sc = parse_route_scenario(raw, "route.toml")
    with pytest.raises(ConfigError) as exc:
        leachsim.run(sc)
    issue = exc.value.issues[0]
    assert issue.path == "conditioning.pH" and "HCl" in issue.message


def test_a_route_may_start_from_a_tank_cascade():
    """The same route with the leach as a 4-tank continuous cascade: per-tonne figures come
    from the cascade's flows (mol/s and kg/s), and the balance still closes."""
    raw = _raw("route_lepidolite_lithium_hto")
    raw["leach"] = {"type": "cascade", "temperature": "411 K", "liquid_solid_ratio": "2.5 mL/g",
                    "tanks": 4, "residence_time": "2.5 h", "solids_feed": "10 t/h",
                    "leachant": raw["leach"]["leachant"]}
    batch = leachsim.run(parse_route_scenario(_raw("route_lepidolite_lithium_hto"), "b.toml"))
    res = leachsim.run(parse_route_scenario(raw, "route.toml"))
    assert res.scalar("mass_balance_error_max") < 1e-6
    i = res.coords["metal"].index("Li")
    # same liquid per tonne; a cascade of the same total time extracts less than the batch
    assert res.scalar("leachate_volume") == pytest.approx(batch.scalar("leachate_volume"))
    assert 0.5 < res["stage_yield"][i, 0] < batch["stage_yield"][i, 0]
