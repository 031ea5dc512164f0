"""Block-tridiagonal LU (block Thomas algorithm) for the bulk of a DG column.

A DG node's transport sees every node of its own element and of the two neighbouring
ones, so the bulk Jacobian of ne elements with B = K nc states each is block tridiagonal,
    L_e x_{e-1} + D_e x_e + U_e x_{e+1} = b_e,        e = 0 .. ne - 1.
As one band it has 2B - 1 diagonals each side, and partial pivoting doubles U's width:
about 8 ne B^3 multiply-adds to factor.  By blocks (Thomas): D'_0 = D_0,
W_e = D'_e^-1 U_e, D'_e = D_e - L_e W_{e-1}, each D'_e factored with partial pivoting
inside its block (no pivoting across blocks, which is stable for the diagonally dominant
I - c J of a column: a block is I minus c times its own element's transport and uptake).
Then g_e = D'_e^-1 (b_e - L_e g_{e-1}) forward and x_e = g_e - W_e x_{e+1} back.

Two forms of the factors, by block size:
- B <= INVERSE_MAX (one-component columns): D'_e^-1 and M_e = D'_e^-1 L_e are kept
  beside W_e, so that a solve is three products per element and no substitution,
      h_e = D'_e^-1 b_e  (every element at once),   g_e = h_e - M_e g_{e-1},
  with one product per element on the forward chain.  On blocks this small the solve is
  latency-bound: a product's rows do not wait on each other, a substitution's do.
- larger blocks keep the LU of D'_e (U's diagonal as its reciprocal) and substitute: the
  same work per solve, and a third of the factorisation's (no D'^-1, no M_e).

Storage: T[ne B, 4 B], rows e B .. e B + B - 1 hold [D_e | L_e | U_e | .] on entry;
``blocktri_lu`` overwrites them with [LU of D'_e | M_e | W_e | D'_e^-1] (small blocks, whose
solve uses the LU's first column as scratch) or [LU of D'_e | L_e | W_e | .];
piv[e B + k] is the row (counted from e B) swapped with k in D'_e.
"""
from numba import njit

from ._numba import BORROW_OPTS, INLINE_OPTS


@njit(**INLINE_OPTS)
def dense_lu(a, r0, n, piv):
    """LU with partial pivoting of the n x n matrix a[r0:r0 + n, 0:n], in place, by rows
    (whole rows swapped, as LAPACK's getrf); piv[r0 + k] is the row (from r0) swapped with
    k.  Returns 0, or 1 if the matrix is singular."""
    for k in range(n):
        p = k
        big = abs(a[r0 + k, k])
        for i in range(k + 1, n):
            v = abs(a[r0 + i, k])
            if v > big:
                big = v
                p = i
        piv[r0 + k] = p
        if big == 0.0:
            return 1
        if p != k:
            for j in range(n):
                tmp = a[r0 + k, j]
                a[r0 + k, j] = a[r0 + p, j]
                a[r0 + p, j] = tmp
        d = a[r0 + k, k]
        for i in range(k + 1, n):
            li = a[r0 + i, k] / d
            a[r0 + i, k] = li
            if li != 0.0:
                for j in range(k + 1, n):
                    a[r0 + i, j] -= li * a[r0 + k, j]
    return 0


@njit(**INLINE_OPTS)
def dense_solve_columns(a, r0, n, piv, c0, m):
    """Overwrite the n x m right-hand sides a[r0:r0 + n, c0:c0 + m] with A^-1 times them,
    A's factors from ``dense_lu`` in a[r0:r0 + n, 0:n]; row operations only, so the inner
    loops run along contiguous rows."""
    for k in range(n):
        p = piv[r0 + k]
        if p != k:
            for j in range(c0, c0 + m):
                tmp = a[r0 + k, j]
                a[r0 + k, j] = a[r0 + p, j]
                a[r0 + p, j] = tmp
    for k in range(n):
        for i in range(k + 1, n):
            li = a[r0 + i, k]
            if li != 0.0:
                for j in range(c0, c0 + m):
                    a[r0 + i, j] -= li * a[r0 + k, j]
    for i in range(n - 1, -1, -1):
        for k in range(i + 1, n):
            uv = a[r0 + i, k]
            if uv != 0.0:
                for j in range(c0, c0 + m):
                    a[r0 + i, j] -= uv * a[r0 + k, j]
        d = 1.0 / a[r0 + i, i]
        for j in range(c0, c0 + m):
            a[r0 + i, j] *= d


@njit(**INLINE_OPTS)
def dense_inverse_beside(a, n, m, piv):
    """a[:n] holds [A | . | B] (A n x n, B n x m from column 2n): overwrite it with
    [LU | A^-1 | A^-1 B], the identity in columns n .. 2n - 1 filled here.  Returns 0, or
    1 if A is singular."""
    for r in range(n):
        for x in range(n):
            a[r, n + x] = 0.0
        a[r, n + r] = 1.0
    if dense_lu(a, 0, n, piv) != 0:
        return 1
    dense_solve_columns(a, 0, n, piv, n, n + m)
    return 0


INVERSE_MAX = 6  # largest block kept as D'^-1 and M_e (module docstring)


@njit(**BORROW_OPTS)
def blocktri_lu(T, B, ne, piv):
    """Factor T in place (module docstring).  Returns 0, or 1 if a block is singular.

    The block sizes of DG columns of one (B = K = 4 .. 6: polynomial degree 3 .. 5) and
    three components (B = 3 K = 15, 18) get a copy each in which B is a constant (numba
    compiles a call with a literal argument for that value), so that the loops over a
    block unroll or vectorise: about 3x faster on the small blocks, 1.4x on B = 18.  Each
    copy is a compilation of its own, a few seconds at the first run."""
    if B == 4:
        return _inverse_lu(T, 4, ne, piv)
    if B == 5:
        return _inverse_lu(T, 5, ne, piv)
    if B == 6:
        return _inverse_lu(T, 6, ne, piv)
    if B == 18:
        return _lu_lu(T, 18, ne, piv)
    if B == 15:
        return _lu_lu(T, 15, ne, piv)
    if B <= INVERSE_MAX:
        return _inverse_lu(T, B, ne, piv)
    return _lu_lu(T, B, ne, piv)


@njit(**INLINE_OPTS)
def _schur_update(T, B, r0):
    """D_e -= L_e W_{e-1} (element rows r0 ..), skipping L's zeros."""
    for i in range(B):
        for m in range(B):
            lv = T[r0 + i, B + m]
            if lv != 0.0:
                for j in range(B):
                    T[r0 + i, j] -= lv * T[r0 - B + m, 2 * B + j]


@njit(**BORROW_OPTS)
def _inverse_lu(T, B, ne, piv):
    """``blocktri_lu`` of small blocks: [L_e | U_e | I] -> [M_e | W_e | D'_e^-1]."""
    for e in range(ne):
        r0 = e * B
        if e > 0:
            _schur_update(T, B, r0)
        for i in range(B):
            for j in range(B):
                T[r0 + i, 3 * B + j] = 0.0
            T[r0 + i, 3 * B + i] = 1.0
        if dense_lu(T, r0, B, piv) != 0:
            return 1
        dense_solve_columns(T, r0, B, piv, B, 3 * B)
    return 0


@njit(**BORROW_OPTS)
def _lu_lu(T, B, ne, piv):
    """``blocktri_lu`` of large blocks: the LU of D'_e (U's diagonal as its reciprocal, so
    that the solve multiplies) and W_e."""
    for e in range(ne):
        r0 = e * B
        if e > 0:
            _schur_update(T, B, r0)
        if dense_lu(T, r0, B, piv) != 0:
            return 1
        if e < ne - 1:
            dense_solve_columns(T, r0, B, piv, 2 * B, B)  # W_e = D'_e^-1 U_e
        for i in range(B):
            T[r0 + i, i] = 1.0 / T[r0 + i, i]
    return 0


@njit(**BORROW_OPTS)
def _inverse_solve(T, B, ne, b, b0):
    """``blocktri_solve`` with the factors of a small block: products only."""
    for e in range(ne):  # h_e = D'_e^-1 b_e, b_e parked in column 0 of the element's rows
        r0 = e * B
        o = b0 + r0
        for i in range(B):
            T[r0 + i, 0] = b[o + i]
        for i in range(B):
            s = 0.0
            for m in range(B):
                s += T[r0 + i, 3 * B + m] * T[r0 + m, 0]
            b[o + i] = s
    for e in range(1, ne):  # g_e = h_e - M_e g_{e-1}
        r0 = e * B
        o = b0 + r0
        for i in range(B):
            s = b[o + i]
            for m in range(B):
                s -= T[r0 + i, B + m] * b[o - B + m]
            b[o + i] = s
    _back(T, B, ne, b, b0)


@njit(**BORROW_OPTS)
def _lu_solve(T, B, ne, piv, b, b0):
    """``blocktri_solve`` with the LU factors of a large block: substitution."""
    for e in range(ne):
        r0 = e * B
        o = b0 + r0
        if e > 0:  # b_e - L_e g_{e-1}
            for i in range(B):
                s = b[o + i]
                for m in range(B):
                    s -= T[r0 + i, B + m] * b[o - B + m]
                b[o + i] = s
        for k in range(B):
            p = piv[r0 + k]
            if p != k:
                tmp = b[o + k]
                b[o + k] = b[o + p]
                b[o + p] = tmp
        for i in range(1, B):
            s = b[o + i]
            for m in range(i):
                s -= T[r0 + i, m] * b[o + m]
            b[o + i] = s
        for i in range(B - 1, -1, -1):
            s = b[o + i]
            for m in range(i + 1, B):
                s -= T[r0 + i, m] * b[o + m]
            b[o + i] = s * T[r0 + i, i]
    _back(T, B, ne, b, b0)


@njit(**BORROW_OPTS)
def _back(T, B, ne, b, b0):
    """The backward sweep x_e = g_e - W_e x_{e+1}."""
    for e in range(ne - 2, -1, -1):
        r0 = e * B
        o = b0 + r0
        for i in range(B):
            s = b[o + i]
            for j in range(B):
                s -= T[r0 + i, 2 * B + j] * b[o + B + j]
            b[o + i] = s


@njit(**BORROW_OPTS)
def blocktri_solve(T, B, ne, piv, b, b0):
    """Solve the system factored by ``blocktri_lu`` for b[b0:b0 + ne B], in place, with the
    constant-size copies of ``blocktri_lu``."""
    if B == 4:
        _inverse_solve(T, 4, ne, b, b0)
    elif B == 5:
        _inverse_solve(T, 5, ne, b, b0)
    elif B == 6:
        _inverse_solve(T, 6, ne, b, b0)
    elif B <= INVERSE_MAX:
        _inverse_solve(T, B, ne, b, b0)
    elif B == 18:
        _lu_solve(T, 18, ne, piv, b, b0)
    elif B == 15:
        _lu_solve(T, 15, ne, piv, b, b0)
    else:
        _lu_solve(T, B, ne, piv, b, b0)
