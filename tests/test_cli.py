"""The command line: exit codes, no tracebacks on bad input, complete-or-absent results files."""
import subprocess
import sys

import h5py
import numpy as np
import pytest

import leachsim
from leachsim.cli import main

from conftest import CONFIGS

SCENARIO = CONFIGS / "bof_slag_vanadium_h2so4.toml"


def run_cli(*args):
    """The installed command in a subprocess (exit status, stdout, stderr).  It runs outside
    the repository, where the source tree cannot shadow the installed package."""
    p = subprocess.run([sys.executable, "-m", "leachsim", *map(str, args)], cwd="/",
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def test_run_writes_results_and_summary(tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert main(["run", str(SCENARIO), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "V " in text and "H2SO4" in text and "mass balance" in text
    res = leachsim.load(out)
    assert res.kind == "leach-batch"
    assert res.select("extraction", element="V")[-1] == pytest.approx(0.953, abs=0.05)
    assert res.units("leachate_concentration") == "mol/m^3"
    with h5py.File(out) as f:
        assert f["data/extraction"].attrs["units"] == "1"
        assert "numba" in f["provenance"].attrs
        assert "schema_version" in f["config"].attrs["raw"]
    assert not list(tmp_path.glob("*.part"))


def test_show_and_check(tmp_path, capsys):
    out = tmp_path / "r.h5"
    main(["run", str(SCENARIO), "-o", str(out), "-q"])
    assert capsys.readouterr().out == ""
    assert main(["show", str(out)]) == 0
    text = capsys.readouterr().out
    assert "extraction" in text and "[mol/m^3]" in text and "leachsim" in text
    assert main(["check", str(SCENARIO)]) == 0
    assert "OK" in capsys.readouterr().out


def test_bad_scenario_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.read_text().replace('temperature = "90 degC"',
                                                'temperature = "-90 kg"')
                   .replace("duration =", "duraton ="))
    for cmd in ("check", "run"):
        code, out, err = run_cli(cmd, bad, *(["-o", tmp_path / "x.h5"] if cmd == "run" else []))
        assert code == 2
        assert "Traceback" not in err
        assert "leach.temperature" in err and "leach.duraton" in err
        assert "did you mean 'duration'" in err
    assert not (tmp_path / "x.h5").exists()


def test_missing_and_foreign_files_exit_2(tmp_path):
    code, _, err = run_cli("run", tmp_path / "nope.toml")
    assert code == 2 and "cannot read scenario file" in err and "Traceback" not in err
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5")
    code, _, err = run_cli("show", junk)
    assert code == 2 and "Traceback" not in err


def test_failed_save_leaves_no_file(tmp_path, monkeypatch):
    """An error while writing removes the partial file: results are complete or absent."""
    res = leachsim.run(leachsim.load_scenario(SCENARIO))
    out = tmp_path / "r.h5"

    class Boom(Exception):
        pass

    real = h5py.Group.create_dataset
    calls = {"n": 0}

    def failing(self, *a, **k):
        calls["n"] += 1
        if calls["n"] > 3:
            raise Boom()
        return real(self, *a, **k)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing)
    with pytest.raises(Boom):
        leachsim.save(res, out)
    assert list(tmp_path.iterdir()) == []


def test_results_round_trip(tmp_path):
    res = leachsim.run(leachsim.load_scenario(SCENARIO))
    back = leachsim.load(leachsim.save(res, tmp_path / "r.h5"))
    for name, var in res.variables.items():
        np.testing.assert_array_equal(back[name], var.values)
        assert back.units(name) == var.units
    assert back.coords == res.coords
    assert back.config["raw"]["meta"]["name"] == "bof_slag_vanadium_h2so4"


def test_column_scenario_through_the_cli(tmp_path, capsys):
    """A column-only scenario: run prints the breakthrough table, plot writes the figures."""
    out = tmp_path / "col.h5"
    assert main(["run", str(CONFIGS / "column_cobalt_tea_leaves.toml"), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "BV@0.05" in text and "closed to 1e-6" in text
    assert main(["plot", str(out), "-o", str(tmp_path / "figs"), "--format", "png"]) == 0
    pngs = sorted(p.name for p in (tmp_path / "figs").glob("*.png"))
    assert pngs == ["column_cobalt_tea_leaves_breakthrough_bv.png",
                    "column_cobalt_tea_leaves_breakthrough_time.png",
                    "column_cobalt_tea_leaves_profiles.png"]
    assert all((tmp_path / "figs" / p).stat().st_size > 10_000 for p in pngs)


def test_compilation_is_announced_and_timed(capsys):
    """A cache miss is announced on stderr once, however many kernels compile; the report
    counts the kernels called from outside compiled code; a call of a compiled kernel says
    nothing."""
    from numba import njit
    from numba.core import event

    from leachsim.cli import CompileNotice

    @njit
    def inner(x):
        return x + 1.0

    @njit
    def outer(x):
        return inner(x) * 2.0

    @njit
    def other(x):
        return x - 1.0

    notice = CompileNotice(sys.stderr)
    with event.install_listener("numba:compile", notice):
        assert outer(1.0) == 4.0 and other(1.0) == 0.0
        first = capsys.readouterr().err
        notice.report()
        report = capsys.readouterr().err
        assert outer(2.0) == 6.0 and other(3.0) == 2.0
        again = capsys.readouterr().err
    assert first.count("compiling numba kernels") == 1 and first.count("\n") == 1
    assert report.startswith("leachsim: compiled 2 numba kernels in ")
    assert again == ""
