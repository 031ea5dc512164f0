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
# Functions called in a solver's inner loop with many array arguments that allocate nothing:
# at each call numba's reference counting increments and decrements every array argument
# (an atomic operation each), which for the column's _local with its 20 arrays cost about
# 280 ns a call, more than its work on 10 nodes.  Compiled without the runtime (NRT) they
# borrow their arguments; numba refuses to compile an allocation in them.
BORROW_OPTS = dict(JIT_OPTS, _nrt=False)
