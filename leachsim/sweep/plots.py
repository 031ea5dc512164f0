"""Figures of a sweep and the statistics behind them.

- ``plot_map``: an output over two parameters: a heat map when the cases form a grid
  (mean over any other parameter), filled contours of the scattered cases otherwise;
- ``plot_response``: an output against one parameter;
- ``plot_curves``: a recorded curve of every case (breakthrough, extraction...), coloured
  by a parameter;
- ``plot_pareto``: two outputs against each other with the Pareto front (``pareto_front``);
- ``plot_sensitivity``: one-at-a-time bars (``oat_effects``, design ``oat``);
- ``plot_sobol``: first-order and total Sobol indices (``sobol_indices``, design ``sobol``
  with ``indices = true``).

Functions take ``ax=`` and return it; nothing global in matplotlib is changed.  Failed
cases (NaN outputs) are left out everywhere.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .table import SweepData


_PLAIN = FuncFormatter(lambda v, _: f"{v:g}")  # log-axis ticks as 2, 3, 4 rather than 2x10^0


def _axes(ax):
    if ax is None:
        ax = Figure(layout="constrained").add_subplot()
    return ax


def _categorical_ticks(data: SweepData, path: str, axis) -> None:
    cats = data.categories[data.parameters.index(path)]
    if cats is not None:
        axis.set_ticks(range(len(cats)), [str(c) for c in cats])


def _log_scale(data: SweepData, path: str) -> bool:
    j = data.parameters.index(path)
    table = data.sweep.get("vary", [])
    return j < len(table) and table[j].get("scale") == "log"


# --------------------------------------------------------------------------- maps
def plot_map(data: SweepData, output: str, x: str, y: str, ax=None, cmap: str = "viridis"):
    """``output`` over parameters ``x`` and ``y``.  Cases on a grid of (x, y): a heat map of
    the mean over the other parameters (cells with no finished case left blank); scattered
    cases: filled contours of a triangulation, with the cases as dots."""
    ax = _axes(ax)
    xs, ys, z = data.parameter(x), data.parameter(y), data.output(output)
    keep = np.isfinite(xs) & np.isfinite(ys)
    ux, uy = np.unique(xs[keep]), np.unique(ys[keep])
    on_grid = len(ux) * len(uy) <= keep.sum() and len(ux) > 1 and len(uy) > 1
    if on_grid:
        grid = np.full((len(uy), len(ux)), np.nan)
        for i, yv in enumerate(uy):
            for j, xv in enumerate(ux):
                vals = z[(xs == xv) & (ys == yv) & np.isfinite(z)]
                if len(vals):
                    grid[i, j] = vals.mean()
        mesh = ax.pcolormesh(_edges(ux, _log_scale(data, x)), _edges(uy, _log_scale(data, y)),
                             np.ma.masked_invalid(grid), cmap=cmap, shading="flat",
                             gid=f"map:{output}")
        extra = len(data.parameters) > 2
        title = f"{output}" + (" (mean over the other parameters)" if extra else "")
    else:
        ok = keep & np.isfinite(z)
        mesh = ax.tricontourf(xs[ok], ys[ok], z[ok], levels=14, cmap=cmap)
        mesh.set_gid(f"map:{output}")
        ax.plot(xs[ok], ys[ok], "o", ms=3, mfc="white", mec="0.2", mew=0.6, gid="map:cases")
        title = f"{output} ({ok.sum()} cases)"
    for path, setter, axis in ((x, ax.set_xscale, ax.xaxis), (y, ax.set_yscale, ax.yaxis)):
        if _log_scale(data, path):
            setter("log")
            axis.set_major_formatter(_PLAIN)
            axis.set_minor_formatter(_PLAIN)
        _categorical_ticks(data, path, axis)
    ax.figure.colorbar(mesh, ax=ax, label=data.label(output))
    ax.set_xlabel(data.label(x))
    ax.set_ylabel(data.label(y))
    ax.set_title(title, fontsize=10)
    return ax


def _edges(levels: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted levels (geometric midpoints on a log axis)."""
    v = np.log(levels) if log else levels.astype(float)
    if len(v) == 1:
        e = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        mid = 0.5 * (v[1:] + v[:-1])
        e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.exp(e) if log else e


def plot_response(data: SweepData, output: str, x: str, ax=None):
    """``output`` against one parameter (points; a line through the means when the
    parameter takes repeated levels, as in a grid)."""
    ax = _axes(ax)
    xs, z = data.parameter(x), data.output(output)
    ok = np.isfinite(xs) & np.isfinite(z)
    ax.plot(xs[ok], z[ok], "o", ms=3, alpha=0.6, color="C0", gid=f"response:{output}")
    levels = np.unique(xs[ok])
    if len(levels) < ok.sum():
        ax.plot(levels, [z[ok][xs[ok] == v].mean() for v in levels], "-", color="C1",
                label="mean", gid=f"response-mean:{output}")
        ax.legend(frameon=False)
    if _log_scale(data, x):
        ax.set_xscale("log")
    _categorical_ticks(data, x, ax.xaxis)
    ax.set_xlabel(data.label(x))
    ax.set_ylabel(data.label(output))
    ax.grid(True, color="0.9", lw=0.6)
    return ax


# --------------------------------------------------------------------------- curves
def plot_curves(data: SweepData, y: str, x: str | None = None, color_by: str | None = None,
                ax=None, cmap: str = "viridis", max_curves: int = 400, **labels: str):
    """The recorded curve ``y`` of every finished case against ``x`` (a recorded 1-D curve on
    the same axis, e.g. ``bed_volumes`` or ``time``; default: the first such, else the
    index), coloured by parameter ``color_by`` (default: the first).  A curve with more
    axes is cut by label, e.g. ``component="Co"`` (default: the first label)."""
    ax = _axes(ax)
    curve = data.curves[y]
    values = curve.values
    targets = curve.coords.get("target", [])
    for dim in curve.dims[1:]:
        names = curve.coords.get(dim, [])
        default = next((t for t in targets if t in names), names[0] if names else None)
        labels.setdefault(dim, default)
        k = names.index(labels[dim]) if labels[dim] in names else 0
        values = np.take(values, k, axis=2)  # (case, first axis, this axis, ...)
    if x is None:
        x = next((c for c in ("bed_volumes", "time", "tank") if c in data.curves
                  and data.curves[c].dims == curve.dims[:1]), None)
    xs = data.curves[x].values if x else np.broadcast_to(np.arange(values.shape[1]), values.shape)
    color_by = color_by or data.parameters[0]
    p = data.parameter(color_by)
    rows = np.flatnonzero(data.ok & np.isfinite(p))[:max_curves]
    log = _log_scale(data, color_by)
    norm = (LogNorm if log else Normalize)(vmin=p[rows].min(), vmax=p[rows].max()) if len(rows) \
        else Normalize()
    cm = colormaps[cmap]
    for i in rows:
        ax.plot(xs[i], values[i], color=cm(norm(p[i])), lw=1.0, gid=f"curve:{i}")
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cm), ax=ax, label=data.label(color_by))
    cut = "".join(f", {d} {labels[d]}" for d in curve.dims[1:])
    xunit = data.curves[x].units if x else ""
    ax.set_xlabel(f"{x} ({'-' if xunit == '1' else xunit})" if x else "index (-)")
    ax.set_ylabel(f"{y} ({'-' if curve.units == '1' else curve.units})")
    ax.set_title(f"{data.name}: {y}{cut}, {len(rows)} cases", fontsize=10)
    ax.grid(True, color="0.9", lw=0.6)
    return ax


# --------------------------------------------------------------------------- Pareto
def pareto_front(a: np.ndarray, b: np.ndarray, maximize=(True, True)) -> np.ndarray:
    """Indices of the non-dominated points of (a, b), sorted by a (NaN rows left out)."""
    sa = np.where(maximize[0], a, -a)
    sb = np.where(maximize[1], b, -b)
    ok = np.flatnonzero(np.isfinite(sa) & np.isfinite(sb))
    order = ok[np.lexsort((-sb[ok], -sa[ok]))]  # best a first, ties: best b first
    front, best_b = [], -np.inf
    for i in order:
        if sb[i] > best_b:
            front.append(i)
            best_b = sb[i]
    return np.array(sorted(front, key=lambda i: a[i]), dtype=int)


def plot_pareto(data: SweepData, a: str, b: str, maximize=(True, True), ax=None):
    """Output ``b`` against output ``a`` for every finished case, with the Pareto front
    (``maximize``: whether more is better, per output; e.g. (True, False) for recovery
    against reagent use)."""
    ax = _axes(ax)
    xa, xb = data.output(a), data.output(b)
    ax.plot(xa, xb, "o", ms=3, color="0.6", alpha=0.6, label="cases", gid="pareto:cases")
    front = pareto_front(xa, xb, maximize)
    ax.plot(xa[front], xb[front], "-o", ms=5, color="C3", label="Pareto front",
            gid="pareto:front")
    ax.set_xlabel(data.label(a) + (" (more is better)" if maximize[0] else " (less is better)"))
    ax.set_ylabel(data.label(b) + (" (more is better)" if maximize[1] else " (less is better)"))
    ax.legend(frameon=False)
    ax.grid(True, color="0.9", lw=0.6)
    return ax


# --------------------------------------------------------------------------- sensitivity
def oat_effects(data: SweepData, output: str) -> dict[str, tuple[float, float]]:
    """One-at-a-time design: per parameter, the (lowest, highest) change of ``output`` from
    the base case over that parameter's levels."""
    if data.design != "oat":
        raise ValueError(f"one-at-a-time effects need design 'oat', not '{data.design}'")
    z = data.output(output)
    base = z[data.block == -1]
    if not len(base) or not np.isfinite(base[0]):
        raise ValueError(f"the base case has no value of '{output}' (failed?)")
    out = {}
    for j, path in enumerate(data.parameters):
        dz = z[data.block == j] - base[0]
        dz = dz[np.isfinite(dz)]
        out[path] = (float(dz.min()), float(dz.max())) if len(dz) else (np.nan, np.nan)
    return out


def plot_sensitivity(data: SweepData, output: str, ax=None):
    """Tornado bars: the range of ``output`` - base as each parameter moves alone."""
    ax = _axes(ax)
    effects = oat_effects(data, output)
    order = sorted(effects, key=lambda p: np.nan_to_num(effects[p][1] - effects[p][0]))
    for k, path in enumerate(order):
        lo, hi = effects[path]
        ax.barh(k, hi - lo, left=lo, color="C0", height=0.6, gid=f"oat:{path}")
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel(f"change of {data.label(output)} from the base case")
    ax.set_title(f"{data.name}: one-at-a-time sensitivity", fontsize=10)
    return ax


def sobol_indices(data: SweepData, output: str) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices of ``output`` from
    a design ``sobol`` with ``indices = true``:
    S_j = mean(f_B (f_ABj - f_A)) / V and ST_j = mean((f_A - f_ABj)^2) / (2 V), with V the
    variance of f_A and f_B together.  Base points with a failed case in any block are
    dropped."""
    return sobol_estimates(data.output(output), data.block, len(data.parameters))


def sobol_estimates(f: np.ndarray, block: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """The estimators of ``sobol_indices`` on outputs ``f`` laid out by ``block``."""
    if not np.any(block == 1):
        raise ValueError("Sobol indices need a design 'sobol' with indices = true")
    fA, fB = f[block == 0], f[block == 1]
    fAB = np.stack([f[block == 2 + j] for j in range(d)])
    keep = np.isfinite(fA) & np.isfinite(fB) & np.all(np.isfinite(fAB), axis=0)
    fA, fB, fAB = fA[keep], fB[keep], fAB[:, keep]
    var = np.var(np.concatenate([fA, fB]))
    if not var > 0:
        return np.full(d, np.nan), np.full(d, np.nan)
    first = np.mean(fB * (fAB - fA), axis=1) / var
    total = 0.5 * np.mean((fA - fAB) ** 2, axis=1) / var
    return first, total


def plot_sobol(data: SweepData, output: str, ax=None):
    """Bars of the first-order and total Sobol indices of ``output`` per parameter."""
    ax = _axes(ax)
    first, total = sobol_indices(data, output)
    k = np.arange(len(data.parameters))
    ax.bar(k - 0.2, first, 0.4, label="first order S", color="C0", gid="sobol:first")
    ax.bar(k + 0.2, total, 0.4, label="total ST", color="C1", gid="sobol:total")
    ax.set_xticks(k, data.parameters, rotation=20, ha="right")
    ax.set_ylabel(f"Sobol index of {output} (-)")
    ax.set_ylim(0.0, max(1.0, float(np.nanmax(np.append(total, 0.0))) * 1.05))
    ax.legend(frameon=False)
    ax.set_title(f"{data.name}: variance-based sensitivity", fontsize=10)
    return ax


# --------------------------------------------------------------------------- all figures
def _varying_outputs(data: SweepData, limit: int) -> list[str]:
    out = []
    for k, name in enumerate(data.output_names):
        z = data.outputs[data.ok, k]
        z = z[np.isfinite(z)]
        if len(z) > 1 and np.ptp(z) > 1e-12 * max(1.0, np.abs(z).max()):
            out.append(name)
    return out[:limit]


def sweep_figures(data: SweepData, outputs: list[str] | None = None,
                  pareto: tuple[str, str] | None = None, maximize=(True, True),
                  ) -> list[tuple[str, Figure]]:
    """The standard figures of a sweep file as (file stem, Figure): a map (two or more
    numeric parameters) or a response (one) per output, every recorded curve family, the
    Pareto front if ``pareto`` names two outputs, and sensitivity bars for an ``oat`` or
    Sobol-indices design.  ``outputs`` default: the first three that vary."""
    outputs = outputs or _varying_outputs(data, 3)
    numeric = [p for j, p in enumerate(data.parameters) if data.categories[j] is None]
    figs: list[tuple[str, Figure]] = []

    def new():
        return Figure(figsize=(6.4, 4.8), layout="constrained").add_subplot()

    for out in outputs:
        if data.design == "oat":
            figs.append((f"sensitivity_{out}", plot_sensitivity(data, out, ax=new()).figure))
        elif len(numeric) >= 2:
            figs.append((f"map_{out}", plot_map(data, out, numeric[0], numeric[1],
                                                ax=new()).figure))
        else:
            figs.append((f"response_{out}", plot_response(data, out, data.parameters[0],
                                                          ax=new()).figure))
        if data.design == "sobol" and np.any(data.block == 1):
            figs.append((f"sobol_{out}", plot_sobol(data, out, ax=new()).figure))
    one_d = [c for c, cv in data.curves.items() if len(cv.dims) == 1]
    for name, curve in data.curves.items():
        if name in ("bed_volumes", "time", "tank") and len(curve.dims) == 1 and len(one_d) \
                < len(data.curves):
            continue  # an x axis for the others
        figs.append((f"curves_{name}", plot_curves(data, name, ax=new()).figure))
    if pareto:
        figs.append(("pareto", plot_pareto(data, pareto[0], pareto[1], maximize,
                                           ax=new()).figure))
    return figs


def save_sweep_figures(data: SweepData, outdir: str | Path, formats=("png", "pdf"),
                       **options) -> list[Path]:
    """Write ``sweep_figures`` as ``<name>_<figure>.<format>``; returns the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in data.name)
    paths = []
    for name, fig in sweep_figures(data, **options):
        for fmt in formats:
            p = outdir / f"{stem}_{name}.{fmt}"
            fig.savefig(p, dpi=150)
            paths.append(p)
    return paths
