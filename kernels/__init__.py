"""Compiled numba kernels of leachsim, installed as ``leachsim.kernels``.

The top-level ``kernels/`` folder of the repository is mapped onto
``leachsim.kernels`` by ``setup.py`` (``package_dir``); it must never be
importable as a top-level ``kernels`` module (PyPI has an unrelated package of
that name, and two copies would compile every kernel twice).

Numba's on-disk cache is not invalidated when a kernel in *another* file that
a cached kernel calls is edited.  Unless the user has set ``NUMBA_CACHE_DIR``,
the cache therefore lives in a folder named after a digest of all kernel
sources, so any edit to any kernel file starts a fresh cache.
"""
if __name__ != "leachsim.kernels":
    raise ImportError(f"import this package as 'leachsim.kernels', not {__name__!r}")

import hashlib as _hashlib
import os as _os
from pathlib import Path as _Path


def _configure_cache() -> None:
    if "NUMBA_CACHE_DIR" in _os.environ:
        return
    import numba

    here = _Path(__file__).parent
    digest = _hashlib.sha256()
    for src in sorted(here.glob("*.py")):
        digest.update(src.name.encode())
        digest.update(src.read_bytes())
    base = _Path(_os.environ.get("XDG_CACHE_HOME", _Path.home() / ".cache"))
    numba.config.CACHE_DIR = str(base / "leachsim" / "numba" / digest.hexdigest()[:16])


_configure_cache()
