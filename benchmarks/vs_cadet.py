"""leachsim's column solver against CADET-Core: agreement, cost at equal accuracy, throughput.

    bash benchmarks/setup_cadet.sh              # once: CADET-Core + CADET-Python into benchmarks/.cadet
    python benchmarks/vs_cadet.py               # full run (about 18 minutes on 2 cores)
    python benchmarks/vs_cadet.py --quick       # smoke run (about 2 minutes)

See the "vs_cadet.py" section of benchmarks/README.md for what is measured and how.

Model mapping (CADET-Core 5.1 names on the right), SI units throughout:

    leachsim KINETIC + LANGMUIR, pm SOLID      LUMPED_RATE_MODEL_WITHOUT_PORES,
                                                MULTI_COMPONENT_LANGMUIR, IS_KINETIC = 1
    bed porosity eps                            TOTAL_POROSITY = eps  (no pores: eps_t = eps,
                                                1/beta_t = (1 - eps)/eps = leachsim's F)
    interstitial velocity u                     CROSS_SECTION_AREA A and connection flow rate
                                                Q = u A eps (CADET: u = Q/(A eps_t), LRMP/GRM:
                                                Q/(A COL_POROSITY)); VELOCITY is not set
    D                                           COL_DISPERSION
    L                                           COL_LENGTH
    q_max, k_a, k_d  (q per m^3 solid)          MCL_QMAX, MCL_KA, MCL_KD  (q per m^3 solid phase)
    inlet step/sections, Danckwerts inlet       INLET unit, PIECEWISE_CUBIC_POLY const_coeff
    outlet c(L, t)                              unit_001 SOLUTION_OUTLET

    leachsim pm PORES (lumped rate with pores)  LUMPED_RATE_MODEL_WITH_PORES:
    eps (interparticle), eps_p, R_p, k_f        COL_POROSITY, PAR_POROSITY, PAR_RADIUS,
                                                FILM_DIFFUSION

    leachsim SMA binding (kernels/binding.py)   STERIC_MASS_ACTION, IS_KINETIC = 1,
    Lambda, nu, sigma, k_a, k_d; component 0    SMA_LAMBDA, SMA_NU, SMA_SIGMA, SMA_KA, SMA_KD
    is the salt, its bound state integrated     (SMA_REFC0 = SMA_REFQ = 1, the defaults); salt's
    from q_0 = Lambda - sum nu q                bound state is CADET's algebraic equation

Both codes write the LRM bulk balance as dc/dt = -u dc/dz + D d2c/dz2 - F dq/dt
(F = (1 - eps)/eps), the Langmuir kinetics as dq/dt = k_a c q_max (1 - sum_j q_j/q_max,j) - k_d q,
and the LRMP particle as eps_p dc_p/dt + (1 - eps_p) dq/dt = (3/R_p) k_f (c - c_p).
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CADET_DIR = Path(os.environ.get("CADET_DIR", HERE / ".cadet"))


def _single_thread_env():
    """One OpenMP/BLAS thread for libcadet (set before libcadet and its libgomp load)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------

@dataclass
class Problem:
    """One column problem in SI units, as both codes should see it."""
    name: str
    title: str
    model: str                      # "lrm", "lrmp" or "grm"
    binding: str                    # "langmuir" (kinetic multi-component) or "sma"
    comps: list
    L: float                        # m
    eps: float                      # interparticle (bed) porosity; LRM: total porosity
    u: float                        # interstitial velocity, m/s
    D: float                        # axial dispersion, m^2/s
    sections: list                  # [(duration s, [c_in per component mol/m^3]), ...]
    binding_par: dict               # per-component lists (see CadetCore._binding)
    eps_p: float = 0.0
    R_p: float = 0.0
    k_f: list = field(default_factory=list)    # film coefficient m/s (per component)
    D_p: list = field(default_factory=list)    # pore diffusion m^2/s (GRM)
    nr: int = 8                                 # leachsim GRM: radial shells or points
    radial: str = "shells"                      # leachsim GRM bead: "shells" (finite
                                                # volumes) or "collocation"
    ref_cells: list | None = None               # leachsim's converged-curve grid (default:
                                                # the script's, 200, 400, ...)
    init_c: list | None = None                  # initial bulk (and pore) liquid, mol/m^3
    init_q: list | None = None                  # initial bound states, mol/m^3 solid
    n_out: int = 401

    @property
    def t_sec(self) -> np.ndarray:
        """Section boundaries, s (len(sections) + 1)."""
        return np.concatenate([[0.0], np.cumsum([d for d, _ in self.sections])])

    @property
    def t_out(self) -> np.ndarray:
        """n_out equidistant output times; one closer than 1e-9 t_end to a section boundary is
        put on it (IDAS refuses an output time a rounding error past a section start)."""
        ts = self.t_sec
        t = np.linspace(0.0, ts[-1], self.n_out)
        for b in ts:
            t[np.abs(t - b) < 1e-9 * ts[-1]] = b
        return t

    @property
    def c_ref(self) -> np.ndarray:
        """C0 per component: its largest inlet concentration."""
        return np.maximum(np.max([c for _, c in self.sections], axis=0), 1e-30)

    def with_(self, **kw) -> "Problem":
        return replace(self, **kw)


def _langmuir(q_max, k_a, k_d):
    return {"q_max": list(q_max), "k_a": list(k_a), "k_d": list(k_d)}


CASES = {
    # One-component Langmuir, lumped rate model without pores, kinetic binding; load then wash.
    # q*(C0) = q_max K C0/(1 + K C0) = 50 mol/m^3 solid, K = k_a/k_d = 1 m^3/mol; the front
    # arrives near (1 + F q*/C0) L/u = 7.6e3 s; kinetic spreading keeps it smooth.
    "lrm_langmuir_1comp": Problem(
        name="lrm_langmuir_1comp",
        title="LRM, 1-comp kinetic Langmuir, load 12000 s + wash 8000 s",
        model="lrm", binding="langmuir", comps=["A"],
        L=0.1, eps=0.4, u=1e-3, D=1e-7,
        sections=[(12000.0, [1.0]), (8000.0, [0.0])],
        binding_par=_langmuir([100.0], [1e-3], [1e-3])),
    # Same binding behind a film and particle pores (lumped rate model with pores).
    "lrmp_langmuir_1comp": Problem(
        name="lrmp_langmuir_1comp",
        title="LRMP, 1-comp kinetic Langmuir, film + pores, load 12000 s + wash 8000 s",
        model="lrmp", binding="langmuir", comps=["A"],
        L=0.1, eps=0.37, u=1e-3, D=1e-7, eps_p=0.5, R_p=5e-5, k_f=[1e-5],
        sections=[(12000.0, [1.0]), (8000.0, [0.0])],
        binding_par=_langmuir([100.0], [1e-3], [1e-3])),
    # Three competing metals, general rate model (pore diffusion inside spherical particles).
    "grm_langmuir_3comp": Problem(
        name="grm_langmuir_3comp",
        title="GRM, 3-comp competitive kinetic Langmuir, load 10000 s + wash 5000 s",
        model="grm", binding="langmuir", comps=["Co", "Ni", "Mn"],
        L=0.1, eps=0.37, u=1e-3, D=1e-7, eps_p=0.5, R_p=5e-5,
        k_f=[1e-5, 1e-5, 1e-5], D_p=[1e-10, 1e-10, 1e-10], ref_cells=[25, 50, 100, 200],
        sections=[(10000.0, [0.5, 0.5, 0.5]), (5000.0, [0.0, 0.0, 0.0])],
        binding_par=_langmuir([100.0, 100.0, 100.0], [2e-3, 1e-3, 5e-4],
                              [1e-3, 1e-3, 1e-3])),
    # Ion exchange: steric mass action, salt (component 0) and two divalent metals, behind a
    # film and pores. Load at 50 mol/m^3 salt (partition q/c = K (qbar_0/c_salt)^nu, about
    # 60-100 on the fresh resin; Co binds twice as strongly as Ni), then a salt step to
    # 150 mol/m^3 elutes both metals. The bed starts in salt form (q_salt = Lambda). Slow
    # exchange kinetics and Pe = uL/D = 100 keep the peaks smooth.
    "sma_salt_2metals": Problem(
        name="sma_salt_2metals",
        title="LRMP, SMA: salt + 2 metals, load 2000 s, salt-step elution 4000 s",
        model="lrmp", binding="sma", comps=["Na", "Co", "Ni"],
        L=0.1, eps=0.37, u=1e-3, D=1e-6, eps_p=0.5, R_p=5e-5, k_f=[1e-4, 1e-5, 1e-5],
        sections=[(2000.0, [50.0, 1.0, 1.0]), (4000.0, [150.0, 0.0, 0.0])],
        binding_par={"Lambda": [1200.0], "k_a": [0.0, 5e-8, 2.5e-8],
                     "k_d": [0.0, 2.5e-7, 2.5e-7], "nu": [0.0, 2.0, 2.0],
                     "sigma": [0.0, 5.0, 5.0]},
        init_c=[50.0, 0.0, 0.0], init_q=[1200.0, 0.0, 0.0]),
}


# --------------------------------------------------------------------------------------------
# leachsim
# --------------------------------------------------------------------------------------------

class Leachsim:
    """leachsim.kernels.column, called with arguments matched to its signature by name.

    Works with the kernel API before and after binding models moved to kernels/binding.py
    (``mode, iso`` vs ``code``; ``c_init, q_init``); which arguments run_column_many takes
    per case is read from its source (``name[s]``)."""

    def __init__(self):
        import re
        from leachsim.kernels import column as kc
        self.kc = kc
        try:
            from leachsim.kernels import binding as bd
        except ImportError:
            bd = None
        self.bd = bd if "code" in inspect.signature(kc.run_column.py_func).parameters else None
        self.sig = list(inspect.signature(kc.run_column.py_func).parameters)
        self.sig_many = list(inspect.signature(kc.run_column_many.py_func).parameters)
        src = inspect.getsource(kc.run_column_many.py_func)
        self.per_case = set(re.findall(r"\b(\w+)\[s\]", src)) | {"status"}
        self.has_pores = hasattr(kc, "PORES") and "pm" in self.sig

    def supports(self, p: Problem) -> str | None:
        """None if leachsim can run problem p, else why not."""
        if p.model == "grm" and not hasattr(self.kc, "GRM"):
            return "general rate model (pore diffusion inside the particles)"
        if p.radial == "collocation" and not hasattr(self.kc, "GRM_COLLOCATION"):
            return "radial collocation in the beads"
        if p.model == "lrmp" and not self.has_pores:
            return "lumped rate model with pores"
        if p.binding == "sma" and not (self.bd is not None and hasattr(self.bd, "SMA")):
            return "steric mass action binding"
        if p.binding not in ("langmuir", "sma"):
            return f"binding model '{p.binding}'"
        return None

    def args(self, p: Problem, n: int, K: int = 1) -> dict:
        """Kernel arguments: n finite-volume cells (K = 1) or n DG elements of K nodes."""
        kc, bd = self.kc, self.bd
        rows = bd if bd is not None else kc  # binding parameter rows
        nc = len(p.comps)
        par = np.zeros((kc.N_PAR, nc))
        bp = p.binding_par
        a = {}
        if p.binding == "langmuir":
            par[rows.P_QMAX] = bp["q_max"]
            par[rows.P_KA] = bp["k_a"]
            par[rows.P_KD] = bp["k_d"]
            q_scale = np.maximum(par[rows.P_QMAX], 1e-30)
            if bd is not None:
                a["code"] = bd.KINETIC_LANGMUIR
            else:
                a["mode"], a["iso"] = kc.KINETIC, kc.LANGMUIR
        else:  # sma (new API only)
            par[bd.P_LAMBDA, 0] = bp["Lambda"][0]
            par[bd.P_NU] = bp["nu"]
            par[bd.P_SIGMA] = bp["sigma"]
            par[bd.P_KA] = bp["k_a"]
            par[bd.P_KD] = bp["k_d"]
            q_scale = np.full(nc, bp["Lambda"][0])
            a["code"] = bd.SMA
        pm, pp = 0, np.zeros(2)
        if p.model in ("lrmp", "grm"):
            par[getattr(kc, "P_FILM", getattr(kc, "P_KF", None))] = p.k_f
            pm, pp = kc.PORES, np.array([p.eps_p, p.R_p])
            if p.model == "grm":
                pm = kc.GRM_COLLOCATION if p.radial == "collocation" else kc.GRM
                par[kc.P_DP] = p.D_p
        elif hasattr(kc, "SOLID"):
            pm = kc.SOLID
        grm_api = hasattr(kc, "atol_scale")  # kernels with GRM and rapid equilibrium
        a.update(rapid=0, nr=p.nr)
        if grm_api:
            S = kc.states_per_cell(pm, nc, p.nr, 0)
            P = kc.physical_per_cell(pm, nc, p.nr)
        else:
            S = P = kc.states_per_cell(pm, nc) if hasattr(kc, "states_per_cell") else 2 * nc
        t_sec = p.t_sec
        c_sec = np.array([c for _, c in p.sections], float)
        c_init = np.array(p.init_c if p.init_c else [0.0] * nc, float)
        q_init = np.array(p.init_q if p.init_q else [0.0] * nc, float)
        # absolute-tolerance scales as leachsim.column.simulate.kernel_inputs sets them: the
        # largest liquid level, and the largest equilibrium loading of any inlet or the bed
        c_ref = np.maximum(p.c_ref, c_init)
        if bd is not None and hasattr(bd, "equilibrium"):
            q_scale = np.maximum(q_init, 0.0)
            for row in c_sec:
                q, work = np.zeros(nc), np.zeros(nc)
                bd.equilibrium(a["code"], row, par, q, work)
                q_scale = np.maximum(q_scale, q)
            q_scale = np.maximum(q_scale, 1e-6 * max(q_scale.max(), c_ref.max()))
        nodes = n * K
        scale = np.empty(nodes * S + nc)
        if grm_api:
            kc.atol_scale(pm, 0, p.nr, nodes, p.eps, pp, c_ref, q_scale, c_ref * p.u * t_sec[-1],
                          scale)
        else:
            cell = np.concatenate([np.tile(c_ref, S // nc - 1), q_scale])
            scale[:n * S] = np.tile(cell, n)
            scale[n * S:] = c_ref * p.u * t_sec[-1]
        nt = p.n_out
        a.update(L=p.L, u_sec=np.full(len(p.sections), p.u), eps=p.eps, D=p.D, n=n, K=K, pm=pm,
                 pp=pp, par=par, t_sec=t_sec, c_sec=c_sec, c_end=c_sec, c_init=c_init, q_init=q_init,
                 t_out=p.t_out, scale=scale,
                 c_out=np.zeros((nt, nc)), y_end=np.zeros(nodes * P + nc), stats=np.zeros(6),
                 t_prof=np.zeros(0), prof_out=np.zeros((0, nodes * P)))  # no in-bed profiles
        return a

    def _call(self, fn, names, a):
        missing = [x for x in names if x not in a]
        if missing:
            raise RuntimeError(f"leachsim kernel wants arguments this benchmark does not know: "
                               f"{missing}")
        return fn(*[a[x] for x in names])

    def run(self, p: Problem, n: int, tol: float, K: int = 1):
        """Outlet (n_out, nc), wall seconds of the kernel call, stats."""
        a = self.args(p, n, K)
        a["rtol"] = a["atol"] = tol
        t0 = time.perf_counter()
        status = self._call(self.kc.run_column, self.sig, a)
        dt = time.perf_counter() - t0
        if status != 0:
            raise RuntimeError(f"leachsim status {status} (n={n}, tol={tol:g}) "
                               f"at t={a['stats'][4]:.6g}")
        return a["c_out"].copy(), dt, a["stats"].copy()

    def run_many(self, problems: list, n: int, tol: float, K: int = 1):
        """All problems (same n_out, section count, components) through run_column_many."""
        per = [self.args(p, n, K) for p in problems]
        a = dict(per[0])
        for key in self.per_case - {"status"}:
            a[key] = np.stack([np.asarray(x[key], float) for x in per])
        a["status"] = np.zeros(len(problems), np.int64)
        a["rtol"] = a["atol"] = tol
        t0 = time.perf_counter()
        self._call(self.kc.run_column_many, self.sig_many, a)
        dt = time.perf_counter() - t0
        return a["c_out"], a["status"], dt


# --------------------------------------------------------------------------------------------
# CADET-Core
# --------------------------------------------------------------------------------------------

class CadetCore:
    """CADET-Core through CADET-Python, in process (libcadet.so via ctypes) when possible."""

    def __init__(self, root: Path = CADET_DIR, use_dll: bool = True):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from cadet import Cadet
        self.Cadet = Cadet
        self.install = root / "cadet_core"
        probe = Cadet(install_path=self.install, use_dll=use_dll)
        self.use_dll = bool(use_dll and probe.found_dll)
        self.version = probe.version

    def sim(self, p: Problem, disc: tuple, tol: float):
        """A ready Cadet object; disc = ("FV", ncol) or ("DG", polydeg, nelem)."""
        s = self.Cadet(install_path=self.install, use_dll=self.use_dll)
        nc = len(p.comps)
        m = s.root.input.model
        m.nunits = 2
        inlet = m.unit_000
        inlet.unit_type = "INLET"
        inlet.ncomp = nc
        inlet.inlet_type = "PIECEWISE_CUBIC_POLY"
        for k, (_, c) in enumerate(p.sections):
            sec = inlet[f"sec_{k:03d}"]
            sec.const_coeff = list(map(float, c))
            sec.lin_coeff = sec.quad_coeff = sec.cube_coeff = [0.0] * nc

        col = m.unit_001
        col.ncomp = nc
        col.col_length = p.L
        area = 1e-4
        col.cross_section_area = area
        col.col_dispersion = p.D
        if p.model == "lrm":
            col.unit_type = "LUMPED_RATE_MODEL_WITHOUT_PORES"
            col.total_porosity = p.eps
        else:
            col.unit_type = ("LUMPED_RATE_MODEL_WITH_PORES" if p.model == "lrmp"
                             else "GENERAL_RATE_MODEL")
            col.col_porosity = p.eps
            col.par_porosity = p.eps_p
            col.par_radius = p.R_p
            col.film_diffusion = list(p.k_f)
            col.init_cp = list(p.init_c) if p.init_c else [0.0] * nc
            if p.model == "grm":
                col.par_diffusion = list(p.D_p)
                col.par_surfdiffusion = [0.0] * nc
        col.init_c = list(p.init_c) if p.init_c else [0.0] * nc
        self._binding(col, p)

        d = col.discretization
        d.use_analytic_jacobian = 1
        if disc[0] == "FV":
            d.spatial_method = "FV"
            d.ncol = int(disc[1])
            d.reconstruction = "WENO"
            d.weno.boundary_model = 0
            d.weno.weno_eps = 1e-10
            d.weno.weno_order = 3
            d.gs_type = 1  # Krylov (GMRES) settings that the models with pores read
            d.max_krylov = 0
            d.max_restarts = 10
            d.schur_safety = 1e-8
            if p.model == "grm":
                d.npar = int(disc[2]) if len(disc) > 2 else 8
                d.par_disc_type = "EQUIDISTANT_PAR"
        else:
            d.spatial_method = "DG"
            d.polydeg = int(disc[1])
            d.nelem = int(disc[2])
            d.exact_integration = 0
            if p.model == "grm":  # the bead: ("DG", deg, nelem[, par_polydeg, par_nelem])
                d.par_polydeg = int(disc[3]) if len(disc) > 3 else int(disc[1])
                d.par_nelem = int(disc[4]) if len(disc) > 4 else max(1, int(disc[2]) // 8)
                d.par_disc_type = "EQUIDISTANT_PAR"

        m.connections.nswitches = 1
        m.connections.switch_000.section = 0
        m.connections.switch_000.connections = [0, 1, -1, -1, p.u * area * p.eps]
        m.solver.gs_type = 1
        m.solver.max_krylov = 0
        m.solver.max_restarts = 10
        m.solver.schur_safety = 1e-8

        r = s.root.input["return"]
        r.split_components_data = 0
        r.split_ports_data = 0
        r.unit_000.write_solution_outlet = 0
        r.unit_001.write_solution_outlet = 1

        sv = s.root.input.solver
        sv.nthreads = 1
        sv.sections.nsec = len(p.sections)
        sv.sections.section_times = list(p.t_sec)
        sv.sections.section_continuity = [0] * (len(p.sections) - 1)
        sv.user_solution_times = p.t_out
        ti = sv.time_integrator
        ti.abstol = tol * float(np.min(p.c_ref))
        ti.reltol = tol
        ti.algtol = tol
        ti.init_step_size = 1e-6
        ti.max_steps = 500_000
        return s

    @staticmethod
    def _binding(col, p: Problem):
        nc = len(p.comps)
        bp = p.binding_par
        ads = col.adsorption
        ads.is_kinetic = 1
        if p.binding == "langmuir":
            col.adsorption_model = "MULTI_COMPONENT_LANGMUIR"
            col.nbound = [1] * nc
            ads.mcl_ka = bp["k_a"]
            ads.mcl_kd = bp["k_d"]
            ads.mcl_qmax = bp["q_max"]
        elif p.binding == "sma":
            col.adsorption_model = "STERIC_MASS_ACTION"
            col.nbound = [1] * nc
            ads.sma_lambda = bp["Lambda"][0]
            ads.sma_ka = bp["k_a"]
            ads.sma_kd = bp["k_d"]
            ads.sma_nu = bp["nu"]
            ads.sma_sigma = bp["sigma"]
        else:
            raise ValueError(p.binding)
        col.init_q = list(p.init_q) if p.init_q else [0.0] * nc

    def run_sim(self, s):
        """Run a prepared Cadet object: outlet (nt, nc), wall s (in process), CADET's time_sim."""
        s.clear()  # fresh CADET driver: a driver does not run the same input twice
        t0 = time.perf_counter()
        if self.use_dll:
            ri = s.run_simulation(clear=False)
        else:  # cadet-cli: through an HDF5 file and a child process
            import tempfile
            with tempfile.TemporaryDirectory() as tmp:
                s.filename = str(Path(tmp) / "sim.h5")
                s.save()
                ri = s.run_simulation(clear=False)
        dt = time.perf_counter() - t0
        if ri.return_code != 0:
            raise RuntimeError(f"CADET failed: {ri.error_message.strip()[-400:]}")
        out = np.asarray(s.root.output.solution.unit_001.solution_outlet, float)
        out = out.reshape(out.shape[0], -1)
        return out, dt, float(s.root.meta.time_sim)

    def run(self, p: Problem, disc: tuple, tol: float):
        return self.run_sim(self.sim(p, disc, tol))


# --------------------------------------------------------------------------------------------
# Convergence, accuracy levels, timing
# --------------------------------------------------------------------------------------------

def max_rel_diff(a, b, c_ref) -> float:
    """max over time and components of |a - b| / C0."""
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / c_ref))


def median_time(fn, repeats: int):
    """Median, min and max wall seconds of fn() over repeats calls (fn returns its own time)."""
    ts = [fn() for _ in range(repeats)]
    return statistics.median(ts), min(ts), max(ts)


@dataclass
class Scheme:
    """One code + discretization family, refined along `grid` (cells or DG elements)."""
    label: str
    grid: list                      # refinement parameter, coarse to fine
    describe: object                # (x, tol) -> str
    run: object                     # (x, tol) -> (outlet, seconds)
    tols: list = None               # relative to the level
    disc: object = None             # CADET: x -> its discretization tuple


def converge(run, xs, c_ref, target, time_cap, log):
    """Refine along xs until two successive outlets differ by < target (or time runs out).

    Returns (finest outlet, list of (x, outlet, change, seconds))."""
    hist = []
    prev = None
    t_used = 0.0
    for x in xs:
        out, dt = run(x)
        t_used += dt
        change = max_rel_diff(out, prev, c_ref) if prev is not None else float("nan")
        hist.append((x, out, change, dt))
        log(f"      {x!s:>14}  change {change:9.2e}   {dt:7.3f} s")
        prev = out
        if change < target:
            break
        if t_used + 2.5 * dt > time_cap:  # the next level would take about 2.5x this one
            log(f"      (stopped: the next level would exceed the {time_cap:g} s budget)")
            break
    return prev, hist


def richardson(hist, ratio=2.0):
    """Extrapolate the last three levels of a geometric refinement (observed order)."""
    if len(hist) < 3:
        return None, None
    c1, c2, c3 = (h[1] for h in hist[-3:])
    d12 = np.max(np.abs(c2 - c1))
    d23 = np.max(np.abs(c3 - c2))
    if d23 <= 0 or d12 <= d23:
        return None, None
    p = math.log(d12 / d23) / math.log(ratio)
    return c3 + (c3 - c2) / (ratio ** p - 1.0), p


def coarsest(scheme: Scheme, level: float, ref, c_ref, log, run_cap=math.inf):
    """Per tolerance, the coarsest grid point meeting `level`; returns the fastest of those.

    Search: gallop along the grid two points at a time (about x2 in cells) until the error is
    below the level, then try the grid point just before. A tolerance is dropped when refining
    stops paying (error falls < 1.5x per step: the time error dominates)."""
    found = []
    for tf in scheme.tols:
        tol = level * tf
        tried = {}

        def err_at(i):
            if i not in tried:
                try:
                    out, dt = scheme.run(scheme.grid[i], tol)
                    e = max_rel_diff(out, ref, c_ref)
                except RuntimeError as exc:
                    e, dt = float("inf"), float("nan")
                    log(f"      {scheme.label} {scheme.describe(scheme.grid[i], tol)}: {exc}")
                tried[i] = (e, dt)
            return tried[i]

        i, prev_e, hit, fails = 0, float("inf"), None, 0
        while i < len(scheme.grid):
            e, _ = err_at(i)
            if e <= level:
                hit = i
                break
            if math.isfinite(prev_e) and e > prev_e / 1.5:
                break
            fails = fails + 1 if not math.isfinite(e) else 0
            if fails == 2:
                break
            if tried[i][1] > run_cap:
                log(f"      {scheme.label} tol {tol:.0e}: stopped at "
                    f"{scheme.describe(scheme.grid[i], tol)} (error {e:.2e}): one run took "
                    f"{tried[i][1]:.1f} s > {run_cap:g} s")
                break
            prev_e = e
            i += 2
        if hit is None:
            log(f"      {scheme.label} tol {tol:.0e}: level not reached "
                f"(best {min(v[0] for v in tried.values()):.2e})")
            continue
        if hit > 0 and err_at(hit - 1)[0] <= level:
            hit -= 1
        e, dt = tried[hit]
        found.append((dt, scheme.grid[hit], tol, e))
        log(f"      {scheme.label}: {scheme.describe(scheme.grid[hit], tol)}  "
            f"error {e:.2e}  {dt:.4f} s (single run)")
    if not found:
        return None
    return min(found, key=lambda f: f[0])


def fv_grid(lo=8, hi=4096):
    g, x = [], float(lo)
    while x <= hi * 1.0001:
        g.append(int(round(x)))
        x *= math.sqrt(2.0)
    return g


DG_GRID = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]


def compare_case(p: Problem, ls: Leachsim, cc: CadetCore, opt, report: dict, log=print):
    c_ref = p.c_ref
    log(f"\n=== case {p.name}: {p.title}")
    why = ls.supports(p)
    if why:
        log(f"    not yet supported by leachsim ({why}); CADET side is defined, skipped")
        report["cases"][p.name] = {"supported": False, "reason": why}
        return
    rec = report["cases"].setdefault(p.name, {"supported": True})
    ls.run(p, 8, 1e-3)  # compile / load the numba cache outside every timing
    ls.run(p, 2, 1e-3, 5)

    # 1. converged curves
    log("  converged outlet curves (target: change < 1e-7 in C/C0 between refinements)")
    log(f"    CADET DG, polydeg {opt.ref_polydeg}, tol 1e-12, nelem doubling:")
    cad_ref, cad_hist = converge(
        lambda ne: cc.run(p, ("DG", opt.ref_polydeg, ne), 1e-12)[:2],
        [4, 8, 16, 32, 64, 128], c_ref, 1e-7, opt.ref_time_cap, log)
    cad_ok = cad_hist[-1][2] < 1e-7
    if p.model == "grm":  # elements doubled, radial collocation points raised along
        log(f"    leachsim DG, polydeg {opt.ref_polydeg}, tol {opt.ref_tol:g}, (nelem, radial "
            f"collocation points) refined together:")
        grid = [(4, 4), (8, 6), (16, 8), (32, 10), (64, 12)]
        ls_ref, ls_hist = converge(
            lambda x: ls.run(p.with_(nr=x[1], radial="collocation"), x[0], opt.ref_tol,
                             opt.ref_polydeg + 1)[:2],
            grid, c_ref, 1e-7, opt.ref_time_cap, log)
    else:
        log(f"    leachsim DG, polydeg {opt.ref_polydeg}, tol {opt.ref_tol:g}, nelem doubling:")
        ls_ref, ls_hist = converge(
            lambda ne: ls.run(p, ne, opt.ref_tol, opt.ref_polydeg + 1)[:2],
            [4, 8, 16, 32, 64, 128], c_ref, 1e-7, opt.ref_time_cap, log)
    ls_ok = ls_hist[-1][2] < 1e-7
    ls_rich, order = richardson(ls_hist)
    log(f"    CADET DG converged: {'yes' if cad_ok else 'NO'} (last change "
        f"{cad_hist[-1][2]:.2e});  leachsim converged: {'yes' if ls_ok else 'no'} (last change "
        f"{ls_hist[-1][2]:.2e} at {ls_hist[-1][0]})")
    d_fine = max_rel_diff(ls_ref, cad_ref, c_ref)
    log(f"    max |delta C/C0|, leachsim finest ({ls_hist[-1][0]}) vs CADET converged: "
        f"{d_fine:.2e}")
    d_rich = None
    if ls_rich is not None:
        d_rich = max_rel_diff(ls_rich, cad_ref, c_ref)
        log(f"    max |delta C/C0|, leachsim Richardson-extrapolated (observed order "
            f"{order:.2f}) vs CADET converged: {d_rich:.2e}")
    rec["reference"] = {
        "cadet": [(h[0], h[2], h[3]) for h in cad_hist], "cadet_converged": cad_ok,
        "leachsim": [(h[0], h[2], h[3]) for h in ls_hist], "leachsim_converged": ls_ok,
        "leachsim_order": order, "diff_finest": d_fine, "diff_richardson": d_rich}
    ref = cad_ref if cad_ok else ls_ref
    log(f"    errors below are measured against the "
        f"{'CADET DG' if cad_ok else 'leachsim finest'} converged curve")

    # 2. coarsest settings per accuracy level
    def ls_run(K, nr=None, radial="shells"):
        q = p.with_(nr=nr, radial=radial) if nr else p

        def run(n, tol):
            out, dt, _ = ls.run(q, n, tol, K)
            return out, dt
        return run

    def cad_run(disc):
        def run(x, tol):
            out, dt, _ = cc.run(p, disc(x), tol)
            return out, dt
        return run

    def cad_scheme(label, describe, disc):
        return Scheme(label, fv_grid() if disc(1)[0] == "FV" else DG_GRID, describe,
                      cad_run(disc), opt.tols, disc)

    schemes = [Scheme("leachsim FV", fv_grid(), lambda n, tol: f"n = {n}, rtol = atol = {tol:.0e}",
                      ls_run(1), opt.tols)]
    beads = ([(nr, "shells") for nr in opt.grm_shells]
             + [(nr, "collocation") for nr in opt.grm_points]) if p.model == "grm" else [
                 (None, "shells")]
    for deg in opt.dg_degrees:
        for nr, radial in beads:
            kind = "shells" if radial == "shells" else "points"
            label = f"leachsim DG P{deg}" + (f" {kind[0]}{nr}" if nr else "")
            schemes.append(Scheme(label, DG_GRID, (lambda deg, nr, kind: lambda ne, tol:
                                  f"polydeg {deg}, nelem {ne}" + (f", {nr} {kind}" if nr else "")
                                  + f", tol {tol:.0e}")(deg, nr, kind),
                                  ls_run(deg + 1, nr, radial), opt.tols))
    schemes += [
               cad_scheme("CADET FV", lambda n, tol: f"ncol = {n}, WENO3, tol {tol:.0e}",
                          lambda n: ("FV", n))]
    for deg in opt.dg_degrees:
        for pd in (opt.grm_par_degrees if p.model == "grm" else (None,)):
            # GRM: the bead one DG element of degree pd (CADET's own choice would tie it to
            # the column's degree), so that CADET too may pick its cheapest bead
            schemes.append(cad_scheme(
                f"CADET DG P{deg}" + (f" b{pd}" if pd else ""),
                (lambda deg, pd: lambda ne, tol: f"polydeg {deg}, nelem {ne}"
                 + (f", bead P{pd}" if pd else "") + f", tol {tol:.0e}")(deg, pd),
                (lambda deg, pd: lambda ne: ("DG", deg, ne) + ((pd, 1) if pd else ()))(deg, pd)))

    rec["levels"] = {}
    for level in opt.levels:
        log(f"  accuracy level max |error C/C0| <= {level:.0e}: coarsest settings")
        rows = []
        for sc in schemes:
            best = coarsest(sc, level, ref, c_ref, log, opt.run_cap)
            if best is None:
                rows.append((sc.label, None))
                continue
            _, x, tol, e = best
            if sc.label.startswith("leachsim"):
                timer = lambda x=x, tol=tol, sc=sc: sc.run(x, tol)[1]
                med = median_time(timer, opt.repeats)
                extra = ""
            else:
                disc = sc.disc(x)
                s = cc.sim(p, disc, tol)
                cc.run_sim(s)  # warm
                sims = []

                def timer(s=s):
                    _, dt, tsim = cc.run_sim(s)
                    sims.append(tsim)
                    return dt
                med = median_time(timer, opt.repeats)
                extra = statistics.median(sims)
            rows.append((sc.label, dict(setting=sc.describe(x, tol), error=e, median=med[0],
                                        min=med[1], max=med[2], time_sim=extra or None)))
        ls_rows = [(lab, r) for lab, r in rows if lab.startswith("leachsim") and r]
        ls_best = min(ls_rows, key=lambda lr: lr[1]["median"]) if ls_rows else None
        ls_row = ls_best[1] if ls_best else None
        log(f"    {'code':<22}{'setting':<42}{'error':>9}{'median s':>11}{'(min-max)':>20}"
            f"{'CADET time_sim':>15}{'/ fastest leachsim':>20}")
        cad_best = None
        for label, r in rows:
            if r is None:
                log(f"    {label:<22}level not reached in the searched range")
                continue
            ratio = r["median"] / ls_row["median"] if ls_row else float("nan")
            r["ratio_to_leachsim"] = ratio
            ts = f"{r['time_sim']:.4f}" if r["time_sim"] else "-"
            log(f"    {label:<22}{r['setting']:<42}{r['error']:9.2e}{r['median']:11.4f}"
                f"{'(' + format(r['min'], '.4f') + '-' + format(r['max'], '.4f') + ')':>20}"
                f"{ts:>15}{ratio:20.2f}")
            if label.startswith("CADET") and (cad_best is None or r["median"] < cad_best[1]["median"]):
                cad_best = (label, r)
        if ls_row and cad_best:
            ratio = cad_best[1]["median"] / ls_row["median"]
            log(f"    fastest CADET ({cad_best[0]}) / fastest leachsim ({ls_best[0]}) = {ratio:.2f}  "
                f"({'leachsim faster' if ratio > 1 else 'CADET faster'} by "
                f"{max(ratio, 1 / ratio):.1f}x)")
        rec["levels"][f"{level:.0e}"] = {lab: r for lab, r in rows}


# --------------------------------------------------------------------------------------------
# Throughput
# --------------------------------------------------------------------------------------------

def sweep_problems(base: Problem, count: int, seed: int) -> list:
    """`count` variants of a one-component Langmuir case: q_max 50-200 mol/m^3, u 0.5-2x base
    (log-uniform). Load lasts 1.58x the stoichiometric front time, the wash 2/3 of the load,
    as in the base case, so every variant breaks through and elutes."""
    rng = np.random.default_rng(seed)
    out = []
    c0 = float(base.sections[0][1][0])
    F = (1 - base.eps) / base.eps
    K = base.binding_par["k_a"][0] / base.binding_par["k_d"][0]
    for k in range(count):
        q_max = float(rng.uniform(50.0, 200.0))
        u = base.u * float(math.exp(rng.uniform(math.log(0.5), math.log(2.0))))
        q_star = q_max * K * c0 / (1 + K * c0)
        t_front = (1 + F * q_star / c0) * base.L / u
        t_load = 1.58 * t_front
        out.append(base.with_(name=f"{base.name}#{k}", u=u,
                              binding_par={**base.binding_par, "q_max": [q_max]},
                              sections=[(t_load, [c0]), (t_load * 2 / 3, [0.0])]))
    return out


_WORKER = None


def _worker_init(root):
    _single_thread_env()
    global _WORKER
    _WORKER = CadetCore(Path(root))


def _worker_run(job):
    p, disc, tol = job
    return _WORKER.run(p, disc, tol)[0]


def throughput(base: Problem, ls: Leachsim, ls_setting, cad_setting, opt, report, log=print):
    import numba
    n, tol_ls, K = ls_setting
    disc, tol_cad = cad_setting
    probs = sweep_problems(base, opt.sweep, opt.seed)
    c_ref = base.c_ref
    log(f"\n=== throughput: {len(probs)} variants of {base.name} (q_max 50-200 mol/m^3, "
        f"u 0.5-2x, sections scaled to the front)")
    log(f"    leachsim: run_column_many, {'cells' if K == 1 else f'DG P{K - 1} elements'} "
        f"n = {n}, rtol = atol = {tol_ls:.0e}, "
        f"{numba.get_num_threads()} numba threads")
    ls.run_many(probs[:2], n, tol_ls, K)  # compile / load cache
    times = []
    for _ in range(opt.sweep_repeats):
        c_ls, status, dt = ls.run_many(probs, n, tol_ls, K)
        times.append(dt)
    bad = int(np.count_nonzero(status))
    t_ls = statistics.median(times)
    log(f"      {t_ls:.3f} s (median of {len(times)}; min {min(times):.3f}, max {max(times):.3f})"
        f"  -> {len(probs) / t_ls:,.0f} cases/s;  failed cases: {bad};  threading layer "
        f"{numba.threading_layer()}")
    procs = opt.procs
    log(f"    CADET: {disc}, tol {tol_cad:.0e}, {procs} worker processes (multiprocessing "
        f"spawn, OMP_NUM_THREADS=1, in-process libcadet in each)")
    ctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    with ctx.Pool(procs, initializer=_worker_init, initargs=(str(CADET_DIR),)) as pool:
        pool.map(_worker_run, [(probs[0], disc, tol_cad)] * procs)  # start + warm every worker
        t_start = time.perf_counter() - t0
        jobs = [(p, disc, tol_cad) for p in probs]
        times = []
        for _ in range(opt.sweep_repeats):
            t1 = time.perf_counter()
            c_cad = pool.map(_worker_run, jobs, chunksize=max(1, len(jobs) // (8 * procs)))
            times.append(time.perf_counter() - t1)
    t_cad = statistics.median(times)
    log(f"      {t_cad:.3f} s (median of {len(times)}; min {min(times):.3f}, max {max(times):.3f})"
        f"  -> {len(probs) / t_cad:,.0f} cases/s;  pool start + warm-up {t_start:.2f} s "
        f"(not counted)")
    diffs = np.array([max_rel_diff(a, b, c_ref) for a, b in zip(c_ls, c_cad)])
    log(f"    leachsim / CADET cases/s = {t_cad / t_ls:.2f};  max |delta C/C0| between the "
        f"two codes over all cases: {diffs.max():.2e} (median {np.median(diffs):.2e})")
    # the settings were chosen on the base case: check each code's error on a sample of variants
    cc = CadetCore()
    idx = np.unique(np.linspace(0, len(probs) - 1, min(opt.sweep_check, len(probs))).astype(int))
    e_ls, e_cad = [], []
    for i in idx:
        ref = cc.run(probs[i], ("DG", 5, 16), 1e-10)[0]
        e_ls.append(max_rel_diff(c_ls[i], ref, c_ref))
        e_cad.append(max_rel_diff(c_cad[i], ref, c_ref))
    log(f"    error vs a tight CADET solution (DG P5, 16 elements, tol 1e-10) on {len(idx)} of the "
        f"variants: leachsim max {max(e_ls):.2e} (median {np.median(e_ls):.2e}), CADET max "
        f"{max(e_cad):.2e} (median {np.median(e_cad):.2e})")
    report["throughput"] = dict(cases=len(probs), leachsim_s=t_ls, cadet_s=t_cad,
                                leachsim_cases_per_s=len(probs) / t_ls,
                                cadet_cases_per_s=len(probs) / t_cad, procs=procs,
                                numba_threads=numba.get_num_threads(),
                                leachsim_setting=[n, tol_ls, K], cadet_setting=[list(disc), tol_cad],
                                max_diff=float(diffs.max()), failed_leachsim=bad,
                                sample_error_leachsim=[float(max(e_ls)), float(np.median(e_ls))],
                                sample_error_cadet=[float(max(e_cad)), float(np.median(e_cad))])


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def selftest():
    """CADET only: one small simulation in process (libcadet) and one through cadet-cli."""
    cc = CadetCore()
    p = CASES["lrm_langmuir_1comp"]
    out, dt, tsim = cc.run(p, ("FV", 32), 1e-6)
    print(f"CADET {cc.version}: in-process (libcadet.so) runner: {cc.use_dll}; "
          f"{p.name} with 32 cells in {dt:.3f} s (time_sim {tsim:.3f} s)")
    print("  C/C0 at t = 0, 4000, 8000, 12000, 16000, 20000 s:",
          " ".join(f"{x:.4f}" for x in out[::80, 0]))
    cli = CadetCore(use_dll=False)
    out2, dt2, _ = cli.run(p, ("FV", 32), 1e-6)
    print(f"  same through cadet-cli (file + process): {dt2:.3f} s, max |delta| vs in-process "
          f"{np.max(np.abs(out2 - out)):.1e}")
    if not cc.use_dll:
        sys.exit("selftest: the in-process runner is not available")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run (fewer settings, 200 cases)")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--skip", action="append", default=[], choices=["compare", "throughput"])
    ap.add_argument("--sweep", type=int, help="cases in the throughput sweep (1000; quick 200)")
    ap.add_argument("--procs", type=int, default=os.cpu_count(),
                    help="CADET worker processes (default: all cores)")
    ap.add_argument("--repeats", type=int, help="timing repeats (5; quick 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write every figure to this JSON file")
    ap.add_argument("--selftest", action="store_true", help="check the CADET install and exit")
    opt = ap.parse_args(argv)
    _single_thread_env()
    if opt.selftest:
        return selftest()
    q = opt.quick
    opt.levels = [1e-3, 1e-5]
    # tolerances x level, in half decades: with whole decades a code whose error lands just
    # above the level at one tolerance is charged for a 10x tighter one (either code)
    opt.tols = [0.3, 0.1, 0.03, 0.01] if q else [1.0, 0.3, 0.1, 0.03, 0.01]
    opt.dg_degrees = [4] if q else [3, 4, 5]
    opt.grm_shells = [8, 16] if q else [8, 16, 32]  # leachsim GRM beads: finite-volume shells
    opt.grm_points = [3, 4, 6]  # ... or radial collocation points
    opt.grm_par_degrees = [2, 3, 4] if q else [2, 3, 4, 5]  # CADET GRM beads: one DG element
    opt.repeats = opt.repeats or (3 if q else 5)
    opt.ref_polydeg = 5
    opt.ref_tol = 1e-10
    opt.ref_cells = [200, 400, 800] if q else [200, 400, 800, 1600, 3200]
    opt.ref_time_cap = 20.0 if q else 90.0  # per code and case, for the converged curves
    opt.run_cap = 3.0 if q else 15.0  # the level search stops refining past one run this long
    opt.sweep = opt.sweep or (200 if q else 1000)
    opt.sweep_repeats = 1 if q else 3
    opt.sweep_check = 8 if q else 20  # variants checked against a tight reference

    if not (CADET_DIR / "cadet_core").is_dir():
        sys.exit(f"CADET not found in {CADET_DIR}: run `bash benchmarks/setup_cadet.sh` first")
    import numba
    import leachsim
    ls = Leachsim()
    cc = CadetCore()
    load = os.getloadavg()
    print("leachsim column solver vs CADET-Core")
    print(f"  {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  leachsim {getattr(leachsim, '__version__', '?')} (numba {numba.__version__}, "
          f"{numba.get_num_threads()} threads), CADET-Core {cc.version} via CADET-Python, "
          f"in-process libcadet runner: {cc.use_dll}")
    print(f"  mode: {'quick' if q else 'full'}; timings are wall seconds, median of "
          f"{opt.repeats}; CADET times are whole in-process run_simulation calls (input "
          f"parsing + solve + output copy; no process start), 'time_sim' is CADET's own "
          f"solver clock")
    report = {"cases": {}, "mode": "quick" if q else "full", "cadet": cc.version,
              "cores": os.cpu_count()}
    t_all = time.perf_counter()
    if "compare" not in opt.skip:
        for name in opt.cases:
            compare_case(CASES[name], ls, cc, opt, report)
    if "throughput" not in opt.skip:
        base = CASES["lrm_langmuir_1comp"]
        lv = report["cases"].get(base.name, {}).get("levels", {}).get("1e-03", {})
        ls_set, cad_set = (2, 1e-4, 5), (("DG", 4, 8), 1e-4)
        lcands = [(k, v) for k, v in lv.items() if k.startswith("leachsim") and v]
        if lcands:  # the fastest leachsim setting of the 1e-3 level: (n, tol, K)
            k, v = min(lcands, key=lambda kv: kv[1]["median"])
            s = v["setting"]
            if k == "leachsim FV":
                ls_set = (int(s.split("n = ")[1].split(",")[0]), float(s.split("= ")[-1]), 1)
            else:
                ls_set = (int(s.split("nelem ")[1].split(",")[0]), float(s.split("tol ")[1]),
                          int(k.split(" P")[1].split()[0]) + 1)
        cands = [(k, v) for k, v in lv.items() if k.startswith("CADET") and v]
        if cands:
            k, v = min(cands, key=lambda kv: kv[1]["median"])
            s = v["setting"]
            tol = float(s.split("tol ")[1])
            if k == "CADET FV":
                cad_set = (("FV", int(s.split("ncol = ")[1].split(",")[0])), tol)
            else:
                cad_set = (("DG", int(k[-1]), int(s.split("nelem ")[1].split(",")[0])), tol)
        if not lv:
            print("\n(no accuracy-level results for the base case: the throughput section uses "
                  "default settings)")
        throughput(base, ls, ls_set, cad_set, opt, report)
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s")
    if opt.json:
        Path(opt.json).write_text(json.dumps(report, indent=1, default=_jsonable))


def _jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return str(x)


if __name__ == "__main__":
    main()
