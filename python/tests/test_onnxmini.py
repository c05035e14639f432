"""Tests of the onnxmini Python package against the real libonnxmini.

Small models are built with onnx.helper; the MNIST tests read the model
zoo's models and test set from ONNXMINI_DATA_DIR.
"""

import gc
import gzip
import json
import os
import re
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import onnxmini
from conftest import PYTHON_DIR, REPOSITORY, require

# ONNX TensorProto.DataType codes, ONNX Runtime's type strings and NumPy
# types, written out here independently of the package's own table.
DTYPE_CASES = [
    (1, "tensor(float)", np.float32),
    (2, "tensor(uint8)", np.uint8),
    (3, "tensor(int8)", np.int8),
    (4, "tensor(uint16)", np.uint16),
    (5, "tensor(int16)", np.int16),
    (6, "tensor(int32)", np.int32),
    (7, "tensor(int64)", np.int64),
    (9, "tensor(bool)", np.bool_),
    (10, "tensor(float16)", np.float16),
    (11, "tensor(double)", np.float64),
    (12, "tensor(uint32)", np.uint32),
    (13, "tensor(uint64)", np.uint64),
]

MNIST_TEST_IMAGES = 10000
# Test images that the model zoo's mnist-8 and mnist-12 classify correctly
# with pixel / 255 input; ONNX Runtime gets the same count.
MNIST_EXPECTED_CORRECT = 9890


# ---------------------------------------------------------------- helpers

def make_model(helper, nodes, inputs, outputs, initializers=(), ir_version=None):
    """Return the bytes of a one-graph model with the default ONNX opset 17."""
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if ir_version is not None:
        model.ir_version = ir_version
    return model.SerializeToString()


def relu_model(helper, shape=("N", 3, 4)):
    """Y = Relu(X) for a float X of the given shape."""
    from onnx import TensorProto
    return make_model(
        helper,
        [helper.make_node("Relu", ["X"], ["Y"])],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, list(shape))],
    )


def two_output_model(helper):
    """Relu = Relu(X) and Sum = X + X, declared in that order."""
    from onnx import TensorProto
    return make_model(
        helper,
        [helper.make_node("Relu", ["X"], ["Relu"]),
         helper.make_node("Add", ["X", "X"], ["Sum"])],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("Relu", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("Sum", TensorProto.FLOAT, [2, 3])],
    )


def identity_model(helper, code, shape):
    return make_model(
        helper,
        [helper.make_node("Identity", ["X"], ["Y"])],
        [helper.make_tensor_value_info("X", code, list(shape))],
        [helper.make_tensor_value_info("Y", code, list(shape))],
    )


def read_idx(path):
    """Read a gzipped IDX file of unsigned bytes."""
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data[4 + 4 * rank:], dtype=np.uint8).reshape(shape)


def read_pgm(path):
    """Read a binary (P5) PGM with maxval 255, as the sample digits are stored."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5", path
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    assert maxval == 255, path
    pixels = fields[4]
    assert len(pixels) == width * height, path
    return np.frombuffer(pixels, dtype=np.uint8).reshape(height, width)


def unit_input(pixels):
    """Scale 28x28 pixels as the model card prescribes: float32 [1, 1, 28, 28], pixel / 255."""
    return (pixels.astype(np.float32) / 255.0).reshape(1, 1, 28, 28)


def softmax(logits):
    shifted = np.asarray(logits, dtype=np.float64) - np.max(logits)
    exps = np.exp(shifted)
    return exps / exps.sum()


def run_python(code, env_changes, cwd=None):
    """Run code in a fresh interpreter with the checkout's package importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PYTHON_DIR)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- module

def test_version_matches_header():
    header = (REPOSITORY / "include" / "onnxmini.h").read_text()
    version = re.search(r'#define ONNXMINI_VERSION_STRING "([^"]+)"', header).group(1)
    assert onnxmini.library_version() == version
    assert onnxmini.__version__ == version


def test_providers_and_device():
    assert onnxmini.get_available_providers() == ["CPUExecutionProvider"]
    assert onnxmini.get_device() == "CPU"


def test_error_is_runtime_error():
    assert issubclass(onnxmini.OnnxMiniError, RuntimeError)
    error = onnxmini.OnnxMiniError("input 'X': wrong", onnxmini.Status.SHAPE)
    assert error.message == "input 'X': wrong"
    assert error.status == onnxmini.Status.SHAPE
    assert error.status_name == "ONNXMINI_ERR_SHAPE"
    assert "input 'X': wrong" in str(error)
    assert "ONNXMINI_ERR_SHAPE" in str(error)


# ---------------------------------------------------------------- metadata

def test_metadata_symbolic_and_unknown_dims(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, ("N", 3, None)))
    inputs = session.get_inputs()
    outputs = session.get_outputs()
    assert [arg.name for arg in inputs] == ["X"]
    assert inputs[0].shape == ["N", 3, None]
    assert inputs[0].type == "tensor(float)"
    assert [arg.name for arg in outputs] == ["Y"]
    assert outputs[0].shape == ["N", 3, None]
    assert outputs[0].type == "tensor(float)"


def test_metadata_without_declared_shape(onnx_helper):
    from onnx import TensorProto
    model = make_model(
        onnx_helper, [onnx_helper.make_node("Relu", ["X"], ["Y"])],
        [onnx_helper.make_tensor_value_info("X", TensorProto.FLOAT, None)],
        [onnx_helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    session = onnxmini.InferenceSession(model)
    # ONNX Runtime reports an unknown rank as an empty shape.
    assert session.get_inputs()[0].shape == []
    result = session.run(None, {"X": np.array([-1.0, 2.0], np.float32)})[0]
    np.testing.assert_array_equal(result, [0.0, 2.0])


@pytest.mark.parametrize("code,type_name,numpy_type", DTYPE_CASES)
def test_type_strings_and_round_trip(onnx_helper, code, type_name, numpy_type):
    session = onnxmini.InferenceSession(identity_model(onnx_helper, code, [2, 3]))
    assert session.get_inputs()[0].type == type_name
    assert session.get_outputs()[0].type == type_name
    given = (np.arange(6).reshape(2, 3) % 2).astype(numpy_type)
    result = session.run(None, {"X": given})[0]
    assert result.dtype == np.dtype(numpy_type)
    np.testing.assert_array_equal(result, given)


def test_mnist_metadata(data_file):
    session = onnxmini.InferenceSession(str(data_file("mnist-12.onnx")))
    (image,) = session.get_inputs()
    (logits,) = session.get_outputs()
    assert image.name == "Input3"
    assert image.shape == [1, 1, 28, 28]
    assert image.type == "tensor(float)"
    assert logits.name == "Plus214_Output_0"
    assert logits.shape == [1, 10]
    assert logits.type == "tensor(float)"


def test_node_arg_repr(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, ("N", 3)))
    text = repr(session.get_inputs()[0])
    assert text == "NodeArg(name='X', type='tensor(float)', shape=['N', 3])"


# ---------------------------------------------------------------- run

def test_run_all_outputs_in_graph_order(onnx_helper):
    session = onnxmini.InferenceSession(two_output_model(onnx_helper))
    given = np.array([[-1, 2, -3], [4, -5, 6]], np.float32)
    for output_names in (None, []):
        results = session.run(output_names, {"X": given})
        assert isinstance(results, list)
        assert len(results) == 2
        np.testing.assert_array_equal(results[0], np.maximum(given, 0))
        np.testing.assert_array_equal(results[1], given + given)


def test_run_named_outputs_in_requested_order(onnx_helper):
    session = onnxmini.InferenceSession(two_output_model(onnx_helper))
    given = np.array([[-1, 2, -3], [4, -5, 6]], np.float32)
    total, relu = session.run(["Sum", "Relu"], {"X": given})
    np.testing.assert_array_equal(total, given + given)
    np.testing.assert_array_equal(relu, np.maximum(given, 0))
    (only,) = session.run(["Relu"], {"X": given})
    np.testing.assert_array_equal(only, np.maximum(given, 0))


def test_run_returns_owned_copies(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    first = session.run(None, {"X": np.ones((2, 3), np.float32)})[0]
    assert first.flags.owndata
    assert first.flags.writeable
    first[...] = 42.0
    # A second run must neither see nor overwrite the first result.
    second = session.run(None, {"X": np.full((2, 3), 2.0, np.float32)})[0]
    np.testing.assert_array_equal(second, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(first, np.full((2, 3), 42.0))


def test_run_symbolic_batch_sizes(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, ("N", 3, 4)))
    rng = np.random.default_rng(1)
    for batch in (3, 1, 5):
        given = rng.standard_normal((batch, 3, 4)).astype(np.float32)
        (result,) = session.run(None, {"X": given})
        assert result.shape == (batch, 3, 4)
        np.testing.assert_array_equal(result, np.maximum(given, 0))


def test_run_unknown_output_name(onnx_helper):
    session = onnxmini.InferenceSession(two_output_model(onnx_helper))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(["Relu", "Missing"], {"X": np.zeros((2, 3), np.float32)})
    assert caught.value.status == onnxmini.Status.NOT_FOUND
    assert "'Missing'" in caught.value.message
    assert "'Relu', 'Sum'" in caught.value.message


def test_run_output_names_as_string(onnx_helper):
    session = onnxmini.InferenceSession(two_output_model(onnx_helper))
    with pytest.raises(onnxmini.OnnxMiniError, match="single string"):
        session.run("Relu", {"X": np.zeros((2, 3), np.float32)})


def test_run_missing_input(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, {"Z": np.zeros((2, 3), np.float32)})
    assert "['X']" in caught.value.message
    assert "missing" in caught.value.message


def test_run_unknown_input_name(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    feed = {"X": np.zeros((2, 3), np.float32), "Extra": np.zeros(1, np.float32)}
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, feed)
    assert caught.value.status == onnxmini.Status.NOT_FOUND
    assert "'Extra'" in caught.value.message


def test_run_feed_not_a_dict(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError, match="expected a dict"):
        session.run(None, [np.zeros((2, 3), np.float32)])


# ---------------------------------------------------------------- inputs

def test_input_wrong_dtype_names_both_types(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, {"X": np.zeros((2, 3), np.float64)})
    message = caught.value.message
    assert "'X'" in message
    assert "tensor(double)" in message
    assert "tensor(float)" in message
    assert caught.value.status == onnxmini.Status.SHAPE


def test_input_int_array_for_float_rejected(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError, match=r"tensor\(int64\) given"):
        session.run(None, {"X": np.zeros((2, 3), np.int64)})


def test_input_list_converted(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    given = [[-1.5, 2.25, 0.1], [3, -4, 5]]
    (result,) = session.run(None, {"X": given})
    expected = np.maximum(np.array(given, dtype=np.float32), 0)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, expected)


def test_input_scalar_converted(onnx_helper):
    from onnx import TensorProto
    session = onnxmini.InferenceSession(identity_model(onnx_helper, TensorProto.INT64, []))
    (result,) = session.run(None, {"X": 7})
    assert result.shape == ()
    assert result.dtype == np.int64
    assert result == 7


def test_input_list_of_floats_for_int_rejected(onnx_helper):
    from onnx import TensorProto
    session = onnxmini.InferenceSession(identity_model(onnx_helper, TensorProto.INT64, [2]))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, {"X": [1.5, 2.0]})
    assert "'X'" in caught.value.message
    assert "tensor(int64)" in caught.value.message


def test_input_list_out_of_range_rejected(onnx_helper):
    from onnx import TensorProto
    session = onnxmini.InferenceSession(identity_model(onnx_helper, TensorProto.INT8, [2]))
    with pytest.raises(onnxmini.OnnxMiniError, match="out of the range"):
        session.run(None, {"X": [1, 300]})
    (result,) = session.run(None, {"X": [1, -128]})
    np.testing.assert_array_equal(result, np.array([1, -128], np.int8))


def test_input_list_overflowing_float_rejected(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2,)))
    with pytest.raises(onnxmini.OnnxMiniError, match="out of the range"):
        session.run(None, {"X": [1.0, 1e300]})


def test_input_wrong_shape(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, {"X": np.zeros((3, 2), np.float32)})
    assert caught.value.status == onnxmini.Status.SHAPE
    assert "'X'" in caught.value.message
    assert "[3,2]" in caught.value.message


def test_input_wrong_rank(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        session.run(None, {"X": np.zeros((2, 3, 1), np.float32)})
    assert caught.value.status == onnxmini.Status.SHAPE
    assert "rank" in caught.value.message


def test_input_non_contiguous(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, ("N", 3, 4)))
    base = np.arange(-30, 30, dtype=np.float32).reshape(4, 5, 3)
    cases = {
        "transposed": base.transpose(0, 2, 1)[:, :, :4],
        "strided": np.arange(-48, 48, dtype=np.float32).reshape(2, 6, 8)[:, ::2, ::2],
        "fortran": np.asfortranarray(np.arange(-12, 12, dtype=np.float32).reshape(2, 3, 4)),
    }
    for label, given in cases.items():
        assert given.shape[1:] == (3, 4), label
        assert not given.flags.c_contiguous, label
        (result,) = session.run(None, {"X": given})
        np.testing.assert_array_equal(result, np.maximum(given, 0), err_msg=label)


def test_input_big_endian(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2, 3)))
    given = np.array([[-1, 2, -3], [4, -5, 6]], dtype=">f4")
    (result,) = session.run(None, {"X": given})
    np.testing.assert_array_equal(result, [[0, 2, 0], [4, 0, 6]])


def test_input_buffer_kept_alive(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (64, 64)))
    # A temporary array, converted from a list inside run(), is the only
    # reference to its buffer while the library reads it.
    given = np.linspace(-1, 1, 64 * 64).reshape(64, 64)
    (result,) = session.run(None, {"X": given.tolist()})
    np.testing.assert_array_equal(result, np.maximum(given.astype(np.float32), 0))


def test_input_overrides_initializer(onnx_helper):
    from onnx import TensorProto, numpy_helper
    bias = numpy_helper.from_array(np.array([1, 2, 3], np.float32), name="B")
    model = make_model(
        onnx_helper, [onnx_helper.make_node("Add", ["X", "B"], ["Y"])],
        [onnx_helper.make_tensor_value_info("X", TensorProto.FLOAT, [3]),
         onnx_helper.make_tensor_value_info("B", TensorProto.FLOAT, [3])],
        [onnx_helper.make_tensor_value_info("Y", TensorProto.FLOAT, [3])],
        initializers=[bias])
    session = onnxmini.InferenceSession(model)
    assert [arg.name for arg in session.get_inputs()] == ["X"]
    x = np.zeros(3, np.float32)
    np.testing.assert_array_equal(session.run(None, {"X": x})[0], [1, 2, 3])
    override = {"X": x, "B": np.array([10, 20, 30], np.float32)}
    np.testing.assert_array_equal(session.run(None, override)[0], [10, 20, 30])
    del override
    gc.collect()
    # The library keeps using the last fed value (see the NOTE in the
    # session); its buffer must still be valid.
    np.testing.assert_array_equal(session.run(None, {"X": x})[0], [10, 20, 30])


# ---------------------------------------------------------------- sessions

def test_session_from_path_and_bytes(onnx_helper, tmp_path):
    model = relu_model(onnx_helper, (2,))
    path = tmp_path / "relu.onnx"
    path.write_bytes(model)
    given = np.array([-1, 1], np.float32)
    for source in (str(path), path, model, bytearray(model)):
        session = onnxmini.InferenceSession(source)
        np.testing.assert_array_equal(session.run(None, {"X": given})[0], [0, 1])


def test_session_missing_file(tmp_path):
    path = tmp_path / "absent.onnx"
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        onnxmini.InferenceSession(str(path))
    assert caught.value.status == onnxmini.Status.IO
    assert "absent.onnx" in caught.value.message


def test_session_invalid_bytes():
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        onnxmini.InferenceSession(b"\xff\xff\xff not a protobuf")
    assert caught.value.status == onnxmini.Status.PARSE


def test_session_unsupported_operator(onnx_helper):
    from onnx import TensorProto
    model = make_model(
        onnx_helper, [onnx_helper.make_node("Softmax", ["X"], ["Y"])],
        [onnx_helper.make_tensor_value_info("X", TensorProto.FLOAT, [2])],
        [onnx_helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2])])
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        onnxmini.InferenceSession(model)
    assert caught.value.status == onnxmini.Status.UNSUPPORTED
    assert "Softmax" in caught.value.message


def test_session_invalid_source_type():
    with pytest.raises(onnxmini.OnnxMiniError, match="expected a file path"):
        onnxmini.InferenceSession(42)


def test_session_isa_option(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    isas = onnxmini.available_isas()
    assert "scalar" in isas
    for isa in isas:
        session = onnxmini.InferenceSession(model, isa=isa)
        assert session.isa == isa
        np.testing.assert_array_equal(
            session.run(None, {"X": np.array([-2, 3], np.float32)})[0], [0, 3])
    with pytest.raises(onnxmini.OnnxMiniError) as caught:
        onnxmini.InferenceSession(model, isa="no-such-isa")
    assert "no-such-isa" in caught.value.message


def test_session_threads_option(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    session = onnxmini.InferenceSession(model, threads=2)
    np.testing.assert_array_equal(
        session.run(None, {"X": np.array([-2, 3], np.float32)})[0], [0, 3])
    with pytest.raises(onnxmini.OnnxMiniError, match="threads"):
        onnxmini.InferenceSession(model, threads=-1)


def test_session_close(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, (2,)))
    session.close()
    session.close()
    with pytest.raises(onnxmini.OnnxMiniError, match="closed"):
        session.run(None, {"X": np.zeros(2, np.float32)})
    with onnxmini.InferenceSession(relu_model(onnx_helper, (2,))) as managed:
        managed.run(None, {"X": np.zeros(2, np.float32)})
    with pytest.raises(onnxmini.OnnxMiniError, match="closed"):
        managed.run(None, {"X": np.zeros(2, np.float32)})


def test_session_garbage_collected_in_cycle(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    for _ in range(50):
        session = onnxmini.InferenceSession(model)
        session.cycle = session
        holder = [session]
        holder.append(holder)
        del session, holder
    gc.collect()
    # Nothing to compare: the check is that freeing sessions in cycles,
    # where the collector picks the order, neither crashes nor corrupts the
    # heap for the session created next.
    fresh = onnxmini.InferenceSession(model)
    np.testing.assert_array_equal(fresh.run(None, {"X": np.array([-1, 1], np.float32)})[0],
                                  [0, 1])


def test_session_create_run_free_repeatedly(onnx_helper):
    # Each new session replaces the last, which is then freed: a library
    # that writes past its buffers, or a binding that frees in the wrong
    # order, shows up here as heap corruption.
    model = relu_model(onnx_helper, ("N", 3, 4))
    given = np.linspace(-1, 1, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    for _ in range(300):
        session = onnxmini.InferenceSession(model)
        (result,) = session.run(None, {"X": given})
    np.testing.assert_array_equal(result, np.maximum(given, 0))


def test_session_alive_at_interpreter_exit(onnx_helper, tmp_path):
    path = tmp_path / "relu.onnx"
    path.write_bytes(relu_model(onnx_helper, (2,)))
    # Sessions alive when the interpreter exits: a global one, one in a
    # reference cycle, one held by the onnxmini module itself (torn down
    # with it) and one closed by hand.
    code = (
        "import numpy, onnxmini\n"
        "path = %r\n"
        "session = onnxmini.InferenceSession(path)\n"
        "cyclic = onnxmini.InferenceSession(path)\n"
        "cyclic.cycle = cyclic\n"
        "onnxmini.kept_session = onnxmini.InferenceSession(path)\n"
        "onnxmini.InferenceSession(path).close()\n"
        "print(session.run(None, {'X': numpy.ones(2, numpy.float32)})[0].sum())\n"
        % str(path)
    )
    result = run_python(code, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2.0"
    assert "Exception" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_session_shared_by_threads(onnx_helper):
    session = onnxmini.InferenceSession(relu_model(onnx_helper, ("N", 3, 4)))
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(200):
            batch = int(rng.integers(1, 4))
            given = rng.standard_normal((batch, 3, 4)).astype(np.float32)
            (result,) = session.run(None, {"X": given})
            if not np.array_equal(result, np.maximum(given, 0)):
                errors.append("thread %d: wrong result for batch %d" % (seed, batch))
                return

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# ---------------------------------------------------------------- ORT compatibility

def test_ort_keywords_accepted_silently(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    options = onnxmini.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        session = onnxmini.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"])
        session_positional = onnxmini.InferenceSession(model, options, ["CPUExecutionProvider"])
        result = session.run(None, {"X": np.array([-1, 1], np.float32)}, run_options=object())
    np.testing.assert_array_equal(result[0], [0, 1])
    assert session_positional.get_providers() == ["CPUExecutionProvider"]


def test_ort_unknown_provider_warns(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    with pytest.warns(RuntimeWarning, match="CUDAExecutionProvider"):
        session = onnxmini.InferenceSession(
            model, providers=[("CUDAExecutionProvider", {"device_id": 0}),
                              "CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(None, {"X": np.array([-1, 1], np.float32)})[0],
                                  [0, 1])


def test_ort_provider_options_warn(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    with pytest.warns(RuntimeWarning, match="provider_options"):
        onnxmini.InferenceSession(model, providers=["CPUExecutionProvider"],
                                  provider_options=[{"arena_extend_strategy": "x"}])


def test_ort_unknown_keyword_warns(onnx_helper):
    model = relu_model(onnx_helper, (2,))
    with pytest.warns(RuntimeWarning, match="disabled_optimizers"):
        onnxmini.InferenceSession(model, disabled_optimizers=["ConvActivationFusion"])


def test_ort_script_runs_unchanged(data_file):
    # The usual onnxruntime snippet, with only the import line changed.
    script = (
        "import gzip, numpy as np\n"
        "import onnxmini as ort\n"
        "with gzip.open(%r) as f:\n"
        "    pixels = np.frombuffer(f.read()[16:16 + 784], np.uint8)\n"
        "img = (pixels.astype(np.float32) / 255).reshape(1, 1, 28, 28)\n"
        "sess = ort.InferenceSession(%r, providers=['CPUExecutionProvider'])\n"
        "name = sess.get_inputs()[0].name\n"
        "out = sess.run(None, {name: img})\n"
        "print(int(np.argmax(out[0])))\n"
        % (str(data_file("t10k-images-idx3-ubyte.gz")), str(data_file("mnist-12.onnx")))
    )
    result = run_python(script, {})
    assert result.returncode == 0, result.stderr
    labels = read_idx(data_file("t10k-labels-idx1-ubyte.gz"))
    assert result.stdout.strip() == str(labels[0])


# ---------------------------------------------------------------- library search

def test_library_missing_override():
    result = run_python("import onnxmini; onnxmini.library_version()",
                        {"ONNXMINI_LIBRARY": "/nonexistent/dir/libonnxmini.so"})
    assert result.returncode != 0
    assert "OnnxMiniError" in result.stderr
    assert "ONNXMINI_LIBRARY is set to '/nonexistent/dir/libonnxmini.so'" in result.stderr
    assert "does not exist" in result.stderr


def test_failed_feed_does_not_block_later_feeds(onnx_helper):
    """A feed whose Reshape target does not fit fails; the next feeds, with
    the inputs in the same order, still run."""
    from onnx import TensorProto
    model = make_model(
        onnx_helper,
        [onnx_helper.make_node("Reshape", ["X", "S"], ["Y"])],
        [onnx_helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3, 4]),
         onnx_helper.make_tensor_value_info("S", TensorProto.INT64, [2])],
        [onnx_helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    session = onnxmini.InferenceSession(model)
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert session.run(None, {"X": x, "S": np.array([6, 4])})[0].shape == (6, 4)
    with pytest.raises(onnxmini.OnnxMiniError, match="cannot reshape"):
        session.run(None, {"X": x, "S": np.array([5, 5])})
    assert session.run(None, {"X": x, "S": np.array([4, 6])})[0].shape == (4, 6)


def test_inputs_that_change_together(onnx_helper):
    """Two inputs whose first dimensions must match can both change size in
    one feed, whichever the library binds first."""
    from onnx import TensorProto
    model = make_model(
        onnx_helper,
        [onnx_helper.make_node("Add", ["A", "B"], ["Y"])],
        [onnx_helper.make_tensor_value_info("A", TensorProto.FLOAT, ["N", 3]),
         onnx_helper.make_tensor_value_info("B", TensorProto.FLOAT, ["M", 3])],
        [onnx_helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    session = onnxmini.InferenceSession(model)
    for rows in (2, 4, 1):
        a = np.ones((rows, 3), np.float32)
        y = session.run(None, {"A": a, "B": 2 * a})[0]
        np.testing.assert_array_equal(y, 3 * a)


def test_library_not_found_lists_attempts(tmp_path):
    # A copy of the package outside the checkout, with the system search
    # disabled, so that no place has the library.
    package = tmp_path / "onnxmini"
    package.mkdir()
    for source in (PYTHON_DIR / "onnxmini").glob("*.py"):
        (package / source.name).write_bytes(source.read_bytes())
    code = (
        "import sys, ctypes.util\n"
        "ctypes.util.find_library = lambda name: None\n"
        "sys.path.insert(0, %r)\n"
        "import onnxmini\n"
        "try:\n"
        "    onnxmini.library_version()\n"
        "except onnxmini.OnnxMiniError as error:\n"
        "    print(error.message)\n"
        "    sys.exit(3)\n" % str(tmp_path)
    )
    result = run_python(code, {"ONNXMINI_LIBRARY": None, "PYTHONPATH": None})
    assert result.returncode == 3, result.stderr
    assert "libonnxmini.so not found. Tried:" in result.stdout
    assert "ONNXMINI_LIBRARY: not set" in result.stdout
    assert str(package / "libonnxmini.so") in result.stdout
    assert "find_library" in result.stdout


def test_library_override_used():
    library = onnxmini.library_path()
    result = run_python("import onnxmini; print(onnxmini.library_path())",
                        {"ONNXMINI_LIBRARY": library})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == library


# ---------------------------------------------------------------- MNIST

@pytest.fixture(scope="module")
def mnist_test_set(data_file):
    images = read_idx(data_file("t10k-images-idx3-ubyte.gz"))
    labels = read_idx(data_file("t10k-labels-idx1-ubyte.gz"))
    assert images.shape == (MNIST_TEST_IMAGES, 28, 28)
    assert labels.shape == (MNIST_TEST_IMAGES,)
    return images, labels


@pytest.mark.parametrize("model_name", ["mnist-8.onnx", "mnist-12.onnx"])
def test_mnist_accuracy(data_file, mnist_test_set, model_name):
    images, labels = mnist_test_set
    session = onnxmini.InferenceSession(str(data_file(model_name)))
    name = session.get_inputs()[0].name
    correct = 0
    for pixels, label in zip(images, labels):
        (logits,) = session.run(None, {name: unit_input(pixels)})
        assert logits.shape == (1, 10)
        correct += int(np.argmax(logits) == label)
    assert correct == MNIST_EXPECTED_CORRECT


def test_mnist_reference_logits(data_file, mnist_test_set):
    images, labels = mnist_test_set
    rows = [line.split() for line in
            data_file("mnist-12-t10k-first100-logits-unit0-1.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert len(rows) == 100
    session = onnxmini.InferenceSession(str(data_file("mnist-12.onnx")))
    for row in rows:
        index, label = int(row[0]), int(row[1])
        reference = np.array([float(value) for value in row[3:13]])
        assert labels[index] == label
        (logits,) = session.run(None, {"Input3": unit_input(images[index])})
        np.testing.assert_allclose(logits[0], reference, rtol=1e-4, atol=1e-4,
                                   err_msg="image %d" % index)


def test_mnist_agrees_with_c_classifier(data_file, build_dir):
    classifier = build_dir / "bin" / "mnist_classify"
    require(classifier.is_file(), "%s not found; run make first" % classifier)
    digits = sorted(data_file("digits").glob("*.pgm"))
    require(digits, "no sample digits in %s" % data_file("digits"))
    model = data_file("mnist-12.onnx")
    completed = subprocess.run(
        [str(classifier), "--model", str(model), "--json"] + [str(d) for d in digits],
        capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    assert len(results) == len(digits)

    session = onnxmini.InferenceSession(str(model))
    for digit_file, c_result in zip(digits, results):
        assert c_result["file"] == str(digit_file)
        (logits,) = session.run(None, {"Input3": unit_input(read_pgm(digit_file))})
        probabilities = softmax(logits[0])
        assert int(np.argmax(probabilities)) == c_result["digit"], digit_file.name
        np.testing.assert_allclose(probabilities, c_result["probabilities"],
                                   rtol=1e-6, atol=1e-12, err_msg=digit_file.name)
