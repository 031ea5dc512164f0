"""Figures of a route run: stage yields of each metal, and the column cycle.

``plot_stage_yields`` draws grouped bars (leach extraction, reaching the column, captured,
eluted, overall) per metal; ``plot_load`` the breakthrough at the train outlet (C/C0 against
bed volumes of one bed) with the stop marked; ``plot_cycle`` the lead bed's outlet through the
whole cycle (load, wash, elution peak...) in g/L against bed volumes, sections shaded.
Functions take ``ax=`` and return it; nothing global in matplotlib is changed.
"""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..chemistry import COMPONENT_MASS
from ..results import Results

STAGE_LABELS = {"leach": "leach extraction", "to_column": "reaching the column",
                "captured": "captured (of column feed)", "eluted": "eluted (of captured)",
                "overall": "overall (eluate / feed)"}


def _check(results: Results) -> None:
    if results.kind != "route":
        raise ValueError(f"route plots need a route run, not kind '{results.kind}'")


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    return ax


def plot_stage_yields(results: Results, ax=None, metals=None):
    """Grouped bars: the yield (%) of each stage for each metal: the targets, then every other
    metal the leach dissolves (``metals=`` picks them)."""
    _check(results)
    ax = _axes(ax)
    all_metals = results.coords["metal"]
    targets = [m for m in results.coords["target"] if m in all_metals]
    y = results["stage_yield"]
    leached = [m for m in all_metals if m not in targets and y[all_metals.index(m), 0] > 0]
    metals = list(metals) if metals else targets + leached
    stages = results.coords["stage"]
    width = 0.8 / len(stages)
    x = np.arange(len(metals))
    cmap = colormaps["viridis"]
    for j, st in enumerate(stages):
        vals = [100 * y[all_metals.index(m), j] for m in metals]
        ax.bar(x + (j - (len(stages) - 1) / 2) * width, np.nan_to_num(vals), width,
               color=cmap(j / max(len(stages) - 1, 1)), label=STAGE_LABELS.get(st, st))
    ax.set_xticks(x, [f"{m}*" if m in targets else m for m in metals])
    ax.set_ylabel("yield (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"{results.name}: yields by stage (* target)")
    ax.legend(fontsize="small", ncols=2)
    return ax


def plot_load(results: Results, ax=None):
    """C/C0 at the train outlet during the breakthrough search, against bed volumes."""
    _check(results)
    ax = _axes(ax)
    if "load_relative" not in results:
        ax.text(0.5, 0.5, "stop by bed volumes or time: no breakthrough search",
                ha="center", va="center", transform=ax.transAxes)
        return ax
    bv = results["load_bed_volumes"]
    cmap = colormaps["tab10"]
    for k, comp in enumerate(results.coords["component"]):
        rel = results["load_relative"][:, k]
        if np.all(~np.isfinite(rel)):
            continue
        ax.plot(bv, rel, color=cmap(k % 10), label=comp, gid=f"load:{comp}")
    stop = results.scalar("load_stop_bed_volumes")
    ax.axvline(stop, color="0.3", ls="--", lw=1.0, label=f"stop, {stop:.4g} BV")
    ax.set_xlabel("bed volumes (one bed)")
    ax.set_ylabel("C/C0 at the train outlet")
    ax.legend(fontsize="small")
    return ax


def plot_cycle(results: Results, ax=None):
    """The lead bed's outlet (g/L) through the whole cycle, sections shaded."""
    _check(results)
    ax = _axes(ax)
    bv = results["cycle_bed_volumes"]
    t = results["cycle_time"]
    cmap = colormaps["tab10"]
    for k, comp in enumerate(results.coords["component"]):
        g_l = results["cycle_outlet"][:, k] * COMPONENT_MASS[comp]
        ax.plot(bv, g_l, color=cmap(k % 10), label=comp, gid=f"cycle:{comp}")
    starts = np.interp(results["cycle_section_start"], t, bv)
    ends = np.append(starts[1:], bv[-1])
    for i, (a, b, name) in enumerate(zip(starts, ends, results.coords["section"])):
        ax.axvspan(a, b, color="0.9" if i % 2 else "white", zorder=0)
        ax.text((a + b) / 2, 0.98, name, transform=ax.get_xaxis_transform(), ha="center",
                va="top", rotation=0 if b - a > 0.2 * (bv[-1] - bv[0]) else 90,
                fontsize="small")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("bed volumes through the lead bed")
    ax.set_ylabel("outlet concentration (g/L)")
    ax.legend(fontsize="small", ncols=2)
    return ax


def figures(results: Results) -> dict[str, Figure]:
    """``"route"``: stage yields above, load breakthrough and cycle below."""
    _check(results)
    fig = Figure(figsize=(10.0, 8.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(1.1, 1.0))
    plot_stage_yields(results, ax=top.add_subplot())
    left, right = bottom.subplots(1, 2)
    plot_load(results, ax=left)
    plot_cycle(results, ax=right)
    return {"route": fig}
