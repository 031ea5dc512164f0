"""Breakthrough figures of a column run: C/C0 against bed volumes and against time.

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


def figures(results: Results) -> dict[str, Figure]:
    """``"breakthrough_bv"`` and ``"breakthrough_time"`` as headless Figures."""
    _check(results)
    out = {}
    for key, x in (("breakthrough_bv", "bv"), ("breakthrough_time", "time")):
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        plot_breakthrough(results, ax=fig.add_subplot(), x=x)
        out[key] = fig
    return out
