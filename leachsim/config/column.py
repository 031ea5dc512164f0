"""Column-only scenarios: a feed given directly, run through one fixed-bed column.

Layout (quantities as everywhere: bare SI number or a unit string)::

    schema_version = 1
    [meta]      name, description, targets
    [column]    length, diameter, bed_porosity, dispersion, cells
    [sorbent]   name, density, particle_model = "lumped-rate" | "lumped-rate-pores",
                binding = "linear" | "langmuir", binding_rate = "ldf" | "kinetic",
                particle_porosity, particle_radius (pores only)
    [sorbent.parameters.<component>]   q_max, K, H, k_ldf, k_a, k_d, k_f (pores)
    [[inlet]]   name, duration, flow_rate, composition = { <component> = conc }
    [solver]    rtol, atol, outputs

Components are elements (``Co``, ``V``, ``Li``); mass concentrations and
capacities (``"100 mg/L"``, ``"25 mg/g"``, ``"0.05 L/mg"``) are converted
with the element's molar mass and the sorbent's particle density.  Inside,
liquid concentrations are mol/m^3 and loadings mol per m^3 of solid.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import units
from ..chemistry.elements import ATOMIC_MASS
from .errors import ConfigError, Issue
from .reader import Reader, suggest

PARTICLE_MODELS = ("lumped-rate", "lumped-rate-pores")
BINDINGS = ("linear", "langmuir")
BINDING_RATES = ("ldf", "kinetic")
# parameters each (binding rate, binding) needs, per component (pores add k_f)
REQUIRED = {
    ("ldf", "linear"): ("H", "k_ldf"),
    ("ldf", "langmuir"): ("q_max", "K", "k_ldf"),
    ("kinetic", "langmuir"): ("q_max", "k_a", "k_d"),
}
RATE = (0, 0, -1, 0, 0)  # 1/s
LOADING_PER_SOLID = units.MOLAR_CONCENTRATION  # mol per m^3 of solid
BED_VOLUMES_PER_TIME = "BV/h"


@dataclass(frozen=True)
class Section:
    name: str
    duration: float  # s
    flow_rate: float  # m^3/s
    composition: dict[str, float]  # mol/m^3


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
    cells: int
    sorbent_name: str
    sorbent_density: float  # particle density (with its pores), kg/m^3
    particle_model: str
    binding: str
    binding_rate: str
    particle_porosity: float | None
    particle_radius: float | None
    parameters: dict[str, dict[str, float]]
    inlet: tuple[Section, ...]
    rtol: float
    atol: float
    outputs: int
    raw: dict = field(repr=False, compare=False)
    source: str = "scenario"

    @property
    def area(self) -> float:
        return math.pi * self.diameter ** 2 / 4.0

    @property
    def bed_volume(self) -> float:
        return self.area * self.length

    def resolved(self) -> dict:
        out = asdict(self)
        out.pop("raw")
        return out

    def with_value(self, path: str, value) -> "ColumnScenario":
        """A copy with one value replaced (dotted path), validated again."""
        import copy

        from .scenario import set_path

        raw = copy.deepcopy(self.raw)
        set_path(raw, path, value)
        return parse_column_scenario(raw, self.source)


def _component_quantity(r: Reader, key, value, comp, kind, density):
    """Convert a concentration / loading / affinity for element ``comp``."""
    M = ATOMIC_MASS[comp]
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
    if col is not None:
        length = col.quantity("length", units.LENGTH, gt=0.0)
        diameter = col.quantity("diameter", units.LENGTH, gt=0.0)
        eps = col.number("bed_porosity", gt=0.0, lt=1.0)
        disp = col.quantity("dispersion", units.DIFFUSIVITY, ge=0.0)
        cells = col.integer("cells", 100, ge=3, le=100_000)
        col.done()

    sor = top.sub("sorbent")
    sname = density = pmodel = binding = brate = eps_p = r_p = None
    params: dict[str, dict[str, float]] = {}
    need: tuple[str, ...] = ()
    if sor is not None:
        sname = sor.string("name", "sorbent")
        density = sor.quantity("density", units.DENSITY, gt=0.0, what="particle density")
        pmodel = sor.string("particle_model", choices=PARTICLE_MODELS)
        binding = sor.string("binding", choices=BINDINGS)
        brate = sor.string("binding_rate", choices=BINDING_RATES)
        if brate and binding and (brate, binding) not in REQUIRED:
            sor.error("binding_rate", f"'{binding}' has no '{brate}' form (available: "
                                      f"{', '.join('/'.join(k) for k in REQUIRED)})")
        if pmodel == "lumped-rate-pores":
            eps_p = sor.number("particle_porosity", gt=0.0, lt=1.0)
            r_p = sor.quantity("particle_radius", units.LENGTH, gt=0.0)
        preader = sor.sub("parameters")
        need = REQUIRED.get((brate, binding), ()) + (
            ("k_f",) if pmodel == "lumped-rate-pores" else ())
        if preader is not None:
            for comp in list(preader.table):
                if comp not in ATOMIC_MASS:
                    preader.seen.add(comp)
                    preader.error(comp, f"unknown component '{comp}' (an element symbol)"
                                        f"{suggest(comp, ATOMIC_MASS)}")
                    continue
                pr = preader.sub(comp)
                if pr is None:
                    continue
                values = {}
                for key in need:
                    v = pr.raw(key)
                    if v is None:
                        continue
                    if key == "q_max":  # per volume of solid skeleton
                        skeleton = (density or 1.0) / (1.0 - (eps_p or 0.0))
                        v = _component_quantity(pr, key, v, comp, "loading", skeleton)
                    elif key == "K":
                        v = _component_quantity(pr, key, v, comp, "affinity", 1.0)
                    elif key == "H":
                        v = pr.convert(key, v, units.DIMENSIONLESS, ge=0.0)
                    elif key == "k_a":
                        v = pr.convert(key, v, (3, 0, -1, -1, 0), ge=0.0)
                    elif key == "k_f":
                        v = pr.convert(key, v, units.VELOCITY, gt=0.0)
                    else:
                        v = pr.convert(key, v, RATE, gt=0.0)
                    if v is not None:
                        values[key] = v
                pr.done()
                params[comp] = values
            preader.done()
        sor.done()

    sections: list[Section] = []
    comps: dict[str, None] = {}
    for sr in top.tables("inlet"):
        sec_name = sr.string("name", f"section {len(sections) + 1}")
        duration = sr.quantity("duration", units.TIME, gt=0.0)
        flow = None
        fv = sr.raw("flow_rate")
        if isinstance(fv, str) and fv.strip().endswith("BV/h"):
            try:
                bvh = float(fv.strip()[:-4])
            except ValueError:
                sr.error("flow_rate", f"{fv!r}: cannot read the number of bed volumes per hour")
            else:
                if bvh > 0 and length and diameter:
                    flow = bvh * (math.pi * diameter ** 2 / 4.0 * length) / 3600.0
                elif not bvh > 0:
                    sr.error("flow_rate", f"{fv!r} is out of range: expected > 0")
        elif fv is not None:
            flow = sr.convert("flow_rate", fv, units.VOLUME_FLOW, gt=0.0)
        comp_r = sr.sub("composition")
        composition: dict[str, float] = {}
        if comp_r is not None:
            for comp in list(comp_r.table):
                comp_r.seen.add(comp)
                if comp not in ATOMIC_MASS:
                    comp_r.error(comp, f"unknown component '{comp}'{suggest(comp, ATOMIC_MASS)}")
                    continue
                v = _component_quantity(comp_r, comp, comp_r.table[comp], comp, "conc", 1.0)
                if v is not None:
                    composition[comp] = v
                    comps[comp] = None
            comp_r.done()
        sr.done()
        if duration is not None and flow is not None:
            sections.append(Section(sec_name, duration, flow, composition))
    if "inlet" in raw and not raw.get("inlet"):
        top.error("inlet", "no inlet section given ([[inlet]])")

    solver = top.sub("solver", required=False)
    rtol, atol, outputs = 1e-6, 1e-8, 401
    if solver is not None:
        rtol = solver.number("rtol", rtol, gt=0.0, lt=1e-1) or rtol
        atol = solver.number("atol", atol, gt=0.0, lt=1e-1) or atol
        outputs = solver.integer("outputs", outputs, ge=2, le=1_000_000) or outputs
        solver.done()
    top.done()

    components = tuple(comps)
    for comp in components:
        if sor is not None and comp not in params and binding is not None:
            issues.append(Issue(f"sorbent.parameters.{comp}",
                                f"missing: the feed carries '{comp}' but the sorbent has no "
                                f"parameters for it ({', '.join(need)})"))
    for comp in params:
        if comp not in comps and comp in ATOMIC_MASS:
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
                          disp, cells, sname, density, pmodel, binding, brate, eps_p, r_p, params,
                          tuple(sections),
                          rtol, atol, outputs, raw, source)
