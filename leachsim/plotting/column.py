"""Figures of a column run: breakthrough (C/C0 against bed volumes and time), in-bed profiles.

Breakthrough (C/C0 = 0.05) and exhaustion (C/C0 = 0.95) of every component are marked;
section boundaries (load, wash, elute...) are drawn as light vertical lines.  Functions take
``ax=`` and return it; nothing global in matplotlib is changed.
"""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..results import Results


def _check(results: Results) -> None:
    if results.kind != "column":
        raise ValueError(f"breakthrough plots need a column run, not kind '{results.kind}'")


def plot_breakthrough(results: Results, ax=None, x: str = "bv"):
    """C/C0 (-) of every component against bed volumes (``x="bv"``) or time in h."""
    _check(results)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    xs = results["bed_volumes"] if x == "bv" else results["time"] / 3600.0
    rel = results["outlet_relative"]
    cmap = colormaps["tab10"]
    targets = set(results.coords.get("target", []))
    for k, comp in enumerate(results.coords["component"]):
        color = cmap(k % 10)
        lw = 2.4 if comp in targets else 1.6
        ax.plot(xs, rel[:, k], color=color, lw=lw, label=comp, gid=f"breakthrough:{comp}")
        for level, marker in ((0.05, "o"), (0.95, "s")):
            key = ("bv_" if x == "bv" else "t_") + f"{level:g}"
            xv = results[key][k] if x == "bv" else results[key][k] / 3600.0
            if np.isfinite(xv):
                ax.plot([xv], [level], marker=marker, color=color, ms=6, mfc="white", ls="none")
    starts = results["section_start"]
    for s in starts[1:]:
        xv = np.interp(s, results["time"], results["bed_volumes"]) if x == "bv" else s / 3600.0
        ax.axvline(xv, color="0.75", lw=0.8, ls="--")
    ax.axhline(0.05, color="0.85", lw=0.8)
    ax.axhline(0.95, color="0.85", lw=0.8)
    ax.set_xlabel("Bed volumes (-)" if x == "bv" else "Time (h)")
    ax.set_ylabel("C/C0 (-)")
    ax.set_ylim(bottom=0.0)
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_title(f"{results.name}: breakthrough (o C/C0 = 0.05, s C/C0 = 0.95)", fontsize=10)
    ax.legend(title="Component", loc="upper left", frameon=False)
    return ax


def plot_profiles(results: Results, axes=None, component: str | None = None):
    """In-bed profiles of one component (default: first target) at the profile times:
    bulk C/C0 (top) and loading in mol per m^3 of solid (bottom) against position (cm)."""
    _check(results)
    if "profile_time" not in results:
        raise ValueError("this run has no in-bed profiles ([solver] profiles = [...])")
    comps = results.coords["component"]
    comp = component or (results.coords.get("target") or comps)[0]
    k = comps.index(comp)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, sharex=True, layout="constrained")
    z = results["z"] * 100.0
    c0 = results["outlet_concentration"][:, k].max() or 1.0
    cmap = colormaps["viridis"]
    times = results["profile_time"]
    for j, tp in enumerate(times):
        color = cmap(j / max(len(times) - 1, 1))
        label = f"{tp / 3600.0:.4g} h"
        axes[0].plot(z, results["profile_bulk"][j, :, k] / c0, color=color, label=label,
                     gid=f"profile:{comp}:{j}")
        axes[1].plot(z, results["profile_loading"][j, :, k], color=color, label=label)
    axes[0].set_ylabel(f"{comp} C/C0 (-)")
    axes[1].set_ylabel(f"{comp} loading (mol/m3 solid)")
    axes[1].set_xlabel("Position from inlet (cm)")
    for ax in axes:
        ax.grid(True, color="0.9", lw=0.6)
    axes[0].set_title(f"{results.name}: in-bed profiles", fontsize=10)
    axes[0].legend(title="Time", loc="center right", frameon=False, fontsize=8)
    return axes


def figures(results: Results) -> dict[str, Figure]:
    """``"breakthrough_bv"``, ``"breakthrough_time"`` and, when the run has them,
    ``"profiles"`` as headless Figures."""
    _check(results)
    out = {}
    for key, x in (("breakthrough_bv", "bv"), ("breakthrough_time", "time")):
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        plot_breakthrough(results, ax=fig.add_subplot(), x=x)
        out[key] = fig
    if "profile_time" in results:
        fig = Figure(figsize=(7.0, 6.0), layout="constrained")
        plot_profiles(results, axes=fig.subplots(2, 1, sharex=True))
        out["profiles"] = fig
    return out
