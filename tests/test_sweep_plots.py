"""Sweep figures and the statistics behind them: what is drawn equals the sweep's numbers;
the Sobol estimators against the Ishigami function's exact indices."""
import math

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure

from leachsim import sweep
from leachsim.sweep.design import Design, Parameter
from leachsim.sweep.plots import sobol_estimates

import sweep_scenarios as ss


def new_ax():
    return Figure(layout="constrained").add_subplot()


def by_gid(ax, prefix):
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep_plots")


def run(folder, name, text, **kw):
    sw = sweep.load_sweep(ss.write(folder, f"{name}.toml", text, **kw))
    out = folder / f"{name}.h5"
    sweep.run_sweep(sw, out, workers=1, progress=False)
    return sweep.read_sweep(out)


@pytest.fixture(scope="module")
def grid(folder):
    return run(folder, "grid", ss.LEACH_GRID)


def test_heat_map_draws_the_grid(grid):
    ax = sweep.plot_map(grid, "extraction_Ca", "leach.leachant.H2SO4", "leach.temperature",
                               ax=new_ax())
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1
    # rows: temperature (y) 20, 40, 60 degC; columns: acid (x) 0.1, 0.3, 0.5 mol/L
    np.testing.assert_array_equal(mesh[0].get_array().reshape(3, 3),
                                  grid.output("extraction_Ca").reshape(3, 3))
    assert ax.get_xlabel() == "leach.leachant.H2SO4 (mol/L)"
    assert ax.get_ylabel() == "leach.temperature (degC)"
    assert ax.figure.axes[1].get_ylabel() == "extraction_Ca (-)"  # the colour bar


def test_contour_map_of_scattered_cases(folder):
    data = run(folder, "col", ss.COLUMN_LHS, samples=8)
    ax = sweep.plot_map(data, "bv_0.05_Co", "inlet[load].flow_rate",
                        "sorbent.parameters.Co.q_max", ax=new_ax())
    assert len(by_gid(ax, "map:bv_0.05_Co")) == 1  # the filled contours
    dots = by_gid(ax, "map:cases")[0]
    seen = np.isfinite(data.output("bv_0.05_Co"))  # the slowest feed never breaks through
    assert 5 <= seen.sum() < 8
    np.testing.assert_array_equal(dots.get_xdata(), data.parameter("inlet[load].flow_rate")[seen])
    assert ax.get_xlabel() == "inlet[load].flow_rate (mL/min)"
    assert ax.figure.axes[1].get_ylabel() == "bv_0.05_Co (-)"
    curves = sweep.plot_curves(data, "outlet_relative", ax=new_ax())
    assert curves.get_xlabel() == "bed_volumes (-)" and "component Co" in curves.get_title()
    assert len(by_gid(curves, "curve:")) == 8


def test_curve_family_coloured_by_parameter(grid):
    ax = sweep.plot_curves(grid, "extraction", color_by="leach.temperature", ax=new_ax())
    lines = by_gid(ax, "curve:")
    assert len(lines) == 9
    ca = grid.curves["extraction"].coords["element"].index("Ca")  # the target by default
    for line in lines:
        k = int(line.get_gid().split(":")[1])
        np.testing.assert_array_equal(line.get_ydata(), grid.curves["extraction"].values[k, :, ca])
        np.testing.assert_array_equal(line.get_xdata(), grid.curves["time"].values[k])
    hot = [ln for ln in lines if grid.parameter("leach.temperature")[int(ln.get_gid()[6:])] == 60]
    cold = [ln for ln in lines if grid.parameter("leach.temperature")[int(ln.get_gid()[6:])] == 20]
    assert all(ln.get_color() == hot[0].get_color() for ln in hot)
    assert hot[0].get_color() != cold[0].get_color()
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "extraction (-)"


def test_pareto_front():
    a = np.array([1.0, 2.0, 3.0, 4.0, np.nan, 2.5])
    b = np.array([4.0, 3.0, 3.5, 1.0, 9.0, 3.5])
    np.testing.assert_array_equal(sweep.pareto_front(a, b), [0, 2, 3])
    # recovery up, reagent use down: (1, 4) and (2, 3) are worse than (4, 1)
    np.testing.assert_array_equal(sweep.pareto_front(a, b, (True, False)), [3])


def test_pareto_plot_marks_the_front(grid):
    ax = sweep.plot_pareto(grid, "extraction_Ca", "reagent_consumption_H2SO4",
                           maximize=(True, False), ax=new_ax())
    front = by_gid(ax, "pareto:front")[0]
    idx = sweep.pareto_front(grid.output("extraction_Ca"),
                             grid.output("reagent_consumption_H2SO4"), (True, False))
    np.testing.assert_array_equal(front.get_xdata(), grid.output("extraction_Ca")[idx])
    assert len(by_gid(ax, "pareto:cases")[0].get_xdata()) == 9
    assert "less is better" in ax.get_ylabel()


def test_one_at_a_time_sensitivity(folder):
    text = ss.LEACH + """
[sweep]
design = "oat"
record = ["extraction_Ca"]
[[sweep.vary]]
path = "leach.temperature"
range = ["15 degC", "35 degC"]
points = 3
[[sweep.vary]]
path = "leach.leachant.H2SO4"
values = ["0.3 mol/L", "0.7 mol/L"]
"""
    data = run(folder, "oat", text)
    assert len(data) == 1 + 3 + 2
    z = data.output("extraction_Ca")
    effects = sweep.oat_effects(data, "extraction_Ca")
    dt = z[1:4] - z[0]
    dc = z[4:6] - z[0]
    assert effects["leach.temperature"] == (pytest.approx(dt.min()), pytest.approx(dt.max()))
    assert effects["leach.leachant.H2SO4"] == (pytest.approx(dc.min()), pytest.approx(dc.max()))
    assert dt.min() < 0 < dt.max() and dc.min() < 0 < dc.max()  # base 25 degC, 0.5 mol/L
    ax = sweep.plot_sensitivity(data, "extraction_Ca", ax=new_ax())
    bar = by_gid(ax, "oat:leach.temperature")[0]
    assert bar.get_x() == pytest.approx(dt.min()) and bar.get_width() == pytest.approx(np.ptp(dt))


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x):
    return (np.sin(x[:, 0]) + ISHIGAMI_A * np.sin(x[:, 1]) ** 2
            + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0]))


def test_sobol_estimators_on_the_ishigami_function():
    """Exact indices: V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    V = a ** 2 / 8 + b * pi ** 4 / 5 + b ** 2 * pi ** 8 / 18 + 0.5
    V1, V2, V13 = 0.5 * (1 + b * pi ** 4 / 5) ** 2, a ** 2 / 8, 8 * b ** 2 * pi ** 8 / 225
    exact_first = np.array([V1, V2, 0.0]) / V
    exact_total = np.array([V1 + V13, V2, V13]) / V
    ps = tuple(Parameter(f"x{j}", low=-pi, high=pi) for j in range(3))
    cases = Design("sobol", ps, samples=2 ** 13, seed=11, indices=True).cases()
    first, total = sobol_estimates(ishigami(cases.numbers), cases.block, 3)
    np.testing.assert_allclose(first, exact_first, atol=0.02)
    np.testing.assert_allclose(total, exact_total, atol=0.02)


def test_sobol_indices_of_a_sweep(folder):
    """Extraction depends on temperature but not on the tank volume (at a fixed
    solid/liquid ratio): indices near 1 for the one and exactly 0 for the other."""
    text = ss.LEACH + """
[sweep]
design = "sobol"
samples = 64
indices = true
record = ["extraction_Ca"]
[[sweep.vary]]
path = "leach.temperature"
range = ["20 degC", "60 degC"]
[[sweep.vary]]
path = "leach.volume"
range = ["1 L", "100 L"]
scale = "log"
"""
    data = run(folder, "sobol", text)
    assert len(data) == 64 * 4 and data.ok.all()
    first, total = sweep.sobol_indices(data, "extraction_Ca")
    np.testing.assert_allclose([first[0], total[0]], [1.0, 1.0], atol=0.1)
    np.testing.assert_allclose([first[1], total[1]], [0.0, 0.0], atol=1e-9)
    ax = sweep.plot_sobol(data, "extraction_Ca", ax=new_ax())
    heights = [p.get_height() for p in by_gid(ax, "sobol:first")]
    np.testing.assert_allclose(heights, first)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["leach.temperature", "leach.volume"]


def test_standard_figures_follow_the_design(grid, folder):
    from leachsim.sweep.plots import sweep_figures

    assert [n for n, _ in sweep_figures(grid)] == [
        "map_extraction_Ca", "map_reagent_consumption_H2SO4", "curves_extraction"]
    one = run(folder, "one", ss.LEACH + """
[sweep]
record = ["extraction_Ca"]
[[sweep.vary]]
path = "leach.temperature"
values = ["20 degC", "30 degC", "40 degC"]
""")
    (name, fig), = sweep_figures(one)
    line = by_gid(fig.axes[0], "response:extraction_Ca")[0]
    assert name == "response_extraction_Ca"
    np.testing.assert_array_equal(line.get_ydata(), one.output("extraction_Ca"))
    assert fig.axes[0].get_xlabel() == "leach.temperature (degC)"
