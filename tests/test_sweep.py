"""Parameter sweeps: designs, the [sweep] table and its errors, runs equal to one-by-one
runs, failed cases, the case table (CSV, pandas) and the command line."""
import csv
import io
import math
import subprocess
import sys

import h5py
import numpy as np
import pytest

import leachsim
from leachsim import sweep
from leachsim.cli import main
from leachsim.config import ConfigError
from leachsim.sweep.design import Design, Parameter
from leachsim.sweep.progress import Progress
from leachsim.sweep.runner import _run_isolating
from leachsim.sweep.spec import vary_option

import sweep_scenarios as ss
from conftest import CONFIGS


def one_by_one(sw, k):
    """Case k of a sweep run on its own through leachsim.run."""
    sc = sw.scenario
    for path, value in zip(sw.spec.paths, sw.cases().values[k]):
        if value is not None:
            sc = sc.with_value(path, value)
    return leachsim.run(sc)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep")


@pytest.fixture(scope="module")
def grid_file(folder):
    """The 3 x 3 leach grid, run in this process."""
    sw = sweep.load_sweep(ss.write(folder, "grid.toml", ss.LEACH_GRID))
    out = folder / "grid.h5"
    summary = sweep.run_sweep(sw, out, workers=1, progress=False)
    return sw, out, summary


# --------------------------------------------------------------------------- designs
def test_grid_levels_order_and_units():
    t = Parameter("leach.temperature", low=20.0, high=60.0, unit="degC", points=3)
    c = Parameter("leach.leachant.H2SO4", low=0.1, high=10.0, unit="mol/L", scale="log",
                  points=3)
    cases = Design("grid", (t, c)).cases()
    assert len(cases) == 9
    np.testing.assert_allclose(cases.numbers[:3], [[20, 0.1], [20, 1.0], [20, 10.0]],
                               rtol=1e-12)  # last parameter fastest; log levels geometric
    assert cases.values[4] == ("40.0 degC", "1.0 mol/L")
    assert set(cases.numbers[:, 0]) == {20.0, 40.0, 60.0}


def test_zip_takes_levels_in_lockstep():
    a = Parameter("x", values=("1 mol/L", "2 mol/L", "4 mol/L"), unit="mol/L")
    b = Parameter("y", values=("langmuir", "freundlich", "linear"))
    cases = Design("zip", (a, b)).cases()
    assert cases.values == [("1 mol/L", "langmuir"), ("2 mol/L", "freundlich"),
                            ("4 mol/L", "linear")]
    np.testing.assert_array_equal(cases.numbers, [[1, 0], [2, 1], [4, 2]])  # categorical: position
    assert b.categorical and not a.categorical


def test_lhs_is_stratified_bounded_and_seeded():
    n = 40
    lin = Parameter("a", low=2.0, high=6.0)
    log = Parameter("b", low=1e-3, high=1e1, scale="log")
    nums = Design("lhs", (lin, log), samples=n, seed=5).cases().numbers
    assert nums.shape == (n, 2)
    assert np.all((nums[:, 0] >= 2) & (nums[:, 0] < 6)) and np.all((nums[:, 1] >= 1e-3)
                                                                  & (nums[:, 1] < 10))
    # one point in each of the n equal strata, on a linear and on a log scale
    assert sorted(np.floor((nums[:, 0] - 2) / 4 * n).astype(int)) == list(range(n))
    assert sorted(np.floor((np.log10(nums[:, 1]) + 3) / 4 * n).astype(int)) == list(range(n))
    again = Design("lhs", (lin, log), samples=n, seed=5).cases().numbers
    other = Design("lhs", (lin, log), samples=n, seed=6).cases().numbers
    np.testing.assert_array_equal(nums, again)
    assert not np.allclose(nums, other)


def test_sobol_saltelli_layout():
    d, n = 3, 16
    ps = tuple(Parameter(f"p{j}", low=0.0, high=1.0) for j in range(d))
    plain = Design("sobol", ps, samples=n, seed=1).cases()
    assert len(plain) == n
    # scrambled Sobol points in base 2: each half of [0, 1) holds n/2 points per axis
    assert np.all(np.sum(plain.numbers < 0.5, axis=0) == n // 2)
    cases = Design("sobol", ps, samples=n, seed=1, indices=True).cases()
    assert len(cases) == n * (d + 2)
    A, B = cases.numbers[cases.block == 0], cases.numbers[cases.block == 1]
    for j in range(d):
        ABj = cases.numbers[cases.block == 2 + j]
        np.testing.assert_array_equal(ABj[:, j], B[:, j])
        np.testing.assert_array_equal(np.delete(ABj, j, 1), np.delete(A, j, 1))


def test_oat_varies_one_parameter_at_a_time():
    a = Parameter("a", low=1.0, high=3.0, points=3)
    b = Parameter("b", values=(10, 20))
    cases = Design("oat", (a, b)).cases(base_values=(2.5, 15))
    assert len(cases) == 1 + 3 + 2
    assert cases.values[0] == (None, None)  # the base case writes nothing
    np.testing.assert_array_equal(cases.block, [-1, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(cases.numbers, [[2.5, 15], [1, 15], [2, 15], [3, 15],
                                                  [2.5, 10], [2.5, 20]])
    assert cases.values[5] == (None, 20)


def test_integer_ranges_stay_integers():
    p = Parameter("column.cells", low=20, high=60, points=3, integer=True)
    cases = Design("grid", (p,)).cases()
    assert cases.values == [(20,), (40,), (60,)] and all(isinstance(v[0], int)
                                                          for v in cases.values)


# --------------------------------------------------------------------------- spec
def test_spec_errors_name_every_path(folder):
    bad = ss.write(folder, "bad.toml", ss.LEACH + """
[sweep]
design = "lsh"
recrd = ["x"]
[[sweep.vary]]
path = "leach.temprature"
values = ["30 degC"]
[[sweep.vary]]
path = "leach.leachant.H2SO4"
range = ["0.1 mol/L", "500 mol/m^3"]
[[sweep.vary]]
path = "solid.density"
range = [0, 4000]
scale = "log"
""")
    with pytest.raises(ConfigError) as err:
        sweep.load_sweep(bad)
    text = str(err.value)
    assert "sweep.design: 'lsh' is not one of the choices (did you mean 'lhs'?)" in text
    assert "sweep.recrd: unknown key (did you mean 'record'?)" in text
    assert "sweep.vary[1].range" in text and "same unit" in text
    assert "sweep.vary[2].range" in text and "log scale needs low > 0" in text
    # paths and values are checked against the scenario once the table itself is valid
    bad = ss.write(folder, "bad2.toml", ss.LEACH + """
[sweep]
[[sweep.vary]]
path = "leach.temprature"
values = ["30 degC"]
[[sweep.vary]]
path = "leach.temperature"
values = ["30 kg"]
[[sweep.vary]]
path = "solid.phases[lyme].mass_fraction"
values = [0.4]
""")
    with pytest.raises(ConfigError) as err:
        sweep.load_sweep(bad)
    text = str(err.value)
    assert ("sweep.vary[0].path: leach.temprature = '30 degC': unknown key (did you mean "
            "'temperature'?)") in text
    assert "sweep.vary[1].values: leach.temperature = '30 kg'" in text and "expected K" in text
    assert "sweep.vary[2].path: 'solid.phases[lyme].mass_fraction': no item named 'lyme' " \
           "(did you mean 'lime'?)" in text


def test_values_the_reader_converts_itself(folder):
    """'10 BV/h' is read by the scenario reader, not the unit module: a range in it sweeps;
    a bad value at a path with a named item (inlet[load]) is still caught up front."""
    cfg = ss.write(folder, "bv.toml", ss.COLUMN)
    sw = sweep.load_sweep(cfg, vary=["inlet[load].flow_rate=5 BV/h:12 BV/h:3"])
    assert [v for v, in sw.cases().values] == ["5.0 BV/h", "8.5 BV/h", "12.0 BV/h"]
    with pytest.raises(ConfigError, match=r"sweep.vary\[0\].range: inlet\[load\].flow_rate = "
                                          r"'5.0 BV/x'.*unknown unit 'BV'"):
        sweep.load_sweep(cfg, vary=["inlet[load].flow_rate=5 BV/x:12 BV/x"])


def test_sampled_designs_need_samples_and_sobol_a_power_of_two():
    base = {"vary": [{"path": "a", "range": [0.0, 1.0]}]}
    with pytest.raises(ConfigError, match="sweep.samples: missing"):
        sweep.parse_sweep(base | {"design": "lhs"})
    with pytest.raises(ConfigError, match=r"sweep.samples: 100 is not a power of 2.*64 or 128"):
        sweep.parse_sweep(base | {"design": "sobol", "samples": 100})
    with pytest.raises(ConfigError, match="takes the levels in lockstep"):
        sweep.parse_sweep({"design": "zip", "vary": [{"path": "a", "values": [1, 2]},
                                                     {"path": "b", "values": [1, 2, 3]}]})


def test_command_line_vary_and_set():
    assert vary_option("leach.temperature=40 degC:90 degC:log:5") == {
        "path": "leach.temperature", "range": ["40 degC", "90 degC"], "scale": "log",
        "points": 5}
    assert vary_option("column.cells=50,100") == {"path": "column.cells", "values": [50, 100]}
    assert vary_option("sorbent.binding=langmuir,linear")["values"] == ["langmuir", "linear"]
    with pytest.raises(ConfigError, match="expected PATH=VALUE"):
        vary_option("leach.temperature")


def test_run_ignores_the_sweep_table(folder):
    """`leachsim run` on a file with [sweep] runs the base case."""
    with_sweep = leachsim.run(leachsim.load_scenario(ss.write(folder, "g.toml", ss.LEACH_GRID)))
    plain = leachsim.run(leachsim.load_scenario(ss.write(folder, "p.toml", ss.LEACH)))
    assert with_sweep.scalar("extraction_Ca") == plain.scalar("extraction_Ca")


# --------------------------------------------------------------------------- runs
def test_local_run_equals_cases_run_one_by_one(grid_file):
    sw, out, summary = grid_file
    assert (summary.n_cases, summary.done, summary.failed, summary.complete) == (9, 9, 0, True)
    data = sweep.read_sweep(out)
    assert data.output_names == ("extraction_Ca", "reagent_consumption_H2SO4")
    assert data.output_units == ("1", "kg/t")
    for k in range(9):
        ref = one_by_one(sw, k)
        assert data.output("extraction_Ca")[k] == pytest.approx(ref.scalar("extraction_Ca"),
                                                                rel=1e-12)
        assert data.output("reagent_consumption_H2SO4")[k] == pytest.approx(
            ref.scalar("reagent_consumption_H2SO4"), rel=1e-12)
        np.testing.assert_allclose(data.curves["extraction"].values[k], ref["extraction"],
                                   rtol=1e-12, atol=1e-15)
    # the design as stored: temperature in degC (the sweep's unit), acid in mol/L
    np.testing.assert_allclose(data.parameter("leach.temperature"), np.repeat([20, 40, 60], 3))
    np.testing.assert_allclose(data.parameter("leach.leachant.H2SO4"), np.tile([.1, .3, .5], 3))
    # physics sanity: more acid and hotter leach more (strictly, at every level)
    x = data.output("extraction_Ca").reshape(3, 3)
    assert np.all(np.diff(x, axis=0) > 0) and np.all(np.diff(x, axis=1) > 0)
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1 and f["outputs"].chunks is not None


def test_process_pool_gives_the_same_numbers(grid_file, folder):
    sw, out, _ = grid_file
    pooled = folder / "grid_pool.h5"
    summary = sweep.run_sweep(sw, pooled, workers=2, chunk_size=2, progress=False)
    assert summary.done == 9
    a, b = sweep.read_sweep(out), sweep.read_sweep(pooled)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    np.testing.assert_array_equal(a.curves["extraction"].values, b.curves["extraction"].values)


def test_column_sweep_equals_one_by_one(folder):
    sw = sweep.load_sweep(ss.write(folder, "col.toml", ss.COLUMN_LHS, samples=6))
    out = folder / "col.h5"
    sweep.run_sweep(sw, out, workers=1, progress=False)
    data = sweep.read_sweep(out)
    assert data.ok.all()
    for k in (0, 5):
        ref = one_by_one(sw, k)
        for name in data.output_names:
            assert data.output(name)[k] == pytest.approx(ref.scalar(name), rel=1e-10)
        np.testing.assert_allclose(data.curves["outlet_relative"].values[k],
                                   ref["outlet_relative"], rtol=1e-10, atol=1e-14)
    # the dynamic capacity follows q_max (the flow rate changes it only a little here)
    q = data.parameter("sorbent.parameters.Co.q_max")
    cap = data.output("dynamic_capacity_Co")
    assert np.corrcoef(q, cap)[0, 1] > 0.98


def test_failed_cases_are_recorded_and_the_sweep_goes_on(folder):
    """An invalid combination (mass fractions adding up to 1.1) and a solver failure
    (tolerances of 1e-300) are recorded with their errors; the other cases are right."""
    text = ss.LEACH + """
[sweep]
design = "zip"
record = ["extraction_Ca"]
[[sweep.vary]]
path = "solid.phases[lime].mass_fraction"
values = [0.5, 0.6, 0.5, 0.5]
[[sweep.vary]]
path = "solver.rtol"
values = [1e-8, 1e-8, 1e-300, 1e-6]
[[sweep.vary]]
path = "solver.atol"
values = [1e-10, 1e-10, 1e-300, 1e-10]
"""
    sw = sweep.load_sweep(ss.write(folder, "fail.toml", text))
    out = folder / "fail.h5"
    summary = sweep.run_sweep(sw, out, workers=1, progress=False)
    assert (summary.done, summary.failed, summary.complete) == (2, 2, True)
    data = sweep.read_sweep(out)
    assert list(data.status) == [1, 2, 2, 1]
    assert "invalid scenario: solid.phases: mass fractions add up to 1.1" in data.messages[1]
    assert "SolverError" in data.messages[2] and "NaN" in data.messages[2]
    assert np.isnan(data.outputs[[1, 2]]).all()
    for k in (0, 3):
        assert data.output("extraction_Ca")[k] == pytest.approx(
            one_by_one(sw, k).scalar("extraction_Ca"), rel=1e-12)
    assert sum(summary.failures.values()) == 2 and "2 failed" in summary.text()


def test_command_exits_1_when_every_case_fails(folder):
    text = ss.LEACH + """
[sweep]
design = "zip"
[[sweep.vary]]
path = "solver.rtol"
values = [1e-300, 1e-300]
[[sweep.vary]]
path = "solver.atol"
values = [1e-300, 1e-299]
"""
    cfg = ss.write(folder, "allfail.toml", text)
    assert main(["sweep", str(cfg), "-o", str(folder / "allfail.h5"), "--workers", "1",
                 "-q"]) == 1
    data = sweep.read_sweep(folder / "allfail.h5")
    assert data.complete and list(data.status) == [2, 2] and data.output_names == ()


def test_progress_bar_shows_rate_and_time_left():
    stream = io.StringIO()
    bar = Progress(200, already=50, enabled=True, stream=stream, interval=0.0)
    bar.start -= 2.0  # as if 2 s had passed
    bar.update(50, 3)
    text = stream.getvalue()
    assert "100/200  50%" in text and "3 failed" in text
    rate = float(text.split("% ")[1].split(" cases/s")[0])
    assert rate == pytest.approx(25.0, rel=0.05)  # 50 cases in 2 s
    assert "00:04 left" in text  # 100 more at 25/s
    quiet = io.StringIO()
    Progress(10, stream=quiet).update(5, 0, force=True)  # not a terminal: silent
    assert quiet.getvalue() == ""


def test_a_failing_batch_is_split_until_each_failure_is_alone():
    calls = []

    def run_many(items):
        calls.append(len(items))
        if any(x < 0 for x in items):
            raise RuntimeError("bad case")
        return [10 * x for x in items]

    out = {}
    values = [1, 2, -3, 4, 5, 6, -7, 8]
    _run_isolating(run_many, list(enumerate(values)), out)
    assert out == {0: 10, 1: 20, 2: "RuntimeError: bad case", 3: 40, 4: 50, 5: 60,
                   6: "RuntimeError: bad case", 7: 80}
    assert len(calls) <= 2 * 2 * math.log2(len(values)) + 1  # log depth, not one run per case


def test_unknown_recorded_output_is_a_config_error(folder):
    sw = sweep.load_sweep(ss.write(folder, "grid.toml", ss.LEACH_GRID), record=["extraction_Cu"])
    with pytest.raises(ConfigError, match=r"sweep.record\[0\]: 'extraction_Cu' is not a scalar "
                                          r"of the results \(did you mean 'extraction_Ca'\?\)"):
        sweep.run_sweep(sw, folder / "nope.h5", workers=1, progress=False)
    assert not (folder / "nope.h5").exists()


# --------------------------------------------------------------------------- the case table
def test_csv_and_dataframe_hold_the_case_table(grid_file, folder):
    _, out, _ = grid_file
    data = sweep.read_sweep(out)
    path = data.to_csv(folder / "grid.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["case", "status", "message", "leach.temperature (degC)",
                       "leach.leachant.H2SO4 (mol/L)", "extraction_Ca (-)",
                       "reagent_consumption_H2SO4 (kg/t)"]
    assert len(rows) == 10 and all(r[1] == "done" for r in rows[1:])
    back = np.array([[float(x) for x in r[3:]] for r in rows[1:]])
    np.testing.assert_array_equal(back[:, 2:], data.outputs)  # 17 digits: exact round trip
    pd = pytest.importorskip("pandas")
    df = data.to_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 9
    np.testing.assert_array_equal(df["extraction_Ca"].to_numpy(), data.output("extraction_Ca"))
    assert df.attrs["units"]["leach.temperature"] == "degC"


# --------------------------------------------------------------------------- command line
def run_cli(*args, cwd="/"):
    p = subprocess.run([sys.executable, "-m", "leachsim", *map(str, args)], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def test_cli_sweep_show_export_and_plot(folder):
    cfg = ss.write(folder, "cli.toml", ss.LEACH)
    out = folder / "cli.h5"
    code, stdout, err = run_cli("sweep", cfg, "-o", out, "--vary",
                                "leach.temperature=20 degC:60 degC:3", "--vary",
                                "leach.leachant.H2SO4=0.1 mol/L,0.5 mol/L", "--record",
                                "extraction_Ca", "reagent_consumption_H2SO4", "--workers", "1")
    assert code == 0, err
    assert "6 of 6 cases (6 done, 0 failed)" in stdout
    code, stdout, _ = run_cli("show", out)
    assert code == 0 and "design grid, 6 cases: 6 done" in stdout
    assert "leach.temperature" in stdout and "20 .. 60 degC" in stdout
    code, stdout, _ = run_cli("export", out, "-o", folder / "cli.csv")
    assert code == 0 and len((folder / "cli.csv").read_text().splitlines()) == 7
    code, stdout, err = run_cli("plot", out, "-o", folder / "figs", "--format", "png",
                                "--pareto", "extraction_Ca", "min:reagent_consumption_H2SO4")
    assert code == 0, err
    names = sorted(p.name for p in (folder / "figs").glob("*.png"))
    assert names == ["mini_map_extraction_Ca.png", "mini_map_reagent_consumption_H2SO4.png",
                     "mini_pareto.png"]
    # the same file again: refused (exit 2), since it would be overwritten
    code, _, err = run_cli("sweep", cfg, "-o", out, "--vary", "leach.temperature=20 degC:60 degC")
    assert code == 2 and "--resume" in err and "Traceback" not in err


def test_cli_bad_input_exits_2_without_traceback(folder):
    cfg = ss.write(folder, "cli.toml", ss.LEACH)
    for args in (["--vary", "leach.temprature=20 degC:60 degC"],
                 ["--vary", "leach.temperature=20 degC:60 K"],
                 ["--design", "lhs", "--vary", "leach.temperature=20 degC:60 degC"],
                 []):
        code, _, err = run_cli("sweep", cfg, "-o", folder / "x.h5", *args)
        assert code == 2 and "Traceback" not in err, err
        assert "sweep" in err
    assert not (folder / "x.h5").exists()
    code, _, err = run_cli("sweep", "--resume", CONFIGS / "missing.h5")
    assert code == 2 and "Traceback" not in err


def test_shipped_sweep_example_is_valid():
    sw = sweep.load_sweep(CONFIGS / "sweep_bof_slag_vanadium.toml")
    assert len(sw.cases()) == 30 and sw.spec.record[0] == "extraction_V"
    code, stdout, err = run_cli("check", CONFIGS / "sweep_bof_slag_vanadium.toml")
    assert code == 0, err
    assert ("sweep OK - grid design, 30 cases over leach.temperature, leach.leachant.H2SO4"
            in stdout)


def test_route_sweep_runs_through_leachsim_run(folder):
    """A kind with no batched kernel (a whole route) runs case by case through leachsim.run."""
    base = leachsim.load_scenario(CONFIGS / "route_cu_co_tailings_cobalt_biosorbent.toml")
    sw = sweep.make_sweep(base, {"record": ["overall_yield_Co", "eluate_purity_Co"],
                                 "vary": [{"path": "conditioning.pH", "values": [4.5, 6.0]}]})
    out = folder / "route.h5"
    assert sweep.run_sweep(sw, out, workers=1, progress=False).done == 2
    data = sweep.read_sweep(out)
    assert data.kind == "route"
    for k in range(2):
        ref = one_by_one(sw, k)
        assert data.output("overall_yield_Co")[k] == pytest.approx(
            ref.scalar("overall_yield_Co"), rel=1e-12)
    assert data.output("overall_yield_Co")[0] != data.output("overall_yield_Co")[1]
