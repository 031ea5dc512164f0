"""Binding models (kernels/binding.py) against independent references and theory.

Expected values come from ``tests/naive_binding.py`` (other unknowns, scipy brentq /
fsolve), from closed forms written out here, or from limits of the theory; never
from the kernels themselves.  Tolerances are relative unless said otherwise.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import naive_binding as nb
from leachsim.kernels import binding as B

RNG_SEED = 20240611


def par_table(ncomp, /, **rows):
    """par[N_PAR_ROWS, ncomp] with the named rows set (scalars broadcast)."""
    par = np.zeros((B.N_PAR_ROWS, ncomp))
    for name, val in rows.items():
        if name == "Lambda":
            par[B.P_LAMBDA, 0] = val
        else:
            par[B.PARAM_ROWS[name]] = val
    return par


def eq(code, c, par):
    c = np.ascontiguousarray(c, dtype=float)
    out = np.full(c.shape[0], np.nan)
    work = np.full(c.shape[0], np.nan)
    B.equilibrium(code, c, par, out, work)
    return out


def rate(code, c, q, par):
    c = np.ascontiguousarray(c, dtype=float)
    out = np.full(c.shape[0], np.nan)
    B.kinetic_rate(code, c, np.ascontiguousarray(q, dtype=float), par, out)
    return out


def rel_err(a, b, floor=0.0):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), floor))


def one_sided_slopes(f, x, h=1e-5):
    """Left and right derivative of f at x by second-order one-sided differences."""
    d = h * x
    left = (3.0 * f(x) - 4.0 * f(x - d) + f(x - 2.0 * d)) / (2.0 * d)
    right = (-3.0 * f(x) + 4.0 * f(x + d) - f(x + 2.0 * d)) / (2.0 * d)
    return left, right


def log_uniform(rng, lo, hi, size=None):
    return 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size)


# ------------------------------------------------------------------ tables and compilation

def test_model_and_parameter_tables():
    codes = list(B.MODELS.values())
    assert sorted(codes) == list(range(B.N_MODELS))
    assert set(B.MODELS) == {"linear", "langmuir", "langmuir-kinetic", "freundlich", "sips",
                             "mass-action-ix", "sma", "proton-langmuir"}
    assert set(B.REQUIRED_PARAMS) == set(B.MODELS) == set(B.EQUILIBRIUM_PARAMS)
    assert B.n_par_rows == B.N_PAR_ROWS
    rows = list(B.PARAM_ROWS.values())
    assert sorted(rows) == list(range(B.N_PAR_ROWS))
    assert set(B.PARAM_UNITS) == set(B.PARAM_ROWS)
    for name, needed in B.REQUIRED_PARAMS.items():
        assert set(B.EQUILIBRIUM_PARAMS[name]) <= set(needed)
        for p in needed:
            assert p in B.PARAM_ROWS, (name, p)


def test_param_problems():
    good = par_table(3, z=[1, 2, 1], K_sel=[1, 3, 2], Lambda=2000.0, k_ldf=1e-3)
    assert B.param_problems(B.MASS_ACTION_IX, good) == []
    bad = good.copy()
    bad[B.P_Z, 1] = 0.0
    bad[B.P_LAMBDA, 0] = -1.0
    bad[B.P_KSEL, 2] = np.nan
    msgs = B.param_problems(B.MASS_ACTION_IX, bad)
    assert len(msgs) == 3 and any("Lambda[0]" in m for m in msgs)
    assert any("z[1]" in m for m in msgs) and any("K_sel[2]" in m for m in msgs)
    sma = par_table(2, nu=[0, 4.0], sigma=[0, 10.0], k_a=[0, 1.0], k_d=[0, 1.0], Lambda=1e3)
    assert B.param_problems(B.SMA, sma) == []  # column 0 of nu, k_d is not read
    sma[B.P_NU, 1] = 0.0
    assert B.param_problems(B.SMA, sma) == ["sma: nu[1] = 0.0, expected > 0"]
    assert B.param_problems(99, good)[0].startswith("unknown")
    assert "shape" in B.param_problems(B.LINEAR, np.zeros((3, 2)))[0]


def test_unknown_code_gives_nan():
    par = par_table(2)
    assert np.isnan(eq(99, [1.0, 1.0], par)).all()
    assert np.isnan(rate(99, [1.0, 1.0], [0.0, 0.0], par)).all()


def test_entry_points_are_compiled_and_cached():
    par = par_table(2, H=1.0, k_ldf=1.0)
    eq(B.LINEAR, [1.0, 2.0], par)
    rate(B.LINEAR, [1.0, 2.0], [0.0, 0.0], par)
    for f in (B.equilibrium, B.kinetic_rate, B.site_balance_root, B.finite_slope_power):
        assert hasattr(f, "py_func") and f.targetoptions.get("nopython", True)
        assert type(f._cache).__name__ == "FunctionCache"  # cache=True took effect
    # every code goes through one compiled signature (the code is a runtime integer)
    for code in B.MODELS.values():
        p = par_table(3, H=1.0, q_max=10.0, K=1.0, K_F=1.0, n=2.0, c_lin=0.1, z=1.0,
                      K_sel=1.0, Lambda=10.0, nu=1.0, sigma=1.0, k_a=1.0, k_d=1.0, k_ldf=1.0)
        assert np.isfinite(eq(code, [1.0, 2.0, 3.0], p)).all()
        assert np.isfinite(rate(code, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0], p)).all()
    assert len(B.equilibrium.signatures) == 1
    assert len(B.kinetic_rate.signatures) == 1


def test_no_heap_allocation_in_kernels(tmp_path):
    """Fresh compile (empty cache) so the LLVM IR, callees inlined, can be inspected."""
    code = textwrap.dedent("""
        import numpy as np
        from leachsim.kernels import binding as B
        n = 3
        par = np.ones((B.N_PAR_ROWS, n)); c = np.ones(n); out = np.zeros(n); w = np.zeros(n)
        B.equilibrium(5, c, par, out, w); B.kinetic_rate(6, c, c, par, out)
        for f in (B.equilibrium, B.kinetic_rate):
            ir = "".join(f.inspect_llvm().values())
            assert "site_balance_root" in ir, "callee IR missing"
            print(f.__name__, ir.count("NRT_MemInfo_alloc"))
    """)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["equilibrium", "0", "kinetic_rate", "0"]


# ------------------------------------------------------------------ Langmuir family

def test_linear_langmuir_proton_against_reference():
    rng = np.random.default_rng(RNG_SEED)
    worst = 0.0
    for n in (1, 2, 4):
        for _ in range(50):
            c = log_uniform(rng, 1e-6, 1e3, n)
            c[rng.random(n) < 0.2] = 0.0
            H, qmax, K = (log_uniform(rng, 1e-3, 1e3, n) for _ in range(3))
            par = par_table(n, H=H, q_max=qmax, K=K)
            worst = max(worst, rel_err(eq(B.LINEAR, c, par), nb.linear(c, H), 1e-300))
            ref = nb.langmuir(c, qmax, K)
            worst = max(worst, rel_err(eq(B.LANGMUIR, c, par), ref, 1e-300))
            worst = max(worst, rel_err(eq(B.PROTON_LANGMUIR, c, par), ref, 1e-300))
    assert worst < 1e-14


def test_langmuir_clips_negative_concentration():
    par = par_table(2, q_max=[5.0, 5.0], K=[1.0, 2.0])
    q = eq(B.LANGMUIR, [-1e-9, 1.0], par)
    assert q[0] == 0.0 and q[1] == pytest.approx(5.0 * 2.0 / 3.0, rel=1e-15)


def test_kinetic_langmuir_rate_and_equilibrium():
    rng = np.random.default_rng(RNG_SEED + 1)
    for n in (1, 3):
        for _ in range(40):
            c = log_uniform(rng, 1e-4, 1e2, n)
            qmax = log_uniform(rng, 1.0, 1e3, n)
            ka = log_uniform(rng, 1e-5, 1e-1, n)
            kd = log_uniform(rng, 1e-6, 1e-2, n)
            par = par_table(n, q_max=qmax, k_a=ka, k_d=kd)
            q = rng.uniform(0, 1, n) * qmax / n
            ref = nb.langmuir_second_order_rate(c, q, qmax, ka, kd)
            scale = np.abs(ka * c * qmax) + np.abs(kd * q)
            assert np.max(np.abs(rate(B.KINETIC_LANGMUIR, c, q, par) - ref) / scale) < 1e-14
            qs = eq(B.KINETIC_LANGMUIR, c, par)
            assert rel_err(qs, nb.langmuir(c, qmax, ka / kd)) < 1e-14
            r = rate(B.KINETIC_LANGMUIR, c, qs, par)
            assert np.max(np.abs(r) / (ka * c * qmax)) < 1e-13


def test_proton_competition_lowers_uptake_as_ph_falls():
    """Cu2+ and Ni2+ on a chelating resin: K_H = 1 m^3/mol (log K_H = 3 in L/mol)."""
    qmax = np.array([0.0, 800.0, 800.0])  # protons untracked
    K = np.array([1.0, 2.0, 0.5])
    par = par_table(3, q_max=qmax, K=K, k_ldf=1e-3)
    pH = np.linspace(7.0, 0.0, 71)
    cM = np.array([1.0, 1.0])
    loads = []
    for p in pH:
        c = np.r_[1e3 * 10.0 ** -p, cM]  # mol/m^3
        q = eq(B.PROTON_LANGMUIR, c, par)
        assert q[0] == 0.0
        assert rel_err(q, nb.langmuir(c, qmax, K), 1e-300) < 1e-14
        loads.append(q[1:])
    loads = np.array(loads)
    assert np.all(np.diff(loads, axis=0) < 0.0)  # strictly falling as pH falls
    # pH 0 (1 M acid) strips the resin: uptake below 1/100 of its pH-7 value
    assert np.all(loads[-1] < loads[0] / 100.0)
    # untracked protons: no proton exchange with the liquid in the kinetic form either
    r = rate(B.PROTON_LANGMUIR, np.r_[1e3, cM], np.array([0.0, 100.0, 50.0]), par)
    assert r[0] == 0.0 and np.all(r[1:] < 0.0)  # acid elutes the bound metals
    # tracked protons: q_H* rises as pH falls, and site occupancy stays below 1
    par[B.P_QMAX, 0] = 800.0
    qH = [eq(B.PROTON_LANGMUIR, np.r_[1e3 * 10.0 ** -p, cM], par) for p in pH]
    assert np.all(np.diff([x[0] for x in qH]) > 0.0)
    assert max(x.sum() for x in qH) < 800.0


# ------------------------------------------------------------------ Freundlich and Sips

FREUNDLICH_CASES = [  # K_F, n, c_lin
    (2.0, 2.0, 1e-3), (15.0, 3.5, 0.05), (0.3, 1.2, 1.0), (7.0, 10.0, 1e-6),
]


@pytest.mark.parametrize("KF,n,c_lin", FREUNDLICH_CASES)
def test_freundlich_against_reference_and_power_law(KF, n, c_lin):
    par = par_table(1, K_F=KF, n=n, c_lin=c_lin)
    for c in np.r_[0.0, log_uniform(np.random.default_rng(3), c_lin * 1e-4, c_lin * 1e4, 200)]:
        q = eq(B.FREUNDLICH, [c], par)[0]
        ref = nb.freundlich([c], [KF], [n], [c_lin])[0]
        assert q == pytest.approx(ref, rel=1e-13, abs=0.0)
        if c >= c_lin:
            assert q == pytest.approx(KF * c ** (1.0 / n), rel=1e-14)


@pytest.mark.parametrize("KF,n,c_lin", FREUNDLICH_CASES)
def test_freundlich_finite_slope_and_smooth_threshold(KF, n, c_lin):
    par = par_table(1, K_F=KF, n=n, c_lin=c_lin)
    beta = 1.0 / n
    f = lambda c: eq(B.FREUNDLICH, [c], par)[0]  # noqa: E731
    h = 1e-7 * c_lin
    slope0 = (f(h) - f(0.0)) / h
    expected = (2.0 - beta) * KF * c_lin ** (beta - 1.0)  # finite, documented
    assert f(0.0) == 0.0 and slope0 == pytest.approx(expected, rel=1e-6)
    # continuity of value and slope at c_lin (second-order one-sided differences)
    assert abs(f(c_lin - 1e-9 * c_lin) - f(c_lin + 1e-9 * c_lin)) < 1e-8 * f(c_lin)
    left, right = one_sided_slopes(f, c_lin)
    assert left == pytest.approx(beta * KF * c_lin ** (beta - 1.0), rel=1e-7)
    assert right == pytest.approx(left, rel=1e-7)
    # increasing and concave on [0, 3 c_lin]
    grid = np.linspace(0.0, 3.0 * c_lin, 3001)
    qs = np.array([f(x) for x in grid])
    assert np.all(np.diff(qs) > 0.0) and np.all(np.diff(qs, 2) < 1e-12 * qs.max())


def test_freundlich_no_blend_when_slope_already_finite():
    par = par_table(2, K_F=[2.0, 2.0], n=[1.0, 0.5], c_lin=[1.0, 1.0])
    c = np.array([0.3, 0.3])
    assert np.allclose(eq(B.FREUNDLICH, c, par), [2.0 * 0.3, 2.0 * 0.3 ** 2], rtol=1e-15)
    par = par_table(1, K_F=2.0, n=2.0, c_lin=0.0)  # c_lin = 0: the pure power law
    assert eq(B.FREUNDLICH, [1e-10], par)[0] == pytest.approx(2.0 * 1e-5, rel=1e-14)


def test_sips_against_reference_langmuir_limit_and_slope():
    rng = np.random.default_rng(RNG_SEED + 2)
    worst = 0.0
    for n_comp in (1, 3):
        for _ in range(60):
            c = log_uniform(rng, 1e-5, 1e2, n_comp)
            c[rng.random(n_comp) < 0.2] = 0.0
            qmax = log_uniform(rng, 1.0, 1e3, n_comp)
            K = log_uniform(rng, 1e-2, 1e2, n_comp)
            nexp = rng.uniform(0.3, 2.0, n_comp)
            c_lin = log_uniform(rng, 1e-5, 1e-1, n_comp)
            par = par_table(n_comp, q_max=qmax, K=K, n=nexp, c_lin=c_lin)
            worst = max(worst, rel_err(eq(B.SIPS, c, par),
                                       nb.sips(c, qmax, K, nexp, c_lin), 1e-300))
            par[B.P_N] = 1.0
            assert rel_err(eq(B.SIPS, c, par), nb.langmuir(c, qmax, K), 1e-300) < 1e-14
    assert worst < 1e-13
    # finite slope at c = 0 for n < 1, C1 at the threshold
    qmax, K, nexp, c_lin = 100.0, 3.0, 0.6, 1e-3
    par = par_table(1, q_max=qmax, K=K, n=nexp, c_lin=c_lin)
    f = lambda c: eq(B.SIPS, [c], par)[0]  # noqa: E731
    h = 1e-9
    xl = K * c_lin
    assert (f(h) - f(0.0)) / h == pytest.approx(qmax * K * (2 - nexp) * xl ** (nexp - 1),
                                                rel=1e-5)
    left, right = one_sided_slopes(f, c_lin)
    assert right == pytest.approx(left, rel=1e-7)
    s = xl ** nexp
    assert f(c_lin) == pytest.approx(qmax * s / (1 + s), rel=1e-15)


# ------------------------------------------------------------------ mass-action ion exchange

def ix_par(z, K, lam, kldf=None):
    K = np.array(K, float)
    K[0] = 1.0
    return par_table(len(z), z=z, K_sel=K, Lambda=lam,
                     k_ldf=(1e-3 if kldf is None else kldf))


def ix_random_cases(rng, count):
    """Random heterovalent sets, with trace ions, absent ions, absent counter-ion, high load."""
    for i in range(count):
        n = rng.integers(2, 6)
        z = rng.integers(1, 4, n).astype(float)
        K = log_uniform(rng, 1e-2, 1e3, n)
        lam = log_uniform(rng, 100.0, 5000.0)
        c = log_uniform(rng, 1e-3, 2e3, n)
        kind = i % 5
        if kind == 1:
            c[rng.integers(1, n)] = 1e-12  # trace ion
        elif kind == 2:
            c[rng.integers(1, n)] = 0.0  # absent ion
        elif kind == 3:
            c[0] = 0.0  # counter-ion absent from the liquid
        elif kind == 4:
            K[1:] *= 1e3  # strongly held: resin nearly stripped of counter-ion
            c[0] *= 1e-3
        yield z, K, lam, c


def test_mass_action_against_brentq_and_fsolve():
    rng = np.random.default_rng(RNG_SEED + 3)
    worst_b = worst_f = worst_en = 0.0
    for z, K, lam, c in ix_random_cases(rng, 250):
        par = ix_par(z, K, lam)
        q = eq(B.MASS_ACTION_IX, c, par)
        ref = nb.ix_equilibrium(c, z, K, lam)
        assert np.all(q >= 0.0)
        assert np.array_equal(q == 0.0, ref == 0.0)  # absent ions exactly 0
        worst_b = max(worst_b, rel_err(q, ref, 1e-300))
        worst_en = max(worst_en, abs(np.dot(z, q) - lam) / lam)
        if np.all(c > 0):
            worst_f = max(worst_f, rel_err(q, nb.ix_equilibrium_fsolve(c, z, K, lam), 1e-300))
    assert worst_b < 1e-11
    assert worst_f < 1e-9
    assert worst_en < 1e-14


def test_mass_action_law_and_electroneutrality_hold():
    """Each output satisfies K_k = q_k^z0 c_0^zk / (q_0^zk c_k^z0) and sum z q = Lambda."""
    rng = np.random.default_rng(RNG_SEED + 4)
    for _ in range(200):
        n = rng.integers(2, 5)
        z = rng.integers(1, 4, n).astype(float)
        K = log_uniform(rng, 1e-2, 1e3, n)
        K[0] = 1.0
        lam = log_uniform(rng, 100.0, 5000.0)
        c = log_uniform(rng, 1e-6, 2e3, n)
        q = eq(B.MASS_ACTION_IX, c, ix_par(z, K, lam))
        lnK = (z[0] * np.log(q[1:]) + z[1:] * np.log(c[0])
               - z[1:] * np.log(q[0]) - z[0] * np.log(c[1:]))
        assert np.max(np.abs(lnK - np.log(K[1:]))) < 1e-11
        assert abs(np.dot(z, q) - lam) <= 1e-12 * lam


def test_ca_na_k_heterovalent_exchange():
    """Na-form strong-acid cation resin (2000 eq/m^3) in a Ca/K/Na water."""
    z = np.array([1.0, 2.0, 1.0])  # Na+, Ca2+, K+
    K = np.array([1.0, 4.0, 1.8])  # typical K_Ca/Na (molar), K_K/Na
    lam = 2000.0
    par = ix_par(z, K, lam)
    for c in ([10.0, 1.0, 0.5], [100.0, 1e-9, 1e-9], [0.1, 50.0, 5.0], [1.0, 0.0, 3.0],
              [0.0, 2.0, 1.0], [1e3, 1e3, 1e3]):
        q = eq(B.MASS_ACTION_IX, c, par)
        assert rel_err(q, nb.ix_equilibrium(c, z, K, lam), 1e-300) < 1e-12
        assert abs(np.dot(z, q) - lam) <= 1e-12 * lam
    # binary Ca/Na against the closed form
    par2 = ix_par(z[:2], K[:2], lam)
    for c_na, c_ca in ((10.0, 1.0), (1.0, 10.0), (500.0, 1e-6), (1e-3, 5.0)):
        q = eq(B.MASS_ACTION_IX, [c_na, c_ca], par2)
        q_na, q_ca = nb.ix_binary_12(c_na, c_ca, K[1], lam)
        assert rel_err(q, [q_na, q_ca]) < 1e-13


@pytest.mark.parametrize("zm", [1.0, 2.0, 3.0])
def test_doubling_counter_ion_displaces_metal(zm):
    """Trace M^zm on a counter-ion-form resin: q_M = K c_M (Lambda/c_0)^zm, so doubling c_0
    divides q_M by 2^zm (electroselectivity); with a loaded resin the exact ratio follows
    from the closed form (homovalent) or the brentq reference."""
    lam, K = 2000.0, 5.0
    z = np.array([1.0, zm])
    par = ix_par(z, [1.0, K], lam)
    c_m = 1e-9
    q1 = eq(B.MASS_ACTION_IX, [100.0, c_m], par)[1]
    q2 = eq(B.MASS_ACTION_IX, [200.0, c_m], par)[1]
    assert q1 == pytest.approx(K * c_m * (lam / 100.0) ** zm, rel=1e-6)
    assert q2 / q1 == pytest.approx(2.0 ** -zm, rel=1e-6)
    # loaded resin: less than the trace factor is displaced, exactly as the law says
    c_m = 20.0
    qa = eq(B.MASS_ACTION_IX, [100.0, c_m], par)
    qb = eq(B.MASS_ACTION_IX, [200.0, c_m], par)
    assert qb[1] < qa[1] and qb[0] > qa[0]
    ref_a = nb.ix_equilibrium([100.0, c_m], z, [1.0, K], lam)
    ref_b = nb.ix_equilibrium([200.0, c_m], z, [1.0, K], lam)
    assert qb[1] / qa[1] == pytest.approx(ref_b[1] / ref_a[1], rel=1e-12)
    if zm == 1.0:  # homovalent: q_M = Lambda K c_M / (c_0 + K c_M)
        for c0, q in ((100.0, qa), (200.0, qb)):
            assert q[1] == pytest.approx(lam * K * c_m / (c0 + K * c_m), rel=1e-14)


def test_mass_action_edge_cases():
    z = np.array([1.0, 2.0, 1.0])
    par = ix_par(z, [1.0, 4.0, 2.0], 1500.0)
    q = eq(B.MASS_ACTION_IX, [0.0, 0.0, 0.0], par)  # no ions: counter-ion form
    assert np.array_equal(q, [1500.0, 0.0, 0.0])
    q = eq(B.MASS_ACTION_IX, [5.0, 0.0, 0.0], par)  # only counter-ion
    assert np.array_equal(q, [1500.0, 0.0, 0.0])
    # divalent counter-ion (anion resin in SO4(2-) form, Cl- and NO3- exchanging)
    par2 = ix_par([2.0, 1.0, 1.0], [1.0, 3.0, 8.0], 1500.0)
    assert np.array_equal(eq(B.MASS_ACTION_IX, [0.0, 0.0, 0.0], par2), [750.0, 0.0, 0.0])
    assert np.array_equal(eq(B.MASS_ACTION_IX, [2.0, 0.0, 0.0], par2), [750.0, 0.0, 0.0])
    c = [2.0, 0.5, 1e-8]
    assert rel_err(eq(B.MASS_ACTION_IX, c, par2),
                   nb.ix_equilibrium(c, [2.0, 1.0, 1.0], [1.0, 3.0, 8.0], 1500.0)) < 1e-12
    q = eq(B.MASS_ACTION_IX, [0.0, 3.0, 0.0], par)  # only Ca: fully Ca form
    assert q[0] == 0.0 and q[2] == 0.0 and q[1] == pytest.approx(750.0, rel=1e-15)
    # the c_0 -> 0 limit is continuous
    lim = eq(B.MASS_ACTION_IX, [0.0, 3.0, 1.0], par)
    near = eq(B.MASS_ACTION_IX, [1e-12, 3.0, 1.0], par)
    assert rel_err(near[1:], lim[1:]) < 1e-9 and lim[0] == 0.0 and 0 < near[0] < 1e-9
    # negative undershoot is read as zero; zero capacity gives zero loading
    assert np.array_equal(eq(B.MASS_ACTION_IX, [5.0, -1e-12, 0.0], par), [1500.0, 0.0, 0.0])
    par0 = par.copy()
    par0[B.P_LAMBDA, 0] = 0.0
    assert np.array_equal(eq(B.MASS_ACTION_IX, [1.0, 1.0, 1.0], par0), [0.0, 0.0, 0.0])
    # extreme dynamic range: 1e-15 trace ion with a huge selectivity and 1e3 counter-ion
    par = ix_par(z, [1.0, 1e6, 1e-3], 1500.0)
    c = [1e3, 1e-15, 1e3]
    assert rel_err(eq(B.MASS_ACTION_IX, c, par),
                   nb.ix_equilibrium(c, z, [1.0, 1e6, 1e-3], 1500.0)) < 1e-12


def test_mass_action_kinetic_form():
    rng = np.random.default_rng(RNG_SEED + 5)
    worst_en = 0.0
    for z, K, lam, c in ix_random_cases(rng, 100):
        n = len(z)
        kldf = log_uniform(rng, 1e-4, 1e-1, n)
        par = ix_par(z, K, lam, kldf)
        qs = nb.ix_equilibrium(c, z, K, lam)
        # a random electroneutral state
        f = rng.dirichlet(np.ones(n))
        q = f * lam / z
        r = rate(B.MASS_ACTION_IX, c, q, par)
        expect = kldf[1:] * (qs[1:] - q[1:])
        assert np.max(np.abs(r[1:] - expect) / (kldf[1:] * lam)) < 1e-12
        worst_en = max(worst_en, abs(np.dot(z, r)) / np.max(np.abs(z * r)))
        # vanishes at equilibrium
        qe = eq(B.MASS_ACTION_IX, c, par)
        assert np.max(np.abs(rate(B.MASS_ACTION_IX, c, qe, par))) <= 1e-13 * lam * kldf.max()
    assert worst_en < 1e-13


# ------------------------------------------------------------------ steric mass action

def sma_random_cases(rng, count):
    for i in range(count):
        n = rng.integers(2, 5)
        nu = np.r_[0.0, rng.uniform(1.0, 8.0, n - 1)]
        sigma = np.r_[0.0, rng.uniform(0.0, 50.0, n - 1)]
        ka = np.r_[0.0, log_uniform(rng, 1e-2, 1e2, n - 1)]
        kd = np.r_[0.0, log_uniform(rng, 1e-3, 1e1, n - 1)]
        lam = log_uniform(rng, 200.0, 1500.0)
        c = np.r_[log_uniform(rng, 20.0, 1000.0), log_uniform(rng, 1e-5, 1.0, n - 1)]
        kind = i % 4
        if kind == 1:
            c[rng.integers(1, n)] = 1e-14  # trace protein
        elif kind == 2:
            c[rng.integers(1, n)] = 0.0
        elif kind == 3:
            c[0] = log_uniform(rng, 1.0, 10.0)  # low salt: high loading
        yield nu, sigma, ka, kd, lam, c


def sma_par(nu, sigma, ka, kd, lam):
    return par_table(len(nu), nu=nu, sigma=sigma, k_a=ka, k_d=kd, Lambda=lam)


def test_sma_equilibrium_against_brentq_and_fsolve():
    rng = np.random.default_rng(RNG_SEED + 6)
    worst_b = worst_f = worst_kin = 0.0
    for nu, sigma, ka, kd, lam, c in sma_random_cases(rng, 200):
        par = sma_par(nu, sigma, ka, kd, lam)
        q = eq(B.SMA, c, par)
        ref = nb.sma_equilibrium(c, nu, sigma, ka, kd, lam)
        worst_b = max(worst_b, rel_err(q[1:], ref[1:], 1e-300))
        worst_b = max(worst_b, abs(q[0] - ref[0]) / lam)
        assert q[0] + np.dot(nu[1:], q[1:]) == pytest.approx(lam, rel=1e-15, abs=0)
        qbar = lam - np.dot(nu[1:] + sigma[1:], q[1:])
        assert qbar >= 0.0
        if np.all(c > 0):
            f = nb.sma_equilibrium_fsolve(c, nu, sigma, ka, kd, lam)
            worst_f = max(worst_f, rel_err(q[1:], f[1:], 1e-300))
        # the kinetic form vanishes at the equilibrium, relative to its two terms
        r = rate(B.SMA, c, q, par)
        scale = ka[1:] * c[1:] * qbar ** nu[1:] + kd[1:] * q[1:] * c[0] ** nu[1:]
        scale = np.where(scale > 0, scale, 1.0)
        worst_kin = max(worst_kin, np.max(np.abs(r[1:]) / scale))
    assert worst_b < 1e-11
    assert worst_f < 1e-9
    assert worst_kin < 1e-11


def test_sma_kinetic_rate_against_reference():
    rng = np.random.default_rng(RNG_SEED + 7)
    for nu, sigma, ka, kd, lam, c in sma_random_cases(rng, 60):
        par = sma_par(nu, sigma, ka, kd, lam)
        n = len(c)
        q = np.r_[0.0, rng.uniform(0, 1, n - 1) * lam / (n * (nu[1:] + sigma[1:]))]
        q[0] = lam - np.dot(nu[1:], q[1:])
        r = rate(B.SMA, c, q, par)
        ref = nb.sma_rate(c, q, nu, sigma, ka, kd, lam)
        qbar = lam - np.dot(nu[1:] + sigma[1:], q[1:])
        scale = ka[1:] * c[1:] * qbar ** nu[1:] + kd[1:] * q[1:] * c[0] ** nu[1:]
        assert np.max(np.abs(r[1:] - ref[1:]) / scale) < 1e-13
        assert abs(r[0] + np.dot(nu[1:], r[1:])) <= 1e-13 * np.max(np.abs(nu * r))


def test_sma_edge_cases_and_ion_exchange_limit():
    nu = np.array([0.0, 4.5, 2.0])
    sigma = np.array([0.0, 20.0, 5.0])
    ka = np.array([0.0, 35.0, 2.0])
    kd = np.array([0.0, 1.0, 1.0])
    lam = 1200.0
    par = sma_par(nu, sigma, ka, kd, lam)
    assert np.array_equal(eq(B.SMA, [0.0, 0.0, 0.0], par), [lam, 0.0, 0.0])
    assert np.array_equal(eq(B.SMA, [50.0, 0.0, 0.0], par), [lam, 0.0, 0.0])
    c = [0.0, 0.1, 0.2]  # no salt: every site shielded or taken, qbar_0 = 0
    q = eq(B.SMA, c, par)
    ref = nb.sma_equilibrium(c, nu, sigma, ka, kd, lam)
    assert rel_err(q[1:], ref[1:]) < 1e-12
    assert np.dot(nu[1:] + sigma[1:], q[1:]) == pytest.approx(lam, rel=1e-14)
    near = eq(B.SMA, [1e-12, 0.1, 0.2], par)
    assert rel_err(near[1:], q[1:]) < 1e-9
    # sigma = 0, nu = z, monovalent salt: SMA is mass-action ion exchange with K = ka/kd
    z = np.array([1.0, 2.0, 3.0])
    par_sma = sma_par(z, [0.0, 0.0, 0.0], [0.0, 8.0, 30.0], [0.0, 2.0, 3.0], 1500.0)
    par_ix = ix_par(z, [1.0, 4.0, 10.0], 1500.0)
    for c in ([100.0, 1.0, 0.1], [5.0, 20.0, 3.0], [1e3, 1e-10, 1e-10]):
        assert rel_err(eq(B.SMA, c, par_sma), eq(B.MASS_ACTION_IX, c, par_ix)) < 1e-13


# ------------------------------------------------------------------ every model's kinetics

def all_models_par(n, rng):
    return par_table(
        n, k_ldf=log_uniform(rng, 1e-4, 1.0, n), H=log_uniform(rng, 0.1, 100.0, n),
        q_max=log_uniform(rng, 10.0, 1e3, n), K=log_uniform(rng, 1e-2, 10.0, n),
        K_F=log_uniform(rng, 0.1, 10.0, n), n=rng.uniform(0.5, 3.0, n),
        c_lin=log_uniform(rng, 1e-4, 1e-2, n), z=rng.integers(1, 4, n).astype(float),
        K_sel=log_uniform(rng, 0.1, 10.0, n), Lambda=1000.0,
        nu=np.r_[1.0, rng.uniform(1.0, 6.0, n - 1)], sigma=rng.uniform(0.0, 20.0, n),
        k_a=log_uniform(rng, 1e-3, 1.0, n), k_d=log_uniform(rng, 1e-3, 1.0, n))


@pytest.mark.parametrize("name", sorted(B.MODELS))
def test_kinetic_rate_vanishes_at_equilibrium(name):
    code = B.MODELS[name]
    rng = np.random.default_rng(RNG_SEED + code)
    worst = 0.0
    for _ in range(50):
        n = rng.integers(2, 5)
        par = all_models_par(n, rng)
        c = log_uniform(rng, 1e-3, 1e2, n)
        c[rng.random(n) < 0.15] = 0.0
        qs = eq(code, c, par)
        assert np.all(np.isfinite(qs)) and np.all(qs >= 0.0)
        r = rate(code, c, qs, par)
        # scale: the rate out of an empty solid (the uptake term alone), >= each term at q*
        scale = max(np.max(np.abs(rate(code, c, np.zeros(n), par))), 1e-300)
        worst = max(worst, np.max(np.abs(r)) / scale)
        if name in ("linear", "langmuir", "freundlich", "sips", "proton-langmuir"):
            q = qs * rng.uniform(0.0, 2.0, n)
            assert rel_err(rate(code, c, q, par), par[B.P_KLDF] * (qs - q), 1e-300) < 1e-14
    assert worst < 1e-12
