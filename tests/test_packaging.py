"""The install layout: kernels/ only as leachsim.kernels, numba options from one module."""
import ast
import importlib.util
import subprocess
import sys
from importlib import metadata

import leachsim
import leachsim.kernels

from conftest import REPO


def test_kernels_is_a_subpackage():
    assert leachsim.kernels.__name__ == "leachsim.kernels"
    assert not (REPO / "leachsim" / "kernels").exists()


def test_no_top_level_kernels_module():
    code = "import importlib.util, sys; print(importlib.util.find_spec('kernels'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd="/", check=True).stdout.strip()
    assert out == "None"
    top = metadata.distribution("leachsim").read_text("top_level.txt")
    if top is not None:
        assert top.split() == ["leachsim"]


def test_kernels_refuse_other_names():
    spec = importlib.util.spec_from_file_location("kernels", REPO / "kernels" / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        assert "leachsim.kernels" in str(exc)
    else:
        raise AssertionError("kernels/__init__.py imported under another name")


def test_every_njit_uses_central_options():
    """Every @njit in kernels/ passes **JIT_OPTS, **PARALLEL_OPTS, **INLINE_OPTS or **BORROW_OPTS."""
    for path in (REPO / "kernels").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    name = getattr(getattr(dec, "func", dec), "id", None)
                    if name in ("njit", "jit"):
                        assert isinstance(dec, ast.Call), f"{path.name}:{node.name} bare @{name}"
                        opts = [k.value.id for k in dec.keywords if k.arg is None]
                        assert opts and opts[0] in ("JIT_OPTS", "PARALLEL_OPTS", "INLINE_OPTS", "BORROW_OPTS"), (
                            f"{path.name}:{node.name} does not use the central numba options")
