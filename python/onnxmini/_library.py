"""Find and load libonnxmini.so and declare its functions for ctypes.

The structures and prototypes below mirror include/onnxmini.h; a change
there needs the same change here.
"""

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path

from ._errors import OnnxMiniError, Status

LIBRARY_FILE = "libonnxmini.so"
# The library's major version this package is written for; structure
# layouts may change between major versions.
SUPPORTED_MAJOR_VERSION = 0
# onnxmini_session_options_init() writes the library's own struct size. A
# newer library may have a larger struct, so the options live in a buffer
# with room to spare.
OPTIONS_BUFFER_SIZE = 256

# Status values are C enums, passed as int.
c_status = ctypes.c_int
c_dtype = ctypes.c_int


class ErrorStruct(ctypes.Structure):
    """onnxmini_error."""

    _fields_ = [
        ("status", c_status),
        ("message", ctypes.c_char * 512),
    ]


class ValueInfoStruct(ctypes.Structure):
    """onnxmini_value_info."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", c_dtype),
        ("rank", ctypes.c_int),
        ("dims", ctypes.POINTER(ctypes.c_int64)),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
    ]


class SessionOptionsStruct(ctypes.Structure):
    """onnxmini_session_options."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("isa", ctypes.c_char_p),
        ("threads", ctypes.c_int),
        ("graph_rewrites", ctypes.c_int),
    ]


class TensorStruct(ctypes.Structure):
    """onnxmini_tensor."""

    _fields_ = [
        ("dtype", c_dtype),
        ("rank", ctypes.c_size_t),
        ("dims", ctypes.POINTER(ctypes.c_int64)),
        ("data", ctypes.c_void_p),
        ("bytes", ctypes.c_size_t),
    ]


model_p = ctypes.c_void_p
session_p = ctypes.c_void_p

# name: (result type, argument types)
PROTOTYPES = {
    "onnxmini_version": (ctypes.c_char_p, []),
    "onnxmini_version_number": (ctypes.c_uint, []),
    "onnxmini_status_string": (ctypes.c_char_p, [c_status]),
    "onnxmini_model_load_file": (
        c_status,
        [ctypes.c_char_p, ctypes.POINTER(model_p), ctypes.POINTER(ErrorStruct)],
    ),
    "onnxmini_model_load_memory": (
        c_status,
        [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(model_p),
         ctypes.POINTER(ErrorStruct)],
    ),
    "onnxmini_model_free": (None, [model_p]),
    "onnxmini_model_input_count": (ctypes.c_size_t, [model_p]),
    "onnxmini_model_output_count": (ctypes.c_size_t, [model_p]),
    "onnxmini_model_input_info": (
        c_status, [model_p, ctypes.c_size_t, ctypes.POINTER(ValueInfoStruct)]
    ),
    "onnxmini_model_output_info": (
        c_status, [model_p, ctypes.c_size_t, ctypes.POINTER(ValueInfoStruct)]
    ),
    "onnxmini_session_options_init": (None, [ctypes.c_void_p]),
    "onnxmini_session_create": (
        c_status,
        [model_p, ctypes.c_void_p, ctypes.POINTER(session_p),
         ctypes.POINTER(ErrorStruct)],
    ),
    "onnxmini_session_destroy": (None, [session_p]),
    "onnxmini_session_message": (ctypes.c_char_p, [session_p]),
    "onnxmini_session_isa": (ctypes.c_char_p, [session_p]),
    "onnxmini_isa_count": (ctypes.c_size_t, []),
    "onnxmini_isa_name": (ctypes.c_char_p, [ctypes.c_size_t]),
    "onnxmini_session_set_input": (
        c_status,
        [session_p, ctypes.c_char_p, c_dtype, ctypes.POINTER(ctypes.c_int64),
         ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t],
    ),
    "onnxmini_session_run": (c_status, [session_p]),
    "onnxmini_session_output": (
        c_status, [session_p, ctypes.c_size_t, ctypes.POINTER(TensorStruct)]
    ),
}

_lock = threading.Lock()
_library = None


def _describe_candidates():
    """Return the candidate library paths as (description, path) pairs.

    The first is the file next to this package, a copy placed there by hand
    or installed with it. The second, only when the package is in a source
    checkout, is the build tree: python/onnxmini/ is two levels below the
    repository root, whose Makefile builds build/lib/libonnxmini.so.
    """
    package_dir = Path(__file__).resolve().parent
    candidates = [("next to the package", package_dir / LIBRARY_FILE)]
    checkout = package_dir.parent.parent
    if (checkout / "include" / "onnxmini.h").is_file():
        candidates.append(("in the checkout's build tree",
                           checkout / "build" / "lib" / LIBRARY_FILE))
    return candidates


def _not_found(attempts):
    lines = ["%s not found. Tried:" % LIBRARY_FILE]
    lines.extend("  " + attempt for attempt in attempts)
    lines.append(
        "Build it with 'make lib' in the libonnxmini source tree, install it "
        "with 'make install' and run 'ldconfig', or set ONNXMINI_LIBRARY to "
        "the path of libonnxmini.so."
    )
    return OnnxMiniError("\n".join(lines), Status.IO)


def _open(path):
    return ctypes.CDLL(os.fspath(path))


def _find_and_open():
    """Load the library from the first place that has it.

    ONNXMINI_LIBRARY, when set, is the only place tried: a wrong value
    should fail loudly, not fall back to another copy of the library.
    """
    override = os.environ.get("ONNXMINI_LIBRARY")
    if override:
        if not os.path.isfile(override):
            raise OnnxMiniError(
                "ONNXMINI_LIBRARY is set to '%s', but that file does not "
                "exist. Point it at libonnxmini.so (make builds it as "
                "build/lib/libonnxmini.so) or unset it to search the usual "
                "places." % override,
                Status.IO,
            )
        try:
            return _open(override), override
        except OSError as error:
            raise OnnxMiniError(
                "ONNXMINI_LIBRARY is set to '%s', but loading it failed: %s"
                % (override, error),
                Status.IO,
            ) from error

    attempts = ["ONNXMINI_LIBRARY: not set"]
    for description, path in _describe_candidates():
        if not path.is_file():
            attempts.append("%s (%s): not found" % (path, description))
            continue
        try:
            return _open(path), str(path)
        except OSError as error:
            attempts.append("%s (%s): %s" % (path, description, error))

    system_name = ctypes.util.find_library("onnxmini")
    if system_name is None:
        attempts.append("the system library path "
                        "(ctypes.util.find_library('onnxmini')): not found")
        raise _not_found(attempts)
    try:
        return _open(system_name), system_name
    except OSError as error:
        attempts.append("%s (the system library path): %s" % (system_name, error))
        raise _not_found(attempts) from error


def _declare(library):
    for name, (result, arguments) in PROTOTYPES.items():
        try:
            function = getattr(library, name)
        except AttributeError as error:
            raise OnnxMiniError(
                "the loaded libonnxmini has no function %s; it is older than "
                "this Python package" % name,
                Status.UNSUPPORTED,
            ) from error
        function.restype = result
        function.argtypes = arguments


def _check_version(library, path):
    number = library.onnxmini_version_number()
    major = number // 10000
    if major != SUPPORTED_MAJOR_VERSION:
        raise OnnxMiniError(
            "%s is libonnxmini %s, but this Python package needs major "
            "version %d" % (path, library.onnxmini_version().decode(),
                            SUPPORTED_MAJOR_VERSION),
            Status.UNSUPPORTED,
        )


def load():
    """Return the loaded library, loading it on the first call."""
    global _library
    with _lock:
        if _library is None:
            library, path = _find_and_open()
            _declare(library)
            _check_version(library, path)
            library.onnxmini_path = path
            _library = library
        return _library


def library_path():
    """Return the path or name the library was loaded from."""
    return load().onnxmini_path


def decode(text):
    """Decode a C string from the library, which uses UTF-8 for names."""
    if text is None:
        return ""
    return text.decode("utf-8", errors="replace")
