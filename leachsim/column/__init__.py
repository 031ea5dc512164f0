"""Fixed-bed columns: scenario -> kernel arrays, runs, breakthrough metrics."""
from .simulate import run_column

__all__ = ["run_column"]
