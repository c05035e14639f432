"""ONNX element types, their NumPy equivalents and the conversion of feeds."""

import numpy as np

from ._errors import OnnxMiniError, Status

# ONNX TensorProto.DataType code: (ONNX name, NumPy dtype or None). The
# names are those ONNX Runtime prints inside "tensor(...)".
ELEMENT_TYPES = {
    1: ("float", np.dtype(np.float32)),
    2: ("uint8", np.dtype(np.uint8)),
    3: ("int8", np.dtype(np.int8)),
    4: ("uint16", np.dtype(np.uint16)),
    5: ("int16", np.dtype(np.int16)),
    6: ("int32", np.dtype(np.int32)),
    7: ("int64", np.dtype(np.int64)),
    8: ("string", None),
    9: ("bool", np.dtype(np.bool_)),
    10: ("float16", np.dtype(np.float16)),
    11: ("double", np.dtype(np.float64)),
    12: ("uint32", np.dtype(np.uint32)),
    13: ("uint64", np.dtype(np.uint64)),
    14: ("complex64", np.dtype(np.complex64)),
    15: ("complex128", np.dtype(np.complex128)),
    16: ("bfloat16", None),
}

# The same table from the NumPy side, native byte order.
CODE_OF_NUMPY = {
    numpy_dtype: code
    for code, (_, numpy_dtype) in ELEMENT_TYPES.items()
    if numpy_dtype is not None
}

# Python values that carry no element type of their own, so a feed made of
# them takes the model's type. ONNX Runtime's Python binding does the same
# for lists (onnxruntime_pybind_mlvalue.cc); tuples and scalars are added
# here.
UNTYPED_VALUES = (list, tuple, bool, int, float, complex)


def type_string(code):
    """Return ONNX Runtime's spelling of a tensor type, such as "tensor(float)"."""
    name = ELEMENT_TYPES.get(code, ("unknown(%d)" % code, None))[0]
    return "tensor(%s)" % name


def numpy_dtype_of(code):
    """Return the NumPy dtype for an ONNX code, or None when NumPy has none."""
    return ELEMENT_TYPES.get(code, (None, None))[1]


def describe_numpy(dtype):
    """Return the ONNX Runtime spelling for a NumPy dtype, or its NumPy name."""
    code = CODE_OF_NUMPY.get(dtype.newbyteorder("="))
    if code is None:
        return "numpy %s" % dtype
    return type_string(code)


def _type_error(name, given, expected_code, hint):
    return OnnxMiniError(
        "input '%s': element type %s given, the model declares %s%s"
        % (name, given, type_string(expected_code), hint),
        Status.SHAPE,
    )


def _convert_untyped(name, value, expected, expected_code):
    """Convert a list or scalar to the expected dtype, or raise.

    The conversion must keep every value: integers must fit the target
    type, and floats convert only to float or complex types (where rounding
    to the narrower precision is accepted, as np.float32(0.1) does, but an
    overflow to infinity is not).
    """
    try:
        given = np.asarray(value)
    except ValueError as error:
        raise OnnxMiniError(
            "input '%s': cannot make an array from the given %s: %s"
            % (name, type(value).__name__, error),
            Status.INVALID_ARGUMENT,
        ) from error

    source_kind = given.dtype.kind
    target_kind = expected.kind
    allowed = {
        "b": "b",
        "i": "biu",
        "u": "biu",
        "f": "biuf",
        "c": "biufc",
    }
    if source_kind not in allowed.get(target_kind, ""):
        raise _type_error(
            name, "%s (numpy %s)" % (type(value).__name__, given.dtype),
            expected_code, "; the values cannot be converted without loss")

    with np.errstate(over="ignore", invalid="ignore"):
        converted = given.astype(expected)
    if target_kind in "iu":
        exact = np.array_equal(converted.astype(given.dtype), given)
    elif target_kind in "fc":
        exact = bool(np.all(np.isfinite(converted) | ~np.isfinite(given)))
    else:
        exact = True
    if not exact:
        raise _type_error(
            name, "%s (numpy %s)" % (type(value).__name__, given.dtype),
            expected_code,
            "; some values are out of the range of %s" % type_string(expected_code))
    return converted


def prepare_feed(name, value, expected_code):
    """Return a C-contiguous array for input `name`, ready to lend to C.

    expected_code is the declared ONNX element type, or None when the name
    is not a declared input (an initializer that the feed overrides): then
    the array's own type is sent and the library checks it.

    A NumPy array (or any object with its own dtype) must already have the
    declared type, as ONNX Runtime requires. Only its byte order is fixed
    here. Python lists and scalars are converted when no value is lost.
    """
    expected = None if expected_code is None else numpy_dtype_of(expected_code)
    if expected_code is not None and expected is None:
        raise OnnxMiniError(
            "input '%s': the model declares %s, which this package cannot "
            "feed from NumPy" % (name, type_string(expected_code)),
            Status.UNSUPPORTED,
        )

    if isinstance(value, UNTYPED_VALUES) and expected is not None:
        array = _convert_untyped(name, value, expected, expected_code)
    else:
        array = np.asarray(value)
        native = array.dtype.newbyteorder("=")
        if expected is not None and native != expected:
            hint = "; convert it first, for example with .astype(\"%s\")" % expected.name
            raise _type_error(name, describe_numpy(array.dtype), expected_code, hint)
        if native not in CODE_OF_NUMPY:
            raise OnnxMiniError(
                "input '%s': numpy %s has no ONNX element type"
                % (name, array.dtype),
                Status.UNSUPPORTED,
            )
        if array.dtype != native:
            array = array.astype(native)

    # The library reads the buffer as dense, aligned, row-major data, so
    # views with other strides or offsets are copied into that layout.
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
    if not (array.flags.c_contiguous and array.flags.aligned):
        array = array.copy(order="C")
    return array
