"""Numba options for every kernel, in one place.

``error_model="numpy"`` lets a division by zero give inf/nan instead of a
Python exception check on every division; ``fastmath`` stays off so the
kernels can detect NaN and inf.  Every ``@njit`` in ``kernels/`` uses one of
these dicts (``tests/test_packaging.py`` checks it).
"""
JIT_OPTS = dict(cache=True, fastmath=False, error_model="numpy", nogil=True)
PARALLEL_OPTS = dict(JIT_OPTS, parallel=True)
# Small functions called per node or per block in a solver's inner loop: a compiled call
# with array arguments costs about 10 ns per array (reference counting at the call), which
# was 20 times the work of a kinetic Langmuir rate; inlined (numba IR), it costs nothing.
INLINE_OPTS = dict(JIT_OPTS, inline="always")
