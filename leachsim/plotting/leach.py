"""Report figures of a leach run (batch tank or tank cascade).

Every function draws on axes it is given (``ax=`` / ``axes=``) or, without
them, on a new pyplot figure, and returns the axes.  ``figures()`` and
``save_figures()`` use plain ``matplotlib.figure.Figure`` objects: they need
no display, register nothing with pyplot and change no global matplotlib
state (no rcParams, no style).

Batch runs are drawn against time (h); cascade runs against tank number,
with the cumulative mean residence time (h) on a secondary top axis.
Every data line carries a gid ``"<figure>:<label>"`` (``"extraction:V"``,
``"leachate:Ca"``, ``"leachant:H2SO4"``, ``"conversion:larnite"``) so that
it can be found again programmatically.  Legends stand outside the data, to the
right of the axes: on axes of your own, use a constrained layout or
``savefig(..., bbox_inches="tight")`` so that they are not cut off.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, NullLocator
from matplotlib.transforms import offset_copy

from ..chemistry import ATOMIC_MASS
from ..results import Results

FIGURES = ("extraction", "leachate", "conversion_by_size")
PNG_DPI = 200

_GRID = {"color": "0.88", "linewidth": 0.6}
_LEGEND = {"frameon": False, "borderaxespad": 0.0, "handlelength": 1.8, "fontsize": 9,
           "title_fontsize": 9, "alignment": "left"}
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
_PERCENT_TOP = 103.0  # 0-100 % axes: headroom so that lines at 100 % clear the top spine


# --- helpers -----------------------------------------------------------------------------------

def _check(results: Results) -> bool:
    """True for a cascade, False for a batch run; anything else is refused."""
    if results.kind not in ("leach-batch", "leach-cascade"):
        raise ValueError(f"leach plots need a leach run, not kind '{results.kind}'")
    return results.kind == "leach-cascade"


def _x(results: Results) -> tuple[np.ndarray, str]:
    """Abscissa of the run: time (h) for a batch, tank number for a cascade."""
    if _check(results):
        return np.arange(1, len(results.coords["tank"]) + 1, dtype=float), "Tank"
    return np.asarray(results["time"], float) / 3600.0, "Time (h)"


def _chem(formula: str) -> str:
    """Formula with subscript counts for mathtext, e.g. H2SO4 -> H$_{2}$SO$_{4}$."""
    return re.sub(r"(?<=[A-Za-z)\]])(\d+(?:\.\d+)?)", r"$_{\1}$", formula)


def _metals(results: Results) -> list[str]:
    """Metals, targets first (``coords["metal"]``; all elements when a file lacks it)."""
    return list(results.coords.get("metal", results.coords["element"]))


def _element_order(results: Results) -> list[str]:
    """Elements: metals (targets first), then the rest."""
    order = _metals(results)
    return order + [e for e in results.coords["element"] if e not in order]


def _element_colors(results: Results) -> dict[str, tuple]:
    """One fixed colour per element (targets first), the same in every figure."""
    order = _element_order(results)
    cmap = colormaps["tab10" if len(order) <= 10 else "tab20"]
    return {e: cmap(i % cmap.N) for i, e in enumerate(order)}


def _new_axes(nrows: int = 1, **kw):
    """Fresh pyplot axes, for interactive use when no axes were given."""
    import matplotlib.pyplot as plt  # only here: the module itself never touches pyplot

    _, axes = plt.subplots(nrows, 1, layout="constrained", squeeze=False, **kw)
    return list(axes[:, 0])


def _percent_axis(ax) -> None:
    ax.set_ylim(0.0, _PERCENT_TOP)
    ax.set_yticks(np.arange(0.0, 100.1, 20.0))


def _style(ax) -> None:
    ax.grid(True, **_GRID)
    ax.set_axisbelow(True)
    ax.tick_params(direction="out", labelsize=9)


def _tank_axis(ax, results: Results, top: bool = True) -> None:
    """Integer tank ticks; cumulative residence time (h) on a secondary top axis."""
    x, _ = _x(results)
    ax.set_xticks(x, labels=results.coords["tank"])
    ax.set_xlim(x[0] - 0.4, x[-1] + 0.4)
    if top:
        tau = np.asarray(results["tank"], float) / 3600.0
        sec = ax.secondary_xaxis("top")
        sec.set_xticks(x, labels=[f"{t:.3g}" for t in tau])
        sec.tick_params(labelsize=8, colors="0.35")
        sec.set_xlabel("Cumulative residence time (h)", fontsize=9, color="0.35")


def _legend_right(ax, handles=None, labels=None, title=None, pad_points: float = 8.0):
    """Legend outside the plot, to the right of the axes (``pad_points`` beyond the spine)."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    transform = offset_copy(ax.transAxes, fig=ax.figure, x=pad_points, y=0.0, units="points")
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                     bbox_transform=transform, title=title,
                     ncols=1 if len(handles) <= 14 else 2, **_LEGEND)


def _end_state(results: Results) -> str:
    if _check(results):
        return f"leaving tank {results.coords['tank'][-1]}"
    return f"after {results['time'][-1] / 3600.0:.3g} h"


# --- figures -----------------------------------------------------------------------------------

def plot_extraction(results: Results, ax=None):
    """Extraction (% of each metal's initial amount) vs time (h), or vs tank for a cascade.

    One line per metal (``coords["metal"]``); target metals are drawn bolder; the
    legend gives each metal's final extraction.  Returns the axes.
    """
    cascade = _check(results)
    if ax is None:
        ax = _new_axes(figsize=(7.0, 4.2))[0]
    x, xlabel = _x(results)
    colors = _element_colors(results)
    targets = set(results.coords.get("target", []))
    for metal in _metals(results):
        y = 100.0 * results.select("extraction", element=metal)
        target = metal in targets
        ax.plot(x, y, color=colors[metal], gid=f"extraction:{metal}",
                label=f"{metal}{' (target)' if target else ''}: {y[-1]:.1f} %",
                linewidth=2.6 if target else 1.4, zorder=3 if target else 2,
                marker="o" if cascade else None, markersize=6 if target else 4.5,
                clip_on=False)
    _percent_axis(ax)
    ax.set_ylabel("Extraction (%)")
    ax.set_xlabel(xlabel)
    if cascade:
        _tank_axis(ax, results)
    else:
        ax.set_xlim(x[0], x[-1])
    _style(ax)
    ax.set_title(f"{results.name}: metal extraction", fontsize=11, loc="left")
    _legend_right(ax, title="Metal: final")
    return ax


def leachate_mg_per_l(results: Results) -> dict[str, np.ndarray]:
    """Leachate concentration of each element in mg/L (from mol/m^3 and atomic masses)."""
    units = results.units("leachate_concentration")
    if units != "mol/m^3":
        raise ValueError(f"leachate_concentration in '{units}', expected 'mol/m^3'")
    # mol/m^3 * kg/mol = kg/m^3 = g/L = 1e3 mg/L
    return {el: results.select("leachate_concentration", element=el) * ATOMIC_MASS[el] * 1e3
            for el in results.coords["element"]}


def plot_leachate(results: Results, axes=None):
    """Two panels vs time (h), or vs tank for a cascade.

    ``axes[0]``: leachate composition, mg/L of each dissolved element (log axis when
    the elements' peak concentrations span more than two decades; elements never
    dissolved are listed, not drawn).  ``axes[1]``: free leachant, mol/L of each
    reagent.  Returns the two axes.
    """
    cascade = _check(results)
    own = axes is None
    if own:
        axes = _new_axes(2, figsize=(7.0, 6.4), sharex=True, height_ratios=(3, 2))
    if len(axes) != 2:
        raise ValueError(f"plot_leachate draws two panels; got {len(axes)} axes")
    ax_c, ax_r = axes
    x, xlabel = _x(results)
    colors = _element_colors(results)
    targets = set(results.coords.get("target", []))

    conc = leachate_mg_per_l(results)
    order = _element_order(results)
    drawn = {el: conc[el] for el in order if np.any(conc[el] > 0)}
    absent = [el for el in order if el not in drawn]
    for el, c in drawn.items():
        ax_c.plot(x, c, color=colors[el], gid=f"leachate:{el}",
                  label=f"{el} (target)" if el in targets else el,
                  linewidth=2.4 if el in targets else 1.4, zorder=3 if el in targets else 2,
                  marker="o" if cascade else None, markersize=4.5)
    peaks = np.array([c.max() for c in drawn.values()])
    if peaks.size and peaks.max() / peaks.min() > 100.0:
        ax_c.set_yscale("log")
        ax_c.set_ylim(10.0 ** np.floor(np.log10(peaks.min()) - 1.0),
                      10.0 ** np.ceil(np.log10(peaks.max()) + 0.05))
    else:
        ax_c.set_ylim(bottom=0.0, top=1.05 * peaks.max() if peaks.size else 1.0)
    ax_c.set_ylabel("Leachate concentration (mg/L)")
    ax_c.set_title(f"{results.name}: leachate composition", fontsize=11, loc="left")
    if absent:
        ax_c.text(0.99, 0.02, "not dissolved: " + ", ".join(absent), transform=ax_c.transAxes,
                  ha="right", va="bottom", fontsize=8, color="0.4")

    reagent_colors = colormaps["Dark2"]
    reagents = results.coords["reagent"]
    for k, rg in enumerate(reagents):
        c = results.select("reagent_concentration", reagent=rg) / 1000.0  # mol/m^3 -> mol/L
        ax_r.plot(x, c, color=reagent_colors(k % reagent_colors.N), gid=f"leachant:{rg}",
                  label=_chem(rg), linewidth=1.8, marker="s" if cascade else None,
                  markersize=4.5)
    top = max((float(np.max(line.get_ydata())) for line in ax_r.get_lines()), default=0.0)
    ax_r.set_ylim(0.0, 1.08 * top if top > 0 else 1.0)
    ax_r.set_ylabel(f"Free {_chem(reagents[0])} (mol/L)" if len(reagents) == 1
                    else "Free leachant (mol/L)")

    for ax in (ax_c, ax_r):
        _style(ax)
        if cascade:
            _tank_axis(ax, results, top=ax is ax_c)
        else:
            ax.set_xlim(x[0], x[-1])
    ax_r.set_xlabel(xlabel)
    if own:
        ax_c.tick_params(labelbottom=True)  # shared x: keep tick labels on both panels
    else:
        ax_c.set_xlabel(xlabel)
    _legend_right(ax_c, title="Element")
    _legend_right(ax_r, title="Reagent")
    return axes


def _class_edges(d: np.ndarray) -> np.ndarray:
    """Geometric class boundaries around the representative diameters ``d`` (ascending)."""
    if d.size == 1:
        return np.array([d[0] / 1.5, d[0] * 1.5])
    mid = np.sqrt(d[1:] * d[:-1])
    return np.concatenate([[d[0] ** 2 / mid[0]], mid, [d[-1] ** 2 / mid[-1]]])


def plot_conversion_by_size(results: Results, ax=None, mass_fractions: bool = True):
    """Final conversion (%) of each reacting phase vs class diameter (um, log axis).

    Markers and lines per phase, at the end of a batch run or leaving the last tank
    of a cascade.  With ``mass_fractions`` the mass fraction (%) of each size class
    is shown as light grey steps on a right-hand axis (when there is more than one
    class).  Returns the (left) axes.
    """
    _check(results)
    if ax is None:
        ax = _new_axes(figsize=(7.0, 4.2))[0]
    d = np.asarray(results["class_diameter"], float) * 1e6  # m -> um
    order = np.argsort(d)
    d = d[order]
    phases = results.coords["phase"]
    final = 100.0 * np.asarray(results["conversion"])[-1][order]  # (size_class, phase)
    cmap = colormaps["tab10" if len(phases) <= 10 else "tab20"]
    n = len(phases)
    for j, ph in enumerate(phases):
        # open markers shrinking phase by phase, so coinciding points stay distinguishable
        ax.plot(d, final[:, j], color=cmap(j % cmap.N), gid=f"conversion:{ph}", label=ph,
                linewidth=1.5, marker=_MARKERS[j % len(_MARKERS)],
                markersize=9.0 - 4.0 * j / max(n - 1, 1), markerfacecolor="none",
                markeredgewidth=1.4, clip_on=False, zorder=3)
    ax.set_xscale("log")
    edges = _class_edges(d)
    ax.set_xlim(edges[0], edges[-1])
    _percent_axis(ax)
    if edges[-1] / edges[0] < 10.0:  # less than a decade: tick the class diameters themselves
        ax.set_xticks(d, labels=[f"{v:.3g}" for v in d])
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # not 10^n
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Particle diameter (µm)")
    ax.set_ylabel("Conversion (%)")
    _style(ax)
    ax.set_title(f"{results.name}: conversion by particle size, {_end_state(results)}",
                 fontsize=11, loc="left")
    handles, labels = ax.get_legend_handles_labels()
    pad = 8.0
    if mass_fractions and d.size > 1:
        frac = 100.0 * np.asarray(results["class_mass_fraction"], float)[order]
        twin = ax.twinx()
        twin.stairs(frac, edges, fill=True, facecolor="0.9", edgecolor="0.75",
                    linewidth=0.6, gid="conversion:class_mass_fraction")
        twin.set_ylim(0.0, 2.2 * frac.max() if frac.max() > 0 else 1.0)  # bars in the lower half
        twin.set_ylabel("Class mass fraction (%)", color="0.45")
        twin.tick_params(axis="y", colors="0.45", labelsize=9)
        twin.spines["right"].set_color("0.6")
        twin.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_zorder(twin.get_zorder() + 1)  # lines over the bars
        ax.patch.set_visible(False)
        handles.append(Patch(facecolor="0.9", edgecolor="0.75", label="class mass fraction"))
        labels.append("class mass fraction")
        pad = 48.0  # clear the right-hand tick labels and axis label
    _legend_right(ax, handles, labels, title="Phase", pad_points=pad)
    return ax


# --- figure sets -------------------------------------------------------------------------------

def figures(results: Results) -> dict[str, Figure]:
    """The report figures of a leach run, as headless ``Figure`` objects.

    Keys: ``"extraction"``, ``"leachate"``, ``"conversion_by_size"``; for a column run the
    breakthrough figures of ``plotting.column``; for a route ``plotting.route``.
    """
    if results.kind == "column":
        from .column import figures as column_figures

        return column_figures(results)
    if results.kind == "route":
        from .route import figures as route_figures

        return route_figures(results)
    _check(results)
    out: dict[str, Figure] = {}
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    plot_extraction(results, ax=fig.add_subplot())
    out["extraction"] = fig

    fig = Figure(figsize=(7.0, 6.4), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    plot_leachate(results, axes=axes)
    axes[0].tick_params(labelbottom=True)
    axes[0].set_xlabel("")
    out["leachate"] = fig

    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    plot_conversion_by_size(results, ax=fig.add_subplot())
    out["conversion_by_size"] = fig
    return out


def _safe(stem: str) -> str:
    return re.sub(r"[^\w.+-]+", "_", stem).strip("_") or "leachsim"


def save_figures(results: Results, outdir, formats=("png", "pdf"), stem: str | None = None
                 ) -> list[Path]:
    """Write every figure of ``figures()`` as ``<outdir>/<stem>_<figure>.<format>``.

    ``stem`` defaults to ``results.name`` (characters unsafe in file names become ``_``).
    PNG at 200 dpi; PDF vector, without a creation date (reproducible files).
    Returns the paths written.
    """
    if isinstance(formats, str):
        formats = (formats,)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = _safe(results.name) if stem is None else stem
    paths: list[Path] = []
    for key, fig in figures(results).items():
        title = f"{results.name}: {key.replace('_', ' ')}"
        for fmt in formats:
            fmt = fmt.lower().lstrip(".")
            path = outdir / f"{stem}_{key}.{fmt}"
            meta = {"png": {"Title": title, "Software": "leachsim (matplotlib)"},
                    "pdf": {"Title": title, "Creator": "leachsim (matplotlib)",
                            "CreationDate": None},
                    "svg": {"Title": title, "Date": None}}.get(fmt)
            fig.savefig(path, format=fmt, dpi=PNG_DPI, metadata=meta)
            paths.append(path)
    return paths
