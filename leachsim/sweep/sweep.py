"""A sweep: a base scenario and the design of the cases around it."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from ..config.errors import ConfigError, Issue
from ..config.scenario import read_scenario_file, scenario_from_raw
from .design import Cases
from .spec import SweepSpec, apply_settings, check_paths, get_path, merge_options, parse_sweep


@dataclass(frozen=True)
class Sweep:
    """``scenario`` is the base case (any kind: leach, column, ...); ``spec`` the design and
    what to record."""

    scenario: object
    spec: SweepSpec

    @property
    def raw(self) -> dict:
        return self.scenario.raw

    @property
    def source(self) -> str:
        return self.scenario.source

    def cases(self) -> Cases:
        base = tuple(get_path(self.raw, p) for p in self.spec.paths)
        return self.spec.design.cases(base)


def make_sweep(scenario, table: dict) -> Sweep:
    """A sweep of a scenario object from a ``[sweep]``-like dict (Python use)."""
    spec = parse_sweep(table, scenario.source)
    check_paths(spec, scenario.raw, scenario.source)
    return Sweep(scenario, spec)


def load_sweep(path: str | Path, *, settings=(), **options) -> Sweep:
    """Read a scenario file and its ``[sweep]`` table.  ``options`` (vary, design, samples,
    seed, indices, record, curves) override the table as the command line does; ``settings``
    is a list of (path, value) put into the base scenario first (``--set``)."""
    raw, table = read_scenario_file(path)
    table = merge_options(table, **options)
    if not table:
        raise ConfigError([Issue("sweep", "no [sweep] table in the file and no --vary option: "
                                          "nothing to sweep")], str(path))
    raw = apply_settings(raw, settings)
    scenario = scenario_from_raw(raw, str(path))
    return make_sweep(scenario, table)


def sweep_from_state(state: dict) -> Sweep:
    """The sweep stored in a sweep file (``store.read_state``)."""
    scenario = scenario_from_raw(copy.deepcopy(state["raw"]), state["source"])
    return Sweep(scenario, parse_sweep(state["sweep"], state["source"]))
