"""The stages between the leach and the column: solid/liquid separation and conditioning.

All amounts are per tonne of dry feed: volumes in m^3/t, amounts in mol/t, concentrations in
mol/m^3.  Each function returns where every mol went, so the route's mass balance is a sum.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..chemistry.speciation import Speciation, adjust_ph, speciate
from ..config.errors import ConfigError, Issue
from .scenario import Conditioning, Separation


@dataclass(frozen=True)
class SeparationResult:
    volume: float  # m^3/t of pregnant leach solution (filtrate + wash filtrate)
    wash_water: float  # m^3/t
    recovered: dict[str, float]  # mol/t to the pregnant solution
    entrained_loss: dict[str, float]  # mol/t lost with the residue's liquor
    reprecipitated: dict[str, float]  # mol/t returned to the residue as precipitate


def separate(sep: Separation, leachate_volume: float, dissolved: dict[str, float]
             ) -> SeparationResult:
    """Filter the slurry and wash the cake in ``wash_stages`` reslurry stages.

    Leachate volume V_L (m^3/t) with n_i (mol/t) in solution; the residue keeps the entrained
    liquor E (m^3/t, at most V_L).  Each wash stage mixes the cake liquor with R E of water
    (R = wash_ratio) and filters back to E, so after n stages the cake liquor holds the
    fraction f = (1 + R)^-n of what it held:

        recovered_i = n_i (1 - f E / V_L),   lost_i = n_i f E / V_L,
        V_PLS = V_L - E + n R E,             wash water = n R E.

    ``reprecipitated`` fractions leave first, with the solids (a precipitate formed in the
    leach, which the leach model does not track: Ca as CaCO3 in carbonate media).
    """
    E = min(sep.entrained_liquor * 1e3, leachate_volume)
    f = (1.0 + sep.wash_ratio) ** (-sep.wash_stages)
    keep = 1.0 - f * E / leachate_volume
    rec, lost, rep = {}, {}, {}
    for el, n in dissolved.items():
        rep[el] = n * sep.reprecipitated.get(el, 0.0)
        rec[el] = (n - rep[el]) * keep
        lost[el] = (n - rep[el]) - rec[el]
    wash = sep.wash_stages * sep.wash_ratio * E
    return SeparationResult(leachate_volume - E + wash, wash, rec, lost, rep)


@dataclass(frozen=True)
class ConditioningResult:
    volume: float  # m^3/t fed to the column
    dilution_water: float  # m^3/t
    reagent_dose: float  # mol/t of the pH reagent
    reagent_mass: float  # kg/t
    precipitated: dict[str, float]  # mol/t removed as hydroxide
    separated: dict[str, float]  # mol/t taken out by a separation the route does not model
    totals: dict[str, float]  # mol/m^3 of every solution component after conditioning
    speciation: Speciation  # of the conditioned leachate
    pH_before: float


def condition(cond: Conditioning, volume: float, totals: dict[str, float], temperature: float,
              source: str = "scenario") -> ConditioningResult:
    """Take out the ``separated`` fractions, dilute, then dose the reagent to the target pH,
    removing ``remove`` fractions as hydroxides.  ``totals`` (mol/m^3) hold the filtrate's components; the pH follows from
    electroneutrality (``chemistry.speciation``).  Reagent volume is neglected (a solid or
    concentrated reagent); its ions join the totals."""
    separated = {el: totals.get(el, 0.0) * f * volume for el, f in cond.separated.items()}
    diluted = {k: v * (1.0 - cond.separated.get(k, 0.0)) / cond.dilution
               for k, v in totals.items()}
    v_out = volume * cond.dilution
    before = speciate(diluted, temperature, oxidation=cond.oxidation or None)
    if cond.pH is None:
        return ConditioningResult(v_out, v_out - volume, 0.0, 0.0, {}, separated, diluted,
                                  before, before.pH)
    try:
        adj = adjust_ph(diluted, cond.pH, cond.reagent, temperature,
                        remove=cond.remove or None, oxidation=cond.oxidation or None)
    except ValueError as exc:  # a target the reagent cannot reach, named with what it can
        raise ConfigError([Issue("conditioning.pH", f"{cond.pH:g} with {cond.reagent}: "
                                                    f"{exc}")], source) from None
    precipitated = {el: (diluted.get(el, 0.0) - adj.totals.get(el, 0.0)) * v_out
                    for el in (cond.remove or {})}
    return ConditioningResult(v_out, v_out - volume, adj.dose * v_out,
                              adj.dose_mass * v_out, precipitated, separated, dict(adj.totals),
                              adj.speciation, before.pH)


def availability(spec: Speciation, element: str, sign: int) -> float:
    """Fraction of an element's total in species of the charge sign a sorbent takes."""
    frac = spec.charge_fraction(element, sign)
    return float(np.clip(frac, 0.0, 1.0))
