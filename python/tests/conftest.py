"""Shared setup for the onnxmini tests.

The tests import the package from this checkout (python/onnxmini), not a
copy installed elsewhere. The library comes from ONNXMINI_LIBRARY, which
`make check-python` sets, or from the checkout's build tree.

Tests that need a data file or tool skip when it is missing, except under
CI=true, where they fail: a CI run must not pass by skipping.
"""

import os
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPOSITORY = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))


def in_ci():
    return os.environ.get("CI") == "true"


def require(condition, reason):
    """Skip the test when condition is false, or fail it under CI=true."""
    if condition:
        return
    if in_ci():
        pytest.fail("%s (CI=true, so this is a failure, not a skip)" % reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir():
    """The MNIST data directory named by ONNXMINI_DATA_DIR."""
    value = os.environ.get("ONNXMINI_DATA_DIR")
    require(value, "ONNXMINI_DATA_DIR is not set; set it to the directory "
            "with the MNIST models and test set")
    path = Path(value)
    if not path.is_absolute():
        # The Makefile and tools/fetch-data.sh read a relative value from
        # the repository root.
        path = REPOSITORY / path
    require(path.is_dir(), "data directory '%s' not found" % path)
    return path


@pytest.fixture(scope="session")
def data_file(data_dir):
    """Return a function that gives the path of a file in the data directory."""
    def find(name):
        path = data_dir / name
        require(path.exists(), "data file '%s' not found" % path)
        return path
    return find


@pytest.fixture(scope="session")
def build_dir():
    """The build directory: ONNXMINI_BUILD_DIR, else build/ in the checkout."""
    value = os.environ.get("ONNXMINI_BUILD_DIR")
    path = Path(value) if value else REPOSITORY / "build"
    if not path.is_absolute():
        path = REPOSITORY / path
    return path


@pytest.fixture(scope="session")
def onnx_helper():
    """onnx.helper (Debian package python3-onnx), for building test models."""
    try:
        import onnx.helper
    except ImportError:
        require(False, "the onnx package is not installed (Debian: python3-onnx)")
    return onnx.helper
