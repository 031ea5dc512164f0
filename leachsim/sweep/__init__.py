"""Parameter sweeps: designs, parallel runs (local or Dask), a resumable HDF5 file, plots.

Typical use::

    from leachsim import sweep
    sw = sweep.load_sweep("configs/sweep_bof_slag_vanadium.toml")   # scenario + [sweep]
    summary = sweep.run_sweep(sw, "results/sweep.h5")              # all local cores
    data = sweep.read_sweep("results/sweep.h5")
    data.output("extraction_V"), data.parameter("leach.temperature")
    data.to_csv("sweep.csv"); df = data.to_dataframe()             # pandas optional
    sweep.plot_map(data, "extraction_V", "leach.temperature", "leach.leachant.H2SO4")
"""
from .design import Design, Parameter
from .plots import (pareto_front, plot_curves, plot_map, plot_pareto, plot_response,
                    plot_sensitivity, plot_sobol, oat_effects, save_sweep_figures, sobol_indices)
from .runner import LocalPool, Summary, resume_sweep, run_sweep
from .spec import SweepSpec, parse_sweep
from .store import SweepFileError, is_sweep_file
from .sweep import Sweep, load_sweep, make_sweep
from .table import SweepData, read_sweep

__all__ = ["Design", "LocalPool", "Parameter", "Summary", "Sweep", "SweepData", "SweepFileError", "SweepSpec",
           "is_sweep_file", "load_sweep", "make_sweep", "oat_effects", "pareto_front",
           "parse_sweep", "plot_curves", "plot_map", "plot_pareto", "plot_response",
           "plot_sensitivity", "plot_sobol", "read_sweep", "resume_sweep", "run_sweep",
           "save_sweep_figures", "sobol_indices"]
