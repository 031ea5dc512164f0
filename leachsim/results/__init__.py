"""Results of a run: named arrays with SI units, and their HDF5 file."""
from .core import Results, Variable
from .hdf5 import ResultsFileError, load, save

__all__ = ["Results", "Variable", "ResultsFileError", "load", "save"]
