"""Install leachsim; the top-level kernels/ folder becomes leachsim.kernels."""
import sys

import setuptools
from setuptools import find_packages, setup

if int(setuptools.__version__.split(".")[0]) < 64:
    raise SystemExit(f"leachsim needs setuptools>=64 (found {setuptools.__version__}); "
                     "run: pip install --upgrade pip setuptools")
if "develop" in sys.argv:  # legacy editable installs ignore package_dir
    raise SystemExit("leachsim: use a PEP 660 editable install: pip install -e . --use-pep517")

setup(
    name="leachsim",
    version="0.1.0",
    description="Hydrometallurgical recovery simulator: leaching, sorption columns, flowsheets",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=(find_packages(include=["leachsim", "leachsim.*"])
              + ["leachsim.kernels"]
              + ["leachsim.kernels." + p for p in find_packages("kernels")]),
    package_dir={"leachsim.kernels": "kernels"},
    install_requires=["numpy>=1.24", "scipy>=1.10", "numba>=0.58", "matplotlib>=3.7",
                      "h5py>=3.8"],
    # dask: sweeps on a Dask distributed cluster (leachsim sweep --scheduler); pandas: a
    # sweep's case table as a DataFrame.  Both in "test" so CI exercises them.
    extras_require={"dask": ["dask[distributed]>=2023.1"],
                    "pandas": ["pandas>=1.5"],
                    "phreeqc": ["phreeqpython"],
                    "test": ["pytest>=7", "dask[distributed]>=2023.1", "pandas>=1.5"]},
    entry_points={"console_scripts": ["leachsim = leachsim.cli:main"]},
)
