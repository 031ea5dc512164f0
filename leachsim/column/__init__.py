"""Fixed-bed columns: scenario -> kernel arrays, runs (single or batched), breakthrough metrics."""
from .simulate import run_column, run_columns

__all__ = ["run_column", "run_columns"]
