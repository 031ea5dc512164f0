"""leachsim's aqueous speciation against PHREEQC (IPhreeqc, via the optional ``phreeqpython``).

    pip install phreeqpython                         # optional; bundles IPhreeqc
    python benchmarks/vs_phreeqc.py                  # PHREEQC on leachsim's own constant table
    python benchmarks/vs_phreeqc.py --database minteq.v4.dat   # also against the full database

Two comparisons, on a handful of realistic leachates:

1. Same constants, independent solver.  The PHREEQC database is written here from leachsim's
   species table (``leachsim.chemistry.aqueous_data``) with no ``-gamma`` entries, so PHREEQC
   uses the Davies equation (log γ = 0.1 I for neutral species) as leachsim does; Kw(T) goes in
   as an ``-analytic`` expression equal to leachsim's.  Differences measure the solvers
   (and activity details), not the data.  This is what ``tests/test_vs_phreeqc.py`` asserts.
2. ``--database FILE``: the complete minteq.v4.dat (shipped e.g. in the PyPI package
   ``phreeqc``, ``phreeqc/databases/minteq.v4.dat``).  That database gives many species
   ion-size parameters (extended Debye-Hückel instead of Davies) and holds species leachsim
   leaves out; the differences show what that selection and the activity model cost.

Concentrations: leachsim's mol/m^3 are passed to PHREEQC as mmol/kgw (leachsim treats
c mol/m^3 as c/1000 mol/kg).  Printed: pH, ionic strength, and the share of V/Co/Li (and Fe)
in their main species in both codes, with differences.
"""
from __future__ import annotations

import argparse
import math
import sys

from leachsim.chemistry.aqueous_data import (MASTER_SPECIES, PHASES, REACTIONS,
                                             WATER_LOG_KW_FIT)
from leachsim.chemistry.speciation import (T_REF, formation_stoichiometry, log_kw_fit,
                                           speciate)

# component -> (PHREEQC element name, formula weight used by the "as" column)
_PHREEQC_ELEMENT = {"V": "V", "Co": "Co", "Li": "Li", "Na": "Na", "K": "K", "Ca": "Ca",
                    "Mg": "Mg", "Mn": "Mn", "Cu": "Cu", "Ni": "Ni", "Al": "Al", "Fe": "Fe",
                    "SO4": "S", "Cl": "Cl", "CO3": "C", "NO3": "N"}

# Input names fixing the valence state for a database with redox couples (minteq.v4.dat):
# PHREEQC keeps each valence-state total given in an initial solution, instead of distributing
# an element over its states by the default pe 4 (which would turn most Fe(III) into Fe(II)).
_PHREEQC_VALENCE = {"V": "V(5)", "Co": "Co(2)", "Mn": "Mn(2)", "Cu": "Cu(2)", "Fe": "Fe(3)",
                    "SO4": "S(6)", "CO3": "C(4)", "NO3": "N(5)"}

LEACHATES = {
    # Acid cobalt tailings leachate (Cu-Co tailings, H2SO4), pH from the charge balance.
    "acid Co tailings": dict(totals={"Co": 2.0, "Cu": 1.0, "Fe": 5.0, "Al": 3.0, "Ca": 8.0,
                                     "Mg": 10.0, "Mn": 1.0, "Na": 1.0, "Cl": 1.0, "SO4": 45.0},
                             pH=None),
    # Alkaline BOF slag leachate, V(V) 100 mg/L, pH imposed at 11.5.
    "BOF slag, pH 11.5": dict(totals={"V": 2.0, "Na": 5.0, "K": 1.0, "Ca": 8.0, "CO3": 1.0,
                                      "SO4": 1.0, "Cl": 1.0}, pH=11.5),
    # Lithium sulfate leachate of a mica roast (Li 140 mg/L), pH from the charge balance.
    "Li sulfate (mica)": dict(totals={"Li": 20.0, "Na": 10.0, "K": 5.0, "Al": 2.0, "Ca": 5.0,
                                      "Mg": 5.0, "SO4": 31.0, "Cl": 2.0}, pH=None),
    # Vanadium leachate conditioned to pH 4 for an anion exchanger (V 1 g/L).
    "V leachate, pH 4": dict(totals={"V": 20.0, "Na": 20.0, "SO4": 10.0, "Fe": 0.5,
                                     "Al": 1.0}, pH=4.0),
}
ELEMENTS_SHOWN = ("V", "Co", "Li", "Fe")


def database_text() -> str:
    """A PHREEQC database holding exactly leachsim's species table (Davies everywhere)."""
    lines = ["SOLUTION_MASTER_SPECIES",
             "H H+ -1 H 1.008", "H(0) H2 0 H", "H(1) H+ -1 H", "E e- 0 0 0",
             "O H2O 0 O 16.0", "O(0) O2 0 O", "O(-2) H2O 0 O"]
    for component, element in _PHREEQC_ELEMENT.items():
        alkalinity = 2.0 if component == "CO3" else 0.0
        lines.append(f"{element} {MASTER_SPECIES[component]} {alkalinity} {element} 1.0")
    lines += ["SOLUTION_SPECIES", "H+ = H+", " log_k 0", "e- = e-", " log_k 0",
              "H2O = H2O", " log_k 0"]
    for component in _PHREEQC_ELEMENT:
        lines += [f"{MASTER_SPECIES[component]} = {MASTER_SPECIES[component]}", " log_k 0"]
    lines += ["2 H2O = O2 + 4 H+ + 4 e-", " log_k -86.08",
              "2 H+ + 2 e- = H2", " log_k -3.15"]
    masters = set(MASTER_SPECIES[c] for c in _PHREEQC_ELEMENT) | {"H+", "H2O"}
    for reaction in REACTIONS:
        if not set(formation_stoichiometry(reaction.species, reaction.reaction)) <= masters:
            continue                                     # ammonia: not in this database
        lines.append(reaction.reaction)
        if reaction.species == "OH-":
            a = list(WATER_LOG_KW_FIT)
            a[0] += reaction.log_k - log_kw_fit(T_REF)
            lines.append(" -analytic " + " ".join(repr(v) for v in a))
        else:
            lines += [f" log_k {reaction.log_k!r}", f" delta_h {reaction.delta_h!r} kJ"]
    lines.append("PHASES")
    for phase in PHASES:
        lines += [phase.species, " " + phase.reaction, f" log_k {phase.log_k!r}",
                  f" delta_h {phase.delta_h!r} kJ"]
    return "\n".join(lines) + "\n"


def new_phreeqc(phreeqpython_class, database: str):
    """An IPhreeqc instance on ``database`` (text), with more iterations, a smaller step limit and
    diagonal scaling than PHREEQC's defaults: with its defaults PHREEQC fails to converge on the
    pH-4 vanadium leachate (decavanadates: 10th power of [VO2+])."""
    pp = phreeqpython_class()
    pp.ip.load_database_string(database)
    errors = pp.ip.get_error_string()
    if errors.strip():
        raise RuntimeError(f"PHREEQC rejected the database:\n{errors}")
    pp.ip.run_string("KNOBS\n -iterations 5000\n -step_size 2\n -diagonal_scale true\nEND\n")
    return pp


def phreeqc_solve(pp, totals, pH, temperature, valence_states):
    """Speciate in PHREEQC; returns (pH, I, {species: mol/kgw})."""
    solution = {"units": "mmol/kgw", "temp": temperature - 273.15,
                "pH": f"{pH} " if pH is not None else "7 charge"}
    for component, amount in totals.items():
        name = _PHREEQC_VALENCE.get(component) if valence_states else None
        solution[name or _PHREEQC_ELEMENT[component]] = amount
    s = pp.add_solution(solution)
    return s.pH, s.I, dict(s.species_molalities)


def element_fractions(concentrations: dict, element: str) -> dict:
    """Share of an element in each species, from species concentrations and leachsim's table."""
    master = MASTER_SPECIES[element]
    held = {}
    for reaction in REACTIONS:
        nu = formation_stoichiometry(reaction.species, reaction.reaction).get(master, 0.0)
        if nu > 0 and reaction.species in concentrations:
            held[reaction.species] = nu * concentrations[reaction.species]
    if master in concentrations:
        held[master] = concentrations[master]
    total = sum(held.values())
    return {k: v / total for k, v in held.items()} if total > 0 else {}


def compare(pp, name, case, temperature, valence_states=False):
    """Both codes on one leachate: a dict of pH, I and element fractions."""
    ours = speciate(case["totals"], temperature, pH=case["pH"])
    try:
        ph_phreeqc, i_phreeqc, molalities = phreeqc_solve(pp, case["totals"], case["pH"],
                                                       temperature, valence_states)
    except Exception as error:          # IPhreeqc raises a bare Exception on non-convergence
        print(f"{name}: PHREEQC failed: {str(error).strip().splitlines()[-1]}")
        return None
    result = {"name": name, "pH": (ours.pH, ph_phreeqc), "I": (ours.ionic_strength, i_phreeqc),
              "fractions": {}}
    ours_conc = ours.as_dict()
    for element in ELEMENTS_SHOWN:
        if element not in case["totals"]:
            continue
        mine = element_fractions(ours_conc, element)
        theirs = element_fractions(molalities, element)
        result["fractions"][element] = {sp: (mine.get(sp, 0.0), theirs.get(sp, 0.0))
                                        for sp in set(mine) | set(theirs)}
    return result


def report(results, title):
    print(f"\n== {title}")
    for r in results:
        (p1, p2), (i1, i2) = r["pH"], r["I"]
        print(f"{r['name']:<22} pH leachsim {p1:7.4f}  PHREEQC {p2:7.4f}  diff {p1 - p2:+.4f}"
              f"   I {i1:.4g} / {i2:.4g} mol/kg")
        for element, shares in r["fractions"].items():
            main = sorted(shares.items(), key=lambda kv: -max(kv[1]))[:4]
            text = ", ".join(f"{sp} {a:.4f}/{b:.4f} ({a - b:+.4f})" for sp, (a, b) in main)
            print(f"    {element}: {text}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a full PHREEQC database file (e.g. minteq.v4.dat)")
    parser.add_argument("--temperature", type=float, default=298.15, help="K (default 298.15)")
    args = parser.parse_args(argv)
    try:
        from phreeqpython import PhreeqPython
    except ImportError:
        sys.exit("phreeqpython is not installed: pip install phreeqpython")

    def run(database: str, title: str, valence_states: bool):
        pp = new_phreeqc(PhreeqPython, database)
        results = [compare(pp, name, case, args.temperature, valence_states)
                   for name, case in LEACHATES.items()]
        results = [r for r in results if r is not None]
        report(results, title)
        return results

    results = run(database_text(), "PHREEQC with leachsim's constants, Davies in both", False)
    worst_ph = max(abs(r["pH"][0] - r["pH"][1]) for r in results)
    worst_share = max(abs(a - b) for r in results for shares in r["fractions"].values()
                      for a, b in shares.values())
    print(f"\nworst |pH difference| {worst_ph:.2e}; worst species-share difference "
          f"{worst_share:.2e} (absolute)")
    if args.database:
        with open(args.database, encoding="latin-1") as f:
            run(f.read(), f"PHREEQC with the full {args.database} (its own activity model)",
                True)
    return 0 if math.isfinite(worst_ph) else 1


if __name__ == "__main__":
    raise SystemExit(main())
