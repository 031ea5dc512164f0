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
    T = rng.normal(size=(ne * B, 4 * B))  # the fourth block is the factors' own
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
    T[-B:, 2 * B:3 * B] = 0.0       # no U_{ne-1}
    A = np.zeros((ne * B, ne * B))
    for e in range(ne):
        rows = slice(e * B, (e + 1) * B)
        A[rows, e * B:(e + 1) * B] = T[rows, :B]
        if e > 0:
            A[rows, (e - 1) * B:e * B] = T[rows, B:2 * B]
        if e < ne - 1:
            A[rows, (e + 1) * B:(e + 2) * B] = T[rows, 2 * B:3 * B]
    return T, A


# every constant-size copy of blocktri (B = 4, 5, 6 inverse form; 15, 18 LU form) and both
# forms with a run-time B (1, 2; 10)
@pytest.mark.parametrize("B, ne", [(1, 5), (2, 4), (4, 3), (5, 1), (5, 2), (6, 3), (15, 6),
                                   (18, 2), (10, 9)])
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


def _column_problem(pm, rapid, code, nc, n, K, nr, seed=5):
    """Arguments of the column kernels for a small bed at a random interior state."""
    from leachsim.kernels import binding as bd
    from leachsim.kernels import column as kc
    rng = np.random.default_rng(seed)
    par = np.zeros((kc.N_PAR, nc))
    if code == bd.SMA:
        par[bd.P_LAMBDA, 0] = 1200.0
        par[bd.P_NU, 1:] = rng.uniform(1.0, 3.0, nc - 1)
        par[bd.P_SIGMA, 1:] = 5.0
        par[bd.P_KA, 1:] = rng.uniform(2e-8, 6e-8, nc - 1)
        par[bd.P_KD, 1:] = 2.5e-7
    else:
        par[bd.P_QMAX] = rng.uniform(60.0, 120.0, nc)
        par[bd.P_KA] = rng.uniform(5e-4, 2e-3, nc)
        par[bd.P_KD] = rng.uniform(5e-4, 2e-3, nc)
        if code == bd.LANGMUIR:
            par[bd.P_K] = par[bd.P_KA] / par[bd.P_KD]
    par[kc.P_FILM] = 1e-5
    par[kc.P_DP] = 1e-10
    pp = np.array([0.5, 5e-5])
    S = kc.states_per_cell(pm, nc, nr, rapid)
    y = np.concatenate([rng.uniform(0.2, 1.0, n * K * S), rng.uniform(0.0, 1.0, nc)])
    if not rapid:  # loadings well inside the capacity
        m = kc.n_shells(pm, nr)
        for i in range(n * K):
            for j in range(max(m, 1)):
                q0 = i * S + (nc if pm == kc.SOLID else 2 * nc * j + nc)
                y[q0:q0 + nc] *= 30.0
    if code == bd.SMA:  # a salt background
        for i in range(n * K):
            for j in range(0, S, nc):
                y[i * S + j] = 50.0 + 20.0 * rng.uniform()
    jw, ws = kc.workspace(pm, nc, nr, rapid, n, K, pp[1])
    if K >= 2:
        _, dgw, dgD = kc.lgl(K)
    else:
        dgw, dgD = np.ones(1), np.zeros((1, 1))
    args = (np.full(nc, 0.7), 0.1, 1e-3, 0.37, 1e-6, n, K, code, pm, rapid, nr, pp, par, dgw,
            dgD, ws)
    return kc, y, args, jw


def _dense_jacobian(kc, y, args):
    """dy/dt's Jacobian by finite differences of column_rhs, one state at a time, with the
    kernel's own step (1e-7 max(|y|, 1e-3))."""
    N = y.shape[0]
    f0 = np.zeros(N)
    kc.column_rhs(y, *args, f0)
    J = np.zeros((N, N))
    f = np.zeros(N)
    for j in range(N):
        yp = y.copy()
        yp[j] = y[j] + 1e-7 * max(abs(y[j]), 1e-3)
        kc.column_rhs(yp, *args, f)
        J[:, j] = (f - f0) / (yp[j] - y[j])
    kc.column_rhs(y, *args, f0)  # restore the rapid-equilibrium Newton guesses
    return J


@pytest.mark.parametrize("model, rapid, nc, n, K, nr", [
    ("SOLID", 0, 1, 2, 4, 0),      # one component, DG of a constant-size copy (K = 4)
    ("SOLID", 0, 1, 9, 1, 0),      # finite volumes
    ("SOLID", 0, 2, 2, 3, 0),      # two components: B = 6 copy, generic particle block
    ("SOLID", 1, 2, 2, 5, 0),      # rapid equilibrium (no particle states), B = 10 generic
    ("PORES", 0, 1, 2, 6, 0),      # one component, lumped pores: the Sp = 2 copies
    ("PORES", 0, 1, 2, 7, 0),      # a degree without a copy (K = 7)
    ("PORES", 0, 3, 2, 3, 0),      # three components
    ("GRM", 0, 1, 6, 1, 4),        # shells: banded particle LU
    ("GRM_COLLOCATION", 0, 3, 2, 3, 3),  # collocation beads: loadings split point by point
    ("GRM_COLLOCATION", 1, 2, 2, 4, 3),  # collocation beads in rapid equilibrium
])
@pytest.mark.parametrize("c", [0.5, 50.0])
def test_factor_and_solve_invert_the_dense_iteration_matrix(model, rapid, nc, n, K, nr, c):
    """_jacobian + _factor + _lsolve against numpy on the same matrix assembled densely
    from finite differences of the whole right-hand side: every particle model, finite
    volumes and DG, the constant-size copies of the small blocks and the generic loops."""
    from leachsim.kernels import binding as bd
    from leachsim.kernels import column as kc
    pm = getattr(kc, model)
    code = bd.LANGMUIR if rapid else bd.KINETIC_LANGMUIR
    kc, y, args, jw = _column_problem(pm, rapid, code, nc, n, K, nr)
    J = _dense_jacobian(kc, y, args)
    kc._jacobian(y, *args, jw)
    split = kc.particle_split(pm, nr, rapid, args[12])
    assert split == (model == "GRM_COLLOCATION" and not rapid)
    assert kc._factor(c, pm, nc, nr, rapid, K, split, jw) == 0
    N = y.shape[0]
    b = np.random.default_rng(11).normal(size=N)
    x = b.copy()
    kc._lsolve(c, pm, nc, nr, rapid, K, split, jw, x)
    x_ref = np.linalg.solve(np.eye(N) - c * J, b)
    assert np.abs(x - x_ref).max() <= 1e-7 * np.abs(x_ref).max()


def test_factor_and_solve_ion_exchange_on_dg():
    """The same for steric mass action (salt + 2 metals) on lumped pores, DG K = 6."""
    from leachsim.kernels import binding as bd
    from leachsim.kernels import column as kc
    kc, y, args, jw = _column_problem(kc.PORES, 0, bd.SMA, 3, 2, 6, 0)
    J = _dense_jacobian(kc, y, args)
    kc._jacobian(y, *args, jw)
    assert kc._factor(20.0, kc.PORES, 3, 0, 0, 6, False, jw) == 0
    b = np.random.default_rng(2).normal(size=y.shape[0])
    x = b.copy()
    kc._lsolve(20.0, kc.PORES, 3, 0, 0, 6, False, jw, x)
    x_ref = np.linalg.solve(np.eye(y.shape[0]) - 20.0 * J, b)
    assert np.abs(x - x_ref).max() <= 1e-7 * np.abs(x_ref).max()
