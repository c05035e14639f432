"""onnxmini: run ONNX models with libonnxmini from Python.

The API follows ONNX Runtime's Python package, so that a script written for
it runs after `import onnxmini as ort`:

    import numpy as np
    import onnxmini

    session = onnxmini.InferenceSession("mnist-12.onnx")
    name = session.get_inputs()[0].name
    logits = session.run(None, {name: np.zeros((1, 1, 28, 28), np.float32)})[0]

The package is pure Python over ctypes. It loads libonnxmini.so from
ONNXMINI_LIBRARY, from this package's folder, from the build tree of a
source checkout, or from the system library path, in that order.
"""

from . import _library
from ._errors import OnnxMiniError, Status
from ._session import CPU_PROVIDER, InferenceSession, NodeArg, SessionOptions
from ._version import __version__

# Tracebacks and reprs show the public names.
for _public in (OnnxMiniError, Status, InferenceSession, NodeArg, SessionOptions):
    _public.__module__ = __name__
del _public

__all__ = [
    "InferenceSession",
    "NodeArg",
    "OnnxMiniError",
    "SessionOptions",
    "Status",
    "__version__",
    "available_isas",
    "get_available_providers",
    "get_device",
    "library_path",
    "library_version",
]


def get_available_providers():
    """Return ["CPUExecutionProvider"], the only execution provider."""
    return [CPU_PROVIDER]


def get_device():
    """Return "CPU", the only device, as onnxruntime.get_device() names it."""
    return "CPU"


def library_version():
    """Return the version of the loaded libonnxmini, such as "0.1.0"."""
    return _library.decode(_library.load().onnxmini_version())


def library_path():
    """Return the path (or, from the system search, the name) of the loaded libonnxmini."""
    return _library.library_path()


def available_isas():
    """Return the kernel instruction sets this library and CPU run, fastest first."""
    library = _library.load()
    return [_library.decode(library.onnxmini_isa_name(index))
            for index in range(library.onnxmini_isa_count())]
