"""The same sweep on a local Dask cluster (two worker processes) gives the same file as the
local run; without Dask the error says how to install it."""
import sys

import numpy as np
import pytest

from leachsim import sweep
from leachsim.config import ConfigError

import sweep_scenarios as ss


def test_dask_cluster_gives_the_local_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    sw = sweep.load_sweep(ss.write(tmp_path, "col.toml", ss.COLUMN_LHS, samples=12))
    local = tmp_path / "local.h5"
    sweep.run_sweep(sw, local, workers=1, chunk_size=3, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = tmp_path / "dask.h5"
        summary = sweep.run_sweep(sw, on_dask, scheduler=cluster.scheduler_address,
                                  chunk_size=3, progress=False)
    assert (summary.done, summary.complete) == (12, True)
    a, b = sweep.read_sweep(local), sweep.read_sweep(on_dask)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    np.testing.assert_array_equal(a.curves["outlet_relative"].values,
                                  b.curves["outlet_relative"].values)
    assert np.isfinite(a.output("bv_0.5_Co")).sum() >= 10


def test_without_dask_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    sw = sweep.load_sweep(ss.write(tmp_path, "col.toml", ss.COLUMN_LHS, samples=2))
    with pytest.raises(ConfigError, match=r'pip install "leachsim\[dask\]"'):
        sweep.run_sweep(sw, tmp_path / "x.h5", scheduler="tcp://127.0.0.1:1", progress=False)
    assert not (tmp_path / "x.h5").exists()
