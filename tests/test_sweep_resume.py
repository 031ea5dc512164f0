"""A sweep killed (SIGKILL) or interrupted (SIGINT) partway leaves a readable file holding
the finished cases; ``leachsim sweep --resume`` completes it to the file an uninterrupted
run gives."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from leachsim import sweep

import sweep_scenarios as ss

CHUNK = 2  # cases per task, the same in every run so that the batches are the same
SAMPLES = 48


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    cfg = ss.write(folder, "col.toml", ss.COLUMN_LHS, samples=SAMPLES)
    out = folder / "reference.h5"
    sweep.run_sweep(sweep.load_sweep(cfg), out, workers=1, chunk_size=CHUNK, progress=False)
    return cfg, sweep.read_sweep(out)


def start(cfg: Path, out: Path) -> subprocess.Popen:
    """The command in its own session (so that its worker processes can be found)."""
    return subprocess.Popen([sys.executable, "-m", "leachsim", "sweep", str(cfg), "-o", str(out),
                             "--workers", "2", "--chunk-size", str(CHUNK)], cwd="/",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finished_rows(out: Path) -> int:
    try:
        with h5py.File(out, "r") as f:
            return int(np.sum(f["status"][()] != 0))
    except (OSError, KeyError):  # not created yet, or the writer holds the lock
        return 0


def wait_for_rows(proc, out: Path, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while finished_rows(out) < at_least:
        assert proc.poll() is None, f"the sweep ended before it was stopped: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no rows appeared"
        time.sleep(0.02)


def session_processes(sid: int) -> list[int]:
    """Live processes of a session (from /proc: field 6 of stat is the session id)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def check_partial(out: Path, ref) -> int:
    """The stopped file opens, is marked incomplete, and its finished rows equal the
    reference's; returns how many there are."""
    part = sweep.read_sweep(out)
    assert not part.complete
    done = part.status != 0
    assert 0 < done.sum() < SAMPLES
    np.testing.assert_array_equal(part.status[done], ref.status[done])
    np.testing.assert_array_equal(part.outputs[done], ref.outputs[done])
    np.testing.assert_array_equal(part.curves["outlet_relative"].values[done],
                                  ref.curves["outlet_relative"].values[done])
    assert np.isnan(part.outputs[~done]).all()
    return int(done.sum())


def check_equal(out: Path, ref) -> None:
    final = sweep.read_sweep(out)
    assert final.complete and (final.status == 1).all()
    np.testing.assert_array_equal(final.numbers, ref.numbers)
    assert final.values == ref.values
    np.testing.assert_array_equal(final.outputs, ref.outputs)
    for name in ref.curves:
        np.testing.assert_array_equal(final.curves[name].values, ref.curves[name].values)
    assert final.messages == ref.messages


def resume(out: Path) -> str:
    p = subprocess.run([sys.executable, "-m", "leachsim", "sweep", "--resume", str(out),
                        "--workers", "1", "--chunk-size", str(CHUNK)], cwd="/",
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_killed_sweep_resumes_to_the_same_file(reference, tmp_path):
    cfg, ref = reference
    out = tmp_path / "killed.h5"
    proc = start(cfg, out)
    try:
        wait_for_rows(proc, out, 4)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10  # its pool workers notice and leave
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session_processes(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    n = check_partial(out, ref)
    text = resume(out)
    assert f"this run: {SAMPLES - n} cases" in text
    check_equal(out, ref)


def test_interrupted_sweep_resumes_to_the_same_file(reference, tmp_path):
    cfg, ref = reference
    out = tmp_path / "interrupted.h5"
    proc = start(cfg, out)
    try:
        wait_for_rows(proc, out, 4)
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = proc.communicate(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 130
    assert "--resume" in err and "Traceback" not in err
    check_partial(out, ref)
    # resuming with the scenario file checks that it is the same sweep
    p = subprocess.run([sys.executable, "-m", "leachsim", "sweep", str(cfg), "-o", str(out),
                        "--resume", "--workers", "1", "--chunk-size", str(CHUNK)], cwd="/",
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    check_equal(out, ref)
    # a different sweep cannot resume it
    p = subprocess.run([sys.executable, "-m", "leachsim", "sweep", str(cfg), "-o", str(out),
                        "--resume", "--seed", "4"], cwd="/", capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 2 and "another scenario or sweep" in p.stderr
