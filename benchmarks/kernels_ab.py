"""Two or more versions of the column kernel, timed side by side on the CADET cases.

    python benchmarks/kernels_ab.py 4ae8c13 HEAD            # every case
    python benchmarks/kernels_ab.py 4ae8c13 WORKTREE --cases lrm3 sma5 --repeats 30

Each version is ``kernels/`` at a git revision (``WORKTREE``: the working tree), copied into
a temporary folder and imported as a package of its own, so all of them live in one process
and run in turn on the same arguments: round r runs every version once, for every round.
Interleaving in one process is what makes a ratio readable on a shared machine, whose speed
drifts by tens of per cent over minutes. Each version compiles first (not timed; a fresh
cache per version, about 1-2 min each). Printed per case: each version's min and median
kernel time (``run_column`` alone, arguments built by ``vs_cadet.Leachsim``), its ratio to the
first version's min, its step count and its largest outlet difference from the first
version. The versions must take the same ``run_column`` arguments.
"""
from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import vs_cadet as V  # noqa: E402

# case key: (vs_cadet case, DG elements, tolerance, nodes per element K = degree + 1):
# settings of the kind vs_cadet finds fastest for each accuracy level (1e-3: ...3, 1e-5:
# ...5), and one finite-volume run (K = 1)
CASES = {
    "lrm3": ("lrm_langmuir_1comp", 2, 3e-4, 5),
    "lrm5": ("lrm_langmuir_1comp", 8, 3e-6, 4),
    "lrmp3": ("lrmp_langmuir_1comp", 4, 3e-4, 4),
    "lrmp5": ("lrmp_langmuir_1comp", 6, 3e-6, 6),
    "sma3": ("sma_salt_2metals", 3, 1e-4, 6),
    "sma5": ("sma_salt_2metals", 6, 1e-6, 6),
    "grm3": ("grm_langmuir_3comp", 3, 1e-3, 6),
    "grm5": ("grm_langmuir_3comp", 6, 1e-5, 6),
    "fv": ("lrm_langmuir_1comp", 64, 1e-4, 1),
}


def load_version(rev: str, root: Path, j: int):
    """kernels/ at git revision rev (or the working tree) as package ``kernels_v<j>``."""
    name = f"kernels_v{j}"
    dst = root / name
    dst.mkdir()
    if rev == "WORKTREE":
        for src in (ROOT / "kernels").glob("*.py"):
            (dst / src.name).write_bytes(src.read_bytes())
    else:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "kernels"],
                             check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
            for m in tf.getmembers():
                if m.isfile() and m.name.endswith(".py"):
                    (dst / Path(m.name).name).write_bytes(tf.extractfile(m).read())
    init = dst / "__init__.py"  # the package refuses any name but leachsim.kernels
    init.write_text(init.read_text().replace('if __name__ != "leachsim.kernels":', "if False:"))
    return importlib.import_module(name + ".column")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("revs", nargs="+", help="git revisions, or WORKTREE")
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args(argv)
    ls = V.Leachsim()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # every version caches into this folder, gone at the end (not the user's cache)
        os.environ["NUMBA_CACHE_DIR"] = str(root / "numba")
        numba.config.CACHE_DIR = str(root / "numba")
        sys.path.insert(0, str(root))
        versions = [(rev, load_version(rev, root, j)) for j, rev in enumerate(args.revs)]
        print(f"kernels_ab: {', '.join(args.revs)}; min and median of {args.repeats} "
              "interleaved runs; ratio = min / first version's min")
        for key in args.cases:
            case, n, tol, K = CASES[key]
            p = V.CASES[case]
            if case.startswith("grm"):
                p = p.with_(radial="collocation", nr=3)
            a = ls.args(p, n, K)
            a["rtol"] = a["atol"] = tol
            times = {rev: [] for rev, _ in versions}
            last = {}
            for r in range(args.repeats + 1):  # round 0 compiles
                for rev, kc in versions:
                    b = dict(a, c_out=a["c_out"].copy(), y_end=a["y_end"].copy(),
                             stats=a["stats"].copy(), prof_out=a["prof_out"].copy())
                    t0 = time.perf_counter()
                    status = kc.run_column(*[b[x] for x in ls.sig])
                    dt = time.perf_counter() - t0
                    if status != 0:
                        raise SystemExit(f"{rev}: {key} failed, status {status}")
                    if r > 0:
                        times[rev].append(dt)
                    last[rev] = b
            base_rev = versions[0][0]
            base = min(times[base_rev])
            print(f"{key} ({case}, {'FV' if K == 1 else f'DG P{K - 1}'} x {n}, tol {tol:g}):")
            for rev, _ in versions:
                t = times[rev]
                diff = np.max(np.abs(last[rev]["c_out"] - last[base_rev]["c_out"]))
                print(f"  {rev:>12s}  min {min(t) * 1e3:8.3f} ms  median "
                      f"{statistics.median(t) * 1e3:8.3f} ms  ratio {min(t) / base:5.3f}  "
                      f"steps {last[rev]['stats'][0]:.0f}  max |delta c_out| {diff:.1e}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
