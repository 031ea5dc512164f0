"""Errors raised for bad scenario files: every problem at once, each with its dotted path."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in a scenario: where (dotted path), what was found, what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(ValueError):
    """A scenario that cannot be run; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue], source: str = "scenario"):
        self.issues = list(issues)
        self.source = source
        n = len(self.issues)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))
