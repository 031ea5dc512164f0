"""From a validated scenario to the flat SI arrays the leaching kernels take.

Only reacting phases enter the kernels; inert phases are kept in the
element inventory, so extraction is always relative to the whole solid.

    rho_j   = w_j rho_s / M_j         mol of phase j per m3 of particle
    n0_ij   = m_s f_i w_j / M_j       mol of phase j in size class i (batch)
    F_ij    = F_s f_i w_j / M_j       mol/s of phase j in size class i (cascade)

with w_j the phase mass fraction, f_i the class mass fraction, rho_s the
particle density, m_s the solid charge (kg) and F_s the solids feed (kg/s).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.scenario import MECHANISMS, Scenario
from ..kernels.shrinking_core import GEOM_CORE, GEOM_PARTICLE

_GEOMETRY_CODE = {"shrinking-core": GEOM_CORE, "shrinking-particle": GEOM_PARTICLE}


@dataclass(frozen=True)
class LeachArrays:
    """Kernel inputs of one scenario (names as in ``kernels.leach_batch.run_batch``)."""

    T: float
    C0: np.ndarray
    top_up: np.ndarray
    geom: np.ndarray
    mask: np.ndarray
    primary: np.ndarray
    rho: np.ndarray
    coef: np.ndarray
    Ea: np.ndarray
    T_ref: np.ndarray
    orders: np.ndarray
    nu: np.ndarray
    release: np.ndarray
    R0: np.ndarray
    amount: np.ndarray  # n0 (mol, batch) or F (mol/s, cascade), index i * n_phase + j
    basis: float  # solid charge m_s (kg, batch) or solids feed F_s (kg/s, cascade)
    liquid: float  # liquid volume V (m3, batch) or liquid flow Q_L (m3/s, cascade)

    @property
    def structure(self) -> tuple[int, ...]:
        """Array shapes; scenarios with equal structure can share one batched kernel call."""
        return (self.C0.shape[0], self.geom.shape[0], self.release.shape[1], self.R0.shape[0])


def element_inventory(scenario: Scenario, basis: float) -> np.ndarray:
    """mol of each tracked element in ``basis`` kg of solid, all phases (inert too)."""
    out = np.zeros(len(scenario.elements))
    for ph in scenario.solid.phases:  # size-class fractions sum to one
        moles = basis * ph.mass_fraction / ph.molar_mass
        for e, el in enumerate(scenario.elements):
            out[e] += moles * ph.elements.get(el, 0.0)
    return out


def build_arrays(scenario: Scenario) -> LeachArrays:
    leach = scenario.leach
    reagents = leach.leachant.reagents
    elements = scenario.elements
    phases = scenario.solid.reacting
    n_r, n_ph, n_e = len(reagents), len(phases), len(elements)
    psd = scenario.solid.size

    C0 = np.array([leach.leachant.concentrations[r] for r in reagents])
    top_up = np.array([r in leach.leachant.top_up for r in reagents], dtype=np.int64)
    geom = np.zeros(n_ph, np.int64)
    mask = np.zeros(n_ph, np.int64)
    primary = np.zeros(n_ph, np.int64)
    rho = np.zeros(n_ph)
    coef = np.ones((n_ph, 3))
    Ea = np.zeros((n_ph, 3))
    T_ref = np.full((n_ph, 3), 298.15)
    orders = np.zeros((n_ph, n_r))
    nu = np.zeros((n_ph, n_r))
    release = np.zeros((n_ph, n_e))
    for j, ph in enumerate(phases):
        kin = ph.kinetics
        geom[j] = _GEOMETRY_CODE[kin.geometry]
        primary[j] = reagents.index(kin.primary)
        rho[j] = ph.mass_fraction * scenario.solid.density / ph.molar_mass
        for m, mech in enumerate(MECHANISMS):
            rate = getattr(kin, mech)
            if rate is not None:
                mask[j] |= 1 << m
                coef[j, m], Ea[j, m], T_ref[j, m] = rate.k_ref, rate.Ea, rate.T_ref
        for r, name in enumerate(reagents):
            orders[j, r] = kin.orders.get(name, 0.0)
            nu[j, r] = ph.consumes.get(name, 0.0)
        for e, el in enumerate(elements):
            release[j, e] = ph.elements.get(el, 0.0)

    if leach.type == "batch":
        basis = leach.solid_liquid_ratio * leach.volume
        liquid = leach.volume
    else:
        basis = leach.solids_feed
        liquid = leach.solids_feed / leach.solid_liquid_ratio
    f = np.asarray(psd.mass_fractions)
    amount = np.zeros(len(f) * n_ph)
    for i in range(len(f)):
        for j, ph in enumerate(phases):
            amount[i * n_ph + j] = basis * f[i] * ph.mass_fraction / ph.molar_mass
    return LeachArrays(float(leach.temperature), C0, top_up, geom, mask, primary, rho, coef, Ea,
                       T_ref, orders, nu, release, psd.radii.copy(), amount, basis, liquid)
