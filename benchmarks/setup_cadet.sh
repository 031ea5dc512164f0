#!/usr/bin/env bash
# Install CADET-Core and CADET-Python for benchmarks/vs_cadet.py, apart from leachsim's own install.
#
#   bash benchmarks/setup_cadet.sh            # uses `python` on PATH (the leachsim venv)
#   PYTHON=/path/to/python bash benchmarks/setup_cadet.sh
#   CADET_DIR=/some/dir bash benchmarks/setup_cadet.sh   # default: benchmarks/.cadet
#
# Everything goes into one plain folder (pip --target), which vs_cadet.py puts at the front of
# sys.path; nothing is written into the environment that runs leachsim. The folder is ignored
# by git through benchmarks/.gitignore.
#
# cadet-core on PyPI ships wheels tagged cp312+ only, but a wheel holds a self-contained
# cadet-cli executable and libcadet.so (with its own HDF5, SUNDIALS, SuperLU, UMFPACK and
# OpenBLAS under cadet_core.libs/), so it runs under any Python, 3.11 included: we ask pip for
# the cp312 manylinux_2_28 wheel explicitly. cadet-python and its small pure-Python deps
# (addict, filelock, and packaging, which it imports without declaring) go into the same
# folder; numpy and h5py are taken from the running environment (leachsim needs them anyway).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python}"
DEST="${CADET_DIR:-$here/.cadet}"
CADET_CORE_VERSION="${CADET_CORE_VERSION:-5.1.1}"
CADET_PYTHON_VERSION="${CADET_PYTHON_VERSION:-1.3.0}"

"$PY" -c "import numpy, h5py" || {
    echo "setup_cadet.sh: $PY needs numpy and h5py (install leachsim first)" >&2; exit 1; }

mkdir -p "$DEST"
"$PY" -m pip install --quiet --upgrade --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp --abi cp312 --platform manylinux_2_28_x86_64 \
    --target "$DEST" \
    "cadet-core==$CADET_CORE_VERSION" "cadet-python==$CADET_PYTHON_VERSION" \
    addict filelock packaging

core="$DEST/cadet_core"
echo "== cadet-cli --version"
"$core/bin/cadet-cli" --version | sed -n 1,2p

echo "== in-process run (libcadet.so through cadet-python, use_dll=True)"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH="$DEST${PYTHONPATH:+:$PYTHONPATH}" \
    "$PY" "$here/vs_cadet.py" --selftest
echo "CADET ready in $DEST (install path for cadet-python: $core)"
