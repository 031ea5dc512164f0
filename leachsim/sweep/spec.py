"""The ``[sweep]`` table of a scenario file and the matching command-line options.

::

    [sweep]
    design = "lhs"                 # grid | zip | lhs | sobol | oat
    samples = 256                  # lhs, sobol (a power of 2)
    seed = 7                       # lhs, sobol (default 0)
    indices = true                 # sobol: Saltelli layout for Sobol indices
    record = ["extraction_V", "reagent_consumption_H2SO4"]   # Results.scalars (default all)
    curves = ["time", "extraction"]                           # Results variables (default none)

    [[sweep.vary]]
    path = "leach.temperature"     # any scenario value by its dotted path
    range = ["40 degC", "90 degC"] # or: values = ["40 degC", "60 degC"]
    scale = "linear"               # or "log"
    points = 5                     # levels of a range in grid / zip / oat designs

On the command line ``--vary PATH=LOW:HIGH[:log][:N]`` gives a range, ``--vary
PATH=V1,V2,...`` a list, and ``--set PATH=VALUE`` changes the base scenario; each value is
read as TOML (``40``, ``true``) or else taken as text (``60 degC``).  Problems are reported
together as a ``ConfigError``, each with its dotted path (``sweep.vary[1].range``), the bad
value and what was expected, exactly like the scenario reader's.
"""
from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass

from .. import units
from ..config.errors import ConfigError, Issue
from ..config.reader import Reader
from ..config.scenario import _INDEX, scenario_from_raw, set_path
from .design import DESIGNS, SCALES, Design, Parameter, numeric_values


@dataclass(frozen=True)
class SweepSpec:
    """A parsed ``[sweep]`` table: the design and what to record of each case."""

    design: Design
    record: tuple[str, ...] | None  # scalar names; None: every scalar of the first result
    curves: tuple[str, ...] = ()
    table: dict | None = None  # the table as given (stored in the sweep file)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.design.parameters)


def parse_sweep(table: dict, source: str = "scenario") -> SweepSpec:
    """Validate a ``[sweep]`` table; raises ConfigError listing every problem."""
    issues: list[Issue] = []
    r = Reader(table, "sweep", issues)
    kind = r.string("design", "grid", choices=DESIGNS)
    sampled = kind in ("lhs", "sobol")
    samples = None
    if sampled:
        samples = r.integer("samples", ge=1, le=10_000_000)
    elif r.has("samples") and kind is not None:
        r.error("samples", f"{r.raw('samples')!r}: only designs 'lhs' and 'sobol' take a number "
                           f"of samples (design is '{kind}')")
    if kind == "sobol" and samples and samples & (samples - 1):
        lo = 1 << (samples.bit_length() - 1)
        r.error("samples", f"{samples} is not a power of 2 (Sobol points keep their balance only "
                           f"in powers of 2: use {lo} or {2 * lo})")
    seed = r.integer("seed", 0, ge=0)
    indices = r.boolean("indices", False)
    if indices and kind != "sobol":
        r.error("indices", "Sobol indices need design = 'sobol'")
    record = _names(r, "record", None)
    curves = _names(r, "curves", [])
    params = [_parameter(v, kind) for v in r.tables("vary")]
    if not r.has("vary") or not params:
        if not any(i.path.startswith("sweep.vary") for i in issues):
            r.error("vary", "no parameter to vary (give [[sweep.vary]] tables with path and "
                            "values or range)")
    r.done()
    ok = [p for p in params if p is not None]
    seen: dict[str, int] = {}
    for i, p in enumerate(params):
        if p is None:
            continue
        if p.path in seen:
            issues.append(Issue(f"sweep.vary[{i}].path", f"'{p.path}' is already varied by "
                                                         f"sweep.vary[{seen[p.path]}]"))
        seen.setdefault(p.path, i)
    if kind == "zip" and ok:
        counts = {p.path: len(p.levels()) for p in ok}
        if len(set(counts.values())) > 1:
            issues.append(Issue("sweep.vary", "design 'zip' takes the levels in lockstep, but "
                                "their numbers differ: " + ", ".join(f"{k} {n}" for k, n in
                                                                    counts.items())))
    if issues:
        raise ConfigError(issues, source)
    design = Design(kind, tuple(ok), samples, seed, bool(indices))
    return SweepSpec(design, None if record is None else tuple(record), tuple(curves),
                     copy.deepcopy(table))


def _names(r: Reader, key: str, default):
    names = r.list(key, default)
    if names is None:
        return default
    bad = [i for i, n in enumerate(names) if not isinstance(n, str) or not n]
    for i in bad:
        r.error(f"{key}[{i}]", f"{names[i]!r}: expected a name (string)")
    return None if bad else names


def _parameter(r: Reader, kind: str) -> Parameter | None:
    n_issues = len(r.issues)
    path = r.string("path")
    if path is not None and not all(_INDEX.match(part) for part in path.split(".")):
        r.error("path", f"{path!r} is not a dotted path (e.g. 'leach.temperature' or "
                        f"'solid.phases[larnite].mass_fraction')")
    has_values, has_range = r.has("values"), r.has("range")
    if has_values == has_range:
        r.error(None, "give either values = [...] or range = [low, high]")
        r.seen.update(("values", "range"))
    scale = r.string("scale", "linear", choices=SCALES)
    points = r.integer("points", None, ge=2, le=100_000) if r.has("points") else None
    if points is not None and (has_values or kind in ("lhs", "sobol")):
        r.error("points", f"{points}: points divides a range in grid, zip and oat designs "
                          f"(here: {'a list of values' if has_values else 'design ' + kind})")
    out = None
    if has_values and not has_range:
        values = r.list("values")
        if values is not None and not values:
            r.error("values", "empty list")
        elif values is not None:
            if any(isinstance(v, (dict, list)) for v in values):
                r.error("values", f"{values!r}: expected single values (numbers or strings)")
            else:
                nums = numeric_values(values)
                if r.has("scale"):
                    r.error("scale", "scale applies to a range, not a list of values")
                out = Parameter(path, values=tuple(values), unit=nums[1] if nums else "")
    elif has_range and not has_values:
        out = _range(r, path, scale, points)
    r.done()
    return out if len(r.issues) == n_issues else None


def _range(r: Reader, path, scale, points) -> Parameter | None:
    ends = r.list("range")
    if ends is None:
        return None
    if len(ends) != 2:
        r.error("range", f"{ends!r}: expected [low, high]")
        return None
    nums, unit_texts = [], []
    for end in ends:
        if isinstance(end, (int, float)) and not isinstance(end, bool):
            nums.append(float(end))
            unit_texts.append("")
            continue
        try:  # the unit itself is checked by the scenario reader (check_paths)
            x, unit = units.split_text(end) if isinstance(end, str) else (None, None)
            if x is None:
                raise units.UnitError("expected a number or a '<number> <unit>' string")
        except units.UnitError as exc:
            r.error("range", f"{end!r}: {exc}")
            return None
        nums.append(x)
        unit_texts.append(unit)
    if unit_texts[0] != unit_texts[1]:
        r.error("range", f"{ends!r}: give both ends in the same unit")
        return None
    lo, hi = nums
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        r.error("range", f"{ends!r}: expected low < high")
        return None
    if scale == "log" and lo <= 0:
        r.error("range", f"{ends!r}: a log scale needs low > 0")
        return None
    integer = all(isinstance(e, int) and not isinstance(e, bool) for e in ends)
    return Parameter(path, low=lo, high=hi, unit=unit_texts[0], scale=scale, points=points,
                     integer=integer)


# --------------------------------------------------------------------------- scenario paths
def get_path(raw: dict, path: str):
    """The value at a dotted path of a scenario table (None where absent)."""
    node = raw
    for part in path.split("."):
        m = _INDEX.match(part)
        if not m or not isinstance(node, dict):
            return None
        node = node.get(m.group(1))
        for sel in m.group(2)[1:-1].split("][") if m.group(2) else ():
            if not isinstance(node, list):
                return None
            if sel.lstrip("-").isdigit():
                pos = int(sel)
                node = node[pos] if -len(node) <= pos < len(node) else None
            else:
                node = next((it for it in node if isinstance(it, dict) and it.get("name") == sel),
                            None)
    return node


def numbered_path(raw: dict, path: str) -> str:
    """``path`` with items named by ``[name]`` given by position (``inlet[load]`` ->
    ``inlet[0]``), as the scenario reader names them in its errors."""
    parts = []
    node = raw
    for part in path.split("."):
        m = _INDEX.match(part)
        if not m:
            return path
        key = m.group(1)
        node = node.get(key) if isinstance(node, dict) else None
        text = key
        for sel in m.group(2)[1:-1].split("][") if m.group(2) else ():
            items = node if isinstance(node, list) else []
            names = [it.get("name") if isinstance(it, dict) else None for it in items]
            if not sel.lstrip("-").isdigit() and sel in names:
                sel = str(names.index(sel))
            text += f"[{sel}]"
            node = items[int(sel)] if sel.lstrip("-").isdigit() and -len(items) <= int(sel) \
                < len(items) else None
        parts.append(text)
    return ".".join(parts)


def check_paths(spec: SweepSpec, raw: dict, source: str) -> None:
    """Put each swept value alone into the base scenario and report the problems found at the
    swept path itself: a misspelt path, a value of the wrong unit or out of range.  These
    fail every case that has them, so they are caught before any case runs.  Problems
    elsewhere (mass fractions that no longer add up) may belong to a combination that the
    design puts right (a zip design varying two fractions together), so they are left to
    the cases, which record them as failed."""
    issues: list[Issue] = []
    for i, p in enumerate(spec.design.parameters):
        probes = p.values if not p.is_range else (p.text(p.low), p.text(p.high))
        for value in probes:
            trial = copy.deepcopy(raw)
            try:
                set_path(trial, p.path, value)
                scenario_from_raw(trial, source)
            except KeyError as exc:
                issues.append(Issue(f"sweep.vary[{i}].path", exc.args[0]))
                break
            except ConfigError as exc:
                where = {p.path, numbered_path(raw, p.path)}
                here = [x for x in exc.issues if any(
                    x.path == w or x.path.startswith((w + ".", w + "[")) for w in where)]
                for x in here:
                    what = ("path" if "unknown key" in x.message else
                            "values" if p.values is not None else "range")
                    issues.append(Issue(f"sweep.vary[{i}].{what}", f"{p.path} = {value!r}: "
                                                                   f"{x.message}"))
                if here:
                    break
    if issues:
        raise ConfigError(issues, source)


# --------------------------------------------------------------------------- command line
def _toml_value(text: str):
    """A command-line value as TOML (number, boolean, quoted string) or else as text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def _split_assignment(option: str, text: str) -> tuple[str, str]:
    if "=" not in text:
        raise ConfigError([Issue(option, f"{text!r}: expected PATH=VALUE")], "command line")
    path, value = text.split("=", 1)
    return path.strip(), value.strip()


def vary_option(text: str) -> dict:
    """``PATH=LOW:HIGH[:log][:N]`` (a range) or ``PATH=V1,V2,...`` (a list) as a vary table."""
    path, spec = _split_assignment("--vary", text)
    if ":" in spec:
        parts = [s.strip() for s in spec.split(":")]
        table: dict = {"path": path, "range": [_toml_value(parts[0]), _toml_value(parts[1])]}
        for extra in parts[2:]:
            if extra in SCALES:
                table["scale"] = extra
            else:
                table["points"] = _toml_value(extra)
        return table
    return {"path": path, "values": [_toml_value(v) for v in spec.split(",")]}


def set_option(text: str) -> tuple[str, object]:
    """``PATH=VALUE`` of ``--set``."""
    path, value = _split_assignment("--set", text)
    return path, _toml_value(value)


def merge_options(table: dict | None, *, vary=None, design=None, samples=None, seed=None,
                  indices=None, record=None, curves=None) -> dict:
    """The file's [sweep] table with command-line options put over it (``--vary`` replaces
    the file's list of varied parameters)."""
    out = copy.deepcopy(table) if table else {}
    if vary:
        out["vary"] = [vary_option(v) for v in vary]
    for key, value in (("design", design), ("samples", samples), ("seed", seed),
                       ("indices", indices), ("record", record), ("curves", curves)):
        if value is not None:
            out[key] = value
    return out


def apply_settings(raw: dict, settings: list[tuple[str, object]]) -> dict:
    """The base scenario table with ``--set`` values in it."""
    raw = copy.deepcopy(raw)
    for path, value in settings:
        try:
            set_path(raw, path, value)
        except KeyError as exc:
            raise ConfigError([Issue(path, exc.args[0])], "--set") from None
    return raw


__all__ = ["SweepSpec", "parse_sweep", "check_paths", "get_path", "merge_options",
           "apply_settings", "set_option", "vary_option"]
