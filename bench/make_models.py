#!/usr/bin/python3
"""Write the benchmark models: mnist.onnx, cifar_cnn.onnx and vgg_block.onnx,
and with --torch-models also resnet18.onnx, mobilenet_v2.onnx and
squeezenet1_1.onnx.

mnist.onnx is the ONNX model zoo's mnist-12.onnx (read from the data
directory) with a symbolic batch dimension "N". cifar_cnn.onnx and
vgg_block.onnx are small convolutional networks with deterministic random
weights. Every model is checked with onnx.checker. With --check-with, each
one also runs once through the library's `minimal` example program, and the
outputs it prints for all-zero inputs must match a NumPy evaluation of the
same graph.

The three 224x224 torchvision models are not exported twice: --torch-models
names the folder that tests/torch/make_models.py wrote (make torch-models),
and their opset-13 model.onnx files are linked into OUTPUT_DIR with
symbolic links. When that folder lacks them (no PyTorch installed), the
script prints a note and leaves them out.

Run with Debian's /usr/bin/python3, which has python3-onnx and python3-numpy.

Usage: make_models.py [--data-dir DIR] [--check-with MINIMAL]
                      [--torch-models DIR] [OUTPUT_DIR]
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 7
PRODUCER = "libonnxmini bench/make_models.py"

# Seeds of the weight generators, one per model, so that every run writes
# the same files.
CIFAR_SEED = 20240601
VGG_SEED = 20240602

# (file name in OUTPUT_DIR, test folder written by tests/torch/make_models.py)
TORCH_MODELS = [
    ("resnet18.onnx", "resnet18_opset13"),
    ("mobilenet_v2.onnx", "mobilenet_v2_opset13"),
    ("squeezenet1_1.onnx", "squeezenet1_1_opset13"),
]


class ModelError(Exception):
    """A model could not be built or failed a check."""


# ---------------------------------------------------------------- MNIST


def make_mnist(data_dir):
    """Return mnist-12.onnx from data_dir with the batch dimension symbolic.

    The graph input and output get dim_param "N" in dimension 0. Of the two
    Reshape nodes, the one that flattens the activations has the constant
    shape [1, 256], which would pin the batch to 1, so it becomes [-1, 256].
    The other one reshapes a weight initializer and keeps its shape.
    """
    if not data_dir:
        raise ModelError(
            "no data directory: set ONNXMINI_DATA_DIR or pass --data-dir with "
            "the directory that holds the model zoo's mnist-12.onnx "
            "(tools/fetch-data.sh downloads it)")
    path = os.path.join(data_dir, "mnist-12.onnx")
    if not os.path.isfile(path):
        raise ModelError(
            f"{path} not found: set ONNXMINI_DATA_DIR or pass --data-dir with "
            "the directory that holds the model zoo's mnist-12.onnx "
            "(tools/fetch-data.sh downloads it)")
    model = onnx.load(path)
    graph = model.graph

    for value in list(graph.input) + list(graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        if dim.HasField("dim_value") and dim.dim_value != 1:
            raise ModelError(f"{path}: '{value.name}' has batch dimension "
                             f"{dim.dim_value}, expected 1")
        dim.dim_param = "N"

    # The intermediate shapes in value_info all pin the batch to 1; they
    # are optional, so drop them and let readers infer the shapes.
    del graph.value_info[:]

    initializers = {t.name: t for t in graph.initializer}
    rewritten = []
    for node in graph.node:
        if node.op_type != "Reshape" or node.input[0] in initializers:
            continue
        shape_tensor = initializers.get(node.input[1])
        if shape_tensor is None:
            raise ModelError(f"{path}: Reshape '{node.name}' has no constant "
                             "shape")
        shape = numpy_helper.to_array(shape_tensor)
        if shape[0] != 1:
            raise ModelError(f"{path}: Reshape '{node.name}' has shape "
                             f"{shape.tolist()}, expected a leading 1")
        shape = shape.copy()
        shape[0] = -1
        shape_tensor.CopyFrom(numpy_helper.from_array(shape,
                                                      shape_tensor.name))
        rewritten.append(node.name)
    if len(rewritten) != 1:
        raise ModelError(f"{path}: expected one Reshape of activations, "
                         f"found {len(rewritten)}")
    return model


# ---------------------------------------------------------------- builders


class GraphBuilder:
    """Collect nodes and initializers of a float32 network with He-scaled
    random weights."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.count = 0

    def _name(self, kind):
        self.count += 1
        return f"{kind}{self.count}"

    def constant(self, name, array):
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, shape, fan_in, gain=2.0):
        """Return a N(0, gain / fan_in) weight: gain 2 keeps the variance of
        activations steady through a Relu (He initialization)."""
        scale = np.sqrt(gain / fan_in)
        array = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        return self.constant(self._name("W"), array)

    def bias(self, shape):
        array = (self.rng.standard_normal(shape) * 0.1).astype(np.float32)
        return self.constant(self._name("B"), array)

    def node(self, op_type, inputs, output=None, **attributes):
        name = self._name(op_type.lower())
        output = output or name + "_out"
        self.nodes.append(helper.make_node(op_type, inputs, [output],
                                           name=name, **attributes))
        return output

    def conv3x3(self, x, in_channels, out_channels, bias_input):
        """Add a 3x3 Conv with pads 1 and a Relu. The bias is either Conv's
        third input or an Add of a [C, 1, 1] initializer after the Conv (the
        form of the model zoo's MNIST), so that both paths run."""
        w = self.weight((out_channels, in_channels, 3, 3), in_channels * 9)
        if bias_input:
            y = self.node("Conv", [x, w, self.bias((out_channels,))],
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        else:
            y = self.node("Conv", [x, w], kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1])
            y = self.node("Add", [y, self.bias((out_channels, 1, 1))])
        return self.node("Relu", [y])

    def maxpool2(self, x):
        return self.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])

    def flatten(self, x, features):
        shape = self.constant(self._name("shape"),
                              np.array([-1, features], dtype=np.int64))
        return self.node("Reshape", [x, shape])

    def dense(self, x, in_features, out_features, relu, output=None):
        """Add a MatMul, an Add of the bias and, with relu, a Relu. Without
        a Relu the weights get gain 1, for unit variance at the output."""
        w = self.weight((in_features, out_features), in_features,
                        gain=2.0 if relu else 1.0)
        y = self.node("MatMul", [x, w])
        if relu:
            y = self.node("Add", [y, self.bias((out_features,))])
            return self.node("Relu", [y], output=output)
        return self.node("Add", [y, self.bias((out_features,))],
                         output=output)

    def finish(self, input_name, input_shape, output, output_shape, doc):
        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(input_name, TensorProto.FLOAT,
                                           input_shape)],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT,
                                           output_shape)],
            self.initializers)
        model = helper.make_model(
            graph, producer_name=PRODUCER, doc_string=doc,
            opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        return model


def make_cifar_cnn():
    """Return a CIFAR-10-sized CNN: [N, 3, 32, 32] -> [N, 10]."""
    b = GraphBuilder("cifar_cnn", CIFAR_SEED)
    x = b.conv3x3("input", 3, 32, bias_input=True)
    x = b.conv3x3(x, 32, 32, bias_input=False)
    x = b.maxpool2(x)                                   # [N, 32, 16, 16]
    x = b.conv3x3(x, 32, 64, bias_input=True)
    x = b.conv3x3(x, 64, 64, bias_input=False)
    x = b.maxpool2(x)                                   # [N, 64, 8, 8]
    x = b.flatten(x, 64 * 8 * 8)
    x = b.dense(x, 64 * 8 * 8, 512, relu=True)
    x = b.dense(x, 512, 10, relu=False, output="logits")
    return b.finish("input", ["N", 3, 32, 32], x, ["N", 10],
                    "Four 3x3 convolutions, two max pools and two dense "
                    "layers on a 32x32 RGB image; random weights.")


def make_vgg_block():
    """Return the first VGG blocks on a 224x224 image: [N, 3, 224, 224] ->
    [N, 10]."""
    b = GraphBuilder("vgg_block", VGG_SEED)
    x = b.conv3x3("input", 3, 64, bias_input=True)
    x = b.conv3x3(x, 64, 64, bias_input=False)
    x = b.maxpool2(x)                                   # [N, 64, 112, 112]
    x = b.conv3x3(x, 64, 128, bias_input=True)
    x = b.maxpool2(x)                                   # [N, 128, 56, 56]
    x = b.flatten(x, 128 * 56 * 56)
    x = b.dense(x, 128 * 56 * 56, 10, relu=False, output="logits")
    return b.finish("input", ["N", 3, 224, 224], x, ["N", 10],
                    "Three 3x3 convolutions and two max pools of VGG's "
                    "first blocks on a 224x224 RGB image, then one dense "
                    "layer; random weights.")


# ---------------------------------------------------------------- checks


def conv2d(x, w, b, pads):
    """Evaluate a 2-D Conv with stride 1 and dilation 1: x [N, C, H, W],
    w [M, C, KH, KW], pads [top, left, bottom, right]."""
    n, c, h, width = x.shape
    m, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    y = np.zeros((n, m, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + oh, j:j + ow]
            # [M, C] . [N, C, OH, OW] over C -> [M, N, OH, OW]
            y += np.tensordot(w[:, :, i, j], patch,
                              axes=([1], [1])).transpose(1, 0, 2, 3)
    if b is not None:
        y += b.reshape(1, m, 1, 1)
    return y


def conv_pads(node, x_shape, w_shape):
    """Return [top, left, bottom, right] for a stride-1 Conv from its pads
    or auto_pad attribute."""
    attributes = {a.name: helper.get_attribute_value(a)
                  for a in node.attribute}
    if attributes.get("strides", [1, 1]) != [1, 1] or \
            attributes.get("dilations", [1, 1]) != [1, 1]:
        raise ModelError(f"Conv '{node.name}': the NumPy check handles "
                         "stride 1 and dilation 1 only")
    auto_pad = attributes.get("auto_pad", b"NOTSET")
    if auto_pad == b"SAME_UPPER":
        # Output size = input size; the odd padding goes at the end.
        total = [k - 1 for k in w_shape[2:]]
        return [total[0] // 2, total[1] // 2,
                total[0] - total[0] // 2, total[1] - total[1] // 2]
    if auto_pad not in (b"NOTSET", b""):
        raise ModelError(f"Conv '{node.name}': auto_pad {auto_pad!r} is not "
                         "handled by the NumPy check")
    return list(attributes.get("pads", [0, 0, 0, 0]))


def maxpool2d(node, x):
    """Evaluate a MaxPool with equal kernel and stride and no padding."""
    attributes = {a.name: helper.get_attribute_value(a)
                  for a in node.attribute}
    k = attributes["kernel_shape"]
    if attributes.get("strides") != k or any(attributes.get("pads", [])):
        raise ModelError(f"MaxPool '{node.name}': the NumPy check handles "
                         "kernel = stride without padding only")
    n, c, h, w = x.shape
    oh, ow = h // k[0], w // k[1]
    x = x[:, :, :oh * k[0], :ow * k[1]]
    return x.reshape(n, c, oh, k[0], ow, k[1]).max(axis=(3, 5))


def evaluate(model, feeds):
    """Evaluate the graph in float64 with NumPy. Handles only the operators
    and attributes of the benchmark models."""
    values = {t.name: numpy_helper.to_array(t).astype(
        np.float64 if t.data_type == TensorProto.FLOAT else np.int64)
        for t in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        x = [values[name] for name in node.input]
        if node.op_type == "Conv":
            y = conv2d(x[0], x[1], x[2] if len(x) > 2 else None,
                       conv_pads(node, x[0].shape, x[1].shape))
        elif node.op_type == "Add":
            y = x[0] + x[1]
        elif node.op_type == "Relu":
            y = np.maximum(x[0], 0)
        elif node.op_type == "MaxPool":
            y = maxpool2d(node, x[0])
        elif node.op_type == "Reshape":
            y = x[0].reshape(x[1])
        elif node.op_type == "MatMul":
            y = x[0] @ x[1]
        else:
            raise ModelError(f"the NumPy check has no rule for "
                             f"{node.op_type}")
        values[node.output[0]] = y
    return [values[output.name] for output in model.graph.output]


def check_with_minimal(minimal, path, model):
    """Run `minimal` on the model and compare the first output values it
    prints with a NumPy evaluation for the same all-zero batch-1 input."""
    result = subprocess.run([minimal, path], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise ModelError(f"{minimal} failed on {path}: "
                         f"{result.stderr.strip()}")
    feeds = {}
    for value in model.graph.input:
        dims = [d.dim_value if d.HasField("dim_value") else 1
                for d in value.type.tensor_type.shape.dim]
        feeds[value.name] = np.zeros(dims)
    expected = evaluate(model, feeds)

    lines = result.stdout.strip().splitlines()
    if len(lines) != len(expected):
        raise ModelError(f"{minimal} printed {len(lines)} outputs for {path}, "
                         f"expected {len(expected)}")
    for line, reference in zip(lines, expected):
        # A line reads "name: float [1,10] v0 v1 ...".
        printed = np.array([float(v) for v in line.split("]", 1)[1].split()])
        reference = reference.reshape(-1)[:len(printed)]
        if len(printed) == 0 or not np.allclose(printed, reference,
                                                rtol=1e-4, atol=1e-4):
            raise ModelError(f"{path}: the library printed {printed.tolist()}"
                             f", NumPy computed {reference.tolist()}")


# ---------------------------------------------------------------- PyTorch


def link_torch_models(torch_dir, output_dir):
    """Link the PyTorch models of torch_dir into output_dir. A link left
    from an earlier run is removed first. A missing model gets a note and is
    left out."""
    for filename, folder in TORCH_MODELS:
        path = os.path.join(output_dir, filename)
        target = os.path.join(torch_dir, folder, "model.onnx")
        if os.path.lexists(path):
            os.remove(path)
        if not os.path.isfile(target):
            print(f"skipped {path}: {target} not found; 'make torch-models' "
                  "writes it when python3-torch and python3-torchvision are "
                  "installed")
            continue
        os.symlink(os.path.relpath(target, output_dir), path)
        print(f"linked {path} to {target}")


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(
        description="Write the benchmark models into OUTPUT_DIR.")
    parser.add_argument("output_dir", nargs="?", default="build/bench",
                        help="folder to write into (default build/bench)")
    parser.add_argument("--data-dir",
                        default=os.environ.get("ONNXMINI_DATA_DIR"),
                        help="folder with mnist-12.onnx (default: "
                        "$ONNXMINI_DATA_DIR)")
    parser.add_argument("--check-with", metavar="MINIMAL",
                        help="the library's minimal example program: run "
                        "each model once and compare its outputs with NumPy")
    parser.add_argument("--torch-models", metavar="DIR",
                        help="folder written by tests/torch/make_models.py: "
                        "link its ResNet-18, MobileNetV2 and SqueezeNet 1.1 "
                        "into OUTPUT_DIR")
    args = parser.parse_args()

    try:
        models = [("mnist.onnx", make_mnist(args.data_dir)),
                  ("cifar_cnn.onnx", make_cifar_cnn()),
                  ("vgg_block.onnx", make_vgg_block())]
        os.makedirs(args.output_dir, exist_ok=True)
        for filename, model in models:
            path = os.path.join(args.output_dir, filename)
            onnx.checker.check_model(model, full_check=True)
            onnx.save(model, path)
            if args.check_with:
                check_with_minimal(args.check_with, path, model)
            checked = (f", checked with {args.check_with}"
                       if args.check_with else "")
            print(f"wrote {path} (onnx.checker{checked})")
        if args.torch_models:
            link_torch_models(args.torch_models, args.output_dir)
    except (ModelError, OSError, onnx.checker.ValidationError) as error:
        print(f"make_models.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
