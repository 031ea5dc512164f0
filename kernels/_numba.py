"""Numba options for every kernel, in one place.

``error_model="numpy"`` lets a division by zero give inf/nan instead of a
Python exception check on every division; ``fastmath`` stays off so the
kernels can detect NaN and inf.  Every ``@njit`` in ``kernels/`` uses one of
these dicts (``tests/test_packaging.py`` checks it).
"""
JIT_OPTS = dict(cache=True, fastmath=False, error_model="numpy", nogil=True)
PARALLEL_OPTS = dict(JIT_OPTS, parallel=True)
