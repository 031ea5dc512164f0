"""Aqueous speciation and pH adjustment of leachates (ion-association model, Davies activities).

Model
-----
Each component j (an element in a fixed oxidation state, or an anion: see ``COMPONENTS``) has a
master species (``VO2+``, ``Co+2``, ``SO4-2`` ...).  Every other species i forms from master
species, H+ and water by a mass-action law written with activities a = γ m:

    a_i = K_i(T) · Π_j a_j^ν_ij · a_H^ν_iH · a_w^n_i        (log K_i from ``aqueous_data``)

Unknowns are ln m_j of the free master species and ln a_H (pH = -log10 a_H).  Equations:

* mass balance of each component:  Σ_i ν_ij m_i = T_j
* charge balance:                  Σ_i z_i m_i = 0, equivalently a proton balance
  Σ_i ν_iH m_i = T_H with T_H = -Σ_j z_j T_j (z_j: charge of master species j), because
  z_i = Σ_j ν_ij z_j + ν_iH for every species.  The solution's totals therefore define its pH:
  1 mol/L sulfate and nothing else is sulfuric acid; 1 mol/L Na and nothing else is NaOH.
  With a given pH the charge balance is dropped and its residual reported (``acid_required``).

With the activity coefficients held fixed the balances are the gradient of the convex function
G(x) = Σ_i m_i(x) - Σ_j T_j x_j (x = ln free molalities, ln a_H); its Hessian
Σ_i m_i ν_i ν_iᵀ is positive definite, so Newton's method with a backtracking (Armijo) line
search on G converges from any start, decavanadates (ν = 10) included.  Activity coefficients
and the water activity are then updated from the ionic strength and the solve repeated until
the ionic strength no longer changes (relative 1e-12).

Activity coefficients (Davies 1962, as PHREEQC applies it to species without ion-size data):

    log10 γ_i = -A(T) z_i² (√I/(1+√I) - 0.3 I)     charged species
    log10 γ_i = 0.1 I                                neutral species (PHREEQC's convention)
    I = ½ Σ_i z_i² m_i,   A(T) = 1.82483e6 √ρ_w / (ε_r T)^1.5   (ρ_w in g/cm³)

with ε_r(T) of water from Bradley & Pitzer (1979, J. Phys. Chem. 83, 1599) at 1 bar and
ρ_w(T) from Kell (1975, J. Chem. Eng. Data 20, 97).  Water activity a_w = 1 - 0.017 Σ_i m_i
(PHREEQC, Parkhurst & Appelo 2013).  Davies is reliable to I ≈ 0.5 mol/kg: above that the
result carries a warning and its pH and species are estimates only (leachates of 1-6 M H2SO4
are far beyond it).  Above I = 1 mol/kg the charged species' γ are held at their I = 1 values
(Davies's +0.3 I term would otherwise make them grow without bound).

Temperature: van't Hoff with each reaction's standard enthalpy,

    log10 K(T) = log10 K(298.15) - ΔH / (R ln 10) · (1/T - 1/298.15),

except Kw, which follows the analytical fit of ``aqueous_data.WATER_LOG_KW_FIT``.

Units: totals and concentrations in mol/m^3 (= mmol/L), temperature in K.  The mass-action laws
use molalities; a concentration of c mol/m^3 is taken as c/1000 mol/kg (1 L of solution ≈ 1 kg
of water), exact for dilute solutions and a further approximation for concentrated leachates.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from .aqueous_data import (ALTERNATIVE_MASTER_SPECIES, MASTER_SPECIES, PHASES, REACTIONS,
                           WATER_LOG_KW_FIT)
from .formula import molar_mass

T_REF = 298.15                      # K, reference temperature of the log K table
GAS_CONSTANT = 8.314462618          # J/(mol K)
LN10 = math.log(10.0)
MOLALITY_PER_MOL_M3 = 1e-3          # (mol/kg) per (mol/m^3): 1 m^3 of solution ≈ 1000 kg water
DAVIES_LIMIT = 0.5                  # mol/kg, ionic strength up to which Davies is trusted
DAVIES_FREEZE = 1.0                 # mol/kg, charged-species γ are held at their value here above
COMPONENTS = tuple(MASTER_SPECIES)
# Element symbols accepted for the anion components (sulfate sulfur, inorganic carbon).
COMPONENT_ALIASES = {"S": "SO4", "C": "CO3"}

_TOLERANCE = 1e-12                  # relative residual of every balance at convergence
_MAX_NEWTON = 200
_MAX_ACTIVITY_UPDATES = 400
_MAX_STEP = 2.0 * LN10              # at most a factor 100 per Newton step in any free molality


class SpeciationError(RuntimeError):
    """The speciation equations could not be solved for the given totals."""


def _charge(name: str) -> int:
    """Charge of a species from its PHREEQC name: ``"HV10O28-5"`` -> -5, ``"VO2+"`` -> 1."""
    m = re.search(r"([+-])(\d*)$", name)
    if not m:
        return 0
    return (1 if m.group(1) == "+" else -1) * int(m.group(2) or 1)


def _reaction_coefficients(reaction: str) -> dict[str, float]:
    """Signed coefficients of a reaction string: products positive, reactants negative."""
    left, right = reaction.split("=")
    coefficients: dict[str, float] = {}
    for side, sign in ((left, -1.0), (right, 1.0)):
        for term in side.strip().split(" + "):
            m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s+)?(\S+)", term.strip())
            coefficient = float(m.group(1)) if m.group(1) else 1.0
            coefficients[m.group(2)] = coefficients.get(m.group(2), 0.0) + sign * coefficient
    return coefficients


def formation_stoichiometry(species: str, reaction: str) -> dict[str, float]:
    """Moles of each master species, ``H+`` and ``H2O`` that form one mole of ``species``."""
    coefficients = _reaction_coefficients(reaction)
    own = coefficients.pop(species)
    return {name: -c / own for name, c in coefficients.items() if c != 0.0}


def log_kw_fit(temperature: float) -> float:
    """log10 Kw from the analytical expression A1 + A2 T + A3/T + A4 log10 T + A5/T² + A6 T²."""
    a1, a2, a3, a4, a5, a6 = WATER_LOG_KW_FIT
    t = temperature
    return a1 + a2 * t + a3 / t + a4 * math.log10(t) + a5 / t**2 + a6 * t**2


def van_t_hoff(log_k_ref: float, delta_h: float, temperature: float) -> float:
    """log10 K(T) = log10 K(298.15 K) - ΔH/(R ln10) (1/T - 1/298.15); ΔH in kJ/mol, T in K."""
    return log_k_ref - delta_h * 1e3 / (GAS_CONSTANT * LN10) * (1.0 / temperature - 1.0 / T_REF)


def _log_k(reaction, temperature: float) -> float:
    if reaction.species == "OH-":
        return reaction.log_k + log_kw_fit(temperature) - log_kw_fit(T_REF)
    return van_t_hoff(reaction.log_k, reaction.delta_h, temperature)


def davies_a(temperature: float) -> float:
    """Debye-Hückel A (kg^0.5 mol^-0.5) = 1.82483e6 √ρ_w / (ε_r T)^1.5, ρ_w in g/cm³.

    ε_r: Bradley & Pitzer (1979) at 1 bar; ρ_w: Kell (1975), valid 0-150 °C.
    """
    t_c = temperature - 273.15
    density = (999.83952 + 16.945176 * t_c - 7.9870401e-3 * t_c**2 - 46.170461e-6 * t_c**3
               + 105.56302e-9 * t_c**4 - 280.54253e-12 * t_c**5) / (1.0 + 16.879850e-3 * t_c)
    eps_1000 = 3.4279e2 * math.exp(-5.0866e-3 * temperature + 9.4690e-7 * temperature**2)
    c = -2.0525 + 3.1159e3 / (temperature - 1.8289e2)
    b = -8.0325e3 + 4.2142e6 / temperature + 2.1417 * temperature
    permittivity = eps_1000 + c * math.log((b + 1.0) / (b + 1000.0))
    return 1.82483e6 * math.sqrt(density * 1e-3) / (permittivity * temperature) ** 1.5


class _System(NamedTuple):
    """The species that can form from a set of components, as arrays for the solver."""
    components: tuple[str, ...]      # component names; the solver adds H as the last column
    species: tuple[str, ...]         # masters first (same order as components), then H+, OH-, ...
    stoichiometry: np.ndarray        # (n_species, n_components + 1): ν_ij, last column ν_iH
    water: np.ndarray                # n_i, moles of H2O consumed to form species i
    charge: np.ndarray               # z_i
    reactions: tuple                 # Reaction per species (None for master species and H+)


def _master_species(oxidation: dict | None) -> dict[str, str]:
    masters = dict(MASTER_SPECIES)
    for element, state in (oxidation or {}).items():
        if (element, state) not in ALTERNATIVE_MASTER_SPECIES:
            choices = ", ".join(f"{e}: {s}" for e, s in ALTERNATIVE_MASTER_SPECIES)
            raise ValueError(f"oxidation: unsupported {element!r}: {state!r}; "
                             f"supported: {choices}")
        masters[element] = ALTERNATIVE_MASTER_SPECIES[(element, state)]
    return masters


@lru_cache(maxsize=256)
def _build_system(components: tuple[str, ...], masters: tuple[str, ...]) -> _System:
    column = {master: j for j, master in enumerate(masters)}
    column["H+"] = len(masters)
    rows, water, names, reactions = [], [], [], []

    def add(name, stoichiometry, reaction):
        row = np.zeros(len(masters) + 1)
        for other, nu in stoichiometry.items():
            if other != "H2O":
                row[column[other]] = nu
        rows.append(row)
        water.append(stoichiometry.get("H2O", 0.0))
        names.append(name)
        reactions.append(reaction)

    for master in masters:
        add(master, {master: 1.0}, None)
    add("H+", {"H+": 1.0}, None)
    for reaction in REACTIONS:
        stoichiometry = formation_stoichiometry(reaction.species, reaction.reaction)
        if all(name in column or name == "H2O" for name in stoichiometry):
            add(reaction.species, stoichiometry, reaction)
    stoichiometry = np.array(rows)
    stoichiometry.flags.writeable = False
    charge = np.array([_charge(name) for name in names], dtype=float)
    charge.flags.writeable = False
    water_arr = np.array(water)
    water_arr.flags.writeable = False
    return _System(components, tuple(names), stoichiometry, water_arr, charge, tuple(reactions))


def _canonical_totals(totals: dict) -> dict[str, float]:
    """Validate totals (mol/m^3) and map aliases (S -> SO4, C -> CO3); zero totals are dropped."""
    if not isinstance(totals, dict):
        raise TypeError(f"totals must be a dict component -> mol/m^3, got {type(totals).__name__}")
    canonical: dict[str, float] = {}
    for key, value in totals.items():
        name = COMPONENT_ALIASES.get(key, key)
        if name not in MASTER_SPECIES:
            hint = (" (nitrogen: give 'NO3' for nitrate or 'NH4' for ammonia/ammonium)"
                    if key == "N" else "")
            raise ValueError(f"unknown component {key!r}{hint}; known components: "
                             f"{', '.join(COMPONENTS)} (aliases: S = SO4, C = CO3)")
        value = float(value)
        if not math.isfinite(value) or value < 0.0:
            raise ValueError(f"total of {key!r} must be a finite number >= 0 mol/m^3, got {value}")
        canonical[name] = canonical.get(name, 0.0) + value
    return {name: value for name, value in canonical.items() if value > 0.0}


@dataclass(frozen=True)
class Speciation:
    """Result of ``speciate``: species concentrations and derived shares.

    ``concentration`` (mol/m^3) and ``activity_coefficient`` are arrays aligned with
    ``species`` (PHREEQC names, e.g. ``"H2V10O28-4"``); ``ionic_strength`` is in mol/kg;
    ``acid_required`` (mol/m^3) is the strong monoprotic acid (positive) or base (negative) that
    would make the solution electroneutral at the imposed pH (0 when the pH follows from the
    charge balance); ``davies_valid`` is False when I exceeds 0.5 mol/kg.
    """
    pH: float
    ionic_strength: float
    temperature: float
    totals: dict
    species: tuple
    concentration: np.ndarray
    activity_coefficient: np.ndarray
    charge: np.ndarray
    acid_required: float
    water_activity: float
    iterations: int
    warnings: tuple = ()
    _system: _System = field(default=None, repr=False)

    @property
    def davies_valid(self) -> bool:
        return self.ionic_strength <= DAVIES_LIMIT

    def __getitem__(self, species: str) -> float:
        """Concentration of one species, mol/m^3."""
        return float(self.concentration[self._index(species)])

    def as_dict(self) -> dict[str, float]:
        """Species name -> concentration (mol/m^3)."""
        return dict(zip(self.species, self.concentration.tolist()))

    def _index(self, species: str) -> int:
        try:
            return self.species.index(species)
        except ValueError:
            raise KeyError(f"no species {species!r} in this solution; present: "
                           f"{', '.join(self.species)}") from None

    def _column(self, element: str) -> int:
        name = COMPONENT_ALIASES.get(element, element)
        if name not in self._system.components:
            raise KeyError(f"component {element!r} is not in this solution; present: "
                           f"{', '.join(self._system.components)}")
        return self._system.components.index(name)

    def free(self, component: str) -> float:
        """Concentration of the free master species of a component (``free("V")`` = [VO2+])."""
        return float(self.concentration[self._column(component)])

    def activity(self, species: str) -> float:
        """Activity γ_i m_i (m_i in mol/kg) of one species."""
        i = self._index(species)
        return float(self.activity_coefficient[i] * self.concentration[i] * MOLALITY_PER_MOL_M3)

    def _held(self, element: str) -> np.ndarray:
        """mol/m^3 of the element held in each species: ν_ij c_i."""
        return self._system.stoichiometry[:, self._column(element)] * self.concentration

    def fraction(self, element: str) -> dict[str, float]:
        """Share of the element's total in each species that holds it: ν_ij c_i / Σ_i ν_ij c_i."""
        held = self._held(element)
        total = held.sum()
        return {name: float(h / total) for name, h in zip(self.species, held) if h > 0.0}

    def charge_fraction(self, element: str, sign: int) -> float:
        """Share of the element's total in cationic (sign +1), anionic (-1) or neutral (0) species."""
        if sign not in (-1, 0, 1):
            raise ValueError(f"sign must be -1, 0 or +1, got {sign!r}")
        held = self._held(element)
        return float(held[np.sign(self.charge) == sign].sum() / held.sum())

    def mean_charge(self, element: str, sign: int = -1) -> float:
        """Mean charge per atom of the element over its species of the given charge sign.

        Σ_i z_i c_i / Σ_i ν_ij c_i over species i with sign(z_i) = sign that hold the element:
        the equivalents of ion-exchange sites one mole of the element takes up when it is
        sorbed as those species.  -1 for H2VO4- or VO2SO4-, -2 for HVO4-2, -0.4 for
        H2V10O28-4, -0.6 for V10O28-6.  NaN when no such species holds the element.
        """
        if sign not in (-1, 1):
            raise ValueError(f"sign must be -1 (anions) or +1 (cations), got {sign!r}")
        held = self._held(element)
        chosen = (np.sign(self.charge) == sign) & (held > 0.0)
        amount = held[chosen].sum()
        if amount == 0.0:
            return math.nan
        return float((self.charge[chosen] * self.concentration[chosen]).sum() / amount)

    def saturation_index(self, phase: str) -> float:
        """SI = log10(IAP) - log10 Ksp(T) of a solid of ``aqueous_data.PHASES``; -inf if an ion
        of the solid is absent.  SI > 0: supersaturated, the solid can precipitate."""
        reaction = next((r for r in PHASES if r.species == phase), None)
        if reaction is None:
            raise KeyError(f"unknown phase {phase!r}; known: {', '.join(r.species for r in PHASES)}")
        solid = reaction.reaction.split("=")[0].split(" + ")[0].strip()
        log_iap = 0.0
        for name, nu in _reaction_coefficients(reaction.reaction).items():
            if name == solid:
                continue
            if name == "H2O":
                log_iap += nu * math.log10(self.water_activity)
            elif name == "H+":
                log_iap -= nu * self.pH
            elif name in self.species:
                log_iap += nu * math.log10(self.activity(name))
            else:
                return -math.inf
        return log_iap - van_t_hoff(reaction.log_k, reaction.delta_h, self.temperature)


def speciate(totals: dict, temperature: float = T_REF, pH: float | None = None,
             oxidation: dict | None = None) -> Speciation:
    """Speciate a solution given the totals of its components.

    totals: component -> total concentration in mol/m^3 (components: ``COMPONENTS``, i.e. V as
        V(V), Co(II), Li, Na, K, Ca, Mg, Mn(II), Cu(II), Ni(II), Al(III), Fe (III unless
        ``oxidation={"Fe": 2}``), SO4 (total sulfate), Cl, CO3 (total inorganic carbon), NO3,
        NH4 (total ammonia); "S" and "C" are accepted for SO4 and CO3).  H+ is not a total: it
        follows from the charge balance Σ z_i c_i = 0 (see the module docstring).
    temperature: K.  pH: if given, a_H+ = 10^-pH is imposed and ``acid_required`` reports the
        charge imbalance Σ z_i c_i as the strong acid (+) or base (-) that would be needed.
    Returns a ``Speciation``.  Above I = 0.5 mol/kg (Davies' limit) the result carries a warning
    and its pH is an estimate.  Raises ``SpeciationError`` if the solver fails to converge.
    """
    temperature = float(temperature)
    if not math.isfinite(temperature) or not 253.15 <= temperature <= 423.15:
        raise ValueError(f"temperature must be in K (253.15-423.15), got {temperature}")
    if pH is not None and (not math.isfinite(pH) or not -2.0 <= pH <= 16.0):
        raise ValueError(f"pH must be between -2 and 16, got {pH}")
    given = _canonical_totals(totals)
    masters_by_component = _master_species(oxidation)
    components = tuple(c for c in COMPONENTS if c in given)
    system = _build_system(components, tuple(masters_by_component[c] for c in components))

    n_components = len(components)
    nu = system.stoichiometry
    masters_charge = system.charge[:n_components]
    total = np.empty(n_components + 1)
    total[:n_components] = [given[c] * MOLALITY_PER_MOL_M3 for c in components]
    total[n_components] = -float(masters_charge @ total[:n_components])   # proton balance T_H

    log_k = np.zeros(len(system.species))
    for i, reaction in enumerate(system.reactions):
        if reaction is not None:
            log_k[i] = _log_k(reaction, temperature)
    ln_k = log_k * LN10
    a_davies = davies_a(temperature)
    kw = 10.0 ** log_k[system.species.index("OH-")]

    x = np.empty(n_components + 1)
    x[:n_components] = np.log(total[:n_components])
    if pH is None:
        t_h = total[n_components]
        guess = t_h if t_h > 0 else (kw / -t_h if t_h < 0 else math.sqrt(kw))
        x[n_components] = math.log(min(max(guess, 1e-15), 10.0))
        free = np.arange(n_components + 1)
    else:
        x[n_components] = -pH * LN10
        free = np.arange(n_components)

    ionic_strength = 0.5 * float((system.charge[:n_components] ** 2) @ total[:n_components])
    solutes = float(total[:n_components].sum())
    iterations = 0
    relaxation, previous = 1.0, None
    for _ in range(_MAX_ACTIVITY_UPDATES):
        ln_gamma, ln_water = _activity_terms(system.charge, ionic_strength, solutes, a_davies)
        offset = (ln_k + nu[:, :n_components] @ ln_gamma[:n_components]
                  - ln_gamma + system.water * ln_water)
        x, molality, steps = _newton(nu, offset, total, x, free)
        iterations += steps
        new_strength = 0.5 * float(system.charge**2 @ molality)
        new_solutes = float(molality.sum())
        change = new_strength - ionic_strength
        if (steps <= 1 and abs(change) <= _TOLERANCE * new_strength
                and abs(new_solutes - solutes) <= _TOLERANCE * new_solutes):
            break
        # Root of I*(I) - I by the secant method; a damped fixed-point step where the secant
        # leaves [I*/2, 2 I*] (damping halves whenever the fixed-point updates oscillate).
        if previous is not None and change * previous[1] < 0.0:
            relaxation = max(0.5 * relaxation, 0.02)
        next_strength = ionic_strength + relaxation * change
        if previous is not None and change != previous[1]:
            secant = ionic_strength - change * (ionic_strength - previous[0]) / (change - previous[1])
            if 0.5 * new_strength <= secant <= 2.0 * new_strength:
                next_strength = secant
        previous = (ionic_strength, change)
        ionic_strength, solutes = next_strength, new_solutes
    else:
        raise SpeciationError(f"activity coefficients did not converge (I = {ionic_strength} "
                              f"mol/kg) for totals {totals}")

    imbalance = float(system.charge @ molality)
    warnings = []
    if ionic_strength > DAVIES_LIMIT:
        warnings.append(f"ionic strength {ionic_strength:.3g} mol/kg exceeds the Davies limit "
                        f"({DAVIES_LIMIT} mol/kg): pH and speciation are estimates")
    if not 273.15 <= temperature <= 373.15:
        warnings.append(f"temperature {temperature:.2f} K is outside 273-373 K: van't Hoff "
                        "extrapolation with constant ΔH")
    return Speciation(
        pH=-x[n_components] / LN10,
        ionic_strength=ionic_strength,
        temperature=temperature,
        totals={c: given[c] for c in components},
        species=system.species,
        concentration=molality / MOLALITY_PER_MOL_M3,
        activity_coefficient=np.exp(ln_gamma),
        charge=system.charge,
        acid_required=(imbalance / MOLALITY_PER_MOL_M3) if pH is not None else 0.0,
        water_activity=math.exp(ln_water),
        iterations=iterations,
        warnings=tuple(warnings),
        _system=system,
    )


def _activity_terms(charge: np.ndarray, ionic_strength: float, solutes: float,
                    a_davies: float):
    """ln γ_i (Davies; log10 γ = 0.1 I for neutral species) and ln a_w = ln(1 - 0.017 Σ_i m_i).

    ionic_strength in mol/kg, solutes = Σ_i m_i in mol/kg.  Charged species use
    I* = min(I, 1 mol/kg): beyond it Davies's +0.3 I term makes γ grow without bound
    (γ(z=2) ≈ 170 at I = 6) and the activity-coefficient iteration has no stable fixed point.
    """
    root = math.sqrt(min(ionic_strength, DAVIES_FREEZE))
    davies = -a_davies * (root / (1.0 + root) - 0.3 * root**2)
    log_gamma = np.where(charge == 0.0, 0.1 * ionic_strength, davies * charge**2)
    return log_gamma * LN10, math.log(max(1.0 - 0.017 * solutes, 0.1))


def _balance_components(nu: np.ndarray, offset: np.ndarray, total: np.ndarray,
                        x: np.ndarray, sweeps: int = 60) -> np.ndarray:
    """Starting point for Newton: positive-continuous-fraction sweeps on the components.

    At fixed ln a_H each free molality is moved by x_j += (ln T_j - ln S_j) / ν̄_j, with
    S_j = Σ_i ν_ij m_i the computed total and ν̄_j = Σ_i ν_ij² m_i / S_j its logarithmic slope
    (10 when decavanadates hold the element), evaluated in the log domain so that a start far
    from the solution (m_i ~ e^1000) cannot overflow.  Stops once every S_j is within 10 %.
    """
    x = x.copy()
    n_components = len(total) - 1
    nu_c = nu[:, :n_components]
    holds = nu_c > 0.0
    log_nu = np.log(np.where(holds, nu_c, 1.0))
    ln_total = np.log(total[:n_components])
    for _ in range(sweeps):
        ln_m = offset + nu @ x
        ln_terms = np.where(holds, ln_m[:, None] + log_nu, -np.inf)
        peak = ln_terms.max(axis=0)
        weights = np.exp(ln_terms - peak)
        held = weights.sum(axis=0)
        ln_held = peak + np.log(held)
        mismatch = ln_total - ln_held
        if np.all(np.abs(mismatch) < 0.1):
            break
        slope = (weights * nu_c).sum(axis=0) / held
        x[:n_components] += mismatch / slope
    return x


def _newton(nu: np.ndarray, offset: np.ndarray, total: np.ndarray, x: np.ndarray,
            free: np.ndarray):
    """Minimise G(x) = Σ_i m_i - Σ_j T_j x_j over x[free], with ln m = offset + ν x.

    ∇G = ν_freeᵀ m - T is the balance residual; the Hessian ν_freeᵀ diag(m) ν_free is positive
    definite.  Newton steps (Jacobi-scaled, at most a factor 100 in any molality) with Armijo
    backtracking on G; stop when every |residual_j| <= 1e-12 Σ_i |ν_ij| m_i.
    Returns (x, molalities, number of Newton steps taken).
    """
    x = _balance_components(nu, offset, total, x)
    nu_free = nu[:, free]
    t_free = total[free]

    def evaluate(x_trial):
        with np.errstate(over="ignore"):
            molality = np.exp(offset + nu @ x_trial)
        return molality, float(molality.sum() - t_free @ x_trial[free])

    molality, objective = evaluate(x)
    for step_count in range(_MAX_NEWTON):
        gradient = nu_free.T @ molality - t_free
        scale = np.abs(nu_free).T @ molality
        if np.all(np.abs(gradient) <= _TOLERANCE * scale):
            return x, molality, step_count
        hessian = (nu_free.T * molality) @ nu_free
        d = 1.0 / np.sqrt(np.diag(hessian))
        try:
            step = -d * np.linalg.solve(hessian * np.outer(d, d), gradient * d)
        except np.linalg.LinAlgError:
            step = -d * np.linalg.lstsq(hessian * np.outer(d, d), gradient * d, rcond=None)[0]
        largest = np.abs(step).max()
        if largest > _MAX_STEP:
            step *= _MAX_STEP / largest
        slope = float(gradient @ step)
        roundoff = 1e-13 * (float(molality.sum()) + abs(float(t_free @ x[free])))
        alpha = 1.0
        while True:
            trial = x.copy()
            trial[free] += alpha * step
            trial_molality, trial_objective = evaluate(trial)
            if trial_objective <= objective + 1e-4 * alpha * slope + roundoff or alpha < 1e-10:
                break
            alpha *= 0.5
        x, molality, objective = trial, trial_molality, trial_objective
    raise SpeciationError(f"Newton iteration did not converge in {_MAX_NEWTON} steps; "
                          f"largest relative residual {np.max(np.abs(gradient) / scale):.3g}")


class Reagent(NamedTuple):
    """A pH-adjustment reagent: what one mole of it adds to the component totals.

    ``adds``: component -> mol per mol of reagent; the reagent's OH-, O2- or H+ enter through
    the charge balance (H+ is not a total), so NaOH adds {"Na": 1} and H2SO4 adds {"SO4": 1}.
    ``raises_pH``: True for a base.  ``dissolves_until``: for a sparingly soluble solid, the
    phase whose saturation (SI = 0) stops its dissolution, which bounds the reachable pH.
    """
    formula: str
    adds: dict
    raises_pH: bool
    dissolves_until: str | None = None

    @property
    def molar_mass(self) -> float:
        """kg/mol."""
        return molar_mass(self.formula)


REAGENTS = {
    "NaOH": Reagent("NaOH", {"Na": 1.0}, True),
    "KOH": Reagent("KOH", {"K": 1.0}, True),
    "Ca(OH)2": Reagent("Ca(OH)2", {"Ca": 1.0}, True, "Portlandite"),
    "CaCO3": Reagent("CaCO3", {"Ca": 1.0, "CO3": 1.0}, True, "Calcite"),
    "Na2CO3": Reagent("Na2CO3", {"Na": 2.0, "CO3": 1.0}, True),
    "NH3": Reagent("NH3", {"NH4": 1.0}, True),
    "MgO": Reagent("MgO", {"Mg": 1.0}, True, "Brucite"),
    "H2SO4": Reagent("H2SO4", {"SO4": 1.0}, False),
    "HCl": Reagent("HCl", {"Cl": 1.0}, False),
    "HNO3": Reagent("HNO3", {"NO3": 1.0}, False),
}
MAX_REAGENT_DOSE = 1e4    # mol/m^3 (10 mol/L): the largest dose adjust_ph considers


@dataclass(frozen=True)
class Adjustment:
    """Result of ``adjust_ph``.

    ``dose``: mol of reagent per m^3 of liquid; ``dose_mass``: kg/m^3; ``totals``: the
    components after dosing and removal (mol/m^3); ``speciation``: the final solution;
    ``precipitated``: mol/m^3 of each removed element; ``precipitated_mass``: kg/m^3 as its
    hydroxide M(OH)z; ``gypsum_saturation_index``: log10(IAP/Ksp) of CaSO4·2H2O (None without
    Ca or sulfate; Ca and SO4 are not capped at gypsum saturation, a positive value is warned).
    """
    reagent: str
    target_pH: float
    dose: float
    dose_mass: float
    totals: dict
    speciation: Speciation
    precipitated: dict
    precipitated_mass: dict
    gypsum_saturation_index: float | None
    warnings: tuple = ()


def _remove_as_hydroxide(totals: dict, remove: dict, masters: dict):
    """Remove fractions of metal totals as electroneutral hydroxides M(OH)z.

    Returns (new totals, mol/m^3 removed, kg/m^3 of M(OH)z).  The charge balance then releases
    z H+ per M removed (M^z+ + z H2O -> M(OH)z + z H+), so the base demand follows by itself.
    """
    remaining = dict(totals)
    removed, removed_mass = {}, {}
    for element, share in remove.items():
        if not re.fullmatch(rf"{re.escape(element)}\+\d*", masters.get(element, "")):
            metals = [c for c, m in masters.items() if re.fullmatch(rf"{c}\+\d*", m)]
            raise ValueError(f"remove: {element!r} is not a metal cation component; "
                             f"removable: {', '.join(metals)}")
        share = float(share)
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"remove: fraction of {element!r} must be in [0, 1], got {share}")
        amount = share * remaining.get(element, 0.0)
        remaining[element] = remaining.get(element, 0.0) - amount
        z = _charge(masters[element])
        removed[element] = amount
        removed_mass[element] = amount * molar_mass(f"{element}(OH){z}")
    return remaining, removed, removed_mass


def adjust_ph(totals: dict, target_pH: float, reagent: str, temperature: float = T_REF,
              remove: dict | None = None, oxidation: dict | None = None) -> Adjustment:
    """Dose of ``reagent`` (mol/m^3 of liquid) that brings the solution to ``target_pH``.

    Solves pH(totals' + d · adds) = target_pH for the dose d ≥ 0 (Brent's method on the
    monotone pH(d), each pH from the charge balance of ``speciate``), where totals' are the
    totals less the fractions ``remove`` (element -> fraction of its total precipitated as the
    hydroxide M(OH)z, e.g. {"Fe": 0.95} for iron removal at pH 3-4).  The reagent's volume is
    neglected; CO2 from carbonates stays dissolved (no degassing).  A solid reagent
    (Ca(OH)2, CaCO3, MgO) dissolves only until its phase (portlandite, calcite, brucite)
    saturates, which bounds the reachable pH.  Gypsum is not precipitated: its saturation index
    is reported and warned when positive.

    Raises ValueError naming the reagent, the target and the reachable pH when the target
    cannot be reached (an acid asked to raise the pH, CaCO3 above its calcite limit ...).
    """
    if reagent not in REAGENTS:
        raise ValueError(f"unknown pH reagent {reagent!r}; known: {', '.join(REAGENTS)}")
    target_pH = float(target_pH)
    if not 0.0 <= target_pH <= 14.0:
        raise ValueError(f"target_pH must be between 0 and 14, got {target_pH}")
    spec = REAGENTS[reagent]
    base = _canonical_totals(totals)
    remaining, removed, removed_mass = _remove_as_hydroxide(base, remove or {},
                                                            _master_species(oxidation))

    def dosed(dose):
        new = dict(remaining)
        for component, nu in spec.adds.items():
            new[component] = new.get(component, 0.0) + nu * dose
        return new

    def solution(dose):
        return speciate(dosed(dose), temperature, oxidation=oxidation)

    direction = 1.0 if spec.raises_pH else -1.0
    start = solution(0.0)
    if direction * (start.pH - target_pH) >= 0.0:
        if abs(start.pH - target_pH) < 1e-9:
            dose, final = 0.0, start
        else:
            kind = "a base: it raises" if spec.raises_pH else "an acid: it lowers"
            other = [n for n, r in REAGENTS.items() if r.raises_pH != spec.raises_pH]
            raise ValueError(f"{reagent} cannot bring the solution from pH {start.pH:.3f} to "
                             f"pH {target_pH}: {reagent} is {kind} the pH; use one of "
                             f"{', '.join(other)}")
    else:
        # Bracket the dose from the strong acid/base the solution lacks at the target pH.
        need = abs(speciate(remaining, temperature, pH=target_pH, oxidation=oxidation)
                   .acid_required)
        equivalents = max(abs(sum(_charge(MASTER_SPECIES[c]) * nu
                                  for c, nu in spec.adds.items())), 1.0)
        low, high = 0.0, min(max(need / equivalents, 1e-9), MAX_REAGENT_DOSE)
        while direction * (solution(high).pH - target_pH) < 0.0:
            if high >= MAX_REAGENT_DOSE:
                _unreachable(reagent, target_pH, start.pH, solution(high).pH,
                             f"at {MAX_REAGENT_DOSE / 1e3:g} mol/L")
            low, high = high, min(3.0 * high, MAX_REAGENT_DOSE)
        dose = brentq(lambda d: solution(d).pH - target_pH, low, high,
                      xtol=1e-12, rtol=1e-10)
        final = solution(dose)
    if spec.dissolves_until is not None and final.saturation_index(spec.dissolves_until) > 0.0:
        limit = brentq(lambda d: solution(d).saturation_index(spec.dissolves_until), 0.0, dose,
                       xtol=1e-12, rtol=1e-10)
        _unreachable(reagent, target_pH, start.pH, solution(limit).pH,
                     f"where {spec.dissolves_until} saturates and {reagent} stops dissolving")

    warnings = list(final.warnings)
    gypsum = None
    if "Ca" in final.totals and "SO4" in final.totals:
        gypsum = final.saturation_index("Gypsum")
        if gypsum > 0.0:
            warnings.append(f"gypsum supersaturated (SI = {gypsum:.2f}): CaSO4·2H2O would "
                            "precipitate; Ca and SO4 are not capped at its solubility")
    return Adjustment(
        reagent=reagent, target_pH=target_pH, dose=dose, dose_mass=dose * spec.molar_mass,
        totals=final.totals, speciation=final, precipitated=removed,
        precipitated_mass=removed_mass, gypsum_saturation_index=gypsum,
        warnings=tuple(warnings))


def _unreachable(reagent, target_pH, start_pH, reachable_pH, where):
    raise ValueError(f"{reagent} cannot bring the solution from pH {start_pH:.3f} to pH "
                     f"{target_pH}: the closest it gets is pH {reachable_pH:.3f} ({where})")
