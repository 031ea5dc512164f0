"""Banded linear algebra for method-of-lines Jacobians: LU with partial pivoting and solve.

Storage: an n x n matrix with kl sub- and ku super-diagonals is held row-wise in rows
r0 .. r0 + n - 1 of ab[:, 2 kl + ku + 1], with A[i, j] = ab[r0 + i, j - i + kl] for
i - kl <= j <= i + ku + kl; the extra kl columns take the fill-in of row interchanges (as
LAPACK's gbtrf).  One array can so hold many small band matrices one after another (a
column's particle blocks), each factored and solved in place without taking a view of it.
Factorisation and solve cost O(n kl (kl + ku)), linear in n.
"""
from numba import njit

from ._numba import INLINE_OPTS


@njit(**INLINE_OPTS)
def band_lu(ab, kl, ku, piv, r0, n):
    """Factor the band matrix in rows r0 .. r0 + n - 1 of ab in place (P A = L U);
    piv[r0 + k] is the row (counted from r0) swapped with k.  Returns 0, or k + 1 when the
    pivot of column k is zero (singular)."""
    w = ku + kl  # upper width of U after fill-in
    for k in range(n):
        p = k
        big = abs(ab[r0 + k, kl])
        for i in range(k + 1, min(n, k + kl + 1)):
            v = abs(ab[r0 + i, k - i + kl])
            if v > big:
                big = v
                p = i
        piv[r0 + k] = p
        if big == 0.0:
            return k + 1
        if p != k:
            for j in range(k, min(n, k + w + 1)):
                tmp = ab[r0 + k, j - k + kl]
                ab[r0 + k, j - k + kl] = ab[r0 + p, j - p + kl]
                ab[r0 + p, j - p + kl] = tmp
        d = ab[r0 + k, kl]
        for i in range(k + 1, min(n, k + kl + 1)):
            li = ab[r0 + i, k - i + kl] / d
            ab[r0 + i, k - i + kl] = li
            if li != 0.0:
                for j in range(k + 1, min(n, k + w + 1)):
                    ab[r0 + i, j - i + kl] -= li * ab[r0 + k, j - k + kl]
    return 0


@njit(**INLINE_OPTS)
def band_solve(ab, kl, ku, piv, r0, n, b, b0):
    """Solve A x = b[b0:b0 + n] in place with the factors from ``band_lu`` (rows r0..)."""
    w = ku + kl
    for k in range(n):
        p = piv[r0 + k]
        if p != k:
            tmp = b[b0 + k]
            b[b0 + k] = b[b0 + p]
            b[b0 + p] = tmp
        bk = b[b0 + k]
        if bk != 0.0:
            for i in range(k + 1, min(n, k + kl + 1)):
                b[b0 + i] -= ab[r0 + i, k - i + kl] * bk
    for i in range(n - 1, -1, -1):
        s = b[b0 + i]
        for j in range(i + 1, min(n, i + w + 1)):
            s -= ab[r0 + i, j - i + kl] * b[b0 + j]
        b[b0 + i] = s / ab[r0 + i, kl]
