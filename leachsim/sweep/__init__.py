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
from .runner import LocalPool, Summary, resume_sweep, run_sweep
from .spec import SweepSpec, parse_sweep
from .store import SweepFileError, is_sweep_file
from .sweep import Sweep, load_sweep, make_sweep
from .table import SweepData, read_sweep

__all__ = ["Design", "LocalPool", "Parameter", "Summary", "Sweep", "SweepData",
           "SweepFileError", "SweepSpec", "is_sweep_file", "load_sweep", "make_sweep",
           "parse_sweep", "read_sweep", "resume_sweep", "run_sweep"]

_PLOTS = ("oat_effects", "pareto_front", "plot_curves", "plot_map", "plot_pareto",
          "plot_response", "plot_sensitivity", "plot_sobol", "save_sweep_figures",
          "sobol_indices")

__all__ += list(_PLOTS)


def __getattr__(name):
    """The plot functions, imported on first use: sweep workers never load matplotlib."""
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'leachsim.sweep' has no attribute {name!r}")
