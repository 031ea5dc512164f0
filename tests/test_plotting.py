"""Report figures (leachsim.plotting): files written, plotted data equal to the results,
units on every axis, no global matplotlib state touched."""
import copy
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.figure import Figure

import leachsim
from leachsim.chemistry import ATOMIC_MASS
from leachsim.plotting import (FIGURES, figures, plot_conversion_by_size, plot_extraction,
                               plot_leachate, save_figures)
from leachsim.results import Results, Variable

from conftest import MINIMAL, REPO

CASCADE_LEACH = {"type": "cascade", "temperature": "25 degC", "solid_liquid_ratio": "50 g/L",
                 "tanks": 4, "residence_time": "1 h", "solids_feed": "10 t/h",
                 "leachant": {"H2SO4": "0.5 mol/L"}}
UNITS = re.compile(r"\((?:[^()]*|\$[^$]*\$)*\)\s*$")  # a label ending in "(unit)"


@pytest.fixture(scope="module")
def batch():
    return leachsim.run(leachsim.parse_scenario(copy.deepcopy(MINIMAL)))


@pytest.fixture(scope="module")
def cascade():
    raw = copy.deepcopy(MINIMAL)
    raw["meta"]["name"] = "minimal cascade"  # a space: the default file stem must be safe
    raw["leach"] = copy.deepcopy(CASCADE_LEACH)
    raw["solid"]["size"] = {"distribution": "rosin-rammler", "d63": "60 um", "spread": 1.2,
                            "classes": 4}
    return leachsim.run(leachsim.parse_scenario(raw))


@pytest.fixture(params=["batch", "cascade"])
def result(request):
    return request.getfixturevalue(request.param)


def _lines(ax, prefix):
    return {ln.get_gid().split(":", 1)[1]: ln for ln in ax.get_lines()
            if (ln.get_gid() or "").startswith(prefix + ":")}


def _x(res):
    if res.kind == "leach-cascade":
        return np.arange(1, len(res.coords["tank"]) + 1)
    return res["time"] / 3600.0


def test_kinds(batch, cascade):
    assert batch.kind == "leach-batch" and cascade.kind == "leach-cascade"
    assert len(cascade.coords["size_class"]) == 4


# --- files -------------------------------------------------------------------------------------

def test_save_figures_writes_png_and_pdf(result, tmp_path):
    paths = save_figures(result, tmp_path / "figs")
    stem = result.name.replace(" ", "_")
    expected = {tmp_path / "figs" / f"{stem}_{key}.{fmt}" for key in FIGURES
                for fmt in ("png", "pdf")}
    assert set(paths) == expected and len(paths) == 6
    for p in paths:
        data = p.read_bytes()
        assert len(data) > 1000, p
        magic = b"\x89PNG\r\n\x1a\n" if p.suffix == ".png" else b"%PDF"
        assert data.startswith(magic), p


def test_save_figures_stem_and_formats(batch, tmp_path):
    paths = save_figures(batch, tmp_path, formats=("svg",), stem="run7")
    assert sorted(p.name for p in paths) == sorted(f"run7_{k}.svg" for k in FIGURES)
    assert all(p.stat().st_size > 0 for p in paths)


def test_png_resolution(batch, tmp_path):
    from matplotlib.image import imread
    (png,) = [p for p in save_figures(batch, tmp_path, formats=("png",))
              if p.name.endswith("_extraction.png")]
    fig = figures(batch)["extraction"]
    h, w = imread(png).shape[:2]
    assert (w, h) == tuple(round(200 * s) for s in fig.get_size_inches())


# --- data --------------------------------------------------------------------------------------

def test_extraction_lines_equal_results(result):
    ax = figures(result)["extraction"].axes[0]
    lines = _lines(ax, "extraction")
    assert list(lines) == result.coords["metal"]
    for metal, line in lines.items():
        np.testing.assert_array_equal(line.get_ydata(),
                                      100.0 * result.select("extraction", element=metal))
        np.testing.assert_allclose(line.get_xdata(), _x(result))
    target = result.coords["target"][0]
    others = [m for m in lines if m != target]
    assert all(lines[target].get_linewidth() > lines[m].get_linewidth() for m in others)
    assert "target" in lines[target].get_label()


def test_cascade_extraction_against_tanks_with_markers(cascade):
    ax = figures(cascade)["extraction"].axes[0]
    assert all(ln.get_marker() not in (None, "None", "") for ln in _lines(ax, "extraction").values())
    assert [t.get_text() for t in ax.get_xticklabels()] == cascade.coords["tank"]
    assert ax.get_xlabel() == "Tank"


def test_leachate_lines_equal_results(result):
    fig = figures(result)["leachate"]
    ax_c, ax_r = fig.axes[:2]
    conc = _lines(ax_c, "leachate")
    assert "Ca" in conc and "Si" not in conc  # quartz does not react: Si never dissolves
    assert any("not dissolved: Si" in t.get_text() for t in ax_c.texts)
    for el, line in conc.items():
        expected = result.select("leachate_concentration", element=el) * ATOMIC_MASS[el] * 1e3
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
        np.testing.assert_allclose(line.get_xdata(), _x(result))
    reag = _lines(ax_r, "leachant")
    assert list(reag) == result.coords["reagent"]
    for rg, line in reag.items():
        np.testing.assert_allclose(line.get_ydata(),
                                   result.select("reagent_concentration", reagent=rg) / 1000.0)
    assert ax_c.get_yscale() == "linear"  # one dissolved element: no spread


def test_leachate_mg_per_l_by_hand(batch):
    # 0.5 mol/L H2SO4 at t=0: the leachant starts at its feed concentration
    ax_c, ax_r = figures(batch)["leachate"].axes[:2]
    assert _lines(ax_r, "leachant")["H2SO4"].get_ydata()[0] == pytest.approx(0.5)
    # 1 mol/m^3 of Ca is 40.078 mg/L
    c = batch.select("leachate_concentration", element="Ca")[-1]
    assert _lines(ax_c, "leachate")["Ca"].get_ydata()[-1] == pytest.approx(40.078 * c)


def _spread(res: Results, factor: float) -> Results:
    """A copy with a second element dissolved at ``factor`` times the Ca concentration."""
    out = copy.deepcopy(res)
    v = out.variables["leachate_concentration"]
    vals = v.values.copy()
    e = out.coords["element"]
    vals[:, e.index("Si")] = factor * vals[:, e.index("Ca")]
    out.variables["leachate_concentration"] = Variable(vals, v.units, v.dims, v.description)
    return out


def test_leachate_log_axis_beyond_two_decades(batch):
    wide = figures(_spread(batch, 1e-3))["leachate"].axes[0]
    assert wide.get_yscale() == "log"
    assert set(_lines(wide, "leachate")) == {"Ca", "Si"}
    narrow = figures(_spread(batch, 0.05))["leachate"].axes[0]
    assert narrow.get_yscale() == "linear"


def test_conversion_lines_equal_results(result):
    fig = figures(result)["conversion_by_size"]
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    lines = _lines(ax, "conversion")
    assert list(lines) == result.coords["phase"]
    order = np.argsort(result["class_diameter"])
    for j, (ph, line) in enumerate(lines.items()):
        np.testing.assert_allclose(line.get_xdata(), result["class_diameter"][order] * 1e6)
        np.testing.assert_array_equal(line.get_ydata(),
                                      100.0 * result["conversion"][-1, order, j])
        assert line.get_marker() not in (None, "None", "")


def test_conversion_mass_fraction_steps(cascade):
    fig = figures(cascade)["conversion_by_size"]
    twin = fig.axes[1]
    (steps,) = [p for p in twin.patches if p.get_gid() == "conversion:class_mass_fraction"]
    vals, edges, _ = steps.get_data()
    np.testing.assert_allclose(vals, 100.0 * cascade["class_mass_fraction"])
    d = cascade["class_diameter"] * 1e6
    assert np.all((edges[:-1] < d) & (d < edges[1:]))
    assert "(%)" in twin.get_ylabel()


def test_single_class_has_no_mass_fraction_axis(batch):
    assert len(figures(batch)["conversion_by_size"].axes) == 1


# --- labels, titles, axes ----------------------------------------------------------------------

def test_axis_labels_carry_units_and_titles_name(result):
    figs = figures(result)
    assert set(figs) == set(FIGURES)
    for key, fig in figs.items():
        assert isinstance(fig, Figure)
        plot_axes = [ax for ax in fig.axes if ax.get_lines()]
        assert result.name in plot_axes[0].get_title(loc="left"), key
        for ax in fig.axes:
            for label in (ax.get_xlabel(), ax.get_ylabel()):
                if label and label != "Tank":
                    assert UNITS.search(label), (key, label)
            if ax.get_lines():
                assert ax.get_ylabel(), key
        assert plot_axes[-1].get_xlabel(), key
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        assert legends, key
        for leg in legends:  # legends stand outside the data area
            assert leg.get_bbox_to_anchor().x0 >= leg.axes.bbox.x1 - 1e-6


def test_functions_draw_on_given_axes_and_return_them(batch):
    fig = Figure()
    ax = fig.add_subplot(2, 2, 1)
    assert plot_extraction(batch, ax=ax) is ax
    assert plot_conversion_by_size(batch, ax=fig.add_subplot(2, 2, 2)) is fig.axes[1]
    axes = [fig.add_subplot(2, 2, 3), fig.add_subplot(2, 2, 4)]
    assert list(plot_leachate(batch, axes=axes)) == axes
    assert axes[0].get_xlabel() == axes[1].get_xlabel() == "Time (h)"
    with pytest.raises(ValueError, match="two panels"):
        plot_leachate(batch, axes=[ax])


def test_without_axes_uses_a_new_pyplot_figure(batch):
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    ax = plot_extraction(batch)
    try:
        assert ax.figure.number not in before
        axes = plot_leachate(batch)
        assert len(axes) == 2 and axes[0].figure is axes[1].figure
    finally:
        plt.close(ax.figure)
        plt.close(axes[0].figure)


def test_refuses_other_kinds(batch):
    """Each plot names the kind of run it needs instead of failing on a missing variable."""
    other = copy.deepcopy(batch)
    other.kind = "sweep"
    with pytest.raises(ValueError, match="leach run"):
        figures(other)
    with pytest.raises(ValueError, match="leach run"):
        plot_extraction(other)
    from leachsim.plotting import plot_breakthrough

    with pytest.raises(ValueError, match="column run"):
        plot_breakthrough(batch)


# --- global state ------------------------------------------------------------------------------

def test_no_global_matplotlib_state_changed(tmp_path):
    """In a fresh interpreter: importing and plotting leaves rcParams as they were, and
    figures()/save_figures() never import pyplot (headless, nothing registered)."""
    code = textwrap.dedent(f"""
        import copy, sys
        sys.path.insert(0, {str(REPO / "tests")!r})
        import matplotlib
        before = copy.deepcopy(dict(matplotlib.rcParams))
        import leachsim, leachsim.plotting
        from conftest import MINIMAL
        res = leachsim.run(leachsim.parse_scenario(MINIMAL))
        leachsim.plotting.figures(res)
        leachsim.plotting.save_figures(res, {str(tmp_path)!r})
        after = dict(matplotlib.rcParams)
        changed = sorted(k for k in before if before[k] != after[k])
        assert not changed, changed
        assert "matplotlib.pyplot" not in sys.modules
        print("ok")
    """)
    # a set backend: reading an unresolved rcParams["backend"] would itself import pyplot
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_rcparams_unchanged_in_process(batch, tmp_path):
    import matplotlib
    before = copy.deepcopy(dict(matplotlib.rcParams))
    save_figures(batch, tmp_path)
    plot_extraction(batch, ax=Figure().add_subplot())
    after = dict(matplotlib.rcParams)
    assert [k for k in before if before[k] != after[k]] == []


def test_shipped_scenario_figures(tmp_path):
    res = leachsim.run(leachsim.load_scenario(REPO / "configs" / "bof_slag_vanadium_h2so4.toml"))
    figs = figures(res)
    ext = _lines(figs["extraction"].axes[0], "extraction")
    assert list(ext)[0] == "V" and ext["V"].get_ydata()[-1] == pytest.approx(
        100 * res.select("extraction", element="V")[-1])
    assert len(figs["conversion_by_size"].axes) == 2  # eight classes: mass fractions drawn
