"""Route scenarios: leach -> solid/liquid separation -> conditioning -> column cycle -> product.

A route file is a leaching scenario ([meta], [solid], [leach], [solver]) plus::

    [separation]   entrained_liquor ("0.3 m^3/t": leachate held by the residue per tonne of
                   dry feed), wash_ratio (wash water per volume of entrained liquor, per
                   stage), wash_stages, reprecipitated = { Ca = 1.0 } (fraction of a dissolved
                   element the leachant precipitates at once, e.g. Ca as CaCO3 in carbonate)
    [conditioning] dilution (final / filtrate volume, >= 1), pH (target), reagent (named),
                   remove = { Fe = 0.95 } (fraction precipitated as hydroxide at that pH),
                   separated = { Cu = 0.95 } (fraction taken out by a separation the route
                   does not model, e.g. Cu SX-EW ahead of a Co circuit; no reagent counted),
                   oxidation = { Fe = 3 }
    [column], [sorbent]   as in a column-only scenario (geometry, binding, parameters of every
                   component the sorbent takes; components it does not list pass through)
    [cycle]        columns (1, or 2+ in series: lead-lag), solver = { rtol, atol, outputs }
    [cycle.load]   flow_rate, stop = { component = "V", breakthrough = 0.1 } |
                   { bed_volumes = 300 } | { time = "24 h" }, max_bed_volumes
    [[cycle.steps]] name, volume ("4 BV" or m^3), flow_rate, and either reagent + concentration
                   or composition = {...} (none: water), collect = true for the product eluate
    [economics]    prices = { V = 30.0 } (USD/kg), reagent_prices = {...}, co2 = {...}
    [resource]     inventory ("190 Mt"), grade = { V = "0.47 wt%" }, annual_import = "8300 t",
                   import_label (what that figure is, with its source)

Everything that the file alone decides is validated before any computing, with the dotted
path of each problem; what needs the leachate (an unreachable pH, a column that would never
load) is checked after the leach and conditioning, before any column run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import units
from ..config.column import ColumnScenario, parse_column_scenario, per_bed
from ..config.errors import ConfigError, Issue
from ..config.reader import Reader, suggest
from ..config.scenario import Scenario, parse_scenario
from . import prices as price_table
from .reagents import LEACHATE_IONS, SOLUTION_IONS

LEACH_TABLES = ("schema_version", "meta", "solid", "leach", "solver")
ROUTE_TABLES = ("separation", "conditioning", "column", "sorbent", "cycle", "economics",
                "resource")
STOP_KINDS = ("breakthrough", "bed_volumes", "time")
HALIDES = ("F", "Cl", "Br", "I")
CONDITIONING_REAGENTS = ("NaOH", "KOH", "Ca(OH)2", "CaCO3", "Na2CO3", "MgO", "H2SO4", "HCl")


@dataclass(frozen=True)
class Separation:
    entrained_liquor: float  # m^3 leachate retained per kg of dry feed
    wash_ratio: float  # wash water / entrained liquor, per stage
    wash_stages: int
    reprecipitated: dict[str, float]  # element -> fraction returned to the residue


@dataclass(frozen=True)
class Conditioning:
    dilution: float  # final volume / filtrate volume
    pH: float | None
    reagent: str | None
    remove: dict[str, float]  # element -> fraction precipitated as hydroxide
    separated: dict[str, float]  # element -> fraction removed by an unmodelled separation
    oxidation: dict[str, int]


@dataclass(frozen=True)
class Step:
    name: str
    volume: float  # m^3 of solution per cycle
    flow_rate: float  # m^3/s
    reagent: str | None
    concentration: float  # mol/m^3 of the reagent
    composition: dict[str, float]  # mol/m^3 of column components
    collect: bool  # eluate collected as product


@dataclass(frozen=True)
class Load:
    flow_rate: float  # m^3/s
    stop_kind: str
    stop_component: str | None
    stop_value: float  # C/C0, bed volumes or s
    max_bed_volumes: float


@dataclass(frozen=True)
class Cycle:
    columns: int
    load: Load
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Economics:
    metal_prices: dict[str, price_table.Price]
    reagent_prices: dict[str, price_table.Price]
    co2_factors: dict[str, price_table.Price]


@dataclass(frozen=True)
class Resource:
    inventory: float  # kg of waste
    grade: dict[str, float]  # mass fraction of each element
    annual_import: float | None  # kg/yr of the target metal
    import_label: str


@dataclass(frozen=True)
class RouteScenario:
    """A validated route: the leach, the stages after it, and a column template whose inlet
    the run fills in from the conditioned leachate."""

    name: str
    description: str
    targets: tuple[str, ...]
    leach: Scenario
    separation: Separation
    conditioning: Conditioning
    column: ColumnScenario
    cycle: Cycle
    economics: Economics
    resource: Resource | None
    raw: dict = field(repr=False, compare=False)
    source: str = "scenario"

    @property
    def sorbed(self) -> tuple[str, ...]:
        """Column components (counter-ion first, as the column scenario orders them)."""
        return self.column.components

    def resolved(self) -> dict:
        from ..config.scenario import plain_data

        return plain_data({"leach": self.leach.resolved(), "separation": self.separation,
                           "conditioning": self.conditioning, "column": self.column.resolved(),
                           "cycle": self.cycle, "economics": self.economics,
                           "resource": self.resource})

    def with_value(self, path: str, value) -> "RouteScenario":
        import copy

        from ..config.scenario import set_path

        raw = copy.deepcopy(self.raw)
        set_path(raw, path, value)
        return parse_route_scenario(raw, self.source)


def is_route(raw: dict) -> bool:
    return "cycle" in raw


def _fractions(r: Reader | None, known, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    if r is None:
        return out
    for el in list(r.table):
        r.seen.add(el)
        if el not in known:
            r.error(el, f"'{el}' is not {what}{suggest(el, known)}")
            continue
        v = r.convert(el, r.table[el], units.DIMENSIONLESS, ge=0.0, le=1.0)
        if v is not None:
            out[el] = v
    r.done()
    return out


def _separation(r: Reader | None, elements) -> Separation:
    if r is None:
        return Separation(0.0, 0.0, 0, {})
    e = r.quantity("entrained_liquor", units.SPECIFIC_VOLUME, 0.0, ge=0.0,
                   what="liquor per mass of residue")
    ratio = r.number("wash_ratio", 0.0, ge=0.0, le=100.0)
    stages = r.integer("wash_stages", 1 if ratio else 0, ge=0, le=20)
    rep = _fractions(r.sub("reprecipitated", required=False), elements,
                     "an element the leach dissolves")
    r.done()
    return Separation(e or 0.0, ratio or 0.0, stages or 0, rep)


def _conditioning(r: Reader | None, elements) -> Conditioning:
    if r is None:
        return Conditioning(1.0, None, None, {}, {}, {})
    dilution = r.number("dilution", 1.0, ge=1.0, le=1e4)
    pH = r.number("pH", None, ge=0.0, le=14.0) if r.has("pH") else None
    reagent = r.string("reagent", None, choices=CONDITIONING_REAGENTS) if r.has("reagent") \
        else None
    if r.has("pH") and not r.has("reagent"):
        r.error("reagent", f"missing: a pH target needs a reagent "
                           f"({', '.join(CONDITIONING_REAGENTS)})")
    if r.has("reagent") and not r.has("pH"):
        r.error("pH", "missing: the reagent is dosed to a target pH")
    remove = _fractions(r.sub("remove", required=False), elements,
                        "an element the leach dissolves")
    if remove and not r.has("pH"):
        r.error("remove", "precipitation needs a target pH (conditioning.pH)")
    separated = _fractions(r.sub("separated", required=False), elements,
                           "an element the leach dissolves")
    ox: dict[str, int] = {}
    oxr = r.sub("oxidation", required=False)
    if oxr is not None:
        for el in list(oxr.table):
            v = oxr.integer(el, ge=1, le=5)
            if el != "Fe":
                oxr.error(el, "only the oxidation state of Fe can be chosen (2 or 3)")
            elif v is not None:
                ox[el] = v
        oxr.done()
    r.done()
    return Conditioning(dilution or 1.0, pH, reagent, remove, separated, ox)


def _column_template(raw: dict, issues: list[Issue], source: str) -> ColumnScenario | None:
    """Parse [column] and [sorbent] through the column-scenario reader, with a placeholder
    inlet carrying every component the sorbent lists (the run replaces it)."""
    sorbent = raw.get("sorbent", {})
    params = sorbent.get("parameters", {}) if isinstance(sorbent, dict) else {}
    comps = {c: 1.0 for c in params} if isinstance(params, dict) else {}
    counter = sorbent.get("counter_ion") if isinstance(sorbent, dict) else None
    if isinstance(counter, str):
        comps.setdefault(counter, 1.0)
    col_raw = {"schema_version": 1, "meta": {"name": "column"}, "column": raw.get("column"),
               "sorbent": sorbent,
               "inlet": [{"name": "load", "duration": 1.0, "flow_rate": 1e-6,
                          "composition": comps}]}
    if raw.get("column") is None:
        issues.append(Issue("column", "missing (required): the column of the cycle"))
        return None
    try:
        return parse_column_scenario(col_raw, source)
    except ConfigError as exc:
        issues.extend(i for i in exc.issues if not i.path.startswith("inlet"))
        return None


def _load(r: Reader | None, bed_volume, sorbed, leachate) -> Load | None:
    if r is None:
        return None
    flow = per_bed(r, "flow_rate", units.VOLUME_FLOW, bed_volume)
    stop = r.sub("stop")
    kind = comp = value = None
    if stop is not None:
        given = [k for k in STOP_KINDS if stop.has(k)]
        if len(given) != 1:
            stop.error(None, f"give exactly one of {', '.join(STOP_KINDS)}")
        else:
            kind = given[0]
            if kind == "breakthrough":
                value = stop.number("breakthrough", gt=0.0, lt=1.0)
                comp = stop.string("component")
                if comp is not None and comp not in sorbed:
                    stop.error("component", f"'{comp}' is not taken by the sorbent (its "
                                            f"components: {', '.join(sorbed)})")
                    comp = None
                elif comp is not None and comp not in leachate:
                    stop.error("component", f"'{comp}' is not fed: the leach dissolves no "
                                            f"{comp}{suggest(comp, leachate)}")
                    comp = None
            elif kind == "bed_volumes":
                value = stop.number("bed_volumes", gt=0.0)
            else:
                value = stop.quantity("time", units.TIME, gt=0.0)
        stop.done()
    max_bv = r.number("max_bed_volumes", 10_000.0, gt=0.0)
    r.done()
    if None in (flow, kind, value, max_bv):
        return None
    return Load(flow, kind, comp, value, max_bv)


def _steps(readers: list[Reader], bed_volume, sorbed) -> tuple[Step, ...]:
    from ..config.column import _concentrations

    out = []
    for sr in readers:
        name = sr.string("name", f"step {len(out) + 1}")
        volume = per_bed(sr, "volume", units.VOLUME, bed_volume)
        flow = per_bed(sr, "flow_rate", units.VOLUME_FLOW, bed_volume)
        reagent = conc = None
        composition: dict[str, float] = {}
        if sr.has("reagent"):
            reagent = sr.string("reagent", choices=tuple(SOLUTION_IONS))
            conc = sr.quantity("concentration", units.MOLAR_CONCENTRATION, gt=0.0)
            if reagent is not None and not set(SOLUTION_IONS[reagent]) & set(sorbed):
                sr.error("reagent", f"{reagent} delivers {', '.join(SOLUTION_IONS[reagent])}, "
                                    f"none of which the binding model knows (the sorbent's "
                                    f"components: {', '.join(sorbed)})")
        if sr.has("composition"):
            if reagent is not None:
                sr.error("composition", "give either reagent + concentration or composition")
            composition = _concentrations(sr.sub("composition"))
            for c in composition:
                if c not in sorbed:
                    sr.error(f"composition.{c}", f"'{c}' is not a component of the sorbent "
                                                 f"({', '.join(sorbed)})")
        collect = sr.boolean("collect", False)
        sr.done()
        if None not in (volume, flow, collect):
            out.append(Step(name, volume, flow, reagent, conc or 0.0, composition, collect))
    return tuple(out)


def _economics(r: Reader | None) -> Economics:
    metals = dict(price_table.METAL_PRICES)
    reagents = dict(price_table.REAGENT_PRICES)
    co2 = dict(price_table.CO2_FACTORS)
    if r is not None:
        for key, table, what in (("prices", metals, "USD per kg of metal"),
                                 ("reagent_prices", reagents, "USD per kg of reagent"),
                                 ("co2", co2, "kg CO2-eq per kg of reagent")):
            sub = r.sub(key, required=False)
            if sub is None:
                continue
            for name in list(sub.table):
                v = sub.number(name, ge=0.0)
                if v is not None:
                    table[name] = price_table.Price(v, what, "scenario", f"{r.path}.{key}")
            sub.done()
        r.done()
    return Economics(metals, reagents, co2)


def _resource(r: Reader | None, elements) -> Resource | None:
    if r is None:
        return None
    inv = r.quantity("inventory", units.MASS, gt=0.0)
    grade = _fractions(r.sub("grade"), elements, "an element of the waste")
    imp = r.quantity("annual_import", units.MASS, None, gt=0.0) if r.has("annual_import") \
        else None
    label = r.string("import_label", "annual import (as given)")
    r.done()
    if inv is None:
        return None
    return Resource(inv, grade, imp, label or "")


def parse_route_scenario(raw: dict, source: str = "scenario") -> RouteScenario:
    """Validate a route scenario; raises ConfigError listing every problem (dotted paths)."""
    issues: list[Issue] = []
    unknown = [k for k in raw if k not in LEACH_TABLES + ROUTE_TABLES]
    for k in unknown:
        issues.append(Issue(k, f"unknown key{suggest(k, LEACH_TABLES + ROUTE_TABLES)}"))
    leach = None
    try:
        leach = parse_scenario({k: v for k, v in raw.items() if k in LEACH_TABLES}, source)
    except ConfigError as exc:
        issues.extend(exc.issues)
    elements = set(leach.elements) if leach else set()
    leachate = set(elements)
    if leach is not None:
        for reagent in leach.leach.leachant.reagents:
            kept, consumed = LEACHATE_IONS.get(reagent, ({}, {}))
            leachate |= set(kept) | set(consumed)
    top = Reader(raw, "", issues)
    for k in LEACH_TABLES:
        top.seen.add(k)
    sep = _separation(top.sub("separation", required=False), elements)
    cond = _conditioning(top.sub("conditioning", required=False), elements)
    column = _column_template(raw, issues, source)
    top.seen.update(("column", "sorbent"))
    bed = column.bed_volume if column else None
    sorbed = column.components if column else ()
    cyc = top.sub("cycle")
    cycle = None
    if cyc is not None:
        n_col = cyc.integer("columns", 1, ge=1, le=10)
        load = _load(cyc.sub("load"), bed, sorbed, leachate)
        steps = _steps(cyc.tables("steps") if cyc.has("steps") else [], bed, sorbed)
        solver = cyc.sub("solver", required=False)
        if solver is not None:
            solver.number("rtol", 1e-6, gt=0.0, lt=0.1)
            solver.number("atol", 1e-8, gt=0.0, lt=0.1)
            solver.integer("outputs", 801, ge=11, le=100_000)
            solver.done()
        cyc.done()
        if column is not None and not any(s.collect for s in steps):
            issues.append(Issue("cycle.steps", "no step has collect = true: which step's "
                                               "outlet is the product eluate?"))
        if load is not None and n_col is not None:
            cycle = Cycle(n_col, load, steps)
    econ = _economics(top.sub("economics", required=False))
    res = _resource(top.sub("resource", required=False), elements)
    top.done()
    if column is not None and leach is not None:
        binding_metals = [c for c in sorbed if c in elements]
        if not binding_metals:
            issues.append(Issue("sorbent.parameters", f"the sorbent takes none of the elements "
                                f"the leach dissolves ({', '.join(sorted(elements))})"))
    if issues:
        raise ConfigError(issues, source)
    return RouteScenario(leach.name, leach.description, leach.targets, leach, sep, cond,
                         column, cycle, econ, res, raw, source)


def column_solver(sc: RouteScenario) -> dict:
    """rtol, atol and outputs of the cycle's column runs (defaults of column scenarios)."""
    s = sc.raw["cycle"].get("solver", {})
    return {"rtol": float(s.get("rtol", 1e-6)), "atol": float(s.get("atol", 1e-8)),
            "outputs": int(s.get("outputs", 801))}


def bind_sign(sc: RouteScenario) -> int:
    """+1 if the sorbent takes cations, -1 anions: the sign of its counter-ion (H+, Na+ ...;
    Cl-, OH-, SO4 2- ...).  Sorbents without one (Langmuir-type sites) are taken to bind
    cations."""
    from ..chemistry import ION_CHARGE

    counter = sc.column.counter_ion
    if counter is None:
        return 1
    return -1 if counter in HALIDES or ION_CHARGE.get(counter, 1) < 0 else 1
