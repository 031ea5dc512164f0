"""The column solver's linear algebra against numpy: the dense LU and inverse of a node's
particle block, and the block-tridiagonal (block Thomas) LU of a DG bulk."""
import numpy as np
import pytest

from leachsim.kernels import blocktri as bt


def _block_system(B, ne, seed, sparse_lower=True):
    """A random block-tridiagonal T (blocktri storage) and the same matrix dense.  The
    diagonal blocks are only mildly dominant and their largest entries sit off the
    diagonal, so the LU must pivot; L_e has the DG pattern (interface rows and columns)."""
    rng = np.random.default_rng(seed)
    T = rng.normal(size=(ne * B, 3 * B))
    for e in range(ne):
        D = T[e * B:(e + 1) * B, :B]
        D += np.roll(np.eye(B), 1, axis=1) * 3.0 * B ** 0.5  # big entries off the diagonal
        if sparse_lower:
            L = T[e * B:(e + 1) * B, B:2 * B]
            mask = np.zeros((B, B), bool)
            mask[:2, :] = True      # the first node's rows see all of e - 1
            mask[:, -2:] = True     # every row sees e - 1's last node
            L[~mask] = 0.0
    T[:B, B:2 * B] = 0.0            # no L_0
    T[-B:, 2 * B:] = 0.0            # no U_{ne-1}
    A = np.zeros((ne * B, ne * B))
    for e in range(ne):
        rows = slice(e * B, (e + 1) * B)
        A[rows, e * B:(e + 1) * B] = T[rows, :B]
        if e > 0:
            A[rows, (e - 1) * B:e * B] = T[rows, B:2 * B]
        if e < ne - 1:
            A[rows, (e + 1) * B:(e + 2) * B] = T[rows, 2 * B:]
    return T, A


@pytest.mark.parametrize("B, ne", [(1, 5), (5, 1), (5, 2), (15, 6), (10, 9)])
def test_blocktri_solves_like_numpy(B, ne):
    T, A = _block_system(B, ne, seed=B * 100 + ne)
    b = np.random.default_rng(7).normal(size=ne * B)
    x_ref = np.linalg.solve(A, b)
    piv = np.zeros(ne * B, np.int64)
    assert bt.blocktri_lu(T, B, ne, piv) == 0
    x = np.concatenate([np.zeros(3), b])  # an offset into b, as the solver uses it
    bt.blocktri_solve(T, B, ne, piv, x, 3)
    assert np.max(np.abs(x[3:] - x_ref)) < 1e-11 * np.max(np.abs(x_ref))
    assert B == 1 or np.any(piv != np.arange(ne * B) % B)  # the blocks did need pivoting


def test_blocktri_reports_a_singular_block():
    T, _ = _block_system(4, 3, seed=1)
    T[4:8, :4] = 0.0  # D_1 = 0 and L_1 W_0 rank-deficient: D'_1 singular
    T[4:8, 4:8] = 0.0
    assert bt.blocktri_lu(T, 4, 3, np.zeros(12, np.int64)) == 1


def test_dense_lu_inverse_and_right_hand_sides():
    rng = np.random.default_rng(3)
    n, m = 7, 3
    A = rng.normal(size=(n, n)) + np.roll(np.eye(n), 2, axis=1) * 4.0
    R = rng.normal(size=(n, m))
    a = np.zeros((n + 2, 2 * n + m))  # the matrix in rows 2.., [A | I | R]
    a[2:, :n] = A
    a[2:, n:2 * n] = np.eye(n)
    a[2:, 2 * n:] = R
    piv = np.zeros(n + 2, np.int64)
    assert bt.dense_lu(a, 2, n, piv) == 0
    bt.dense_solve_columns(a, 2, n, piv, n, n + m)
    assert np.max(np.abs(a[2:, n:2 * n] - np.linalg.inv(A))) < 1e-12 * np.abs(np.linalg.inv(A)).max()
    assert np.max(np.abs(a[2:, 2 * n:] - np.linalg.solve(A, R))) < 1e-12 * np.abs(R).max() * 10
    singular = np.zeros((n, n))
    singular[:, 0] = 1.0
    assert bt.dense_lu(singular, 0, n, np.zeros(n, np.int64)) == 1


def _grm_collocation_blocks(D_s=0.0, m=3, n=2, K=3):
    """The Jacobian blocks of a general rate column (3 competing kinetic Langmuir metals on
    m radial collocation points) at a random interior state, from the kernel itself."""
    from leachsim.kernels import binding as bd
    from leachsim.kernels import column as kc
    nc = 3
    pm = kc.GRM_COLLOCATION
    par = np.zeros((kc.N_PAR, nc))
    par[bd.P_QMAX] = [100.0, 80.0, 120.0]
    par[bd.P_KA] = [2e-3, 1e-3, 5e-4]
    par[bd.P_KD] = [1e-3, 2e-3, 1e-3]
    par[kc.P_FILM] = 1e-5
    par[kc.P_DP] = 1e-10
    par[kc.P_DS] = D_s
    pp = np.array([0.5, 5e-5])
    jw, ws = kc.workspace(pm, nc, m, 0, n, K, pp[1])
    S = kc.states_per_cell(pm, nc, m, 0)
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.uniform(0.1, 1.0, n * K * S), np.zeros(nc)])
    for i in range(n * K):  # loadings near a third of capacity
        for j in range(m):
            y[i * S + 2 * nc * j + nc:i * S + 2 * nc * j + 2 * nc] *= 40.0
    _, dgw, dgD = kc.lgl(K)
    kc._jacobian(y, np.full(nc, 0.5), 0.1, 1e-3, 0.37, 1e-7, n, K, bd.KINETIC_LANGMUIR, pm, 0,
                 m, pp, par, dgw, dgD, ws, jw)
    return kc, pm, nc, m, K, par, jw, y.shape[0]


@pytest.mark.parametrize("c", [0.3, 30.0, 3000.0])
def test_loadings_eliminated_point_by_point_solve_like_the_whole_inverse(c):
    """_factor_split (a point's loadings eliminated, the pore liquid's Schur complement
    inverted) against the whole particle block's inverse, on the same Jacobian, from small
    to stiff steps c = h/alpha: the same solution of (I - c J) x = b to rounding."""
    kc, pm, nc, m, K, par, jw, N = _grm_collocation_blocks()
    assert kc.particle_split(pm, m, 0, par)
    b = np.random.default_rng(7).normal(size=N)
    xs = []
    for split in (False, True):
        w = tuple(a.copy() for a in jw)
        assert kc._factor(c, pm, nc, m, 0, K, split, w) == 0
        x = b.copy()
        kc._lsolve(c, pm, nc, m, 0, K, split, w, x)
        xs.append(x)
    scale = np.abs(xs[0]).max()
    assert scale > 0.1
    assert np.abs(xs[1] - xs[0]).max() <= 1e-11 * scale


def test_loadings_are_not_split_where_they_couple_across_points():
    """Surface diffusion couples a point's loadings to its neighbours', rapid equilibrium
    has no loading states, the lumped pores one point: no split there."""
    kc, pm, nc, m, K, par, jw, N = _grm_collocation_blocks(D_s=1e-12)
    assert not kc.particle_split(pm, m, 0, par)
    assert not kc.particle_split(pm, m, 1, par * 0.0)
    assert not kc.particle_split(kc.PORES, 1, 0, par * 0.0)
