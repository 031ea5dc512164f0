"""Particle-size distributions as discrete mass-weighted size classes.

A distribution is a set of classes with a representative diameter d_i (m)
and a mass fraction w_i (sum 1).  Continuous distributions are cut into
``n`` classes equally spaced in log(d) between the 0.1 % and 99.9 % mass
quantiles; the two end classes also carry the tails, so the fractions sum to
one exactly, and each class is represented by the geometric mean of its
bounds.  Mass CDFs:

    log-normal:     F(d) = Phi(ln(d/d50) / ln(sigma_g))
    Rosin-Rammler:  F(d) = 1 - exp(-(d/d63)**n)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_Q_LO, _Q_HI = 1e-3, 1.0 - 1e-3


@dataclass(frozen=True)
class SizeDistribution:
    diameters: tuple[float, ...]  # m
    mass_fractions: tuple[float, ...]
    kind: str

    @property
    def radii(self) -> np.ndarray:
        return 0.5 * np.asarray(self.diameters)


def monodisperse(d: float) -> SizeDistribution:
    return SizeDistribution((float(d),), (1.0,), "monodisperse")


def tabulated(diameters, fractions) -> SizeDistribution:
    w = np.asarray(fractions, float)
    return SizeDistribution(tuple(map(float, diameters)), tuple(w / w.sum()), "classes")


def _from_cdf(cdf, d_lo: float, d_hi: float, n: int, kind: str) -> SizeDistribution:
    if n == 1:
        return SizeDistribution((math.sqrt(d_lo * d_hi),), (1.0,), kind)
    edges = np.geomspace(d_lo, d_hi, n + 1)
    F = np.array([cdf(e) for e in edges])
    F[0], F[-1] = 0.0, 1.0  # end classes carry the tails
    w = np.diff(F)
    d = np.sqrt(edges[:-1] * edges[1:])
    return SizeDistribution(tuple(d), tuple(w / w.sum()), kind)


def lognormal(d50: float, sigma_g: float, n: int) -> SizeDistribution:
    s = math.log(sigma_g)
    z = 3.090232306167813  # Phi^-1(0.999)
    cdf = lambda d: 0.5 * (1.0 + math.erf(math.log(d / d50) / (s * math.sqrt(2.0))))
    return _from_cdf(cdf, d50 * math.exp(-z * s), d50 * math.exp(z * s), n, "lognormal")


def rosin_rammler(d63: float, spread: float, n: int) -> SizeDistribution:
    cdf = lambda d: 1.0 - math.exp(-((d / d63) ** spread))
    d_lo = d63 * (-math.log(1.0 - _Q_LO)) ** (1.0 / spread)
    d_hi = d63 * (-math.log(1.0 - _Q_HI)) ** (1.0 / spread)
    return _from_cdf(cdf, d_lo, d_hi, n, "rosin-rammler")
