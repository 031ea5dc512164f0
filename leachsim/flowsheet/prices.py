"""Default price and CO2 table for the value of a route: every entry carries its date and source.

Values are converted once here to USD per kg (metals: per kg of contained element; reagents:
per kg of pure reagent).  A scenario's ``[economics]`` table overrides any entry; a reagent
or metal with no entry has no cost or value, and the results say so rather than assume zero.
Numbers from ../shared/reference/published-data.md, section 5.
"""
from __future__ import annotations

from dataclasses import dataclass

LB = 0.45359237  # kg
V_IN_V2O5 = 0.5602  # mass fraction of V in V2O5
LI_IN_LI2CO3 = 0.1879  # mass fraction of Li in Li2CO3


@dataclass(frozen=True)
class Price:
    usd_per_kg: float
    basis: str  # what was quoted, and the conversion
    date: str
    source: str


METAL_PRICES: dict[str, Price] = {
    "V": Price(9.10 / LB / V_IN_V2O5, "V2O5 9.10 USD/lb, per kg V at 56.02 wt% V", "2022-06-30",
               "MineralPrices.com newsletter (newsfilecorp.com)"),
    "Co": Price(24.77 / LB, "Co 24.77 USD/lb", "2022-06-30",
                "MineralPrices.com newsletter (newsfilecorp.com)"),
    "Li": Price(41_166e-3 / LI_IN_LI2CO3, "battery-grade Li2CO3 41,166 USD/t, per kg Li at "
                "18.79 wt% Li", "2023 average",
                "Benchmark Mineral Intelligence via MarketWatch, 19 Jan 2024"),
    "Cu": Price(9.380, "LME settlement 9,380 USD/t", "2024-10-18", "worldal.com LME tables"),
}

REAGENT_PRICES: dict[str, Price] = {
    "H2SO4": Price(128.67e-3, "US average 128.67 USD/t", "Q4-2025", "ChemAnalyst"),
    "HCl": Price(250.67e-3 / 0.36, "US average 250.67 USD/t of 35-37 % acid, per kg HCl at "
                 "36 %", "Q4-2025", "ChemAnalyst"),
    "NaOH": Price(0.460, "430-490 USD/t (Hamburg), midpoint", "Q3-2025", "PriceWatch"),
}

CO2_FACTORS: dict[str, Price] = {  # kg CO2-eq per kg reagent (usd_per_kg holds the factor)
    "NaOH": Price(0.6329, "kg CO2-eq per kg NaOH, JEMAI LCA Pro", "2013",
                  "Thannimalay, Yusoff, Zawawi, Aust. J. Basic Appl. Sci. 7(2) (2013) 421"),
}
