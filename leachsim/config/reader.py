"""Walk a parsed TOML table, convert values to SI and collect every problem.

A ``Reader`` wraps one table and its dotted path.  Each accessor returns the
converted value, or None after recording an Issue (bad type, bad unit, out
of range, missing).  ``done()`` reports the keys that were never asked for,
with the nearest valid key as a suggestion, so a misspelling is never
silently ignored.
"""
from __future__ import annotations

import difflib
import math
from typing import Any, Iterable

from .. import units
from .errors import Issue

_MISSING = object()


def suggest(name: str, valid: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest valid name, or a list of the valid names."""
    valid = sorted(set(valid))
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if len(valid) <= 12:
        return f" (valid: {', '.join(valid)})"
    return ""


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _range_text(gt, ge, lt, le) -> str:
    lo = f"> {gt:g}" if gt is not None else (f">= {ge:g}" if ge is not None else "")
    hi = f"< {lt:g}" if lt is not None else (f"<= {le:g}" if le is not None else "")
    return " and ".join(x for x in (lo, hi) if x)


class Reader:
    """Typed, unit-aware access to one table of a scenario."""

    def __init__(self, table: dict, path: str, issues: list[Issue]):
        self.table = table
        self.path = path
        self.issues = issues
        self.seen: set[str] = set()

    # -- bookkeeping ---------------------------------------------------------
    def error(self, key: str | int | None, message: str) -> None:
        self.issues.append(Issue(join(self.path, key) if key is not None else self.path, message))

    def has(self, key: str) -> bool:
        return key in self.table

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self.seen.add(key)
        if key in self.table:
            return self.table[key]
        if default is _MISSING:
            self.error(key, "missing (required)")
            return None
        return default

    def done(self) -> None:
        for key in self.table:
            if key not in self.seen:
                self.error(key, f"unknown key{suggest(key, self.seen)}")

    # -- values --------------------------------------------------------------
    def _check_range(self, key, value, gt, ge, lt, le, shown) -> float | None:
        bad = ((gt is not None and not value > gt) or (ge is not None and not value >= ge)
               or (lt is not None and not value < lt) or (le is not None and not value <= le))
        if bad or not math.isfinite(value):
            self.error(key, f"{shown!r} is out of range: expected {_range_text(gt, ge, lt, le)}")
            return None
        return value

    def quantity(self, key: str, dims: units.Dims, default: Any = _MISSING, *, gt=None,
                 ge=None, lt=None, le=None, what: str = "") -> float | None:
        """A number in SI, or a '<number> <unit>' string of dimension ``dims``."""
        value = self.raw(key, default)
        if value is None:
            return None
        return self.convert(key, value, dims, gt=gt, ge=ge, lt=lt, le=le, what=what)

    def convert(self, key, value, dims, *, gt=None, ge=None, lt=None, le=None, what=""):
        try:
            si = units.to_si(value, dims)
        except units.UnitError as exc:
            kind = f"{what} " if what else ""
            self.error(key, f"{value!r}: {exc} (a {kind}quantity in {units.describe(dims)} "
                            f"or a '<number> <unit>' string)")
            return None
        return self._check_range(key, si, gt, ge, lt, le, value)

    def number(self, key: str, default: Any = _MISSING, *, gt=None, ge=None, lt=None,
               le=None) -> float | None:
        return self.quantity(key, units.DIMENSIONLESS, default, gt=gt, ge=ge, lt=lt, le=le)

    def integer(self, key: str, default: Any = _MISSING, *, ge=None, le=None) -> int | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"{value!r}: expected an integer")
            return None
        return None if self._check_range(key, value, None, ge, None, le, value) is None else value

    def boolean(self, key: str, default: Any = _MISSING) -> bool | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(key, f"{value!r}: expected true or false")
            return None
        return value

    def string(self, key: str, default: Any = _MISSING, choices: Iterable[str] | None = None,
               ) -> str | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(key, f"{value!r}: expected a string")
            return None
        if choices is not None and value not in choices:
            self.error(key, f"{value!r} is not one of the choices{suggest(value, choices)}")
            return None
        return value

    def sub(self, key: str, required: bool = True) -> "Reader | None":
        """A nested table as a Reader (None, after an issue if required, when absent)."""
        value = self.raw(key, _MISSING if required else None)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, f"expected a table, got {value!r}")
            return None
        return Reader(value, join(self.path, key), self.issues)

    def list(self, key: str, default: Any = _MISSING) -> list | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(key, f"{value!r}: expected an array")
            return None
        return value

    def tables(self, key: str) -> list["Reader"]:
        """An array of tables ([[key]]) as Readers."""
        value = self.list(key)
        if value is None:
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(key, f"item {i} is {item!r}, expected a table")
                continue
            out.append(Reader(item, join(join(self.path, key), i), self.issues))
        return out
