"""Run a route: leach, separate, condition, column cycle, product; yields and balances.

Basis: one tonne of dry feed.  Every metal of the leach is followed to one destination:

    initial = unleached + reprecipitated + entrained + precipitated (conditioning)
              + separated (an unmodelled separation, if given) + raffinate + step effluents (wash, regenerate) + eluate + left on the resin

and the closure |sum - initial| / initial is reported per metal.  The column cycle is
scaled to the tonne by the number of cycles that treat the conditioned leachate,
``cycles = feed volume / load volume per cycle``.
"""
from __future__ import annotations

import numpy as np

from ..chemistry import COMPONENT_MASS, REAGENTS, molar_mass
from ..chemistry.speciation import COMPONENTS as SPECIATION_COMPONENTS
from ..leaching.simulate import run_leach
from ..results import Results, Variable
from ..results.provenance import provenance
from .cycle import run_cycle
from .reagents import LEACHATE_IONS
from .scenario import RouteScenario, bind_sign
from .stages import availability, condition, separate

STAGES = ("leach", "to_column", "captured", "eluted", "overall")
FATES = ("unleached", "reprecipitated", "entrained", "precipitated", "separated",
         "raffinate", "step_effluents", "eluate", "resin")


def _leachate(leach: Results, per_t: float, volume: float):
    """Dissolved metals (mol/t) and the leachate's solution components (mol/m^3)."""
    metals = leach.coords["metal"]
    dissolved = {m: float(leach.select("dissolved", element=m)[-1]) * per_t for m in metals}
    totals = {m: n / volume for m, n in dissolved.items() if m in SPECIATION_COMPONENTS}
    for r in leach.coords["reagent"]:
        kept, consumed_with_solid = LEACHATE_IONS.get(r, ({}, {}))
        c_end = float(leach.select("reagent_concentration", reagent=r)[-1])
        used = float(leach.select("reagent_consumed", reagent=r)[-1]) * per_t / volume
        for ion, nu in kept.items():
            totals[ion] = totals.get(ion, 0.0) + nu * (c_end + used)
        for ion, nu in consumed_with_solid.items():
            totals[ion] = totals.get(ion, 0.0) + nu * c_end
    return dissolved, totals


def _column_feed(sc: RouteScenario, totals: dict, spec) -> tuple[dict, dict]:
    """Column feed (mol/m^3) and each component's available fraction."""
    sign = bind_sign(sc)
    feed, alpha = {}, {}
    for c in sc.sorbed:
        if c == "H":
            feed[c] = spec["H+"]
        elif c == "OH":
            feed[c] = spec["OH-"]
        else:
            feed[c] = totals.get(c, 0.0)
            if c in SPECIATION_COMPONENTS and feed[c] > 0:
                alpha[c] = availability(spec, c, sign)
    return feed, alpha


def run_route(sc: RouteScenario) -> Results:
    """Simulate the whole route of ``sc`` for one tonne of dry feed."""
    leach = run_leach(sc.leach)
    per_t = 1e3 / leach.scalar("solid_basis")
    v_leach = leach.scalar("liquid_basis") * per_t  # m^3/t
    metals = list(leach.coords["metal"])
    initial = {m: float(leach.select("element_initial", element=m)) * per_t for m in metals}
    dissolved, totals = _leachate(leach, per_t, v_leach)
    sep = separate(sc.separation, v_leach, dissolved)
    # filtrate totals: metals as recovered, reagent ions diluted by the wash water
    pls = {k: v * v_leach / sep.volume for k, v in totals.items()}
    for m in metals:
        if m in pls:
            pls[m] = sep.recovered[m] / sep.volume
    T = sc.leach.leach.temperature
    cond = condition(sc.conditioning, sep.volume, pls, T if sc.conditioning.pH is None
                     else 298.15, sc.source)
    fed_per_t = {m: sep.recovered[m] - cond.separated.get(m, 0.0)
                 - cond.precipitated.get(m, 0.0) for m in metals}
    feed, alpha = _column_feed(sc, cond.totals, cond.speciation)
    cyc = run_cycle(sc, feed, alpha)
    comps = list(cyc.components)
    collect = np.array([s.collect for s in sc.cycle.steps], bool)
    cycles = cond.volume / cyc.load_volume  # cycles per tonne
    fate = np.zeros((len(metals), len(FATES)))
    for i, m in enumerate(metals):
        d = fate[i]
        d[0] = initial[m] - dissolved[m]
        d[1] = sep.reprecipitated[m]
        d[2] = sep.entrained_loss[m]
        d[3] = cond.precipitated.get(m, 0.0)
        d[4] = cond.separated.get(m, 0.0)
        n_feed = fed_per_t[m]
        if m in comps:
            k = comps.index(m)
            fed = cyc.fed[k]
            scale = n_feed / fed if fed > 0 else 0.0
            lead_fate = np.array([cyc.step_out[~collect, k].sum(), cyc.step_out[collect, k].sum(),
                                  cyc.resin_final[k]])
            share = lead_fate / lead_fate.sum() if lead_fate.sum() > 0 else np.zeros(3)
            d[5] = cyc.raffinate[k] * scale
            d[6:9] = (lead_fate + share * cyc.lag_held[k]) * scale
        else:
            d[5] = n_feed
    init = np.array([initial[m] for m in metals])
    with np.errstate(invalid="ignore", divide="ignore"):
        closure = np.abs(fate.sum(1) - init) / init
        fed_col = np.array([fed_per_t[m] for m in metals])
        leach_x = 1.0 - fate[:, 0] / init
        to_col = fed_col / init
        captured = np.where(fed_col > 0, 1.0 - fate[:, 5] / fed_col, np.nan)
        cap_amt = fed_col - fate[:, 5]
        eluted = np.where(cap_amt > 0, fate[:, 7] / cap_amt, np.nan)
        overall = fate[:, 7] / init
    yields = np.stack([leach_x, to_col, captured, eluted, overall], axis=1)
    # product
    v_eluate = sum(s.volume for s, c in zip(sc.cycle.steps, collect) if c) * cycles  # m^3/t
    mass = np.array([COMPONENT_MASS[m] for m in metals]) * fate[:, 7]  # kg/t in the eluate
    conc_eluate = fate[:, 7] / v_eluate
    c_feed = fed_col / cond.volume
    with np.errstate(invalid="ignore", divide="ignore"):
        purity = mass / mass.sum()
        factor = np.where(c_feed > 0, conc_eluate / c_feed, np.nan)
    # reagents and water: name -> (amount, unit, reagent priced or None, what it is)
    use: dict[str, tuple[float, str, str | None, str]] = {}
    for r in leach.coords["reagent"]:
        c0 = sc.leach.leach.leachant.concentrations[r]
        use[f"leachant_{r}"] = (c0 * v_leach * molar_mass(REAGENTS[r]), "kg/t", r,
                                f"leachant {r} charged")
        use[f"leachant_{r}_consumed"] = (
            float(leach.select("reagent_consumption", reagent=r)[-1]), "kg/t", None,
            f"leachant {r} consumed by the solids (part of the charge)")
    if sc.conditioning.reagent:
        r = sc.conditioning.reagent
        use[f"ph_reagent_{r}"] = (cond.reagent_mass, "kg/t", r, f"pH reagent {r}")
    for st, c in zip(sc.cycle.steps, collect):
        if st.reagent:
            use[f"{st.name}_{st.reagent}"] = (
                st.concentration * st.volume * cycles * molar_mass(st.reagent), "kg/t",
                st.reagent, f"{'eluant' if c else 'reagent'} {st.reagent} ({st.name} step)")
    use["water_cake_wash"] = (sep.wash_water, "m^3/t", None, "cake wash water")
    use["water_dilution"] = (cond.dilution_water, "m^3/t", None, "dilution water")
    use["water_column_steps"] = (sum(s.volume for s in sc.cycle.steps) * cycles, "m^3/t", None,
                                 "water of the column steps' solutions")
    value, missing = _value(sc, metals, mass, use)
    return _results(sc, leach, metals, fate, closure, yields, conc_eluate, purity, factor,
                    v_eluate, cond, sep, cyc, cycles, use, value, missing, feed)


def _value(sc, metals, mass, use) -> dict[str, tuple[float, str]]:
    """Revenue of the targets, reagent cost and CO2 where factors are known; what is missing
    is listed, never taken as zero silently."""
    econ = sc.economics
    out: dict[str, tuple[float, str]] = {}
    revenue = 0.0
    missing = []
    for m in sc.targets:
        kg = mass[metals.index(m)]
        out[f"recovered_{m}"] = (kg, "kg/t")
        p = econ.metal_prices.get(m)
        if p is None:
            missing.append(f"price of {m}")
        else:
            out[f"value_{m}"] = (kg * p.usd_per_kg, "USD/t")
            revenue += kg * p.usd_per_kg
    cost = co2 = 0.0
    for amount, unit, reagent, _ in use.values():
        if reagent is None:
            continue
        p = econ.reagent_prices.get(reagent)
        if p is None:
            missing.append(f"price of {reagent}")
        else:
            cost += amount * p.usd_per_kg
        f = econ.co2_factors.get(reagent)
        if f is None:
            missing.append(f"CO2 factor of {reagent}")
        else:
            co2 += amount * f.usd_per_kg
    out["revenue"] = (revenue, "USD/t")
    out["reagent_cost"] = (cost, "USD/t")
    out["reagent_co2"] = (co2, "kg CO2-eq/t")
    return out, list(dict.fromkeys(missing))


def _results(sc, leach, metals, fate, closure, yields, conc_eluate, purity, factor, v_eluate,
             cond, sep, cyc, cycles, use, value, missing, feed) -> Results:
    comps = list(cyc.components)
    lead = cyc.lead
    v = {
        "fate": Variable(fate, "mol/t", ("metal", "fate"),
                         "where each metal of one tonne of feed ends"),
        "stage_yield": Variable(yields, "1", ("metal", "stage"),
                                "leach extraction; fraction of the feed's metal reaching the "
                                "column; fraction of the column feed captured; fraction of the "
                                "captured metal eluted; overall (eluate / feed)"),
        "mass_balance_error": Variable(closure, "1", ("metal",),
                                       "|sum of destinations - initial| / initial"),
        "eluate_concentration": Variable(conc_eluate, "mol/m^3", ("metal",),
                                         "metal concentration in the collected eluate"),
        "eluate_purity": Variable(purity, "1", ("metal",),
                                  "mass fraction among the feed's metals in the eluate"),
        "concentration_factor": Variable(factor, "1", ("metal",),
                                         "eluate / column-feed concentration"),
        "column_feed": Variable(np.array([feed[c] for c in comps]), "mol/m^3", ("component",),
                                "column feed in the load step"),
        "available_fraction": Variable(np.array([cyc.alpha[c] for c in comps]), "1",
                                       ("component",), "fraction in the species the sorbent "
                                                       "takes (speciation of the feed)"),
        "cycle_time": Variable(lead["time"], "s", ("time",), "time in the lead bed's cycle"),
        "cycle_bed_volumes": Variable(lead["bed_volumes"], "1", ("time",),
                                      "cumulative volume through the lead bed / bed volume"),
        "cycle_outlet": Variable(lead["outlet_concentration"], "mol/m^3",
                                 ("time", "component"), "lead bed outlet"),
        "cycle_section_start": Variable(lead["section_start"], "s", ("section",),
                                        "start of each section of the cycle"),
        "cycle_closure": Variable(cyc.closure, "1", ("component",),
                                  "column mass balance of the cycle's runs"),
    }
    if cyc.search is not None:
        v["load_time"] = Variable(cyc.search["time"], "s", ("load_time",),
                                  "time in the breakthrough search (train outlet)")
        v["load_bed_volumes"] = Variable(cyc.search["bed_volumes"], "1", ("load_time",),
                                         "bed volumes of one bed")
        v["load_relative"] = Variable(cyc.search["outlet_relative"], "1",
                                      ("load_time", "component"), "C/C0 at the train outlet")
    sc_ = {
        "feed_mass": (1e3, "kg"),
        "leachate_volume": (leach.scalar("liquid_basis") * 1e3 / leach.scalar("solid_basis"),
                            "m^3/t"),
        "leachate_pH": (cond.pH_before, "1"),
        "feed_pH": (cond.speciation.pH, "1"),
        "feed_ionic_strength": (cond.speciation.ionic_strength, "mol/kg"),
        "column_feed_volume": (cond.volume, "m^3/t"),
        "pls_volume": (sep.volume, "m^3/t"),
        "load_stop_time": (cyc.t_stop, "s"),
        "load_stop_bed_volumes": (cyc.load_volume / sc.column.bed_volume, "1"),
        "cycles_per_tonne": (cycles, "1/t"),
        "eluate_volume": (v_eluate, "m^3/t"),
        "mass_balance_error_max": (float(np.nanmax(closure)), "1"),
    }
    for i, m in enumerate(metals):
        if m in sc.targets:
            for j, stage in enumerate(STAGES):
                sc_[f"{stage}_yield_{m}"] = (float(yields[i, j]), "1")
            sc_[f"eluate_purity_{m}"] = (float(purity[i]), "1")
            sc_[f"concentration_factor_{m}"] = (float(factor[i]), "1")
    for name, (amount, unit, _, _) in use.items():
        sc_["use_" + name] = (float(amount), unit)
    for name, (amount, unit) in value.items():
        sc_[name] = (float(amount), unit)
    res = sc.resource
    if res is not None:
        for m in sc.targets:
            i = metals.index(m)
            grade = res.grade.get(m)
            if grade is None:
                continue
            kg = res.inventory * grade * yields[i, 4]
            sc_[f"resource_recoverable_{m}"] = (kg, "kg")
            p = sc.economics.metal_prices.get(m)
            if p is not None:
                sc_[f"resource_value_{m}"] = (kg * p.usd_per_kg, "USD")
            if res.annual_import:
                sc_[f"resource_import_years_{m}"] = (kg / res.annual_import, "yr")
    coords = {"metal": metals, "fate": list(FATES), "stage": list(STAGES),
              "component": comps, "target": list(sc.targets),
              "section": list(lead.coords["section"])}
    assumptions = {
        "prices": {m: vars(p) for m, p in sc.economics.metal_prices.items()},
        "reagent_prices": {m: vars(p) for m, p in sc.economics.reagent_prices.items()},
        "co2_factors": {m: vars(p) for m, p in sc.economics.co2_factors.items()},
        "not_valued": missing,
        "reagent_use": {name: what for name, (_, _, _, what) in use.items()},
        "import_label": res.import_label if res else "",
        "speciation_warnings": list(getattr(cond.speciation, "warnings", [])),
    }
    return Results(kind="route", name=sc.name, coords=coords, variables=v, scalars=sc_,
                   config={"raw": sc.raw, "resolved": sc.resolved() | {"assumptions":
                                                                        assumptions}},
                   provenance=provenance())


__all__ = ["run_route", "STAGES", "FATES"]
