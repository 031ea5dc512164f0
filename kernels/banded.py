"""Banded linear algebra for method-of-lines Jacobians: LU with partial pivoting and solve.

Storage: an n x n matrix with kl sub- and ku super-diagonals is held row-wise in
ab[n, 2 kl + ku + 1], with A[i, j] = ab[i, j - i + kl] for i - kl <= j <= i + ku + kl;
the extra kl columns take the fill-in of row interchanges (as LAPACK's gbtrf).
Factorisation and solve cost O(n kl (kl + ku)), linear in n.
"""
from numba import njit

from ._numba import JIT_OPTS


@njit(**JIT_OPTS)
def band_lu(ab, kl, ku, piv):
    """Factor ab in place (P A = L U); piv[k] is the row swapped with k.  Returns 0, or
    k + 1 when the pivot of column k is zero (singular)."""
    n = ab.shape[0]
    w = ku + kl  # upper width of U after fill-in
    for k in range(n):
        p = k
        big = abs(ab[k, kl])
        for i in range(k + 1, min(n, k + kl + 1)):
            v = abs(ab[i, k - i + kl])
            if v > big:
                big = v
                p = i
        piv[k] = p
        if big == 0.0:
            return k + 1
        if p != k:
            for j in range(k, min(n, k + w + 1)):
                tmp = ab[k, j - k + kl]
                ab[k, j - k + kl] = ab[p, j - p + kl]
                ab[p, j - p + kl] = tmp
        d = ab[k, kl]
        for i in range(k + 1, min(n, k + kl + 1)):
            li = ab[i, k - i + kl] / d
            ab[i, k - i + kl] = li
            if li != 0.0:
                for j in range(k + 1, min(n, k + w + 1)):
                    ab[i, j - i + kl] -= li * ab[k, j - k + kl]
    return 0


@njit(**JIT_OPTS)
def band_solve(ab, kl, ku, piv, b):
    """Solve A x = b in place with the factors from ``band_lu``."""
    n = ab.shape[0]
    w = ku + kl
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
        bk = b[k]
        if bk != 0.0:
            for i in range(k + 1, min(n, k + kl + 1)):
                b[i] -= ab[i, k - i + kl] * bk
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, min(n, i + w + 1)):
            s -= ab[i, j - i + kl] * b[j]
        b[i] = s / ab[i, kl]
