"""Named solid phases and reagents, looked up by name in scenario files.

Formulas are ideal end-members (Deer, Howie & Zussman, *An Introduction to
the Rock-Forming Minerals*, 3rd ed., 2013; mindat.org).  A scenario may give
any other phase by ``formula`` instead of ``mineral``.
"""
MINERALS = {
    # steel slag (Hobson et al. 2017 mineral list, reference file 1.2)
    "lime": "CaO",
    "periclase": "MgO",
    "wustite": "FeO",
    "larnite": "Ca2SiO4",
    "merwinite": "Ca3Mg(SiO4)2",
    "rankinite": "Ca3Si2O7",
    "akermanite": "Ca2MgSi2O7",
    "brownmillerite": "Ca2FeAlO5",
    "srebrodolskite": "Ca2Fe2O5",
    "portlandite": "Ca(OH)2",
    "calcite": "CaCO3",
    "magnetite": "Fe3O4",
    "hematite": "Fe2O3",
    "quartz": "SiO2",
    "manganosite": "MnO",
    # copper-cobalt ores and tailings
    "heterogenite": "CoOOH",
    "malachite": "Cu2CO3(OH)2",
    "chrysocolla": "CuSiO3·2H2O",
    "cuprite": "Cu2O",
    "carrollite": "CuCo2S4",
    "spherocobaltite": "CoCO3",
    "dolomite": "CaMg(CO3)2",
    "pyrite": "FeS2",
    "goethite": "FeOOH",
    # lithium micas and clays
    "lepidolite": "K(Li1.5Al1.5)(AlSi3)O10F2",
    "polylithionite": "KLi2AlSi4O10F2",
    "zinnwaldite": "KLiFeAl(AlSi3)O10F2",
    "muscovite": "KAl2(AlSi3O10)(OH)2",
    "kaolinite": "Al2Si2O5(OH)4",
    "spodumene": "LiAlSi2O6",
    "orthoclase": "KAlSi3O8",
    "albite": "NaAlSi3O8",
}

REAGENTS = {
    "H2SO4": "H2SO4",
    "HCl": "HCl",
    "HNO3": "HNO3",
    "NaOH": "NaOH",
    "Na2CO3": "Na2CO3",
    "NaHCO3": "NaHCO3",
    "H2O2": "H2O2",
    "SO2": "SO2",
    "Na2S2O5": "Na2S2O5",
    "NH3": "NH3",
    "citric_acid": "C6H8O7",
    "oxalic_acid": "H2C2O4",
    "acetic_acid": "CH3COOH",
}
