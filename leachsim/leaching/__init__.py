"""Leaching: size distributions, scenario -> kernel arrays, and runs."""
from .simulate import SolverError, run_leach, run_leach_many

__all__ = ["SolverError", "run_leach", "run_leach_many"]
