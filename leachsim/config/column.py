"""Column-only scenarios: a feed given directly, run through one fixed-bed column.

Layout (quantities as everywhere: bare SI number or a unit string)::

    schema_version = 1
    [meta]      name, description, targets
    [column]    length, diameter, bed_porosity, dispersion,
                scheme = "finite-volume" (cells, default 100: second order, Koren-limited,
                    no new extrema at sharp fronts; the default) | "dg" (elements, default 8,
                    polynomial_degree, default 4: discontinuous Galerkin spectral elements,
                    spectrally accurate on smooth fronts, with some ringing at a sharp step)
    [sorbent]   name, density,
                particle_model = "equilibrium" (local equilibrium: the solid in equilibrium
                    with the bulk, no particle resistance) | "lumped-rate" (the solid takes up
                    from the bulk at the binding rate) | "lumped-rate-pores" (film + uniform
                    pore liquid) | "general-rate" (film + radial pore and surface diffusion
                    in spherical beads),
                binding = one of kernels.binding.MODELS,
                kinetic = true (binding at its rate: LDF or k_a/k_d kinetics; the default)
                    | false (rapid equilibrium q = q*(c); the default and the only choice
                    for "equilibrium"),
                counter_ion (ion exchange, SMA, proton-Langmuir), capacity (ion exchange, SMA),
                particle_porosity, particle_radius (pores and general rate),
                radial_scheme = "finite-volume" (radial_cells, default 8: equidistant
                    shells, second order; the default) | "collocation" (radial_points,
                    default 5: orthogonal collocation on symmetric polynomials, spectrally
                    accurate for smooth bead profiles) -- general rate only
    [sorbent.parameters.<component>]   the binding model's parameters (kinetic: the rate
                constants too; rapid equilibrium: only the isotherm's), k_f (film
                coefficient, m/s: pores and general rate), pore_diffusion (m^2/s, general
                rate), surface_diffusion (m^2/s, general rate, optional, default 0)
    [column.initial]   liquid in the bed at t = 0 (default none); the solid starts in
                equilibrium with it (an ion-exchange resin in its counter-ion form)
    [[inlet]]   name, duration, flow_rate, composition = { <component> = conc },
                composition_end = {...} (optional: a linear ramp to it over the section)
    [solver]    rtol, atol, outputs, profiles = ["10 h", "20 h"] (in-bed profile times)

Components are elements (``Co``, ``V``, ``Li``) or the ions ``OH``, ``SO4``, ``CO3``,
``NO3``, ``NH4`` (``leachsim.chemistry.components``); mass concentrations and
capacities (``"100 mg/L"``, ``"25 mg/g"``, ``"0.05 L/mg"``) are converted
with the element's molar mass and the sorbent's particle density.  Inside,
liquid concentrations are mol/m^3 and loadings mol per m^3 of solid.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import units
from ..chemistry.components import COMPONENT_MASS
from ..kernels import binding as bd
from .errors import ConfigError, Issue
from .reader import Reader, suggest

PARTICLE_MODELS = ("equilibrium", "lumped-rate", "lumped-rate-pores", "general-rate")
WITH_PORES = ("lumped-rate-pores", "general-rate")
SCHEMES = ("finite-volume", "dg")  # axial discretisations (kernels/column.py)
RADIAL_SCHEMES = ("finite-volume", "collocation")  # in the general rate model's beads
RATE = (0, 0, -1, 0, 0)  # 1/s
LOADING_PER_SOLID = units.MOLAR_CONCENTRATION  # mol per m^3 of solid


@dataclass(frozen=True)
class Section:
    name: str
    duration: float  # s
    flow_rate: float  # m^3/s
    composition: dict[str, float]  # mol/m^3 at the start of the section
    composition_end: dict[str, float]  # mol/m^3 at its end (linear ramp; equal if constant)


@dataclass(frozen=True)
class ColumnScenario:
    """A validated column-only scenario; all values SI.  ``raw`` is the file as read."""

    name: str
    description: str
    targets: tuple[str, ...]
    components: tuple[str, ...]
    length: float
    diameter: float
    bed_porosity: float
    dispersion: float
    cells: int  # finite-volume cells, or DG elements
    scheme: str  # "finite-volume" or "dg"
    polynomial_degree: int  # DG (0 for finite volumes)
    sorbent_name: str
    sorbent_density: float  # particle density (with its pores), kg/m^3
    particle_model: str
    binding: str
    kinetic: bool  # binding at its rate (True) or in rapid equilibrium (False)
    counter_ion: str | None  # component 0 of ion exchange (counter-ion), SMA (salt), H+
    capacity: float | None  # ion-exchange capacity, eq per m^3 of solid skeleton
    initial: dict[str, float]  # bed liquid at t = 0, mol/m^3 (solid in equilibrium with it)
    particle_porosity: float | None
    particle_radius: float | None
    radial_cells: int | None  # general rate model: shells, or collocation points, per bead
    radial_scheme: str | None  # general rate model: "finite-volume" or "collocation"
    parameters: dict[str, dict[str, float]]
    inlet: tuple[Section, ...]
    rtol: float
    atol: float
    outputs: int
    profiles: tuple[float, ...]  # times of in-bed profiles, s
    raw: dict = field(repr=False, compare=False)
    source: str = "scenario"

    @property
    def nodes_per_element(self) -> int:
        """K of the column kernel: 1 for finite-volume cells, degree + 1 for DG elements."""
        return 1 if self.scheme == "finite-volume" else self.polynomial_degree + 1

    @property
    def area(self) -> float:
        return math.pi * self.diameter ** 2 / 4.0

    @property
    def bed_volume(self) -> float:
        return self.area * self.length

    def resolved(self) -> dict:
        """The validated scenario as plain data (SI), for results files."""
        from .scenario import plain_data

        return plain_data(asdict(self) | {"raw": None})

    def with_value(self, path: str, value) -> "ColumnScenario":
        """A copy with one value replaced (dotted path), validated again."""
        import copy

        from .scenario import set_path

        raw = copy.deepcopy(self.raw)
        set_path(raw, path, value)
        return parse_column_scenario(raw, self.source)


def _component_quantity(r: Reader, key, value, comp, kind, density):
    """Convert a concentration / loading / affinity for element ``comp``."""
    M = COMPONENT_MASS[comp]
    if kind == "conc":
        options = ((units.MOLAR_CONCENTRATION, 1.0), (units.MASS_CONCENTRATION, 1.0 / M))
        expected = "a concentration (mol/m^3, '2 mmol/L', '100 mg/L')"
    elif kind == "loading":
        options = ((LOADING_PER_SOLID, 1.0), ((0, -1, 0, 1, 0), density),
                   (units.DIMENSIONLESS, density / M))  # mol/kg, mg/g (= kg/kg)
        expected = "a capacity (mol per m^3 of solid, '2 mol/kg', '25 mg/g')"
    else:  # affinity, 1/concentration
        options = (((3, 0, 0, -1, 0), 1.0), (units.SPECIFIC_VOLUME, M))
        expected = "an affinity (m^3/mol, '0.05 L/mg', '2 L/mmol')"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return r.convert(key, value, options[0][0], ge=0.0)
    for dims, factor in options:
        try:
            v = units.to_si(value, dims) * factor
        except units.UnitError:
            continue
        if not v >= 0.0:
            r.error(key, f"{value!r} is out of range: expected >= 0")
            return None
        return v
    r.error(key, f"{value!r}: expected {expected}")
    return None


def per_bed(r: Reader, key: str, dims, bed_volume: float | None):
    """A volume ('4 BV') or a flow ('10 BV/h') in bed volumes, or a plain quantity of
    ``dims`` (units.VOLUME or units.VOLUME_FLOW), in SI; None after an issue, or when the bed
    volume is unknown (its own problem is reported where it is read)."""
    suffix, per = ("BV/h", 3600.0) if dims == units.VOLUME_FLOW else ("BV", 1.0)
    value = r.raw(key)
    if isinstance(value, str) and value.strip().endswith(suffix):
        try:
            n = float(value.strip()[:-len(suffix)])
        except ValueError:
            r.error(key, f"{value!r}: cannot read the number of bed volumes")
            return None
        if not n > 0:
            r.error(key, f"{value!r} is out of range: expected > 0")
            return None
        return n * bed_volume / per if bed_volume else None
    if value is None:
        return None
    return r.convert(key, value, dims, gt=0.0)


def _concentrations(r: Reader | None) -> dict[str, float]:
    """A table of component concentrations ({Co = "100 mg/L"}) in mol/m^3."""
    out: dict[str, float] = {}
    if r is None:
        return out
    for comp in list(r.table):
        r.seen.add(comp)
        if comp not in COMPONENT_MASS:
            r.error(comp, f"unknown component '{comp}'{suggest(comp, COMPONENT_MASS)}")
            continue
        v = _component_quantity(r, comp, r.table[comp], comp, "conc", 1.0)
        if v is not None:
            out[comp] = v
    r.done()
    return out


def bd_skip_column0(binding) -> frozenset:
    """Parameters the binding model does not read for component 0 (counter-ion, salt)."""
    return bd.SKIP_COLUMN0.get(binding, frozenset()) if binding else frozenset()


_DIMENSIONLESS_PARAMS = ("H", "n", "z", "K_sel", "nu", "sigma")
_BARE_SI = {("sma", "k_a"), ("sma", "k_d"), ("freundlich", "K_F")}


def _parameter(r: Reader, key, value, comp, binding, skeleton):
    """One binding/transport parameter of component ``comp`` in SI."""
    if (binding, key) in _BARE_SI:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
        r.error(key, f"{value!r}: give a bare number in SI units ({bd.PARAM_UNITS[key]}); its "
                     f"unit depends on the model's exponents")
        return None
    if key == "q_max":
        return _component_quantity(r, key, value, comp, "loading", skeleton)
    if key == "K":
        return _component_quantity(r, key, value, comp, "affinity", 1.0)
    if key == "c_lin":
        return _component_quantity(r, key, value, comp, "conc", 1.0)
    if key in _DIMENSIONLESS_PARAMS:
        lo = {"n": 0.0, "z": 0.0, "nu": 0.0}.get(key)
        return r.convert(key, value, units.DIMENSIONLESS, gt=lo) if lo is not None else \
            r.convert(key, value, units.DIMENSIONLESS, ge=0.0 if key != "H" else None)
    if key == "k_a":
        return r.convert(key, value, (3, 0, -1, -1, 0), ge=0.0)
    if key == "k_f":
        return r.convert(key, value, units.VELOCITY, gt=0.0)
    if key in ("pore_diffusion", "surface_diffusion"):
        return r.convert(key, value, units.DIFFUSIVITY, gt=0.0 if key == "pore_diffusion"
                         else None, ge=0.0 if key == "surface_diffusion" else None)
    return r.convert(key, value, RATE, gt=0.0 if key == "k_d" else None, ge=0.0 if key != "k_d"
                     else None)


def _capacity(r: Reader, skeleton):
    """Ion-exchange capacity Lambda (eq per m^3 of solid skeleton): '1.6 eq/L' of resin
    particles, '2 eq/kg', or a bare SI number."""
    value = r.raw("capacity")
    if value is None:
        return None
    for dims, factor in ((units.MOLAR_CONCENTRATION, 1.0), ((0, -1, 0, 1, 0), skeleton)):
        try:
            v = units.to_si(value, dims) * factor
        except units.UnitError:
            continue
        if v > 0:
            return v
    r.error("capacity", f"{value!r}: expected a capacity > 0 ('1.6 eq/L' per solid volume, "
                        f"'2 eq/kg', or eq/m^3 of solid)")
    return None


def parse_column_scenario(raw: dict, source: str = "scenario") -> ColumnScenario:
    issues: list[Issue] = []
    top = Reader(raw, "", issues)
    version = top.integer("schema_version")
    if version is not None and version != 1:
        top.error("schema_version", f"{version} is not supported (this leachsim reads 1)")
    meta = top.sub("meta", required=False) or Reader({}, "meta", issues)
    name = meta.string("name", Path(source).stem)
    description = meta.string("description", "")
    targets = meta.list("targets", [])
    meta.done()

    col = top.sub("column")
    length = diameter = eps = disp = cells = None
    scheme, degree = "finite-volume", 0
    initial: dict[str, float] = {}
    if col is not None:
        length = col.quantity("length", units.LENGTH, gt=0.0)
        diameter = col.quantity("diameter", units.LENGTH, gt=0.0)
        eps = col.number("bed_porosity", gt=0.0, lt=1.0)
        disp = col.quantity("dispersion", units.DIFFUSIVITY, ge=0.0)
        scheme = col.string("scheme", "finite-volume", choices=SCHEMES)
        if scheme == "dg":
            if col.has("cells"):
                col.error("cells", "a DG bed is divided into 'elements' (with "
                                   "'polynomial_degree'), not cells")
            cells = col.integer("elements", 8, ge=1, le=10_000)
            degree = col.integer("polynomial_degree", 4, ge=1, le=12)
        else:
            cells = col.integer("cells", 100, ge=3, le=100_000)
        initial = _concentrations(col.sub("initial", required=False))
        col.done()

    sor = top.sub("sorbent")
    sname = density = pmodel = binding = eps_p = r_p = capacity = counter = nr = None
    radial = None
    kinetic = True
    params: dict[str, dict[str, float]] = {}
    need: tuple[str, ...] = ()
    if sor is not None:
        sname = sor.string("name", "sorbent")
        density = sor.quantity("density", units.DENSITY, gt=0.0, what="particle density")
        pmodel = sor.string("particle_model", choices=PARTICLE_MODELS)
        binding = sor.string("binding", choices=tuple(bd.MODELS))
        kinetic = sor.boolean("kinetic", pmodel != "equilibrium")
        if pmodel == "equilibrium" and kinetic:
            sor.error("kinetic", "true contradicts particle_model = 'equilibrium' (local "
                                 "equilibrium is rapid-equilibrium binding); use "
                                 "'lumped-rate' for binding at a rate")
        if pmodel in WITH_PORES:
            eps_p = sor.number("particle_porosity", gt=0.0, lt=1.0)
            r_p = sor.quantity("particle_radius", units.LENGTH, gt=0.0)
        if pmodel == "general-rate":
            radial = sor.string("radial_scheme", "finite-volume", choices=RADIAL_SCHEMES)
            if radial == "collocation":
                if sor.has("radial_cells"):
                    sor.error("radial_cells", "a bead on collocation is resolved by "
                                              "'radial_points', not cells")
                nr = sor.integer("radial_points", 5, ge=1, le=30)
            else:
                nr = sor.integer("radial_cells", 8, ge=1, le=1000)
        skeleton = (density or 1.0) / (1.0 - (eps_p or 0.0))  # kg per m^3 of solid skeleton
        if binding in bd.COMPONENT0_ROLE:
            counter = sor.string("counter_ion")
            if counter is not None and counter not in COMPONENT_MASS:
                sor.error("counter_ion", f"unknown component '{counter}'"
                                         f"{suggest(counter, COMPONENT_MASS)}")
                counter = None
        if binding is not None and "Lambda" in bd.REQUIRED_PARAMS[binding]:
            capacity = _capacity(sor, skeleton)
        preader = sor.sub("parameters")
        table = bd.REQUIRED_PARAMS if kinetic is not False else bd.EQUILIBRIUM_PARAMS
        need = tuple(k for k in table.get(binding, ()) if k != "Lambda") + (
            ("k_f",) if pmodel in WITH_PORES else ()) + (
            ("pore_diffusion",) if pmodel == "general-rate" else ())
        skip0 = bd_skip_column0(binding)
        if preader is not None:
            for comp in list(preader.table):
                if comp not in COMPONENT_MASS:
                    preader.seen.add(comp)
                    preader.error(comp, f"unknown component '{comp}' (an element symbol)"
                                        f"{suggest(comp, COMPONENT_MASS)}")
                    continue
                pr = preader.sub(comp)
                if pr is None:
                    continue
                values = {}
                for key in need:
                    if comp == counter and key in skip0:
                        continue
                    v = pr.raw(key)
                    if v is not None:
                        v = _parameter(pr, key, v, comp, binding, skeleton)
                    if v is not None:
                        values[key] = v
                if pmodel == "general-rate" and pr.has("surface_diffusion"):
                    v = _parameter(pr, "surface_diffusion", pr.raw("surface_diffusion"), comp,
                                   binding, skeleton)
                    if v is not None:
                        values["surface_diffusion"] = v
                pr.done()
                params[comp] = values
            preader.done()
        sor.done()

    sections: list[Section] = []
    comps: dict[str, None] = {}
    for sr in top.tables("inlet"):
        sec_name = sr.string("name", f"section {len(sections) + 1}")
        duration = sr.quantity("duration", units.TIME, gt=0.0)
        bed = math.pi * diameter ** 2 / 4.0 * length if length and diameter else None
        flow = per_bed(sr, "flow_rate", units.VOLUME_FLOW, bed)
        composition = _concentrations(sr.sub("composition"))
        ramp = sr.sub("composition_end", required=False)
        composition_end = _concentrations(ramp) if ramp is not None else dict(composition)
        comps.update(dict.fromkeys(composition))
        comps.update(dict.fromkeys(composition_end))
        sr.done()
        if duration is not None and flow is not None:
            sections.append(Section(sec_name, duration, flow, composition, composition_end))
    if "inlet" in raw and not raw.get("inlet"):
        top.error("inlet", "no inlet section given ([[inlet]])")

    solver = top.sub("solver", required=False)
    rtol, atol, outputs = 1e-6, 1e-8, 401
    profiles: list[float] = []
    if solver is not None:
        rtol = solver.number("rtol", rtol, gt=0.0, lt=1e-1) or rtol
        atol = solver.number("atol", atol, gt=0.0, lt=1e-1) or atol
        outputs = solver.integer("outputs", outputs, ge=2, le=1_000_000) or outputs
        total = sum(sec.duration for sec in sections)
        for i, v in enumerate(solver.list("profiles", []) or []):
            tp = solver.convert(f"profiles[{i}]", v, units.TIME, ge=0.0, le=total)
            if tp is not None:
                profiles.append(tp)
        solver.done()
    top.done()

    ordered = ([counter] if counter else []) + [c for c in comps if c != counter] + [
        c for c in initial if c != counter and c not in comps]
    components = tuple(ordered)
    skip0 = bd_skip_column0(binding)
    for comp in components:
        if comp == counter and not (set(need) - skip0):
            params.setdefault(comp, {})
            continue
        if sor is not None and comp not in params and binding is not None:
            issues.append(Issue(f"sorbent.parameters.{comp}",
                                f"missing: the feed carries '{comp}' but the sorbent has no "
                                f"parameters for it ({', '.join(need)})"))
        elif sor is not None and binding is not None:
            missing = [k for k in need if k not in params[comp]
                       and not (comp == counter and k in skip0)]
            if missing and not any(i.path.startswith(f"sorbent.parameters.{comp}.")
                                   for i in issues):
                issues.append(Issue(f"sorbent.parameters.{comp}",
                                    f"missing {', '.join(missing)} (needed by binding "
                                    f"'{binding}')"))
    for comp in params:
        if comp not in components and comp in COMPONENT_MASS:
            issues.append(Issue(f"sorbent.parameters.{comp}",
                                f"'{comp}' is in no inlet composition{suggest(comp, comps)}"))
    checked = []
    for i, t in enumerate(targets or []):
        if t not in comps:
            issues.append(Issue(f"meta.targets[{i}]", f"'{t}' is not fed{suggest(str(t), comps)}"))
        else:
            checked.append(t)
    if issues:
        raise ConfigError(issues, source)
    return ColumnScenario(name, description, tuple(checked), components, length, diameter, eps,
                          disp, cells, scheme or "finite-volume", degree or 0, sname, density,
                          pmodel, binding, kinetic, counter,
                          capacity, initial, eps_p, r_p, nr, radial, params, tuple(sections),
                          rtol, atol, outputs, tuple(sorted(profiles)), raw, source)
