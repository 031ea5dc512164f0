"""Chemical formulas: element counts and molar mass.

Formulas may use parentheses and decimal counts, e.g. ``"Cu2CO3(OH)2"``,
``"K(Li1.5Al1.5)(AlSi3)O10F2"``, ``"Ca2Si0.97V0.03O4"``; a hydrate is written
with ``·`` or ``*`` followed by a count, e.g. ``"CuSiO3·2H2O"``.
"""
from __future__ import annotations

import re

from .elements import ATOMIC_MASS

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)|(\()|(\))(\d*\.?\d*)")


class FormulaError(ValueError):
    """A formula that cannot be read or names an unknown element."""


def _count(text: str) -> float:
    return float(text) if text else 1.0


def _parse_group(text: str) -> dict[str, float]:
    stack: list[dict[str, float]] = [{}]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError(f"cannot read formula '{text}' at '{text[pos:]}'")
        if m.group(1):
            el = m.group(1)
            if el not in ATOMIC_MASS:
                raise FormulaError(f"unknown element '{el}' in formula '{text}'")
            stack[-1][el] = stack[-1].get(el, 0.0) + _count(m.group(2))
        elif m.group(3):
            stack.append({})
        else:
            if len(stack) == 1:
                raise FormulaError(f"unbalanced ')' in formula '{text}'")
            group = stack.pop()
            n = _count(m.group(5))
            for el, c in group.items():
                stack[-1][el] = stack[-1].get(el, 0.0) + c * n
        pos = m.end()
    if len(stack) != 1:
        raise FormulaError(f"unbalanced '(' in formula '{text}'")
    return stack[0]


def composition(formula: str) -> dict[str, float]:
    """Moles of each element per mole of formula unit."""
    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError(f"expected a chemical formula, got {formula!r}")
    total: dict[str, float] = {}
    for i, part in enumerate(re.split(r"[·*]", formula.strip())):
        mult = 1.0
        if i > 0:
            m = re.match(r"(\d+\.?\d*)(.*)", part)
            if m:
                mult, part = float(m.group(1)), m.group(2)
        for el, c in _parse_group(part).items():
            total[el] = total.get(el, 0.0) + mult * c
    return total


def molar_mass(formula: str) -> float:
    """Molar mass in kg/mol."""
    return sum(ATOMIC_MASS[el] * n for el, n in composition(formula).items())
