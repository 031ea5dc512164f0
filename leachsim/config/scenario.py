"""Leaching scenarios: TOML file -> validated, SI-valued, frozen objects.

Layout of a scenario file (every quantity a bare SI number or a unit string)::

    schema_version = 1
    [meta]            name, description, targets = ["V"]
    [solid]           density; [solid.size] distribution; [[solid.phases]] ...
    [leach]           type = "batch" | "cascade", temperature, solid/liquid ratio, ...
    [leach.leachant]  reagent = concentration, ..., top_up = ["H2SO4"]
    [solver]          rtol, atol, grid

See ``configs/*.toml`` for complete, commented examples.  ``load_scenario``
reports every problem at once (``ConfigError``), each with its dotted path.
"""
from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import units
from ..chemistry import MINERALS, NON_METALS, REAGENTS, FormulaError, composition, molar_mass
from ..chemistry.elements import ATOMIC_MASS
from ..psd import SizeDistribution, lognormal, monodisperse, rosin_rammler, tabulated
from .errors import ConfigError, Issue
from .reader import Reader, suggest

SCHEMA_VERSION = 1
GEOMETRIES = ("shrinking-core", "shrinking-particle")
CONTROLS = ("film", "ash", "reaction", "mixed")
MECHANISMS = ("film", "ash", "reaction")
REACTORS = ("batch", "cascade")
STANDARD_T = 298.15


@dataclass(frozen=True)
class Rate:
    """Arrhenius coefficient: k(T) = k_ref exp(-Ea/R (1/T - 1/T_ref)); T_ref = inf for k_ref = A.

    For film diffusion k_ref is Sh * D_L (m^2/s), for the product layer D_e
    (m^2/s), for surface reaction k_s (mol m^-2 s^-1 (mol/m^3)^-sum(orders)).
    """

    k_ref: float
    Ea: float
    T_ref: float


@dataclass(frozen=True)
class Kinetics:
    geometry: str
    control: str
    primary: str
    film: Rate | None
    ash: Rate | None
    reaction: Rate | None
    orders: dict[str, float]

    @property
    def mechanisms(self) -> tuple[str, ...]:
        return tuple(m for m in MECHANISMS if getattr(self, m) is not None)


@dataclass(frozen=True)
class Phase:
    """A mineral phase of the solid: ``elements`` and ``consumes`` are mol per mol of phase."""

    name: str
    formula: str
    molar_mass: float
    mass_fraction: float
    elements: dict[str, float]
    consumes: dict[str, float]
    kinetics: Kinetics | None  # None: inert


@dataclass(frozen=True)
class Solid:
    density: float
    size: SizeDistribution
    phases: tuple[Phase, ...]

    @property
    def reacting(self) -> tuple[Phase, ...]:
        return tuple(p for p in self.phases if p.kinetics is not None)


@dataclass(frozen=True)
class Leachant:
    concentrations: dict[str, float]  # mol/m3, in file order
    molar_masses: dict[str, float]
    top_up: frozenset[str]

    @property
    def reagents(self) -> tuple[str, ...]:
        return tuple(self.concentrations)


@dataclass(frozen=True)
class Leach:
    type: str
    temperature: float
    solid_liquid_ratio: float  # kg solid per m3 liquid
    leachant: Leachant
    volume: float | None = None  # batch liquid volume, m3
    duration: float | None = None  # batch, s
    outputs: int | None = None  # batch, number of output times
    tanks: int | None = None  # cascade
    residence_times: tuple[float, ...] | None = None  # cascade, s per tank
    solids_feed: float | None = None  # cascade, kg/s


@dataclass(frozen=True)
class Solver:
    rtol: float = 1e-8
    atol: float = 1e-10
    grid: int = 512


@dataclass(frozen=True)
class Scenario:
    """A validated leaching scenario; all values in SI.  ``raw`` is the file as read."""

    name: str
    description: str
    targets: tuple[str, ...]
    solid: Solid
    leach: Leach
    solver: Solver
    raw: dict = field(repr=False, compare=False)
    source: str = "scenario"

    @property
    def elements(self) -> tuple[str, ...]:
        """Elements tracked in the leachate (all but O and H), in first-seen order."""
        seen: dict[str, None] = {}
        for phase in self.solid.phases:
            for el in phase.elements:
                if el not in ("O", "H"):
                    seen[el] = None
        return tuple(seen)

    @property
    def metals(self) -> tuple[str, ...]:
        """Targets first, then the other metallic elements."""
        rest = [e for e in self.elements if e not in NON_METALS and e not in self.targets]
        return tuple(self.targets) + tuple(rest)

    def with_value(self, path: str, value: Any) -> "Scenario":
        """A copy with one value replaced, e.g. ``with_value("leach.temperature", "80 degC")``.

        ``path`` is dotted; array items are addressed as ``solid.phases[2]`` or
        by name, ``solid.phases[larnite]``.  The copy is validated again.
        """
        raw = copy.deepcopy(self.raw)
        set_path(raw, path, value)
        return parse_scenario(raw, self.source)

    def resolved(self) -> dict:
        """The validated scenario as plain data (SI), for results files."""
        return plain_data(asdict(self) | {"raw": None})


def plain_data(obj):
    """Dataclass-derived data as JSON-ready lists, dicts and numbers (None dropped)."""
    if hasattr(obj, "__dataclass_fields__") and not isinstance(obj, type):
        return plain_data(asdict(obj))
    if isinstance(obj, dict):
        return {k: plain_data(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple, frozenset, set)):
        return [plain_data(v) for v in (sorted(obj) if isinstance(obj, (set, frozenset)) else obj)]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and math.isinf(obj):
        return "inf"
    return obj


_INDEX = re.compile(r"^([^\[\]]+)((?:\[[^\]]+\])*)$")


def set_path(raw: dict, path: str, value: Any) -> None:
    """Set ``raw[...]`` at a dotted path (``a.b[0].c`` or ``a.b[name].c``), creating tables."""
    node: Any = raw
    parts = path.split(".")
    for n, part in enumerate(parts):
        m = _INDEX.match(part)
        if not m:
            raise KeyError(f"cannot read path '{path}' at '{part}'")
        key, idx = m.group(1), re.findall(r"\[([^\]]+)\]", m.group(2))
        last = n == len(parts) - 1
        if not isinstance(node, dict):
            raise KeyError(f"'{path}': '{part}' is inside a value, not a table")
        if last and not idx:
            node[key] = value
            return
        if key not in node:
            if idx:
                raise KeyError(f"'{path}': no array '{key}'{suggest(key, node)}")
            node[key] = {}
        node = node[key]
        for i, sel in enumerate(idx):
            if not isinstance(node, list):
                raise KeyError(f"'{path}': '{key}' is not an array")
            if sel.lstrip("-").isdigit():
                pos = int(sel)
            else:
                names = [item.get("name") for item in node if isinstance(item, dict)]
                if sel not in names:
                    raise KeyError(f"'{path}': no item named '{sel}'{suggest(sel, names)}")
                pos = names.index(sel)
            if last and i == len(idx) - 1:
                node[pos] = value
                return
            node = node[pos]


# ---------------------------------------------------------------------------
def _read_toml(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """Parse a scenario file.  With ``extends = "base.toml"`` (relative to the file) the file
    starts from its base, and each top-level table it gives replaces the base's table whole."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Issue("", f"cannot read scenario file: {exc.strerror}")], str(path))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Issue("", f"not valid TOML: {exc}")], str(path))
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base_path = (path.parent / str(base_name)).resolve()
    if base_path in chain:
        raise ConfigError([Issue("extends", f"'{base_name}' extends itself (cycle)")], str(path))
    return _read_toml(base_path, chain + (base_path,)) | raw


def read_scenario_file(path: str | Path) -> tuple[dict, dict | None]:
    """The scenario table of a TOML file (``extends`` resolved) and its ``[sweep]`` table
    (None if absent), kept apart: the sweep describes many runs, not the base case."""
    path = Path(path)
    raw = _read_toml(path, (path.resolve(),))
    sweep = raw.pop("sweep", None)
    return raw, sweep


def load_scenario(path: str | Path):
    """Read and validate a TOML scenario file; raises ConfigError listing every problem.

    A ``[sweep]`` table is set aside (``leachsim sweep`` reads it); the base case runs."""
    raw, _ = read_scenario_file(path)
    return scenario_from_raw(raw, str(path))


def scenario_from_raw(raw: dict, source: str = "scenario"):
    """Validate a scenario table of any kind.  A table with [cycle] is a whole route
    (``flowsheet.RouteScenario``: leach, separation, conditioning, column cycle); one with a
    [column] table and no [leach] table a column-only scenario
    (``config.column.ColumnScenario``); otherwise a leaching ``Scenario``."""
    if "cycle" in raw:
        from ..flowsheet.scenario import parse_route_scenario

        return parse_route_scenario(raw, source)
    if "column" in raw and "leach" not in raw:
        from .column import parse_column_scenario

        return parse_column_scenario(raw, source)
    return parse_scenario(raw, source)


def parse_scenario(raw: dict, source: str = "scenario") -> Scenario:
    """Validate a parsed scenario table; raises ConfigError listing every problem."""
    issues: list[Issue] = []
    top = Reader(raw, "", issues)
    version = top.integer("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        top.error("schema_version", f"{version} is not supported (this leachsim reads "
                                    f"{SCHEMA_VERSION})")
    meta = top.sub("meta", required=False) or Reader({}, "meta", issues)
    name = meta.string("name", Path(source).stem)
    description = meta.string("description", "")
    targets = meta.list("targets", [])

    leach_r = top.sub("leach")
    leachant = _leachant(leach_r.sub("leachant"), issues) if leach_r else None
    reagents = leachant.reagents if leachant else ()
    solid = _solid(top.sub("solid"), reagents, leachant, issues)
    leach = _leach(leach_r, leachant) if leach_r else None
    solver = _solver(top.sub("solver", required=False))
    meta.done()
    top.done()

    checked_targets: list[str] = []
    if solid is not None and targets is not None:
        present = {el for p in solid.phases for el in p.elements}
        for i, t in enumerate(targets):
            if not isinstance(t, str) or t not in ATOMIC_MASS:
                issues.append(Issue(f"meta.targets[{i}]", f"{t!r} is not an element symbol"
                                    f"{suggest(str(t), ATOMIC_MASS)}"))
            elif t not in present:
                issues.append(Issue(f"meta.targets[{i}]", f"metal '{t}' is in no phase of "
                                    f"solid.phases{suggest(t, present)}"))
            else:
                checked_targets.append(t)
    if issues:
        raise ConfigError(issues, source)
    return Scenario(name=name, description=description, targets=tuple(checked_targets),
                    solid=solid, leach=leach, solver=solver, raw=raw, source=source)


def _solver(r: Reader | None) -> Solver:
    if r is None:
        return Solver()
    d = Solver()
    rtol = r.number("rtol", d.rtol, gt=0.0, lt=1e-2)
    atol = r.number("atol", d.atol, gt=0.0, lt=1e-2)
    grid = r.integer("grid", d.grid, ge=16, le=100_000)
    if grid is not None and grid % 2:
        r.error("grid", f"{grid} must be even (Simpson's rule)")
    r.done()
    return Solver(rtol=rtol or d.rtol, atol=atol or d.atol, grid=grid or d.grid)


def _leachant(r: Reader | None, issues: list[Issue]) -> Leachant | None:
    if r is None:
        return None
    conc: dict[str, float] = {}
    masses: dict[str, float] = {}
    top_up = r.list("top_up", [])
    for key in list(r.table):
        if key == "top_up":
            continue
        r.seen.add(key)
        formula = REAGENTS.get(key, key)
        try:
            M = molar_mass(formula)
        except FormulaError as exc:
            r.error(key, f"unknown reagent: {exc}{suggest(key, REAGENTS)}")
            continue
        value = r.table[key]
        try:
            c = units.to_si(value, units.MOLAR_CONCENTRATION)
        except units.UnitError:
            try:
                c = units.to_si(value, units.MASS_CONCENTRATION) / M
            except units.UnitError as exc:
                r.error(key, f"{value!r}: {exc} (a concentration in mol/m^3, or a string such "
                             f"as '1.5 mol/L' or '150 g/L')")
                continue
        if not c >= 0.0:
            r.error(key, f"{value!r} is out of range: expected >= 0")
            continue
        conc[key] = c
        masses[key] = M
    if not conc:
        r.error(None, "no reagent given (e.g. H2SO4 = \"1.5 mol/L\")")
    for i, name in enumerate(top_up or []):
        if name not in conc:
            r.error(f"top_up[{i}]", f"'{name}' is not a reagent of this leachant"
                                    f"{suggest(str(name), conc)}")
    r.done()
    return Leachant(conc, masses, frozenset(t for t in (top_up or []) if t in conc))


def _solid(r: Reader | None, reagents, leachant, issues) -> Solid | None:
    if r is None:
        return None
    density = r.quantity("density", units.DENSITY, gt=0.0, what="particle density")
    size = _size(r.sub("size"))
    phase_readers = r.tables("phases")
    phases = [_phase(p, reagents, leachant) for p in phase_readers]
    r.done()
    if not phase_readers:
        r.error("phases", "no phase given ([[solid.phases]])")
    ok = [p for p in phases if p is not None]
    fractions = [p.table.get("mass_fraction") for p in phase_readers]
    if fractions and all(isinstance(w, (int, float)) and not isinstance(w, bool)
                         for w in fractions):
        total = float(sum(fractions))
        if abs(total - 1.0) > 1e-6:
            r.error("phases", f"mass fractions add up to {total:.6g}, expected 1 "
                              f"(list the remainder as an inert phase)")
    if len(ok) == len(phases) and ok:
        names = [p.name for p in ok]
        for i, n in enumerate(names):
            if names.index(n) != i:
                r.error(f"phases[{i}].name", f"'{n}' is used twice; phase names must be unique")
        if not any(p.kinetics for p in ok):
            r.error("phases", "no phase reacts (give at least one phase a [kinetics] table)")
    if density is None or size is None or len(ok) != len(phases):
        return None
    return Solid(density, size, tuple(ok))


def _size(r: Reader | None) -> SizeDistribution | None:
    if r is None:
        return None
    kind = r.string("distribution", choices=("monodisperse", "classes", "lognormal",
                                             "rosin-rammler"))
    out = None
    if kind == "monodisperse":
        d = r.quantity("diameter", units.LENGTH, gt=0.0)
        out = monodisperse(d) if d else None
    elif kind == "classes":
        ds = r.list("diameters")
        ws = r.list("mass_fractions")
        if ds is not None and ws is not None:
            d_si = [r.convert(f"diameters[{i}]", v, units.LENGTH, gt=0.0) for i, v in enumerate(ds)]
            w_si = [r.convert(f"mass_fractions[{i}]", v, units.DIMENSIONLESS, ge=0.0, le=1.0)
                    for i, v in enumerate(ws)]
            if len(ds) != len(ws) or not ds:
                r.error("mass_fractions", f"{len(ws)} values for {len(ds)} diameters; expected "
                                          f"one mass fraction per diameter")
            elif None not in d_si and None not in w_si:
                if abs(sum(w_si) - 1.0) > 1e-6:
                    r.error("mass_fractions", f"add up to {sum(w_si):.6g}, expected 1")
                else:
                    out = tabulated(d_si, w_si)
    elif kind in ("lognormal", "rosin-rammler"):
        n = r.integer("classes", 10, ge=1, le=200)
        if kind == "lognormal":
            d50 = r.quantity("d50", units.LENGTH, gt=0.0)
            sg = r.number("sigma_g", gt=1.0, le=10.0)
            out = lognormal(d50, sg, n) if None not in (d50, sg, n) else None
        else:
            d63 = r.quantity("d63", units.LENGTH, gt=0.0)
            spread = r.number("spread", gt=0.1, le=20.0)
            out = rosin_rammler(d63, spread, n) if None not in (d63, spread, n) else None
    r.done()
    return out


def _rate(r: Reader | None, what: str, dims, extra: tuple[str, ...] = ()) -> Rate | None:
    if r is None:
        return None
    Ea = r.quantity("Ea", units.MOLAR_ENERGY, ge=0.0, le=1e6, what="activation energy")
    key = "A" if r.has("A") else ("D" if what != "reaction" else "k")
    if r.has("A") and r.has("k" if what == "reaction" else "D"):
        r.error("A", f"give either A (pre-exponential) or {key} at T_ref, not both")
    k = r.quantity(key, dims, gt=0.0)
    if key == "A":
        T_ref = math.inf
    else:
        T_ref = r.quantity("T_ref", units.TEMPERATURE, STANDARD_T, gt=0.0)
    factor = 1.0
    if what == "film":
        factor = r.number("Sh", 2.0, gt=0.0)
    for key_extra in extra:
        r.seen.add(key_extra)
    r.done()
    if None in (Ea, k, T_ref, factor):
        return None
    return Rate(k * factor, Ea, T_ref)


def _phase(r: Reader, reagents, leachant) -> Phase | None:
    ok = True
    name = r.string("name")
    mineral = r.raw("mineral", None) if r.has("mineral") else None
    formula = r.string("formula", None) if r.has("formula") else None
    if mineral is not None and formula is not None:
        r.error("formula", "give either mineral (a named phase) or formula, not both")
        ok = False
    if mineral is not None:
        if mineral not in MINERALS:
            r.error("mineral", f"unknown phase '{mineral}'{suggest(str(mineral), MINERALS)}; "
                               f"or give its formula instead")
            ok = False
        else:
            formula = MINERALS[mineral]
    elif formula is None:
        r.error(None, "give mineral (a named phase) or formula")
        ok = False
    elements: dict[str, float] = {}
    M = None
    if ok and formula is not None:
        try:
            elements = composition(formula)
            M = molar_mass(formula)
        except FormulaError as exc:
            r.error("formula", str(exc))
            ok = False
    w = r.number("mass_fraction", gt=0.0, le=1.0)
    trace = r.sub("trace", required=False)
    if trace is not None:
        for el in list(trace.table):
            trace.seen.add(el)
            if el not in ATOMIC_MASS:
                trace.error(el, f"unknown metal '{el}'{suggest(el, ATOMIC_MASS)}")
                ok = False
                continue
            frac = trace.convert(el, trace.table[el], units.DIMENSIONLESS, ge=0.0, lt=1.0)
            if frac is None:
                ok = False
            elif M is not None:
                elements[el] = elements.get(el, 0.0) + frac * M / ATOMIC_MASS[el]
        trace.done()
    consumes, cons_ok = _per_reagent(r.sub("consumes", required=False), reagents)
    ok = ok and cons_ok
    kin_r = r.sub("kinetics", required=False)
    kinetics = _kinetics(kin_r, reagents, consumes, leachant) if kin_r else None
    if kin_r is not None and kinetics is None:
        ok = False
    r.done()
    if not ok or None in (name, w, M):
        return None
    return Phase(name, formula, M, w, elements, consumes, kinetics)


def _per_reagent(r: Reader | None, reagents, le=None) -> tuple[dict[str, float], bool]:
    """A table keyed by reagent name with non-negative numbers (stoichiometry, orders)."""
    out: dict[str, float] = {}
    if r is None:
        return out, True
    ok = True
    for reagent in list(r.table):
        r.seen.add(reagent)
        if reagent not in reagents:
            r.error(reagent, f"'{reagent}' is not a reagent of leach.leachant"
                             f"{suggest(reagent, reagents)}")
            ok = False
            continue
        v = r.convert(reagent, r.table[reagent], units.DIMENSIONLESS, ge=0.0, le=le)
        if v is None:
            ok = False
        else:
            out[reagent] = v
    r.done()
    return out, ok


def _kinetics(r: Reader, reagents, consumes, leachant) -> Kinetics | None:
    n_issues = len(r.issues)
    geometry = r.string("geometry", "shrinking-core", choices=GEOMETRIES)
    control = r.string("control", choices=CONTROLS)
    primary_default = next(iter(consumes), reagents[0] if reagents else None)
    primary = r.string("primary", primary_default)
    if primary is not None and primary not in reagents:
        r.error("primary", f"'{primary}' is not a reagent of leach.leachant"
                           f"{suggest(primary, reagents)}")
    orders: dict[str, float] = {}
    rates: dict[str, Rate | None] = {}
    for mech in MECHANISMS:
        sub = r.sub(mech, required=False)
        if sub is None:
            rates[mech] = None
            continue
        if mech == "reaction":
            if sub.has("orders"):
                orders, _ = _per_reagent(sub.sub("orders"), reagents, le=5.0)
            else:
                sub.error("orders", "missing (required): reaction orders, e.g. "
                                    "orders = { H2SO4 = 1 }")
            n = sum(orders.values())
            dims = (-2 + 3 * n, 0, -1, 1 - n, 0)
            rates[mech] = _rate(sub, mech, tuple(dims), extra=("orders",))
        else:
            rates[mech] = _rate(sub, mech, units.DIFFUSIVITY)
    given = [m for m in MECHANISMS if m in r.table]
    if control in ("film", "ash", "reaction"):
        for m in given:
            if m != control:
                r.error(m, f"given, but control = '{control}' uses only [{control}]; "
                           f"use control = 'mixed' to combine resistances")
        if control not in given:
            r.error(control, f"missing (required for control = '{control}')")
    elif control == "mixed" and len(given) < 2:
        r.error("control", f"'mixed' needs at least two of film, ash, reaction; got "
                           f"{given or 'none'}")
    if geometry == "shrinking-particle" and "ash" in given:
        r.error("ash", "a shrinking particle has no product layer; use geometry = "
                       "'shrinking-core' for product-layer diffusion")
    diffusion = [m for m in ("film", "ash") if m in given]
    if diffusion and primary is not None and consumes.get(primary, 0.0) <= 0.0:
        r.error("primary", f"{'/'.join(diffusion)} diffusion of '{primary}' needs the phase "
                           f"to consume it (consumes.{primary} > 0)")
    if leachant is not None:
        for reagent, nu in consumes.items():
            if nu <= 0.0 or reagent in leachant.top_up:
                continue
            limited = orders.get(reagent, 0.0) > 0.0 or (reagent == primary and diffusion)
            if not limited:
                r.error(None, f"the phase consumes {reagent} but its rate does not depend on it "
                              f"(give reaction.orders.{reagent} > 0, make it the primary "
                              f"diffusing reagent, or top it up), so it could consume more "
                              f"than is there")
    r.done()
    if len(r.issues) != n_issues:
        return None
    return Kinetics(geometry, control, primary, rates["film"], rates["ash"], rates["reaction"],
                    orders)


def _leach(r: Reader, leachant: Leachant | None) -> Leach | None:
    kind = r.string("type", choices=REACTORS)
    T = r.quantity("temperature", units.TEMPERATURE, gt=250.0, lt=700.0)
    sl = None
    if r.has("solid_liquid_ratio") and r.has("liquid_solid_ratio"):
        r.error("liquid_solid_ratio", "give solid_liquid_ratio or liquid_solid_ratio, not both")
    elif r.has("liquid_solid_ratio"):
        ls = r.quantity("liquid_solid_ratio", units.SPECIFIC_VOLUME, gt=0.0)
        sl = 1.0 / ls if ls else None
    else:
        sl = r.quantity("solid_liquid_ratio", units.MASS_CONCENTRATION, gt=0.0, le=3000.0)
    out = None
    if kind == "batch":
        V = r.quantity("volume", units.VOLUME, "1 L", gt=0.0)
        duration = r.quantity("duration", units.TIME, gt=0.0)
        n_out = r.integer("outputs", 121, ge=2, le=100_000)
        if None not in (T, sl, V, duration, n_out, leachant):
            out = Leach("batch", T, sl, leachant, volume=V, duration=duration, outputs=n_out)
    elif kind == "cascade":
        n = r.integer("tanks", ge=1, le=1000)
        tau_raw = r.raw("residence_time")
        taus = None
        if tau_raw is not None and n is not None:
            if isinstance(tau_raw, list):
                if len(tau_raw) != n:
                    r.error("residence_time", f"{len(tau_raw)} values for {n} tanks")
                else:
                    taus = [r.convert(f"residence_time[{i}]", v, units.TIME, gt=0.0)
                            for i, v in enumerate(tau_raw)]
            else:
                t1 = r.convert("residence_time", tau_raw, units.TIME, gt=0.0)
                taus = [t1] * n
        feed = r.quantity("solids_feed", units.MASS_FLOW, "1 t/h", gt=0.0)
        if taus is not None and None not in taus and None not in (T, sl, feed, leachant):
            out = Leach("cascade", T, sl, leachant, tanks=n, residence_times=tuple(taus),
                        solids_feed=feed)
    r.raw("leachant", None)
    r.done()
    return out
